"""Captures labeled line by line, as the excerpt model of the generic stage learns them.

A labeled capture (the format of ``../shared/pages/captures.jsonl``: ``text``, ``url``,
``site`` and ``lines``, each line's ``label`` ``keep``, ``blank`` or a POLICY category)
is cleaned with the rules only; the lines the rules kept, with their labels, are what
the stage is trained on. Scoring follows the labels: per capture, the share of
boilerplate lines gone (the rules' removals count) and the share of ``keep`` lines
left, averaged over captures, as the shared scorer of those captures does.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from cleaner.engine import lexicon
from cleaner.engine.line_model import EXCERPT_CHARS


def read(paths: Iterable[Path]) -> list[dict]:
    """Every labeled capture in ``paths`` (JSONL files) that the excerpt model judges."""
    captures = []
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            captures += [c for c in map(json.loads, handle) if len(c["text"]) <= EXCERPT_CHARS]
    return captures


def prepare(recorder, capture: dict) -> dict:  # type: ignore[no-untyped-def]
    """The lines the rules kept (non-blank), their labels, and the capture's tallies."""
    result = recorder.clean_and_explain(capture["text"], url=capture["url"])
    label = {line["n"]: line["label"] for line in capture["lines"]}
    kept = [line for line in recorder.seen if line.text.strip()] if recorder.seen else []
    removed = {r.line for r in result.removals} - {line.number for line in kept}
    scored = [line for line in capture["lines"] if line["label"] != "blank" and line["text"].strip()]
    boiler = [line["n"] for line in scored if line["label"] != "keep"]
    content = [line["n"] for line in scored if line["label"] == "keep"]
    return {"group": capture["site"], "id": capture["id"], "set": capture.get("group", ""),
            "texts": [line.text for line in kept],
            "labels": [int(label.get(line.number) == "keep") for line in kept],
            "tokens": [line.text.split() for line in kept],
            "boilerplate": len(boiler), "boilerplate_by_rules": len(set(boiler) & removed),
            "content": len(content), "content_by_rules": len(set(content) & removed)}


def from_benchmark(pages: Iterable[dict]) -> list[dict]:
    """The benchmark's prepared text pages (``train_classifier.prepare``) that the excerpt
    model judges, as labeled captures: lines labeled by the human article text."""
    out = []
    for page in pages:
        if sum(len(text) + 1 for text in page["texts"]) > EXCERPT_CHARS:
            continue
        content = sum(page["labels"])
        out.append(dict(page, id=f"bench:{page['group']}", set="bench",
                        boilerplate=len(page["labels"]) - content, boilerplate_by_rules=0,
                        content=content, content_by_rules=0))
    return out


def scores(pages: Sequence[dict], keeps: Sequence[Sequence[bool]]) -> tuple[float, float, float]:
    """(macro boilerplate recall, macro keep-line recall, the former again as the figure
    to maximise): the tuning measure of the excerpt model, whose floor is on keep lines."""
    gone, left = [], []
    for page, keep in zip(pages, keeps):
        pairs = list(zip(page["labels"], keep))
        if page["boilerplate"]:
            removed = page["boilerplate_by_rules"] + sum(1 for c, k in pairs if not c and not k)
            gone.append(removed / page["boilerplate"])
        if page["content"]:
            lost = page["content_by_rules"] + sum(1 for c, k in pairs if c and not k)
            left.append(1.0 - lost / page["content"])
    recall = sum(gone) / max(1, len(gone))
    return recall, sum(left) / max(1, len(left)), recall


def by_set(pages: Sequence[dict], keeps: Sequence[Sequence[bool]]) -> dict[str, tuple[float, float]]:
    """``scores`` per labeled set (the captures' ``group``: seed sites, other sites, ...)."""
    out = {}
    for name in sorted({page["set"] for page in pages}):
        at = [i for i, page in enumerate(pages) if page["set"] == name]
        out[name] = scores([pages[i] for i in at], [keeps[i] for i in at])[:2]
    return out


def learn_lexicon(pages: Iterable[dict]) -> dict[str, float]:
    """The lexicon of ``pages``' kept lines and their labels."""
    return lexicon.learn((text, bool(label), page["group"]) for page in pages
                         for text, label in zip(page["texts"], page["labels"]))
