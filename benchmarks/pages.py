"""Cleaner and baselines on the hand-labeled captures of the seeds' kind (``../shared/pages``).

    python benchmarks/pages.py [--pages DIR] [--captures FILE] [--no-write]
                               [--systems none,c4,justext,cleaner,no-model]

Scores each system (``benchmarks/page_systems.py`` says what each one does) on every
labeled capture with the shared scorer itself: ``score.py`` in the pages folder (by
default ``../shared/pages`` beside the repository) is imported from there and its
``load_captures`` and ``score_capture`` give every figure, so they are the scorer's own.
The captures are read where they lie and never copied into the repository.

Per group (A: the seed sites, B: other sites): macro boilerplate recall, keep-line
recall and token precision, recall and F1 (the scorer's definitions); boilerplate
recall per category, pooled over the group's units; for cleaner, the precision and
recall of its ``paywalled`` flag against the labels', and among the captures with a
labeled author (date), the share whose found author (date) matches: one name contains
the other, case ignored; the found ISO date starts with the labeled one's first 10
characters (or all of it when shorter).

Prints the tables and rewrites the section "Captures of the seeds' kind" of
benchmarks/RESULTS.md, leaving the other sections as they are. It writes only for a
full run (the default captures file, every system); ``--captures FILE`` (another
labeled file of the same format) or ``--systems`` print only, as does ``--no-write``.
When the captures or the scorer are missing it prints one line saying where it looked
and exits 0 without writing anything. One process; a run takes seconds.
"""
from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import Any

if __package__:  # imported as benchmarks.pages (the tests)
    from .page_systems import SYSTEMS, Output, author_found, date_found, guess_language
    from .results import write_section
else:  # run as a script: this folder is on the path
    from page_systems import (  # type: ignore[no-redef]
        SYSTEMS, Output, author_found, date_found, guess_language)
    from results import write_section  # type: ignore[no-redef]

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_PAGES = REPO.parent / "shared" / "pages"
SECTION = "pages"
TITLE = "Captures of the seeds' kind (../shared/pages)"
# The README's figures for its baselines, macro per group: boilerplate recall, keep-line
# recall, token F1, subscription lines removed.
PUBLISHED = {
    "no cleaning": {"A": (0.0, 1.0, 0.905, 0.0), "B": (0.0, 1.0, 0.882, 0.0)},
    "C4-style line filter": {"A": (0.851, 0.634, 0.827, 0.67), "B": (0.793, 0.646, 0.773, 0.74)},
    "jusText over lines": {"A": (0.576, 0.818, 0.879, 0.37), "B": (0.801, 0.544, 0.617, 0.68)},
}
PUBLISHED_NOTE = (" \"(README)\" rows are the figures the folder's README gives for its "
                  "baselines; its jusText figures are those of the English stoplist for every "
                  "capture, which differ from the guessed stoplists' in group B only.")
GROUPS = {"A": "the four seed sites", "B": "other sites"}
Scored = list[tuple[dict[str, Any], Output, dict[str, Any]]]  # score, output, capture
Mean = Callable[[Iterable[float | None]], float | None]  # the scorer's macro average


def load_scorer(path: Path) -> ModuleType:
    """The shared scorer, imported from its file."""
    spec = importlib.util.spec_from_file_location("shared_pages_score", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def missing(scorer: Path, captures: Path) -> str | None:
    """Why nothing can be measured, in one line (None: it can)."""
    absent = [str(path) for path in (captures, scorer) if not path.is_file()]
    if not absent:
        return None
    return (f"pages benchmark: {' and '.join(absent)} not found; nothing measured "
            "(the labeled captures are not part of the repository; see --pages, --captures)")


def run(name: str, captures: list[dict[str, Any]], scorer: ModuleType) -> Scored:
    """One system on every capture, scored."""
    function = SYSTEMS[name][1]
    scored = []
    for capture in captures:
        output = function(capture["text"], capture["url"])
        scored.append((scorer.score_capture(capture, output.text), output, capture))
    return scored


def ratio(hits: int, total: int) -> str:
    return f"{hits / total:.2f} ({hits}/{total})" if total else "n/a"


def fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def pooled(scored: Scored) -> tuple[Counter[str], Counter[str]]:
    """Boilerplate units per category over the captures: total, removed."""
    total: Counter[str] = Counter()
    removed: Counter[str] = Counter()
    for score, _, _ in scored:
        total.update(score["bp_total"])
        removed.update(score["bp_removed"])
    return total, removed


def main_row(label: str, scored: Scored, mean: Mean) -> str:
    total, removed = pooled(scored)
    cells = [fmt(mean(s[key] for s, _, _ in scored))
             for key in ("bp_recall", "keep_recall", "tok_p", "tok_r", "tok_f1")]
    return (f"| **{label}** | {len(scored)} | " + " | ".join(cells)
            + f" | {ratio(removed['subscription'], total['subscription'])} |")


def main_table(group: str, runs: dict[str, Scored], mean: Mean, published: bool) -> str:
    rows = ["| system | captures | boilerplate recall | keep-line recall | token P | token R "
            "| token F1 | subscription removed |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    rows += [main_row(SYSTEMS[name][0], of_group(scored, group), mean)
             for name, scored in runs.items()]
    for label, figures in PUBLISHED.items() if published else ():
        bp, keep, f1, sub = figures[group]
        rows.append(f"| {label} (README) | | {bp:.3f} | {keep:.3f} | | | {f1:.3f} | {sub:.2f} |")
    return "\n".join(rows)


def of_group(scored: Scored, group: str) -> Scored:
    return [item for item in scored if item[2]["group"] == group]


def category_table(groups: list[str], runs: dict[str, Scored], categories: list[str]) -> str:
    rows = ["| group | category | units | " + " | ".join(SYSTEMS[n][0] for n in runs) + " |",
            "|---|---|---:|" + "---:|" * len(runs)]
    for group in groups:
        counts = {name: pooled(of_group(scored, group)) for name, scored in runs.items()}
        total = next(iter(counts.values()))[0]
        for category in [c for c in categories if total[c]] + ["all"]:
            units = sum(total.values()) if category == "all" else total[category]
            cells = [sum(r.values()) if category == "all" else r[category]
                     for _, r in counts.values()]
            rows.append(f"| {group} | {category} | {units} | "
                        + " | ".join(f"{c / units:.2f}" for c in cells) + " |")
    return "\n".join(rows)


def flag_and_meta(scored: Scored) -> list[str]:
    """Paywalled precision and recall, author found, date found (cells of one row)."""
    flagged = [c["paywalled"] for _, out, c in scored if out.paywalled]
    labeled = [bool(out.paywalled) for _, out, c in scored if c["paywalled"]]
    authors = [author_found(c["author"], out.author) for _, out, c in scored if c["author"]]
    dates = [date_found(c["date"], out.date) for _, out, c in scored if c["date"]]
    return [ratio(sum(flagged), len(flagged)), ratio(sum(labeled), len(labeled)),
            ratio(sum(authors), len(authors)), ratio(sum(dates), len(dates))]


def meta_table(groups: list[str], runs: dict[str, Scored]) -> str:
    rows = ["| system | group | paywalled precision | paywalled recall | author found "
            "| date found |", "|---|---|---:|---:|---:|---:|"]
    for name, scored in runs.items():
        if SYSTEMS[name][2]:
            rows += [f"| {SYSTEMS[name][0]} | {group} | "
                     + " | ".join(flag_and_meta(of_group(scored, group))) + " |"
                     for group in groups]
    return "\n".join(rows)


def describe(captures: list[dict[str, Any]], groups: list[str]) -> str:
    parts = []
    for group in groups:
        mine = [c for c in captures if c["group"] == group]
        parts.append(f"{group} ({GROUPS.get(group, 'group ' + group)}): {len(mine)} captures "
                     f"of {len({c['site'] for c in mine})} sites, "
                     f"{sum(bool(c['paywalled']) for c in mine)} paywalled")
    return "; ".join(parts) + "."


def stoplists(captures: list[dict[str, Any]]) -> str:
    languages = Counter(guess_language(c["text"]) for c in captures)
    return ", ".join(f"{language} {n}" for language, n in languages.most_common())


def report(captures: list[dict[str, Any]], runs: dict[str, Scored], scorer: ModuleType,
           source: str, published: bool) -> str:
    """The section: a document whose headings start at ``#``."""
    groups = sorted({c["group"] for c in captures})
    text = [f"# {TITLE}", "Written by `benchmarks/pages.py`.",
            f"Measured {datetime.date.today().isoformat()} on `{source}` with its own scorer "
            f"(`score.py` beside it). {describe(captures, groups)} Boilerplate recall is the "
            "share of labeled boilerplate units (lines and spans) gone from the output, "
            "keep-line recall the share of `keep` lines still in it, token P/R/F1 compare "
            "the output's words with the kept text; all are macro averages over captures. "
            "\"Subscription removed\" and the per-category figures pool the units of a group.",
            "The systems are described in `benchmarks/page_systems.py`. jusText runs with "
            f"the stoplist guessed for each capture ({stoplists(captures)})."
            + (PUBLISHED_NOTE if published else "")]
    for group in groups:
        text += [f"## Group {group}: {GROUPS.get(group, 'group ' + group)}",
                 main_table(group, runs, scorer.mean, published)]
    text += ["## Boilerplate removed per category",
             "Share of the group's labeled units of each category absent from the output.",
             category_table(groups, runs, scorer.CATEGORIES)]
    if any(SYSTEMS[name][2] for name in runs):
        text += ["## Seen in training", trained_note(),
                 "## The paywalled flag, author and date",
                 "Precision and recall of cleaner's `paywalled` flag against the labels'; "
                 "among the captures with a labeled author (date), the share where the one "
                 "found matches: one name contains the other, case ignored (the found ISO "
                 "date starts with the label's first 10 characters, or all of a shorter one).",
                 meta_table(groups, runs)]
    return "\n\n".join(text) + "\n"


def trained_note() -> str:
    """What the shipped excerpt model saw: these captures are in its training set, so the
    figures above with the model are in-sample; its cross-validated figures say more."""
    entry = json.loads(resources.files("cleaner.engine").joinpath("data", "classifier.json")
                       .read_text("utf-8")).get("excerpt", {})
    folds = entry.get("cross_validated", {})
    figures = "; ".join(f"{name}: boilerplate recall {f['boilerplate_recall']:.3f}, keep-line "
                        f"recall {f['keep_line_recall']:.3f}" for name, f in sorted(folds.items()))
    return ("The excerpt model of the generic stage was trained on these captures among "
            f"others ({entry.get('trained_on', 'no excerpt model shipped')}), so cleaner's "
            "figures with the model above are in-sample: captures of sites it has not seen "
            "score lower. Cross-validated by site when it was trained (each capture judged "
            "by a model and lexicon learnt without its site; the training script's own "
            "line-level measure, rules included; A and B as here, X further labeled "
            f"captures, bench the benchmark's short text captures by their 4-gram labels): "
            f"{figures or 'not recorded'}.")


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=Path, default=DEFAULT_PAGES,
                        help="the shared pages folder (score.py, captures.jsonl)")
    parser.add_argument("--captures", type=Path, default=None,
                        help="a labeled captures file (default: captures.jsonl in --pages)")
    parser.add_argument("--systems", default=",".join(SYSTEMS),
                        help=f"comma-separated, among {', '.join(SYSTEMS)}")
    parser.add_argument("--no-write", action="store_true",
                        help="print only; leave RESULTS.md as it is")
    args = parser.parse_args(argv)
    args.systems = [name for name in args.systems.split(",") if name]
    unknown = sorted(set(args.systems) - set(SYSTEMS))
    if unknown:
        parser.error(f"unknown systems {', '.join(unknown)}; use any of {', '.join(SYSTEMS)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    default = args.pages / "captures.jsonl"
    captures_path = args.captures or default
    why = missing(args.pages / "score.py", captures_path)
    if why:
        print(why)
        return 0
    start = time.perf_counter()
    scorer = load_scorer(args.pages / "score.py")
    captures = scorer.load_captures(str(captures_path))
    runs = {name: run(name, captures, scorer) for name in args.systems}
    is_default = captures_path.resolve() == default.resolve()
    source = "../shared/pages/captures.jsonl" if is_default and args.pages == DEFAULT_PAGES \
        else str(captures_path)
    section = report(captures, runs, scorer, source, is_default)
    print(section)
    print(f"{len(captures)} captures, {len(runs)} systems in "
          f"{time.perf_counter() - start:.1f} s", file=sys.stderr)
    if args.no_write or not is_default or set(args.systems) != set(SYSTEMS):
        print("RESULTS.md not written (--no-write, --captures or --systems)", file=sys.stderr)
        return 0
    write_section(SECTION, section)
    print(f"wrote the section \"{TITLE}\" of benchmarks/RESULTS.md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
