"""Finding inputs and reading them as tasks: captures, gzip, JSONL, WARC and standard input."""
from __future__ import annotations

import gzip
import io
import json
import sys
from itertools import islice
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from cleaner.batch.inputs import Input, find_inputs, known_total
from cleaner.batch.readers import read_tasks
from cleaner.cli import main
from cleaner.errors import CleanerError

PAGES = {
    "https://news.example.com/park": (
        "<!DOCTYPE html><html><head><title>Council backs new park</title></head><body>"
        "<nav><a href='/'>Home</a></nav><article><h1>Council backs new park</h1>"
        "<p>The council voted on Tuesday to expand the riverside park by four hectares, "
        "after a long campaign by residents who wanted more green space.</p>"
        "<p>Subscribe for unlimited access</p>"
        "<p>Work on the new paths and the playground starts in the spring, the mayor said, "
        "and should be finished before the summer holidays.</p></article></body></html>"),
    "https://news.example.com/bridge": (
        "<!DOCTYPE html><html><head><title>Old bridge to reopen</title></head><body>"
        "<article><h1>Old bridge to reopen</h1><p>The old railway bridge over the harbour "
        "reopens to walkers and cyclists next month after two years of repairs.</p>"
        "<p>Advertisement</p><p>Engineers replaced the rusted beams and the deck, and the "
        "cost came in under the budget the council set in 2022.</p></article></body></html>"),
    "https://news.example.com/library": (
        "<html><body><article><h1>Library extends hours</h1><p>The central library will "
        "stay open until nine on weekdays from March, the city said on Monday.</p>"
        "<p>Related Topics</p></article></body></html>"),
}


def _names(inputs: list[Input]) -> list[str]:
    return [i.relative.as_posix() for i in inputs]


# --- finding --------------------------------------------------------------------------------

def test_directories_are_walked_for_the_default_suffixes(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / ".git").mkdir()
    for name in ("a/one.txt", "a/two.HTML", "b.htm", "c.html.gz", "d.jsonl", "e.jsonl.gz",
                 "f.warc", "g.warc.gz", "urls.tsv", "notes.md", "h.ndjson", ".hidden.txt",
                 ".git/x.txt", "a/.cleaned.jsonl.partial"):
        (tmp_path / name).write_text("x")
    found = find_inputs([str(tmp_path)])
    assert _names(found) == ["a/one.txt", "a/two.HTML", "b.htm", "c.html.gz", "d.jsonl",
                             "e.jsonl.gz", "f.warc", "g.warc.gz", "h.ndjson"]
    assert [i.format for i in found] == ["capture"] * 4 + ["jsonl"] * 2 + ["warc"] * 2 \
        + ["jsonl"]
    assert known_total(found) is None  # JSONL and WARC files hold an unknown number
    assert known_total(found[:4]) == 4


def test_globs_replace_the_defaults(tmp_path):
    (tmp_path / "news").mkdir()
    for name in ("a.txt", "b.html", "news/c.html", "news/d.ndjson", "e.md"):
        (tmp_path / name).write_text("x")
    assert _names(find_inputs([str(tmp_path)], ["*.md", "*.NDJSON"])) == ["e.md",
                                                                       "news/d.ndjson"]
    assert _names(find_inputs([str(tmp_path)], ["news/*.html"])) == ["news/c.html"]
    # a file named on the command line is taken whatever its name
    assert _names(find_inputs([str(tmp_path / "e.md")], ["*.html"])) == ["e.md"]


def test_the_output_directory_is_not_read_as_input(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "out" / "a.txt").write_text("x")
    assert _names(find_inputs([str(tmp_path)], exclude=tmp_path / "out")) == ["a.txt"]


def test_stdin_forced_formats_and_missing_paths(tmp_path, monkeypatch):
    (tmp_path / "dump.txt").write_text("{}")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"Just text.\n")))
    assert [(i.path, i.format) for i in find_inputs(["-"])] == [(None, "capture")]
    assert [i.format for i in find_inputs(["-", str(tmp_path / "dump.txt")], input_format="jsonl")
            ] == ["jsonl", "jsonl"]
    with pytest.raises(CleanerError, match="no such file"):
        find_inputs([str(tmp_path / "absent.txt")])


# --- captures and gzip ----------------------------------------------------------------------

def test_gzip_is_undone_by_magic_bytes_or_by_name(tmp_path):
    text = b"Headline\n\nBody text.\n"
    (tmp_path / "a.txt.gz").write_bytes(gzip.compress(text))
    (tmp_path / "b.txt").write_bytes(gzip.compress(text))  # compressed, but not named so
    (tmp_path / "c.html.gz").write_bytes(b"not gzip at all")  # named so, but not compressed
    tasks = list(read_tasks(find_inputs([str(tmp_path)], ["*"]), max_bytes=1000))
    assert [t.payload for t in tasks[:2]] == [text, text]
    assert [t.relative for t in tasks] == ["a.txt.gz", "b.txt", "c.html.gz"]
    assert tasks[2].error is not None and tasks[2].error[0] == "read"
    assert "gzip" in tasks[2].error[1].lower()


def test_captures_over_the_limit_are_marked_not_read_whole(tmp_path):
    (tmp_path / "big.txt").write_bytes(b"x" * 5000)
    (tmp_path / "small.txt").write_bytes(b"x" * 100)
    big, small = read_tasks(find_inputs([str(tmp_path)]), max_bytes=1000)
    assert big.payload == b"" and big.error == ("too-large", "over the limit of 1,000 bytes")
    assert small.payload == b"x" * 100 and small.error is None


def test_manifest_urls_by_file_name(tmp_path):
    (tmp_path / "a.html.gz").write_bytes(gzip.compress(b"<p>x</p>"))
    (tmp_path / "b.txt").write_text("x")
    urls = {"a.html": "https://example.com/a", "b.txt": "https://example.com/b"}
    tasks = list(read_tasks(find_inputs([str(tmp_path)]), 1000, urls=urls))
    assert [t.url for t in tasks] == ["https://example.com/a", "https://example.com/b"]


# --- JSONL ----------------------------------------------------------------------------------

def test_jsonl_lines_become_tasks_with_their_location(tmp_path):
    path = tmp_path / "crawl.jsonl"
    path.write_bytes(b'{"id": "a", "text": "x"}\n\n   \n{broken\r\n' + b'{"text": "' + b"y" * 50
                     + b'"}\n{"text": "last, no line end"}')
    tasks = list(read_tasks(find_inputs([str(path)]), max_bytes=40, url="https://fallback"))
    assert [(t.id, t.source, t.format) for t in tasks] == [
        (f"{path}:{n}", f"{path}:{n}", "jsonl") for n in (1, 4, 5, 6)]
    assert [t.payload for t in tasks] == [b'{"id": "a", "text": "x"}', b"{broken", b"",
                                          b'{"text": "last, no line end"}']
    assert tasks[2].error == ("too-large", "over the limit of 40 bytes")
    assert {t.relative for t in tasks} == {"crawl.jsonl"} and {t.url for t in tasks} == {
        "https://fallback"}
    assert [t.index for t in tasks] == [0, 1, 2, 3]


def test_jsonl_gz_and_a_truncated_gzip_stream(tmp_path):
    lines = b"".join(json.dumps({"id": f"r{i}", "text": f"Body {i}."}).encode() + b"\n"
                     for i in range(2000))
    whole = gzip.compress(lines)
    (tmp_path / "a.jsonl.gz").write_bytes(whole)
    (tmp_path / "b.jsonl.gz").write_bytes(whole[: len(whole) // 2])
    tasks = list(read_tasks(find_inputs([str(tmp_path)]), max_bytes=1000))
    a = [t for t in tasks if t.source.startswith(str(tmp_path / "a"))]
    b = [t for t in tasks if t.source.startswith(str(tmp_path / "b"))]
    assert len(a) == 2000 and all(t.error is None for t in a)
    assert 0 < len(b) < 2000
    assert b[-1].error is not None and b[-1].error[0] == "read"  # the file's end, reported
    assert all(t.error is None for t in b[:-1])
    assert [t.relative for t in (a[0], b[0])] == ["a.jsonl.gz", "b.jsonl.gz"]


class EndlessJsonl(io.RawIOBase):
    """A JSONL stream that never ends: reading it whole would never return."""

    def __init__(self) -> None:
        self.served = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        line = json.dumps({"text": f"Line {self.served}."}).encode() + b"\n"
        self.served += 1
        buffer[: len(line)] = line
        return len(line)


def test_jsonl_is_read_lazily(monkeypatch):
    endless = EndlessJsonl()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(endless)))
    tasks = read_tasks(find_inputs(["-"], input_format="jsonl"), max_bytes=1000)
    first = list(islice(tasks, 5))
    assert [t.id for t in first] == [f"<stdin>:{n}" for n in range(1, 6)]
    assert endless.served < 1000  # a buffer's worth, not the stream


def test_jsonl_from_stdin_through_the_cli(monkeypatch, capsys):
    data = b'{"id": "s1", "text": "Headline\\n\\nAdvertisement\\n\\nBody.\\n", "k": 1}\n{oops\n'
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["clean", "-", "--input-format", "jsonl", "--format", "jsonl"]) == 1
    captured = capsys.readouterr()
    (record,) = [json.loads(line) for line in captured.out.splitlines()]
    assert (record["id"], record["text"], record["k"]) == ("s1", "Headline\n\nBody.\n", 1)
    error_line, summary = captured.err.splitlines()
    assert error_line.startswith("error: <stdin>:2: bad-record: not valid JSON")
    assert summary.startswith("cleaned 1 of 2 captures")


def test_custom_field_names(tmp_path, capsys):
    path = tmp_path / "docs.ndjson"
    path.write_text(json.dumps({"key": "k1", "body": "Headline\n\nAdvertisement\n\nBody.\n",
                                "link": "https://example.com/x", "text": "kept as is"}) + "\n")
    assert main(["clean", str(path), "--format", "jsonl", "--text-field", "body",
                 "--id-field", "key", "--url-field", "link"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert (record["id"], record["url"], record["text"]) == ("k1", "https://example.com/x",
                                                             "Headline\n\nBody.\n")


# --- WARC -----------------------------------------------------------------------------------

def _response(writer: WARCWriter, url: str, body: bytes, content_type: str,
              status: str = "200 OK") -> None:
    headers = StatusAndHeaders(status, [("Content-Type", content_type),
                                        ("Content-Length", str(len(body)))],
                               protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                  http_headers=headers))


def write_warc(path: Path, compress: bool) -> list[str]:
    """The pages as HTML responses among records that must be skipped; their record ids."""
    ids = []
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=compress)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        for url, html in PAGES.items():
            request = StatusAndHeaders("GET / HTTP/1.1", [("Host", "news.example.com")],
                                       is_http_request=True)
            writer.write_record(writer.create_warc_record(url, "request",
                                                          payload=io.BytesIO(b""),
                                                          http_headers=request))
            _response(writer, url, html.encode(), "text/html; charset=utf-8")
        _response(writer, "https://news.example.com/logo.png", b"\x89PNG...", "image/png")
        _response(writer, "https://news.example.com/api", b'{"a": 1}', "application/json")
        _response(writer, "https://news.example.com/gone", b"<html><body>Not found</body></html>",
                  "text/html", status="404 Not Found")
    with path.open("rb") as handle:
        from warcio.archiveiterator import ArchiveIterator
        for record in ArchiveIterator(handle):
            if record.rec_type == "response" and record.http_headers.get_statuscode() == "200" \
                    and "html" in record.http_headers.get_header("Content-Type"):
                ids.append(record.rec_headers.get_header("WARC-Record-ID"))
    return ids


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_warc_html_responses_become_tasks(tmp_path, name):
    path = tmp_path / name
    ids = write_warc(path, compress=name.endswith(".gz"))
    tasks = list(read_tasks(find_inputs([str(path)]), max_bytes=100_000))
    assert [t.url for t in tasks] == list(PAGES)
    assert [t.payload.decode() for t in tasks] == list(PAGES.values())
    assert [t.id for t in tasks] == ids
    assert all(t.source.startswith(f"{path}@") for t in tasks)
    assert all(t.relative.startswith(f"{name}/") and t.relative.endswith(".txt") for t in tasks)


def test_warc_cleans_like_the_same_pages_as_html_files(tmp_path):
    warc = tmp_path / "crawl.warc.gz"
    write_warc(warc, compress=True)
    pages = tmp_path / "pages"
    pages.mkdir()
    manifest = tmp_path / "urls.tsv"
    manifest.write_text("".join(f"page{n}.html\t{url}\n" for n, url in enumerate(PAGES)))
    for n, html in enumerate(PAGES.values()):
        (pages / f"page{n}.html").write_text(html)

    assert main(["clean", str(warc), "--format", "jsonl", "-o", str(tmp_path / "w"), "-q"]) == 0
    assert main(["clean", str(pages), "--urls", str(manifest), "--format", "jsonl",
                 "-o", str(tmp_path / "h"), "-q"]) == 0
    from_warc = [json.loads(l) for l in (tmp_path / "w/cleaned.jsonl").read_text().splitlines()]
    from_html = [json.loads(l) for l in (tmp_path / "h/cleaned.jsonl").read_text().splitlines()]
    assert len(from_warc) == len(PAGES)
    for warc_record, html_record in zip(from_warc, from_html):
        assert warc_record["url"] == html_record["url"]
        for key in ("text", "title", "site", "paywalled", "removals"):
            assert warc_record[key] == html_record[key], key
    assert "Subscribe for unlimited access" not in from_warc[0]["text"]
    assert from_warc[0]["paywalled"] is True
    assert "riverside park" in from_warc[0]["text"]


def test_warc_to_a_text_tree(tmp_path):
    warc = tmp_path / "crawl.warc"
    ids = write_warc(warc, compress=False)
    out = tmp_path / "out"
    assert main(["clean", str(warc), "-o", str(out), "-q"]) == 0
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.txt"))
    assert len(written) == len(ids) == 3
    assert all(name.startswith("crawl.warc/urn_uuid_") for name in written)


def test_a_warc_gzipped_whole_is_read_too(tmp_path):
    plain = tmp_path / "plain.warc"
    write_warc(plain, compress=False)
    whole = tmp_path / "whole.warc.gz"  # `gzip plain.warc`: one stream, not one per record
    whole.write_bytes(gzip.compress(plain.read_bytes()))
    tasks = list(read_tasks(find_inputs([str(whole)]), max_bytes=100_000))
    assert [t.url for t in tasks] == list(PAGES) and all(t.error is None for t in tasks)


@pytest.mark.parametrize("content", [b"this is not a WARC file\n" * 10,
                                     gzip.compress(b"this is not a WARC file\n" * 10)])
def test_a_broken_warc_is_reported_and_the_batch_goes_on(tmp_path, capsys, content):
    (tmp_path / "a.warc").write_bytes(content)
    (tmp_path / "b.txt").write_text("Headline\n\nBody.\n")
    out = tmp_path / "out"
    assert main(["clean", str(tmp_path / "a.warc"), str(tmp_path / "b.txt"), "-o", str(out),
                 "-q"]) == 1
    (error,) = [json.loads(l) for l in (out / "errors.jsonl").read_text().splitlines()]
    assert error["reason"] == "read" and error["id"] == str(tmp_path / "a.warc")
    assert "not a WARC file" in error["message"]
    assert (out / "b.txt").read_text() == "Headline\n\nBody.\n"
    assert capsys.readouterr().err.count("\n") == 1  # the summary, and no library chatter


def test_malformed_warc_records_are_counted_quietly(tmp_path, capsys):
    path = tmp_path / "crawl.warc"
    write_warc(path, compress=False)
    data = path.read_bytes()
    # the first record claims a few bytes less than it holds
    length = data.split(b"Content-Length: ", 1)[1].split(b"\r\n", 1)[0]
    path.write_bytes(data.replace(b"Content-Length: " + length,
                                  b"Content-Length: " + str(int(length) - 5).encode(), 1))
    tasks = list(read_tasks(find_inputs([str(path)]), max_bytes=100_000))
    assert tasks[-1].error is not None and "malformed records" in tasks[-1].error[1]
    assert capsys.readouterr().err == ""


# --- through the command line ---------------------------------------------------------------

def test_gzip_and_glob_through_the_cli(tmp_path):
    src = tmp_path / "src"
    (src / "deep").mkdir(parents=True)
    capture = b"Headline A\n\nAdvertisement\n\nBody A.\n"
    (src / "deep" / "a.txt.gz").write_bytes(gzip.compress(capture))
    (src / "b.htm").write_text("Headline B\n\nBody B.\n")
    (src / "c.md").write_text("Headline C\n\nAdvertisement\n\nBody C.\n")
    out = tmp_path / "out"
    assert main(["clean", str(src), "-o", str(out), "-q"]) == 0
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.txt")) == [
        "b.htm.txt", "deep/a.txt.gz.txt"]
    assert (out / "deep" / "a.txt.gz.txt").read_text() == "Headline A\n\nBody A.\n"
    out2 = tmp_path / "out2"
    assert main(["clean", str(src), "-o", str(out2), "--glob", "*.md", "--glob", "*.gz",
                 "-q"]) == 0
    assert sorted(p.relative_to(out2).as_posix() for p in out2.rglob("*.txt")) == [
        "c.md.txt", "deep/a.txt.gz.txt"]


def test_gzip_on_stdin(monkeypatch, capsys):
    data = gzip.compress(b"Headline\n\nAdvertisement\n\nBody.\n")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["clean", "-"]) == 0
    assert capsys.readouterr().out == "Headline\n\nBody.\n"


def test_symlinks_out_of_the_tree_are_read_only_when_asked(tmp_path):
    tree, outside = tmp_path / "tree", tmp_path / "secret.txt"
    tree.mkdir()
    outside.write_text("x")
    (tree / "a.txt").write_text("x")
    (tree / "inner.txt").symlink_to(tree / "a.txt")
    (tree / "leak.txt").symlink_to(outside)
    assert _names(find_inputs([str(tree)])) == ["a.txt", "inner.txt"]
    assert _names(find_inputs([str(tree)], follow_symlinks=True)) == [
        "a.txt", "inner.txt", "leak.txt"]
    out = tmp_path / "out"
    assert main(["clean", str(tree), "-o", str(out), "-q", "--follow-symlinks"]) == 0
    assert (out / "leak.txt").exists()


def test_an_input_directory_inside_the_output_directory_is_refused(tmp_path):
    (tmp_path / "sub").mkdir()
    with pytest.raises(CleanerError, match="output directory"):
        find_inputs([str(tmp_path)], exclude=tmp_path)
    with pytest.raises(CleanerError, match="output directory"):
        find_inputs([str(tmp_path / "sub")], exclude=tmp_path)


def test_a_warc_records_http_charset_decodes_its_body(tmp_path):
    # short Western European text that charset detection alone reads as Baltic (cp1257)
    text = "Café crème à la française, déjà vu. Señor niño.\n" * 5
    html = f"<html><body><article><p>{text}</p></article></body></html>"
    path = tmp_path / "crawl.warc"
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=False)
        _response(writer, "https://news.example.com/fr", html.encode("iso-8859-1"),
                  "text/html; charset=ISO-8859-1")
        _response(writer, "https://news.example.com/mislabelled", html.encode("utf-8"),
                  "text/html; charset=ISO-8859-1")  # UTF-8 under a wrong label stays UTF-8
    tasks = list(read_tasks(find_inputs([str(path)]), max_bytes=100_000))
    assert [task.payload.decode("utf-8") for task in tasks] == [html, html]
