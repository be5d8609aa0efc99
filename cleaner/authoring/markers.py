"""Cut markers learned from a site's captures: where the article ends.

A repeated line after which every capture carries on with nothing but template,
comments or link lists marks where the article ends; cutting there removes what
follows the article that no line rule can know. Found from the captures alone.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from .learn import (LETTERS, MARKER_LETTERS, WORD, Profile, Settings, fold, guess_category,
                    is_prose, threshold, unchanged_keys)


@dataclass(frozen=True, slots=True)
class Marker:
    """A repeated line after which the captures that have it hold no more article."""

    key: str
    text: str
    min_before: int  # the fewest non-blank lines standing before it in any capture
    captures: int
    requires: tuple[str, ...] = ()  # a marker of one design: lines that only it has


def unique_prose_words(lines: Sequence[str], repeated: set[str]) -> list[int]:
    """Per line, the words it adds when it is prose that is not template (else 0)."""
    return [len(WORD.findall(line)) if is_prose(line) and fold(line) not in repeated else 0
            for line in lines]


def find_markers(profile: Profile, repeated: set[str], settings: Settings) -> list[Marker]:
    """Repeated lines that, in every capture holding them, come after the article.

    A marker has three letters or more and stands once in each capture that has it
    (or twice with no prose between), after at least ``marker_words`` words of prose
    that is not template and after ``marker_share`` of all such prose (``comments_share``
    for a line that opens the comments, which are prose too). A comments line may also
    stand before more prose than that when it opens a list of comments
    (``_opens_comments``). Of these, the earliest in each capture is kept: cutting
    there removes what follows the article (comments, link lists) that no line rule
    can know.
    """
    floor = threshold(profile.size, settings)
    markers = {}
    for key, rows in _marker_rows(profile, repeated).items():
        text = profile.text_of(key)
        comments = guess_category(text) == "comments"
        share = settings.comments_share if comments else settings.marker_share
        if len(rows) >= floor and (
                all(r.before >= settings.marker_words and r.before >= share * (r.before + r.after)
                    for r in rows) or comments and _opens_comments(rows, floor, settings)):
            markers[key] = Marker(key, text, min(r.index for r in rows), len(rows))
    return _earliest(profile, markers, settings)


@dataclass(frozen=True, slots=True)
class MarkerRow:
    """Where a candidate marker stands in one capture."""

    index: int
    before: int  # words of non-template prose before it ...
    after: int   # ... and after it
    then_prose: bool  # whether the next non-blank line reads like prose


def _opens_comments(rows: Sequence[MarkerRow], floor: int, settings: Settings) -> bool:
    """A comments line followed by readers' comments, however long they run.

    Comments can outweigh the article many times over, so the share of prose before
    the line says nothing. What does: enough captures have an article's worth of
    prose before it, and in none does a paragraph follow it at once. A list of
    comments opens with a name, a date, a number or a link; a comments link standing
    inside an article is followed by the article's next paragraph.
    """
    return sum(r.before >= settings.marker_words for r in rows) >= floor and \
        not any(r.then_prose for r in rows)


def _marker_rows(profile: Profile, repeated: set[str]) -> dict[str, list[MarkerRow]]:
    """For each candidate, where it first stands in each capture that has it. A line
    seen twice in one capture with prose between the copies is no candidate: the
    cut would fall at the first, but either could be the one that ends the article."""
    candidates = {key for key in repeated if len(LETTERS.findall(key)) >= MARKER_LETTERS}
    rows: dict[str, list[MarkerRow]] = defaultdict(list)
    twice: set[str] = set()
    for lines in profile.captures:
        words = unique_prose_words(lines, repeated)
        total = sum(words)
        keys = [fold(line) for line in lines]
        before = 0
        seen: set[str] = set()
        for i, key in enumerate(keys):
            if key in candidates and key not in seen:
                rows[key].append(MarkerRow(i, before, total - before, _then_prose(lines, i)))
                seen.add(key)
            elif key in seen and rows[key][-1].before == before:
                # a copy with no prose since the first: what follows the last one counts
                rows[key][-1] = replace(rows[key][-1], then_prose=_then_prose(lines, i))
            elif key in seen:
                twice.add(key)  # prose between two copies: which one ends the article?
            before += words[i]
    return {key: found for key, found in rows.items() if key not in twice}


def _then_prose(lines: Sequence[str], index: int) -> bool:
    """Whether the line after ``index`` reads like prose."""
    return index + 1 < len(lines) and is_prose(lines[index + 1])


def _earliest(profile: Profile, markers: dict[str, Marker], settings: Settings) -> list[Marker]:
    """The marker each capture meets first, most used first, at most ``max_markers``."""
    firsts: Counter[str] = Counter()
    for lines in profile.captures:
        first = next((fold(line) for line in lines if fold(line) in markers), None)
        if first is not None:
            firsts[first] += 1
    return [markers[key] for key, _ in firsts.most_common(settings.max_markers)]


def design_markers(group: Profile, site: Profile, repeated: set[str],
                   settings: Settings) -> list[Marker]:
    """The markers of one of a site's designs, each bound to lines only that design has.

    A line that ends the article in one design may stand above it in another, and the
    captures of that other design may not show it at all. So a marker learned from
    one design's captures counts only on pages holding one of its design lines:
    lines of three words or more, unchanged in 80% of the design's captures and in no
    capture of the site's other designs. No such lines, no marker.
    """
    own = [key for key in unchanged_keys(group, settings.design_line_words, settings)
           if site.counts[key] == group.counts[key]]  # no capture of another design has it
    lines = tuple(group.text_of(key) for key in own[:settings.max_signatures])
    if not lines:
        return []
    return [replace(m, requires=lines) for m in find_markers(group, repeated, settings)
            if m.captures >= settings.design_marker_captures]
