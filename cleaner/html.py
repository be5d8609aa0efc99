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
from trafilatura.readability_lxml import Document as Readability
from trafilatura.settings import Document

from .agreement import cut_tail
from .errors import CaptureError
from .model import Metadata

# Readability's summary is serialised markup; only its words are compared, so tags
# become spaces (block ends must not glue two words into one).
TAG = regex.compile(r"<[^>]*>")


def from_html(html: str, url: str | None = None,
              source: str | None = None) -> tuple[str, Metadata]:
    """The article's text (one block per line) and the title, author and date the page gives."""
    try:
        tree = trafilatura.load_html(html)
        document = trafilatura.bare_extraction(tree, url=url, with_metadata=True,
                                               favor_recall=True, include_comments=False,
                                               include_tables=True) \
            if tree is not None else None
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


def main_content(tree: object) -> str | None:
    """The words of readability's main-content node, or None when it fails on this page.

    A second opinion only: when it fails, trafilatura's text stands as it is.
    """
    try:
        summary = Readability(tree).summary()
    except Exception:  # the algorithm is heuristic code over any markup; no opinion then
        return None
    return entities.unescape(TAG.sub(" ", summary))
