"""The rules run pass after pass over a capture's lines until a pass removes nothing.

One removal can bring others into reach, and stopping at a fixed point makes cleaning
idempotent. A lone punctuation line under a removed line goes with it.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import regex

from ..model import Line, Removal, Rule
from .program import PassState, Step, compile_rules

DEFAULT_TIMEOUT = 0.5  # seconds a single regex call may run on one line
# A line of nothing but punctuation, left behind by the block removed just above it.
STRAY_CHARACTERS = ".,;:!?|·•–—-"
STRAY_STARTS = frozenset(STRAY_CHARACTERS)
STRAY_PUNCTUATION = regex.compile(f"[{regex.escape(STRAY_CHARACTERS)}]{{1,3}}")
MAX_PASSES = 8  # a guard; real captures settle in two passes

StepChooser = Callable[[Sequence[Line]], Iterable[Step]]


def run_passes(lines: Sequence[Line], choose: StepChooser, keep: frozenset[str] = frozenset(),
               timeout: float = DEFAULT_TIMEOUT, state: PassState | None = None) -> PassState:
    """Apply the chosen rules pass after pass until a pass removes nothing.

    One removal can bring others into reach (two caption copies that an advert kept
    apart, a by-line that moves into the first lines, a site whose signature only
    other boilerplate hid), so a single pass would leave text that a second cleaning
    changes. Stopping at a fixed point makes cleaning idempotent. ``state`` continues
    the passes of an earlier call on what it left.
    """
    if state is None:
        state = PassState(kept=tuple(lines))
    strays: list[int] | None = None
    for _ in range(MAX_PASSES):
        before = len(state.removals)
        for step in choose(state.kept):
            step.run(state, keep, timeout)
        if len(state.removals) == before:
            break  # nothing new was removed, so nothing new can be stray either
        if strays is None:
            strays = _stray_punctuation(lines)
        _drop_stray_punctuation(lines, strays, state)
    return state


def apply_rules(lines: Sequence[Line], rules: Iterable[Rule], keep: frozenset[str] = frozenset(),
                timeout: float = DEFAULT_TIMEOUT) -> PassState:
    """Run a fixed list of ``rules`` over ``lines`` (to a fixed point, as the engine does)."""
    steps = compile_rules(rules)
    return run_passes(lines, lambda _kept: steps, keep, timeout)


def _stray_punctuation(lines: Sequence[Line]) -> list[int]:
    """The indices of lines made of nothing but a little punctuation."""
    return [i for i, line in enumerate(lines) if 0 < len(line.text) < 16
            and line.text.lstrip()[:1] in STRAY_STARTS
            and STRAY_PUNCTUATION.fullmatch(line.text.strip())]


def _drop_stray_punctuation(lines: Sequence[Line], strays: list[int], state: PassState) -> None:
    """A lone "." under a removed line goes with that line's rule (POLICY: stray punctuation)."""
    if not strays or not state.removals:
        return
    kept = {line.number for line in state.kept}
    last_removal = {r.line: r for r in state.removals}
    doomed: set[int] = set()
    for i in strays:
        if lines[i].number not in kept:
            continue
        above = next((line for line in reversed(lines[:i]) if line.text.strip()
                      and line.number not in doomed), None)
        if above is not None and above.number not in kept:
            cause = last_removal[above.number]
            state.removals.append(Removal(cause.rule_id, cause.category, lines[i].number, 0,
                                          len(lines[i].text), lines[i].text))
            doomed.add(lines[i].number)
    if doomed:
        state.kept = tuple(line for line in state.kept if line.number not in doomed)
