"""Cheap pre-checks that rule patterns out for a line before any regex runs on it.

Most lines of a capture match no rule, and a regex call costs far more than a dict
look-up. A pattern that must match a whole line can only match lines whose first
few characters could begin a match, whose last few could end one, whose length is
within the pattern's widest match, and that contain one of the literal strings
every match contains. The regex module answers the first two questions itself
(partial matching, forwards and in reverse); those answers are cached by the line's
head and tail, and learnt only for the patterns a line's length and literals leave
(never for a pattern that opens or ends with ".{0,600}": any edge is its), so a
capture costs a few look-ups per line and regexes run only on real candidates. The
literals are looked for in the case-folded line, all at once by one Aho-Corasick scan,
or one by one on a long line with few patterns left. Every check is a necessary condition,
so the gate never changes what matches, only how often a regex is tried.

Partial matching has a cost of its own. On a pattern's first use on a text at least
as long as its literal strings, the regex module builds search tables for them, in
time that grows with the cube of the longest (a thousand characters take half a
second, four thousand half a minute), and no ``timeout`` stops it; partial matching
ignores lengths, so a head of two characters pays it. Patterns with a longer run
than ``PARTIAL_LITERAL_CHARS`` (``shapes.longest_literal_run``) are therefore not asked
about heads and tails: their literal rules out the lines without it by itself, and
only a line holding it pays the tables, once per process.

A line longer than ``LONG_LINE_CHARS`` is not offered to a pattern whose matches have
no width bound (``offered``): such a line is prose or script run together, never one
boilerplate line, and those patterns can take time that grows with the line's length
or faster. Patterns of bounded width still see it. That bound, unlike the ``timeout``
every regex call keeps as a last resort, does not depend on how busy the machine is.
"""
from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from itertools import accumulate
from operator import or_
from typing import Any

import regex

from .gate_masks import ANY, FULL, HEAD, TAIL, EdgeMasks, LiteralIndex, bits, remember
from .shapes import UNBOUNDED, longest_literal_run, max_width, required_literals

# The longest literal run of a pattern whose heads and tails partial matching decides
# (the longest in the shipped rules is 121 characters; 128 costs a millisecond once).
PARTIAL_LITERAL_CHARS = 128
# A line longer than this is text run together, not a line of boilerplate: patterns
# of unbounded width (``offered``) do not see it.
LONG_LINE_CHARS = 20_000


def offered(width: int, mode: str, size: int) -> bool:
    """Whether a pattern of maximum match ``width``, applied as ``mode``, is tried on a
    line of ``size`` characters: a whole-line pattern never on a line wider than its
    matches, and one of unbounded width never on a line past ``LONG_LINE_CHARS``.

    >>> offered(40, FULL, 41), offered(40, ANY, 50_000), offered(UNBOUNDED, ANY, 50_000)
    (False, True, False)
    """
    if mode == FULL and size > width:
        return False
    return width < UNBOUNDED or size <= LONG_LINE_CHARS


class PatternGate:
    """For an ordered list of patterns, the bitmask of those that could match a line.

    ``modes[i]`` says how pattern i is applied: FULL (the whole stripped line),
    START (a span at the line's start), END (a span at its end) or ANY (anywhere).
    """

    def __init__(self, patterns: Sequence[regex.Pattern[str]], modes: Sequence[str]) -> None:
        self.patterns = tuple(patterns)
        self.modes = tuple(modes)
        # patterns whose partial matching costs too much to set up: any head and tail
        unchecked = sum(1 << bit for bit, p in enumerate(self.patterns)
                        if longest_literal_run(p.pattern) > PARTIAL_LITERAL_CHARS)
        reversed_patterns = tuple(regex.compile(p.pattern, p.flags | regex.REVERSE)
                                  if not unchecked >> bit & 1 else p
                                  for bit, p in enumerate(self.patterns))
        self._widths = tuple(max_width(p.pattern) for p in self.patterns)
        # Whole-line patterns of bounded width, narrowest first: those a line's length
        # leaves are the ones from the first as wide as the line on (``_length_mask``).
        whole = sorted((width, bit) for bit, (width, mode) in enumerate(zip(self._widths, modes))
                       if mode == FULL and width < UNBOUNDED)
        self._whole_widths = [width for width, _ in whole]
        self._as_wide = list(accumulate([1 << bit for _, bit in reversed(whole)], or_,
                                        initial=0))[::-1]  # [i]: whole[i:]'s bits
        self._unbounded = sum(1 << bit for bit, width in enumerate(self._widths)
                              if width >= UNBOUNDED)
        self._spans = sum(1 << bit for bit, (width, mode) in enumerate(zip(self._widths, modes))
                          if mode != FULL and width < UNBOUNDED)
        literal_sets = [required_literals(p.pattern)[0] for p in self.patterns]
        self._index = LiteralIndex(literal_sets)
        # the rest: one search per pattern, with the pattern's own flags (its case rules)
        self._literals = tuple(_literal_search(p, found) if not self._index.covers(bit) else None
                               for bit, (p, found) in enumerate(zip(self.patterns, literal_sets)))
        self._checked = sum(1 << bit for bit, found in enumerate(self._literals) if found)
        self._all = (1 << len(self.patterns)) - 1
        self._heads = EdgeMasks(self.patterns, self.modes, unchecked, at_start=True)
        self._tails = EdgeMasks(reversed_patterns, self.modes, unchecked, at_start=False)
        self._lengths: dict[int, int] = {}

    def candidates(self, text: str, timeout: float | None = None) -> int:
        """Bit i is set when pattern i may match ``text`` (a stripped, non-empty line).

        The regex calls made to decide run under ``timeout``; one that runs out rules
        nothing out.
        """
        size = len(text)
        mask = self._lengths.get(size)
        if mask is None:
            mask = remember(self._lengths, size, self._length_mask(size))
        # Literals before edges: the scan costs the same for every pattern left, while
        # each edge not seen before costs a regex call per pattern still in the mask.
        indexed = mask & self._index.mask
        if indexed:
            mask &= self._index.present(text, indexed) | ~indexed
        mask = self._tails.allowed(text[-TAIL:],
                                   self._heads.allowed(text[:HEAD], mask, timeout), timeout)
        return self._check_literals(mask, text, timeout) if mask & self._checked else mask

    def admitted(self, texts: Iterable[str], timeout: float | None = None) -> Iterator[int]:
        """The positions of the texts that some pattern may match (``candidates``).

        A cut marker is looked for on every line of every capture, and nearly every
        line's length, head or tail rules it out: when those were seen before, that
        refusal costs three look-ups, without a call per line.
        """
        heads, tails, lengths = self._heads.entries, self._tails.entries, self._lengths
        unseen, everything = (0, self._all), self._all
        for position, text in enumerate(texts):
            # the tail first (for the comment-section marker it refuses the most lines),
            # and ``and`` skips the other look-ups once one refuses
            if (mask := tails.get(text[-TAIL:], unseen)[1]) \
                    and (mask := mask & heads.get(text[:HEAD], unseen)[1]) \
                    and mask & lengths.get(len(text), everything) \
                    and self.candidates(text, timeout):
                yield position

    def _check_literals(self, mask: int, text: str, timeout: float | None) -> int:
        for bit in bits(mask & self._checked):
            literals: regex.Pattern[str] = self._literals[bit]  # type: ignore[assignment]
            try:
                if not literals.search(text, timeout=timeout):
                    mask &= ~(1 << bit)
            except TimeoutError:  # not known to be absent: the pattern stays a candidate
                pass
        return mask

    def _length_mask(self, size: int) -> int:
        """The patterns ``offered`` a line of ``size`` characters: one bisection, where a
        loop over every pattern cost a tenth of a millisecond for each new length."""
        mask = self._spans | self._as_wide[bisect_left(self._whole_widths, size)]
        return mask | self._unbounded if size <= LONG_LINE_CHARS else mask

    def __getstate__(self) -> dict[str, Any]:
        # The caches are only memory: ship the patterns, let each process warm its own.
        return {"patterns": self.patterns, "modes": self.modes}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["patterns"], state["modes"])  # type: ignore[misc]


def _literal_search(pattern: regex.Pattern[str],
                    found: tuple[str, ...]) -> regex.Pattern[str] | None:
    if not found:
        return None
    return regex.compile("|".join(regex.escape(s) for s in found), pattern.flags)
