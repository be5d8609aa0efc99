"""Cleaning is idempotent for HTML input too, the generic stage on: a page's cleaned
text, cleaned again, comes out the same (what `cleaner lint` reads of `cleaner clean`'s
own output must be clean). Text captures are covered in test_properties.py.
"""
from __future__ import annotations

import random
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner import Cleaner
from cleaner.engine.extract import extract

from .synthetic import sentence
from .test_extract import HEADLINE, PARAGRAPHS, page
from .test_properties import check_accounting

CLEANER = Cleaner()
# lines the text model and the HTML model judge differently inside an article's markup
ASIDES = ("More world stories from NBC News:", "Follow World News on Twitter and Facebook",
          "Cross-posted on Blogger Buzz", "STORY HIGHLIGHTS", "Related: Five things we learned",
          "Share this article", "Advertisement", "Read more")


def article_page(paragraphs: list[str]) -> str:
    body = "".join(f"<p>{text}</p>" for text in paragraphs)
    return (f"<html><head><title>{HEADLINE}</title></head><body><article>"
            f"<h1>{HEADLINE}</h1>{body}</article></body></html>")


def cleaned_twice(capture: str) -> tuple[str, str]:
    once = CLEANER.clean(capture)
    return once, CLEANER.clean(once)


def test_markup_after_a_line_of_text_loses_its_markup_the_first_time():
    once, twice = cleaned_twice("Advertisement\n<html><body><p>Hello there, world.</p>"
                                "</body></html>")
    assert once == twice == "Hello there, world.\n"


def test_a_tag_like_word_left_by_broken_markup_is_text_the_second_time():
    # found by fuzzing: "<head?" survives extraction and was then read as markup
    once, twice = cleaned_twice("<html><<html>head?<title>Iran is intimately involved in t(")
    assert once == twice


def test_markup_left_in_an_html_pages_text_is_extracted_the_first_time():
    # found by fuzzing: markup that survives extraction (here escaped in the page) made
    # the page's cleaned text read as HTML when cleaned again
    escaped = "&lt;div&gt;&lt;div&gt;&lt;p&gt;" + PARAGRAPHS[0] + "&lt;/p&gt;&lt;/div&gt;&lt;/div&gt;"
    body = "".join(f"<p>{text}</p>" for text in [escaped, *PARAGRAPHS[1:]])
    once, twice = cleaned_twice(f"<html><body><article>{body}</article></body></html>")
    assert once == twice
    assert "<div>" not in once


def test_markup_after_a_byte_order_mark_is_read_as_html():
    once, twice = cleaned_twice("\ufeff" + page())
    assert "<" not in once
    assert once == twice


def test_an_html_pages_text_is_settled_as_text():
    paragraphs = ["Follow World News on Twitter and Facebook", "More world stories from NBC News:",
                  PARAGRAPHS[0], "Share this article", *PARAGRAPHS[1:], "Share this article"]
    page_text = article_page(paragraphs)
    once, twice = cleaned_twice(page_text)
    assert once == twice
    assert all(paragraph in once for paragraph in PARAGRAPHS)
    check_accounting(CLEANER.clean_and_explain(page_text))  # removals map to the page's lines


def test_a_line_of_invisible_fillers_does_not_survive_once():
    paragraphs = ["Share this article", "\u115fShare this article", "\u2800\u2800",
                  PARAGRAPHS[0], "\u180e\u180e", PARAGRAPHS[1], "\u2800Read more"]
    once, twice = cleaned_twice(article_page(paragraphs))
    assert once == twice
    assert all(line.strip("\u115f\u180e\u2800 ") for line in once.splitlines() if line)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000))
def test_generated_html_pages_are_idempotent(seed: int) -> None:
    rng = random.Random(seed)
    paragraphs = [sentence(rng, rng.randint(8, 30)) for _ in range(rng.randint(2, 7))]
    for _ in range(rng.randint(1, 4)):
        paragraphs.insert(rng.randint(0, len(paragraphs)), rng.choice(ASIDES))
    once, twice = cleaned_twice(article_page(paragraphs))
    assert once == twice


def test_the_text_round_keeps_the_pages_own_fields():
    paragraphs = ["Follow World News on Twitter and Facebook", "More world stories from NBC News:",
                  PARAGRAPHS[0], "Share this article", *PARAGRAPHS[1:], "Share this article"]
    page_cleaned, kept = CLEANER._clean(extract(article_page(paragraphs)), None, None)
    page_cleaned = replace(page_cleaned, long_lines=(99,), warnings=("a warning",))
    settled = CLEANER._clean_as_text(page_cleaned, kept, None, None)
    assert settled.text != page_cleaned.text  # the text round removed something
    assert (settled.long_lines, settled.warnings, settled.lines) == \
        ((99,), ("a warning",), page_cleaned.lines)
