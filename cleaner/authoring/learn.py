"""What repeats across the captures of one site: its template lines, its designs, its
signatures, and what category each repeated line likely is.

A site wraps every article in the same template: menus, footers, share bars, comment
forms. Lines that come back in many captures of one site (after folding numbers and
white space) are that template. This module finds them from the captures alone, never
from expected outputs; ``markers.py`` finds where the article ends, ``line_shapes.py``
the template lines with a varying part, and ``draft.py`` turns the proposals into a
checked rule file.

A line that reads like article prose (eight words or more, ending like a sentence) is
proposed only when it repeats across most captures: a sentence that two articles
happen to share is not template.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import regex

DIGITS = regex.compile(r"\d+")
# A number as templates print it: "22,477", "9:23AM", "12/28/2013", "3.5". Its
# separators and clock suffix change from capture to capture as much as its digits do.
NUMBER = regex.compile(r"\d+(?:[.,:/]\d+)*(?:\s?[AaPp]\.?[Mm]\b\.?)?")
DIGITS_PATTERN = r"\d[\d.,:/]*"  # what a learned pattern writes for a number ...
CLOCK_PATTERN = r"\s?[AaPp]\.?[Mm]\.?"  # ... and after it, when it was a time of day
NUMBER_OR_SPACE = regex.compile(f"({NUMBER.pattern}|\\s+)")
SPACES = regex.compile(r"\s+")
WORD = regex.compile(r"\w+")
TERMINAL = frozenset(".!?\"”’'»)…")
PROSE_WORDS = 8
LETTERS = regex.compile(r"\p{L}")
MARKER_LETTERS = 3  # a cut marker names something: a bare count or a bullet is no marker
DATE_ONLY = regex.compile(
    r"(?i)(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+)?(?:\d{1,2}\s+)?"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?"
    r"(?:\s+\d{4})?(?:,?\s+\d{1,2}:\d\d\s*(?:[ap]\.?m\.?)?(?:\s+[A-Z]{2,4})?)?"
    r"|\d{1,4}[./-]\d{1,2}[./-]\d{1,4}(?:\s+\d{1,2}:\d\d(?:\s*[ap]m)?)?")
# What a repeated line most likely is, by its words (first match wins). Lines with
# none of these cues are navigation when short and promotion when longer.
CATEGORY_CUES: tuple[tuple[str, regex.Pattern[str]], ...] = tuple(
    (name, regex.compile(cue, regex.IGNORECASE)) for name, cue in (
        ("legal", r"©|\bcopyright\b|all rights reserved|\bterms of (?:use|service)\b|"
                  r"\bprivacy\b|\bdisclaimer\b|\breprints?\b|\bsubscriber agreement\b"),
        ("cookie", r"\bcookies?\b"),
        ("newsletter", r"\bnewsletters?\b|\binbox\b|\be-?mail (?:alerts?|updates)\b"),
        ("subscription", r"\bsubscri|\bsign (?:in|up)\b|\blog ?(?:in|out)\b|\bregister\b|"
                         r"\bpaywall\b|\bpremium\b"),
        ("comments", r"\bcomments?\b|\brepl(?:y|ies)\b|\bresponses?\b|\btrackbacks?\b|"
                     r"\bdiscuss(?:ion)?\b|\b(?:says|wrote):$"),
        ("share", r"\bshare\b|\bfacebook\b|\btwitter\b|\btweet\b|\bgoogle\+|\blinkedin\b|"
                  r"\bpinterest\b|\breddit\b|\bdigg\b|\bfollow (?:us|me)\b|\bwhatsapp\b"),
        ("ad", r"\badvertis|\bsponsored\b|\bad ?choices\b"),
        ("caption", r"\bphotos?\b|\bimages?\b|\bpicture\b|\bgetty\b|\bcredit:|\bafp\b"),
        ("byline", r"^(?:by|posted by|written by)\s+\p{Lu}"),
    ))
NAVIGATION_MAX_WORDS = 8


@dataclass(frozen=True, slots=True)
class Settings:
    """How much repetition makes template, and how careful truncation is."""

    min_share: float = 0.5       # a line must come back in this share of captures ...
    min_captures: int = 2        # ... and in at least this many
    prose_share: float = 0.5     # a prose-like line: in more than this share of captures
    marker_share: float = 0.5    # a cut marker follows this share of the unique prose ...
    marker_words: int = 30       # ... and at least this many unique prose words, everywhere
    comments_share: float = 0.2  # the share for a marker that opens the comments
    marker_max_guard: int = 20   # the cut's min-kept-lines is at most this
    max_markers: int = 3
    max_signatures: int = 3
    shape_tokens: int = 5        # a shared start or end this long is a template on its own
    # Shapes proposed only in these categories: comment lines ("NAME says:", "Reply #")
    # are template without doubt; by-line and date shapes took article lines on real
    # sites where the article text keeps its by-line.
    shape_categories: tuple[str, ...] = ("comments",)
    signature_words: int = 4
    # Captures whose repeated lines overlap this much (Jaccard) were made with one template;
    # a site's template groups of ``min_group`` captures or more are also learned alone.
    template_similarity: float = 0.4
    min_group: int = 3
    # A marker of one design must stand in this many of its captures: a design has few,
    # and a label that ended the article in three of them still stood above it in others.
    design_marker_captures: int = 4
    design_line_words: int = 3   # the lines that tell a design apart have this many words


@dataclass(slots=True)
class Profile:
    """What repeats across the captures of one site: folded lines and their raw texts."""

    captures: list[tuple[str, ...]]
    counts: Counter[str] = field(default_factory=Counter)  # captures each folded line is in
    variants: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    @classmethod
    def of(cls, captures: Iterable[Sequence[str]]) -> Profile:
        """Profile captures given as their lines (blank ones are skipped)."""
        kept = [tuple(t for t in (line.strip() for line in lines) if t) for lines in captures]
        profile = cls([c for c in kept if c])
        for lines in profile.captures:
            keys = [fold(line) for line in lines]
            profile.counts.update(set(keys))
            for key, line in zip(keys, lines):
                profile.variants[key][line] += 1
        return profile

    @property
    def size(self) -> int:
        return len(self.captures)

    def text_of(self, key: str) -> str:
        """The most common raw text of a folded line."""
        return self.variants[key].most_common(1)[0][0]


def fold(text: str) -> str:
    """A line's key: each number becomes 0, runs of white space one space.

    >>> fold("Posted  on 12 March 2024 "), fold("12/28/2013 @ 9:23AM | 22,477 views")
    ('Posted on 0 March 0', '0 @ 0 | 0 views')
    """
    return SPACES.sub(" ", NUMBER.sub("0", text.strip()))


def template_groups(profile: Profile, settings: Settings) -> list[Profile]:
    """The captures of each of a site's templates, when it has had more than one.

    Sites change their templates over the years: a line of one template may stand in
    only a quarter of a site's captures and still be in every capture made with it.
    Each capture joins the first group whose first capture shares at least
    ``template_similarity`` of the lines the two hold that repeat anywhere in the site
    (Jaccard), else starts a group. Groups of ``min_group`` captures or more are
    returned; none for a site with one template.
    """
    shared = [frozenset(k for k in map(fold, lines) if profile.counts[k] > 1)
              for lines in profile.captures]
    groups: list[list[int]] = []
    for number, keys in enumerate(shared):
        home = next((group for group in groups
                     if _jaccard(keys, shared[group[0]]) >= settings.template_similarity), None)
        if home is None:
            groups.append([number])
        else:
            home.append(number)
    if len(groups) == 1:
        return []
    return [Profile.of([profile.captures[n] for n in group])
            for group in groups if len(group) >= settings.min_group]


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 1.0


def is_prose(text: str) -> bool:
    """Reads like a sentence of an article: eight words or more, ending like one.

    >>> is_prose("The council voted on Tuesday to expand the park by ten acres."), is_prose("Home")
    (True, False)
    """
    stripped = text.rstrip()
    return stripped[-1:] in TERMINAL and len(WORD.findall(stripped)) >= PROSE_WORDS


def guess_category(text: str) -> str:
    """The POLICY category a template line most likely belongs to.

    >>> [guess_category(t) for t in ("Leave a Reply", "© 2012 Example Inc.", "World",
    ...                              "March 4, 2012", "12/28/2013 @ 9:23AM | 22,477 views")]
    ['comments', 'legal', 'navigation', 'dateline', 'dateline']
    """
    stripped = text.strip()
    for name, cue in CATEGORY_CUES:
        if cue.search(stripped):
            return name
    short = len(stripped.split()) <= NAVIGATION_MAX_WORDS
    if DATE_ONLY.match(stripped) and short:  # a date, or a date line with a time or a count
        return "dateline"
    return "navigation" if short else "promo"


def threshold(size: int, settings: Settings) -> int:
    """How many captures a line must be in to count as template."""
    return max(settings.min_captures, math.ceil(settings.min_share * size))


def repeated_keys(profile: Profile, settings: Settings) -> set[str]:
    """Folded lines that repeat enough to be template; prose-like ones only in most captures."""
    floor = threshold(profile.size, settings)
    prose_floor = max(floor, math.floor(settings.prose_share * profile.size) + 1)
    return {key for key, seen in profile.counts.items()
            if seen >= floor and (seen >= prose_floor or not is_prose(profile.text_of(key)))}


def find_signatures(profile: Profile, settings: Settings) -> list[str]:
    """Literal lines of four words or more found, unchanged, in nearly every capture."""
    return [profile.text_of(key) for key in unchanged_keys(profile, settings.signature_words, settings)
            if not is_prose(key)][:settings.max_signatures]


def unchanged_keys(profile: Profile, words: int, settings: Settings) -> list[str]:
    """Keys of lines with ``words`` words or more, found with one text and no digits in
    80% of the captures: most frequent first, then longest."""
    floor = max(settings.min_captures, math.ceil(0.8 * profile.size))
    found = [key for key, seen in profile.counts.items()
             if seen >= floor and not DIGITS.search(key) and len(profile.variants[key]) == 1
             and len(key.split()) >= words]
    return sorted(found, key=lambda key: (-profile.counts[key], -len(key), key))


def line_pattern(text: str) -> str:
    """A line pattern for a repeated line whose numbers may change: numbers match any.

    >>> line_pattern("Posted 12 comments (page 3)")
    'Posted\\\\s+\\\\d[\\\\d.,:/]*\\\\s+comments\\\\s+\\\\(page\\\\s+\\\\d[\\\\d.,:/]*\\\\)'
    >>> bool(regex.fullmatch(line_pattern("9:23AM | 22,477 views"), "12:05 pm | 852 views"))
    True
    """
    parts = NUMBER_OR_SPACE.split(text.strip())
    out = []
    for part in parts:
        if not part:
            continue
        if part.isspace():
            out.append(r"\s+")
        elif NUMBER.fullmatch(part):
            out.append(DIGITS_PATTERN + (CLOCK_PATTERN if LETTERS.search(part) else ""))
        else:
            out.append(regex.escape(part))
    return "".join(out)


def by_category(profile: Profile, keys: Iterable[str]) -> dict[str, list[str]]:
    """Repeated keys grouped by their guessed category, most frequent first."""
    groups: dict[str, list[str]] = defaultdict(list)
    for key in sorted(keys, key=lambda k: (-profile.counts[k], k)):
        groups[guess_category(profile.text_of(key))].append(key)
    return dict(groups)


def keep_candidates(profile: Profile, repeated: set[str]) -> list[str]:
    """Prose lines found in one capture only, shortest-first within reason: test material."""
    found = [line for lines in profile.captures for line in lines
             if is_prose(line) and profile.counts[fold(line)] == 1
             and fold(line) not in repeated and 40 <= len(line) <= 240]
    return sorted(dict.fromkeys(found), key=len)[:50]


