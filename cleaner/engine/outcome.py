"""What an action returns (``Outcome``), and the line bookkeeping every action shares.

An action keeps some of the lines it is given and records what it took as ``Removal``s;
these helpers build that record, so every action reports a whole line the same way.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..model import Line, Removal, Rule


@dataclass(frozen=True, slots=True)
class Outcome:
    """What an action kept and took. ``settled``: the rule would take nothing more from
    ``kept`` with any of its lines removed (none changed), so the passes that follow
    need not run it again until a line's text changes."""

    kept: tuple[Line, ...]
    removals: tuple[Removal, ...] = ()
    meta: dict[str, str] = field(default_factory=dict)
    settled: bool = False


def whole_line(rule: Rule, line: Line) -> Removal:
    """The removal of all of ``line`` by ``rule``."""
    return Removal(rule.id, rule.category, line.number, 0, len(line.text), line.text)


def without(rule: Rule, lines: Sequence[Line], doomed: set[int]) -> Outcome:
    """Keep every line whose index is not in ``doomed``; record the others whole."""
    if not doomed:
        return Outcome(tuple(lines))
    kept = tuple(line for i, line in enumerate(lines) if i not in doomed)
    removals = tuple(whole_line(rule, lines[i]) for i in sorted(doomed))
    return Outcome(kept, removals)


def nonblank(lines: Sequence[Line]) -> tuple[list[int], list[str]]:
    """The indices of the non-blank lines, and their stripped texts."""
    texts = [line.text.strip() for line in lines]
    content = [i for i, text in enumerate(texts) if text]
    return content, [texts[i] for i in content]
