"""The excerpt model's training measures (scripts/labeled_pages.py), on made-up captures."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import labeled_pages  # noqa: E402


def _page(labels: list[int], set_name: str = "B", by_rules: int = 0, lost: int = 0) -> dict:
    content = sum(labels)
    return {"labels": labels, "set": set_name, "texts": ["x"] * len(labels),
            "group": "example.com", "boilerplate": len(labels) - content + by_rules,
            "boilerplate_by_rules": by_rules, "content": content + lost, "content_by_rules": lost}


def test_scores_count_the_rules_removals_and_average_over_captures() -> None:
    pages = [_page([1, 0, 0], by_rules=2), _page([1, 1, 0])]
    # first: 4 boilerplate lines, 2 gone by the rules and 1 by the stage; second: 1 of 1
    keeps = [[True, False, True], [True, False, False]]
    recall, kept, figure = labeled_pages.scores(pages, keeps)
    assert recall == pytest.approx((3 / 4 + 1) / 2) == figure
    assert kept == pytest.approx((1 + 0.5) / 2)


def test_scores_by_set() -> None:
    pages = [_page([1, 0], "A"), _page([1, 0], "B", lost=1)]
    keeps = [[True, False], [True, True]]
    assert labeled_pages.by_set(pages, keeps) == {"A": (1.0, 1.0), "B": (0.0, 0.5)}


def test_benchmark_pages_join_only_when_short_enough() -> None:
    short = {"texts": ["Menu", "A line of article text."], "labels": [0, 1], "group": "g.com",
             "tokens": [["Menu"], ["A"]]}
    long = dict(short, texts=["x" * 3000, "y"])
    joined = labeled_pages.from_benchmark([short, long])
    assert len(joined) == 1 and joined[0]["set"] == "bench"
    assert (joined[0]["boilerplate"], joined[0]["content"]) == (1, 1)
