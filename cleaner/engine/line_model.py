"""The generic stage's trained models: their weights, read from the package's data file,
and which model judges a capture (text, HTML, or an excerpt)."""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from ..model import Line
from .forest import Forest
from .line_features import FEATURE_NAMES

MIN_LINES = 10       # fewer non-blank lines than this is too little page to judge
# A text capture this short is an excerpt (a crawl's dump of a page's first lines): its
# own model judges it, trained on such captures, since a handful of lines around the
# article looks nothing like a whole page's menus and footers.
EXCERPT_CHARS = 2500


@dataclass(frozen=True, slots=True)
class LineModel:
    """Trained weights: logistic model (or trees), HMM transitions, thresholds and the guard."""

    name: str
    weights: tuple[float, ...]        # one per FEATURE_NAMES entry
    stay_content: float               # P(content -> content) between non-blank lines
    stay_boilerplate: float           # P(boilerplate -> boilerplate)
    prior_content: float              # share of content lines in training
    threshold: float                  # remove when P(boilerplate | page) >= threshold
    prose_threshold: float            # ... and this for lines that read like prose
    guard_share: float                # back off when more than this share of expected content goes
    min_lines: int = MIN_LINES        # a page of fewer non-blank lines is not judged
    forest: Forest | None = None      # when set, the trees score lines, not the weights

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LineModel:
        """A model from its weights file entry; features it was not trained on weigh 0.

        An entry with ``forest`` scores lines by its trees and carries no weights."""
        names = data["features"]
        unknown = set(names) - set(FEATURE_NAMES)
        if unknown:
            raise ValueError(f"classifier weights name unknown features: {sorted(unknown)}")
        by_name = dict(zip(names, data.get("weights", ())))
        forest = (Forest.from_dict(data["forest"], [FEATURE_NAMES.index(n) for n in names])
                  if "forest" in data else None)
        return cls(name=data["name"],
                   weights=tuple(float(by_name.get(name, 0.0)) for name in FEATURE_NAMES),
                   stay_content=float(data["stay_content"]),
                   stay_boilerplate=float(data["stay_boilerplate"]),
                   prior_content=float(data["prior_content"]),
                   threshold=float(data["threshold"]),
                   prose_threshold=float(data["prose_threshold"]),
                   guard_share=float(data["guard_share"]),
                   min_lines=int(data.get("min_lines", MIN_LINES)), forest=forest)


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
