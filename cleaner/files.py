"""Files in and out: finding captures under paths, URL manifests, atomic writes."""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import CleanerError

CAPTURE_SUFFIXES = (".txt", ".html", ".htm")
MANIFEST_NAME = "urls.tsv"


@dataclass(frozen=True, slots=True)
class Source:
    """One capture to read: ``path`` None means standard input; ``relative`` names its output."""

    path: Path | None
    relative: Path


def find_captures(paths: list[str]) -> Iterator[Source]:
    """Files as given; directories walked recursively for .txt/.html/.htm, sorted."""
    for name in paths:
        if name == "-":
            yield Source(None, Path("stdin.txt"))
            continue
        path = Path(name)
        if path.is_dir():
            for found in sorted(p for p in path.rglob("*") if _is_capture(p)):
                yield Source(found, found.relative_to(path))
        elif path.is_file():
            yield Source(path, Path(path.name))
        else:
            raise CleanerError(f"{name}: no such file or directory")


def _is_capture(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in CAPTURE_SUFFIXES \
        and path.name != MANIFEST_NAME


def read_manifest(path: Path | str) -> dict[str, str]:
    """A TSV of ``<file name>\\t<url>`` lines; blank lines and '#' comments are skipped."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CleanerError(f"{path}: cannot read the URL manifest ({exc.strerror})") from None
    urls: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        name, tab, url = line.partition("\t")
        if not tab or not name.strip() or not url.strip():
            raise CleanerError(f"{path}:{number}: expected '<file name><TAB><url>'")
        urls[name.strip()] = url.strip()
    return urls


def output_path(directory: Path, relative: Path) -> Path:
    """Where the cleaned text of ``relative`` goes: same tree, ``.txt`` suffix, never outside."""
    target = (directory / relative).with_suffix(".txt")
    resolved, root = target.resolve(), directory.resolve()
    if root != resolved and root not in resolved.parents:
        raise CleanerError(f"{relative}: output path would leave {directory}")
    return target


def write_atomic(path: Path, data: str) -> None:
    """Write to a temporary file beside ``path``, then rename: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
