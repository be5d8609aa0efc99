"""The generic stage on excerpts: its model, its lexicon, and what sets the paywall flag."""
from __future__ import annotations

import pytest

from cleaner import Cleaner
from cleaner.engine import lexicon
from cleaner.engine.classifier import select
from cleaner.engine.line_features import FEATURE_NAMES
from cleaner.engine.line_model import EXCERPT_CHARS, LineModel, load_models, model_kind
from cleaner.engine.scoring import use_lexicon
from cleaner.model import Line

BODY = ("The council voted on Tuesday to turn the old freight yard into a park, ending a "
        "decade of argument over the site.")


def _lines(*texts: str) -> list[Line]:
    return [Line(number, text) for number, text in enumerate(texts, start=1)]


def test_short_text_is_an_excerpt_and_html_never_is() -> None:
    short = _lines("Headline", "", BODY)
    assert model_kind("text", short) == "excerpt"
    assert model_kind("html", short) == "html"
    long = _lines(*[BODY] * (EXCERPT_CHARS // len(BODY) + 1))
    assert model_kind("text", long) == "text"


def test_blank_lines_do_not_count_towards_an_excerpt() -> None:
    # what the length is read from must survive cleaning: blank runs collapse then
    lines = _lines(*[BODY] * (EXCERPT_CHARS // (len(BODY) + 1)))
    padded = [line for text in lines for line in (text, Line(0, ""), Line(0, ""))]
    assert model_kind("text", lines) == model_kind("text", padded) == "excerpt"


def test_a_model_without_the_newer_features_weighs_them_zero() -> None:
    entry = {"name": "old", "features": list(FEATURE_NAMES[:3]), "weights": [1.0, 2.0, 3.0],
             "stay_content": 0.9, "stay_boilerplate": 0.8, "prior_content": 0.5,
             "threshold": 0.5, "prose_threshold": 0.9, "guard_share": 0.5}
    model = LineModel.from_dict(entry)
    assert model.weights[:3] == (1.0, 2.0, 3.0) and set(model.weights[3:]) == {0.0}
    assert model.min_lines == 10
    with pytest.raises(ValueError, match="unknown features"):
        LineModel.from_dict(dict(entry, features=["bias", "no-such-feature", "log_words"]))


def test_the_shipped_excerpt_model_judges_short_captures() -> None:
    model = load_models()["excerpt"]
    assert model.min_lines < 10 and model.threshold <= model.prose_threshold


def test_lexicon_keeps_words_seen_on_enough_sites() -> None:
    lines = [("Subscribe to read more", False, f"site{i}.com") for i in range(3)]
    lines += [("Subscribe now, the mayor urged voters at the town hall", True, "site0.com")]
    lines += [("The mayor said the town hall would reopen", True, f"site{i}.com")
              for i in range(3)]
    lines += [("Gazette exclusive", False, "gazette.com")] * 5
    words = lexicon.learn(lines, min_sites=3)
    assert words["subscribe"] > 0 > words["mayor"]
    assert "gazette" not in words  # one site's own name decides nothing


def test_evidence_reads_the_lexicon_in_use() -> None:
    try:
        use_lexicon({"photo": 4.0, "council": -2.0})
        mean, strongest, weakest, first, last, name = lexicon.evidence("Photo by Jane Roe")
        assert strongest == 1.0 and first == 1.0 and weakest == 0.0 and name == 0.0
        assert lexicon.evidence("the council met")[2] == -0.5
        assert lexicon.evidence("Jane Roe and John Doe")[-1] == 1.0
    finally:
        use_lexicon(lexicon.shipped())


def test_a_one_word_heading_between_paragraphs_stays() -> None:
    model = load_models()["excerpt"]
    shapes = ([20, 1, 20], [True, False, True], [True, False, True])
    odds = [0.0, 1e6, 0.0]  # the model would remove the heading
    assert select(model, shapes, odds, [5.0, -9.0, 5.0]) == ([], False)
    shapes = ([20, 1, 3], [True, False, False], [True, False, False])
    assert select(model, shapes, [0.0, 1e6, 0.0], [5.0, -9.0, 5.0])[0] == [1]


PAGE = "\n\n".join(["Council backs park", BODY, "Log In", "Subscribe",
                    "Work on the park is expected to begin in the spring, the mayor said."])


def test_a_menu_log_in_link_does_not_flag_a_paywall() -> None:
    result = Cleaner(use_model=False).clean_and_explain(PAGE)
    assert {r.text for r in result.removals} == {"Log In", "Subscribe"}
    assert not result.paywalled


def test_a_gate_flags_a_paywall() -> None:
    gated = PAGE + "\n\nThis article is for subscribers only"
    assert Cleaner(use_model=False).clean_and_explain(gated).paywalled


def test_a_model_that_weighs_no_words_does_not_look_them_up(monkeypatch) -> None:
    from cleaner.engine import scoring

    def no_lookups(text: str):
        raise AssertionError("the lexicon was read")

    monkeypatch.setattr(lexicon, "evidence", no_lookups)
    scoring._FOLDED.clear()
    text = load_models()["text"]  # trained without the lexicon's features
    z, _shapes = scoring.logits(text, ["A line never seen by any test before", BODY + " !"])
    assert len(z) == 2
    scoring._FOLDED.clear()
    with pytest.raises(AssertionError, match="lexicon was read"):
        scoring.page_logits(load_models()["excerpt"], ["Another line never seen before"])
    scoring._FOLDED.clear()
