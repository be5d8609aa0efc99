"""The line-local actions (drop-line, strip-span, extract-meta), and the ACTIONS registry.

The registry names every action's function and keys; the actions that read lines
together are in ``block_actions.py``. Every action takes a validated ``Rule``, the
lines still kept (blank lines included, as ``Line`` objects with their original
numbers) and a regex timeout, and returns an ``Outcome`` (``outcome.py``): the lines
it keeps, the ``Removal`` records of what it took and any metadata it found. Actions
never mutate their input.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice

import regex

from ..model import Line, Removal, Rule
from .block_actions import dedupe_lines, drop_block, truncate_after
from .dates import parse_date
from .outcome import Outcome, without
from .timed_regex import finditer, fullmatch

Pattern = regex.Pattern


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """What an action needs: its function, its keys and which of them are regexes.

    ``patterns`` maps a key to how it is used: "line" (must match a whole stripped
    line) or "span" (searched inside a line). ``one_of`` lists keys of which at least
    one must be present. ``guards`` are required keys that limit how much can go.
    """

    apply: Callable[[Rule, Sequence[Line], float], Outcome]
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    guards: tuple[str, ...] = ()
    patterns: dict[str, str] = field(default_factory=dict)
    one_of: tuple[str, ...] = ()
    positional: bool = False  # accepts within-first / within-last


# --- a positional rule's window ----------------------------------------------------------

def _window(rule: Rule, lines: Sequence[Line]) -> range | set[int]:
    """Indices of the lines a positional rule may touch (counted over non-blank lines)."""
    first, last = rule.params.get("within-first"), rule.params.get("within-last")
    if first is None and last is None:
        return range(len(lines))
    # Read from each end only as far as the window reaches: a rule kept to a page's
    # first line is tried on every page, and most pages are long.
    allowed: set[int] = set()
    if first is not None:
        allowed.update(_content_lines(lines, range(len(lines)), first))
    if last is not None:
        allowed.update(_content_lines(lines, range(len(lines) - 1, -1, -1), last))
    return allowed


def _content_lines(lines: Sequence[Line], order: range, count: int) -> Iterator[int]:
    """The first ``count`` indices, taken in ``order``, of lines that are not blank."""
    return islice((i for i in order if lines[i].text.strip()), count)


# --- the line-local actions --------------------------------------------------------------

def drop_line(rule: Rule, lines: Sequence[Line], timeout: float) -> Outcome:
    """Remove lines equal to one of ``lines`` or matching ``patterns`` as a whole.

    >>> from cleaner.engine.rule_tables import rule_from_dict
    >>> rule = rule_from_dict({"id": "x:ad", "category": "ad", "action": "drop-line",
    ...                        "lines": ["Advertisement"]})
    >>> text = ["Advertisement", "The advertisement ran twice."]
    >>> [l.text for l in drop_line(rule, [Line(i, t) for i, t in enumerate(text)], 1).kept]
    ['The advertisement ran twice.']
    """
    doomed = {i for i in _window(rule, lines)
              if lines[i].text.strip() and drops_line(rule, lines[i].text.strip(), timeout)}
    return without(rule, lines, doomed)


def drops_line(rule: Rule, text: str, timeout: float,
               patterns: Sequence[Pattern] | None = None) -> bool:
    """Whether a drop-line rule takes this stripped line (``patterns``: only these of its own)."""
    if text in rule.params.get("lines", ()):
        return True
    chosen = rule.params.get("patterns", ()) if patterns is None else patterns
    return any(fullmatch(p, text, rule, timeout) for p in chosen)


def strip_span(rule: Rule, lines: Sequence[Line], timeout: float) -> Outcome:
    """Cut the spans matching ``pattern`` out of lines, at the ``position`` allowed.

    With ``field`` (author or date), the first span cut gives that metadata from its
    named group ``value``, as an extract-meta rule reads a whole line.
    """
    cut: dict[int, str] = {}
    removals: list[Removal] = []
    for i in sorted(_window(rule, lines)):  # most lines lie outside a window: not read
        line = lines[i]
        text, cuts = cut_spans(rule, line.text, timeout) if line.text.strip() else ("", [])
        if cuts:
            cut[i] = text
            removals.extend(Removal(rule.id, rule.category, line.number, start, end, piece)
                            for start, end, piece in cuts)
    if not cut:
        return Outcome(tuple(lines))
    kept = [line if i not in cut else Line(line.number, cut[i])
            for i, line in enumerate(lines) if i not in cut or cut[i].strip()]
    return Outcome(tuple(kept), tuple(removals), _span_meta(rule, removals, timeout))


def _span_meta(rule: Rule, removals: Sequence[Removal], timeout: float) -> dict[str, str]:
    """The metadata a strip-span rule with ``field`` reads from the first span it cut."""
    name = rule.params.get("field")
    if name is None or not removals:
        return {}
    found = finditer(rule.params["pattern"], removals[0].text, rule, timeout)
    value = found[0].group("value") if found else None
    read = meta_value(name, " ".join(value.split())) if value else None
    return {name: read} if read else {}


def cut_spans(rule: Rule, text: str, timeout: float) -> tuple[str, list[tuple[int, int, str]]]:
    """The line without the rule's spans, and the cuts made (offsets into the text as cut).

    A line left with nothing but white space loses that too, as one more cut.
    """
    matches = finditer(rule.params["pattern"], text, rule, timeout)
    cuts: list[tuple[int, int, str]] = []
    for start, end in reversed(_spans_at(rule.params["position"], matches, text)):
        start, end = _absorb_spaces(text, start, end)  # right to left: earlier offsets hold
        cuts.append((start, end, text[start:end]))
        text = text[:start] + text[end:]
    if cuts and text and not text.strip():
        cuts.append((0, len(text), text))
        text = ""
    return text, cuts


def _spans_at(position: str, matches: list[regex.Match], text: str) -> list[tuple[int, int]]:
    body_start = len(text) - len(text.lstrip())
    body_end = len(text.rstrip())
    spans = [m.span() for m in matches if m.end() > m.start()]
    if position == "start":
        return [s for s in spans if s[0] <= body_start][:1]
    if position == "end":
        return [s for s in spans if s[1] >= body_end][-1:]
    return spans


def _absorb_spaces(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a span over the spaces it would leave behind, so kept words stay as they were."""
    if end >= len(text.rstrip()):  # at the end: take the spaces before it
        return len(text[:start].rstrip()), len(text)
    while end < len(text) and text[end] == " ":  # elsewhere: take the spaces after it
        end += 1
    return start, end


def extract_meta(rule: Rule, lines: Sequence[Line], timeout: float) -> Outcome:
    """Read ``field`` (author, date or title) from lines matching ``pattern``.

    The named group ``value`` is the metadata; author and date lines are removed under
    the rule's category, a title line stays in the text. The first match gives the value.
    """
    name: str = rule.params["field"]
    meta: dict[str, str] = {}
    doomed: set[int] = set()
    for i in sorted(_window(rule, lines)):
        text = lines[i].text.strip()
        value = read_meta(rule, text, timeout) if text else None
        if value is None:
            continue
        read = meta_value(name, value) if name not in meta else None
        if read:
            meta[name] = read
        if name != "title":
            doomed.add(i)
    outcome = without(rule, lines, doomed)
    return Outcome(outcome.kept, outcome.removals, meta)


def read_meta(rule: Rule, text: str, timeout: float) -> str | None:
    """The text an extract-meta rule reads from this stripped line, if it matches.

    It is the value as written; ``meta_value`` turns the one adopted into metadata
    (dates are parsed only then: parsing is slow and most matches are not adopted).
    """
    match = fullmatch(rule.params["pattern"], text, rule, timeout)
    return None if match is None else " ".join(match.group("value").split())


def meta_value(name: str, written: str) -> str | None:
    """The metadata value of a field as written; a date is ISO 8601, or none at all when
    it does not parse (the line is still removed: the rule matched it)."""
    return parse_date(written) if name == "date" else written


ACTIONS: dict[str, ActionSpec] = {
    "drop-line": ActionSpec(drop_line, optional=("lines", "patterns"), one_of=("lines", "patterns"),
                            patterns={"patterns": "line"}, positional=True),
    "strip-span": ActionSpec(strip_span, required=("pattern",), optional=("field",),
                             guards=("position",),
                             patterns={"pattern": "span"}, positional=True),
    "drop-block": ActionSpec(drop_block, required=("start",), optional=("end", "inner"),
                             guards=("max-lines",), one_of=("end", "inner"),
                             patterns={"start": "line", "end": "line", "inner": "line"}),
    "truncate-after": ActionSpec(truncate_after, required=("marker",), optional=("requires",),
                                 guards=("min-kept-lines",), patterns={"marker": "line"}),
    "dedupe-lines": ActionSpec(dedupe_lines, optional=("keep-first", "keep-title", "max-chars"),
                                guards=("min-chars",)),
    "extract-meta": ActionSpec(extract_meta, required=("pattern", "field"),
                               patterns={"pattern": "line"}, positional=True),
}

POSITIONS = ("start", "end", "any")
META_TARGETS = {"author": "byline", "date": "dateline", "title": None}
