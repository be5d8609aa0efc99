"""Template lines with a varying part, learned from a site's captures: "Posted in … |
3 Comments »", "… says:", "Reply #" become one pattern on the words they share at one end.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import regex

from .learn import (LETTERS, MARKER_LETTERS, Profile, Settings, fold, guess_category, is_prose,
                    line_pattern, threshold)


@dataclass(frozen=True, slots=True)
class Shape:
    """Lines that differ but share a start or an end, across captures: one pattern for all."""

    pattern: str
    example: str
    captures: int


# Lines are first grouped by their first two or three, or last one or two, folded words.
SHAPE_KEYS = (("^", 2), ("^", 3), ("$", 1), ("$", 2))
SYMBOL = regex.compile(r"[^\w\s'’\".,!?()-]|^0$")


def find_shapes(profile: Profile, repeated: set[str], settings: Settings) -> list[Shape]:
    """Templates with a varying part: "Posted in … | 3 Comments »", "… says:", "Reply #".

    Lines that are not repeated whole are grouped by their first two or three, or
    last one or two, folded words; a group found in enough captures, with two
    different lines or more, becomes a pattern on the words all its lines share at
    that end. It must look like template rather than prose: three letters or more,
    and five shared words or more, or a symbol or number among them, or a cue word;
    and none of its lines may read like prose.
    """
    groups: dict[str, list[str]] = defaultdict(list)
    seen_in: dict[str, set[int]] = defaultdict(set)
    for number, lines in enumerate(profile.captures):
        for line in lines:
            folded = fold(line)
            if folded in repeated:
                continue
            for key in _shape_keys(folded.split()):
                groups[key].append(line)
                seen_in[key].add(number)
    floor = threshold(profile.size, settings)
    shapes = [_shape(key, groups[key], len(seen_in[key]), settings)
              for key in sorted(groups) if len(seen_in[key]) >= floor
              and len(set(groups[key])) > 1]
    unique = {s.pattern: s for s in reversed(shapes)
              if s is not None and guess_category(s.example) in settings.shape_categories}
    return sorted(unique.values(), key=lambda s: s.pattern)


def _shape_keys(tokens: list[str]) -> list[str]:
    return [end + " ".join(tokens[:size] if end == "^" else tokens[-size:])
            for end, size in SHAPE_KEYS if len(tokens) > size]


def _shape(key: str, lines: list[str], captures: int, settings: Settings) -> Shape | None:
    at_start = key.startswith("^")
    shared = _shared_tokens([fold(line).split() for line in lines], at_start)
    if any(is_prose(line) for line in lines) or not _template_like(shared, settings):
        return None
    core = line_pattern(" ".join(shared))
    pattern = core + r"(?:\s.*)?" if at_start else r"(?:.*\s)?" + core
    return Shape(pattern, lines[0], captures)


def _shared_tokens(token_lists: list[list[str]], at_start: bool) -> list[str]:
    """The words every list begins with (or ends with)."""
    lists = token_lists if at_start else [t[::-1] for t in token_lists]
    shared: list[str] = []
    for column in zip(*lists):
        if any(token != column[0] for token in column):
            break
        shared.append(column[0])
    return shared if at_start else shared[::-1]


def _template_like(shared: list[str], settings: Settings) -> bool:
    if len(LETTERS.findall(" ".join(shared))) < MARKER_LETTERS:
        return False  # digits and punctuation alone: any dated line would match
    if len(shared) >= settings.shape_tokens:
        return True
    return any(SYMBOL.search(token) for token in shared) or \
        guess_category(" ".join(shared)) not in ("navigation", "promo", "dateline")
