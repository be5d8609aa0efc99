"""Files in and out: URL manifests, safe output names, atomic writes."""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from .errors import CleanerError

MANIFEST_NAME = "urls.tsv"
# Record ids come from the input (JSONL fields, WARC headers, URLs) and may hold
# anything: only these characters reach a file name, and never at its start a dot.
UNSAFE_NAME_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
MAX_NAME_CHARS = 100  # well under the usual 255-byte limit, with room for temporary names
# mkstemp makes files only their owner can read; written files get the usual
# permissions instead. The umask can only be read by setting it: once, at import.
_UMASK = os.umask(0o022)
os.umask(_UMASK)
FILE_MODE = 0o666 & ~_UMASK


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


def record_name(record_id: str) -> str:
    """A file name for the record ``record_id``: safe, bounded, distinct for distinct ids.

    Unsafe characters become "_"; when that changed the id or it had to be shortened,
    a hash of the whole id is added so that "a/b" and "a_b" do not share a file.

    >>> record_name("doc-17")
    'doc-17.txt'
    >>> record_name("../../etc/passwd")
    'etc_passwd-936d7c04cd.txt'
    """
    name = UNSAFE_NAME_CHARS.sub("_", record_id).strip("._")
    if not name or name != record_id or len(name) > MAX_NAME_CHARS:
        digest = hashlib.sha1(record_id.encode("utf-8", "surrogatepass")).hexdigest()[:10]
        name = f"{name[:MAX_NAME_CHARS]}-{digest}" if name else digest
    return f"{name}.txt"


def write_atomic(path: Path, data: str) -> None:
    """Write to a temporary file beside ``path``, then rename: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
