"""Batch runs end to end: a large JSONL, corrupt records, order, interruption and resume,
dead workers and time limits."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cleaner import Cleaner
from cleaner.batch.pool import LocalExecutor
from cleaner.batch.tasks import Options, Task, chunked, clean_task, result_id
from cleaner.cli import main
from cleaner.errors import CaptureError, CleanerError

REPO = Path(__file__).resolve().parents[1]
DOCS = 10_000
CORRUPT = {  # line number -> the corrupt line and the reason it must be reported with
    4_001: (b"{not json at all", "bad-record"),
    5_002: (b'["a", "list"]', "bad-record"),
    6_003: (json.dumps({"id": "no-text-here", "lang": "en"}).encode(), "bad-record"),
}
BOILERPLATE = [
    "Skip to main content", "Subscribe for unlimited access", "Advertisement",
    "Related Topics", "Leave a Reply",
]
WORDS = ("council park river budget school vote mayor report bridge library harbour "
         "festival museum railway hospital teachers").split()


def _prose(rnd: random.Random) -> str:
    return " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(8, 20))).capitalize() + "."


def _capture(rnd: random.Random, number: int) -> str:
    lines = [f"Headline number {number} about the {rnd.choice(WORDS)}"]
    for _ in range(rnd.randint(2, 6)):
        lines.append(rnd.choice(BOILERPLATE) if rnd.random() < 0.35 else _prose(rnd))
    return "\n\n".join(lines) + "\n"


def write_corpus(path: Path) -> None:
    """DOCS varied small captures with ids and passthrough fields; CORRUPT lines among them."""
    rnd = random.Random(20240501)
    with path.open("wb") as handle:
        for number in range(1, DOCS + 1):
            if number in CORRUPT:
                handle.write(CORRUPT[number][0] + b"\n")
                continue
            record = {"id": f"doc-{number:05d}", "text": _capture(rnd, number),
                      "crawl": {"batch": number % 7, "lang": "en"}}
            if number % 10 == 0:
                record["url"] = f"https://news.example.com/story/{number}"
            handle.write(json.dumps(record).encode() + b"\n")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "captures.jsonl"
    write_corpus(path)
    return path


@pytest.fixture(scope="module")
def reference(corpus, tmp_path_factory) -> Path:
    """One uninterrupted run over the corpus with two worker processes."""
    out = tmp_path_factory.mktemp("reference")
    code = main(["clean", str(corpus), "--format", "jsonl", "-o", str(out), "--jobs", "2", "-q"])
    assert code == 1  # the corrupt records failed, and nothing else stopped the run
    return out


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_large_jsonl_cleans_to_completion_in_input_order(corpus, reference):
    records = _lines(reference / "cleaned.jsonl")
    errors = _lines(reference / "errors.jsonl")
    assert len(records) == DOCS - len(CORRUPT)
    expected_ids = [f"doc-{n:05d}" for n in range(1, DOCS + 1) if n not in CORRUPT]
    assert [r["id"] for r in records] == expected_ids  # input order, whatever the workers did
    for record in records:
        number = int(record["id"][4:])
        assert record["crawl"] == {"batch": number % 7, "lang": "en"}  # passthrough intact
        assert record["url"] == (f"https://news.example.com/story/{number}"
                                 if number % 10 == 0 else None)
        assert record["text"].startswith(f"Headline number {number} ")
        assert not set(BOILERPLATE) & set(record["text"].splitlines())
    assert any(r["paywalled"] for r in records) and not all(r["paywalled"] for r in records)
    # the corrupt lines are reported where they are, with why, and nothing else failed
    assert [(e["source"], e["reason"]) for e in errors] == [
        (f"{corpus}:{number}", reason) for number, (_, reason) in sorted(CORRUPT.items())]
    assert [e["id"] for e in errors] == [f"{corpus}:{number}" for number in sorted(CORRUPT)]
    assert "not valid JSON" in errors[0]["message"]
    assert "JSON object" in errors[1]["message"]
    assert "no text in field 'text'" in errors[2]["message"]
    assert sorted(p.name for p in reference.iterdir()) == ["cleaned.jsonl", "errors.jsonl"]


@pytest.mark.parametrize("output_format", ["jsonl", "text"])
def test_one_worker_gives_the_same_output_and_stats_as_two(corpus, tmp_path, output_format):
    # Records come back from worker processes encoded, and are counted from their tally.
    head = tmp_path / "head.jsonl"
    head.write_bytes(b"".join(corpus.read_bytes().splitlines(keepends=True)[:300]))
    runs = {}
    for jobs in ("1", "2"):
        out, stats = tmp_path / f"out{jobs}", tmp_path / f"stats{jobs}.json"
        main(["clean", str(head), "--format", output_format, "-o", str(out), "--jobs", jobs,
              "--chunk-size", "7", "--stats", str(stats), "-q"])
        files = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
        summary = json.loads(stats.read_text())
        del summary["wall_seconds"], summary["docs_per_second"]
        runs[jobs] = files, summary
    assert runs["1"] == runs["2"]
    files, summary = runs["1"]
    assert summary["documents"] == 300 and summary["removals_by_rule"]
    if output_format == "jsonl":
        assert len(files[Path("cleaned.jsonl")].splitlines()) == 300
    else:
        assert sum(path.suffix == ".txt" for path in files) == 300


def _start(corpus: Path, out: Path) -> subprocess.Popen[bytes]:
    """The CLI in a process group of its own, so that a kill reaches its workers too."""
    return subprocess.Popen(
        [sys.executable, "-m", "cleaner.cli", "clean", str(corpus), "--format", "jsonl",
         "-o", str(out), "--jobs", "2", "--chunk-size", "16"],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def _wait_for_lines(process: subprocess.Popen[bytes], partial: Path, lines: int) -> None:
    deadline = time.monotonic() + 120  # a guard against a hung run, not a speed check
    while time.monotonic() < deadline:
        if partial.exists() and partial.read_bytes().count(b"\n") >= lines:
            return
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        time.sleep(0.005)
    raise AssertionError(f"{partial} never reached {lines} lines")


def _resume_and_compare(corpus: Path, out: Path, reference: Path) -> None:
    code = main(["clean", str(corpus), "--format", "jsonl", "-o", str(out), "--jobs", "2",
                 "--resume", "-q"])
    assert code == 1
    assert (out / "cleaned.jsonl").read_bytes() == (reference / "cleaned.jsonl").read_bytes()
    assert (out / "errors.jsonl").read_bytes() == (reference / "errors.jsonl").read_bytes()
    assert sorted(p.name for p in out.iterdir()) == ["cleaned.jsonl", "errors.jsonl"]


def test_killed_run_resumes_to_identical_output(corpus, reference, tmp_path, capsys):
    out = tmp_path / "out"
    partial = out / ".cleaned.jsonl.partial"
    process = _start(corpus, out)
    try:
        _wait_for_lines(process, partial, 500)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL
    # nothing under a real name: only the hidden partial files, stopped part way
    assert sorted(p.name for p in out.iterdir()) == [".cleaned.jsonl.partial",
                                                     ".errors.jsonl.partial"]
    written = partial.read_bytes()
    assert 500 <= written.count(b"\n") < DOCS - len(CORRUPT)
    assert (reference / "cleaned.jsonl").read_bytes().startswith(written.rpartition(b"\n")[0])

    _resume_and_compare(corpus, out, reference)
    done_before = int(capsys.readouterr().err.split(", ")[-1].split()[0].replace(",", ""))
    assert done_before >= 500  # the earlier run's records were skipped, not cleaned again


# `kill PID` signals the cleaner only; Ctrl-C in a terminal signals its whole process
# group, workers too.
@pytest.mark.parametrize("signum, to_group, code", [(signal.SIGTERM, False, 143),
                                                    (signal.SIGINT, True, 130)])
def test_a_signal_stops_cleanly_and_resumes(corpus, reference, tmp_path, signum, to_group, code):
    out = tmp_path / "out"
    process = _start(corpus, out)
    try:
        _wait_for_lines(process, out / ".cleaned.jsonl.partial", 300)
        if to_group:
            os.killpg(process.pid, signum)
        else:
            process.send_signal(signum)
        _, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == code
    lines = err.decode().splitlines()
    assert lines[-1].startswith("interrupted") and "--resume" in lines[-1]
    assert lines[-2].startswith("cleaned ")
    assert not (out / "cleaned.jsonl").exists() and not (out / "errors.jsonl").exists()
    _resume_and_compare(corpus, out, reference)


# --- the executor ---------------------------------------------------------------------------

def _children(pid: int) -> list[int]:
    """The processes ``pid`` started: the run's workers."""
    return [int(child) for child in
            Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="lists children through /proc")
def test_a_run_whose_worker_is_killed_ends_with_every_capture(corpus, reference, tmp_path):
    head = tmp_path / "head.jsonl"  # no corrupt records among these
    head.write_bytes(b"".join(corpus.read_bytes().splitlines(keepends=True)[:1500]))
    out = tmp_path / "out"
    process = _start(head, out)
    try:
        _wait_for_lines(process, out / ".cleaned.jsonl.partial", 300)
        os.kill(_children(process.pid)[0], signal.SIGKILL)
        _, err = process.communicate(timeout=120)  # a guard against a hung run
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 0, err.decode()
    # the capture the worker was cleaning ran again on its replacement: nothing is lost
    expected = (reference / "cleaned.jsonl").read_bytes().splitlines(keepends=True)[:1500]
    assert (out / "cleaned.jsonl").read_bytes() == b"".join(expected)
    assert (out / "errors.jsonl").read_bytes() == b""


class CrashingCleaner(Cleaner):
    """Kills the worker process it runs in on a capture that says CRASH (``signum`` 0:
    exits at once, as a crash in native code does)."""

    signum = 0

    def clean_and_explain(self, capture, url=None, kind="auto", source=None):
        if b"CRASH" in (capture if isinstance(capture, bytes) else capture.encode()):
            if self.signum:
                os.kill(os.getpid(), self.signum)
                time.sleep(30)  # the signal ends the process before this does
            os._exit(3)
        return super().clean_and_explain(capture, url=url, kind=kind, source=source)


def _tasks(count: int, special: dict[int, bytes]) -> list[Task]:
    return [Task(i, f"t{i}", special.get(i, f"Headline {i}\n\nBody {i}.\n".encode()))
            for i in range(count)]


def _run(executor: LocalExecutor, cleaner: Cleaner, options: Options, tasks: list[Task],
         size: int = 4) -> list:
    return [r for chunk in executor.map_chunks(cleaner, options, chunked(tasks, size))
            for r in chunk]


def _assert_others_cleaned(results, tasks, failed) -> None:
    assert [r.index for r in results] == [t.index for t in tasks]
    assert {r.index: r.error["reason"] for r in results if r.error} == failed
    assert all(r.record["text"] == f"Headline {r.index}\n\nBody {r.index}.\n"
               for r in results if r.ok)


class ParentHandlerRan(BaseException):
    """Like the CLI's Interrupted: not an Exception, which a capture's failure would be."""


# SIGTERM: the signal a pool's own shutdown sends, which a worker must not take for the
# parent's "stop the run" (the parent's handler raises Interrupted where it runs).
@pytest.mark.parametrize("signum", [0, signal.SIGKILL, signal.SIGTERM])
@pytest.mark.parametrize("jobs, limit", [(1, 60.0), (2, 60.0), (2, None)])
def test_a_dead_worker_costs_only_its_capture(cleaner, signum, jobs, limit):
    crashing = CrashingCleaner(cleaner.rulebook)
    crashing.signum = signum
    tasks = _tasks(24, {9: b"CRASH\n"})

    def stop(_signum, _frame):
        raise ParentHandlerRan()

    previous = signal.signal(signal.SIGTERM, stop)  # as `cleaner clean` sets it
    try:
        results = _run(LocalExecutor(jobs=jobs, in_flight=2), crashing,
                       Options(doc_timeout=limit), tasks)
    finally:
        signal.signal(signal.SIGTERM, previous)
    _assert_others_cleaned(results, tasks, {9: "worker-died"})


def test_workers_that_die_at_start_stop_the_run_with_an_error(cleaner, monkeypatch):
    monkeypatch.setattr("cleaner.batch.worker._exit_with_parent", lambda: os._exit(1))
    with pytest.raises(CleanerError, match="died at start"):
        _run(LocalExecutor(jobs=2), cleaner, Options(), _tasks(8, {}))


def test_chunked_is_lazy_and_keeps_order():
    pulled = []

    def tasks():
        for i in range(10):
            pulled.append(i)
            yield Task(i, f"t{i}", b"x")

    chunks = chunked(tasks(), 4)
    assert [t.index for t in next(chunks)] == [0, 1, 2, 3]
    assert pulled == [0, 1, 2, 3]
    assert [[t.index for t in c] for c in chunks] == [[4, 5, 6, 7], [8, 9]]


@pytest.mark.parametrize("payload", [
    b'{"id": "own", "text": "Body."}', b'{"text": "Body."}', b'{"id": 7, "html": "<p>x</p>"}',
    b"{broken", b"[1]", b'{"id": "no-text"}', b'{"id": "big", "text": "' + b"x" * 200 + b'"}',
    b"\xff\xfe{}", b"[" * 100_000,
])
def test_result_id_predicts_the_id_of_the_result(cleaner, payload):
    options = Options(max_bytes=150 if len(payload) < 1000 else 200_000)
    task = Task(0, "file.jsonl:3", payload, format="jsonl")
    assert result_id(task, options) == clean_task(cleaner, options, task).id


# --- time limits ------------------------------------------------------------------------------

class SlowCleaner(Cleaner):
    """Takes ``seconds`` on a capture that says SLOW, the way ``mode`` describes."""

    mode = "plain"

    def clean_and_explain(self, capture, url=None, kind="auto", source=None):
        text = capture if isinstance(capture, str) else capture.decode()
        if "SLOW" in text:
            if self.mode == "plain":
                time.sleep(30)
            elif self.mode == "wrapped":  # an extractor that turns every error into its own
                try:
                    time.sleep(30)
                except Exception as exc:
                    raise CaptureError("HTML extraction failed", source) from exc
            elif self.mode == "native":  # C code (lxml) that no signal handler interrupts
                signal.signal(signal.SIGALRM, signal.SIG_IGN)  # the time limit restores it
                time.sleep(10)
            else:  # "swallowed": library code that catches everything and carries on
                try:
                    time.sleep(30)
                except Exception:
                    pass
                time.sleep(30)
        return super().clean_and_explain(capture, url=url, kind=kind, source=source)


@pytest.mark.parametrize("mode", ["plain", "wrapped", "swallowed"])
def test_document_time_limit_holds_against_the_extractor(cleaner, mode):
    slow = SlowCleaner(cleaner.rulebook)
    slow.mode = mode
    result = clean_task(slow, Options(doc_timeout=0.2), Task(0, "slow", b"SLOW\n"))
    assert result.error == {"reason": "time-limit", "message": "cleaning took longer than 0.2s"}
    fine = clean_task(slow, Options(doc_timeout=0.2), Task(1, "fine", b"Fine.\n"))
    assert fine.ok


@pytest.mark.parametrize("mode, stopped", [("plain", ""), ("native", " (its worker was stopped)")])
def test_doc_timeout_in_a_batch_reports_and_goes_on(tmp_path, monkeypatch, capsys, cleaner,
                                                    mode, stopped):
    slow = SlowCleaner(cleaner.rulebook)
    slow.mode = mode
    monkeypatch.setattr("cleaner.cli.clean.Cleaner", lambda *a, **k: slow)
    batch = tmp_path / "in"
    batch.mkdir()
    (batch / "a.txt").write_text("Headline\n\nBody one.\n")
    (batch / "b.txt").write_text("Headline\n\nSLOW\n")
    (batch / "c.txt").write_text("Headline\n\nBody three.\n")
    out = tmp_path / "out"
    code = main(["clean", str(batch), "-o", str(out), "--jobs", "1", "--doc-timeout", "0.3"])
    assert code == 1
    assert sorted(p.name for p in out.iterdir()) == ["a.txt", "c.txt", "errors.jsonl"]
    (error,) = _lines(out / "errors.jsonl")
    assert error == {"id": str(batch / "b.txt"), "source": str(batch / "b.txt"),
                     "reason": "time-limit",
                     "message": f"cleaning took longer than 0.3s{stopped}"}
    assert "cleaned 2 of 3 captures" in capsys.readouterr().err


def test_a_real_capture_over_a_tiny_time_limit(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("".join(f"Paragraph {i} of a very long page about the river.\n\n"
                           for i in range(20_000)))
    out = tmp_path / "out"
    assert main(["clean", str(big), "-o", str(out), "--doc-timeout", "1e-4", "-q"]) == 1
    (error,) = _lines(out / "errors.jsonl")
    assert error["reason"] == "time-limit" and error["id"] == str(big)
    assert not (out / "big.txt").exists()


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_capture_stuck_in_native_code_is_stopped_at_its_limit(cleaner, jobs):
    slow = SlowCleaner(cleaner.rulebook)
    slow.mode = "native"
    tasks = _tasks(12, {2: b"SLOW\n", 7: b"SLOW\n"})
    results = _run(LocalExecutor(jobs=jobs), slow, Options(doc_timeout=0.2), tasks)
    _assert_others_cleaned(results, tasks, {2: "time-limit", 7: "time-limit"})
    assert results[2].error["message"].startswith("cleaning took longer than 0.2s")


def test_a_capture_s_time_counts_from_its_own_start(cleaner):
    """A chunk may take longer than the limit in all: only a capture over it fails."""
    slow = SlowCleaner(cleaner.rulebook)
    slow.mode = "native"
    tasks = _tasks(8, {7: b"SLOW\n"})
    paced = PacedCleaner(slow.rulebook)
    paced.inner = slow
    # 7 captures of 0.1s each, then a stuck one, in one chunk: a limit counted from
    # when the chunk was sent would go off during the quick ones.
    results = _run(LocalExecutor(jobs=1, grace=0.1), paced, Options(doc_timeout=0.5), tasks,
                   size=8)
    _assert_others_cleaned(results, tasks, {7: "time-limit"})


class PacedCleaner(Cleaner):
    """Takes 0.1s over each capture, well under the test's limit, then hands it on."""

    inner: Cleaner

    def clean_and_explain(self, capture, url=None, kind="auto", source=None):
        time.sleep(0.1)
        return self.inner.clean_and_explain(capture, url=url, kind=kind, source=source)
