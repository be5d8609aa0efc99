"""The generic stage: a line classifier with sequence smoothing, run after the rules.

Rules know what they name; most captures come from sites no rule file describes, and
their menus, teasers and footers are left in. This stage sees only the lines the rules
kept. It computes features of each non-blank line (``line_features.py``), turns them
into the probability that the line is content with a logistic model or, on an
excerpt, gradient-boosted trees (``scoring.py``, ``forest.py``),
and smooths the probabilities along the page with a two-state hidden Markov model
(``smoothing.py``). Here a line goes when its posterior probability of being
boilerplate reaches the model's threshold; lines that read like prose need a stronger
score. A guard backs off when the stage would take an unusual share of the content
the classifier expects on the page (each line's words weighted by its probability of
content). A removed line's category is guessed from its words.

Every feature depends on the texts of the non-blank lines alone, and the engine runs
the stage (with the rules) to a fixed point, so cleaning is idempotent. The weights
(``data/classifier.json``, read by ``line_model.py``) are trained by
``scripts/train_classifier.py``; inference is plain Python.
"""
from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..model import Line, Removal
from .line_features import DATE_LIKE, DIGIT, LINE_CACHE_LIMIT, Shapes, by_text
from .line_model import LineModel
from .memo import Memo
from .scoring import page_logits
from .smoothing import odds_against, smooth

MODEL_RULE_PREFIX = "model:"
# A table row as extraction prints one ("| Pos. | Driver | Points |"): the model never
# removes it. Text captures of pages almost never hold one (1 of 16,000 labeled lines,
# and that one boilerplate), while an HTML page's tables are article content.
TABLE_ROW = re.compile(r"\|(?:[^|\n]*\|){2,}")
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
HEADING_WORDS = (2, 20)  # a heading-shaped line (no end punctuation) right above kept prose stays
HEADLINE_WORDS = 3   # above the first prose line, a line this long may be a headline
GUARD_ALL_SHARE = 0.9  # the guard also backs off when this share of all words would go
MAX_ROUNDS = 8       # a guard: real captures settle in two or three rounds


@dataclass(frozen=True, slots=True)
class Decision:
    """What the stage decided for one capture."""

    removals: tuple[Removal, ...]
    backed_off: bool


_CATEGORIES: Memo[str, str] = Memo(LINE_CACHE_LIMIT)


def category_of(text: str) -> str:
    """The POLICY category a removed line most likely belongs to."""
    return by_text(_CATEGORIES, text, _categorise)


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
    one for prose). ``z`` holds the classifier's log-odds of content (as ``scoring.page_logits``
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
    z, shapes = page_logits(model, [line.text for line in page])
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
        if category in keep or TABLE_ROW.fullmatch(text.strip()):
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
