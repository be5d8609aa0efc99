"""Compile a rule's regex, after checking its source against limits ``regex`` needs.

Some patterns cost more than any match timeout can bound: ``regex`` parses groups
recursively (a thousand nested groups raise RecursionError), expands counted repeats
when it compiles (``(?:(?:a{1000}){1000}){1000}`` exhausts memory), and a recursive
call (``(?R)``, ``(?1)``, ``(?&name)``) can grow without end while matching
(``(?R)?x`` took ~750 MB before a MemoryError). No rule needs any of these, so
``pattern_problem`` names the first limit a source passes and ``compile_pattern``
refuses it with a ``RuleFileError``, as it refuses a pattern that does not compile
or that matches the empty string.

The source is split into tokens by one regex, not parsed: it knows escapes, character
classes, groups and counted repeats, which is all the limits need. Where it is
unsure (a verbose-mode comment, a nested set) it counts more, never less.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import regex

from ..errors import RuleFileError

# Far above the largest of the 474 shipped patterns (measured on rules/: 2,245
# characters, groups 5 deep, 3,098 items once repeats are expanded), and far below
# where regex struggles (RecursionError near 500 nested groups; compiling 100,000
# expanded items takes ~0.05 s, 10**9 exhausts memory).
MAX_PATTERN_CHARS = 20_000
MAX_NESTING = 30
MAX_EXPANDED = 100_000
SHOWN_CHARS = 80  # of a refused pattern, in the one-line error

# One token of a pattern: a recursive call, a group's opening or closing, a counted
# repeat ({3}, {2,5}, {4,}), one item (an escape such as \p{Lu} with its braces, or
# a character class), or a run of plain characters.
TOKEN = regex.compile(r"""
    (?P<call> \(\? (?: R | [+-]?\d+ | &\w+ | P>\w+ ) \) )
  | (?P<open> \( )
  | (?P<close> \) )
  | (?P<repeat> \{ (?=[^}]*\d) (?P<low>\d*) (?: , (?P<high>\d*) )? \} )
  | (?P<one> \\[pPNx]\{[\w\s:=.&+-]*\} | \\. | \[ \^? \]? (?: \\. | [^\]\\] )* \]? )
  | (?P<run> [^\\\[(){]+ | . )
""", regex.VERBOSE | regex.DOTALL)


@dataclass(frozen=True, slots=True)
class Shape:
    """What the limits look at: nesting depth, size with repeats expanded, any recursion."""

    depth: int
    expanded: int
    recursion: str | None


def compile_pattern(path: Path | str, rule_id: str | None, key: str, source: str,
                    use: str) -> regex.Pattern:
    """Compile a rule's regex; refuse one past a limit, that does not compile, or that
    matches the empty string (``use`` "span": anywhere; "line": as a whole line)."""
    problem = pattern_problem(source)
    if problem is not None:
        raise RuleFileError(path, f"regex {problem}: {_shown(source)}", rule_id, key)
    try:
        compiled = regex.compile(source)
    except regex.error as exc:
        raise RuleFileError(path, f"regex does not compile ({exc}): {source!r}",
                            rule_id, key) from None
    if compiled.fullmatch("") is not None or (use == "span" and compiled.search("")):
        raise RuleFileError(path, f"regex matches the empty string: {source!r}; make it "
                                  f"require at least one character", rule_id, key)
    return compiled


def _shown(source: str) -> str:
    return repr(source) if len(source) <= SHOWN_CHARS else repr(source[:SHOWN_CHARS]) + "…"


def pattern_problem(source: str) -> str | None:
    """Why ``source`` is refused, or None when it is within every limit.

    >>> pattern_problem(r"(?:Sub|sub)scribe \\w{2,5}") is None
    True
    >>> pattern_problem("(?R)?x")
    "uses recursion '(?R)'; spell the repeated part out"
    """
    if len(source) > MAX_PATTERN_CHARS:
        return f"is {len(source)} characters long; the limit is {MAX_PATTERN_CHARS}"
    shape = measure(source)
    if shape.recursion is not None:
        return f"uses recursion {shape.recursion!r}; spell the repeated part out"
    if shape.depth > MAX_NESTING:
        return f"nests groups {shape.depth} deep; the limit is {MAX_NESTING}"
    if shape.expanded > MAX_EXPANDED:
        return (f"grows to {shape.expanded} items once its counted repeats are expanded; "
                f"the limit is {MAX_EXPANDED}")
    return None


def measure(source: str) -> Shape:
    """Scan ``source`` once, keeping each open group's size so far (the whole pattern
    first) and the size of the last item, which a counted repeat multiplies."""
    sizes, last, depth = [0], 0, 0
    for token in TOKEN.finditer(source):
        kind = token.lastgroup
        if kind == "call":
            return Shape(depth, sum(sizes), token.group())
        if kind == "open":
            sizes.append(0)
            depth, last = max(depth, len(sizes) - 1), 0
        elif kind == "repeat":
            times = max(_count(n) for n in token.group("low", "high") if n)
            extra = last * (max(times, 1) - 1)  # the item is counted once already
            sizes[-1] += extra
            last += extra
        elif kind == "close" and len(sizes) > 1:
            last = max(sizes.pop(), 1)
            sizes[-1] += last
        else:  # one item, or a run of characters whose last one a repeat would repeat
            sizes[-1] += len(token.group()) if kind == "run" else 1
            last = 1
    return Shape(depth, sum(sizes), None)


def _count(digits: str) -> int:
    """A repeat count; past 12 digits it is not converted (Python refuses 4,300 and more)."""
    return int(digits) if len(digits) <= 12 else 10 ** 12
