"""Cleaning one capture of a batch: tasks, results, and per-capture fault isolation.

A batch is a stream of ``Task``s cut into chunks. ``clean_chunk`` turns a chunk into
``Result``s in any process (a local pool, a Dask worker); a failure becomes a Result
with an error instead of an exception, so one broken capture never stops a batch.
Executors (``pool.LocalExecutor``, ``integrations.dask``) run chunks with a bounded
number in flight and yield results in input order, so memory stays flat however long
the input is. Each capture is cleaned under its time limit (``time_limit.py``).
"""
from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any, Protocol

from ..engine.pipeline import Cleaner
from ..errors import CaptureError, CleanerError, PatternTimeout
from .files import line_record_name, record_name
from .records import EncodedRecord, Tally, encode_record, result_record
from .time_limit import Clock, DocumentTimeout, time_limit


@dataclass(frozen=True, slots=True)
class Options:
    """Per-capture limits and the field names of JSONL input."""

    max_bytes: int = 20_000_000
    doc_timeout: float | None = 60.0  # seconds; see time_limit.py and pool.LocalExecutor
    text_field: str = "text"
    html_field: str = "html"
    url_field: str = "url"
    id_field: str = "id"


@dataclass(frozen=True, slots=True)
class Task:
    """One capture to clean. ``format`` is "capture" (raw text or HTML) or "jsonl" (one line).

    ``id`` is the capture's id when known, else its location (``file:line``); a JSONL
    record's own id field replaces it. ``relative`` names the output file in a tree; for
    a JSONL line it names a folder, and the record's file in it is named from its id.
    ``source`` says where the capture was read (file, ``file:line``, ``file@offset``).
    ``error`` (reason, message) marks a capture that failed before cleaning, while it
    was read: it travels as a task so that its report keeps its place in the output.
    """

    index: int
    id: str
    payload: bytes
    format: str = "capture"
    url: str | None = None
    relative: str | None = None
    source: str | None = None
    error: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True, eq=False)
class Result:
    """What became of one task: a record, or an error with a reason code and a message.

    ``output`` is the cleaned record, as a dict where it was cleaned, or encoded when
    it came from another process (see ``records.EncodedRecord``); ``record``, ``line``
    and ``tally`` read it in either form.
    """

    index: int
    id: str
    bytes_in: int
    output: dict[str, Any] | EncodedRecord | None = None
    error: dict[str, str] | None = None
    relative: str | None = None
    source: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def __eq__(self, other: object) -> bool:
        """Results are equal when they say the same, whichever form their records are in."""
        if not isinstance(other, Result):
            return NotImplemented
        return self._fields() == other._fields()

    def _fields(self) -> tuple[Any, ...]:
        return (self.index, self.id, self.bytes_in, self.record, self.error, self.relative,
                self.source)

    @property
    def record(self) -> dict[str, Any] | None:
        """The cleaned record; one that travelled encoded reads as its JSONL line does
        (a non-finite float among the passthrough fields is then None)."""
        if isinstance(self.output, EncodedRecord):
            return self.output.decode()
        return self.output

    @property
    def line(self) -> bytes | None:
        """The cleaned record as a JSONL line."""
        if isinstance(self.output, EncodedRecord):
            return self.output.line
        return None if self.output is None else encode_record(self.output)

    @property
    def tally(self) -> Tally | None:
        """What a run's summary counts of the cleaned record."""
        if isinstance(self.output, EncodedRecord):
            return self.output.tally
        return None if self.output is None else Tally.of(self.output)

    def encoded(self) -> Result:
        """This result with its record encoded, to send to another process."""
        if not isinstance(self.output, dict):
            return self
        return dataclasses.replace(self, output=EncodedRecord.of(self.output))


class BadRecord(CleanerError):
    """A JSONL line that is not a JSON object with a capture in it."""


def clean_chunk(cleaner: Cleaner, options: Options, tasks: Iterable[Task]) -> list[Result]:
    """Clean each task; never raises for a bad capture."""
    return [clean_task(cleaner, options, task) for task in tasks]


def clean_chunk_encoded(cleaner: Cleaner, options: Options, tasks: Iterable[Task]
                        ) -> list[Result]:
    """``clean_chunk`` for a worker process: its records travel to the parent encoded."""
    return [clean_task(cleaner, options, task).encoded() for task in tasks]


def clean_task(cleaner: Cleaner, options: Options, task: Task) -> Result:
    if task.error is not None:
        return _failed(task, task.id, *task.error)
    size = len(task.payload)
    if size > options.max_bytes:
        return _failed(task, task.id, "too-large", f"{size:,} bytes, over the limit of "
                                                   f"{options.max_bytes:,}")
    task_id = task.id
    clock = Clock()
    try:
        raw, task_id, url, passthrough = unpack(task, options)
        with time_limit(options.doc_timeout, clock):
            cleaned = cleaner.clean_and_explain(raw, url=url, source=task_id)
    except BadRecord as exc:
        return _failed(task, task_id, "bad-record", str(exc))
    except DocumentTimeout as exc:
        return _failed(task, task_id, "time-limit", str(exc))
    except PatternTimeout as exc:
        return _failed(task, task_id, "pattern-timeout", str(exc))
    except CaptureError as exc:
        if clock.expired:  # the extractor caught the time limit and wrapped it
            return _failed(task, task_id, "time-limit", clock.message)
        return _failed(task, task_id, "capture", str(exc))
    except Exception as exc:  # an extractor or library bug must not end the batch
        if clock.expired:
            return _failed(task, task_id, "time-limit", clock.message)
        return _failed(task, task_id, "internal", f"{type(exc).__name__}: {exc}")
    return Result(task.index, task_id, size, result_record(cleaned, task_id, url, passthrough),
                  relative=result_relative(task, task_id), source=task.source or task.id)


def _failed(task: Task, task_id: str, reason: str, message: str) -> Result:
    return Result(task.index, task_id, len(task.payload),
                  error={"reason": reason, "message": message},
                  relative=result_relative(task, task_id), source=task.source or task.id)


def result_id(task: Task, options: Options) -> str:
    """The id ``clean_task`` will give this task's result, found without cleaning it.

    A resumed run skips what an earlier run wrote by id; this follows ``clean_task``'s
    order (read failure, size, then the record's own id) so the two always agree.
    """
    if task.error is not None or task.format != "jsonl" or len(task.payload) > options.max_bytes:
        return task.id
    try:
        return unpack(task, options)[1]
    except BadRecord:
        return task.id


def result_relative(task: Task, task_id: str) -> str | None:
    """Where the result's text goes in an output tree, relative to its top.

    A JSONL line's ``relative`` is its file's folder; the record's own file is named
    from its id, or from its line number when it has none.
    """
    if task.format != "jsonl" or task.relative is None:
        return task.relative
    _, colon, line = task.id.rpartition(":")
    if task_id == task.id and colon and line.isdigit():
        return f"{task.relative}/{line_record_name(int(line))}"
    return f"{task.relative}/{record_name(task_id)}"


def worker_died(task: Task, options: Options) -> Result:
    """The result of a task whose worker process died while cleaning it (or its chunk)."""
    return _failed(task, result_id(task, options), "worker-died",
                   "the worker process died while cleaning this capture or its chunk "
                   "(a crash in native code, or killed for memory)")


def timed_out(task: Task, options: Options, seconds: float) -> Result:
    """The result of a task whose worker was killed for going past its time limit."""
    return _failed(task, result_id(task, options), "time-limit",
                   f"cleaning took longer than {seconds:g}s (its worker was stopped)")


def unpack(task: Task, options: Options) -> tuple[bytes | str, str, str | None, dict[str, Any]]:
    """The capture, id, URL and other fields of a task, without cleaning it (BadRecord if bad)."""
    if task.format == "capture":
        return task.payload, task.id, task.url, {}
    try:
        data = json.loads(task.payload)
    except ValueError as exc:
        raise BadRecord(f"not valid JSON: {exc}") from None
    except RecursionError:  # "[[[[...": nested deeper than the parser goes
        raise BadRecord("not valid JSON: nested too deeply") from None
    if not isinstance(data, dict):
        raise BadRecord("a JSONL line must hold a JSON object")
    capture = data.get(options.html_field) or data.get(options.text_field)
    if not isinstance(capture, str):
        raise BadRecord(f"no text in field '{options.text_field}' or "
                        f"'{options.html_field}'")
    record_id = data.get(options.id_field)
    url = data.get(options.url_field)
    taken = {options.text_field, options.html_field, options.url_field, options.id_field}
    passthrough = {k: v for k, v in data.items() if k not in taken}
    return (capture, task.id if record_id is None else str(record_id),
            url if isinstance(url, str) and url else task.url, passthrough)


class Executor(Protocol):
    """Runs chunks somewhere and yields their results in input order."""

    def map_chunks(self, cleaner: Cleaner, options: Options,
                   chunks: Iterable[list[Task]]) -> Iterator[list[Result]]: ...


def chunked(tasks: Iterable[Task], size: int) -> Iterator[list[Task]]:
    """Lists of ``size`` tasks (the last may be shorter), read from ``tasks`` lazily."""
    if size < 1:
        raise CleanerError("the chunk size must be at least 1")
    iterator = iter(tasks)
    while chunk := list(islice(iterator, size)):
        yield chunk
