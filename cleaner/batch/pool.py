"""Running chunks on worker processes, each capture bounded in time, in input order.

Each worker cleans one piece of work (a chunk, or what is left of one) at a time and
reports when it starts each capture and what became of it. The parent holds every
capture to its own time limit, counted from when its worker started it: a worker that
does not answer by then (C code such as an lxml call cannot be interrupted by the
worker's own alarm) is killed and replaced. A worker that dies costs only the capture
it was cleaning: what it finished is kept, the rest of its chunk goes to another worker.

A worker process (its start, the work it is given, what it reports) is ``worker.py``'s;
this module decides what each worker cleans and what to do when one dies or overruns.
"""
from __future__ import annotations

import dataclasses
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import wait

from ..engine.pipeline import Cleaner
from ..errors import CleanerError
from .tasks import Options, Result, Task, clean_chunk, timed_out, worker_died
from .worker import PARENT_CHECK_SECONDS, Chunk, Work, Worker

# How long past its limit a capture's worker may take to answer (its own alarm goes
# off at the limit, and a capture stopped that way reports itself) before it is killed.
GRACE_SECONDS = 0.5
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


class _Pool:
    """Workers, the work waiting for one, and what to do when a worker dies or overruns."""

    def __init__(self, jobs: int, cleaner: Cleaner, options: Options, grace: float) -> None:
        self.cleaner, self.options, self.grace = cleaner, options, grace
        self.workers = [Worker(cleaner, options) for _ in range(jobs)]
        self.queue: deque[Work] = deque()
        self.stillborn = 0

    def run(self, chunks: Iterable[list[Task]], in_flight: int) -> Iterator[list[Result]]:
        """Each chunk's results, in input order, with at most ``in_flight`` chunks read."""
        source = iter(chunks)
        pending: deque[Chunk] = deque()
        while True:
            while len(pending) < in_flight and (tasks := next(source, None)) is not None:
                pending.append(Chunk(tasks))
                if tasks:
                    self.queue.append(Work(pending[-1], 0, len(tasks)))
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

    def _deadline(self, worker: Worker) -> float | None:
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
            self.queue.appendleft(Work(work.chunk, position, position + 1, retry=True))

    def _stillborn(self, at_start: bool) -> None:
        """Count workers that died before their first capture; stop if they keep doing so."""
        self.stillborn = self.stillborn + 1 if at_start else 0
        if self.stillborn > MAX_STILLBORN:
            raise CleanerError(f"{self.stillborn} worker processes in a row died at start")

    def _requeue(self, work: Work, start: int) -> None:
        if start < work.stop:
            self.queue.appendleft(Work(work.chunk, start, work.stop))

    def _replace(self, slot: int) -> Worker:
        self.workers[slot].stop()
        self.workers[slot] = Worker(self.cleaner, self.options)
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
