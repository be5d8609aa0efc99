"""The generic stage: a line classifier with sequence smoothing, run after the rules.

Rules know what they name; most captures come from sites no rule file describes, and
their menus, teasers and footers are left in. This stage sees only the lines the rules
kept. For each non-blank line it computes features of the line's text (length, end
punctuation, stop words, capitalisation, digits, menu, comment and date shapes), of
its neighbours and of windows around it, and of its place among the page's prose;
turns them into the probability that the line is content with a logistic model; and
smooths the probabilities along the page with a two-state hidden Markov model
(content, boilerplate): an article body is mostly one contiguous run of lines. A line
goes when its posterior probability of being boilerplate reaches the model's
threshold; lines that read like prose need a stronger score. A guard backs off when
the stage would take an unusual share of the content the classifier expects on the
page (each line's words weighted by its probability of content).

Every feature depends on the texts of the non-blank lines alone, and the engine runs
the stage (with the rules) to a fixed point, so cleaning is idempotent. The features
of a line's text, its neighbours and windows are linear in per-line values, so each
line's share of the scores folds into a few numbers cached by text (``logits``);
``columns`` gives the same features one by one, for training. The weights
(``data/classifier.json``) are trained by ``scripts/train_classifier.py``; inference
is plain Python.
"""
from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from itertools import accumulate, groupby
from operator import itemgetter, mul
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from ..model import Line, Removal
from . import lexicon
from .memo import Memo

MODEL_RULE_PREFIX = "model:"
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
# What a removed line most likely is, by its words (first match wins); the fallback
# is navigation for short lines and promo for longer ones.
CATEGORY_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("legal", re.compile(r"©|\bcopyright\b|all rights reserved|\bterms of (?:use|service)\b|"
                         r"privacy policy", re.IGNORECASE)),
    ("cookie", re.compile(r"\bcookies?\b", re.IGNORECASE)),
    ("newsletter", re.compile(r"\bnewsletters?\b|\binbox\b|\be-?mail alerts?\b", re.IGNORECASE)),
    ("comments", re.compile(r"\bcomments?\b|\brepl(?:y|ies)\b", re.IGNORECASE)),
    ("share", re.compile(r"\bshare\b|\bfacebook\b|\btwitter\b|\bwhatsapp\b|\blinkedin\b|"
                         r"\bpinterest\b|\breddit\b|\bfollow us\b", re.IGNORECASE)),
    ("ad", re.compile(r"\badvertis|\bsponsored\b", re.IGNORECASE)),
    ("caption", re.compile(r"\bphoto\b|\bimage\b|\bpicture\b|\bgetty\b|\bcredit:|"
                           r"\(photo|\bafp\b|\bfile photo\b", re.IGNORECASE)),
    ("byline", re.compile(r"^(?:by|von|par|por|di|door)\s+\w", re.IGNORECASE)),
)
# one search finds the first cue: each category is a named group, in the order above
CATEGORY_CUE = re.compile("|".join(f"(?P<{name}>{cue.pattern})" for name, cue in CATEGORY_CUES),
                          re.IGNORECASE)
# every cue above contains one of these: lines without any skip the search
CUE_WORDS = ("©", "copyright", "rights reserved", "terms of", "privacy", "cookie", "newsletter",
             "inbox", "mail", "comment", "repl", "share", "facebook", "twitter", "whatsapp",
             "linkedin", "pinterest", "reddit", "follow us", "advertis", "sponsored", "photo",
             "image", "picture", "getty", "credit:", "afp")
CUE_WORD = re.compile("|".join(map(re.escape, CUE_WORDS)))  # one scan for all of them
BYLINE_STARTS = ("by ", "von ", "par ", "por ", "di ", "door ")
# lines remembered by text, per generation of a memo: menus and labels recur across pages
LINE_CACHE_LIMIT = 50_000
SHORT_WORDS = 4      # a "short" line, for menu runs
PROSE_WORDS = 8      # a line this long, ending like a sentence, reads like prose
BLOCK_GAP = 10       # what a line that is not prose costs the main block, in prose words
HEADING_WORDS = (2, 20)  # a heading-shaped line (no end punctuation) right above kept prose stays
HEADLINE_WORDS = 3   # above the first prose line, a line this long may be a headline
GUARD_ALL_SHARE = 0.9  # the guard also backs off when this share of all words would go
MIN_LINES = 10       # fewer non-blank lines than this is too little page to judge
# A text capture this short is an excerpt (a crawl's dump of a page's first lines): its
# own model judges it, trained on such captures, since a handful of lines around the
# article looks nothing like a whole page's menus and footers.
EXCERPT_CHARS = 2500
MAX_ROUNDS = 8       # a guard: real captures settle in two or three rounds
SEARCHED_CHARS = 120  # the patterns below are tried on lines up to this long
HEAD_CHARS = 100     # word shares are read from a line's first characters
LOGIT_LIMIT = 13.8   # scores are clipped to P in [1e-6, 1 - 1e-6]
# said:, Reply, Posted by, at 10:45 (only lines with ":", "repl", "posted" or "permalink" are tried)
COMMENT_LIKE = re.compile(r"\b(?:said|wrote|says)\s*:|\brepl(?:y|ies)\b|\bposted (?:by|on|in)\b|"
                          r"\bpermalink\b|\b(?:at|um|à|a las|alle|om)\s+\d{1,2}:\d\d\b",
                          re.IGNORECASE)
DIGIT = re.compile(r"\d")
SEPARATORS = re.compile(r"[|•·»›/▸►]")
BULLET = re.compile(r"(?:[•\-*–·▪●◦]|\d{1,2}[.)])\s")
# Features of a line from its text alone; they fold into cached numbers per text.
LINE_FEATURES: tuple[str, ...] = (
    "bias", "log_words", "words_le2", "words_3_6", "words_7_15", "words_ge30",
    "terminal", "stop_share", "title_share", "alpha_share", "word_length", "symbols",
    "date_like", "starts_lower", "short_unpunctuated", "prose", "numeric_share",
    "upper_share", "comment_like", "separators", "ends_colon", "bullet", "ellipsis",
    "title_heading", "long", "lexicon_mean", "lexicon_max", "lexicon_min",
    "lexicon_first", "lexicon_last", "name_like",
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


@dataclass(frozen=True, slots=True)
class LineModel:
    """Trained weights: logistic model, HMM transitions, thresholds and the guard."""

    name: str
    weights: tuple[float, ...]        # one per FEATURE_NAMES entry
    stay_content: float               # P(content -> content) between non-blank lines
    stay_boilerplate: float           # P(boilerplate -> boilerplate)
    prior_content: float              # share of content lines in training
    threshold: float                  # remove when P(boilerplate | page) >= threshold
    prose_threshold: float            # ... and this for lines that read like prose
    guard_share: float                # back off when more than this share of expected content goes
    min_lines: int = MIN_LINES        # a page of fewer non-blank lines is not judged

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LineModel:
        """A model from its weights file entry; features it was not trained on weigh 0."""
        by_name = dict(zip(data["features"], data["weights"]))
        unknown = set(by_name) - set(FEATURE_NAMES)
        if unknown:
            raise ValueError(f"classifier weights name unknown features: {sorted(unknown)}")
        return cls(name=data["name"],
                   weights=tuple(float(by_name.get(name, 0.0)) for name in FEATURE_NAMES),
                   stay_content=float(data["stay_content"]),
                   stay_boilerplate=float(data["stay_boilerplate"]),
                   prior_content=float(data["prior_content"]),
                   threshold=float(data["threshold"]),
                   prose_threshold=float(data["prose_threshold"]),
                   guard_share=float(data["guard_share"]),
                   min_lines=int(data.get("min_lines", MIN_LINES)))


def model_kind(kind: str, lines: Sequence[Line]) -> str:
    """Which model judges the ``lines`` kept of a capture of ``kind`` ("text" or "html").

    Text of at most EXCERPT_CHARS characters in its non-blank lines is an excerpt. The
    engine asks again each round: a whole page that the text model has cut down to an
    excerpt is judged as one too, as cleaning its output again would judge it.
    """
    if kind == "text" and sum(len(line.text) + 1 for line in lines
                              if line.text.strip()) <= EXCERPT_CHARS:
        return "excerpt"
    return kind


@lru_cache(maxsize=None)
def load_models() -> dict[str, LineModel]:
    """The shipped models by capture kind ("text", "html"), from the package's data file."""
    return read_models(resources.files("cleaner.engine").joinpath("data", "classifier.json")
                       .read_text("utf-8"))


def read_models(raw: str) -> dict[str, LineModel]:
    """Models by capture kind from the text of a weights file (as the training script writes)."""
    return {kind: LineModel.from_dict(data) for kind, data in json.loads(raw).items()}


@dataclass(frozen=True, slots=True)
class Decision:
    """What the stage decided for one capture."""

    removals: tuple[Removal, ...]
    backed_off: bool


# What the page-level features need of a line: words, ends like a sentence, prose;
# and of a page's lines, the same three as columns.
Shape = tuple[int, bool, bool]
Shapes = tuple[list[int], list[bool], list[bool]]


def _by_text(cache: Memo[str, Any], text: str, compute: Any) -> Any:
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
        *(lexicon.evidence(stripped) if words_read else lexicon.NO_EVIDENCE),
    ), (count, terminal, prose))


_VALUES: Memo[str, tuple[tuple[float, ...], Shape]] = Memo(LINE_CACHE_LIMIT)


def use_lexicon(words: dict[str, float]) -> None:
    """Judge lines with another lexicon (training: one per fold), forgetting cached lines."""
    global _VALUES
    lexicon.use(words)
    _VALUES = Memo(LINE_CACHE_LIMIT)
    _FOLDED.clear()


def columns(texts: Sequence[str]) -> list[list[float]]:
    """All features of a page's non-blank lines, column by column (FEATURE_NAMES order).

    What training fits; ``logits`` computes the same scores faster.
    """
    count = len(texts)
    if not count:
        return [[] for _ in FEATURE_NAMES]
    values = [_by_text(_VALUES, text, line_values) for text in texts]
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
    shapes = [v[1] for v in values]
    return out + page_columns(texts, ([s[0] for s in shapes], [s[1] for s in shapes],
                                      [s[2] for s in shapes]))


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
    start, end = _main_block(prose_words)
    idx = range(count)
    return [
        [1.0 if repeats[t] > 1 else 0.0 for t in texts],
        [1.0 if i < first_prose else 0.0 for i in idx],
        [1.0 if i > last_prose else 0.0 for i in idx],
        [_log3(d) for d in distance],
        [2.0 * min(pre_pw[i], total_prose - pre_pw[i + 1]) / total_prose for i in idx],
        [pre_pw[i] / total_prose for i in idx],
        [_log3(r) for r in runs],
        [1.0 if start <= i < end else 0.0 for i in idx],
        [1.0 if i < start else 0.0 for i in idx],
        [1.0 if i >= end else 0.0 for i in idx],
        [_log3(start - i if i < start else i - end + 1 if i >= end else 0) for i in idx],
    ]


LOG1P = [math.log1p(i) for i in range(64)]
# the features that read the lexicon or the name shape, directly or as a neighbour's
WORD_FEATURES = frozenset(name for name in FEATURE_NAMES
                          if "lexicon" in name or "name_like" in name)


def _log3(value: int) -> float:
    return LOG1P[value] / 3.0 if value < 64 else math.log1p(value) / 3.0


def _main_block(prose_words: Sequence[float]) -> tuple[int, int]:
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


@dataclass(frozen=True, slots=True)
class _Folded:
    """A model's weights regrouped so that every line's share of the scores is a few numbers.

    ``own``: weights on the line's features (less the windows' share of the line itself);
    ``lent``: per (features, weights) pair, what the line lends the line below, the
    line above, and the lines around it within each radius of RADII. ``scores``: the
    shares of the lines seen so far, with their shapes, by text.
    """

    own: tuple[float, ...]
    lent: tuple[tuple[Any, tuple[float, ...]], ...]
    page: tuple[float, ...]
    scores: Memo[str, tuple[Any, ...]]
    words_read: bool  # whether any weight falls on WORD_FEATURES

    def shares(self, values: tuple[float, ...]) -> list[float]:
        """A line's ``_SHARES`` numbers from its LINE_FEATURES values."""
        return [sum(map(mul, self.own, values))] + [sum(map(mul, w, pick(values)))
                                                    for pick, w in self.lent]


def _fold(weights: tuple[float, ...]) -> _Folded:
    width = len(LINE_FEATURES)
    index = {name: i for i, name in enumerate(LINE_FEATURES)}
    own = list(weights[:width])
    lent: list[dict[int, float]] = [{} for _ in range(2 + len(RADII))]  # below, above, radii
    at = width
    for _name, source, offset in NEIGHBOUR_FEATURES:
        part = lent[0 if offset < 0 else 1]
        part[index[source]] = part.get(index[source], 0.0) + weights[at]
        at += 1
    for _name, source, radius in WINDOW_FEATURES:
        share = weights[at] / (2 * radius)
        part = lent[2 + RADII.index(radius)]
        part[index[source]] = part.get(index[source], 0.0) + share
        own[index[source]] -= share
        at += 1
    # itemgetter of one index gives a bare value: a last index 0 (its weight 0.0) keeps a tuple
    pairs = tuple((itemgetter(*sorted(part), 0), tuple(part[k] for k in sorted(part)) + (0.0,))
                  for part in lent)
    words_read = any(w for name, w in zip(FEATURE_NAMES, weights) if name in WORD_FEATURES)
    return _Folded(tuple(own), pairs, tuple(weights[at:]), Memo(LINE_CACHE_LIMIT), words_read)


_FOLDED: dict[tuple[float, ...], _Folded] = {}
# a line's cached share: own score, lent below, lent above, lent per radius; words, ends, prose
_SHARES = 3 + len(RADII)


def logits(model: LineModel, texts: Sequence[str]) -> tuple[list[float], Shapes]:
    """The logistic model's log-odds of content for each line, and the lines' shapes.

    The same scores as ``columns`` and the weights give, computed faster: the features
    of a line and of its neighbours and windows are linear, so each line's share of
    its own score and of its neighbours' is a few numbers cached by text; only the
    page features are computed for every page.
    """
    folded = _FOLDED.get(model.weights)
    if folded is None:
        if len(_FOLDED) >= 4:  # models of a training run come and go
            _FOLDED.clear()
        folded = _FOLDED[model.weights] = _fold(model.weights)
    cache = folded.scores
    found = list(map(cache.current.get, texts))
    if None in found:
        fresh = {text: cache.recall(text) or _share_of(folded, text)
                 for text in dict.fromkeys([t for t, f in zip(texts, found) if f is None])}
        found = [f or fresh[t] for f, t in zip(found, texts)]
    count = len(found)
    own, down, up, *windows, words, terminal, prose = map(list, zip(*found))
    # what the lines within each radius lend a line: running totals, ahead and behind
    (high1, low1), (high2, low2) = [_window(lent, radius, count)
                                    for radius, lent in zip(RADII, windows)]
    shapes = (words, terminal, prose)
    # summed in the order of own + neighbours, then each window, then the page features
    return [a + b + c + h1 - l1 + h2 - l2 + p for a, b, c, h1, l1, h2, l2, p in zip(
        own, [0.0] + down[:-1], up[1:] + [0.0], high1, low1, high2, low2,
        _page_scores(folded.page, texts, shapes))], shapes


def _share_of(folded: _Folded, text: str) -> tuple[Any, ...]:
    """A line's cached numbers (``_SHARES``, then its shape), computed and remembered."""
    values, shape = line_values(text, folded.words_read)
    return folded.scores.put(text, (*folded.shares(values), *shape))


def _window(lent: list[float], radius: int, count: int) -> tuple[list[float], list[float]]:
    """Running totals of ``lent`` up to ``radius`` lines after and before each line."""
    total = list(accumulate(lent, initial=0.0))
    high = total[radius + 1:] + [total[-1]] * radius
    low = [0.0] * radius + total[:count - radius] if count > radius else [0.0] * count
    return high, low


def _page_scores(weights: Sequence[float], texts: Sequence[str], shapes: Shapes) -> list[float]:
    """``weights`` times ``page_columns``, summed per line, built a stretch at a time."""
    (w_repeated, w_before_prose, w_after_prose, w_distance, w_inside, w_above, w_run, w_in_block,
     w_before_block, w_after_block, w_block_distance) = weights
    count = len(texts)
    words, _terminal, prose = shapes
    prose_words = [float(w) if p else 0.0 for w, p in zip(words, prose)]
    start, end = _main_block(prose_words)
    prose_at = [i for i, p in enumerate(prose) if p]
    first = prose_at[0] if prose_at else -1
    last = prose_at[-1] if prose_at else count
    # the stretches between these points are constant in the indicator features
    points = sorted({0, count} | {p for p in (first, last + 1, start, end) if 0 < p < count})
    out: list[float] = []
    for a, b in zip(points, points[1:]):
        out.extend([w_before_prose * (a < first) + w_after_prose * (a > last)
                    + w_in_block * (start <= a < end) + w_before_block * (a < start)
                    + w_after_block * (a >= end)] * (b - a))
    logs = _LOG3[:count + 1] if count < len(_LOG3) else [_log3(d) for d in range(count + 1)]
    distance = (logs[start:0:-1] + [0.0] * (end - start) + logs[1:count - end + 1])
    # distance to the nearest prose line: up to the first, between two, after the last
    if prose_at:
        near = logs[first:0:-1]
        for a, b in zip(prose_at, prose_at[1:]):
            gap = b - a - 1
            half = (gap + 1) // 2
            near += [0.0] + logs[1:half + 1] + logs[gap - half:0:-1]
        near += [0.0] + logs[1:count - last]
    else:
        near = [logs[count]] * count
    runs: list[float] = []
    for short, run in groupby(w <= SHORT_WORDS for w in words):
        size = len(list(run))
        runs.extend([w_run * logs[size] if short else 0.0] * size)
    total = list(accumulate(prose_words, initial=0.0))
    whole = total[-1] or 1.0
    inside, above = 2.0 * w_inside / whole, w_above / whole
    repeats = Counter(texts)
    repeated = [w_repeated if repeats[t] > 1 else 0.0 for t in texts] \
        if len(repeats) < count else [0.0] * count
    return [o + w_block_distance * d + w_distance * e + r + x
            + inside * (lo if lo < whole - hi else whole - hi) + above * lo
            for o, d, e, r, x, lo, hi in zip(out, distance, near, runs, repeated, total, total[1:])]


_LOG3 = [math.log1p(i) / 3.0 for i in range(4096)]


def smooth(model: LineModel, z: Sequence[float]) -> list[float]:
    """The odds of boilerplate for each line given the whole page (forward-backward).

    ``z`` holds the classifier's log-odds of content. Emissions are its posteriors
    divided by the class priors (scaled likelihoods); the transitions make a state
    likely to continue on the next line. Both passes carry the ratio of the two
    states' messages, so each line costs one expression.
    """
    count = len(z)
    if not count:
        return []
    prior = model.prior_content
    cc, bb = model.stay_content, model.stay_boilerplate
    cb, bc = 1.0 - cc, 1.0 - bb
    scale = prior / (1.0 - prior)
    # e[i] = P(line | boilerplate) / P(line | content)
    e = [scale * o for o in odds_against(z)]
    forward = [0.0] * count
    r = e[0] / scale  # P(boilerplate, line 0) / P(content, line 0)
    forward[0] = r
    for i in range(1, count):
        r = (cb + r * bb) / (cc + r * bc) * e[i]
        forward[i] = r
    out = [0.0] * count
    q = 1.0  # backward message ratio
    for i in range(count - 1, -1, -1):
        out[i] = forward[i] * q
        x = e[i] * q
        q = (bc + bb * x) / (cc + cb * x)
    return out


_CATEGORIES: Memo[str, str] = Memo(LINE_CACHE_LIMIT)


def category_of(text: str) -> str:
    """The POLICY category a removed line most likely belongs to."""
    return _by_text(_CATEGORIES, text, _categorise)


def _categorise(text: str) -> str:
    stripped = text.strip()
    lowered = stripped.lower()
    if lowered.startswith(BYLINE_STARTS) or CUE_WORD.search(lowered):
        cue = CATEGORY_CUE.search(stripped)  # the slow search, only when a cue word is there
        if cue:
            return cue.lastgroup or "navigation"
    words = len(stripped.split())
    # every date shape has a digit: the quick search first
    if words <= 8 and DIGIT.search(stripped) and DATE_LIKE.search(stripped):
        return "dateline"
    return "navigation" if words <= 8 else "promo"


def select(model: LineModel, shapes: Shapes, odds: Sequence[float],
           z: Sequence[float]) -> tuple[list[int], bool]:
    """Indexes of the lines to remove, and whether the guard backed off.

    A line goes when its probability of boilerplate reaches the threshold (a stronger
    one for prose). ``z`` holds the classifier's log-odds of content (as ``logits``
    gives them): the guard weighs each line's words by its probability of content, so
    it counts the article the classifier itself expects on the page. When the doomed
    lines would take more than ``guard_share`` of those words, or nearly every word,
    the guard backs off to the rules' result: the stage removes nothing. Weighing by
    the classifier rather than counting prose lets it clear a long run of reader
    comments (prose, but scored as boilerplate) under a short article, and still
    back off when the lines it would remove are ones it scored as content. A
    heading-shaped line right above a kept prose line stays (POLICY: headlines and
    subheadings are content).
    """
    count = len(odds)
    if count < model.min_lines:
        return [], False
    words, terminal, prose = shapes
    limit = _odds(model.threshold)
    prose_limit = _odds(model.prose_threshold)
    doomed = [i for i, o in enumerate(odds) if o >= limit and (o >= prose_limit or not prose[i])]
    if not doomed:
        return [], False
    expected = content_words(words, z)
    lost_content = sum(expected[i] for i in doomed)
    lost_all = sum(words[i] for i in doomed)
    if (lost_content > model.guard_share * sum(expected)
            or lost_all > GUARD_ALL_SHARE * sum(words)):
        return [], True
    gone = set(doomed)
    return [i for i in doomed if not _heading(i, shapes, gone)], False


def _heading(i: int, shapes: Shapes, gone: set[int]) -> bool:
    """Whether line ``i`` is a heading: no end punctuation, right above kept prose, and of
    HEADING_WORDS words, or of one word between two kept prose lines ("Background")."""
    words, terminal, prose = shapes
    low, high = HEADING_WORDS
    below = i + 1 < len(words) and prose[i + 1] and i + 1 not in gone
    between = i > 0 and prose[i - 1] and i - 1 not in gone
    return below and not terminal[i] and (low <= words[i] <= high or words[i] == 1 and between)


def content_words(words: Sequence[int], z: Sequence[float]) -> list[float]:
    """Each line's words times the classifier's probability that the line is content."""
    return [w / (1.0 + o) for w, o in zip(words, odds_against(z))]


def odds_against(z: Sequence[float]) -> list[float]:
    """The classifier's odds of boilerplate for each line, from its log-odds of content
    (clipped to ``LOGIT_LIMIT``)."""
    exp, limit = math.exp, LOGIT_LIMIT
    return [exp(-v if -limit < v < limit else -limit if v > 0 else limit) for v in z]


def _odds(p: float) -> float:
    return p / (1.0 - p) if p < 1.0 else math.inf


def decide(model: LineModel, kept: Sequence[Line], keep: frozenset[str] = frozenset(),
           context: Sequence[Line] = ()) -> Decision:
    """One round of the model's removals among ``kept`` (the lines the rules left).

    ``context`` holds lines the site rules removed. The model was trained on pages
    with their site template in place, so it reads them as part of the page (as
    neighbours, in windows, in the page's shape), but it never removes them and the
    guard counts only ``kept``. What the stage decides depends only on the texts of
    the non-blank lines, in order: cleaning its own output again sees the same page,
    less what it removed (the engine settles the page without context last, so that
    holds with context too).
    """
    lines = [line for line in kept if line.text.strip()]
    if len(lines) < model.min_lines:  # too little page to judge (``select`` says the same)
        return Decision((), False)
    page = _with_context(lines, context)
    z, shapes = logits(model, [line.text for line in page])
    odds = smooth(model, z)
    in_context = len(page) > len(lines)
    if in_context:  # judge only the lines the rules kept
        odds, z, shapes = _of_kept(page, lines, odds, z, shapes)
    doomed, backed_off = select(model, shapes, odds, z)
    if in_context:
        doomed = _below_the_headline(doomed, shapes)
    rule_id = f"{MODEL_RULE_PREFIX}{model.name}"
    removals = []
    for i in doomed:
        line = lines[i]
        text = line.text
        category = category_of(text)
        if category in keep:
            continue
        removals.append(Removal(rule_id, category, line.number, 0, len(text), text,
                                round(odds[i] / (1.0 + odds[i]), 3)))
    return Decision(tuple(removals), backed_off)


def _of_kept(page: list[Line], lines: list[Line], odds: list[float], z: list[float],
             shapes: Shapes) -> tuple[list[float], list[float], Shapes]:
    """The odds, log-odds and shapes of ``lines`` alone, out of those of the whole ``page``."""
    kept = {line.number for line in lines}
    own = [i for i, line in enumerate(page) if line.number in kept]
    words, terminal, prose = shapes
    return ([odds[i] for i in own], [z[i] for i in own],
            ([words[i] for i in own], [terminal[i] for i in own], [prose[i] for i in own]))


def _below_the_headline(doomed: list[int], shapes: Shapes) -> list[int]:
    """Of ``doomed``, those the site context may judge: not a line up to the first prose
    line, unless it is shorter than a headline.

    A site's header template stands above the headline, and read among it the headline
    looks like one more header line. With the template removed, the headline opens the
    page, and the judgement without context (the engine's next round) sees it so.
    """
    words, _terminal, prose = shapes
    first = prose.index(True) if True in prose else len(words)
    return [i for i in doomed if i > first or words[i] < HEADLINE_WORDS]


def _with_context(lines: list[Line], context: Sequence[Line]) -> list[Line]:
    """``lines`` and the non-blank ``context`` lines, in page order."""
    extra = [line for line in context if line.text.strip()]
    return sorted(lines + extra, key=lambda line: line.number) if extra else lines


def run_stage(model: LineModel, state: Any, keep: frozenset[str] = frozenset(),
              context: Sequence[Line] = ()) -> Decision:
    """One round of the model on a rule pass's state (``PassState``), applied in place."""
    decision = decide(model, state.kept, keep, context)
    if decision.removals:
        gone = {r.line for r in decision.removals}
        state.kept = tuple([line for line in state.kept if line.number not in gone])
        state.removals.extend(decision.removals)
    return decision
