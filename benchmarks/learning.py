"""Learned site rules on the per-site split (not part of `make test`): writes benchmarks/LEARNING.md.

    python benchmarks/learning.py [--bench DIR] [--model-file PATH] [--limit N] [--no-write]

The shared accuracy harness (``run.py`` in the benchmark folder, by default
``../shared/bench``) has a per-site split, ``persite-dev-test``: for every test page it
sets ``EVAL_TRAIN_DIR`` to a folder of the same site's train pages and ``EVAL_SITE``
to the site. This script runs the harness twice on text captures:

- the generic stage alone: ``benchmarks.learning:clean_generic``, the shipped rules and
  the line classifier (what ``cleaner.clean`` runs);
- learned rules: ``benchmarks.learning:clean_learned``, which learns a site rule file
  from the train pages' captures alone (``*.capture.txt``; the truth files beside
  them are never opened), writes it into a rules directory beside the shipped generic
  rules, and cleans the test page with that directory and the page's site as URL.

Every learned file is then checked with ``cleaner check --rules`` as it was written,
and ``ceiling.py`` bounds what a perfect learner of the same signals would score.
The data is read where it lies and never copied into the repository.

The shipped classifier was trained on every dev page, these test pages included.
``--model-file`` names weights trained without the per-site split's sites
(``scripts/train_classifier.py --exclude-persite-sites --output PATH``): both systems
are then measured a second time with that model, passed to them in ``MODEL_ENV``.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cleaner import Cleaner
    from cleaner.engine.line_model import LineModel

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_BENCH = REPO.parent / "shared" / "bench"
OUTPUT = HERE / "LEARNING.md"
SPLIT = "persite-dev-test"
OUT_ENV = "CLEANER_LEARNED_DIR"  # where clean_learned writes its rules directory
MODEL_ENV = "CLEANER_BENCH_MODEL_FILE"  # classifier weights for both systems (else shipped)
TARGET_GAIN = 0.05
GENERIC, LEARNED = "generic stage alone", "learned site rules + generic stage"
SYSTEMS = {
    GENERIC: "benchmarks.learning:clean_generic",
    LEARNED: "benchmarks.learning:clean_learned",
}


# --- the system the harness imports -------------------------------------------------------

@lru_cache(maxsize=1)
def _models() -> dict[str, LineModel] | None:
    """The line models in the file ``MODEL_ENV`` names (None: the shipped ones)."""
    from cleaner.engine.line_model import read_models

    path = os.environ.get(MODEL_ENV)
    return read_models(Path(path).read_text(encoding="utf-8")) if path else None


def _cleaner(rules: Path | None = None) -> Cleaner:
    from cleaner import Cleaner

    return Cleaner(rules, models=_models())


@lru_cache(maxsize=1)
def _generic() -> Cleaner:
    return _cleaner()


def clean_generic(capture: str) -> str:
    """The shipped rules and the generic stage (with ``MODEL_ENV``'s model when set)."""
    return _generic().clean(capture)


@lru_cache(maxsize=None)
def _cleaner_for(train_dir: str, site: str) -> Cleaner | None:
    """A Cleaner with the rules learned from ``train_dir``'s captures (None: nothing learned)."""
    from cleaner.authoring.draft import LearnError, draft_site, render
    from cleaner.engine.extract import extract
    from cleaner.engine.rules import default_rules_dir

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
    return _cleaner(site_rules)


def clean_learned(capture: str) -> str:
    """Clean one test page with the rules learned from its site's train captures."""
    site, train_dir = os.environ.get("EVAL_SITE", ""), os.environ.get("EVAL_TRAIN_DIR", "")
    cleaner = _cleaner_for(train_dir, site) if site and train_dir else None
    if cleaner is None:
        return clean_generic(capture)
    return cleaner.clean(capture, url=f"https://{site}/")


# --- the measurement ----------------------------------------------------------------------

def check_learned(rules: Path) -> tuple[int, int]:
    """``cleaner check`` on the learned files as written: (files, failed checks).

    Files are checked by dataset, one ``cleaner check`` each, from a rules directory of
    links to them beside the shipped generic rules (a site is in a dataset once).
    """
    from cleaner.engine.rules import default_rules_dir

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
                               str(directory), "--no-shipped-rules",
                               "--seeds", str(directory / "no-seeds")],
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


def measure(args: argparse.Namespace, work: Path,
            model_file: Path | None) -> tuple[dict[str, dict], int, int]:
    """Both systems on the split, with ``model_file``'s weights or the shipped ones;
    the results by label, the learned files and the failed checks."""
    # Imported here: the harness imports this module as benchmarks.learning, where this
    # folder is not on the path; run as a script, it is.
    from harness import run_harness

    env = {"BENCH_CACHE": str(work / "cache"), OUT_ENV: str(work / "rules")}
    if model_file is not None:
        env[MODEL_ENV] = str(model_file.resolve())
    results: dict[str, dict] = {}
    for label, system in SYSTEMS.items():
        print(f"== {label}, {model_file or 'shipped model'}", file=sys.stderr)
        results[label] = run_harness(args.bench, system, "text", SPLIT, args.limit, work, env)
    checked, failed = check_learned(work / "rules")
    return results, checked, failed


def verdict(results: dict[str, dict], checked: int, failed: int) -> str:
    generic, learned = (results[label]["ALL"] for label in SYSTEMS)
    return (f"F1 {learned['f1'] - generic['f1']:+.4f}, recall "
            f"{learned['recall'] - generic['recall']:+.4f}; {checked} learned rule files, "
            f"{'all passing' if not failed else f'{failed} checks failing'} "
            f"`cleaner check` as written.")


def section(title: str, note: str, measured: tuple[dict[str, dict], int, int]) -> str:
    results, checked, failed = measured
    return (f"## {title}\n\n{note}\n\n{table(results)}\n\n"
            f"Difference: {verdict(results, checked, failed)}\n\n"
            f"### Per dataset\n\n{per_dataset(results)}\n")


SHIPPED_NOTE = (
    "The generic stage with the shipped classifier (`cleaner/engine/data/classifier.json`). It "
    "was trained on the whole dev split, these test pages included, so the generic stage "
    "scores higher here than on sites it never saw, and the difference is smaller.")
HELD_OUT_NOTE = (
    "Both systems with a classifier trained as the shipped one but without any page of "
    "the per-site split's site groups (`scripts/train_classifier.py --kinds text "
    "--exclude-persite-sites`; {pages}), as for a site outside the shared data. The "
    "rules are the same; this is the fair measure of what learning adds.")
INTRO = (
    "Measured {date} on {scope} of the shared accuracy benchmark, text captures, pooled "
    "over its default datasets, with its own harness (per page, precision and recall of "
    "word 4-grams against the human article text, macro-averaged over pages). For each "
    "test page the harness names its site and a folder of the same site's train pages; "
    "the learned system reads only the train pages' captures (never their truth), learns "
    "a site rule file with `cleaner.authoring.draft.draft_site` (what `cleaner learn` runs), "
    "writes it into a rules directory beside the shipped generic rules and cleans the page "
    "with it, as `https://<site>/` (the harness names the site, not the page's URL), so the "
    "learned file is chosen by its domain. The generic stage alone is the shipped rules "
    "and the line classifier (what `cleaner.clean` runs).\n\n"
    "Sites have 3 to 20 train pages. Where the human truth keeps what the editorial "
    "policy removes (bylines such as \"by NAME on DATE\", \"Related:\" lists, author "
    "bios under the article), the learned rules lose recall by following the policy.")


BOUNDS_NOTE = (
    "Upper bounds, not systems: each corrects the learned output ({model} model) with the "
    "human truth, but only where the site's train captures hold a signal "
    "(`benchmarks/ceiling.py` says how). A learner that used its signal perfectly would "
    "score the bound. The last row, without the truth, shows why restoring new lines is "
    "out of a learner's reach: lines new to a page are its article, but also much of "
    "what was removed rightly.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bench", type=Path, default=DEFAULT_BENCH,
                        help="the shared benchmark folder (run.py, data/)")
    parser.add_argument("--model-file", type=Path, default=None,
                        help="classifier weights trained without the per-site sites: "
                             "measure both systems with them too")
    parser.add_argument("--limit", type=int, default=None, help="pages per dataset (smoke test)")
    parser.add_argument("--keep", type=Path, default=None,
                        help="keep outputs and learned rules here (default: a temporary folder)")
    parser.add_argument("--no-write", action="store_true", help=f"do not rewrite {OUTPUT.name}")
    args = parser.parse_args()
    from ceiling import bounds  # on the path when run as a script (see measure)
    from harness import missing_bench, saved_run

    missing = missing_bench(args.bench)
    if missing:
        print(missing, file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        shipped = measure(args, work / "shipped", None)
        held_out = measure(args, work / "held-out", args.model_file) if args.model_file \
            else None
        run = saved_run(work / ("held-out" if held_out else "shipped"),
                        SYSTEMS[LEARNED], "text", SPLIT)
        limits = bounds(args.bench, run / "predictions.jsonl")
    failed = shipped[2] + (held_out[2] if held_out else 0)
    for name, found in (("shipped model", shipped), ("held-out model", held_out)):
        if found is not None:
            print(f"{name}:\n{table(found[0])}\n{verdict(*found)}")
    print(bounds_table(limits, (held_out or shipped)[0]))
    if args.no_write:
        return 0 if failed == 0 else 1
    OUTPUT.write_text(report(args, shipped, held_out, limits), encoding="utf-8")
    print(f"wrote {OUTPUT}", file=sys.stderr)
    return 0 if failed == 0 else 1


def bounds_table(limits: dict[str, dict[str, float]], results: dict[str, dict]) -> str:
    """The bounds beside the generic stage alone and the target (its F1 + TARGET_GAIN)."""
    generic = results[GENERIC]["ALL"]
    rows = ["| learned output corrected by the truth | P | R | F1 | over the generic stage |",
            "|---|---:|---:|---:|---:|"]
    for label, m in limits.items():
        rows.append(f"| {label} | {m['precision']:.4f} | {m['recall']:.4f} | "
                    f"{m['f1']:.4f} | {m['f1'] - generic['f1']:+.4f} |")
    rows.append(f"| target: the generic stage's F1 + {TARGET_GAIN} | | | "
                f"{generic['f1'] + TARGET_GAIN:.4f} | +{TARGET_GAIN} |")
    return "\n".join(rows)


def report(args: argparse.Namespace, shipped: tuple[dict[str, dict], int, int],
           held_out: tuple[dict[str, dict], int, int] | None,
           limits: dict[str, dict[str, float]]) -> str:
    scope = f"at most {args.limit} pages per dataset (a smoke test)" if args.limit \
        else f"the whole `{SPLIT}` split"
    text = ("# Learned site rules\n\nWritten by `benchmarks/learning.py`.\n\n"
            + INTRO.format(date=datetime.date.today().isoformat(), scope=scope) + "\n\n")
    if held_out is not None:
        trained_on = json.loads(args.model_file.read_text(encoding="utf-8"))["text"]
        text += section("Held-out model (fair)",
                        HELD_OUT_NOTE.format(pages=trained_on["trained_on"]), held_out) + "\n"
    text += section("Shipped model (optimistic)", SHIPPED_NOTE, shipped)
    model = "held-out" if held_out else "shipped"
    return (text + "\n## How far learning from captures can go\n\n"
            + BOUNDS_NOTE.format(model=model) + "\n\n"
            + bounds_table(limits, (held_out or shipped)[0]) + "\n")


if __name__ == "__main__":
    sys.exit(main())
