"""Gradient-boosted trees over the line features: a model that is not linear in them.

The excerpt model scores a line by trees rather than by weights: on a capture of a few
lines, what a word or a length means depends on where the line stands and on its
neighbours, and a sum of weights cannot say "short *and* last *and* no verb".
Cross-validated by site on labeled captures, trees remove more of the boilerplate of
unseen sites at the same keep-line recall (``scripts/train_classifier.py`` prints both).

The trees are trained by scikit-learn's ``HistGradientBoostingClassifier`` and stored as
plain lists in the weights file; inference is plain Python. A tree is four parallel
lists per node: the feature it splits on (-1 at a leaf), the threshold (a value at or
below it goes left), the left and right children, and the leaf's value. A line's
log-odds of content is the baseline plus one leaf value per tree.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

LEAF = -1


class Tree(NamedTuple):
    """One regression tree, node by node (node 0 is the root)."""

    feature: tuple[int, ...]      # index into the model's feature row, LEAF at a leaf
    threshold: tuple[float, ...]  # a value <= threshold goes left
    left: tuple[int, ...]
    right: tuple[int, ...]
    value: tuple[float, ...]      # a leaf's share of the log-odds


@dataclass(frozen=True, slots=True)
class Forest:
    """A sum of trees: each line's log-odds of content from its feature row."""

    baseline: float
    trees: tuple[Tree, ...]

    def log_odds(self, rows: Sequence[Sequence[float]]) -> list[float]:
        out = []
        for row in rows:  # a third of an excerpt's cleaning time: one loop, locals only
            total = self.baseline
            for feature, threshold, left, right, value in self.trees:
                node = 0
                while (f := feature[node]) != LEAF:
                    node = left[node] if row[f] <= threshold[node] else right[node]
                total += value[node]
            out.append(total)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any], at: Sequence[int]) -> Forest:
        """A forest from its weights-file entry, whose trees split on features by their
        place in the entry's feature list: ``at[i]`` is that feature's place in a row."""
        trees = []
        for n, raw in enumerate(data["trees"]):
            tree = Tree(tuple(map(int, raw["feature"])), tuple(map(float, raw["threshold"])),
                        tuple(map(int, raw["left"])), tuple(map(int, raw["right"])),
                        tuple(map(float, raw["value"])))
            _check(tree, n, len(at))
            trees.append(tree._replace(feature=tuple(LEAF if f == LEAF else at[f]
                                                     for f in tree.feature)))
        return cls(float(data["baseline"]), tuple(trees))

    def to_dict(self) -> dict[str, Any]:
        """The weights-file entry (features by their place in a row)."""
        return {"baseline": self.baseline,
                "trees": [{"feature": list(t.feature), "threshold": list(t.threshold),
                           "left": list(t.left), "right": list(t.right), "value": list(t.value)}
                          for t in self.trees]}


def _check(tree: Tree, n: int, width: int) -> None:
    """A malformed tree would loop or index out of range at inference: refuse it on load."""
    size = len(tree.feature)
    if not size or any(len(part) != size for part in
                       (tree.threshold, tree.left, tree.right, tree.value)):
        raise ValueError(f"tree {n}: its node lists differ in length")
    for node, f in enumerate(tree.feature):
        if f == LEAF:
            continue
        if not 0 <= f < width:
            raise ValueError(f"tree {n}, node {node}: feature {f} is not one of {width}")
        # children come after their parent, so a walk from the root always ends
        if not (node < tree.left[node] < size and node < tree.right[node] < size):
            raise ValueError(f"tree {n}, node {node}: a child is out of order or range")
