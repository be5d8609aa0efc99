"""Learned site rules on the per-site split (not part of `make test`): writes benchmarks/LEARNING.md.

    python benchmarks/learning.py [--bench DIR] [--limit N] [--no-write]

The shared accuracy harness (``run.py`` in the benchmark folder, by default
``../shared/bench``) has a per-site split, ``persite-dev-test``: for every test page it
sets ``EVAL_TRAIN_DIR`` to a folder of the same site's train pages and ``EVAL_SITE``
to the site. This script runs the harness twice on text captures:

- the generic stage alone: ``cleaner:clean``, the shipped rules and the line classifier;
- learned rules: ``benchmarks.learning:clean_learned``, which learns a site rule file
  from the train pages' captures alone (``*.capture.txt``; the truth files beside
  them are never opened), writes it into a rules directory beside the shipped generic
  rules, and cleans the test page with that directory and the page's site as URL.

Every learned file is then checked with ``cleaner check --rules`` as it was written.
The data is read where it lies and never copied into the repository.
"""
from __future__ import annotations

import argparse
import datetime
import os
import subprocess
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_BENCH = REPO.parent / "shared" / "bench"
OUTPUT = HERE / "LEARNING.md"
SPLIT = "persite-dev-test"
OUT_ENV = "CLEANER_LEARNED_DIR"  # where clean_learned writes its rules directory
SYSTEMS = {
    "generic stage alone (cleaner:clean)": "cleaner:clean",
    "learned site rules + generic stage": "benchmarks.learning:clean_learned",
}


# --- the system the harness imports -------------------------------------------------------

@lru_cache(maxsize=None)
def _cleaner_for(train_dir: str, site: str) -> object:
    """A Cleaner with the rules learned from ``train_dir``'s captures (None: nothing learned)."""
    from cleaner import Cleaner
    from cleaner.draft import LearnError, draft_site, render
    from cleaner.extract import extract
    from cleaner.rules import default_rules_dir

    captures = [[line.text for line in extract(p.read_bytes()).lines]
                for p in sorted(Path(train_dir).glob("*.capture.txt"))]
    try:
        text = render(draft_site(site, captures))
    except LearnError:
        return None
    rules = Path(os.environ.get(OUT_ENV) or tempfile.mkdtemp(prefix="learned-rules-"))
    # one rules directory per site: two datasets may hold the same site, different pages
    site_rules = rules / "by-train-dir" / Path(train_dir).parent.name / site
    (site_rules / "sites").mkdir(parents=True, exist_ok=True)
    if not (site_rules / "generic").exists():
        (site_rules / "generic").symlink_to(default_rules_dir() / "generic")
    (site_rules / "sites" / f"{site}.toml").write_text(text, encoding="utf-8")
    return Cleaner(site_rules)


def clean_learned(capture: str) -> str:
    """Clean one test page with the rules learned from its site's train captures."""
    from cleaner import Cleaner, clean

    site, train_dir = os.environ.get("EVAL_SITE", ""), os.environ.get("EVAL_TRAIN_DIR", "")
    cleaner = _cleaner_for(train_dir, site) if site and train_dir else None
    if not isinstance(cleaner, Cleaner):
        return clean(capture)
    return cleaner.clean(capture, url=f"https://{site}/")


# --- the measurement ----------------------------------------------------------------------

def check_learned(rules: Path) -> tuple[int, int]:
    """``cleaner check`` on the learned files as written: (files, failed checks).

    Files are checked by dataset, one ``cleaner check`` each, from a rules directory of
    links to them beside the shipped generic rules (a site is in a dataset once).
    """
    from cleaner.rules import default_rules_dir

    files = sorted(rules.glob("by-train-dir/*/*/sites/*.toml"))
    by_dataset: dict[str, list[Path]] = {}
    for path in files:
        by_dataset.setdefault(path.parents[2].name, []).append(path)
    failed = 0
    for dataset, paths in sorted(by_dataset.items()):
        directory = rules / "check" / dataset
        (directory / "sites").mkdir(parents=True, exist_ok=True)
        (directory / "generic").symlink_to(default_rules_dir() / "generic")
        for path in paths:
            (directory / "sites" / path.name).symlink_to(path)
        done = subprocess.run([sys.executable, "-m", "cleaner.cli", "check", "--rules",
                               str(directory), "--seeds", str(directory / "no-seeds")],
                              capture_output=True, text=True)
        print(f"cleaner check, {dataset}: {done.stderr.strip().splitlines()[0]}",
              file=sys.stderr)
        if done.returncode != 0:
            failed += 1
            print(done.stdout, file=sys.stderr)
    return len(files), failed


def table(results: dict[str, dict]) -> str:
    rows = ["| system | pages | P | R | F1 | F1 95% interval |", "|---|---:|---:|---:|---:|---|"]
    for label, metrics in results.items():
        m = metrics["ALL"]
        rows.append(f"| {label} | {m['n']} | {m['precision']:.3f} | {m['recall']:.3f} | "
                    f"**{m['f1']:.3f}** | {m['f1_lo']:.3f}–{m['f1_hi']:.3f} |")
    return "\n".join(rows)


def per_dataset(results: dict[str, dict]) -> str:
    rows = ["| dataset | system | pages | P | R | F1 |", "|---|---|---:|---:|---:|---:|"]
    datasets = sorted({d for m in results.values() for d in m if d != "ALL"})
    for dataset in datasets:
        for label, metrics in results.items():
            m = metrics[dataset]
            rows.append(f"| {dataset} | {label} | {m['n']} | {m['precision']:.3f} | "
                        f"{m['recall']:.3f} | {m['f1']:.3f} |")
    return "\n".join(rows)


def main() -> int:
    # Imported here: the harness imports this module as benchmarks.learning, where this
    # folder is not on the path; run as a script, it is.
    from harness import run_harness

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bench", type=Path, default=DEFAULT_BENCH,
                        help="the shared benchmark folder (run.py, data/)")
    parser.add_argument("--limit", type=int, default=None, help="pages per dataset (smoke test)")
    parser.add_argument("--no-write", action="store_true", help=f"do not rewrite {OUTPUT.name}")
    args = parser.parse_args()
    if not (args.bench / "run.py").is_file() or not any((args.bench / "data").glob("*.jsonl.gz")):
        print(f"benchmark data not found in {args.bench}: nothing measured. The data is not "
              "part of the repository; pass --bench DIR.", file=sys.stderr)
        return 2
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for label, system in SYSTEMS.items():
            print(f"== {label}", file=sys.stderr)
            results[label] = run_harness(
                args.bench, system, "text", SPLIT, args.limit, work,
                env={"BENCH_CACHE": str(work / "cache"), OUT_ENV: str(work / "rules")})
        checked, failed = check_learned(work / "rules")
    generic, learned = (results[label]["ALL"] for label in SYSTEMS)
    delta_f1 = learned["f1"] - generic["f1"]
    delta_r = learned["recall"] - generic["recall"]
    verdict = (f"F1 {delta_f1:+.3f}, recall {delta_r:+.4f}; {checked} learned rule files, "
               f"{'all passing' if not failed else f'{failed} checks failing'} "
               f"`cleaner check` as written.")
    print(table(results))
    print(verdict)
    if args.no_write:
        return 0 if failed == 0 else 1
    scope = f"at most {args.limit} pages per dataset (a smoke test)" if args.limit \
        else f"the whole `{SPLIT}` split"
    OUTPUT.write_text(
        "# Learned site rules\n\n"
        "Written by `benchmarks/learning.py`.\n\n"
        f"Measured {datetime.date.today().isoformat()} on {scope} of the shared accuracy "
        "benchmark, text captures, pooled over its default datasets, with its own harness "
        "(per page, precision and recall of word 4-grams against the human article text, "
        "macro-averaged over pages). For each test page the harness names its site and a "
        "folder of the same site's train pages; the learned system reads only the train "
        "pages' captures (never their truth), learns a site rule file with "
        "`cleaner.draft.draft_site` (what `cleaner learn` runs), writes it into a rules "
        "directory beside the shipped generic rules and cleans the page with it, as "
        "`https://<site>/` (the harness names the site, not the page's URL), so the learned "
        "file is chosen by its domain. "
        "The generic stage alone is `cleaner:clean`, the shipped rules and the line "
        "classifier. That classifier was trained on the whole dev split, these test pages "
        "included, so its score here is optimistic (cross-validated by site on the dev "
        "split it scores lower) and the difference below is smaller than it would be on "
        "sites it never saw.\n\n"
        f"{table(results)}\n\n"
        f"Difference: {verdict}\n\n"
        "Sites have 3 to 20 train pages. Where the human truth keeps what the editorial "
        "policy removes (bylines such as \"by NAME on DATE\", \"Related:\" lists, author "
        "bios under the article), the learned rules lose recall by following the "
        "policy.\n\n"
        f"## Per dataset\n\n{per_dataset(results)}\n",
        encoding="utf-8")
    print(f"wrote {OUTPUT}", file=sys.stderr)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
