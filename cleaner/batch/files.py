"""Files in and out: URL manifests, safe output names, atomic writes."""
from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from ..errors import CleanerError

MANIFEST_NAME = "urls.tsv"
# Record ids come from the input (JSONL fields, WARC headers, URLs) and may hold
# anything: only these characters reach a file name, and never at its start a dot.
UNSAFE_NAME_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
MAX_NAME_CHARS = 100  # well under the usual 255-byte limit, with room for temporary names
FILE_MODE = 0o666  # the usual permissions of a new file: os.open applies the umask


def read_manifest(path: Path | str) -> dict[str, str]:
    """A TSV of ``<path>\t<url>`` lines; blank lines and '#' comments are skipped.

    A path is the capture file's path relative to the input it was found under
    (``a/index.txt`` for ``crawl/a/index.txt`` read as ``crawl/``; a file given by
    itself is its name), written with "/". A path given twice is an error: the
    manifest never picks one of two URLs.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CleanerError(f"{path}: cannot read the URL manifest ({exc.strerror})") from None
    urls: dict[str, str] = {}
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        name, tab, url = line.partition("\t")
        if not tab or not name.strip() or not url.strip():
            raise CleanerError(f"{path}:{number}: expected '<path><TAB><url>'")
        key = PurePosixPath(name.strip()).as_posix()  # "./a//b" is "a/b"
        if key in urls:
            raise CleanerError(f"{path}:{number}: {key!r} is given on line {lines[key]} too")
        urls[key], lines[key] = url.strip(), number
    return urls


def manifest_url(urls: Mapping[str, str], relative: Path) -> str | None:
    """The URL the manifest gives a capture file, by its whole relative path (also without
    a ".gz"), never by its base name alone: one "index.txt" line is no other folder's.

    >>> urls = {"a/index.txt": "https://a.example/", "b.html": "https://b.example/"}
    >>> [manifest_url(urls, Path(p)) for p in ("a/index.txt", "c/index.txt", "b.html.gz")]
    ['https://a.example/', None, 'https://b.example/']
    """
    for key in manifest_keys(relative):
        if key in urls:
            return urls[key]
    return None


def manifest_keys(relative: Path) -> tuple[str, ...]:
    """The manifest lines that can name the capture file at ``relative``, first first."""
    unzipped = relative.with_suffix("") if relative.suffix.lower() == ".gz" else relative
    return (relative.as_posix(), unzipped.as_posix())


TEXT_SUFFIX = ".txt"
# A hashed record name joins its readable part and its digest with "+", a line's name
# is "line+N": neither can be an id used as it is, whose characters are all safe.
NAME_MARK = "+"
DIGEST_CHARS = 16


def text_name(relative: Path) -> Path:
    """The cleaned text's name for a capture file: its whole name, with ".txt" added
    unless it ends so, so that captures differing only by a suffix stay apart.

    >>> [text_name(Path(n)).as_posix() for n in ("a.txt", "a.html", "b.txt.gz", "d/c.TXT")]
    ['a.txt', 'a.html.txt', 'b.txt.gz.txt', 'd/c.TXT']
    """
    if relative.name.lower().endswith(TEXT_SUFFIX):
        return relative
    return relative.with_name(relative.name + TEXT_SUFFIX)


def inside(directory: Path, relative: Path) -> Path:
    """``directory / relative``, or CleanerError when that would leave ``directory``."""
    target = directory / relative
    resolved, root = target.resolve(), directory.resolve()
    if root != resolved and root not in resolved.parents:
        raise CleanerError(f"{relative}: output path would leave {directory}")
    return target


def output_path(directory: Path, relative: Path) -> Path:
    """Where the cleaned text of ``relative`` goes: same tree, see ``text_name``, never outside.

    Record names (``record_name``, ``line_record_name``) end in ".txt" and stay as they are.
    """
    return inside(directory, text_name(relative))


def record_name(record_id: str) -> str:
    """A file name for the record ``record_id``: safe, bounded, distinct for distinct ids.

    A safe id is used as it is. Otherwise unsafe characters become "_" and a hash of
    the whole id is added after a "+", a character no safe id holds, so that "a/b" and
    "a_b" do not share a file, nor "../x" and an id spelled like its hashed name.

    >>> record_name("doc-17")
    'doc-17.txt'
    >>> record_name("../../etc/passwd")
    'etc_passwd+936d7c04cd83ef94.txt'
    """
    name = UNSAFE_NAME_CHARS.sub("_", record_id).strip("._")
    if not name or name != record_id or len(name) > MAX_NAME_CHARS:
        digest = hashlib.sha1(record_id.encode("utf-8", "surrogatepass")).hexdigest()
        kept = MAX_NAME_CHARS - len(NAME_MARK) - DIGEST_CHARS
        name = f"{name[:kept]}{NAME_MARK}{digest[:DIGEST_CHARS]}"
    return f"{name}{TEXT_SUFFIX}"


def line_record_name(line: int) -> str:
    """The file name of a record without an id, by its line: "line+7.txt", no id's name.

    >>> line_record_name(7)
    'line+7.txt'
    """
    return f"line{NAME_MARK}{line}{TEXT_SUFFIX}"


def write_atomic(path: Path, data: str) -> None:
    """Write to a temporary file beside ``path``, then rename: never a half-written file.

    The temporary name is chosen before the file is created, so that an interruption
    (Ctrl-C, SIGTERM raised as an exception) at any point removes it again.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
