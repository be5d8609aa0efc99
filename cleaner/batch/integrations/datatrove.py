"""A datatrove pipeline step that cleans each document's text in place.

Put ``CleanerStep()`` between a reader and the filters or writer of a datatrove
pipeline. Each document's text (or the HTML in its metadata) becomes the cleaned
article; what was removed, the metadata found and the paywall flag go to
``doc.metadata["cleaner"]``. Documents left empty, and with an exclusion writer those
that failed, are not passed on: like a datatrove filter's, they go to that writer.
"""
from __future__ import annotations

from collections.abc import Iterable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

try:
    # datatrove ships no type hints
    from datatrove.data import Document, DocumentsPipeline  # type: ignore[import-untyped]
    from datatrove.pipeline.base import PipelineStep  # type: ignore[import-untyped]
    from datatrove.pipeline.writers.disk_base import DiskWriter  # type: ignore[import-untyped]
    from datatrove.utils.typeshelper import StatHints  # type: ignore[import-untyped]
except ImportError as exc:  # an optional dependency: say how to get it
    raise ImportError("cleaner.batch.integrations.datatrove needs datatrove: "
                      "pip install 'cleaner[datatrove]'") from exc

from ...engine.pipeline import Cleaner
from ...engine.rules import RuleBook
from ...errors import CleanerError
from ...model import CATEGORIES
from ..tasks import Options, Task, clean_task

__all__ = ["CleanerStep"]

# What became of a document; the last two are its ``filter_reason`` when excluded.
KEPT, EMPTY, FAILED = "kept", "empty", "cleaner_error"


class CleanerStep(PipelineStep):
    """Clean ``doc.text`` with the cleaner's rules; drop documents left empty.

    ``rules`` is a rules directory (as seen by the worker) or None for the shipped
    rules; ``keep_categories`` names removal categories to leave in the text. The
    page's URL, which picks the site rules, is read from ``doc.metadata[url_key]``.
    When ``doc.metadata[html_key]`` holds the page's HTML (a JSONL reader puts a
    record's ``html`` field there), it is cleaned instead of ``doc.text`` and leaves
    the metadata, as ``cleaner clean`` prefers a record's HTML to its text.

    A cleaned document gets ``doc.metadata["cleaner"]``: site, title, author, date,
    paywalled and removals (rule, category, text). A document that cannot be
    cleaned keeps its text and gets ``doc.metadata["cleaner_error"]`` {reason,
    message}; it is passed on, or given to ``exclusion_writer`` when there is one.
    With ``drop_empty``, documents with nothing left are dropped, and given to
    ``exclusion_writer`` with the text they came with. Excluded documents get
    ``doc.metadata["filter_reason"]``, "empty" or "cleaner_error", as datatrove's
    filters mark theirs.
    """

    name = "🧹 Cleaner"
    type = "✂️ - FORMAT"

    def __init__(self, rules: Path | str | RuleBook | None = None,
                 keep_categories: Iterable[str] = (), url_key: str = "url",
                 drop_empty: bool = True, html_key: str | None = "html",
                 exclusion_writer: DiskWriter | None = None) -> None:
        super().__init__()
        self.rules = rules
        self.keep_categories = tuple(keep_categories)
        # Checked here so a typo fails when the pipeline is built, not in every task.
        unknown = set(self.keep_categories) - set(CATEGORIES)
        if unknown:
            raise CleanerError(f"unknown categories to keep: {', '.join(sorted(unknown))}")
        self.url_key = url_key
        self.html_key = html_key
        self.drop_empty = drop_empty
        self.exclusion_writer = exclusion_writer
        self.options = Options()
        self._cleaner: Cleaner | None = None

    def __getstate__(self) -> dict[str, Any]:
        # Steps are pickled to every task; each loads its rules where it runs.
        state = self.__dict__.copy()
        state["_cleaner"] = None
        return state

    @property
    def cleaner(self) -> Cleaner:
        """The Cleaner, built on first use in the process that runs the step."""
        if self._cleaner is None:
            self._cleaner = Cleaner(self.rules, keep_categories=self.keep_categories)
        return self._cleaner

    def run(self, data: DocumentsPipeline, rank: int = 0,
            world_size: int = 1) -> DocumentsPipeline:
        _ = self.cleaner  # load the rules now, so the first document's time is its own
        writer = self.exclusion_writer
        with writer if writer is not None else nullcontext() as excluded:
            for doc in data:
                self.stat_update(StatHints.total)
                with self.track_time():
                    outcome = self.clean_document(doc)
                if outcome == KEPT or (outcome == FAILED and excluded is None):
                    self.stat_update(StatHints.forwarded)
                    self.update_doc_stats(doc)
                    yield doc
                    continue
                self.stat_update(StatHints.dropped)
                if outcome == EMPTY:
                    self.stat_update("dropped_empty")
                if excluded is not None:
                    doc.metadata["filter_reason"] = outcome
                    excluded.write(doc, rank)

    def clean_document(self, doc: Document) -> str:
        """Clean ``doc`` in place: "kept", "empty" (left as it came) or "cleaner_error"."""
        url = doc.metadata.get(self.url_key)
        url = url if isinstance(url, str) and url else None
        html = doc.metadata.get(self.html_key) if self.html_key else None
        capture = html if isinstance(html, str) and html else doc.text
        try:
            payload = capture.encode("utf-8")
        except UnicodeEncodeError as exc:  # lone surrogates: not text the cleaner can read
            return self._failed(doc, {"reason": "capture",
                                      "message": f"not valid Unicode text: {exc}"})
        # The batch core's per-capture limits and error reasons, same as `cleaner clean`.
        result = clean_task(self.cleaner, self.options, Task(0, str(doc.id), payload, url=url))
        record = result.record
        if record is None:
            assert result.error is not None, "a result without a record has an error"
            return self._failed(doc, result.error)
        doc.metadata["cleaner"] = _summary(record)
        if record["paywalled"]:
            self.stat_update("paywalled")
        if not record["text"] and self.drop_empty:
            return EMPTY
        doc.text = record["text"]
        if capture is html:
            del doc.metadata[self.html_key]  # the cleaned text replaces it
        return KEPT

    def _failed(self, doc: Document, error: dict[str, str]) -> str:
        doc.metadata["cleaner_error"] = dict(error)
        self.stat_update("cleaner_error", f"cleaner_error_{error['reason']}")
        return FAILED


def _summary(record: dict[str, Any]) -> dict[str, Any]:
    """The metadata a document keeps: no line numbers or spans, which index the raw text."""
    return {
        "site": record["site"], "title": record["title"], "author": record["author"],
        "date": record["date"], "paywalled": record["paywalled"],
        "removals": [{"rule": r["rule"], "category": r["category"], "text": r["text"]}
                     for r in record["removals"]],
    }
