"""Reading URL manifests, output paths, record file names and atomic writes."""
from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from cleaner.batch.files import (line_record_name, output_path, read_manifest, record_name,
                                 write_atomic)
from cleaner.batch.inputs import find_inputs
from cleaner.batch.readers import read_tasks
from cleaner.errors import CleanerError


def test_manifest_errors_name_file_and_line(tmp_path):
    manifest = tmp_path / "urls.tsv"
    manifest.write_text("# comment\na.txt\thttps://example.com/a\n\nb.txt https://x\n")
    with pytest.raises(CleanerError, match=r"urls\.tsv:4: expected"):
        read_manifest(manifest)
    manifest.write_text("a.txt\thttps://example.com/a\n")
    assert read_manifest(manifest) == {"a.txt": "https://example.com/a"}


def test_output_paths_stay_inside_the_directory(tmp_path):
    assert output_path(tmp_path, Path("x/page.html")) == tmp_path / "x" / "page.html.txt"
    with pytest.raises(CleanerError, match="would leave"):
        output_path(tmp_path / "out", Path("../../etc/passwd"))


@pytest.mark.parametrize("record_id", [
    "../../x", "/etc/passwd", "..", ".", "", ".hidden", "a\x00b", "a/../../b", "C:\\x\\y",
    "é" * 300, "x" * 10_000, "<urn:uuid:0d2f>", "https://example.com/a?b=c#d", "\ud800",
])
def test_record_names_stay_inside_the_directory(tmp_path, record_id):
    name = record_name(record_id)
    assert name.endswith(".txt") and not name.startswith(".")
    assert "/" not in name and "\\" not in name and "\x00" not in name
    assert len(name.encode()) <= 120
    target = output_path(tmp_path, Path("folder") / name)
    assert target.parent == tmp_path / "folder"
    write_atomic(target, "text\n")  # a real file system takes the name
    assert target.read_text() == "text\n"


def test_record_names_keep_distinct_ids_apart():
    ids = ["a/b", "a_b", "a:b", "a b", "A_B", "x" * 200, "x" * 201, "", "."]
    assert len({record_name(i) for i in ids}) == len(ids)
    assert record_name("doc-17") == "doc-17.txt"  # a safe id is used as it is


def test_atomic_write_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "deep" / "file.txt"
    write_atomic(target, "hello\n")
    write_atomic(target, "again\n")
    assert target.read_text() == "again\n"
    assert [p.name for p in target.parent.iterdir()] == ["file.txt"]


def test_failed_write_keeps_the_old_file(tmp_path):
    target = tmp_path / "file.txt"
    write_atomic(target, "old\n")
    with pytest.raises(TypeError):
        write_atomic(target, None)  # type: ignore[arg-type]
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["file.txt"]


def test_record_names_cannot_be_forged_by_another_id():
    # a safe id that looks like the hashed name of an unsafe one, or like a line's name
    assert record_name("etc_passwd-936d7c04cd") != record_name("../../etc/passwd")
    assert record_name(record_name("../../etc/passwd")[:-4]) != record_name("../../etc/passwd")
    assert line_record_name(7) not in {record_name(i) for i in ("line-7", "line+7", "line_7")}


def test_capture_files_keep_their_whole_name():
    assert output_path(Path("out"), Path("a.txt")) == Path("out/a.txt")
    names = ["a.html", "a.htm", "b.txt.gz", "c.HTML.gz"]
    assert [output_path(Path("out"), Path(n)).name for n in names] == [
        "a.html.txt", "a.htm.txt", "b.txt.gz.txt", "c.HTML.gz.txt"]


def _crawl(tmp_path: Path, manifest: str) -> dict[str, str | None]:
    """The URL each capture of a small tree gets from ``manifest``, by relative path."""
    root = tmp_path / "crawl"
    for name in ("index.txt", "a/index.txt", "b/index.txt", "c/page.txt.gz"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(gzip.compress(b"text") if name.endswith(".gz") else b"text")
    (tmp_path / "urls.tsv").write_text(manifest, encoding="utf-8")
    urls = read_manifest(tmp_path / "urls.tsv")
    tasks = read_tasks(find_inputs([str(root)]), 1000, urls=urls)
    return {task.relative: task.url for task in tasks}


def test_manifest_keys_are_paths_relative_to_the_input(tmp_path):
    found = _crawl(tmp_path, "a/index.txt\thttps://a.example/\n./c/page.txt\thttps://c.example/\n")
    assert found == {"index.txt": None, "a/index.txt": "https://a.example/",
                     "b/index.txt": None, "c/page.txt.gz": "https://c.example/"}


def test_a_base_name_is_not_every_folder_s_file(tmp_path):
    found = _crawl(tmp_path, "index.txt\thttps://root.example/\n")
    assert found["index.txt"] == "https://root.example/"
    assert found["a/index.txt"] is None and found["b/index.txt"] is None


def test_a_path_given_twice_is_an_error(tmp_path):
    manifest = tmp_path / "urls.tsv"
    manifest.write_text("a/x.txt\thttps://one.example/\na//x.txt\thttps://two.example/\n")
    with pytest.raises(CleanerError, match=r"urls\.tsv:2: 'a/x\.txt' is given on line 1 too"):
        read_manifest(manifest)
