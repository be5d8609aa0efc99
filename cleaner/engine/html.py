"""HTML in, article text and metadata out: trafilatura, with readability as a second opinion.

This is the only module that imports trafilatura. The page is parsed once.
Trafilatura runs in its recall mode, which keeps the most of the article (and
skips the readability pass it would otherwise run on long pages); the
readability algorithm trafilatura ships with then picks the page's main-content
node, and ``agreement.cut_tail`` drops what trafilatura kept after the article
that node ends with.
"""
from __future__ import annotations

import html as entities

import regex
import trafilatura
from lxml.html import HtmlElement, HTMLParser, fromstring
from trafilatura.readability_lxml import Document as Readability
from trafilatura.settings import Document

from ..errors import CaptureError
from ..model import Metadata
from .agreement import cut_tail

# Readability's summary is serialised markup; only its words are compared, so tags
# become spaces (block ends must not glue two words into one).
TAG = regex.compile(r"<[^>]*>")
# libxml2 stops parsing where elements nest deeper than its limit, and what follows is
# lost: a tree whose last element lies this deep was cut there. Parsed again with the
# huge-tree option, the limit is higher; a tree cut at that one cannot be read.
CUT_DEPTH = 255
HUGE_CUT_DEPTH = 2047
# trafilatura's own parser options, with deep trees allowed
DEEP_PARSER = HTMLParser(collect_ids=False, default_doctype=False, encoding="utf-8",
                         remove_comments=True, remove_pis=True, huge_tree=True)


def from_html(html: str, url: str | None = None,
              source: str | None = None) -> tuple[str, Metadata]:
    """The article's text (one block per line) and the title, author and date the page gives."""
    try:
        tree = parse(html, source)
        document = trafilatura.bare_extraction(tree, url=url, with_metadata=True,
                                               favor_recall=True, include_comments=False,
                                               include_tables=True) \
            if tree is not None else None
    except CaptureError:
        raise
    except Exception as exc:  # trafilatura raises many kinds; all mean "cannot extract"
        raise CaptureError(f"HTML extraction failed: {type(exc).__name__}: {exc}", source) \
            from exc
    if not isinstance(document, Document):  # None: nothing worth extracting
        return "", Metadata()
    metadata = Metadata(title=document.title or None, author=document.author or None,
                        date=document.date or None)
    text = document.text or ""
    main = main_content(tree) if text else None  # bare_extraction worked on a copy
    if main is not None:
        text = "\n".join(cut_tail(text.split("\n"), main))
    return text, metadata


def parse(html: str, source: str | None = None) -> HtmlElement | None:
    """The page's tree as trafilatura loads it, parsed again allowing deep trees when
    libxml2 stopped at its nesting limit (the text after that point would be lost)."""
    tree = trafilatura.load_html(html)
    if tree is None or last_depth(tree) < CUT_DEPTH:
        return tree
    tree = fromstring(html.encode("utf-8", "replace"), parser=DEEP_PARSER)
    if last_depth(tree) >= HUGE_CUT_DEPTH:
        raise CaptureError(f"HTML nested deeper than {HUGE_CUT_DEPTH} elements: "
                           f"the parser cannot read past that depth", source)
    return tree


def last_depth(tree: HtmlElement) -> int:
    """How deep the page's last element lies below its root (where a cut parse stopped)."""
    depth = 0
    while len(tree):
        tree, depth = tree[-1], depth + 1
    return depth


def main_content(tree: object) -> str | None:
    """The words of readability's main-content node, or None when it fails on this page.

    A second opinion only: when it fails, trafilatura's text stands as it is.
    """
    try:
        summary = Readability(tree).summary()
    except Exception:  # the algorithm is heuristic code over any markup; no opinion then
        return None
    return entities.unescape(TAG.sub(" ", summary))
