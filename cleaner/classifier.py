"""The generic stage: a line classifier with sequence smoothing, run after the rules.

Rules know what they name; most captures come from sites no rule file describes, and
their menus, teasers and footers are left in. This stage sees only the lines the rules
kept. For each non-blank line it computes a few features of the line and of its
neighbours (length, end punctuation, stop words, capitalisation, position, repetition,
rule removals nearby, the shape of menus), turns them into the probability that the
line is content with a logistic model, and smooths the probabilities along the page
with a two-state hidden Markov model (content, boilerplate): an article body is mostly
one contiguous run of lines. A line goes when its posterior probability of being
boilerplate reaches the model's threshold; lines that read like prose need a stronger
score. A guard backs off when the stage would take an unusual share of the capture's
prose. The weights (``data/classifier.json``) are trained by
``scripts/train_classifier.py``; inference is plain Python.
"""
from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from .model import Line, Removal

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
BYLINE_STARTS = ("by ", "von ", "par ", "por ", "di ", "door ")
SHAPE_CACHE_LIMIT = 50_000  # short lines (menus, labels) recur across a site's pages
SHAPE_CACHE_CHARS = 80
SHORT_WORDS = 4      # a "short" line, for menu runs
PROSE_WORDS = 8      # a line this long, ending like a sentence, reads like prose
HEADING_WORDS = (2, 20)  # a heading-shaped line (no end punctuation) right above kept prose stays
GUARD_ALL_SHARE = 0.9  # the guard also backs off when this share of all words would go
MIN_LINES = 10       # fewer non-blank lines than this is too little page to judge
FEATURE_NAMES: tuple[str, ...] = (
    "bias", "log_words", "words_le2", "words_3_6", "words_7_15", "words_ge30",
    "terminal", "stop_share", "title_share", "alpha_share", "word_length", "repeated",
    "symbols", "date_like", "rule_above", "rule_below", "position", "first_tenth",
    "last_sixth", "char_position", "before_prose", "after_prose", "prose_distance",
    "window_log_words", "window_terminal", "window_long", "prev_log_words",
    "next_log_words", "prev_terminal", "next_terminal", "short_run", "starts_lower",
    "short_unpunctuated", "prose", "inside_body", "window_prose",
)
PROSE = FEATURE_NAMES.index("prose")
LOG_WORDS = FEATURE_NAMES.index("log_words")
TERMINAL_FEATURE = FEATURE_NAMES.index("terminal")


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
    guard_share: float                # back off when more than this share of prose words goes

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LineModel:
        names = tuple(data["features"])
        if names != FEATURE_NAMES:
            raise ValueError("classifier weights were trained on other features")
        return cls(name=data["name"], weights=tuple(float(w) for w in data["weights"]),
                   stay_content=float(data["stay_content"]),
                   stay_boilerplate=float(data["stay_boilerplate"]),
                   prior_content=float(data["prior_content"]),
                   threshold=float(data["threshold"]),
                   prose_threshold=float(data["prose_threshold"]),
                   guard_share=float(data["guard_share"]))


@lru_cache(maxsize=None)
def load_models() -> dict[str, LineModel]:
    """The shipped models by capture kind ("text", "html"), from the package's data file."""
    raw = resources.files("cleaner").joinpath("data", "classifier.json").read_text("utf-8")
    return {kind: LineModel.from_dict(data) for kind, data in json.loads(raw).items()}


@dataclass(frozen=True, slots=True)
class Decision:
    """What the stage decided for one capture."""

    removals: tuple[Removal, ...]
    backed_off: bool


_SHAPES: dict[str, tuple[int, bool, int, int, int, int, bool, bool, bool]] = {}


def _shape(text: str) -> tuple[int, bool, int, int, int, int, bool, bool, bool]:
    """Per-line counts: words, terminal, stop words, title-case, alphabetic, chars, ..."""
    return _by_text(_SHAPES, text, _measure)


def _by_text(cache: dict[str, Any], text: str, compute: Any) -> Any:
    """``compute(text)``, remembered for short lines (menus and labels repeat across pages)."""
    if len(text) > SHAPE_CACHE_CHARS:
        return compute(text)
    found = cache.get(text)
    if found is None:
        if len(cache) >= SHAPE_CACHE_LIMIT:
            cache.clear()
        found = cache[text] = compute(text)
    return found


def _measure(text: str) -> tuple[int, bool, int, int, int, int, bool, bool, bool]:
    stripped = text.strip()
    words = stripped.split()
    lowered = stripped.lower().split()
    n = len(words)
    return (n, stripped[-1] in TERMINAL, sum(map(STOP_WORDS.__contains__, lowered)),
            sum(map(str.istitle, words)), sum(map(str.isalpha, words)), len(stripped),
            SYMBOLS.search(stripped) is not None,
            n <= 8 and DATE_LIKE.search(stripped) is not None,
            stripped[0].islower())


def features(lines: Sequence[Line], removed: Sequence[int]) -> list[list[float]]:
    """One feature vector (in FEATURE_NAMES order) per line of ``lines`` (all non-blank).

    ``removed`` holds the numbers of the capture's lines the rules took out whole.
    """
    return [list(row) for row in zip(*columns(lines, removed))]


def columns(lines: Sequence[Line], removed: Sequence[int]) -> list[list[float]]:
    """The features column by column (FEATURE_NAMES order): cheaper than row by row."""
    count = len(lines)
    if not count:
        return [[] for _ in FEATURE_NAMES]
    texts = [line.text for line in lines]
    shapes = [_shape(text) for text in texts]
    n, term, stops, titles, alphas, length, symbols, dates, lower = map(list, zip(*shapes))
    repeats = Counter(texts)
    nw = [w or 1 for w in n]
    log_words = [LOG1P[w] if w < 64 else math.log1p(w) for w in n]
    terminal = [1.0 if t else 0.0 for t in term]
    long_ = [1.0 if w >= 15 else 0.0 for w in n]
    prose = [w >= PROSE_WORDS and t for w, t in zip(n, term)]
    short = [w <= SHORT_WORDS for w in n]
    gaps = _gaps_with_removals([line.number for line in lines], sorted(removed))
    pre_lw, pre_t, pre_l = _prefix(log_words), _prefix(terminal), _prefix(long_)
    total_chars = sum(length) or 1
    before = _prefix([float(c) for c in length])
    prose_at = [i for i, p in enumerate(prose) if p]
    first_prose = prose_at[0] if prose_at else -1
    last_prose = prose_at[-1] if prose_at else count
    distance = _distance_to(prose, count)
    pre_pw = _prefix([float(w) if p else 0.0 for w, p in zip(n, prose)])
    total_prose = pre_pw[-1] or 1.0
    pre_p = _prefix([1.0 if p else 0.0 for p in prose])
    runs = _run_lengths(short)
    idx = range(count)
    lo3 = [max(0, i - 3) for i in idx]
    hi3 = [min(count, i + 4) for i in idx]
    lo5 = [max(0, i - 5) for i in idx]
    hi5 = [min(count, i + 6) for i in idx]
    lo10 = [max(0, i - 10) for i in idx]
    hi10 = [min(count, i + 11) for i in idx]
    span3 = [(h - lo - 1) or 1 for lo, h in zip(lo3, hi3)]
    return [
        [1.0] * count,
        log_words,
        [1.0 if w <= 2 else 0.0 for w in n],
        [1.0 if 3 <= w <= 6 else 0.0 for w in n],
        [1.0 if 7 <= w <= 15 else 0.0 for w in n],
        [1.0 if w >= 30 else 0.0 for w in n],
        terminal,
        [a / b for a, b in zip(stops, nw)],
        [a / b for a, b in zip(titles, nw)],
        [a / b for a, b in zip(alphas, nw)],
        [min(a / b, 12.0) / 10.0 for a, b in zip(length, nw)],
        [1.0 if repeats[t] > 1 else 0.0 for t in texts],
        [1.0 if x else 0.0 for x in symbols],
        [1.0 if x else 0.0 for x in dates],
        [1.0 if g else 0.0 for g in gaps[:-1]],
        [1.0 if g else 0.0 for g in gaps[1:]],
        [i / count for i in idx],
        [1.0 if i < count / 10 else 0.0 for i in idx],
        [1.0 if i >= count * 5 / 6 else 0.0 for i in idx],
        [c / total_chars for c in before[:-1]],
        [1.0 if i < first_prose else 0.0 for i in idx],
        [1.0 if i > last_prose else 0.0 for i in idx],
        [LOG1P[d] / 3.0 if d < 64 else math.log1p(d) / 3.0 for d in distance],
        [(pre_lw[h] - pre_lw[lo] - x) / sp
         for lo, h, x, sp in zip(lo3, hi3, log_words, span3)],
        [(pre_t[h] - pre_t[lo] - x) / sp for lo, h, x, sp in zip(lo3, hi3, terminal, span3)],
        [(pre_l[h] - pre_l[lo]) / (h - lo) for lo, h in zip(lo5, hi5)],
        [0.0] + log_words[:-1],
        log_words[1:] + [0.0],
        [1.0] + terminal[:-1],
        terminal[1:] + [1.0],
        [LOG1P[r] / 3.0 if r < 64 else math.log1p(r) / 3.0 for r in runs],
        [1.0 if x else 0.0 for x in lower],
        [1.0 if s and not t else 0.0 for s, t in zip(short, term)],
        [1.0 if p else 0.0 for p in prose],
        [2.0 * min(pre_pw[i], total_prose - pre_pw[i + 1]) / total_prose for i in idx],
        [(pre_p[h] - pre_p[lo]) / (h - lo) for lo, h in zip(lo10, hi10)],
    ]


LOG1P = [math.log1p(i) for i in range(64)]


def _prefix(values: Sequence[float]) -> list[float]:
    out = [0.0]
    total = 0.0
    for value in values:
        total += value
        out.append(total)
    return out


def _gaps_with_removals(numbers: Sequence[int], removed: Sequence[int]) -> list[bool]:
    """gap[i]: a removed line lies between line i-1 and line i (gap[0]: before the first)."""
    gaps = [False] * (len(numbers) + 1)
    if not removed:
        return gaps
    j = 0
    previous = 0
    for i, number in enumerate(numbers + [math.inf]):  # type: ignore[operator]
        while j < len(removed) and removed[j] < number:
            if removed[j] > previous:
                gaps[i] = True
            j += 1
        previous = number
    return gaps


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
    out = [0] * len(flags)
    i = 0
    while i < len(flags):
        if not flags[i]:
            i += 1
            continue
        j = i
        while j < len(flags) and flags[j]:
            j += 1
        for k in range(i, j):
            out[k] = j - i
        i = j
    return out


def content_probabilities(model: LineModel, rows: Sequence[Sequence[float]]) -> list[float]:
    """The logistic model's P(content) for each feature row."""
    return _sigmoids([sum(map(float.__mul__, model.weights, row)) for row in rows])


def column_probabilities(model: LineModel, cols: Sequence[Sequence[float]]) -> list[float]:
    """The same from feature columns (what inference computes)."""
    z = [0.0] * len(cols[0])
    for weight, col in zip(model.weights, cols):
        if weight:
            z = [a + weight * b for a, b in zip(z, col)]
    return _sigmoids(z)


def _sigmoids(z: Sequence[float]) -> list[float]:
    exp = math.exp
    return [1.0 / (1.0 + exp(-v)) if v > -30 else 0.0 for v in z]


def smooth(model: LineModel, p_content: Sequence[float]) -> list[float]:
    """P(boilerplate) for each line given the whole page (forward-backward, two states).

    Emissions are the classifier's posteriors divided by the class priors (scaled
    likelihoods); the transitions make a state likely to continue on the next line.
    """
    count = len(p_content)
    if not count:
        return []
    prior = model.prior_content
    cc, bb = model.stay_content, model.stay_boilerplate
    cb, bc = 1.0 - cc, 1.0 - bb
    eps = 1e-6
    ec = [max(p, eps) / prior for p in p_content]
    eb = [max(1.0 - p, eps) / (1.0 - prior) for p in p_content]
    fc, fb = [0.0] * count, [0.0] * count
    a, b = prior * ec[0], (1.0 - prior) * eb[0]
    s = a + b
    fc[0], fb[0] = a / s, b / s
    for i in range(1, count):
        a = (fc[i - 1] * cc + fb[i - 1] * bc) * ec[i]
        b = (fc[i - 1] * cb + fb[i - 1] * bb) * eb[i]
        s = a + b
        fc[i], fb[i] = a / s, b / s
    out = [0.0] * count
    rc, rb = 1.0, 1.0
    for i in range(count - 1, -1, -1):
        a, b = fc[i] * rc, fb[i] * rb
        out[i] = b / (a + b)
        # backward message for line i-1
        nc = cc * ec[i] * rc + cb * eb[i] * rb
        nb = bc * ec[i] * rc + bb * eb[i] * rb
        s = nc + nb
        rc, rb = nc / s, nb / s
    return out


_CATEGORIES: dict[str, str] = {}


def category_of(text: str) -> str:
    """The POLICY category a removed line most likely belongs to."""
    return str(_by_text(_CATEGORIES, text, _categorise))


def _categorise(text: str) -> str:
    stripped = text.strip()
    lowered = stripped.lower()
    if lowered.startswith(BYLINE_STARTS) or any(word in lowered for word in CUE_WORDS):
        cue = CATEGORY_CUE.search(stripped)  # the slow search, only when a cue word is there
        if cue:
            return cue.lastgroup or "navigation"
    words = len(stripped.split())
    if words <= 8 and DATE_LIKE.search(stripped):
        return "dateline"
    return "navigation" if words <= 8 else "promo"


def select(model: LineModel, cols: Sequence[Sequence[float]],
           scores: Sequence[float]) -> tuple[list[int], bool]:
    """Indexes of the lines to remove, and whether the guard backed off.

    A line goes when its score reaches the threshold (a stronger one for prose). When
    that would take more than ``guard_share`` of the prose words, or nearly every word,
    the guard backs off to the rules' result: the stage removes nothing. A
    heading-shaped line right above a kept prose line stays (POLICY: headlines and
    subheadings are content).
    """
    count = len(scores)
    if count < MIN_LINES:
        return [], False
    prose_words = all_words = lost_prose = lost_all = 0.0
    doomed: list[int] = []
    prose = [x > 0.5 for x in cols[PROSE]]
    word_counts = [round(math.expm1(x)) for x in cols[LOG_WORDS]]
    for i, score in enumerate(scores):
        words = word_counts[i]
        all_words += words
        if prose[i]:
            prose_words += words
        if score >= (model.prose_threshold if prose[i] else model.threshold):
            doomed.append(i)
            lost_all += words
            if prose[i]:
                lost_prose += words
    backed_off = bool(doomed) and (lost_prose > model.guard_share * prose_words
                                   or lost_all > GUARD_ALL_SHARE * all_words)
    if backed_off:
        return [], True
    if doomed:
        gone = set(doomed)
        low, high = HEADING_WORDS
        terminal = cols[TERMINAL_FEATURE]
        doomed = [i for i in doomed
                  if not (i + 1 < count and prose[i + 1] and i + 1 not in gone
                          and terminal[i] < 0.5 and low <= word_counts[i] <= high)]
    return doomed, backed_off


def decide(model: LineModel, kept: Sequence[Line], removed: Sequence[int],
           keep: frozenset[str] = frozenset()) -> Decision:
    """The model's removals among ``kept`` (the lines the rules left)."""
    lines = [line for line in kept if line.text.strip()]
    if len(lines) < MIN_LINES:  # too little page to judge (``select`` says the same)
        return Decision((), False)
    cols = columns(lines, removed)
    scores = smooth(model, column_probabilities(model, cols))
    doomed, backed_off = select(model, cols, scores)
    removals = []
    for i in doomed:
        line = lines[i]
        category = category_of(line.text)
        if category in keep:
            continue
        removals.append(Removal(f"{MODEL_RULE_PREFIX}{model.name}", category, line.number, 0,
                                len(line.text), line.text, round(scores[i], 3)))
    return Decision(tuple(removals), backed_off)


def run_stage(model: LineModel, state: Any, keep: frozenset[str] = frozenset()) -> bool:
    """Apply the model to a rule pass's state (``PassState``) in place; True if it backed off."""
    kept_numbers = {line.number for line in state.kept}
    removed = sorted({r.line for r in state.removals} - kept_numbers)
    decision = decide(model, state.kept, removed, keep)
    if decision.removals:
        gone = {r.line for r in decision.removals}
        state.kept = tuple(line for line in state.kept if line.number not in gone)
        state.removals.extend(decision.removals)
    return decision.backed_off
