"""Input kind told by content when the name does not say it, the same for every command."""
from __future__ import annotations

import gzip
import io
import json
import sys

import pytest

from cleaner.batch.inputs import find_inputs
from cleaner.batch.readers import read_tasks
from cleaner.cli import main

from .test_inputs import PAGES, write_warc

DIRTY = "Council backs new park\n\nAdvertisement\n\nThe council voted on Tuesday.\n"
RECORDS = [{"id": "r1", "text": DIRTY, "url": "https://news.example.com/a"},
           {"id": "r2", "text": "Old bridge to reopen\n\nShare on Facebook\n\nIt reopens.\n"}]


def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(io.BytesIO(data))))


def _jsonl(records: list[dict[str, str]]) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in records)


# --- reproducers ----------------------------------------------------------------------------

def test_a_gzipped_warc_on_stdin_is_read_as_a_warc(tmp_path, monkeypatch, capsys):
    warc = tmp_path / "crawl.warc.gz"
    write_warc(warc, compress=True)
    _stdin(monkeypatch, warc.read_bytes())
    assert main(["clean", "-", "--format", "jsonl", "--jobs", "1"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["url"] for r in records] == list(PAGES)


def test_a_gzipped_jsonl_named_without_a_suffix_is_read_as_jsonl(tmp_path, capsys):
    path = tmp_path / "noext"
    path.write_bytes(gzip.compress(_jsonl(RECORDS)))
    assert [i.format for i in find_inputs([str(path)])] == ["jsonl"]
    assert main(["clean", str(path), "--format", "jsonl", "--jobs", "1"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["id"] for r in records] == ["r1", "r2"]
    assert "Advertisement" not in records[0]["text"]


def test_ndjson_in_a_directory_is_read_by_clean_as_by_lint(tmp_path, capsys):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "crawl.ndjson").write_bytes(_jsonl(RECORDS))
    assert main(["lint", str(tmp_path / "data")]) == 1
    assert "crawl.ndjson:1: en-ad:label" in capsys.readouterr().out
    out = tmp_path / "out"
    assert main(["clean", str(tmp_path / "data"), "-o", str(out), "--format", "jsonl", "-q",
                 "--jobs", "1"]) == 0
    cleaned = [json.loads(line) for line in (out / "cleaned.jsonl").read_text().splitlines()]
    assert [r["id"] for r in cleaned] == ["r1", "r2"]


def _explained(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().out.splitlines()


def test_explain_takes_the_first_record_of_a_jsonl_file(tmp_path, capsys):
    path = tmp_path / "crawl.jsonl"
    path.write_bytes(_jsonl(RECORDS))
    assert main(["explain", str(path), "--color", "never", "--no-model"]) == 0
    lines = _explained(capsys)
    assert lines[0].startswith("site=example.com ")  # the registrable domain
    assert lines[1:] == ["    1   Council backs new park", "    2",
                         "    3 - Advertisement  <- en-ad:label (ad)", "    4",
                         "    5   The council voted on Tuesday.", "    6"]


def test_explain_picks_a_jsonl_record_by_id(tmp_path, capsys):
    path = tmp_path / "crawl"  # no suffix: told by content
    path.write_bytes(_jsonl(RECORDS))
    assert main(["explain", str(path), "--id", "r2", "--color", "never", "--no-model"]) == 0
    lines = _explained(capsys)
    assert lines[1] == "    1   Old bridge to reopen"
    assert lines[3].startswith("    3 - Share on Facebook  <- en-share:")


@pytest.mark.parametrize("compress", [False, True])
def test_explain_takes_a_warc_record_first_or_by_id(tmp_path, capsys, compress):
    path = tmp_path / ("crawl.warc.gz" if compress else "crawl.warc")
    ids = write_warc(path, compress=compress)
    assert main(["explain", str(path), "--color", "never", "--no-model"]) == 0
    first = "\n".join(_explained(capsys))
    assert "riverside park" in first and "Old bridge" not in first
    assert main(["explain", str(path), "--id", ids[1], "--color", "never", "--no-model"]) == 0
    second = "\n".join(_explained(capsys))
    assert "Old bridge to reopen" in second and "riverside park" not in second


def test_explain_with_an_unknown_id_is_a_usage_error(tmp_path, capsys):
    path = tmp_path / "crawl.jsonl"
    path.write_bytes(_jsonl(RECORDS))
    assert main(["explain", str(path), "--id", "nope"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [f"error: {path}: no record with id 'nope'"]


def test_explain_on_a_directory_is_a_one_line_error(tmp_path, capsys):
    (tmp_path / "a.txt").write_text(DIRTY)
    (tmp_path / "b.txt").write_text(DIRTY)
    assert main(["explain", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert line.startswith(f"error: {tmp_path}: a directory")


def test_lint_html_field_reads_the_html_of_records(tmp_path, capsys):
    path = tmp_path / "pages.jsonl"
    html = ("<html><body><article><h1>Council backs new park</h1><p>The council voted on "
            "Tuesday to expand the riverside park by four hectares.</p><p>Advertisement</p>"
            "<p>Work on the new paths starts in the spring, the mayor said.</p></article>"
            "</body></html>")
    path.write_text(json.dumps({"page": html}) + "\n")
    assert main(["lint", str(path), "--html-field", "page"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [f"{path}:1: en-ad:label: ad: 'Advertisement' (line 3 of the text)"]


# --- the rules of detection -----------------------------------------------------------------

def test_stdin_is_told_by_content_and_read_once(monkeypatch, capsys):
    _stdin(monkeypatch, gzip.compress(_jsonl(RECORDS)))
    (source,) = find_inputs(["-"])
    assert (source.format, source.relative.as_posix()) == ("jsonl", "stdin.jsonl")
    assert [t.id for t in read_tasks([source], max_bytes=10_000)] == ["<stdin>:1", "<stdin>:2"]


@pytest.mark.parametrize("content, kind", [
    (b"", "capture"),
    (b"Headline\n\nBody.\n", "capture"),
    (b"<html><body>x</body></html>", "capture"),
    (b'\n{"text": "x"}\n', "jsonl"),
    (b'{"text": "' + b"x" * 200_000 + b'"}\n', "jsonl"),  # past the window that is looked at
    (b"{not json\n", "capture"),
    (b"WARC/1.1\r\nWARC-Type: warcinfo\r\n", "warc"),
    (gzip.compress(b"WARC/1.0\r\n"), "warc"),
    (gzip.compress(b"Just text.\n"), "capture"),
])
def test_content_decides_when_the_name_does_not(tmp_path, content, kind):
    path = tmp_path / "capture.dat"
    path.write_bytes(content)
    assert [i.format for i in find_inputs([str(path)])] == [kind]


def test_a_name_that_says_the_kind_is_trusted(tmp_path):
    (tmp_path / "a.jsonl").write_text("Just text.\n")
    (tmp_path / "b.txt").write_bytes(_jsonl(RECORDS))
    assert [i.format for i in find_inputs([str(tmp_path)])] == ["jsonl", "capture"]


def test_a_warc_under_another_kinds_name_fails_whole_not_as_garbage(tmp_path):
    warc = tmp_path / "crawl.warc"
    write_warc(warc, compress=False)
    (tmp_path / "crawl.txt").write_bytes(warc.read_bytes())
    (tmp_path / "crawl.jsonl").write_bytes(warc.read_bytes())
    inputs = find_inputs([str(tmp_path / "crawl.txt"), str(tmp_path / "crawl.jsonl")])
    tasks = list(read_tasks(inputs, max_bytes=1_000_000))
    assert len(tasks) == 2
    assert all(t.error is not None and "holds a WARC" in t.error[1] for t in tasks)


def test_explain_reports_a_bad_record_or_id_on_a_capture_in_one_line(tmp_path, capsys):
    path = tmp_path / "crawl.jsonl"
    path.write_text('{"body": "no text field"}\n')
    assert main(["explain", str(path)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"error: {path}:1: no text in field 'text' or 'html'"]
    capture = tmp_path / "page.txt"
    capture.write_text(DIRTY)
    assert main(["explain", str(capture), "--id", "r1"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"error: {capture}: --id picks a record")


def test_standard_input_that_cannot_be_read_is_a_one_line_error(capsys):
    # pytest's standard input refuses to be read, as a closed one does
    assert main(["clean", "-"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("error: <stdin>: cannot read: ")
