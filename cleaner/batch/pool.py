"""Running chunks on worker processes, each capture bounded in time, in input order.

Each worker cleans one piece of work (a chunk, or what is left of one) at a time and
reports when it starts each capture and what became of it. The parent holds every
capture to its own time limit, counted from when its worker started it: a worker that
does not answer by then (C code such as an lxml call cannot be interrupted by the
worker's own alarm) is killed and replaced. A worker that dies costs only the capture
it was cleaning: what it finished is kept, the rest of its chunk goes to another worker.
"""
from __future__ import annotations

import dataclasses
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait

from ..engine.pipeline import Cleaner
from ..errors import CleanerError
from .tasks import Options, Result, Task, clean_chunk, clean_task, timed_out, worker_died

# How long past its limit a capture's worker may take to answer (its own alarm goes
# off at the limit, and a capture stopped that way reports itself) before it is killed.
GRACE_SECONDS = 0.5
PARENT_CHECK_SECONDS = 1.0
# Workers that die before they start any capture (a broken interpreter, no memory to
# start): past this many in a row the run stops rather than start workers forever.
MAX_STILLBORN = 3


@dataclass
class LocalExecutor:
    """``jobs`` worker processes; ``in_flight`` chunks per process at most.

    With one job and no time limit, chunks are cleaned in this process: a hard time
    limit needs a process that can be killed, so a limit gets one worker.
    """

    jobs: int = 1
    in_flight: int = 4
    grace: float = GRACE_SECONDS

    def __post_init__(self) -> None:
        if self.jobs < 1 or self.in_flight < 1:
            raise CleanerError("jobs and in_flight must be at least 1")

    def map_chunks(self, cleaner: Cleaner, options: Options,
                   chunks: Iterable[list[Task]]) -> Iterator[list[Result]]:
        if self.jobs <= 1 and not options.doc_timeout:
            for chunk in chunks:
                yield clean_chunk(cleaner, options, chunk)
            return
        pool = _Pool(self.jobs, cleaner, options, self.grace)
        try:
            yield from pool.run(chunks, self.jobs * self.in_flight)
        finally:
            pool.shutdown()


@dataclass(eq=False)
class _Chunk:
    """A chunk's tasks and, as they come in, its results."""

    tasks: list[Task]
    results: list[Result | None] = field(init=False)

    def __post_init__(self) -> None:
        self.results = [None] * len(self.tasks)

    @property
    def finished(self) -> bool:
        return all(result is not None for result in self.results)


@dataclass(frozen=True)
class _Work:
    """Tasks ``start`` to ``stop`` of a chunk, for one worker; ``retry``: after a death."""

    chunk: _Chunk
    start: int
    stop: int
    retry: bool = False


class _Worker:
    """One worker process, the work it was given, and the capture it is cleaning."""

    def __init__(self, cleaner: Cleaner, options: Options) -> None:
        self.conn, child = multiprocessing.Pipe()
        self.process = multiprocessing.Process(target=_serve, args=(child, cleaner, options),
                                               name="cleaner-worker", daemon=True)
        with _stop_signals_held():  # until the worker has set its own handlers
            self.process.start()
        child.close()
        self.work: _Work | None = None
        self.next = 0  # the position in the chunk of the next result to come
        self.started_at: float | None = None  # when the capture at `next` was started
        self.dead = False

    def give(self, work: _Work) -> bool:
        """Send the worker its work; False if it is dead."""
        self.work, self.next, self.started_at = work, work.start, None
        try:
            self.conn.send(work.chunk.tasks[work.start:work.stop])
        except OSError:  # BrokenPipeError: it died before it took the work
            self.dead = True
        return not self.dead

    def read(self) -> None:
        """Take every message waiting (see ``_serve``), until it dies or is idle."""
        assert self.work is not None
        alive = self.process.is_alive()  # before reading: then all it sent is read below
        try:
            while self.work is not None and self.conn.poll():
                message = self.conn.recv()
                if isinstance(message, float):  # the first capture started
                    self.started_at = message
                    continue
                self.work.chunk.results[self.next], self.started_at = message
                self.next += 1
                if self.next == self.work.stop:
                    self.work = None
        except (EOFError, OSError):
            self.dead = True
        if self.work is not None and not alive:
            self.dead = True

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()


class _Pool:
    """Workers, the work waiting for one, and what to do when a worker dies or overruns."""

    def __init__(self, jobs: int, cleaner: Cleaner, options: Options, grace: float) -> None:
        self.cleaner, self.options, self.grace = cleaner, options, grace
        self.workers = [_Worker(cleaner, options) for _ in range(jobs)]
        self.queue: deque[_Work] = deque()
        self.stillborn = 0

    def run(self, chunks: Iterable[list[Task]], in_flight: int) -> Iterator[list[Result]]:
        """Each chunk's results, in input order, with at most ``in_flight`` chunks read."""
        source = iter(chunks)
        pending: deque[_Chunk] = deque()
        while True:
            while len(pending) < in_flight and (tasks := next(source, None)) is not None:
                pending.append(_Chunk(tasks))
                if tasks:
                    self.queue.append(_Work(pending[-1], 0, len(tasks)))
            if not pending:
                return
            if pending[0].finished:
                yield [result for result in pending.popleft().results if result is not None]
                continue
            self._dispatch()
            self._wait()

    def _dispatch(self) -> None:
        for slot, worker in enumerate(self.workers):
            while worker.work is None and self.queue:
                if not worker.give(work := self.queue.popleft()):
                    self.queue.appendleft(work)
                    self._stillborn(True)
                    worker = self._replace(slot)

    def _wait(self) -> None:
        """Until a worker answers or dies or the earliest capture's deadline passes."""
        busy = [w for w in self.workers if w.work is not None]
        if not busy:
            return
        deadlines = [d for w in busy if (d := self._deadline(w)) is not None]
        timeout = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
        wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout)
        for slot, worker in enumerate(self.workers):
            if worker.work is None:
                continue
            worker.read()
            if worker.dead:
                self._died(slot)
            elif (deadline := self._deadline(worker)) is not None \
                    and time.monotonic() > deadline:
                self._overran(slot)

    def _deadline(self, worker: _Worker) -> float | None:
        """When the worker's capture must have answered; None if no limit or none started."""
        if worker.started_at is None or not self.options.doc_timeout:
            return None
        # time.monotonic() reads one system-wide clock (CLOCK_MONOTONIC) in every
        # process, so a worker's start time and the parent's now compare directly.
        return worker.started_at + self.options.doc_timeout + self.grace

    def _overran(self, slot: int) -> None:
        worker = self.workers[slot]
        assert worker.work is not None
        work, position = worker.work, worker.next
        limit = self.options.doc_timeout or 0
        work.chunk.results[position] = timed_out(work.chunk.tasks[position], self.options, limit)
        self._replace(slot)
        self._requeue(work, position + 1)

    def _died(self, slot: int) -> None:
        """The capture being cleaned runs once more alone: only a second death fails it."""
        worker = self.workers[slot]
        assert worker.work is not None
        work, position, started = worker.work, worker.next, worker.started_at is not None
        self._replace(slot)
        self._stillborn(not started and position == work.start)
        if not started:  # it died between captures: no capture killed it
            self.queue.appendleft(dataclasses.replace(work, start=position))
        elif work.retry:
            work.chunk.results[position] = worker_died(work.chunk.tasks[position],
                                                       self.options)
        else:
            self._requeue(work, position + 1)
            self.queue.appendleft(_Work(work.chunk, position, position + 1, retry=True))

    def _stillborn(self, at_start: bool) -> None:
        """Count workers that died before their first capture; stop if they keep doing so."""
        self.stillborn = self.stillborn + 1 if at_start else 0
        if self.stillborn > MAX_STILLBORN:
            raise CleanerError(f"{self.stillborn} worker processes in a row died at start")

    def _requeue(self, work: _Work, start: int) -> None:
        if start < work.stop:
            self.queue.appendleft(_Work(work.chunk, start, work.stop))

    def _replace(self, slot: int) -> _Worker:
        self.workers[slot].stop()
        self.workers[slot] = _Worker(self.cleaner, self.options)
        return self.workers[slot]

    def shutdown(self) -> None:
        """Idle workers are told to leave; busy ones (an interrupted run) are killed."""
        for worker in self.workers:
            if worker.work is None and not worker.dead:
                try:
                    worker.conn.send(None)
                    worker.process.join(PARENT_CHECK_SECONDS)
                except OSError:
                    pass
            worker.stop()


@contextmanager
def _stop_signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait while a worker starts, so that it never runs the parent's
    handlers (which stop the run); the worker sets its own, then lets them in."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _serve(conn: Connection, cleaner: Cleaner, options: Options) -> None:
    """A worker: clean the tasks it is sent, saying when each starts, until told to stop.

    It sends the time its first task starts, then, for each task, the result and the
    time the next task starts (None after the last).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a terminated worker just ends
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    _exit_with_parent()
    while (tasks := _receive(conn)) is not None:
        conn.send(time.monotonic())
        for number, task in enumerate(tasks, 1):
            result = clean_task(cleaner, options, task).encoded()
            # one message a capture: its result, and when the next one starts
            conn.send((result, time.monotonic() if number < len(tasks) else None))


def _receive(conn: Connection) -> list[Task] | None:
    """The next tasks; None when told to stop, or when the parent is gone."""
    try:
        tasks: list[Task] | None = conn.recv()
    except EOFError:
        return None
    return tasks


def _exit_with_parent() -> None:
    """Leave when the parent dies without stopping its workers (kill -9, the OOM killer).

    The worker would otherwise wait for work forever, or finish a long capture no one
    will read, holding its memory.
    """
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
