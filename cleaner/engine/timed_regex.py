"""A rule's regex run on a line's text, always with a timeout (PatternTimeout past it).

A line past LONG_LINE_CHARS is not offered to a pattern of unbounded width (gates.py):
the timeout is the last resort, not what keeps a long line from failing its capture.
A pattern with a long literal runs without the search tables the regex module would
build for it (``without_tables``).
"""
from __future__ import annotations

from functools import lru_cache

import regex

from ..errors import PatternTimeout
from ..model import Rule
from .gate_masks import ANY, FULL
from .gates import LONG_LINE_CHARS, PARTIAL_LITERAL_CHARS, PatternGate, offered
from .shapes import longest_literal_run, max_width

Pattern = regex.Pattern


def fullmatch(pattern: Pattern, text: str, rule: Rule, timeout: float) -> regex.Match | None:
    if len(text) > PARTIAL_LITERAL_CHARS:  # shorter lines cannot hold a long literal
        if len(text) > LONG_LINE_CHARS and not offered(_width(pattern), FULL, len(text)):
            return None
        pattern = without_tables(pattern)
    try:
        return pattern.fullmatch(text, timeout=timeout)
    except TimeoutError:
        raise PatternTimeout(rule.id, timeout) from None


@lru_cache(maxsize=4096)
def _width(pattern: Pattern) -> int:
    return max_width(pattern.pattern)


@lru_cache(maxsize=4096)
def without_tables(pattern: Pattern) -> Pattern:
    """``pattern``, or when it has a literal run past PARTIAL_LITERAL_CHARS, the same
    pattern beside a branch that never matches: the same matches, groups and names.

    The regex module builds search tables for the literal a pattern requires on its
    first use, in time that grows with the cube of the literal's length (4,000
    characters, half a minute) and that no timeout stops. A pattern of two branches
    requires no literal, so none are built; its search is cut short by the timeout.
    """
    if longest_literal_run(pattern.pattern) <= PARTIAL_LITERAL_CHARS:
        return pattern
    try:
        return regex.compile(f"(?:{pattern.pattern})|(?!)", pattern.flags)
    except regex.error:  # a verbose pattern's closing comment: keep it as written
        return pattern


@lru_cache(maxsize=4096)
def line_gate(pattern: Pattern) -> PatternGate:
    """A gate for one whole-line pattern. Markers and block starts are tried on every
    line of a capture; the gate refuses most lines before the regex runs."""
    return PatternGate([pattern], [FULL])


def finditer(pattern: Pattern, text: str, rule: Rule, timeout: float) -> list[regex.Match]:
    if len(text) > PARTIAL_LITERAL_CHARS:
        if len(text) > LONG_LINE_CHARS and not offered(_width(pattern), ANY, len(text.strip())):
            return []
        pattern = without_tables(pattern)
    try:
        return list(pattern.finditer(text, timeout=timeout))
    except TimeoutError:
        raise PatternTimeout(rule.id, timeout) from None
