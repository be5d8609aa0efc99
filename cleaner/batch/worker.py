"""A worker process of the local pool, from the parent's side and from its own.

The parent gives a ``Worker`` one piece of work (``Work``: tasks of a ``Chunk``) at a
time and reads what it reports: when it starts each capture, and what became of it,
written into the chunk's results as they come. The worker (``_serve``) cleans what it
is sent until told to stop, ignores Ctrl-C (the parent's to handle) and leaves when
its parent dies. What to do when a worker dies or overruns is the pool's (``pool.py``).
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

from ..engine.pipeline import Cleaner
from .tasks import Options, Result, Task, clean_task

# How often a worker looks whether its parent is gone; also how long an idle worker
# told to stop is given to leave.
PARENT_CHECK_SECONDS = 1.0


@dataclass(eq=False)
class Chunk:
    """A chunk's tasks and, as they come in, its results."""

    tasks: list[Task]
    results: list[Result | None] = field(init=False)

    def __post_init__(self) -> None:
        self.results = [None] * len(self.tasks)

    @property
    def finished(self) -> bool:
        return all(result is not None for result in self.results)


@dataclass(frozen=True)
class Work:
    """Tasks ``start`` to ``stop`` of a chunk, for one worker; ``retry``: after a death."""

    chunk: Chunk
    start: int
    stop: int
    retry: bool = False


class Worker:
    """One worker process, the work it was given, and the capture it is cleaning."""

    def __init__(self, cleaner: Cleaner, options: Options) -> None:
        self.conn, child = multiprocessing.Pipe()
        self.process = multiprocessing.Process(target=_serve, args=(child, cleaner, options),
                                               name="cleaner-worker", daemon=True)
        with _stop_signals_held():  # until the worker has set its own handlers
            self.process.start()
        child.close()
        self.work: Work | None = None
        self.next = 0  # the position in the chunk of the next result to come
        self.started_at: float | None = None  # when the capture at `next` was started
        self.dead = False

    def give(self, work: Work) -> bool:
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
