"""The engine and library API: results, metadata, categories kept, pickling, timeouts."""
from __future__ import annotations

import pickle

import pytest

from cleaner import CATEGORIES, Cleaner, CleanerError, clean, clean_and_explain
from cleaner.batch.records import result_record
from cleaner.engine.passes import apply_rules
from cleaner.engine.rule_tables import rule_from_dict
from cleaner.engine.tidy import assemble, guess_title
from cleaner.errors import PatternTimeout
from cleaner.model import Line

from .helpers import SEED_URLS, seed_bytes

CAPTURE = """Skip to main content

Council backs new park

By Jane Roe

April 4, 2023

The council voted on Tuesday to expand the park, a decision that followed months of debate.

Advertisement

Officials said construction would begin next spring.

Subscribe for unlimited access
"""


def test_clean_and_explain_reports_everything():
    result = clean_and_explain(CAPTURE)
    assert result.text == ("Council backs new park\n\nThe council voted on Tuesday to expand the "
                           "park, a decision that followed months of debate.\n\nOfficials said "
                           "construction would begin next spring.\n")
    assert result.metadata.title == "Council backs new park"
    assert result.metadata.author == "Jane Roe"
    assert result.metadata.date == "2023-04-04"
    assert result.metadata.site is None
    assert result.paywalled is True
    assert {r.category for r in result.removals} == {"navigation", "byline", "dateline", "ad",
                                                     "subscription"}
    assert all(r.category in CATEGORIES for r in result.removals)
    assert clean(CAPTURE) == result.text


def test_removal_records_line_and_text():
    result = clean_and_explain(CAPTURE)
    advert = next(r for r in result.removals if r.category == "ad")
    assert (advert.line, advert.text, advert.start, advert.end) == (11, "Advertisement", 0, 13)


def test_bytes_and_str_give_the_same_result():
    assert clean(CAPTURE.encode("utf-8")) == clean(CAPTURE)


def test_site_from_url_host_when_no_site_rules():
    assert clean_and_explain(CAPTURE, url="https://www.example.org/x").metadata.site == \
        "example.org"


def test_keep_categories_leaves_lines_but_still_flags():
    kept = Cleaner(keep_categories=["subscription", "navigation"]).clean_and_explain(CAPTURE)
    assert "Subscribe for unlimited access" in kept.text
    assert "Skip to main content" in kept.text
    assert "Advertisement" not in kept.text
    assert kept.paywalled is True
    assert all(r.category not in {"subscription", "navigation"} for r in kept.removals)


def test_unknown_keep_category_is_an_error():
    with pytest.raises(CleanerError, match="cookies"):
        Cleaner(keep_categories=["cookies"])


def test_cleaner_pickles_and_gives_the_same_output(cleaner):
    name = "003_d6920b419249fd4b.txt"
    copy = pickle.loads(pickle.dumps(cleaner))
    assert copy.clean(seed_bytes(name), url=SEED_URLS[name]) == \
        cleaner.clean(seed_bytes(name), url=SEED_URLS[name])


def test_pattern_timeout_names_the_rule():
    rule = rule_from_dict({"id": "x:slow", "category": "ad", "action": "drop-line",
                           "patterns": [r"x(?:a|aa)+y.*"]})
    line = "x" + "a" * 80 + "z"
    with pytest.raises(PatternTimeout, match="x:slow"):
        apply_rules([Line(1, line)], [rule], timeout=1e-5)


def test_stray_punctuation_goes_with_the_block_above():
    rule = rule_from_dict({"id": "x:wall", "category": "subscription", "action": "drop-line",
                           "lines": ["Please log in"]})
    lines = [Line(i, t) for i, t in enumerate(["Text.", "", "Please log in", "", ".", "More."], 1)]
    state = apply_rules(lines, [rule])
    assert assemble(state.kept) == "Text.\n\nMore.\n"
    assert [(r.rule_id, r.text) for r in state.removals] == [("x:wall", "Please log in"),
                                                             ("x:wall", ".")]


def test_stray_punctuation_after_kept_text_stays():
    lines = [Line(1, "Text."), Line(2, "."), Line(3, "More.")]
    assert assemble(apply_rules(lines, []).kept) == "Text.\n.\nMore.\n"


def test_assemble_collapses_blank_runs_and_trims():
    lines = [Line(1, ""), Line(2, "a"), Line(3, ""), Line(4, "   "), Line(5, "b"), Line(6, "")]
    assert assemble(lines) == "a\n\nb\n"
    assert assemble([Line(1, "")]) == ""


def test_title_is_a_short_first_line_only():
    assert guess_title([Line(1, ""), Line(2, "Short headline")]) == "Short headline"
    assert guess_title([Line(1, " ".join(["word"] * 40))]) is None


def test_html_metadata_fills_gaps():
    html = ("<html><head><title>Park plan approved</title>"
            "<meta name='author' content='Jane Roe'></head><body><article>"
            "<h1>Park plan approved</h1>"
            "<p>The council voted on Tuesday to expand the city park after months of debate.</p>"
            "<p>Officials said construction would begin next spring and cost two million.</p>"
            "<p>Advertisement</p></article></body></html>")
    result = clean_and_explain(html)
    assert "Advertisement" not in result.text
    assert "The council voted on Tuesday" in result.text
    assert result.metadata.title == "Park plan approved"
    assert result.metadata.author == "Jane Roe"


def test_a_288_kb_line_does_not_fail_its_capture(cleaner):
    """One line of 288 KB in the shape that made en-caption:credit's "©" pattern (no
    width bound, a lookahead over the rest of the line) run past its timeout: the
    capture failed. The line is too long to be a credit; that pattern is not tried on
    it, the capture is cleaned and the line listed as one some rules did not judge."""
    line = ("Ab Cd © Ef " * 26_200).strip()
    assert len(line.encode("utf-8")) > 288_000
    result = cleaner.clean_and_explain(f"Headline\n\n{line}\n\nPhoto: Getty Images\n\nBody.\n")
    assert line in result.text.splitlines()
    assert "Photo: Getty Images" not in result.text  # short lines are judged as ever
    assert result.long_lines == (3,)
    assert result_record(result)["long_lines"] == [3]
    assert "long_lines" not in result_record(cleaner.clean_and_explain(CAPTURE))
