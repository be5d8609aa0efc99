"""The generic stage's sequence smoothing: a two-state hidden Markov model (content,
boilerplate) turns the classifier's per-line scores into each line's odds of boilerplate
given the whole page, since an article body is mostly one contiguous run of lines."""
from __future__ import annotations

import math
from collections.abc import Sequence

from .line_model import LineModel

LOGIT_LIMIT = 13.8   # scores are clipped to P in [1e-6, 1 - 1e-6]


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


def odds_against(z: Sequence[float]) -> list[float]:
    """The classifier's odds of boilerplate for each line, from its log-odds of content
    (clipped to ``LOGIT_LIMIT``)."""
    exp, limit = math.exp, LOGIT_LIMIT
    return [exp(-v if -limit < v < limit else -limit if v > 0 else limit) for v in z]
