"""A capture's time limit in the process that cleans it: SIGALRM, where one can be used.

The alarm interrupts the cleaning with ``DocumentTimeout``, and repeats, since library
code that catches every exception may swallow the first; a ``Clock`` records that it
went off, so a timeout some library wrapped in its own error is still told apart.
What the alarm cannot stop (C code) is the local pool's to end: it kills the worker.
"""
from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from ..errors import CleanerError


class DocumentTimeout(CleanerError):
    """A capture took longer than the per-document time limit."""


@dataclass(slots=True)
class Clock:
    """Whether a capture's time limit went off; its message, for a wrapped timeout."""

    expired: bool = False
    message: str = ""


# After the limit, the alarm repeats this often: library code that catches every
# exception (trafilatura does, in places) may swallow the first one and carry on.
ALARM_REPEAT_SECONDS = 0.05


@contextmanager
def time_limit(seconds: float | None, clock: Clock) -> Iterator[None]:
    """Interrupt the block after ``seconds`` with SIGALRM, where a signal can be used.

    Signals reach only the main thread of a process: a local pool's workers qualify;
    threaded workers (Dask's) rely on the per-pattern regex timeouts instead. A signal
    handler runs only between Python bytecodes, so C code (an lxml call) runs on past
    the limit: ``pool.LocalExecutor`` then kills the worker. This alarm stays as the
    cheap first stop, which keeps the worker and reports the capture itself.
    """
    usable = hasattr(signal, "setitimer") \
        and threading.current_thread() is threading.main_thread()
    if not seconds or not usable:
        yield
        return

    def expire(_signum: int, _frame: object) -> None:
        clock.expired = True
        clock.message = f"cleaning took longer than {seconds:g}s"
        raise DocumentTimeout(clock.message)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds, ALARM_REPEAT_SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
