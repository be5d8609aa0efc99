"""Rule lists compiled for speed: runs of line-local rules become one walk over the lines.

A rule is *line-local* when whether it takes a line depends on that line alone:
drop-line, strip-span and extract-meta without a position window. Applying a run
of such rules one after another gives the same result as walking the lines once
and, for each line, trying the run's rules in order until one removes it. The
walk asks a ``PatternGate`` which rules could match at all, so most lines cost a
few dict look-ups. Every other rule (blocks, truncation, repeats, windows) needs
the lines around it and runs as a step of its own. Passes after the first skip the
steps that cannot find more (a line stage that saw every line as it reads, an action
whose outcome was ``settled``) until a line's text changes.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import regex

from ..model import Line, Removal, Rule
from .actions import ACTIONS, cut_spans, drops_line, meta_value, read_meta
from .gate_masks import ANY, END, FULL, START, bits
from .gates import PatternGate
from .memo import Memo

LINE_LOCAL = ("drop-line", "strip-span", "extract-meta")
SPAN_MODES = {"start": START, "end": END, "any": ANY}

# What a stage decided for one line text: its final text (None: removed), the cuts
# as (rule index, start, end, text), metadata hits as (field, rule index, value), and
# the categories matched.
Verdict = tuple[str | None, tuple[tuple[int, int, int, str], ...],
                tuple[tuple[str, int, str], ...], frozenset[str]]
UNTOUCHED: Verdict = (None, (), (), frozenset())  # compared by identity: no rule applies
# The rules a line's gate mask leaves to try: (rule index, its patterns let through).
Plan = tuple[tuple[int, tuple[regex.Pattern[str], ...]], ...]
VERDICT_CACHE_LIMIT = 50_000  # per generation of the memo: two at most
CACHED_LINE_CHARS = 80
PLAN_CACHE_LIMIT = 100_000


@dataclass(slots=True)
class PassState:
    """What the passes over one capture have produced so far (local to a single call)."""

    kept: tuple[Line, ...]
    removals: list[Removal] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    matched: set[str] = field(default_factory=set)  # categories hit, kept ones included
    # Line stages that have seen every kept line as it now reads: running one again
    # can change nothing, because its verdicts depend on each line's text alone. Also
    # the context steps whose last outcome was ``settled``.
    settled: set[int] = field(default_factory=set)


class Step(Protocol):
    def run(self, state: PassState, keep: frozenset[str], timeout: float) -> None: ...


def is_line_local(rule: Rule) -> bool:
    # a strip-span rule that reads metadata runs alone: line stages record cuts only
    return rule.action in LINE_LOCAL and "within-first" not in rule.params \
        and "within-last" not in rule.params \
        and not (rule.action == "strip-span" and "field" in rule.params)


def compile_rules(rules: Iterable[Rule]) -> tuple[Step, ...]:
    """Group consecutive line-local rules into stages; other rules stay single steps."""
    steps: list[Step] = []
    run: list[Rule] = []
    for rule in rules:
        if is_line_local(rule):
            run.append(rule)
            continue
        if run:
            steps.append(LineStage(tuple(run)))
            run = []
        steps.append(ContextStep(rule))
    if run:
        steps.append(LineStage(tuple(run)))
    return tuple(steps)


@dataclass(frozen=True, slots=True)
class ContextStep:
    """A rule that needs the lines around each line: applied by its action function."""

    rule: Rule

    def run(self, state: PassState, keep: frozenset[str], timeout: float) -> None:
        if id(self) in state.settled:
            return
        outcome = ACTIONS[self.rule.action].apply(self.rule, state.kept, timeout)
        if outcome.settled:
            state.settled.add(id(self))
        for name, value in outcome.meta.items():
            state.meta.setdefault(name, value)
        if outcome.removals:
            state.matched.add(self.rule.signal)
            if self.rule.category not in keep:
                state.kept = outcome.kept
                state.removals.extend(outcome.removals)
                if self.rule.action == "strip-span":  # lines read differently now
                    state.settled.clear()


class LineStage:
    """A run of line-local rules, applied in one walk over the lines."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = tuple(rules)
        self.exact: dict[str, tuple[int, ...]] = {}
        patterns: list[regex.Pattern[str]] = []
        modes: list[str] = []
        self.owner: list[int] = []
        for index, rule in enumerate(self.rules):
            for text in rule.params.get("lines", ()):
                self.exact[text] = self.exact.get(text, ()) + (index,)
            for pattern, mode in _patterns_of(rule):
                patterns.append(pattern)
                modes.append(mode)
                self.owner.append(index)
        self.gate = PatternGate(patterns, modes)
        # Verdicts by line text, shared by all captures this stage cleans: menus,
        # footers and prompts repeat across pages, so many lines are decided once.
        self._verdicts: Memo[str, Verdict] = Memo(VERDICT_CACHE_LIMIT)
        self._verdicts_keep: frozenset[str] = frozenset()
        self._plans: dict[int, Plan] = {}

    def __getstate__(self) -> tuple[Rule, ...]:
        return self.rules

    def __setstate__(self, rules: tuple[Rule, ...]) -> None:
        self.__init__(rules)  # type: ignore[misc]

    def run(self, state: PassState, keep: frozenset[str], timeout: float) -> None:
        if id(self) in state.settled:
            return
        kept: list[Line] = []
        hits: dict[str, tuple[int, str]] = {}
        if keep != self._verdicts_keep:  # verdicts hold only for the categories kept
            self._verdicts, self._verdicts_keep = Memo(VERDICT_CACHE_LIMIT), keep
        memo = self._verdicts
        changed = False
        for line in state.kept:
            verdict = memo.current.get(line.text)
            if verdict is None:
                verdict = self._decide(line.text, keep, timeout)
            if verdict is UNTOUCHED:  # most lines: nothing to record
                kept.append(line)
                continue
            final, cuts, metas, matched = verdict
            state.removals.extend(Removal(self.rules[i].id, self.rules[i].category, line.number,
                                          start, end, cut) for i, start, end, cut in cuts)
            state.matched.update(matched)
            for name, index, value in metas:  # per field, the earliest rule's first line
                if name not in hits or index < hits[name][0]:
                    hits[name] = (index, value)
            if final is not None:
                if final != line.text:  # a cut line reads anew for every stage
                    line, changed = Line(line.number, final), True
                kept.append(line)
        state.kept = tuple(kept)
        if changed:  # earlier rules of this stage, too, have not seen the cut lines
            state.settled.clear()
        else:
            state.settled.add(id(self))
        for name, (_, written) in hits.items():
            read = meta_value(name, written) if name not in state.meta else None
            if read:  # a date that does not parse is no metadata
                state.meta[name] = read

    def _decide(self, text: str, keep: frozenset[str], timeout: float) -> Verdict:
        """The verdict on a line the memo's current generation lacks."""
        verdict = self._verdicts.recall(text)
        if verdict is None:
            verdict = self.classify(text, keep, timeout) if text.strip() else UNTOUCHED
            if len(text) <= CACHED_LINE_CHARS:  # long lines seldom repeat
                self._verdicts.put(text, verdict)
        return verdict

    def classify(self, text: str, keep: frozenset[str], timeout: float) -> Verdict:
        """Try this stage's rules on one line, in rule order, as sequential runs would."""
        cuts: list[tuple[int, int, int, str]] = []
        metas: list[tuple[str, int, str]] = []
        matched: set[str] = set()
        first = 0  # after a span is cut, only later rules see the shortened line
        while True:
            stripped = text.strip()
            mask = self.gate.candidates(stripped, timeout)
            listed = self.exact.get(stripped, ())
            if not mask and not listed and not first:
                return UNTOUCHED
            for index, patterns in self._plan(mask, listed):
                if index < first:
                    continue
                rule = self.rules[index]
                if rule.action == "strip-span":
                    shorter, spans = cut_spans(rule, text, timeout)
                    if not spans:
                        continue
                    matched.add(rule.signal)
                    if rule.category in keep:
                        continue
                    cuts.extend((index, start, end, cut) for start, end, cut in spans)
                    if not shorter:
                        return None, tuple(cuts), tuple(metas), frozenset(matched)
                    text, first = shorter, index + 1
                    break  # the line changed: ask the gate again about what is left
                if self._takes(rule, index, stripped, patterns, metas, timeout):
                    matched.add(rule.signal)
                    if rule.category not in keep:
                        cuts.append((index, 0, len(text), text))
                        return None, tuple(cuts), tuple(metas), frozenset(matched)
            else:
                return text, tuple(cuts), tuple(metas), frozenset(matched)

    def _plan(self, mask: int, listed: tuple[int, ...]) -> Plan:
        """The rules to try, in order, each with its patterns the gate let through.

        Plans depend on the gate's mask alone (and on the rare exact-line hits), and
        a few thousand masks recur, so they are built once.
        """
        plan = self._plans.get(mask) if not listed else None
        if plan is None:
            mine: dict[int, list[regex.Pattern[str]]] = {index: [] for index in listed}
            for bit in bits(mask):
                mine.setdefault(self.owner[bit], []).append(self.gate.patterns[bit])
            plan = tuple((index, tuple(mine[index])) for index in sorted(mine))
            if not listed:
                if len(self._plans) >= PLAN_CACHE_LIMIT:
                    self._plans.clear()
                self._plans[mask] = plan
        return plan

    def _takes(self, rule: Rule, index: int, stripped: str,
               patterns: Sequence[regex.Pattern[str]], metas: list[tuple[str, int, str]],
               timeout: float) -> bool:
        """Whether a drop-line or extract-meta rule removes the line (recording metadata)."""
        if rule.action == "drop-line":
            return drops_line(rule, stripped, timeout, patterns)
        value = read_meta(rule, stripped, timeout)
        if value is None:
            return False
        metas.append((rule.params["field"], index, value))
        return rule.params["field"] != "title"


def _patterns_of(rule: Rule) -> list[tuple[regex.Pattern[str], str]]:
    if rule.action == "drop-line":
        return [(p, FULL) for p in rule.params.get("patterns", ())]
    if rule.action == "extract-meta":
        return [(rule.params["pattern"], FULL)]
    return [(rule.params["pattern"], SPAN_MODES[rule.params["position"]])]
