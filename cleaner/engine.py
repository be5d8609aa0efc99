"""The pipeline: extract -> select rule sets -> apply actions -> tidy -> ``Cleaned``."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import regex

from .actions import ACTIONS
from .errors import CleanerError
from .extract import extract
from .matching import SiteIndex, host_of
from .model import CATEGORIES, Cleaned, Line, Metadata, Removal, Rule, RuleSet
from .rules import RuleBook, load_rules

DEFAULT_TIMEOUT = 0.5  # seconds a single regex call may run on one line
# A line of nothing but punctuation, left behind by the block removed just above it.
STRAY_PUNCTUATION = regex.compile(r"[.,;:!?|·•–—-]{1,3}")
TITLE_MAX_WORDS = 30
TITLE_MAX_CHARS = 300


@dataclass(slots=True)
class _State:
    """What one pass of the rules has produced so far (local to a single call)."""

    kept: tuple[Line, ...]
    removals: list[Removal] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    matched: set[str] = field(default_factory=set)  # categories hit, kept ones included


def apply_rules(lines: Sequence[Line], rules: Iterable[Rule], keep: frozenset[str] = frozenset(),
                timeout: float = DEFAULT_TIMEOUT) -> _State:
    """Run ``rules`` in order over ``lines``; a kept category is matched but not removed."""
    state = _State(kept=tuple(lines))
    for rule in rules:
        outcome = ACTIONS[rule.action].apply(rule, state.kept, timeout)
        for name, value in outcome.meta.items():
            state.meta.setdefault(name, value)
        if outcome.removals:
            state.matched.add(rule.category)
            if rule.category not in keep:
                state.kept = outcome.kept
                state.removals.extend(outcome.removals)
    _drop_stray_punctuation(lines, state)
    return state


def _drop_stray_punctuation(lines: Sequence[Line], state: _State) -> None:
    """A lone "." under a removed line goes with that line's rule (POLICY: stray punctuation)."""
    if not state.removals:
        return
    last_removal = {r.line: r for r in state.removals}
    kept_numbers = {line.number for line in state.kept}
    doomed: set[int] = set()
    previous: Removal | None = None
    for line in lines:
        if not line.text.strip():
            continue
        if line.number in kept_numbers and previous is not None \
                and STRAY_PUNCTUATION.fullmatch(line.text.strip()):
            state.removals.append(Removal(previous.rule_id, previous.category, line.number, 0,
                                          len(line.text), line.text))
            doomed.add(line.number)
            continue
        previous = last_removal.get(line.number) if line.number not in kept_numbers else None
    if doomed:
        state.kept = tuple(line for line in state.kept if line.number not in doomed)


def assemble(lines: Iterable[Line]) -> str:
    """Join kept lines: one blank line at most between blocks, none at the ends, final newline.

    >>> assemble([Line(1, ""), Line(2, "a"), Line(3, ""), Line(4, ""), Line(5, "b")])
    'a\\n\\nb\\n'
    """
    out: list[str] = []
    for line in lines:
        if line.text.strip():
            out.append(line.text)
        elif out and out[-1]:
            out.append("")
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n" if out else ""


def guess_title(kept: Sequence[Line]) -> str | None:
    """The first kept line, when it is short enough to be a headline."""
    for line in kept:
        text = line.text.strip()
        if text:
            fits = len(text) <= TITLE_MAX_CHARS and len(text.split()) <= TITLE_MAX_WORDS
            return text if fits else None
    return None


class Cleaner:
    """A loaded set of rules, reusable and picklable (for process pools and clusters).

    ``rules`` is a rules directory, an already loaded ``RuleBook``, or None for the
    shipped rules. ``keep_categories`` names categories to leave in the text.
    """

    def __init__(self, rules: Path | str | RuleBook | None = None,
                 keep_categories: Iterable[str] = (),
                 pattern_timeout: float = DEFAULT_TIMEOUT) -> None:
        self.rulebook = rules if isinstance(rules, RuleBook) else load_rules(rules)
        self.keep = frozenset(keep_categories)
        unknown = self.keep - set(CATEGORIES)
        if unknown:
            raise CleanerError(f"unknown categories to keep: {', '.join(sorted(unknown))}; "
                               f"use any of: {', '.join(CATEGORIES)}")
        self.timeout = pattern_timeout
        self.index = SiteIndex(self.rulebook.sites)

    def rule_sets_for(self, url: str | None, text: str) -> tuple[RuleSet, ...]:
        """The site set chosen for this capture (if any), then every generic set."""
        site = self.index.select(url, text)
        return ((site,) if site else ()) + self.rulebook.generic

    def clean_and_explain(self, capture: bytes | str, url: str | None = None,
                          kind: str = "auto", source: str | None = None) -> Cleaned:
        extracted = extract(capture, url=url, kind=kind, source=source)
        lines = extracted.lines
        sets = self.rule_sets_for(url, "\n".join(line.text for line in lines))
        state = apply_rules(lines, (r for s in sets for r in s.rules), self.keep, self.timeout)
        site = sets[0].name if sets and sets[0].is_site else host_of(url)
        found = extracted.metadata
        metadata = Metadata(
            title=state.meta.get("title") or found.title or guess_title(state.kept),
            author=state.meta.get("author") or found.author,
            date=state.meta.get("date") or found.date,
            site=site,
        )
        return Cleaned(text=assemble(state.kept), metadata=metadata,
                       paywalled="subscription" in state.matched,
                       # stable: removals on one line stay in the order they were made
                       removals=tuple(sorted(state.removals, key=lambda r: r.line)),
                       lines=lines)

    def clean(self, capture: bytes | str, url: str | None = None) -> str:
        return self.clean_and_explain(capture, url=url).text
