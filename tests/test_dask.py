"""DaskExecutor and clean_bag on a real local Dask cluster of worker processes."""
from __future__ import annotations

import datetime
import json
import multiprocessing
import os
import re
from collections.abc import Iterator

import pytest

pytest.importorskip("distributed")

import dask
import dask.bag as db
from distributed import Client, LocalCluster

from cleaner import Cleaner, CleanerError
from cleaner.batch.integrations.dask import ClusterError, DaskExecutor, clean_bag
from cleaner.batch.pool import LocalExecutor
from cleaner.batch.records import result_record
from cleaner.batch.tasks import Options, Result, Task

from .helpers import SEED_URLS, seed_bytes

SEEDS = sorted(SEED_URLS)
BOILERPLATE = "Skip to main content\n\nAdvertisement\n"
POISON = b"KILL-THE-WORKER\n"


class DyingCleaner(Cleaner):
    """Ends the process it runs in on a poison capture, as a crash in native code would."""

    def clean_and_explain(self, capture, url=None, kind="auto", source=None):
        if capture == POISON:
            os._exit(1)
        return super().clean_and_explain(capture, url=url, kind=kind, source=source)


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                      dashboard_address=":0") as local:
        yield local


@pytest.fixture(scope="module")
def client(cluster: LocalCluster) -> Iterator[Client]:
    with Client(cluster, set_as_default=False) as connected:
        yield connected


def seed_tasks() -> list[Task]:
    """The seeds as captures and as JSONL records, with corrupt JSONL lines among them."""
    tasks = [Task(i, name, seed_bytes(name), url=SEED_URLS[name]) for i, name in enumerate(SEEDS)]
    lines = [
        b"{not json",
        json.dumps({"id": "rec-1", "text": seed_bytes(SEEDS[1]).decode(), "url": SEED_URLS[SEEDS[1]],
                    "lang": "en"}).encode(),
        b"[1, 2, 3]",
        b'{"id": "no-text", "text": 5}',
        json.dumps({"html": "<html><body><article><h1>Park</h1><p>The council voted on "
                            "Tuesday to expand the park.</p></article></body></html>"}).encode(),
    ]
    start = len(tasks)
    tasks += [Task(start + n, f"input.jsonl:{n + 1}", line, format="jsonl")
              for n, line in enumerate(lines)]
    return tasks


def chunked(tasks: list[Task], size: int) -> list[list[Task]]:
    return [tasks[i:i + size] for i in range(0, len(tasks), size)]


def flat(chunks: list[list[Result]]) -> list[Result]:
    return [result for chunk in chunks for result in chunk]


def test_dask_executor_matches_the_local_executor(cluster, cleaner):
    chunks = chunked(seed_tasks(), 2)
    want = list(LocalExecutor(jobs=1).map_chunks(cleaner, Options(), chunks))
    got = list(DaskExecutor(scheduler=cluster.scheduler_address, in_flight=1)
               .map_chunks(cleaner, Options(), iter(chunks)))

    assert got == want  # results, records, errors, ids and chunking, in input order
    results = flat(got)
    assert [r.index for r in results] == list(range(len(seed_tasks())))
    # A record's own id, once it parses; its place in the input before that.
    assert [r.id for r in results] == SEEDS + ["input.jsonl:1", "rec-1", "input.jsonl:3",
                                               "input.jsonl:4", "input.jsonl:5"]
    assert [r.error["reason"] for r in results if r.error] == ["bad-record"] * 3
    record = results[len(SEEDS) + 1]  # "rec-1": the JSONL copy of the second seed
    assert results[1].record["text"] == record.record["text"]
    assert record.record["lang"] == "en"
    assert all(r.record["text"] for r in results if r.ok)


def test_dask_executor_keeps_a_bounded_number_of_chunks_in_flight(cluster, cleaner):
    pulled = 0
    tasks = seed_tasks()[:1]

    def chunks() -> Iterator[list[Task]]:
        nonlocal pulled
        for number in range(50):
            pulled += 1
            yield [Task(number, f"t{number}", tasks[0].payload, url=tasks[0].url)]

    executor = DaskExecutor(scheduler=cluster.scheduler_address, in_flight=1)
    results = executor.map_chunks(cleaner, Options(), chunks())
    first = next(results)
    # Two worker threads, one chunk each: the third chunk is not read before the first is done.
    assert pulled == 2
    assert first[0].id == "t0"
    assert [next(results)[0].id for _ in range(3)] == ["t1", "t2", "t3"]
    assert pulled <= 5
    results.close()  # stopping early cancels the rest and disconnects
    assert pulled < 50
    assert executor.client is None


def test_dask_executor_reuses_one_connection_as_a_context_manager(cluster, cleaner):
    chunks = chunked(seed_tasks()[:3], 1)
    with DaskExecutor(scheduler=cluster.scheduler_address) as executor:
        client = executor.client
        assert client is not None and client.status == "running"
        first = list(executor.map_chunks(cleaner, Options(), chunks))
        second = list(executor.map_chunks(cleaner, Options(), chunks))
        assert executor.client is client
    assert first == second and len(first) == 3
    assert executor.client is None and client.status == "closed"
    assert cluster.status.name == "running"  # the shared cluster is not this executor's to stop


def test_dask_executor_starts_and_stops_its_own_local_cluster(cleaner):
    before = set(multiprocessing.active_children())
    executor = DaskExecutor(n_workers=1)
    results = executor.map_chunks(cleaner, Options(), iter(chunked(seed_tasks()[:2], 1)))
    first = next(results)
    workers = set(multiprocessing.active_children()) - before
    assert len(workers) == 1  # a worker process, not a thread in this one
    assert executor.client is not None
    rest = list(results)
    assert [r.id for r in first + flat(rest)] == SEEDS[:2]
    assert executor.client is None
    assert not any(process.is_alive() for process in workers)


def test_a_chunk_that_kills_its_worker_fails_alone_and_the_batch_goes_on():
    seed = seed_tasks()[0]
    tasks = [Task(0, "before", seed.payload, url=seed.url), Task(1, "poison", POISON),
             Task(2, "after", seed.payload, url=seed.url)]
    # One worker, and no retries: the first death is final, so the test is quick. The
    # Cleaner lived on that worker too, and must be brought back for the last chunk.
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), \
            LocalCluster(n_workers=1, processes=True, threads_per_worker=1,
                         dashboard_address=":0") as local:
        executor = DaskExecutor(scheduler=local.scheduler_address, in_flight=1)
        results = flat(list(executor.map_chunks(DyingCleaner(), Options(),
                                                [[task] for task in tasks])))
    assert [r.id for r in results] == ["before", "poison", "after"]
    assert results[1].error["reason"] == "worker-died"
    assert results[0].ok and results[2].ok
    assert results[0].record == results[2].record | {"id": "before"}


def test_an_unreachable_scheduler_raises_cluster_error(cleaner):
    executor = DaskExecutor(scheduler="tcp://127.0.0.1:1", connect_timeout=1)
    with pytest.raises(ClusterError, match="cannot connect"):
        list(executor.map_chunks(cleaner, Options(), [seed_tasks()[:1]]))
    assert executor.client is None


def test_bad_executor_settings_are_rejected():
    with pytest.raises(CleanerError, match="at least 1"):
        DaskExecutor(in_flight=0)
    with pytest.raises(CleanerError, match="at least 1"):
        DaskExecutor(n_workers=0)


def test_clean_bag_gives_the_records_of_clean_and_explain(client, cleaner):
    texts = [seed_bytes(name).decode("utf-8") for name in SEEDS]
    captures = [{"id": name, "text": text, "url": SEED_URLS[name], "lang": "en",
                 "crawled": datetime.date(2023, 4, 5), "tags": ("a", "b")}
                for name, text in zip(SEEDS, texts)]
    bag = db.from_sequence(captures + texts[:2], npartitions=3)
    records = clean_bag(bag).compute(scheduler=client.get)

    assert len(records) == len(captures) + 2
    for capture, record in zip(captures, records):
        cleaned = cleaner.clean_and_explain(capture["text"], url=capture["url"])
        passthrough = {k: capture[k] for k in ("lang", "crawled", "tags")}
        assert record == result_record(cleaned, capture["id"], capture["url"], passthrough)
        assert record["crawled"] == datetime.date(2023, 4, 5) and record["tags"] == ("a", "b")
    for text, record in zip(texts[:2], records[len(captures):]):
        assert record["text"] == cleaner.clean(text)  # a bare string has no URL
        assert record["removals"] == [r.as_dict() for r in cleaner.clean_and_explain(text).removals]
        assert re.fullmatch(r"\d+:\d+", record["id"]) and record["url"] is None
    assert records[0]["paywalled"] is True
    assert len({record["id"] for record in records}) == len(records)


def test_clean_bag_turns_failures_into_error_records(client):
    items = [
        {"id": 7, "content": BOILERPLATE, "link": "https://example.com/a", "lang": "en"},
        {"id": 8, "url": "https://example.com/b", "note": "no text field"},
        42,
        "Council backs new park\ud800\n",
    ]
    bag = db.from_sequence(items, npartitions=2)
    records = clean_bag(bag, Cleaner(keep_categories={"ad"}), text_key="content",
                        url_key="link").compute(scheduler=client.get)

    ok, no_text, number, broken = records
    assert ok["id"] == "7" and ok["url"] == "https://example.com/a" and ok["lang"] == "en"
    assert ok["text"] == "Advertisement\n"  # the ad category kept, navigation removed
    assert "error" not in ok
    assert no_text["error"]["reason"] == "bad-record" and "'content'" in no_text["error"]["message"]
    assert no_text["text"] is None and no_text["id"] == "8" and no_text["note"] == "no text field"
    assert no_text["url"] is None  # the URL field is "link" here
    assert number["error"]["reason"] == "bad-record" and number["text"] is None
    assert broken["error"]["reason"] == "capture" and broken["text"] is None
    assert set(ok) - {"lang"} <= set(no_text)  # every record has the result fields


def test_clean_bag_reads_jsonl_lines_and_a_corrupt_one_fails_alone(client, cleaner, tmp_path):
    """The README's `db.read_text(...)` pipeline: a corrupt line is an error record, as
    in a local run, not an exception that ends the job."""
    name = SEEDS[1]
    good = {"id": "rec-1", "text": seed_bytes(name).decode("utf-8"), "url": SEED_URLS[name],
            "lang": "en"}
    path = tmp_path / "crawl.jsonl"
    path.write_text(json.dumps(good) + "\n{not json\n" + json.dumps({"text": BOILERPLATE}) + "\n",
                    encoding="utf-8")
    records = clean_bag(db.read_text(str(path)), jsonl=True).compute(scheduler=client.get)

    ok, corrupt, empty = records
    cleaned = cleaner.clean_and_explain(good["text"], url=good["url"])
    assert ok == result_record(cleaned, "rec-1", good["url"], {"lang": "en"})
    assert corrupt["error"]["reason"] == "bad-record" and corrupt["text"] is None
    assert corrupt["error"]["message"].startswith("not valid JSON")
    assert corrupt["id"] == "0:1"  # no id to read: its place in the bag
    assert empty["text"] == "" and "error" not in empty
