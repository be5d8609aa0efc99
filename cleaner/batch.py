"""Cleaning many captures: tasks, per-capture fault isolation, and ordered parallel execution.

A batch is a stream of ``Task``s cut into chunks. ``clean_chunk`` turns a chunk into
``Result``s in any process (a local pool, a Dask worker); a failure becomes a Result
with an error instead of an exception, so one broken capture never stops a batch.
Executors run chunks with a bounded number in flight and yield results in input
order, so memory stays flat however long the input is.
"""
from __future__ import annotations

import json
import signal
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from .engine import Cleaner
from .errors import CaptureError, CleanerError, PatternTimeout
from .records import result_record


@dataclass(frozen=True, slots=True)
class Options:
    """Per-capture limits and the field names of JSONL input."""

    max_bytes: int = 20_000_000
    doc_timeout: float | None = 60.0  # seconds; enforced where signals can be used
    text_field: str = "text"
    html_field: str = "html"
    url_field: str = "url"
    id_field: str = "id"


@dataclass(frozen=True, slots=True)
class Task:
    """One capture to clean. ``format`` is "capture" (raw text or HTML) or "jsonl" (one line).

    ``id`` is the capture's id when known, else its location (``file:line``); a JSONL
    record's own id field replaces it. ``relative`` names the output file in a tree.
    """

    index: int
    id: str
    payload: bytes
    format: str = "capture"
    url: str | None = None
    relative: str | None = None


@dataclass(frozen=True, slots=True)
class Result:
    """What became of one task: a record, or an error with a reason code and a message."""

    index: int
    id: str
    bytes_in: int
    record: dict[str, Any] | None = None
    error: dict[str, str] | None = None
    relative: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class DocumentTimeout(CleanerError):
    """A capture took longer than the per-document time limit."""


class BadRecord(CleanerError):
    """A JSONL line that is not a JSON object with a capture in it."""


def clean_chunk(cleaner: Cleaner, options: Options, tasks: Iterable[Task]) -> list[Result]:
    """Clean each task; never raises for a bad capture."""
    return [clean_task(cleaner, options, task) for task in tasks]


def clean_task(cleaner: Cleaner, options: Options, task: Task) -> Result:
    size = len(task.payload)
    if size > options.max_bytes:
        return _failed(task, task.id, "too-large", f"{size} bytes, over the limit of "
                                                   f"{options.max_bytes}")
    task_id = task.id
    try:
        raw, task_id, url, passthrough = _unpack(task, options)
        with _time_limit(options.doc_timeout):
            cleaned = cleaner.clean_and_explain(raw, url=url, source=task_id)
    except BadRecord as exc:
        return _failed(task, task_id, "bad-record", str(exc))
    except DocumentTimeout as exc:
        return _failed(task, task_id, "time-limit", str(exc))
    except PatternTimeout as exc:
        return _failed(task, task_id, "pattern-timeout", str(exc))
    except CaptureError as exc:
        return _failed(task, task_id, "capture", str(exc))
    except Exception as exc:  # an extractor or library bug must not end the batch
        return _failed(task, task_id, "internal", f"{type(exc).__name__}: {exc}")
    return Result(task.index, task_id, size, result_record(cleaned, task_id, url, passthrough),
                  relative=task.relative)


def _failed(task: Task, task_id: str, reason: str, message: str) -> Result:
    return Result(task.index, task_id, len(task.payload),
                  error={"reason": reason, "message": message}, relative=task.relative)


def _unpack(task: Task, options: Options) -> tuple[bytes | str, str, str | None, dict[str, Any]]:
    """The capture, id, URL and passthrough fields of a task."""
    if task.format == "capture":
        return task.payload, task.id, task.url, {}
    try:
        data = json.loads(task.payload)
    except ValueError as exc:
        raise BadRecord(f"not valid JSON: {exc}") from None
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


@contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    """Interrupt the block after ``seconds`` with SIGALRM, where a signal can be used.

    Signals reach only the main thread of a process: a local pool's workers qualify;
    threaded workers (Dask's) rely on the per-pattern regex timeouts instead.
    """
    usable = seconds and hasattr(signal, "setitimer") \
        and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def expire(_signum: int, _frame: object) -> None:
        raise DocumentTimeout(f"cleaning took longer than {seconds:g}s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class Executor(Protocol):
    """Runs chunks somewhere and yields their results in input order."""

    def map_chunks(self, cleaner: Cleaner, options: Options,
                   chunks: Iterable[list[Task]]) -> Iterator[list[Result]]: ...


# The pool's workers get the Cleaner once, at start-up, not with every chunk.
_worker_state: tuple[Cleaner, Options] | None = None


def _init_worker(cleaner: Cleaner, options: Options) -> None:
    global _worker_state
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _worker_state = (cleaner, options)


def _clean_in_worker(tasks: list[Task]) -> list[Result]:
    assert _worker_state is not None, "worker started without _init_worker"
    return clean_chunk(*_worker_state, tasks)


@dataclass
class LocalExecutor:
    """``jobs`` processes (in this process when 1); ``in_flight`` chunks per process at most."""

    jobs: int = 1
    in_flight: int = 4

    def map_chunks(self, cleaner: Cleaner, options: Options,
                   chunks: Iterable[list[Task]]) -> Iterator[list[Result]]:
        if self.jobs <= 1:
            for chunk in chunks:
                yield clean_chunk(cleaner, options, chunk)
            return
        with ProcessPoolExecutor(self.jobs, initializer=_init_worker,
                                 initargs=(cleaner, options)) as pool:
            yield from ordered((pool.submit(_clean_in_worker, c) for c in chunks),
                               window=self.jobs * self.in_flight)

    def __post_init__(self) -> None:
        if self.jobs < 1 or self.in_flight < 1:
            raise CleanerError("jobs and in_flight must be at least 1")


def ordered(futures: Iterator[Future[list[Result]]], window: int = 8) -> Iterator[list[Result]]:
    """Yield the futures' results in submission order, keeping at most ``window`` pending."""
    pending: deque[Future[list[Result]]] = deque()
    for future in futures:
        pending.append(future)
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()
