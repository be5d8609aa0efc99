"""The generic stage's features of a page's lines, as its models read them.

For each non-blank line: features of the line's text (length, end punctuation, stop
words, capitalisation, digits, menu, comment and date shapes, its words' lexicon
leans), of its neighbours and of windows around it, and of its place among the page's
prose. Every feature depends on the texts of the non-blank lines alone. ``columns``
gives them one by one, for training and for the excerpt model's trees; for a logistic
model the classifier folds them into a few numbers per line (``scoring.logits``).
"""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from itertools import accumulate, groupby
from typing import Any

from . import lexicon
from .memo import Memo

# Common function words of the languages the stage is trained on (en, de, fr, es, it,
# pt, nl): prose is full of them, menus and labels have few.
STOP_WORDS = frozenset("""
a about after all also an and any are as at be because been but by can could did do
does for from had has have he her his how i if in into is it its just more most my no
not of on one only or other our out said she so some than that the their them then
there these they this those to up was we were what when which who will with would you
der die das und ist nicht ein eine zu den von mit sich des auf für im dem auch es als
an wie bei nach aus wird sind noch wurde hat oder aber vor zur bis unter um sie er
le la les et est un une des du dans que qui pour pas sur au avec ce il elle ne se plus
par son sont aux ont été leur cette mais
el los las y es una de en por con para no se del al lo su como más pero sus fue ha
il gli e è di che non della dei alla nel con sono ha anche come più
o os as é um uma em com não do da dos das ao na no mais foi
de het een en van op dat die niet met voor te zijn er aan ook als bij om
""".split())
TERMINAL = frozenset(".!?\"”’'»)…:;")
SYMBOLS = re.compile(r"[|»›•·©@#→►▸]|https?:|www\.|\.com\b")
DATE_LIKE = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b|"
    r"\b\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|"
    r"\b\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\b|\b(?:19|20)\d\d\b|\b\d{1,2}:\d\d\b",
    re.IGNORECASE)
# lines remembered by text, per generation of a memo: menus and labels recur across pages
LINE_CACHE_LIMIT = 50_000
SHORT_WORDS = 4      # a "short" line, for menu runs
PROSE_WORDS = 8      # a line this long, ending like a sentence, reads like prose
BLOCK_GAP = 10       # what a line that is not prose costs the main block, in prose words
SEARCHED_CHARS = 120  # the patterns below are tried on lines up to this long
HEAD_CHARS = 100     # word shares are read from a line's first characters
# said:, Reply, Posted by, at 10:45 (only lines with ":", "repl", "posted" or "permalink" are tried)
COMMENT_LIKE = re.compile(r"\b(?:said|wrote|says)\s*:|\brepl(?:y|ies)\b|\bposted (?:by|on|in)\b|"
                          r"\bpermalink\b|\b(?:at|um|à|a las|alle|om)\s+\d{1,2}:\d\d\b",
                          re.IGNORECASE)
DIGIT = re.compile(r"\d")
SEPARATORS = re.compile(r"[|•·»›/▸►]")
BULLET = re.compile(r"(?:[•\-*–·▪●◦]|\d{1,2}[.)])\s")
SHORT_LEANS = 6  # lines of at most this many words give their mean and strongest leans again
NO_LEANS = (0.0,) * 2
# Features of a line from its text alone; they fold into cached numbers per text.
LINE_FEATURES: tuple[str, ...] = (
    "bias", "log_words", "words_le2", "words_3_6", "words_7_15", "words_ge30",
    "terminal", "stop_share", "title_share", "alpha_share", "word_length", "symbols",
    "date_like", "starts_lower", "short_unpunctuated", "prose", "numeric_share",
    "upper_share", "comment_like", "separators", "ends_colon", "bullet", "ellipsis",
    "title_heading", "long", "lexicon_mean", "lexicon_max", "lexicon_min",
    "lexicon_first", "lexicon_last", "name_like", "lexicon_mean_short", "lexicon_max_short",
)
# A neighbour's line feature: (name, feature, -1 for the line above or 1 for the one below).
NEIGHBOUR_FEATURES: tuple[tuple[str, str, int], ...] = tuple(
    (f"{side}_{source}", source, offset)
    for side, offset in (("prev", -1), ("next", 1))
    for source in ("log_words", "terminal", "prose", "short_unpunctuated", "title_heading",
                   "comment_like", "date_like", "lexicon_mean"))
# The mean of a line feature over the lines within ``radius`` of a line (the line itself
# left out, lines past the page's ends counting as zero): (name, feature, radius).
WINDOW_FEATURES: tuple[tuple[str, str, int], ...] = tuple(
    (f"window{radius}_{source}", source, radius)
    for radius in (3, 10)
    for source in ("log_words", "terminal", "prose", "stop_share", "title_share",
                   "short_unpunctuated", "comment_like", "date_like", "long"))
# Features of a line's place among the page's prose; not linear in the lines' features.
PAGE_FEATURES: tuple[str, ...] = (
    "repeated", "before_prose", "after_prose", "prose_distance", "inside_body",
    "prose_above", "short_run", "in_block", "before_block", "after_block", "block_distance",
)
FEATURE_NAMES: tuple[str, ...] = (LINE_FEATURES + tuple(f[0] for f in NEIGHBOUR_FEATURES)
                                  + tuple(f[0] for f in WINDOW_FEATURES) + PAGE_FEATURES)
RADII = tuple(sorted({f[2] for f in WINDOW_FEATURES}))
# What the page-level features need of a line: words, ends like a sentence, prose;
# and of a page's lines, the same three as columns.
Shape = tuple[int, bool, bool]
Shapes = tuple[list[int], list[bool], list[bool]]


def by_text(cache: Memo[str, Any], text: str, compute: Any) -> Any:
    """``compute(text)``, remembered by text (lines repeat across pages and rounds)."""
    found = cache.get(text)
    return cache.put(text, compute(text)) if found is None else found


def line_values(text: str, words_read: bool = True) -> tuple[tuple[float, ...], Shape]:
    """The LINE_FEATURES of one (non-blank) line, and its shape.

    Word shares are read from the first HEAD_CHARS characters, and the patterns are
    tried on short lines only, so that a long paragraph costs no more than a short one.
    Without ``words_read`` the lexicon's features are 0: a model that does not weigh
    them need not look its words up.
    """
    stripped = text.strip()
    count = stripped.count(" ") + 1
    head = stripped[:HEAD_CHARS]
    words = head.split()
    lowered = head.lower()
    n = len(words) or 1
    stops = sum(map(STOP_WORDS.__contains__, lowered.split()))
    titles = sum(map(str.istitle, words))
    last = stripped[-1]
    terminal = last in TERMINAL
    prose = count >= PROSE_WORDS and terminal
    short = count <= 8
    searched = len(stripped) <= SEARCHED_CHARS
    comment = searched and (":" in head or "repl" in lowered or "posted" in lowered
                            or "permalink" in lowered) and COMMENT_LIKE.search(head) is not None
    return ((
        1.0, LOG1P[count] if count < 64 else math.log1p(count),
        1.0 if count <= 2 else 0.0, 1.0 if 3 <= count <= 6 else 0.0,
        1.0 if 7 <= count <= 15 else 0.0, 1.0 if count >= 30 else 0.0,
        1.0 if terminal else 0.0, stops / n, titles / n, sum(map(str.isalpha, words)) / n,
        min(len(head) / n, 12.0) / 10.0,
        1.0 if searched and SYMBOLS.search(head) else 0.0,
        1.0 if short and DIGIT.search(head) and DATE_LIKE.search(head) else 0.0,
        1.0 if stripped[0].islower() else 0.0,
        1.0 if count <= SHORT_WORDS and not terminal else 0.0, 1.0 if prose else 0.0,
        sum(map(str.isdigit, words)) / n, sum(map(str.isupper, words)) / n,
        1.0 if comment else 0.0,
        1.0 if short and len(SEPARATORS.findall(head)) >= 2 else 0.0,
        1.0 if last == ":" else 0.0, 1.0 if BULLET.match(head) else 0.0,
        1.0 if stripped.endswith(("...", "…")) else 0.0,
        1.0 if 2 <= count <= 12 and not terminal and titles * 5 >= n * 4 else 0.0,
        1.0 if count >= 15 else 0.0,
        *(leans := lexicon.evidence(stripped) if words_read else lexicon.NO_EVIDENCE),
        # the words of a short line weigh more: a label or a credit is its cue words
        *((leans[0], leans[1]) if count <= SHORT_LEANS else NO_LEANS),
    ), (count, terminal, prose))


_VALUES: Memo[str, tuple[tuple[float, ...], Shape]] = Memo(LINE_CACHE_LIMIT)


def forget_lines() -> None:
    """Drop the cached features of lines (the lexicon they read has changed)."""
    global _VALUES
    _VALUES = Memo(LINE_CACHE_LIMIT)


def columns(texts: Sequence[str]) -> list[list[float]]:
    """All features of a page's non-blank lines, column by column (FEATURE_NAMES order).

    What training fits and trees read; ``scoring.logits`` computes a logistic model's
    scores from them faster.
    """
    return columns_and_shapes(texts)[0]


def columns_and_shapes(texts: Sequence[str]) -> tuple[list[list[float]], Shapes]:
    """``columns`` and the lines' shapes (words, end punctuation, prose)."""
    count = len(texts)
    if not count:
        return [[] for _ in FEATURE_NAMES], ([], [], [])
    values = [by_text(_VALUES, text, line_values) for text in texts]
    own = [list(col) for col in zip(*(v[0] for v in values))]
    by_name = dict(zip(LINE_FEATURES, own))
    out = list(own)
    for _name, source, offset in NEIGHBOUR_FEATURES:
        col = by_name[source]
        out.append([0.0] + col[:-1] if offset < 0 else col[1:] + [0.0])
    for _name, source, radius in WINDOW_FEATURES:
        col = by_name[source]
        total = list(accumulate(col, initial=0.0))
        out.append([(total[min(i + radius + 1, count)] - total[max(i - radius, 0)] - x)
                    / (2 * radius) for i, x in enumerate(col)])
    each = [v[1] for v in values]
    shapes: Shapes = ([s[0] for s in each], [s[1] for s in each], [s[2] for s in each])
    return out + page_columns(texts, shapes), shapes


def page_columns(texts: Sequence[str], shapes: Shapes) -> list[list[float]]:
    """The PAGE_FEATURES of a page's lines, from their texts and shapes."""
    count = len(texts)
    n, _terminal, prose = shapes
    repeats = Counter(texts)
    prose_words = [float(w) if p else 0.0 for w, p in zip(n, prose)]
    pre_pw = list(accumulate(prose_words, initial=0.0))
    total_prose = pre_pw[-1] or 1.0
    prose_at = [i for i, p in enumerate(prose) if p]
    first_prose = prose_at[0] if prose_at else -1
    last_prose = prose_at[-1] if prose_at else count
    distance = _distance_to(prose, count)
    runs = _run_lengths([w <= SHORT_WORDS for w in n])
    start, end = main_block(prose_words)
    idx = range(count)
    return [
        [1.0 if repeats[t] > 1 else 0.0 for t in texts],
        [1.0 if i < first_prose else 0.0 for i in idx],
        [1.0 if i > last_prose else 0.0 for i in idx],
        [log3(d) for d in distance],
        [2.0 * min(pre_pw[i], total_prose - pre_pw[i + 1]) / total_prose for i in idx],
        [pre_pw[i] / total_prose for i in idx],
        [log3(r) for r in runs],
        [1.0 if start <= i < end else 0.0 for i in idx],
        [1.0 if i < start else 0.0 for i in idx],
        [1.0 if i >= end else 0.0 for i in idx],
        [log3(start - i if i < start else i - end + 1 if i >= end else 0) for i in idx],
    ]


LOG1P = [math.log1p(i) for i in range(64)]
# the features that read the lexicon or the name shape, directly or as a neighbour's
WORD_FEATURES = frozenset(name for name in FEATURE_NAMES
                          if "lexicon" in name or "name_like" in name)


def log3(value: int) -> float:
    return LOG1P[value] / 3.0 if value < 64 else math.log1p(value) / 3.0


def main_block(prose_words: Sequence[float]) -> tuple[int, int]:
    """The run of lines with the most prose words, each other line costing BLOCK_GAP.

    Returns ``(start, end)`` (end exclusive); ``(0, 0)`` when the page has no prose.
    """
    best, best_start, best_end = 0.0, 0, 0
    total, start = 0.0, 0
    for i, words in enumerate(prose_words):
        total += words if words else -BLOCK_GAP
        if total <= 0.0:
            total, start = 0.0, i + 1
        elif total > best:
            best, best_start, best_end = total, start, i + 1
    return best_start, best_end


def _distance_to(flags: Sequence[bool], count: int) -> list[int]:
    """Lines from each line to the nearest flagged line (``count`` when there is none)."""
    out = [count] * count
    last = -count
    for i in range(count):
        if flags[i]:
            last = i
        out[i] = i - last
    last = 2 * count
    for i in range(count - 1, -1, -1):
        if flags[i]:
            last = i
        out[i] = min(out[i], last - i, count)
    return out


def _run_lengths(flags: Sequence[bool]) -> list[int]:
    """For each flagged line, the length of the run of flagged lines it is in."""
    out: list[int] = []
    for flag, run in groupby(flags):
        size = len(list(run))
        out.extend([size if flag else 0] * size)
    return out
