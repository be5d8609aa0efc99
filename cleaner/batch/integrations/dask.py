"""Clean on a Dask cluster: an ``Executor`` for batches, and ``clean_bag`` for Dask bags.

``DaskExecutor`` runs ``cleaner.batch.clean_chunk_encoded`` on Dask workers, on a local
cluster it starts itself or on any running scheduler, so a batch that fits one machine's
``LocalExecutor`` scales out to many machines unchanged. ``clean_bag`` (``dask_bag.py``,
importable from here) maps a bag of captures to a bag of result records, the records
``cleaner.batch.records.result_record`` makes, for work that is already written with Dask.

Both isolate failures the way the batch core does: a capture that cannot be cleaned
becomes an error, never an exception that ends the job.
"""
from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from types import TracebackType
from typing import Self

try:
    from distributed import Client, Future, KilledWorker, LocalCluster
except ImportError as exc:  # an optional dependency: say how to get it
    raise ImportError("cleaner.batch.integrations.dask needs Dask: "
                      "pip install 'cleaner[dask]'") from exc

from ...engine.pipeline import Cleaner
from ...errors import CleanerError
from ..tasks import Options, Result, Task, clean_chunk_encoded, worker_died
from .dask_bag import clean_bag, error_record

__all__ = ["ClusterError", "DaskExecutor", "clean_bag", "error_record"]

# How often the in-flight window is re-read from the scheduler: workers may join or
# leave a long batch, but asking on every chunk would cost a round trip each time.
WINDOW_REFRESH_SECONDS = 5.0


class ClusterError(CleanerError):
    """The Dask cluster could not be reached, had no workers, or lost the work it was given."""


class DaskExecutor:
    """Clean chunks on Dask workers and yield their results in input order.

    ``scheduler`` is the address of a running scheduler (``tcp://host:8786``); with
    None a ``LocalCluster`` of ``n_workers`` worker processes (default: one per core)
    of ``threads_per_worker`` threads is started and closed again. ``connect_timeout``
    bounds the wait for the scheduler and for a first worker. At most ``in_flight``
    chunks per worker thread are submitted ahead of the one being waited for, so
    memory stays flat on any input.

    Used as a context manager, one connection (and local cluster) serves every
    ``map_chunks`` call inside the block; otherwise each call opens and closes its own.

    A chunk whose worker dies is retried on another by Dask; one that keeps killing
    its workers (a crash in native code, the out-of-memory killer) has its tasks
    reported as "worker-died", as ``LocalExecutor`` does, and the batch goes on.
    """

    def __init__(self, scheduler: str | None = None, *, n_workers: int | None = None,
                 threads_per_worker: int = 1, in_flight: int = 4,
                 connect_timeout: float = 30.0) -> None:
        if in_flight < 1 or threads_per_worker < 1 or (n_workers is not None and n_workers < 1):
            raise CleanerError("n_workers, threads_per_worker and in_flight must be at least 1")
        if connect_timeout <= 0:
            raise CleanerError("connect_timeout must be positive")
        self.scheduler = scheduler
        self.n_workers = n_workers
        self.threads_per_worker = threads_per_worker
        self.in_flight = in_flight
        self.connect_timeout = connect_timeout
        self._client: Client | None = None
        self._cluster: LocalCluster | None = None

    @property
    def client(self) -> Client | None:
        """The open Dask client, or None outside a ``with`` block and ``map_chunks``."""
        return self._client

    def __enter__(self) -> Self:
        self._connect()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Disconnect, and stop the local cluster if this executor started one."""
        client, cluster = self._client, self._cluster
        self._client = self._cluster = None
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()

    def map_chunks(self, cleaner: Cleaner, options: Options,
                   chunks: Iterable[list[Task]]) -> Iterator[list[Result]]:
        owned = self._client is None
        client = self._connect()
        pending: deque[tuple[list[Task], Future]] = deque()
        shipped: Future | None = None
        try:
            self._wait_for_workers(client)
            with _cluster_errors():
                # The Cleaner travels once, as a task that returns it: each worker
                # fetches the result once and chunks refer to it by key. Unlike
                # scattered data, a task's result lost with its worker is computed again.
                shipped = client.submit(_itself, cleaner, pure=False)
            window = _Window(client, self.in_flight)
            for chunk in chunks:
                with _cluster_errors():
                    future = client.submit(clean_chunk_encoded, shipped, options, chunk, pure=False)
                pending.append((chunk, future))
                if len(pending) >= window.size():
                    yield _result(*pending.popleft(), options)
            while pending:
                yield _result(*pending.popleft(), options)
        finally:
            # A consumer that stops early must not leave work queued on a shared
            # cluster. The cluster may already be gone: the original error matters more.
            with suppress(Exception):
                if pending:
                    client.cancel([future for _, future in pending])
                if shipped is not None:
                    shipped.release()
            if owned:
                self.close()

    def _connect(self) -> Client:
        if self._client is not None:
            return self._client
        try:
            if self.scheduler is None:
                # Processes, not threads: cleaning is pure Python and holds the GIL.
                # Any free port for the scheduler's web server, not the well-known 8787
                # that the user's own cluster may hold.
                self._cluster = LocalCluster(n_workers=self.n_workers, processes=True,
                                             threads_per_worker=self.threads_per_worker,
                                             dashboard_address=":0")
                self._client = Client(self._cluster, set_as_default=False)
            else:
                # set_as_default=False: the caller's own Dask work keeps its scheduler.
                self._client = Client(self.scheduler, timeout=self.connect_timeout,
                                      set_as_default=False)
        except OSError as exc:  # refused, unreachable, or timed out (TimeoutError is one)
            self.close()
            where = self.scheduler or "a local cluster"
            raise ClusterError(f"cannot connect to the Dask scheduler at {where}: {exc}") \
                from exc
        return self._client

    def _wait_for_workers(self, client: Client) -> None:
        try:
            client.wait_for_workers(1, timeout=self.connect_timeout)
        except TimeoutError:
            where = self.scheduler or "the local cluster"
            raise ClusterError(f"no Dask worker joined the scheduler at {where} within "
                               f"{self.connect_timeout:g}s; start one with "
                               f"`dask worker SCHEDULER-ADDRESS`") from None
        except OSError as exc:  # TimeoutError is one too: it is caught first
            raise ClusterError(f"lost the connection to the Dask cluster: {exc}") from exc


class _Window:
    """How many chunks may be in flight: ``per_thread`` for every worker thread."""

    def __init__(self, client: Client, per_thread: int) -> None:
        self.client = client
        self.per_thread = per_thread
        self._size = per_thread
        self._next_refresh = 0.0

    def size(self) -> int:
        now = time.monotonic()
        if now >= self._next_refresh:
            with _cluster_errors():
                threads = sum(self.client.nthreads().values())
            self._size = self.per_thread * max(1, threads)
            self._next_refresh = now + WINDOW_REFRESH_SECONDS
        return self._size


@contextmanager
def _cluster_errors() -> Iterator[None]:
    """Report a failure to talk to the cluster as a ClusterError."""
    try:
        yield
    except OSError as exc:  # distributed's CommClosedError is one, and TimeoutError
        raise ClusterError(f"lost the connection to the Dask cluster: {exc}") from exc


def _itself(value: Cleaner) -> Cleaner:
    return value


def _result(chunk: list[Task], future: Future, options: Options) -> list[Result]:
    """A chunk's results; ``clean_chunk`` never raises, so an error here is the cluster's."""
    try:
        results: list[Result] = future.result()
    except KilledWorker:  # it killed every worker Dask tried it on
        return [worker_died(task, options) for task in chunk]
    except (Exception, asyncio.CancelledError) as exc:  # a lost scheduler, a cancelled future
        raise ClusterError(f"a chunk failed on the Dask cluster: "
                           f"{type(exc).__name__}: {exc}") from exc
    return results
