"""The actions that read lines together: drop-block, truncate-after and dedupe-lines.

Each removes whole lines chosen by their neighbours (a block's start and end, a cut
marker and what follows it, a run of repeated lines), never a span inside a line, and
says when removing lines could not make it take more (``Outcome.settled``).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from itertools import groupby
from operator import itemgetter

import regex

from ..model import Line, Rule
from .outcome import Outcome, nonblank, without
from .timed_regex import fullmatch, line_gate

Pattern = regex.Pattern


def drop_block(rule: Rule, lines: Sequence[Line], timeout: float) -> Outcome:
    """Remove a block from a ``start`` line through an ``end`` line, or over ``inner`` lines.

    The block spans at most ``max-lines`` non-blank lines; with ``end`` and no end
    line in reach, nothing is removed.
    """
    start: Pattern = rule.params["start"]
    end: Pattern | None = rule.params.get("end")
    inner: Pattern | None = rule.params.get("inner")
    limit: int = rule.params["max-lines"]
    content, texts = nonblank(lines)
    doomed: set[int] = set()
    started = False
    free = 0  # the first line past the last block removed: a new block starts there or later
    for pos in line_gate(start).admitted(texts, timeout):
        if pos >= free and fullmatch(start, texts[pos], rule, timeout):
            started = True
            block = _block_from(pos, content, texts, rule, timeout, end, inner, limit)
            doomed.update(block)
            free = pos + max(len(block), 1)
    # Settled when no line starts a block: removing lines starts none.
    return replace(without(rule, lines, doomed), settled=not started)


def _block_from(pos: int, content: list[int], texts: list[str], rule: Rule,
                timeout: float, end: Pattern | None, inner: Pattern | None,
                limit: int) -> list[int]:
    block = [content[pos]]
    for j, text in zip(content[pos + 1:pos + limit], texts[pos + 1:pos + limit]):
        if end is not None and fullmatch(end, text, rule, timeout):
            return block + [j]
        if inner is not None and not fullmatch(inner, text, rule, timeout):
            break
        block.append(j)
    return [] if end is not None else block


def truncate_after(rule: Rule, lines: Sequence[Line], timeout: float) -> Outcome:
    """Remove the first ``marker`` line and everything after it.

    The marker counts only when at least ``min-kept-lines`` non-blank lines stand
    before it: a prompt that early is more likely a menu item than the paywall. With
    ``requires``, it counts only on pages that still hold one of those lines: a line
    that ends the article in one of a site's designs may stand above it in another.
    """
    marker: Pattern = rule.params["marker"]
    needed: int = rule.params["min-kept-lines"]
    content, texts = nonblank(lines)
    required: frozenset[str] = rule.params.get("requires", frozenset())
    if required and required.isdisjoint(texts):  # settled: lines only ever go
        return Outcome(tuple(lines), settled=True)
    # Settled either way: removing lines only moves the others up, so a marker left in
    # the text stays too early for the guard.
    for position in line_gate(marker).admitted(texts[needed:], timeout):
        if fullmatch(marker, texts[needed + position], rule, timeout):
            return replace(without(rule, lines, set(content[needed + position:])), settled=True)
    return Outcome(tuple(lines), settled=True)


def dedupe_lines(rule: Rule, lines: Sequence[Line], timeout: float) -> Outcome:
    """Remove runs of adjacent lines that repeat each other (captions shown twice).

    Two non-blank lines in a row repeat when they share their first ``min-chars``
    characters (a cut-off copy still counts); with ``max-chars``, when they are the same
    line of ``min-chars`` to ``max-chars`` characters. Every copy goes, unless
    ``keep-first``, or ``keep-title`` and the run begins on the first non-blank line:
    a title printed twice keeps its first copy.
    """
    width: int = rule.params["min-chars"]
    longest: int | None = rule.params.get("max-chars")
    keep_first: bool = rule.params.get("keep-first", False)
    if not _some_key_twice(lines, width, longest):  # most captures: no run of two
        return Outcome(tuple(lines), settled=True)
    # (index, key) of every non-blank line; lines whose length does not count break runs
    keyed = [(i, _repeat_key(text, width, longest))
             for i, line in enumerate(lines) if (text := line.text.strip())]
    title = keyed[0][0] if rule.params.get("keep-title", False) else None
    doomed: set[int] = set()
    for key, run in groupby(keyed, key=itemgetter(1)):
        copies = [i for i, _ in run]
        if key is not None and len(copies) > 1:
            doomed.update(copies[1:] if keep_first or copies[0] == title else copies)
    # Removing lines can bring two copies together only if some key is left twice.
    left = [key for i, key in keyed if key is not None and i not in doomed]
    return replace(without(rule, lines, doomed), settled=len(set(left)) == len(left))


def _repeat_key(text: str, width: int, longest: int | None) -> str | None:
    """What a stripped line must share with the next to repeat it, or None if it cannot."""
    if len(text) < width or (longest is not None and len(text) > longest):
        return None
    return text if longest is not None else text[:width]


def _some_key_twice(lines: Sequence[Line], width: int, longest: int | None) -> bool:
    """Whether two lines have the same repeat key (anywhere in the capture)."""
    keys = [key for line in lines if len(line.text) >= width
            and (key := _repeat_key(line.text.strip(), width, longest)) is not None]
    return len(set(keys)) < len(keys)
