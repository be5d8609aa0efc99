"""The generic stage: features, smoothing, the guard, and how it joins the pipeline.

Every capture here is constructed in the test or is one of the seeds: the benchmark
pages the stage was trained on are not part of the repository.
"""
from __future__ import annotations

import io
import itertools
import json
import math
import pickle
import re
import shutil
from dataclasses import replace
from importlib import resources
from pathlib import Path

import pytest

from cleaner import Cleaner
from cleaner.authoring.golden import compare_seeds
from cleaner.cli import main
from cleaner.engine import classifier, line_features, line_model, scoring, smoothing
from cleaner.engine.classifier import CATEGORY_CUE, CUE_WORDS, category_of, decide, select
from cleaner.engine.line_features import DATE_LIKE, FEATURE_NAMES, columns
from cleaner.engine.line_model import LineModel, load_models
from cleaner.engine.scoring import logits
from cleaner.engine.smoothing import smooth
from cleaner.engine.extract import normalise
from cleaner.model import Removal

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
GOLDEN = REPO / "golden"


def content_probabilities(model: LineModel, cols: list[list[float]]) -> list[float]:
    """The logistic model's P(content) from feature columns, one weighted column at a time:
    the plain computation that ``logits`` must agree with."""
    z = [0.0] * len(cols[0])
    for weight, col in zip(model.weights, cols):
        if weight:
            z = [a + weight * b for a, b in zip(z, col)]
    return [1.0 / (1.0 + math.exp(-v)) if v > -30 else 0.0 for v in z]


def probabilities(odds: list[float]) -> list[float]:
    """P(boilerplate) from the odds ``smooth`` gives."""
    return [o / (1.0 + o) for o in odds]


# menu items no rule names, so that the model is the one to remove them
MENU = ["Home", "Money", "Motoring", "Property", "Sport", "Style", "Puzzles", "Podcasts"]
FOOTER = ["About us", "Contact", "Careers", "Advertise with us", "Privacy", "Terms",
          "Sitemap", "RSS"]
BODY = [
    "Council backs plan for a new riverside park",
    "The city council voted on Tuesday to turn the old freight yard into a park, "
    "ending a dispute that had run for more than a decade.",
    "Members approved the plan by nine votes to four after a long debate in which "
    "residents from both banks of the river spoke for and against it.",
    "The park will open in stages, starting with a playground and a path along the "
    "water, and the council expects the first part to be ready next summer.",
    "Opponents said the money would be better spent on roads, but the mayor said the "
    "park was what the neighbourhood had asked for in every survey since 2015.",
    "Work on the site is expected to begin in the spring, once the last of the old "
    "sheds have been taken down and the soil has been tested.",
]


def page(*blocks: list[str]) -> str:
    return "\n\n".join(line for block in blocks for line in block) + "\n"


def _lines(text: str):
    return [line for line in normalise(text) if line.text.strip()]


def _texts(text: str) -> list[str]:
    return [line.text for line in _lines(text)]


def _rows(texts: list[str]) -> list[dict[str, float]]:
    return [dict(zip(FEATURE_NAMES, row)) for row in zip(*columns(texts))]


def text_model() -> LineModel:
    return load_models()["text"]


# --- features -----------------------------------------------------------------------------

def test_features_describe_a_menu_word_and_a_paragraph() -> None:
    rows = _rows(_texts(page(MENU, BODY, FOOTER)))
    menu, paragraph = rows[1], rows[len(MENU) + 3]
    assert len(menu) == len(FEATURE_NAMES)
    assert menu["words_le2"] == 1.0 and menu["terminal"] == 0.0 and menu["stop_share"] == 0.0
    assert menu["before_prose"] == 1.0 and menu["short_run"] > 0 and menu["before_block"] == 1.0
    assert paragraph["terminal"] == 1.0 and paragraph["prose"] == 1.0
    assert paragraph["in_block"] == 1.0 and paragraph["block_distance"] == 0.0
    assert paragraph["stop_share"] > 0.25 and paragraph["before_prose"] == 0.0
    assert paragraph["inside_body"] > menu["inside_body"]
    assert rows[-1]["after_block"] == 1.0 and rows[-1]["block_distance"] > 0


def test_features_see_repetition_dates_symbols_comments_and_neighbours() -> None:
    texts = _texts(page(["Share | Tweet | Email"], BODY[:3], ["March 3, 2021"],
                        ["Jane on March 3, 2021 at 10:45 said:"], ["Share | Tweet | Email"]))
    rows = _rows(texts)
    assert rows[0]["repeated"] == 1.0 and rows[0]["symbols"] == 1.0
    assert rows[0]["separators"] == 1.0 and rows[2]["separators"] == 0.0
    assert rows[4]["date_like"] == 1.0 and rows[2]["date_like"] == 0.0
    assert rows[5]["comment_like"] == 1.0 and rows[4]["comment_like"] == 0.0
    assert rows[1]["prev_log_words"] == rows[0]["log_words"]
    assert rows[4]["next_comment_like"] == 1.0 and rows[5]["prev_date_like"] == 1.0
    assert rows[0]["prev_log_words"] == 0.0 and rows[-1]["next_terminal"] == 0.0


def test_features_depend_on_the_texts_alone() -> None:
    """No feature looks at what was removed before: cleaning again sees the same lines."""
    texts = _texts(page(MENU, BODY, FOOTER))
    spaced = [line.text for line in normalise("\n\n\n".join(texts)) if line.text.strip()]
    assert columns(spaced) == columns(texts)


def test_no_prose_at_all_does_not_mark_every_line_as_outside_the_body() -> None:
    rows = _rows(_texts(page(MENU)))
    assert all(r["before_prose"] == 0.0 and r["after_prose"] == 0.0 for r in rows)


def test_categories_of_removed_lines_follow_policy_names() -> None:
    assert category_of("Home") == "navigation"
    assert category_of("© 2021 Example Media. All rights reserved.") == "legal"
    assert category_of("Share on Facebook") == "share"
    assert category_of("March 3, 2021") == "dateline"
    assert category_of("By Jane Smith") == "byline"
    assert category_of("Sign up for our newsletter") == "newsletter"


CATEGORY_SAMPLES = [
    "Home", "By Jane Smith", "by\tJane", "March 3, 2021", "3 mars 2021", "Updated 10:45",
    "© 2021 Example Media", "COPYRIGHT NOTICE", "We use cookies to improve your visit",
    "Get our newsletter in your inbox", "12 Comments", "Share this on Facebook",
    "Advertisement", "Photo: Getty Images", "Read more stories like this one from our team of "
    "reporters across the country", "Terms of Service and Privacy Policy", "Follow us",
    "2²", "Page 1 of 12", "Credit: AFP", "Sponsored by Acme", "", "   ",
]


def _plain_category(text: str) -> str:
    """The category guess without its shortcuts: the cue search and date pattern on every line."""
    stripped = text.strip()
    lowered = stripped.lower()
    if lowered.startswith(("by ", "von ", "par ", "por ", "di ", "door ")) or any(
            word in lowered for word in CUE_WORDS):
        cue = CATEGORY_CUE.search(stripped)
        if cue:
            return cue.lastgroup or "navigation"
    words = len(stripped.split())
    if words <= 8 and DATE_LIKE.search(stripped):
        return "dateline"
    return "navigation" if words <= 8 else "promo"


@pytest.mark.parametrize("text", CATEGORY_SAMPLES + MENU + FOOTER + BODY)
def test_category_shortcuts_agree_with_the_plain_guess(text) -> None:
    assert classifier._categorise(text) == _plain_category(text)
    assert category_of(text) == _plain_category(text) == category_of(text)  # cached


def _plain_logits(model: LineModel, texts: list[str]) -> list[float]:
    """``logits`` without the cache, one line and one sum at a time, in its order of sums."""
    folded = scoring._fold(model.weights)
    shares = [folded.shares(line_features.line_values(text)[0]) for text in texts]
    count = len(texts)
    z = []
    for i in range(count):
        total = shares[i][0]
        total += shares[i - 1][1] if i > 0 else 0.0
        total += shares[i + 1][2] if i + 1 < count else 0.0
        for k, radius in enumerate(line_features.RADII):
            ahead = sum(s[3 + k] for s in shares[:min(i + radius + 1, count)])
            behind = sum(s[3 + k] for s in shares[:max(i - radius, 0)])
            total = total + ahead - behind
        z.append(total)
    words, ends, prose = map(list, zip(*(line_features.line_values(t)[1] for t in texts)))
    page = scoring._page_scores(folded.page, texts, (words, ends, prose))
    return [a + b for a, b in zip(z, page)]


@pytest.mark.parametrize("blocks", [(MENU, BODY, FOOTER), (BODY, MENU, BODY), (["x"] * 30,),
                                    (MENU[:2],)])
def test_cached_scores_equal_the_plain_computation_exactly(blocks, monkeypatch) -> None:
    model = text_model()
    texts = _texts(page(*blocks))
    expected = _plain_logits(model, texts)
    scoring._FOLDED.clear()
    assert logits(model, texts)[0] == expected  # every line new
    assert logits(model, texts)[0] == expected  # every line cached
    assert logits(model, texts[1:])[0] == _plain_logits(model, texts[1:])
    monkeypatch.setattr(classifier, "LINE_CACHE_LIMIT", 3)  # the cache fills up mid-page
    scoring._FOLDED.clear()
    assert logits(model, texts)[0] == expected
    assert logits(model, texts)[0] == expected


# --- scores and smoothing -----------------------------------------------------------------

@pytest.mark.parametrize("blocks", [(MENU, BODY, FOOTER), (BODY,), (MENU[:2],), (BODY, MENU, BODY),
                                    (["x"] * 30,)])
def test_fast_scores_equal_the_feature_columns(blocks) -> None:
    model = text_model()
    texts = _texts(page(*blocks))
    z, _shapes = logits(model, texts)
    from_columns = content_probabilities(model, columns(texts))
    assert [1 / (1 + math.exp(-v)) for v in z] == pytest.approx(from_columns)


def test_smoother_keeps_a_contiguous_body_and_drops_a_menu_block() -> None:
    model = text_model()
    texts = _texts(page(MENU, BODY, FOOTER))
    scores = probabilities(smooth(model, logits(model, texts)[0]))
    menu = scores[:len(MENU)]
    body = scores[len(MENU) + 1:len(MENU) + len(BODY) - 1]  # the paragraphs inside the run
    assert min(menu) >= model.threshold
    assert max(body) < model.threshold
    gone = {r.text for r in decide(model, _lines(page(MENU, BODY, FOOTER))).removals}
    assert set(MENU) <= gone and not gone & set(BODY)


def test_smoother_pulls_an_odd_line_inside_the_body_towards_content() -> None:
    model = replace(text_model(), stay_content=0.99, stay_boilerplate=0.99)
    raw = [2.0, 2.0, 2.0, -1.0, 2.0, 2.0, 2.0]  # log-odds of content
    smoothed = probabilities(smooth(model, raw))
    assert smoothed[3] < 0.7  # P(boilerplate) went down from about 0.73
    flat = probabilities(smooth(replace(model, stay_content=0.5, stay_boilerplate=0.5), raw))
    assert smoothed[3] < flat[3]


def test_smoother_matches_forward_backward_by_hand() -> None:
    model = text_model()
    z = [1.5, -0.5, 3.0, -2.0]
    prior, cc, bb = model.prior_content, model.stay_content, model.stay_boilerplate
    trans = {("c", "c"): cc, ("c", "b"): 1 - cc, ("b", "b"): bb, ("b", "c"): 1 - bb}
    emit = [{"c": 1 / (1 + math.exp(-v)) / prior, "b": (1 - 1 / (1 + math.exp(-v))) / (1 - prior)}
            for v in z]
    weight = {"c": 0.0, "b": 0.0}
    posterior = [dict(weight) for _ in z]
    for path in itertools.product("cb", repeat=len(z)):
        p = (prior if path[0] == "c" else 1 - prior) * emit[0][path[0]]
        for i in range(1, len(z)):
            p *= trans[path[i - 1], path[i]] * emit[i][path[i]]
        for i, state in enumerate(path):
            posterior[i][state] += p
    expected = [post["b"] / (post["b"] + post["c"]) for post in posterior]
    assert probabilities(smooth(model, z)) == pytest.approx(expected)


# --- guard --------------------------------------------------------------------------------

def test_guard_backs_off_when_most_prose_would_go() -> None:
    model = replace(text_model(), threshold=0.5, prose_threshold=0.5, guard_share=0.5)
    texts = _texts(page(BODY, BODY))  # enough lines for the stage to judge
    z, shapes = logits(model, texts)
    doomed, backed_off = select(model, shapes, [99.0] * len(texts), z)  # odds of boilerplate
    assert backed_off and doomed == []  # back to the rules' result: nothing removed


def _guarded_page() -> tuple[LineModel, line_features.Shapes]:
    """Twelve prose lines of 20 words: four of article, then eight of comments."""
    model = replace(text_model(), threshold=0.5, prose_threshold=0.5, guard_share=0.4)
    count = 12
    return model, ([20] * count, [True] * count, [True] * count)


def test_guard_lets_the_stage_clear_prose_the_classifier_scored_as_boilerplate() -> None:
    model, shapes = _guarded_page()
    z = [3.0] * 4 + [-3.0] * 8  # the article reads as content, the comments do not
    odds = [0.01] * 4 + [99.0] * 8
    doomed, backed_off = select(model, shapes, odds, z)
    # two thirds of the prose goes, but almost none of the content the classifier expects
    assert not backed_off and doomed == list(range(4, 12))


def test_guard_backs_off_when_the_lines_would_take_what_the_classifier_calls_content() -> None:
    model, shapes = _guarded_page()
    z = [-3.0] * 4 + [3.0] * 8  # the smoothing outvotes the classifier on eight lines
    odds = [0.01] * 4 + [99.0] * 8
    assert select(model, shapes, odds, z) == ([], True)


def test_content_words_weighs_words_by_the_probability_of_content() -> None:
    expected = classifier.content_words([10, 4, 6], [0.0, math.log(3.0), -100.0])
    assert expected == pytest.approx([5.0, 3.0, 6.0 / (1.0 + math.exp(smoothing.LOGIT_LIMIT))])


def test_guard_stays_quiet_on_an_ordinary_page() -> None:
    model = text_model()
    lines = _lines(page(MENU, BODY, FOOTER))
    decision = decide(model, lines)
    assert not decision.backed_off
    gone = {r.text for r in decision.removals}
    assert "Motoring" in gone and not gone & set(BODY[1:])


def test_a_guarded_capture_is_flagged_and_keeps_its_prose() -> None:
    cleaner = Cleaner()
    cleaner._models = {"text": replace(text_model(), threshold=0.0, prose_threshold=0.0)}
    result = cleaner.clean_and_explain(page(MENU, BODY, FOOTER))
    assert result.model_backed_off
    assert result.text == Cleaner(use_model=False).clean(page(MENU, BODY, FOOTER))


def test_a_stage_that_does_not_settle_goes_back_to_the_rules(monkeypatch) -> None:
    # any removal then needs a second round
    monkeypatch.setattr("cleaner.engine.pipeline.MAX_ROUNDS", 1)
    raw = page(["Skip to main content"], MENU, BODY, FOOTER)
    result = Cleaner().clean_and_explain(raw)
    assert result.model_backed_off
    assert result.removals == Cleaner(use_model=False).clean_and_explain(raw).removals


def test_rounds_that_together_take_nearly_every_word_go_back_to_the_rules(monkeypatch) -> None:
    def half_a_round(model, state, keep=frozenset(), context=()):
        """A stage that takes the first half of the lines left, well under a round's guard."""
        lines = [line for line in state.kept if line.text.strip()]
        doomed = {line.number for line in lines[:len(lines) // 2]}
        removals = tuple(Removal("model:stub", "navigation", line.number, 0, len(line.text),
                                 line.text, 1.0) for line in lines if line.number in doomed)
        state.kept = tuple(line for line in state.kept if line.number not in doomed)
        state.removals.extend(removals)
        return classifier.Decision(removals, False)

    monkeypatch.setattr("cleaner.engine.pipeline.run_stage", half_a_round)
    raw = page(BODY, BODY, BODY)
    result = Cleaner().clean_and_explain(raw)
    # a half, a quarter, an eighth, a sixteenth of the words left: the fourth round backs off
    assert result.model_backed_off
    assert result.text == Cleaner(use_model=False).clean(raw)


def test_the_stage_runs_to_a_fixed_point() -> None:
    cleaner = Cleaner()
    once = cleaner.clean_and_explain(page(MENU, BODY, FOOTER, ["Comments", "Jane said:"], MENU))
    assert any(r.rule_id.startswith("model:") for r in once.removals)
    again = cleaner.clean_and_explain(once.text)
    assert again.text == once.text and again.removals == ()


def test_headline_above_the_body_stays() -> None:
    result = Cleaner(models={"text": text_model()}).clean_and_explain(page(MENU, BODY, FOOTER))
    assert result.text.startswith(BODY[0] + "\n")


# Other stories between two parts of an article, and the site's template around it. The
# last, heading-shaped right above prose, reads as a subheading and stays.
TEASERS = ["Schools prepare for the winter term", "Bus fares to rise in January",
           "New cycle lanes for the east side"]
SUBHEADING = "Five things to do in the city this weekend"
TEMPLATE = MENU + FOOTER
TEASED = page(MENU, BODY[:2], TEASERS, [SUBHEADING], BODY[2:], FOOTER)


def test_site_context_is_read_but_never_removed() -> None:
    model = text_model()
    lines = _lines(TEASED)
    kept = [line for line in lines if line.text not in TEMPLATE]
    context = [line for line in lines if line.text in TEMPLATE]
    alone = decide(model, kept)
    read = decide(model, kept, context=context)
    assert not {r.text for r in alone.removals} & {*TEASERS, SUBHEADING}
    # read among the template, teasers go (the first, at least); never the template
    assert TEASERS[0] in {r.text for r in read.removals} <= set(TEASERS)
    # the scores are those of the whole page, template included
    z, _ = logits(model, [line.text for line in lines])
    whole = dict(zip([line.number for line in lines], probabilities(smooth(model, z))))
    assert [r.score for r in read.removals] == [round(whole[r.line], 3) for r in read.removals]
    # the template is context only, though on the whole page the model removes it
    assert {r.text for r in decide(model, lines).removals} >= set(TEMPLATE)


def test_site_context_leaves_lines_above_the_first_prose_line_to_the_page_alone() -> None:
    model = text_model()
    lines = _lines(page(MENU, TEASERS[1:], [SUBHEADING], BODY, FOOTER))
    kept = [line for line in lines if line.text not in MENU]
    context = [line for line in lines if line.text in MENU]
    without = {r.text for r in decide(model, lines).removals}
    assert set(TEASERS[1:]) <= without  # read among the menu, they look like more menu
    assert not {r.text for r in decide(model, kept, context=context).removals} & set(TEASERS)


def _rules_with_a_site_template(tmp_path: Path, template: list[str]) -> Path:
    """The shipped rules and example.com's, which drop ``template``'s lines."""
    rules = tmp_path / "rules"
    shutil.copytree(REPO / "rules", rules)
    listed = "\n".join(f"  {json.dumps(text)}," for text in template)
    (rules / "sites" / "example.com.toml").write_text(f"""schema = 1
description = "A test site: its menu and footer"

[match]
domains = ["example.com"]

[[rule]]
id = "example.com:template"
category = "navigation"
action = "drop-line"
lines = [
{listed}
]
""", encoding="utf-8")
    return rules


def test_site_context_is_read_in_the_first_round_only(tmp_path, monkeypatch) -> None:
    contexts: list[int] = []

    def recording(model, state, keep=frozenset(), context=()):
        contexts.append(len(context))
        return classifier.run_stage(model, state, keep, context)

    monkeypatch.setattr("cleaner.engine.pipeline.run_stage", recording)
    # the text model reads a site's template (given alone, it judges excerpts too)
    cleaner = Cleaner(_rules_with_a_site_template(tmp_path, TEMPLATE),
                      models={"text": text_model()})
    cleaner.clean_and_explain(TEASED, url="https://example.com/a")
    # the first round reads the template (and removes a teaser); the next judges without
    assert contexts[0] == len(TEMPLATE) and contexts[1:] == [0]


# Other stories above an article, under a menu and above a footer that the site rules remove.
ABOVE = ["Anna Lee, City Reporter, 3 May 2021", "Mayor opens new library in the old town hall",
         "Bus fares to rise in January", "Schools prepare for the winter term"]


@pytest.mark.parametrize("raw, template, teasers", [
    (TEASED, TEMPLATE, TEASERS[:1]),  # the template read as context removes the first
    # above the first prose line the page alone is judged, in a round without context
    (page(MENU[:4], ABOVE, BODY, FOOTER[:7]), MENU[:4] + FOOTER[:7], ABOVE),
])
def test_pages_with_site_rules_settle_with_and_without_their_context(
        tmp_path, raw: str, template: list[str], teasers: list[str]) -> None:
    cleaner = Cleaner(_rules_with_a_site_template(tmp_path, template),
                      models={"text": text_model()})
    once = cleaner.clean_and_explain(raw, url="https://example.com/a")
    by_rule = {r.text: r.rule_id for r in once.removals}
    assert all(by_rule.get(text) == "example.com:template" for text in template)
    assert all(by_rule.get(text, "").startswith("model:") for text in teasers)
    assert once.text.startswith(BODY[0])  # the headline stays
    again = cleaner.clean_and_explain(once.text, url="https://example.com/a")
    assert again.text == once.text and again.removals == ()


def test_an_excerpt_is_judged_by_its_own_model_without_the_site_template(
        tmp_path, monkeypatch) -> None:
    judged: list[tuple[str, int]] = []

    def recording(model, state, keep=frozenset(), context=()):
        judged.append((model.name, len(context)))
        return classifier.run_stage(model, state, keep, context)

    monkeypatch.setattr("cleaner.engine.pipeline.run_stage", recording)
    cleaner = Cleaner(_rules_with_a_site_template(tmp_path, TEMPLATE))
    assert len(TEASED) <= line_model.EXCERPT_CHARS
    cleaner.clean_and_explain(TEASED, url="https://example.com/a")
    assert judged and all(entry == ("excerpt-lines", 0) for entry in judged)
    judged.clear()
    long_page = page(MENU, BODY * 4, TEASERS, BODY, FOOTER)
    assert len(long_page) > line_model.EXCERPT_CHARS
    cleaner.clean_and_explain(long_page, url="https://example.com/a")
    assert judged[0] == ("text-lines", len(TEMPLATE))


# --- the pipeline -------------------------------------------------------------------------

def test_model_removals_are_recorded_with_ids_categories_and_scores() -> None:
    result = Cleaner().clean_and_explain(page(MENU, BODY, FOOTER))
    model_removals = [r for r in result.removals if r.rule_id.startswith("model:")]
    assert {r.text for r in model_removals} >= {"Motoring", "Careers"}
    for removal in model_removals:  # a page this short is an excerpt
        assert removal.rule_id == "model:excerpt-lines"
        assert removal.category == "navigation"
        assert removal.score is not None and 0.0 <= removal.score <= 1.0
        assert removal.as_dict()["score"] == removal.score
    assert "Motoring" not in result.text and BODY[1] in result.text


def test_use_model_false_gives_the_rules_only_output() -> None:
    raw = page(["Skip to main content"], MENU, BODY, FOOTER)
    rules_only = Cleaner(use_model=False).clean_and_explain(raw)
    assert not any(r.rule_id.startswith("model:") for r in rules_only.removals)
    assert "Motoring" in rules_only.text and "Skip to main content" not in rules_only.text
    with_model = Cleaner().clean_and_explain(raw)
    assert [r for r in with_model.removals if not r.rule_id.startswith("model:")] \
        == list(rules_only.removals)


def test_models_given_to_the_cleaner_replace_the_shipped_weights() -> None:
    # measuring on pages the shipped model was trained on needs other weights
    other = replace(text_model(), name="text-held-out")
    result = Cleaner(models={"text": other}).clean_and_explain(page(MENU, BODY, FOOTER))
    assert {r.rule_id for r in result.removals if r.rule_id.startswith("model:")} \
        == {"model:text-held-out"}
    no_text_model = Cleaner(models={}).clean_and_explain(page(MENU, BODY, FOOTER))
    assert "Motoring" in no_text_model.text and BODY[1] in no_text_model.text


def test_kept_categories_are_not_removed_by_the_model() -> None:
    result = Cleaner(keep_categories={"navigation"}).clean_and_explain(page(MENU, BODY, FOOTER))
    assert "Motoring" in result.text


def test_weights_load_from_the_installed_package() -> None:
    data = resources.files("cleaner.engine").joinpath("data", "classifier.json")
    assert data.is_file()
    models = load_models()
    assert set(models) == {"text", "html", "excerpt"}
    for model in models.values():
        assert len(model.weights) == len(FEATURE_NAMES)
        assert 0 < model.threshold <= model.prose_threshold <= 1


def test_a_cleaner_with_the_model_pickles() -> None:
    cleaner = pickle.loads(pickle.dumps(Cleaner()))
    assert "Motoring" not in cleaner.clean(page(MENU, BODY, FOOTER))


def test_explain_shows_model_removals_with_scores(tmp_path, capsys) -> None:
    capture = tmp_path / "page.txt"
    capture.write_text(page(MENU, BODY, FOOTER), encoding="utf-8")
    assert main(["explain", str(capture), "--color", "never"]) == 0
    out = capsys.readouterr().out
    line = next(l for l in out.splitlines() if l.rstrip().endswith(")") and "Motoring" in l)
    assert "- Motoring" in line and "<- model:excerpt-lines (navigation, score " in line
    assert main(["explain", str(capture), "--color", "never", "--no-model"]) == 0
    assert "model:" not in capsys.readouterr().out


def test_clean_no_model_flag(tmp_path, capsys) -> None:
    capture = tmp_path / "page.txt"
    capture.write_text(page(MENU, BODY, FOOTER), encoding="utf-8")
    assert main(["clean", str(capture), "-q"]) == 0
    assert "Motoring" not in capsys.readouterr().out
    assert main(["clean", str(capture), "-q", "--no-model"]) == 0
    assert "Motoring" in capsys.readouterr().out


@pytest.mark.skipif(not SEEDS.is_dir(), reason="no seeds in this checkout")
def test_goldens_unchanged_with_the_model_on() -> None:
    cleaner = Cleaner()
    assert cleaner.use_model
    assert compare_seeds(cleaner, SEEDS, GOLDEN) == []


def test_table_rows_are_never_removed_by_the_model(monkeypatch) -> None:
    # an HTML page's table as extraction prints it, among a menu and a footer
    table = ["| Pos. | Driver | Points |", "| 1 | Kyle Busch | 5040 |", "| 2 | Martin Truex | 5035 |"]
    raw = page(MENU, BODY[:2], table, BODY[2:], FOOTER)
    result = Cleaner().clean_and_explain(raw)
    assert all(row in result.text for row in table)
    assert "Careers" not in result.text  # the model still judges the other lines
    monkeypatch.setattr(classifier, "TABLE_ROW", re.compile(r"(?!)"))
    unprotected = Cleaner().clean_and_explain(raw)
    assert any(row not in unprotected.text for row in table)  # what the exception saves


def test_the_text_model_judges_only_a_text_the_rules_found_furniture_in() -> None:
    long_body = BODY + [line.replace(old, new) for old, new in
                        (("park", "garden"), ("council", "board"), ("river", "canal"))
                        for line in BODY[1:]]
    menu = ["Money", "Motoring", "Property", "Style", "Puzzles", "Podcasts"]  # no rule names them
    article = page(menu, long_body)
    assert len(article) > line_model.EXCERPT_CHARS  # judged as a whole text, not an excerpt
    untouched = Cleaner().clean_and_explain(article)
    assert untouched.removals == () and "Motoring" in untouched.text
    furnished = Cleaner().clean_and_explain(page(["Skip to main content"], menu, long_body))
    assert any(r.rule_id == "model:text-lines" for r in furnished.removals)
    assert "Motoring" not in furnished.text
