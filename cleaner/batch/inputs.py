"""Inputs: finding files under the given paths, and what each holds.

What an input holds is told once, by ``detect_format``, for every command: by its name
when the name says it, else by its content (``sniff``). A capture file holds one
capture (text or HTML, told apart later by content), a JSONL file one per line, a WARC
file one per HTML response record; ``readers.py`` reads them.
"""
from __future__ import annotations

import fnmatch
import io
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CleanerError
from .files import MANIFEST_NAME
from .sniff import Replay, kind_of, read_head

FORMATS = ("capture", "jsonl", "warc")
CAPTURE_GLOBS = ("*.txt", "*.html", "*.htm")
CONTAINER_GLOBS = ("*.jsonl", "*.ndjson", "*.warc")
DEFAULT_GLOBS = tuple(glob + gz for glob in (*CAPTURE_GLOBS, *CONTAINER_GLOBS)
                      for gz in ("", ".gz"))
# Names that say what a file holds; any other name is told by content.
FORMAT_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".warc": "warc",
                   ".txt": "capture", ".html": "capture", ".htm": "capture"}
# What standard input is called in a text tree; a container's folder is named after it.
STDIN_NAMES = {"capture": "stdin.txt", "jsonl": "stdin.jsonl", "warc": "stdin.warc"}


@dataclass(frozen=True, slots=True)
class Input:
    """One file to read (``path`` None: standard input) and what it holds.

    ``relative`` is its path below the directory it was found in (its own name when
    given as a file); output files are named after it.
    """

    path: Path | None
    relative: Path
    format: str
    # Standard input with its first bytes put back, after they were read to tell its kind.
    stream: io.BufferedReader | None = field(default=None, compare=False, repr=False)

    @property
    def label(self) -> str:
        return "<stdin>" if self.path is None else str(self.path)


def find_inputs(paths: Sequence[str], globs: Sequence[str] = DEFAULT_GLOBS,
                input_format: str = "auto", exclude: Path | None = None,
                follow_symlinks: bool = False) -> list[Input]:
    """Files as given, "-" for standard input, directories walked for files matching ``globs``.

    ``input_format`` "auto" tells each input's format with ``detect_format``. Files under
    ``exclude`` (the output directory) are not taken from a walk, and a directory
    at or under it is an error: nothing in it would be read. A symbolic link found
    in a walk is read only when it points inside the walked directory, or with
    ``follow_symlinks``.
    """
    if input_format != "auto" and input_format not in FORMATS:
        raise CleanerError(f"unknown input format {input_format!r}")
    found: list[Input] = []
    for name in paths:
        if name == "-":
            found.append(_stdin_input(input_format))
            continue
        path = Path(name)
        if path.is_dir():
            _check_not_in_output(path, exclude)
            found.extend(Input(p, p.relative_to(path), detect_format(p, input_format))
                         for p in _walk(path, globs, exclude, follow_symlinks))
        elif path.is_file():
            found.append(Input(path, Path(path.name), detect_format(path, input_format)))
        else:
            raise CleanerError(f"{name}: no such file or directory")
    return found


def detect_format(path: Path, input_format: str = "auto") -> str:
    """What a file holds: ``input_format`` unless "auto", else what its name says, else
    what its first bytes say (``sniff.kind_of``).

    A name that says the format is trusted; the readers then refuse content that is
    plainly another kind (a WARC named ``.txt`` or ``.jsonl``, a ``.warc`` without a
    WARC header) with one error for the file, rather than read it as garbage.
    """
    if input_format != "auto":
        return input_format
    named = format_of(path.name)
    if named is not None:
        return named
    try:
        with path.open("rb") as stream:
            return kind_of(read_head(stream))
    except OSError:
        return "capture"  # its reading reports the error, with the file's name


def format_of(name: str) -> str | None:
    """The format a file name says, gzip or not; None when it says none.

    >>> [format_of(n) for n in ("a.html", "b.jsonl.gz", "c.NDJSON", "d.warc.gz", "e.gz", "f")]
    ['capture', 'jsonl', 'jsonl', 'warc', None, None]
    """
    plain = name.lower().removesuffix(".gz")
    return FORMAT_SUFFIXES.get(Path(plain).suffix)


def _stdin_input(input_format: str) -> Input:
    """Standard input, its format told by its first bytes unless given; those bytes are
    put back in front of the rest, so nothing more than them is read ahead."""
    if input_format != "auto":
        return Input(None, Path(STDIN_NAMES[input_format]), input_format)
    stdin = sys.stdin.buffer
    try:
        head = read_head(stdin)
    except OSError as exc:  # closed, or a directory given as standard input
        raise CleanerError(f"<stdin>: cannot read: {exc}") from None
    kind = kind_of(head)
    return Input(None, Path(STDIN_NAMES[kind]), kind, io.BufferedReader(Replay(head, stdin)))


def _check_not_in_output(directory: Path, output: Path | None) -> None:
    if output is None:
        return
    where, skip = directory.resolve(), output.resolve()
    if where == skip or skip in where.parents:
        raise CleanerError(f"{directory}: this input directory is the output directory "
                           f"{output} or inside it, where nothing is read as input; "
                           f"write the output elsewhere")


def _walk(root: Path, globs: Sequence[str], exclude: Path | None,
          follow_symlinks: bool) -> Iterator[Path]:
    skip = exclude.resolve() if exclude is not None else None
    top = root.resolve()
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        # Hidden files and folders hold version control data and our own partial outputs.
        if any(part.startswith(".") for part in relative.parts) or path.name == MANIFEST_NAME:
            continue
        if not path.is_file() or not matches(relative, globs):
            continue
        target = path.resolve()
        if skip is not None and skip in target.parents:
            continue
        # A link to a file outside the tree (a user's keys, /etc/passwd) is not read
        # unless asked: the tree's owner may not be the one running the batch.
        if not follow_symlinks and top not in target.parents:
            continue
        yield path


def matches(relative: Path, globs: Sequence[str]) -> bool:
    """A glob without "/" matches the file name, one with "/" the path; case is ignored.

    >>> matches(Path("news/a.HTML"), ["*.html"]), matches(Path("news/a.html"), ["blogs/*"])
    (True, False)
    """
    name, whole = relative.name.lower(), relative.as_posix().lower()
    return any(fnmatch.fnmatchcase(whole if "/" in glob else name, glob.lower())
               for glob in globs)


def known_total(inputs: Sequence[Input]) -> int | None:
    """How many captures the inputs hold, when that is known before reading them."""
    return len(inputs) if all(i.format == "capture" for i in inputs) else None


def container_folder(source: Input) -> str:
    """The folder a container's records go to in a text tree: its whole name, so that
    "crawl.jsonl", "crawl.jsonl.gz" and a folder "crawl" stay apart.

    >>> container_folder(Input(Path("a/crawl.jsonl.gz"), Path("a/crawl.jsonl.gz"), "jsonl"))
    'a/crawl.jsonl.gz'
    """
    return source.relative.as_posix()
