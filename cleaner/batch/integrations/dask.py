"""Clean on a Dask cluster: an ``Executor`` for batches, and ``clean_bag`` for Dask bags.

``DaskExecutor`` runs ``cleaner.batch.clean_chunk_encoded`` on Dask workers, on a local
cluster it starts itself or on any running scheduler, so a batch that fits one machine's
``LocalExecutor`` scales out to many machines unchanged. ``clean_bag`` maps a bag of
captures to a bag of result records, the records ``cleaner.batch.records.result_record``
makes, for work that is already written with Dask.

Both isolate failures the way the batch core does: a capture that cannot be cleaned
becomes an error, never an exception that ends the job.
"""
from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from types import TracebackType
from typing import Any, Self

try:
    import dask.bag as db
    from dask.delayed import delayed
    from distributed import Client, Future, KilledWorker, LocalCluster
except ImportError as exc:  # an optional dependency: say how to get it
    raise ImportError("cleaner.batch.integrations.dask needs Dask: "
                      "pip install 'cleaner[dask]'") from exc

from ...engine.pipeline import Cleaner
from ...errors import CleanerError
from ..records import RESULT_FIELDS
from ..tasks import Options, Result, Task, clean_chunk_encoded, clean_task, worker_died

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


def clean_bag(bag: db.Bag, cleaner: Cleaner | None = None, *, jsonl: bool = False,
              text_key: str = "text", html_key: str = "html", url_key: str = "url",
              id_key: str = "id") -> db.Bag:
    """A bag of result records for a bag of captures, in the same order.

    Items are captures as strings (or bytes), or dicts holding one in ``html_key`` or
    ``text_key`` with optional ``url_key`` and ``id_key``; a dict's other keys pass
    through unchanged. With ``jsonl``, string items are JSONL lines (as
    ``db.read_text`` gives them), read as ``cleaner clean`` reads a JSONL file: a line
    that is not a JSON object holding a capture fails alone, as "bad-record".
    Records have the fields of ``cleaner.batch.records.result_record``; a capture that
    fails gives a record with ``text`` None and ``error`` {reason, message} instead
    of failing the computation. An item without an id gets its place in this bag,
    ``"<partition>:<position>"``.

    ``cleaner`` defaults to one with the shipped rules; it is built here, so a rule
    error shows at once, and shipped to the workers once, not with every partition.
    """
    options = Options(text_field=text_key, html_field=html_key, url_field=url_key,
                      id_field=id_key)
    shared = delayed(cleaner if cleaner is not None else Cleaner(), pure=False)
    # A one-item bag partitioned like ``bag`` tells each partition its number.
    numbers = db.range(bag.npartitions, npartitions=bag.npartitions)
    string_format = "jsonl" if jsonl else "capture"
    return bag.map_partitions(_clean_partition, numbers, shared, options, string_format)


def _clean_partition(items: Iterable[Any], numbers: Iterable[int], cleaner: Cleaner,
                     options: Options, string_format: str) -> list[dict[str, Any]]:
    (partition,) = numbers
    return [_clean_item(cleaner, options, item, f"{partition}:{position}", string_format)
            for position, item in enumerate(items)]


def _clean_item(cleaner: Cleaner, options: Options, item: Any, location: str,
                string_format: str = "capture") -> dict[str, Any]:
    """The record of one bag item (see ``clean_bag``); never raises for a bad item.

    ``string_format`` says what a string item is: a "capture" or a "jsonl" line.
    """
    if isinstance(item, Mapping):
        return _clean_mapping(cleaner, options, item, location)
    if isinstance(item, str | bytes):
        try:
            payload = item.encode("utf-8") if isinstance(item, str) else item
        except UnicodeEncodeError as exc:
            return error_record(location, None, "capture", f"not valid Unicode text: {exc}")
        result = clean_task(cleaner, options, Task(0, location, payload, format=string_format))
        record = result.record
        return record if record is not None else error_record(result.id, None, *_reason(result))
    return error_record(location, None, "bad-record",
                        f"a capture must be text or a dict, not {type(item).__name__}")


def _clean_mapping(cleaner: Cleaner, options: Options, item: Mapping[str, Any],
                   location: str) -> dict[str, Any]:
    """Clean a dict through the batch core's JSONL path, so fields mean the same there.

    Only the fields the cleaner reads are JSON-encoded; the others are copied from
    the item afterwards, so values JSON cannot carry (datetimes, numpy numbers, sets)
    pass through as they are.
    """
    read = (options.text_field, options.html_field, options.url_field, options.id_field)
    raw_id = item.get(options.id_field)
    record_id = location if raw_id is None else str(raw_id)
    url = item.get(options.url_field)
    url = url if isinstance(url, str) and url else None
    passthrough = {k: v for k, v in item.items() if k not in read}
    fields = {k: item[k] for k in read if k in item}
    fields[options.id_field] = record_id  # the batch core turns ids into text anyway
    fields[options.url_field] = url  # and ignores a URL that is not text
    try:
        payload = json.dumps(fields, ensure_ascii=False).encode("utf-8")
    except TypeError as exc:
        return error_record(record_id, url, "bad-record", f"a capture must be text: {exc}",
                            passthrough)
    except UnicodeEncodeError as exc:
        return error_record(record_id, url, "capture", f"not valid Unicode text: {exc}",
                            passthrough)
    result = clean_task(cleaner, options, Task(0, location, payload, format="jsonl"))
    record = result.record
    if record is None:
        return error_record(record_id, url, *_reason(result), passthrough)
    kept = {k: v for k, v in passthrough.items() if k not in RESULT_FIELDS}
    return kept | record  # the order result_record gives: passthrough first


def _reason(result: Result) -> tuple[str, str]:
    assert result.error is not None, "a result without a record has an error"
    return result.error["reason"], result.error["message"]


def error_record(id: str, url: str | None, reason: str, message: str,
                 passthrough: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The record of a capture that failed: a result record's fields, empty, and ``error``."""
    record: dict[str, Any] = {k: v for k, v in (passthrough or {}).items()
                              if k not in RESULT_FIELDS and k != "error"}
    record.update(id=id, url=url, site=None, text=None, title=None, author=None, date=None,
                  paywalled=None, removals=[], error={"reason": reason, "message": message})
    return record
