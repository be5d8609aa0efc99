"""Outputs: partial files and resuming, text trees that stay inside their directory, stats,
errors, exit codes, the progress bar and the choice of executor."""
from __future__ import annotations

import gzip
import io
import json
import os
import signal
import sys
import types
from collections import Counter
from pathlib import Path

import pytest

from cleaner.batch.outputs import (JsonlFile, Resume, cleaned_line, error_record, partial_path,
                                   recover)
from cleaner.batch.tasks import Options, Result, Task
from cleaner.cli import clean as clean_command
from cleaner.cli import main
from cleaner.errors import CleanerError

CAPTURE = "Headline {n}\n\nAdvertisement\n\nBody of story {n}.\n\nSubscribe for unlimited access\n"


def _result(index: int, id: str) -> Result:
    return Result(index, id, 10, output={"id": id, "text": "x\n"})


def _write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# --- partial files --------------------------------------------------------------------------

def test_jsonl_file_appears_under_its_name_only_when_committed(tmp_path):
    target = tmp_path / "out" / "cleaned.jsonl"
    output = JsonlFile(target, cleaned_line)
    output.write(_result(0, "a"))
    assert partial_path(target).read_bytes() == b'{"id":"a","text":"x\\n"}\n'  # flushed
    assert not target.exists()
    output.commit()
    assert target.read_bytes() == b'{"id":"a","text":"x\\n"}\n'
    assert not partial_path(target).exists()


def test_a_stopped_jsonl_file_keeps_its_partial_file(tmp_path):
    target = tmp_path / "cleaned.jsonl"
    output = JsonlFile(target, cleaned_line)
    output.write(_result(0, "a"))
    output.close()
    assert [p.name for p in tmp_path.iterdir()] == [".cleaned.jsonl.partial"]


def test_recover_cuts_a_torn_last_line_and_counts_ids(tmp_path):
    target = tmp_path / "cleaned.jsonl"
    partial = partial_path(target)
    partial.write_bytes(b'{"id": "a"}\n{"id": "b"}\n{"id": "a"}\n{"id": "c", "text": "cut of')
    assert recover(partial, target) == Counter({"a": 2, "b": 1})
    assert partial.read_bytes() == b'{"id": "a"}\n{"id": "b"}\n{"id": "a"}\n'


def test_recover_refuses_a_file_it_did_not_write(tmp_path):
    target = tmp_path / "cleaned.jsonl"
    partial_path(target).write_bytes(b'{"id": "a"}\nnot json\n')
    with pytest.raises(CleanerError, match=r"\.cleaned\.jsonl\.partial:2: not a record"):
        recover(partial_path(target), target)


def test_recover_takes_up_a_completed_output(tmp_path):
    target = tmp_path / "cleaned.jsonl"
    target.write_bytes(b'{"id": "a"}\n')
    assert recover(partial_path(target), target) == Counter({"a": 1})
    assert partial_path(target).read_bytes() == target.read_bytes()


def test_lone_surrogates_are_written_as_escapes(tmp_path, capsys):
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": "s\\ud800", "text": "Headline\\n\\nBody \\udc00 text.\\n"}\n')
    out = tmp_path / "out"
    assert main(["clean", str(path), "--format", "jsonl", "-o", str(out), "-q"]) == 0
    (record,) = _read_jsonl(out / "cleaned.jsonl")
    assert record["id"] == "s\ud800"  # it reads back exactly
    assert (out / "cleaned.jsonl").read_bytes().isascii()


# --- resuming -------------------------------------------------------------------------------

def test_resume_skips_as_many_repeats_of_an_id_as_were_done():
    tasks = [Task(i, f"f.jsonl:{i + 1}", json.dumps({"id": id, "text": "x"}).encode(), "jsonl")
             for i, id in enumerate(["a", "b", "a", "c", "a"])]
    resume = Resume(Counter({"a": 2, "b": 1}), Options())
    assert [t.index for t in resume.pending(tasks)] == [3, 4]
    assert resume.skipped == 3


def test_resume_of_a_text_tree_skips_written_files_and_reported_errors(tmp_path, capsys):
    src = tmp_path / "src"
    src.mkdir()
    for n in range(5):
        (src / f"{n}.txt").write_text(CAPTURE.format(n=n))
    (src / "bad.txt").write_bytes(bytes(range(256)) * 4)
    out = tmp_path / "out"
    assert main(["clean", str(src), "-o", str(out), "-q"]) == 1
    first = {p.name: p.read_text() for p in out.iterdir()}
    (out / "3.txt").unlink()
    capsys.readouterr()
    assert main(["clean", str(src), "-o", str(out), "--resume", "-q"]) == 0
    summary = capsys.readouterr().err
    assert summary.startswith("cleaned 1 of 1 captures") and summary.rstrip().endswith(
        "5 done before")
    assert {p.name: p.read_text() for p in out.iterdir()} == first


def test_resume_needs_an_output_directory(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"Headline\n")))
    assert main(["clean", "-", "--resume"]) == 2
    assert "--resume needs -o" in capsys.readouterr().err


def test_resume_from_a_damaged_partial_file_is_a_usage_error(tmp_path, capsys):
    path = _write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": "x"}])
    out = tmp_path / "out"
    out.mkdir()
    partial_path(out / "cleaned.jsonl").write_text("garbage\n")
    assert main(["clean", str(path), "--format", "jsonl", "-o", str(out), "--resume"]) == 2
    assert "cannot resume" in capsys.readouterr().err


# --- text trees stay inside their directory -------------------------------------------------

HOSTILE_IDS = ["../../x", "/etc/passwd", "..", "a/../../b", "nul\x00byte", "x" * 5000,
               "C:\\Windows\\win.ini", "", ".bashrc", "~/.ssh/id_rsa"]


def test_hostile_record_ids_stay_inside_the_output_directory(tmp_path):
    jail = tmp_path / "jail"
    jail.mkdir()
    path = _write_jsonl(jail / "crawl.jsonl",
                        [{"id": i, "text": CAPTURE.format(n=n)} for n, i in enumerate(HOSTILE_IDS)])
    out = jail / "out"
    assert main(["clean", str(path), "-o", str(out), "-q"]) == 0
    written = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    assert len([p for p in written if p.parent == out / "crawl.jsonl"]) == len(HOSTILE_IDS)
    assert set(written) == {path, out / "errors.jsonl", *(out / "crawl.jsonl").iterdir()}
    for file in (out / "crawl.jsonl").iterdir():
        assert file.suffix == ".txt" and not file.name.startswith(".")
        assert len(file.name) <= 120
    texts = sorted(p.read_text() for p in (out / "crawl.jsonl").iterdir())
    assert texts == sorted(f"Headline {n}\n\nBody of story {n}.\n" for n in range(len(HOSTILE_IDS)))


def test_records_without_an_id_are_named_by_line(tmp_path):
    path = _write_jsonl(tmp_path / "crawl.jsonl", [{"text": CAPTURE.format(n=1)},
                                                   {"text": CAPTURE.format(n=2)}])
    out = tmp_path / "out"
    assert main(["clean", str(path), "-o", str(out), "-q"]) == 0
    assert sorted(p.name for p in (out / "crawl.jsonl").iterdir()) == ["line+1.txt", "line+2.txt"]


def test_a_file_that_cannot_be_written_is_a_failure_and_the_batch_goes_on(tmp_path):
    path = _write_jsonl(tmp_path / "crawl.jsonl", [{"id": "a", "text": CAPTURE.format(n=1)},
                                                   {"id": "b", "text": CAPTURE.format(n=2)}])
    out = tmp_path / "out"
    (out / "crawl.jsonl" / "a.txt").mkdir(parents=True)  # a directory where the file should go
    assert main(["clean", str(path), "-o", str(out), "-q"]) == 1
    (error,) = _read_jsonl(out / "errors.jsonl")
    assert (error["id"], error["reason"]) == ("a", "write")
    assert (out / "crawl.jsonl" / "b.txt").read_text() == "Headline 2\n\nBody of story 2.\n"


# --- stats, errors, summary -----------------------------------------------------------------

def test_stats_file_and_summary_line(tmp_path, capsys):
    path = _write_jsonl(tmp_path / "in.jsonl", [
        {"id": "a", "text": CAPTURE.format(n=1)}, {"id": "b", "text": "Just one line.\n"},
        {"id": "c"}, {"id": "d", "text": CAPTURE.format(n=2)}])
    out, stats = tmp_path / "out", tmp_path / "stats.json"
    assert main(["clean", str(path), "--format", "jsonl", "-o", str(out), "--stats",
                 str(stats)]) == 1
    data = json.loads(stats.read_text())
    lines = path.read_bytes().splitlines()
    assert data["documents"] == 4 and data["failures"] == 1 and data["skipped"] == 0
    assert data["bytes_in"] == sum(len(line) for line in lines)
    records = _read_jsonl(out / "cleaned.jsonl")
    assert data["bytes_out"] == sum(len(r["text"].encode()) for r in records)
    assert data["removals_by_category"] == {"ad": 2, "subscription": 2}
    assert data["removals_by_rule"] == Counter(r["rule"] for rec in records
                                               for r in rec["removals"])
    assert data["removals"] == 4 and data["paywalled"] == 2
    assert data["failures_by_reason"] == {"bad-record": 1}
    assert data["wall_seconds"] > 0 and data["docs_per_second"] > 0
    assert data["completed"] is True
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("cleaned 3 of 4 captures in ")
    assert f"{data['bytes_in']:,} -> {data['bytes_out']:,} bytes, 4 removals (" in line
    assert line.endswith(", 2 paywalled, 1 failed")


def test_errors_go_to_stderr_without_an_output_directory(tmp_path, capsys):
    path = _write_jsonl(tmp_path / "in.jsonl", [{"id": "a"}, {"id": "b", "text": "Fine.\n"}])
    (tmp_path / "in.jsonl").write_text((tmp_path / "in.jsonl").read_text() + "[1]\n")
    assert main(["clean", str(path), "--format", "jsonl"]) == 1
    captured = capsys.readouterr()
    assert [json.loads(l)["id"] for l in captured.out.splitlines()] == ["b"]
    errors, summary = captured.err.splitlines()[:-1], captured.err.splitlines()[-1]
    assert errors == [f"error: {path}:1: bad-record: no text in field 'text' or 'html'",
                      f"error: {path}:3: bad-record: a JSONL line must hold a JSON object"]
    assert summary.startswith("cleaned 1 of 3 captures")


def test_errors_to_a_file_of_its_own(tmp_path, capsys):
    path = _write_jsonl(tmp_path / "in.jsonl", [{"id": "a"}])
    errors = tmp_path / "logs" / "failed.jsonl"
    assert main(["clean", str(path), "--format", "jsonl", "--errors", str(errors)]) == 1
    assert [e["id"] for e in _read_jsonl(errors)] == [f"{path}:1"]
    assert capsys.readouterr().err.startswith("cleaned 0 of 1 captures")


def test_max_bytes_failures_are_reported_and_the_batch_goes_on(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "big.txt").write_text(CAPTURE.format(n=1) * 50)
    (src / "small.txt").write_text(CAPTURE.format(n=2))
    _write_jsonl(src / "lines.jsonl", [{"id": "long", "text": CAPTURE.format(n=3) * 50},
                                       {"id": "short", "text": CAPTURE.format(n=4)}])
    out = tmp_path / "out"
    assert main(["clean", str(src), "-o", str(out), "--max-bytes", "1000", "-q"]) == 1
    errors = {e["id"]: (e["source"], e["reason"], e["message"])
              for e in _read_jsonl(out / "errors.jsonl")}
    limit = "over the limit of 1,000 bytes"
    assert errors == {str(src / "big.txt"): (str(src / "big.txt"), "too-large", limit),
                      f"{src / 'lines.jsonl'}:1": (f"{src / 'lines.jsonl'}:1", "too-large", limit)}
    assert (out / "small.txt").read_text() == "Headline 2\n\nBody of story 2.\n"
    assert (out / "lines.jsonl" / "short.txt").read_text() == "Headline 4\n\nBody of story 4.\n"


# --- exit codes and executors ---------------------------------------------------------------

def test_exit_codes(tmp_path, capsys):
    good = tmp_path / "good.txt"
    good.write_text(CAPTURE.format(n=1))
    bad = tmp_path / "bad.txt"
    bad.write_bytes(bytes(range(256)) * 4)
    assert main(["clean", str(good), "-q"]) == 0
    assert main(["clean", str(good), str(bad), "-o", str(tmp_path / "o1"), "-q"]) == 1
    assert main(["clean", str(tmp_path / "missing.txt")]) == 2
    assert main(["clean", str(good), "--scheduler", "tcp://localhost:8786"]) == 2
    assert main(["clean", str(good), "--rules", str(tmp_path / "no-rules")]) == 2
    with pytest.raises(SystemExit) as exc:
        main(["clean", str(good), "--jobs", "0"])
    assert exc.value.code == 2


def test_dask_engine_without_dask_is_a_usage_error(tmp_path, monkeypatch, capsys):
    good = tmp_path / "good.txt"
    good.write_text(CAPTURE.format(n=1))
    monkeypatch.setitem(sys.modules, "cleaner.batch.integrations.dask", None)  # import fails
    assert main(["clean", str(good), "--engine", "dask"]) == 2
    err = capsys.readouterr().err
    assert "dask extra" in err and "pip install 'cleaner[dask]'" in err


def test_dask_engine_builds_the_dask_executor(tmp_path, monkeypatch, capsys):
    from cleaner.batch.tasks import clean_chunk

    made = []

    class FakeDaskExecutor:
        def __init__(self, scheduler=None):
            made.append(scheduler)

        def map_chunks(self, cleaner, options, chunks):
            for chunk in chunks:
                yield clean_chunk(cleaner, options, chunk)

    fake = types.ModuleType("cleaner.batch.integrations.dask")
    fake.DaskExecutor = FakeDaskExecutor  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "cleaner.batch.integrations.dask", fake)
    good = tmp_path / "good.txt"
    good.write_text(CAPTURE.format(n=1))
    assert main(["clean", str(good), "--engine", "dask", "--scheduler", "tcp://h:8786"]) == 0
    assert made == ["tcp://h:8786"]
    assert capsys.readouterr().out == "Headline 1\n\nBody of story 1.\n"


# --- progress -------------------------------------------------------------------------------

def test_progress_bar_on_a_terminal_only(tmp_path, monkeypatch, capsys):
    src = tmp_path / "src"
    src.mkdir()
    for n in range(3):
        (src / f"{n}.txt").write_text(CAPTURE.format(n=n))
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert main(["clean", str(src), "-o", str(tmp_path / "a"), "--jobs", "1"]) == 0
    err = capsys.readouterr().err
    assert "3/3" in err and "doc/s" in err and "MB/s" in err  # a total: an ETA is possible
    assert err.rstrip().splitlines()[-1].startswith("cleaned 3 of 3 captures")
    assert main(["clean", str(src), "-o", str(tmp_path / "b"), "--quiet"]) == 0
    assert capsys.readouterr().err.count("\n") == 1


def test_error_record_shape():
    result = Result(3, "doc-1", 5, error={"reason": "capture", "message": "bad"},
                    source="f.jsonl:4")
    assert error_record(result) == {"id": "doc-1", "source": "f.jsonl:4", "reason": "capture",
                                    "message": "bad"}


# --- no two captures write one file ---------------------------------------------------------

def _texts(out: Path) -> dict[str, str]:
    """The cleaned text files of a tree, by path below it."""
    return {p.relative_to(out).as_posix(): p.read_text() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != "errors.jsonl"}


def _story(n: int) -> str:
    return f"Headline {n}\n\nBody of story {n}.\n"


@pytest.mark.parametrize("names", [("a.txt", "a.html"), ("b.txt", "b.txt.gz")],
                         ids=["txt-and-html", "txt-and-gz"])
def test_captures_that_differ_by_suffix_write_files_of_their_own(tmp_path, capsys, names):
    src = tmp_path / "src"
    src.mkdir()
    for n, name in enumerate(names):
        data = CAPTURE.format(n=n).encode()
        (src / name).write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    out = tmp_path / "out"
    assert main(["clean", str(src), "-o", str(out), "-q"]) == 0
    assert sorted(_texts(out).values()) == [_story(0), _story(1)]
    assert "2 files written" in capsys.readouterr().err


def test_containers_and_a_folder_of_the_same_stem_write_apart(tmp_path):
    src = tmp_path / "src"
    (src / "crawl").mkdir(parents=True)
    _write_jsonl(src / "crawl.jsonl", [{"text": CAPTURE.format(n=1)}])
    (src / "crawl.jsonl.gz").write_bytes(gzip.compress(
        json.dumps({"text": CAPTURE.format(n=2)}).encode() + b"\n"))
    (src / "crawl" / "line-1.txt").write_text(CAPTURE.format(n=3))
    out = tmp_path / "out"
    assert main(["clean", str(src), "-o", str(out), "-q"]) == 0
    assert sorted(_texts(out).values()) == [_story(1), _story(2), _story(3)]


@pytest.mark.parametrize("ids", [["line-2", None], ["etc_passwd-936d7c04cd", "../../etc/passwd"]],
                         ids=["id-like-a-line", "id-like-a-hashed-id"])
def test_record_ids_that_look_alike_write_files_of_their_own(tmp_path, ids):
    records = [{"text": CAPTURE.format(n=n), **({} if i is None else {"id": i})}
               for n, i in enumerate(ids)]
    path = _write_jsonl(tmp_path / "crawl.jsonl", records)
    out = tmp_path / "out"
    assert main(["clean", str(path), "-o", str(out), "-q"]) == 0
    assert sorted(_texts(out).values()) == [_story(0), _story(1)]


@pytest.mark.parametrize("ids", [[5, "5"], ["a", "a"]], ids=["number-and-string", "repeated"])
def test_a_record_whose_file_is_taken_fails_naming_both(tmp_path, capsys, ids):
    path = _write_jsonl(tmp_path / "crawl.jsonl",
                        [{"id": i, "text": CAPTURE.format(n=n)} for n, i in enumerate(ids)])
    out = tmp_path / "out"
    assert main(["clean", str(path), "-o", str(out), "-q"]) == 1
    assert list(_texts(out).values()) == [_story(0)]  # the first keeps its file
    (error,) = _read_jsonl(out / "errors.jsonl")
    assert error["reason"] == "name-clash" and error["source"] == f"{path}:2"
    assert f"{path}:1" in error["message"]
    assert "1 file written" in capsys.readouterr().err


def test_capture_files_that_would_share_a_file_stop_the_run_before_writing(tmp_path, capsys):
    one, two = tmp_path / "one", tmp_path / "two"
    for folder in (one, two):
        folder.mkdir()
        (folder / "a.txt").write_text(CAPTURE.format(n=1))
    out = tmp_path / "out"
    assert main(["clean", str(one), str(two), "-o", str(out), "-q"]) == 2
    err = capsys.readouterr().err
    assert str(one / "a.txt") in err and str(two / "a.txt") in err
    assert len(err.splitlines()) == 1
    assert not out.exists() or not any(out.rglob("*"))


def test_the_input_directory_as_output_is_a_usage_error(tmp_path, capsys):
    (tmp_path / "a.txt").write_text(CAPTURE.format(n=1))
    assert main(["clean", str(tmp_path), "-o", str(tmp_path), "-q"]) == 2
    assert "output directory" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


@pytest.mark.parametrize("output_format", ["text", "jsonl"])
def test_a_complete_output_is_not_overwritten_without_force(tmp_path, capsys, output_format):
    src = tmp_path / "a.txt"
    src.write_text(CAPTURE.format(n=1))
    out = tmp_path / "out"
    command = ["clean", str(src), "-o", str(out), "--format", output_format, "-q"]
    assert main(command) == 0
    before = _texts(out)
    src.write_text(CAPTURE.format(n=2))
    capsys.readouterr()
    assert main(command) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "--resume" in err and "--force" in err
    assert _texts(out) == before
    assert main([*command, "--force"]) == 0
    assert _texts(out) != before and "Body of story 2." in "".join(_texts(out).values())


def test_an_interrupted_text_tree_leaves_no_temporary_file(tmp_path, monkeypatch, capsys):
    src = tmp_path / "src"
    src.mkdir()
    for n in range(5):
        (src / f"{n}.txt").write_text(CAPTURE.format(n=n))
    out = tmp_path / "out"
    real_open, opened = os.open, []

    def interrupted_open(path, flags, *args, **kwargs):
        fd = real_open(path, flags, *args, **kwargs)
        if str(path).endswith(".tmp"):
            opened.append(path)
            if len(opened) == 3:  # Ctrl-C the moment the third file is created
                os.close(fd)
                raise KeyboardInterrupt
        return fd

    monkeypatch.setattr(os, "open", interrupted_open)
    assert main(["clean", str(src), "-o", str(out), "--jobs", "1", "-q"]) == 130
    monkeypatch.setattr(os, "open", real_open)
    assert sorted(p.name for p in out.rglob("*")) == [".errors.jsonl.partial", "0.txt", "1.txt"]
    assert main(["clean", str(src), "-o", str(out), "--resume", "-q"]) == 0
    assert sorted(_texts(out)) == [f"{n}.txt" for n in range(5)]


def test_resume_does_not_take_a_namesakes_file_as_done(tmp_path, capsys):
    path = _write_jsonl(tmp_path / "crawl.jsonl",
                        [{"id": "a", "text": CAPTURE.format(n=n)} for n in range(2)])
    out = tmp_path / "out"
    assert main(["clean", str(path), "-o", str(out), "-q"]) == 1
    (out / "errors.jsonl").unlink()  # as if stopped after the first record's file
    assert main(["clean", str(path), "-o", str(out), "--resume", "-q"]) == 1
    (error,) = _read_jsonl(out / "errors.jsonl")
    assert (error["source"], error["reason"]) == (f"{path}:2", "name-clash")
    assert _texts(out) == {"crawl.jsonl/a.txt": _story(0)}
    assert capsys.readouterr().err.rstrip().endswith("1 done before")


def test_a_capture_is_not_overwritten_by_its_own_cleaned_text(tmp_path, capsys):
    capture = tmp_path / "a.txt"
    capture.write_text(CAPTURE.format(n=1))
    assert main(["clean", str(capture), "-o", str(tmp_path), "-q"]) == 2
    assert "overwritten" in capsys.readouterr().err
    assert capture.read_text() == CAPTURE.format(n=1)


@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_stop_signal_whose_exception_was_lost_still_stops_the_run(
        tmp_path, monkeypatch, capsys, signum, code):
    # Python prints and drops an exception raised inside a finaliser: a stop signal
    # that lands there must still keep the run from committing its outputs.
    src = tmp_path / "src"
    src.mkdir()
    (src / "0.txt").write_text(CAPTURE.format(n=0))
    out = tmp_path / "out"
    real_clean_all = clean_command._clean_all

    def clean_all_losing_a_signal(*args, **kwargs):
        try:
            os.kill(os.getpid(), signum)
        except BaseException:  # what a finaliser does with it
            pass
        return real_clean_all(*args, **kwargs)

    monkeypatch.setattr(clean_command, "_clean_all", clean_all_losing_a_signal)
    assert main(["clean", str(src), "-o", str(out), "--format", "jsonl", "--jobs", "1"]) == code
    assert "interrupted" in capsys.readouterr().err
    assert not (out / "cleaned.jsonl").exists()
    monkeypatch.setattr(clean_command, "_clean_all", real_clean_all)
    assert main(["clean", str(src), "-o", str(out), "--format", "jsonl", "--resume", "-q"]) == 0
    assert (out / "cleaned.jsonl").exists()
