"""What a pattern's source says about every string it can match, read from its parse tree.

The standard library's parser (``re._parser``) reads the pattern; the regex-module
syntax it lacks is translated first. Widths bound how long a match can be, required
literals name strings every match contains, and the longest literal run tells what the
regex module's own preparation of the pattern will cost (see ``gates``). Every answer is
a true bound: where the parser cannot tell, the answer is the weakest one.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import regex

UNBOUNDED = 1 << 62
NAMED_GROUP = regex.compile(r"(?<!\\)\(\?P<\w+>")


@lru_cache(maxsize=4096)  # each reader of a pattern asks: it is parsed once
def _parse(source: str) -> Any:
    """The standard library's parse tree of a regex-module pattern, or None (never changed).

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


def longest_literal_run(source: str) -> int:
    """The most literal characters in a row anywhere in ``source`` (its length, if unknown).

    >>> longest_literal_run(r"(?:Photo|Image) credit: [A-Z]\\w+")
    9
    """
    tree = _parse(source)
    if tree is None:  # the standard parser refuses a name given twice: runs do not need names
        tree = _parse(NAMED_GROUP.sub("(?:", source))
    return len(source) if tree is None else _longest_run(list(tree))


def _longest_run(sequence: list[Any]) -> int:
    # Groups are read as part of the run around them: the regex module joins the
    # literals of neighbouring groups into one string ("(?i:ab)(?i:cd)").
    constants = re._constants  # type: ignore[attr-defined]
    longest = run = 0
    for op, value in _ungrouped(sequence):
        if op is constants.LITERAL:
            run += 1
            longest = max(longest, run)
            continue
        run = 0
        for inner in _subsequences(op, value):
            longest = max(longest, _longest_run(inner))
    return longest


def _ungrouped(sequence: list[Any]) -> Iterator[tuple[Any, Any]]:
    """The items of a sequence with every group's own items put in its place."""
    constants = re._constants  # type: ignore[attr-defined]
    for op, value in sequence:
        if op is constants.SUBPATTERN:
            yield from _ungrouped(list(value[-1]))
        elif op is constants.ATOMIC_GROUP:
            yield from _ungrouped(list(value))
        else:
            yield op, value


def _subsequences(op: Any, value: Any) -> list[list[Any]]:
    """The sequences of parse-tree items nested in one item (repeats, branches, assertions)."""
    constants = re._constants  # type: ignore[attr-defined]
    if op in (constants.MAX_REPEAT, constants.MIN_REPEAT, constants.POSSESSIVE_REPEAT):
        return [list(value[2])]
    if op in (constants.ASSERT, constants.ASSERT_NOT):
        return [list(value[-1])]
    if op is constants.BRANCH:
        return [list(branch) for branch in value[1]]
    if op is constants.GROUPREF_EXISTS:
        return [list(branch) for branch in value[1:] if branch is not None]
    return []


def open_edge(source: str, at_start: bool, chars: int) -> bool:
    """Whether any ``chars`` characters but a line break can begin (or, not ``at_start``,
    end) a match of ``source``: it opens (ends) with an any-character run that long.

    The gate need not ask partial matching about such an edge. ``\\p{..}`` classes are
    read as literals here, not as the any-character class other bounds read them as.

    >>> open_edge(r".{0,600}Photo: \\w+", True, 2), open_edge(r"(?:.{0,9}\\. )?By \\w+", True, 2)
    (True, True)
    >>> open_edge(r".{0,600}Photo: \\w+", False, 2), open_edge(r"\\p{Lu}{0,9} ?.", False, 2)
    (False, False)
    """
    literal = regex.sub(r"\\[pP]\{[^}]*\}", "_", source)  # never taken for "any character"
    try:
        tree = re._parser.parse(literal)  # type: ignore[attr-defined]
    except Exception:  # syntax the standard parser does not know: not known to be open
        return False
    return _opens(list(tree), at_start, chars)


def _opens(sequence: list[Any], at_start: bool, chars: int) -> bool:
    constants = re._constants  # type: ignore[attr-defined]
    if not sequence:
        return False
    op, value = sequence[0] if at_start else sequence[-1]
    if op in (constants.MAX_REPEAT, constants.MIN_REPEAT, constants.POSSESSIVE_REPEAT):
        body = list(value[2])
        if [item[0] for item in body] == [constants.ANY]:
            return value[1] >= chars
        return value[1] >= 1 and _opens(body, at_start, chars)
    if op is constants.SUBPATTERN:
        return _opens(list(value[-1]), at_start, chars)
    if op is constants.ATOMIC_GROUP:
        return _opens(list(value), at_start, chars)
    if op is constants.BRANCH:  # one open branch is enough: the edge may be that branch's
        return any(_opens(list(branch), at_start, chars) for branch in value[1])
    return False


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
