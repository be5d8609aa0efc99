"""Tests for cleaner/engine/html.py: trafilatura's extraction, cut where readability's
article ends."""
from __future__ import annotations

import pytest
import trafilatura

import cleaner.engine.html
from cleaner import clean_and_explain
from cleaner.engine.html import from_html, main_content
from cleaner.errors import CaptureError
from cleaner.model import Metadata

from .test_extract import HEADLINE, PARAGRAPHS

ARTICLE = PARAGRAPHS + (
    "The mayor said the park would be open to the public every day of the year, from dawn "
    "until late in the evening.",
)
TEASERS = (
    "Police are asking for witnesses after a lorry overturned on the ring road early on "
    "Sunday morning.",
    "The old cinema on the high street will reopen as a music venue after a long "
    "restoration project.",
    "Local schools have been told to prepare for a rise in pupil numbers over the next "
    "five years.",
)


def page() -> str:
    """A news page whose story block ends with teasers of other stories, in prose."""
    body = "\n".join(f"<p>{text}</p>" for text in ARTICLE)
    teasers = "\n".join(f'<div class="teaser"><h3><a href="/s{i}">Story {i}</a></h3>'
                        f"<p>{text}</p></div>" for i, text in enumerate(TEASERS))
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{HEADLINE}</title><meta name='author' content='Jane Roe'>"
            "<meta property='article:published_time' content='2023-04-04'></head><body>"
            "<nav><a href='/'>Home</a></nav><main><div class='story'>"
            f"<h1>{HEADLINE}</h1>\n<div class='text'>{body}</div>\n"
            f"<div class='more'><h2>More from the city</h2>\n{teasers}</div></div></main>"
            "<footer><p>Example News</p></footer></body></html>")


def test_trafilatura_alone_keeps_the_teasers():
    # the premise of the combination: trafilatura takes the teaser block for article
    alone = trafilatura.bare_extraction(page(), favor_recall=True, include_comments=False)
    assert all(teaser in alone.text for teaser in TEASERS)


def test_teasers_after_the_article_are_dropped():
    text, _ = from_html(page())
    lines = text.split("\n")
    assert lines == [HEADLINE, *ARTICLE]  # the headline readability leaves out stays
    assert "More from the city" not in text
    assert not any(teaser in text for teaser in TEASERS)


def test_metadata_comes_from_the_page():
    _, metadata = from_html(page())
    assert (metadata.title, metadata.author, metadata.date) == \
        (HEADLINE, "Jane Roe", "2023-04-04")


def test_cleaner_result_on_the_page():
    result = clean_and_explain(page())
    assert result.text == "\n".join([HEADLINE, *ARTICLE]) + "\n"
    assert result.removals == ()  # the tail went at extraction, before any rule
    assert result.metadata.author == "Jane Roe"
    assert result.metadata.date == "2023-04-04"


def test_main_content_is_readabilitys_words():
    tree = trafilatura.load_html(page())
    words = main_content(tree)
    assert words is not None
    assert "<" not in words
    assert all(paragraph in " ".join(words.split()) for paragraph in ARTICLE)


def test_a_failing_second_opinion_leaves_trafilatura_text(monkeypatch):
    class Broken:
        def __init__(self, tree: object) -> None:
            raise ValueError("no candidates")

    monkeypatch.setattr(cleaner.engine.html, "Readability", Broken)
    text, _ = from_html(page())
    assert all(teaser in text for teaser in TEASERS)


def test_trafilatura_failure_is_a_capture_error(monkeypatch):
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("parser exploded")

    monkeypatch.setattr(cleaner.engine.html.trafilatura, "bare_extraction", broken)
    with pytest.raises(CaptureError, match="HTML extraction failed: RuntimeError") as caught:
        from_html(page(), source="page.html")
    assert caught.value.source == "page.html"


@pytest.mark.parametrize("html", ["", "<html><body></body></html>"])
def test_a_page_with_nothing_to_extract(html):
    assert from_html(html) == ("", Metadata())


@pytest.mark.parametrize("depth", [300, 1500])
def test_text_nested_past_libxml2s_depth_limit_is_kept(depth):
    deep = "<div>" * depth + f"<p>{ARTICLE[0]}</p>" + "</div>" * depth
    text, _ = from_html(f"<html><body>{deep}<p>{ARTICLE[1]}</p></body></html>")
    assert ARTICLE[0] in text.split("\n")


def test_nesting_past_the_huge_tree_limit_fails_with_a_reason():
    deep = "<div>" * 3000 + f"<p>{ARTICLE[0]}</p>" + "</div>" * 3000
    with pytest.raises(CaptureError, match="nested deeper than 2047 elements") as caught:
        from_html(f"<html><body>{deep}</body></html>", source="deep.html")
    assert caught.value.source == "deep.html"
