"""One run of the shared accuracy harness, for the measuring scripts of this folder."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def run_harness(bench: Path, system: str, mode: str, split: str, limit: int | None,
                workdir: Path, env: dict[str, str] | None = None) -> dict:
    """Run ``system`` on ``split`` in ``mode``; the pooled ("ALL") and per-dataset metrics.

    ``env`` adds variables to the harness's environment (the system reads them).
    """
    name = _run_name(system)
    command = [sys.executable, str(bench / "run.py"), "--system", system, "--mode", mode,
               "--split", split, "--n-boot", "200", "--save-dir", str(workdir), "--name", name]
    if limit:
        command += ["--limit", str(limit)]
    subprocess.run(command, cwd=REPO, check=True, stdout=sys.stderr,
                   env=dict(os.environ, **(env or {})))
    with open(saved_run(workdir, system, mode, split) / "metrics.json",
              encoding="utf-8") as handle:
        return json.load(handle)["results"]


def _run_name(system: str) -> str:
    return system.replace(":", "_").replace(".", "_")


def saved_run(workdir: Path, system: str, mode: str, split: str) -> Path:
    """Where ``run_harness`` left a run's metrics.json and predictions.jsonl."""
    return workdir / f"{_run_name(system)}__{mode}__{split}"


def missing_bench(bench: Path) -> str | None:
    """Why nothing can be measured with the benchmark folder ``bench`` (None: it can)."""
    if (bench / "run.py").is_file() and any((bench / "data").glob("*.jsonl.gz")):
        return None
    return (f"benchmark data not found in {bench} (run.py and data/*.jsonl.gz): nothing "
            "measured. The data is not part of the repository; pass --bench DIR.")
