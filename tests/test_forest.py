"""The excerpt model's trees: how they score a line, load, and refuse a malformed file."""
from __future__ import annotations

import math
from dataclasses import replace

import pytest

from cleaner.engine.forest import LEAF, Forest, Tree
from cleaner.engine.line_features import FEATURE_NAMES, columns
from cleaner.engine.line_model import LineModel, load_models
from cleaner.engine.scoring import logits, page_logits


def stump(feature: int, threshold: float, low: float, high: float) -> dict:
    """A tree of one split: ``low`` at or below the threshold, ``high`` above."""
    return {"feature": [feature, LEAF, LEAF], "threshold": [threshold, 0.0, 0.0],
            "left": [1, 0, 0], "right": [2, 0, 0], "value": [0.0, low, high]}


def test_a_line_scores_the_baseline_plus_one_leaf_per_tree() -> None:
    forest = Forest.from_dict({"baseline": 0.5, "trees": [stump(0, 2.0, -1.0, 1.0),
                                                          stump(1, 0.0, 0.25, -0.25)]}, [0, 1])
    # the threshold itself goes left, as scikit-learn's trees send it
    assert forest.log_odds([[2.0, 0.0], [2.5, 0.0], [1.0, 3.0]]) == [-0.25, 1.75, -0.75]


def test_a_deeper_tree_is_walked_to_its_leaf() -> None:
    tree = Tree(feature=(0, 1, LEAF, LEAF, LEAF), threshold=(5.0, 1.0, 0.0, 0.0, 0.0),
                left=(1, 2, 0, 0, 0), right=(4, 3, 0, 0, 0), value=(0.0, 0.0, -2.0, -1.0, 3.0))
    assert Forest(0.0, (tree,)).log_odds([[4, 0], [4, 2], [6, 0]]) == [-2.0, -1.0, 3.0]


def test_trees_split_on_features_by_their_place_in_the_file() -> None:
    # the file lists two features; the model's rows hold them at places 3 and 0
    forest = Forest.from_dict({"baseline": 0.0, "trees": [stump(0, 0.5, -1.0, 1.0)]}, [3, 0])
    assert forest.log_odds([[0.0, 0.0, 0.0, 1.0], [1.0, 0.0, 0.0, 0.0]]) == [1.0, -1.0]


@pytest.mark.parametrize("broken, message", [
    (dict(stump(0, 1.0, 0.0, 0.0), left=[0, 0, 0]), "out of order"),  # would loop forever
    (dict(stump(0, 1.0, 0.0, 0.0), right=[7, 0, 0]), "out of order or range"),
    (stump(2, 1.0, 0.0, 0.0), "feature 2 is not one of 2"),
    (dict(stump(0, 1.0, 0.0, 0.0), value=[0.0]), "differ in length"),
])
def test_a_malformed_tree_is_refused_on_load(broken: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Forest.from_dict({"baseline": 0.0, "trees": [stump(0, 1.0, 0.0, 0.0), broken]}, [0, 1])


def test_a_forest_survives_its_weights_file_entry() -> None:
    forest = Forest.from_dict({"baseline": -0.1, "trees": [stump(1, 0.5, -1.0, 1.0)]}, [0, 1])
    assert Forest.from_dict(forest.to_dict(), [0, 1]) == forest


TEXTS = ["Home", "Council backs plan for a new riverside park",
         "The city council voted on Tuesday to turn the old freight yard into a park.",
         "Share this article", "Copyright 2024 The Daily"]


def test_a_model_with_trees_scores_by_them_and_not_by_its_weights() -> None:
    words_index = FEATURE_NAMES.index("log_words")
    entry = {"name": "trees", "features": list(FEATURE_NAMES),
             "forest": {"baseline": 0.0, "trees": [stump(words_index, 1.0, -2.0, 2.0)]},
             "stay_content": 0.9, "stay_boilerplate": 0.9, "prior_content": 0.5,
             "threshold": 0.5, "prose_threshold": 0.9, "guard_share": 0.5}
    model = LineModel.from_dict(entry)
    assert model.weights == (0.0,) * len(FEATURE_NAMES)
    z, shapes = page_logits(model, TEXTS)
    row_values = [row[words_index] for row in zip(*columns(TEXTS))]
    assert z == [-2.0 if value <= 1.0 else 2.0 for value in row_values]
    assert len(set(z)) == 2  # the split does part the page's lines
    assert shapes == logits(model, TEXTS)[1]
    # without trees the same entry's weights (all 0) score every line alike
    assert set(page_logits(replace(model, forest=None), TEXTS)[0]) == {0.0}


def test_the_shipped_excerpt_model_is_trees_and_scores_finite_log_odds() -> None:
    model = load_models()["excerpt"]
    assert model.forest is not None and len(model.forest.trees) >= 50
    z, _shapes = page_logits(model, TEXTS)
    assert all(math.isfinite(v) for v in z)
    # a menu label is likelier boilerplate than the article's prose
    assert z[0] < z[2]
