"""Cheap pre-checks that rule patterns out for a line before any regex runs on it.

Most lines of a capture match no rule, and a regex call costs far more than a dict
look-up. A pattern that must match a whole line can only match lines whose first
few characters could begin a match, whose last few could end one, whose length is
within the pattern's widest match, and that contain one of the literal strings
every match contains. The regex module answers the first two questions itself
(partial matching, forwards and in reverse); those answers are cached per pattern
set by the line's head and tail, so a capture costs a few look-ups per line and
regexes run only on real candidates. The literals are looked for all at once, by one
Aho-Corasick scan of the case-folded line. Every check is a necessary condition, so
the gate never changes what matches, only how often a regex is tried.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import ahocorasick
import regex

HEAD = TAIL = 2  # characters looked at; short keys keep the caches small and warm
CACHE_LIMIT = 65_536  # entries per cache; cleared when full (keys repeat a lot)
UNBOUNDED = 1 << 62
FULL, START, END, ANY = "full", "start", "end", "any"  # how a pattern is applied
# Literals shorter than this ("c", "by") are in nearly every line: scanning for them
# would report hits on every line, so their patterns are checked by a search instead.
INDEXED_LITERAL_CHARS = 3


def _parse(source: str) -> Any:
    """The standard library's parse tree of a regex-module pattern, or None.

    ``\\p{..}`` classes, which the standard parser lacks, become an any-character
    class of the same width: every bound taken from the tree stays a true bound.
    """
    translated = regex.sub(r"\\[pP]\{[^}]*\}", ".", source)
    try:
        return re._parser.parse(translated)  # type: ignore[attr-defined]
    except Exception:  # syntax the standard parser does not know: no bounds known
        return None


def max_width(source: str) -> int:
    """The longest string ``source`` can match, or UNBOUNDED when unknown or unlimited.

    The standard library's parser measures widths; the regex-module syntax it lacks
    (``\\p{..}`` classes) is replaced by an any-character class of the same width.

    >>> max_width(r"(?i)log ?in")
    6
    >>> max_width(r"\\p{Lu}\\w+")
    4611686018427387904
    """
    tree = _parse(source)
    if tree is None:
        return UNBOUNDED
    width = tree.getwidth()[1]
    return width if width < re._constants.MAXREPEAT else UNBOUNDED  # type: ignore[attr-defined]


def required_literals(source: str) -> tuple[tuple[str, ...], bool]:
    """Strings of which every match contains at least one, and whether case is ignored.

    Looks at the pattern's top-level sequence (and groups that must match): a run of
    literal characters, or an alternation whose branches all start with literals.
    The set whose shortest string is longest wins; an empty tuple means none known.

    >>> required_literals(r".{0,600}(?:Photo|Picture)(?: credit)?: [A-Z]\\w+")
    (('Photo', 'Picture'), False)
    >>> required_literals(r"(?i).{0,80}Your inbox")
    (('Your inbox',), True)
    """
    tree = _parse(source)
    if tree is None:
        return (), False
    folded = bool(tree.state.flags & re.IGNORECASE)
    options = _literal_sets(list(tree))
    best = max(options, key=lambda found: min(map(len, found)), default=())
    return best, folded


def _literal_sets(sequence: list[Any]) -> list[tuple[str, ...]]:
    """Every literal set found in a sequence of parse-tree items that all must match."""
    constants = re._constants  # type: ignore[attr-defined]
    found: list[tuple[str, ...]] = []
    run = ""
    for op, value in sequence + [(None, None)]:
        if op is constants.LITERAL:
            run += chr(value)
            continue
        if op is constants.BRANCH:  # a literal run before it prefixes every branch
            found.extend(tuple(run + head for head in heads)
                         for heads in _branch_literals(value[1]))
        if run:
            found.append((run,))
            run = ""
        if op is constants.SUBPATTERN:
            found.extend(_literal_sets(list(value[-1])))
        elif op in (constants.MAX_REPEAT, constants.MIN_REPEAT) and value[0] >= 1:
            found.extend(_literal_sets(list(value[2])))
    return found


def _branch_literals(branches: list[Any]) -> list[tuple[str, ...]]:
    """The leading literal of every branch, when every branch has one."""
    constants = re._constants  # type: ignore[attr-defined]
    heads = []
    for branch in branches:
        head = ""
        for op, value in branch:
            if op is not constants.LITERAL:
                break
            head += chr(value)
        if not head:
            return []
        heads.append(head)
    return [tuple(heads)]


class PatternGate:
    """For an ordered list of patterns, the bitmask of those that could match a line.

    ``modes[i]`` says how pattern i is applied: FULL (the whole stripped line),
    START (a span at the line's start), END (a span at its end) or ANY (anywhere).
    """

    def __init__(self, patterns: Sequence[regex.Pattern[str]], modes: Sequence[str]) -> None:
        self.patterns = tuple(patterns)
        self.modes = tuple(modes)
        self._reversed = tuple(regex.compile(p.pattern, p.flags | regex.REVERSE)
                               for p in self.patterns)
        self._widths = tuple(max_width(p.pattern) if m == FULL else UNBOUNDED
                             for p, m in zip(self.patterns, self.modes))
        literal_sets = [required_literals(p.pattern)[0] for p in self.patterns]
        self._index = LiteralIndex(literal_sets)
        # the rest: one search per pattern, with the pattern's own flags (its case rules)
        self._literals = tuple(_literal_search(p, found) if not self._index.covers(bit) else None
                               for bit, (p, found) in enumerate(zip(self.patterns, literal_sets)))
        self._checked = sum(1 << bit for bit, found in enumerate(self._literals) if found)
        self._all = (1 << len(self.patterns)) - 1
        self._heads: dict[str, int] = {}
        self._tails: dict[str, int] = {}
        self._lengths: dict[int, int] = {}

    def candidates(self, text: str) -> int:
        """Bit i is set when pattern i may match ``text`` (a stripped, non-empty line)."""
        head, tail, size = text[:HEAD], text[-TAIL:], len(text)
        heads = self._heads.get(head)
        if heads is None:
            heads = _remember(self._heads, head, self._head_mask(head))
        tails = self._tails.get(tail)
        if tails is None:
            tails = _remember(self._tails, tail, self._tail_mask(tail))
        lengths = self._lengths.get(size)
        if lengths is None:
            lengths = _remember(self._lengths, size, self._length_mask(size))
        mask = heads & tails & lengths
        if mask & self._index.mask:
            mask &= self._index.present(text) | ~self._index.mask
        return self._check_literals(mask, text) if mask & self._checked else mask

    def admitted(self, texts: Iterable[str]) -> Iterator[int]:
        """The positions of the texts that some pattern may match (``candidates``).

        A cut marker is looked for on every line of every capture, and nearly every
        line's head or tail rules it out: when both were seen before, that refusal
        costs two look-ups, without a call per line.
        """
        heads, tails, candidates = self._heads, self._tails, self.candidates
        for position, text in enumerate(texts):
            head, tail = heads.get(text[:HEAD]), tails.get(text[-TAIL:])
            if head is not None and tail is not None and not head & tail:
                continue
            if candidates(text):
                yield position

    def _check_literals(self, mask: int, text: str) -> int:
        for bit in bits(mask & self._checked):
            if not self._literals[bit].search(text):  # type: ignore[union-attr]
                mask &= ~(1 << bit)
        return mask

    def _head_mask(self, head: str) -> int:
        # A pattern that cannot start with the first character cannot start with the
        # first two: the one-character mask (cached too) limits what is tried.
        within = self._all if len(head) == 1 else self._cached(self._heads, head[0],
                                                                self._head_mask)
        mask = 0
        for bit in bits(within):
            pattern, mode = self.patterns[bit], self.modes[bit]
            if mode in (END, ANY) or (mode == FULL and pattern.fullmatch(head, partial=True)) \
                    or (mode == START and pattern.match(head, partial=True)):
                mask |= 1 << bit
        return mask

    def _tail_mask(self, tail: str) -> int:
        within = self._all if len(tail) == 1 else self._cached(self._tails, tail[-1],
                                                                self._tail_mask)
        mask = 0
        for bit in bits(within):
            pattern, mode = self._reversed[bit], self.modes[bit]
            if mode in (START, ANY) or (mode == FULL and pattern.fullmatch(tail, partial=True)) \
                    or (mode == END and pattern.match(tail, partial=True)):
                mask |= 1 << bit
        return mask

    @staticmethod
    def _cached(cache: dict[Any, int], key: str, compute: Any) -> int:
        found = cache.get(key)
        return _remember(cache, key, compute(key)) if found is None else found

    def _length_mask(self, size: int) -> int:
        return sum(1 << bit for bit, width in enumerate(self._widths) if size <= width)

    def __getstate__(self) -> dict[str, Any]:
        # The caches are only memory: ship the patterns, let each process warm its own.
        return {"patterns": self.patterns, "modes": self.modes}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["patterns"], state["modes"])  # type: ignore[misc]


class LiteralIndex:
    """Which patterns have one of their required literals in a line, in one scan.

    Literals and lines are compared case-folded: a pattern that minds case can only
    match where its literal occurs case-folded too, so folding admits more lines,
    never fewer. Patterns with a literal shorter than ``INDEXED_LITERAL_CHARS`` are
    left out (their bit is not in ``mask``).

    >>> index = LiteralIndex([("Photo", "Image"), ("by",), ()])
    >>> index.mask, index.present("PHOTO: Reuters"), index.present("nothing here")
    (1, 1, 0)
    """

    def __init__(self, literal_sets: Sequence[tuple[str, ...]]) -> None:
        self._automaton = ahocorasick.Automaton()
        self.mask = 0
        for bit, found in enumerate(literal_sets):
            if not found or min(map(len, found)) < INDEXED_LITERAL_CHARS:
                continue
            self.mask |= 1 << bit
            for literal in found:
                key = literal.casefold()
                self._automaton.add_word(key, self._automaton.get(key, 0) | 1 << bit)
        if self.mask:
            self._automaton.make_automaton()

    def covers(self, bit: int) -> bool:
        return bool(self.mask >> bit & 1)

    def present(self, text: str) -> int:
        """The bits of the indexed patterns with a literal in ``text``."""
        found = 0
        for _, bits_of_literal in self._automaton.iter(text.casefold()):
            found |= bits_of_literal
        return found


def _literal_search(pattern: regex.Pattern[str],
                    found: tuple[str, ...]) -> regex.Pattern[str] | None:
    if not found:
        return None
    return regex.compile("|".join(regex.escape(s) for s in found), pattern.flags)


def _remember(cache: dict[Any, int], key: Any, value: int) -> int:
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
