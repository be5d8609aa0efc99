"""The generic stage's scores: each line's log-odds of content (``page_logits``), by a
model's trees (``forest.py``) or, as below, by its logistic weights (``logits``).

The features of a line's text, its neighbours and windows are linear in per-line
values, so a model's weights fold into a few numbers per line (``_Folded``), cached by
text; only the page features are computed for every page. The scores are those that
``line_features.columns`` and the weights give, computed faster.
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate, groupby
from operator import itemgetter, mul
from typing import Any

from . import lexicon, line_features
from .line_features import (FEATURE_NAMES, LINE_FEATURES, NEIGHBOUR_FEATURES, RADII, SHORT_WORDS,
                            WINDOW_FEATURES, WORD_FEATURES, Shapes, line_values, log3, main_block)
from .line_model import LineModel
from .memo import Memo

def use_lexicon(words: dict[str, float]) -> None:
    """Judge lines with another lexicon (training: one per fold), forgetting cached lines."""
    lexicon.use(words)
    line_features.forget_lines()
    _FOLDED.clear()


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
    # the limit read now, not at import: the training script raises it for its pages
    scores: Memo[str, tuple[Any, ...]] = Memo(line_features.LINE_CACHE_LIMIT)
    return _Folded(tuple(own), pairs, tuple(weights[at:]), scores, words_read)


_FOLDED: dict[tuple[float, ...], _Folded] = {}
# a line's cached share: own score, lent below, lent above, lent per radius; words, ends, prose
_SHARES = 3 + len(RADII)


def page_logits(model: LineModel, texts: Sequence[str]) -> tuple[list[float], Shapes]:
    """Each line's log-odds of content, by the model's trees or else its weights, and the
    lines' shapes."""
    if model.forest is None:
        return logits(model, texts)
    features, shapes = line_features.columns_and_shapes(texts)
    return model.forest.log_odds(list(zip(*features))), shapes


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
    start, end = main_block(prose_words)
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
    logs = _LOG3[:count + 1] if count < len(_LOG3) else [log3(d) for d in range(count + 1)]
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
