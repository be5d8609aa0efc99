"""Finding captures, reading URL manifests, output paths and atomic writes."""
from __future__ import annotations

from pathlib import Path

import pytest

from cleaner.errors import CleanerError
from cleaner.files import find_captures, output_path, read_manifest, write_atomic


def test_directories_are_walked_for_captures_only(tmp_path):
    (tmp_path / "a").mkdir()
    for name in ("a/one.txt", "a/two.HTML", "b.htm", "urls.tsv", "notes.md"):
        (tmp_path / name).write_text("x")
    found = [str(s.relative) for s in find_captures([str(tmp_path)])]
    assert found == ["a/one.txt", "a/two.HTML", "b.htm"]


def test_stdin_and_missing_paths(tmp_path):
    assert [s.path for s in find_captures(["-"])] == [None]
    with pytest.raises(CleanerError, match="no such file"):
        list(find_captures([str(tmp_path / "absent.txt")]))


def test_manifest_errors_name_file_and_line(tmp_path):
    manifest = tmp_path / "urls.tsv"
    manifest.write_text("# comment\na.txt\thttps://example.com/a\n\nb.txt https://x\n")
    with pytest.raises(CleanerError, match=r"urls\.tsv:4: expected"):
        read_manifest(manifest)
    manifest.write_text("a.txt\thttps://example.com/a\n")
    assert read_manifest(manifest) == {"a.txt": "https://example.com/a"}


def test_output_paths_stay_inside_the_directory(tmp_path):
    assert output_path(tmp_path, Path("x/page.html")) == tmp_path / "x" / "page.txt"
    with pytest.raises(CleanerError, match="would leave"):
        output_path(tmp_path / "out", Path("../../etc/passwd"))


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
