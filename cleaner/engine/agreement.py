"""Where two extractors agree a page's article ends: the tail of one, cut where the other stops.

Pure text in, text out (leaf). ``html.py`` uses it with trafilatura's lines and
readability's main-content node. Trafilatura keeps more of the article than
readability does, but it also keeps what follows it: related stories, comment
teasers, footers. Readability chooses one node of the page and its siblings, so
it stops where the article stops. A trafilatura line after the last line that
readability also holds is almost always such a tail; lines between agreed lines
stay, since readability skips asides inside an article (lists, quotes, tables)
that are content more often than not.
"""
from __future__ import annotations

from collections.abc import Sequence

import regex

WORD = regex.compile(r"\w+")
SHINGLE = 4  # word 4-grams: long enough to be specific, short enough to survive markup
HELD_SHARE = 0.5  # a line is held by the other text when this share of its 4-grams is
# Below this share of trafilatura's words, readability found another part of the page
# (a comment thread, a teaser list) or almost nothing; its end then says nothing.
MIN_OTHER_SHARE = 0.3


def words(text: str) -> list[str]:
    """The word tokens of a text (letters, digits and underscores, any script).

    >>> words("Well-known, isn't it?")
    ['Well', 'known', 'isn', 't', 'it']
    """
    return WORD.findall(text)


def shingles(tokens: Sequence[str]) -> set[tuple[str, ...]]:
    """The set of word 4-grams of a token list (a shorter list gives itself, once)."""
    if len(tokens) < SHINGLE:
        return {tuple(tokens)} if tokens else set()
    return {tuple(tokens[i:i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1)}


class Holder:
    """The other extractor's text, ready to say which lines it holds."""

    def __init__(self, text: str) -> None:
        tokens = words(text)
        self.size = len(tokens)
        self._shingles = shingles(tokens)
        # short lines (fewer words than a shingle) are looked up as a run of whole words
        self._joined = " " + " ".join(tokens) + " "

    def holds(self, tokens: Sequence[str]) -> bool:
        """True when most of a line's 4-grams (or its whole words, if shorter) are here."""
        if len(tokens) < SHINGLE:
            return f" {' '.join(tokens)} " in self._joined
        grams = [tuple(tokens[i:i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1)]
        return sum(gram in self._shingles for gram in grams) >= HELD_SHARE * len(grams)


def cut_tail(lines: Sequence[str], other: str) -> list[str]:
    """``lines`` up to the last one that ``other`` also holds; all of them when it holds none.

    >>> body = ["Park plan approved", "The council voted on Tuesday to expand the park.",
    ...         "Work starts in spring and ends next year.", "More stories",
    ...         "Ten best parks in town"]
    >>> cut_tail(body, "The council voted on Tuesday to expand the park. Work starts in "
    ...          "spring and ends next year.") == body[:3]
    True
    """
    tokens = [words(line) for line in lines]
    holder = Holder(other)
    if holder.size < MIN_OTHER_SHARE * sum(map(len, tokens)):
        return list(lines)
    last = next((i for i in range(len(lines) - 1, -1, -1)
                 if tokens[i] and holder.holds(tokens[i])), None)
    return list(lines) if last is None else list(lines[:last + 1])
