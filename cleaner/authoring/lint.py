"""Data checks on files that should already be clean: every boilerplate line left is a finding.

A text file is checked as one capture; a JSONL file record by record, on its text
field. The rules run as ``clean`` runs them (the site's rules chosen by the record's
URL, else by signature), by default without the generic stage: its scores are
judgements, and a data check should only report what a rule can name.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ..batch.tasks import Task
from ..engine.pipeline import Cleaner
from ..errors import CleanerError

SHOWN_CHARS = 80


@dataclass(frozen=True, slots=True)
class Finding:
    """One boilerplate line in a data file: where it is, which rule names it, what it says."""

    path: str
    line: int
    rule_id: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.rule_id}: {self.message}"


@dataclass(frozen=True, slots=True)
class Fields:
    """The JSONL fields that hold a record's text and URL, and its HTML when asked for.

    A record with the HTML field is checked on its page's text, as ``clean`` reads it;
    one without, on its text field.
    """

    text: str = "text"
    url: str = "url"
    html: str | None = None


def lint_tasks(cleaner: Cleaner, tasks: Iterable[Task], fields: Fields = Fields(),
               url: str | None = None) -> Iterator[Finding]:
    """Findings of every task, in input order; a task that cannot be read is one finding."""
    for task in tasks:
        yield from lint_task(cleaner, task, fields, url)


def lint_task(cleaner: Cleaner, task: Task, fields: Fields = Fields(),
              url: str | None = None) -> list[Finding]:
    path, line = _where(task)
    if task.error is not None:
        return [Finding(path, line, "lint:unreadable", task.error[1])]
    if task.format != "jsonl":
        return lint_text(cleaner, task.payload, path, url=task.url or url)
    try:
        text, kind, record_url = _record(task.payload, fields)
    except CleanerError as exc:
        return [Finding(path, line, "lint:bad-record", str(exc))]
    return lint_text(cleaner, text, path, url=record_url or url, record_line=line, kind=kind)


def lint_text(cleaner: Cleaner, text: bytes | str, path: str, url: str | None = None,
              record_line: int | None = None, kind: str = "text") -> list[Finding]:
    """What the rules would still remove from ``text`` (``kind`` "html": from a page's text).

    In a text file a finding's line is the file's line; in a JSONL record it is the
    record's line, and the message says which line of the text.
    """
    cleaned = cleaner.clean_and_explain(text, url=url, kind=kind, source=path)
    findings = []
    for removal in cleaned.removals:
        shown = removal.text.strip()
        if len(shown) > SHOWN_CHARS:
            shown = shown[:SHOWN_CHARS] + "…"
        message = f"{removal.category}: {shown!r}"
        if record_line is not None:
            message += f" (line {removal.line} of the text)"
        findings.append(Finding(path, record_line or removal.line, removal.rule_id, message))
    return findings


def _where(task: Task) -> tuple[str, int]:
    """A task's file and line: ``<file>:<line>`` for JSONL records, line 1 for files."""
    source = task.source or task.id
    if task.format == "jsonl":
        path, _, number = source.rpartition(":")
        if number.isdigit():
            return path, int(number)
    return source, 1


def _record(payload: bytes, fields: Fields) -> tuple[str, str, str | None]:
    """The record's text or HTML, which of the two it is, and its URL."""
    try:
        data: Any = json.loads(payload)
    except (ValueError, RecursionError) as exc:
        raise CleanerError(f"not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise CleanerError("a JSONL line must hold a JSON object")
    url = data.get(fields.url)
    url = url if isinstance(url, str) and url else None
    html = data.get(fields.html) if fields.html is not None else None
    if isinstance(html, str) and html:
        return html, "html", url
    if isinstance(data.get(fields.text), str):
        return data[fields.text], "text", url
    wanted = f"a text field '{fields.text}'" + (
        f" or an HTML field '{fields.html}'" if fields.html is not None else "")
    raise CleanerError(f"a JSON object with {wanted} was expected")
