"""Learn a draft site rule file from many captures of one site, by what repeats across them.

A site wraps every article in the same template: menus, footers, share bars, comment
forms. Lines that come back in many captures of one site (after folding numbers and
white space) are that template; a repeated line after which every capture carries on
with nothing but template, comments or link lists marks where the article ends. This
module finds both from the captures alone, never from expected outputs, and proposes
rules for them (``draft.py`` turns the proposals into a checked rule file).

A line that reads like article prose (eight words or more, ending like a sentence) is
proposed only when it repeats across most captures: a sentence that two articles
happen to share is not template.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

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


@dataclass(frozen=True, slots=True)
class Marker:
    """A repeated line after which the captures that have it hold no more article."""

    key: str
    text: str
    min_before: int  # the fewest non-blank lines standing before it in any capture
    captures: int
    requires: tuple[str, ...] = ()  # a marker of one design: lines that only it has


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
    own = [key for key in _unchanged(group, settings.design_line_words, settings)
           if site.counts[key] == group.counts[key]]  # no capture of another design has it
    lines = tuple(group.text_of(key) for key in own[:settings.max_signatures])
    if not lines:
        return []
    return [replace(m, requires=lines) for m in find_markers(group, repeated, settings)
            if m.captures >= settings.design_marker_captures]


def find_signatures(profile: Profile, settings: Settings) -> list[str]:
    """Literal lines of four words or more found, unchanged, in nearly every capture."""
    return [profile.text_of(key) for key in _unchanged(profile, settings.signature_words, settings)
            if not is_prose(key)][:settings.max_signatures]


def _unchanged(profile: Profile, words: int, settings: Settings) -> list[str]:
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
