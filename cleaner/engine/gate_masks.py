"""The look-ups a ``PatternGate`` combines for a line, each a bitmask of patterns.

``EdgeMasks``: the patterns that could begin (end) at a line's first (last)
characters, asked of the regex module's partial matching once per edge and pattern.
``LiteralIndex``: the patterns with one of their required literals in the line, found
by one Aho-Corasick scan, or one search each on a long line with few patterns left.
Each answer is cached; a cache is cleared when it fills (its keys repeat a lot).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import ahocorasick
import regex

from .shapes import open_edge

Cached = TypeVar("Cached")

HEAD = TAIL = 2  # characters looked at; short keys keep the caches small and warm
CACHE_LIMIT = 65_536  # entries per cache; cleared when full (keys repeat a lot)
FULL, START, END, ANY = "full", "start", "end", "any"  # how a pattern is applied
# Literals shorter than this ("c", "by") are in nearly every line: scanning for them
# would report hits on every line, so their patterns are checked by a search instead.
INDEXED_LITERAL_CHARS = 3
# A literal search ("in") costs about what the Aho-Corasick scan costs for this many
# characters of the line.
CHARS_PER_LITERAL_SEARCH = 4


class EdgeMasks:
    """Which patterns could begin (or, given reversed patterns, end) at a line's edge.

    Keyed by the line's first (last) characters. Each entry is learnt lazily, only
    for the patterns a line still needs after the cheaper checks: the regex module's
    partial matching is a call per pattern, and most patterns are ruled out by the
    line's length or other edge first. An entry is ``(decided, possible)``: the
    patterns asked about so far, and those not ruled out (undecided ones included).
    The ``unchecked`` patterns are never asked: any edge is theirs. Nor are those whose
    matches open (end) with a run of any characters (``shapes.open_edge``, ".{0,600}…"):
    partial matching would only say yes, at a cost, for every new edge.
    """

    def __init__(self, patterns: Sequence[regex.Pattern[str]], modes: Sequence[str],
                 unchecked: int, at_start: bool) -> None:
        self._patterns = tuple(patterns)
        # patterns applied away from this edge can start (end) with anything
        free = (END, ANY) if at_start else (START, ANY)
        self._always = unchecked | sum(1 << bit for bit, mode in enumerate(modes) if mode in free)
        # and those that open (end) with a run of any characters: every edge is theirs
        self._always |= sum(1 << bit for bit, p in enumerate(self._patterns)
                            if open_edge(p.pattern, at_start, HEAD if at_start else TAIL))
        self._span = tuple(mode != FULL for mode in modes)  # a span: ``match``, not whole
        self._at_start = at_start
        self._all = (1 << len(self._patterns)) - 1
        self.entries: dict[str, tuple[int, int]] = {}

    def allowed(self, key: str, wanted: int, timeout: float | None = None) -> int:
        """Those of the ``wanted`` patterns that could begin (end) at edge ``key``."""
        if not wanted:
            return 0
        entry = self.entries.get(key)
        if entry is None or wanted & ~entry[0]:
            entry = self._decide(key, wanted, entry, timeout)
        return wanted & entry[1]

    def _decide(self, key: str, wanted: int, entry: tuple[int, int] | None,
                timeout: float | None) -> tuple[int, int]:
        decided, possible = entry if entry is not None else (0, self._all)
        undecided = wanted & ~decided
        # a pattern that cannot begin with the first character cannot begin with two
        shorter = key[:1] if self._at_start else key[-1:]
        left = self.allowed(shorter, undecided, timeout) if len(key) > 1 else undecided
        found = left & self._always
        for bit in bits(left & ~self._always):
            pattern = self._patterns[bit]
            fits = pattern.match if self._span[bit] else pattern.fullmatch
            try:
                if fits(key, partial=True, timeout=timeout):
                    found |= 1 << bit
            except TimeoutError:  # not ruled out: the pattern may begin (end) here
                found |= 1 << bit
        return remember(self.entries, key, (decided | undecided, possible & ~undecided | found))


class LiteralIndex:
    """Which patterns have one of their required literals in a line.

    Literals and lines are compared case-folded: a pattern that minds case can only
    match where its literal occurs case-folded too, so folding admits more lines,
    never fewer. Patterns with a literal shorter than ``INDEXED_LITERAL_CHARS`` are
    left out (their bit is not in ``mask``).

    >>> index = LiteralIndex([("Photo", "Image"), ("by",), ()])
    >>> index.mask, index.present("PHOTO: Reuters", 1), index.present("nothing here", 1)
    (1, 1, 0)
    """

    def __init__(self, literal_sets: Sequence[tuple[str, ...]]) -> None:
        self._automaton = ahocorasick.Automaton()
        self._bits_of: dict[str, int] = {}
        self.mask = 0
        for bit, found in enumerate(literal_sets):
            if not found or min(map(len, found)) < INDEXED_LITERAL_CHARS:
                continue
            self.mask |= 1 << bit
            for literal in found:
                key = literal.casefold()
                self._bits_of[key] = self._bits_of.get(key, 0) | 1 << bit
        for key, bits_of_literal in self._bits_of.items():
            self._automaton.add_word(key, bits_of_literal)
        if self.mask:
            self._automaton.make_automaton()
        self._wanted: dict[int, tuple[tuple[str, int], ...]] = {}

    def covers(self, bit: int) -> bool:
        return bool(self.mask >> bit & 1)

    def present(self, text: str, wanted: int) -> int:
        """Of the ``wanted`` indexed patterns, those with a literal in ``text``.

        One Aho-Corasick scan finds every literal at once, but costs about as much
        per character as a substring search costs per literal: a long line with few
        patterns left is searched for their literals one by one instead.
        """
        folded = text.casefold()
        literals = self._wanted.get(wanted)
        if literals is None:
            literals = remember(self._wanted, wanted, self._literals_of(wanted))
        found = 0
        if len(literals) * CHARS_PER_LITERAL_SEARCH <= len(text):
            for literal, bits_of_literal in literals:
                if literal in folded:
                    found |= bits_of_literal
            return found
        for _, bits_of_literal in self._automaton.iter(folded):
            found |= bits_of_literal
        return found & wanted

    def _literals_of(self, wanted: int) -> tuple[tuple[str, int], ...]:
        return tuple((key, found & wanted) for key, found in self._bits_of.items()
                     if found & wanted)


def remember(cache: dict[Any, Cached], key: Any, value: Cached) -> Cached:
    """Store ``value`` under ``key``, clearing ``cache`` first when it is full."""
    if len(cache) >= CACHE_LIMIT:
        cache.clear()
    cache[key] = value
    return value


def bits(mask: int) -> list[int]:
    """The positions of the set bits of ``mask``, lowest first.

    >>> bits(0b10110)
    [1, 2, 4]
    """
    found = []
    while mask:
        low = mask & -mask
        found.append(low.bit_length() - 1)
        mask ^= low
    return found
