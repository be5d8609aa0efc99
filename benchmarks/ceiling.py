"""How far learning from a site's captures can go: bounds that read the human truth.

Used by ``learning.py`` after its runs; not part of `make test`. Each bound starts from
the learned system's output for every test page of the per-site split and corrects it
with knowledge no learner has, the page's human article text, but only where a learner
could have a signal from the site's train captures (a line that stands in them):

- *repeated lines*: drop every kept line outside the truth that stands in at least one
  train capture (a perfect learner of repeated lines);
- *template edges*: keep only what lies between the nearest lines standing in two train
  captures or more above the article's first line and below its last (a perfect learner
  of start and end markers);
- *unseen lines restored*: put back every removed line of the truth that stands in no
  train capture (a perfect keep signal for what is new on the page);
- the first two at once: the most that what repeats across a site's captures can give;
- all three at once.

A last row is no bound: it restores every removed line that stands in no train capture,
the truth's or not, as a learner that trusted what is new on a page would.

A line belongs to the truth when it is a run of the truth's words (short lines) or when
half of its word 4-grams are the truth's. The scores are the harness's own (4-gram
precision and recall, macro-averaged over pages).
"""
from __future__ import annotations

import json
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cleaner.authoring.learn import fold
from cleaner.engine.extract import extract

SHINGLE = 4
TRUTH_SHARE = 0.5  # of a line's 4-grams in the truth, for the line to be the truth's
EDGE_CAPTURES = 2  # a line in this many train captures can be a learned marker
TOKEN = re.compile(r"\w+")


@dataclass(frozen=True)
class Page:
    """One test page: its capture's non-blank lines and what the system kept and the truth."""

    lines: tuple[str, ...]
    kept: tuple[bool, ...]
    in_truth: tuple[bool, ...]
    seen: tuple[int, ...]  # in how many of the site's train captures each line stands
    truth: str


def grams(tokens: Sequence[str]) -> Counter[tuple[str, ...]]:
    return Counter(tuple(tokens[i:i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1))


def in_truth(line: str, truth_tokens: str, truth_grams: Counter[tuple[str, ...]]) -> bool:
    """Whether ``line`` is the truth's (``truth_tokens``: its words, space-joined and -framed)."""
    tokens = TOKEN.findall(line)
    if not tokens:
        return False
    if len(tokens) < SHINGLE:
        return f" {' '.join(tokens)} " in truth_tokens
    own = grams(tokens)
    return sum((own & truth_grams).values()) >= TRUTH_SHARE * sum(own.values())


def capture_lines(capture: str) -> tuple[str, ...]:
    """The capture's non-blank lines, as the learner and the engine read them."""
    return tuple(line.text for line in extract(capture).lines if line.text.strip())


def make_page(capture: str, output: str, truth: str, train: Counter[str]) -> Page:
    lines = capture_lines(capture)
    tokens = TOKEN.findall(truth)
    joined, truth_grams = f" {' '.join(tokens)} ", grams(tokens)
    return Page(lines, kept_in_order(lines, output),
                tuple(in_truth(line, joined, truth_grams) for line in lines),
                tuple(train[fold(line)] for line in lines), truth)


def kept_in_order(lines: Sequence[str], output: str) -> tuple[bool, ...]:
    """Which ``lines`` the output holds: matched in order, so that of two equal lines the
    one the system removed stays removed."""
    wanted = [line.strip() for line in output.splitlines() if line.strip()]
    kept, position = [], 0
    for line in lines:
        found = position < len(wanted) and line.strip() == wanted[position]
        kept.append(found)
        position += found
    return tuple(kept)


def drop_repeated(page: Page, keep: list[bool]) -> list[bool]:
    return [k and (t or s == 0) for k, t, s in zip(keep, page.in_truth, page.seen)]


def cut_at_edges(page: Page, keep: list[bool]) -> list[bool]:
    article = [i for i, t in enumerate(page.in_truth) if t]
    if not article:
        return keep
    first, last = article[0], article[-1]
    above = [i for i in range(first) if page.seen[i] >= EDGE_CAPTURES]
    below = [i for i in range(last + 1, len(keep)) if page.seen[i] >= EDGE_CAPTURES]
    start = above[-1] + 1 if above else 0
    end = below[0] if below else len(keep)
    return [k and start <= i < end for i, k in enumerate(keep)]


def restore_unseen(page: Page, keep: list[bool]) -> list[bool]:
    return [k or (t and s == 0) for k, t, s in zip(keep, page.in_truth, page.seen)]


def restore_all_unseen(page: Page, keep: list[bool]) -> list[bool]:
    """The same without the truth: what a learner that trusted new lines would keep."""
    return [k or s == 0 for k, s in zip(keep, page.seen)]


Bound = Callable[[Page, list[bool]], list[bool]]
BOUNDS: dict[str, tuple[Bound, ...]] = {
    "learned rules, as measured": (),
    "+ repeated lines, perfectly": (drop_repeated,),
    "+ template edges, perfectly": (cut_at_edges,),
    "+ both: all that repetition across captures can give": (drop_repeated, cut_at_edges),
    "+ unseen lines restored": (restore_unseen,),
    "all three": (drop_repeated, cut_at_edges, restore_unseen),
    "(no truth) every removed line new to the page restored": (restore_all_unseen,),
}


def output_of(page: Page, bounds: Sequence[Bound]) -> str:
    keep = list(page.kept)
    for bound in bounds:
        keep = bound(page, keep)
    return "\n".join(line for line, k in zip(page.lines, keep) if k)


def train_lines(records: Iterable[dict[str, Any]]) -> dict[tuple[str, str], Counter[str]]:
    """Per (dataset, site), in how many train captures each folded line stands."""
    counts: dict[tuple[str, str], Counter[str]] = {}
    for record in records:
        if record["persite"] == "train":
            lines = {fold(line) for line in capture_lines(record["capture"])}
            counts.setdefault((record["dataset"], record["site"]), Counter()).update(lines)
    return counts


def bounds(bench: Path, predictions: Path) -> dict[str, dict[str, float]]:
    """Each bound's pooled P, R and F1 over the pages of ``predictions`` (the harness's
    ``predictions.jsonl`` of the learned system on the per-site split)."""
    sys.path.insert(0, str(bench))
    from evallib.datasets import DEFAULT_DATASETS
    from evallib.metric import page_counts, score_counts
    from evallib.runner import load_corpus

    outputs = {}
    with open(predictions, encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            outputs[row["id"]] = row["output"] or ""
    train = train_lines(load_corpus(list(DEFAULT_DATASETS), "dev", mode="text"))
    pages = [make_page(r["capture"], outputs[r["id"]], r["truth"],
                       train.get((r["dataset"], r["site"]), Counter()))
             for r in load_corpus(list(DEFAULT_DATASETS), "persite-dev-test", mode="text")
             if r["id"] in outputs]
    results = {}
    for label, chain in BOUNDS.items():
        texts = [output_of(page, chain) for page in pages]
        scored = score_counts([page_counts(p.truth, t) for p, t in zip(pages, texts)],
                              [not t.strip() for t in texts], n_boot=0)
        results[label] = {k: scored[k] for k in ("precision", "recall", "f1")}
    return results
