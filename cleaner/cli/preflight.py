"""User mistakes the ``cleaner`` command catches before a run, and a reader that leaves early.

Outputs are checked before anything is cleaned, so that a run never ends in a
traceback at the point where it would write; manifest entries that name no input
are warned about; a closed standard output (``| head``) stops a command with the
exit code of what it had found. Only the commands that call it print or exit.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from ..batch.files import manifest_keys
from ..batch.inputs import Input

SHOWN_NAMES = 3  # manifest entries named in the warning; the rest are counted


def output_problem(output: Path | None, files: Mapping[str, Path | None]) -> str | None:
    """Why ``-o DIR`` or a file option (``--stats``, ``--errors``) cannot be written, or None."""
    if output is not None:
        if output.exists() and not output.is_dir():
            return f"-o {output}: is a file; -o names the directory to write into"
        problem = _cannot_create(output)
        if problem:
            return f"-o {output}: {problem}"
    for option, path in files.items():
        if path is None:
            continue
        if path.is_dir():
            return f"{option} {path}: is a directory; name the file to write"
        problem = _cannot_create(path.parent)
        if problem:
            return f"{option} {path}: {problem}"
    return None


def _cannot_create(directory: Path) -> str | None:
    """Why ``directory`` cannot be used or made (a folder on its way is a file, or is read-only)."""
    existing = next((p for p in (directory, *directory.parents) if p.exists()), Path("."))
    if not existing.is_dir():
        return f"cannot be written: {existing} is a file, not a directory"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"cannot be written: {existing} is not writable"
    return None


def unmatched_manifest_names(urls: Mapping[str, str], inputs: Iterable[Input]) -> list[str]:
    """The manifest's names that no capture file of the run looks up (a typo, a file left out)."""
    named = {key for source in inputs if source.format == "capture"
             for key in manifest_keys(source.relative)}
    return [name for name in urls if name not in named]


def unmatched_warning(manifest: Path, names: list[str]) -> str:
    """One line for the names of ``manifest`` that match no capture."""
    shown = ", ".join(names[:SHOWN_NAMES]) + (f" and {len(names) - SHOWN_NAMES} more"
                                              if len(names) > SHOWN_NAMES else "")
    entries = "entry matches" if len(names) == 1 else "entries match"
    return f"warning: --urls {manifest}: {len(names)} {entries} no capture: {shown}"


class PipeClosed(Exception):
    """Standard output's reader left (``| head``); ``code`` is the exit code to give."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


@contextmanager
def reader_may_leave(code: int) -> Iterator[None]:
    """Within the block, a closed standard output ends the command with ``code``.

    ``code`` is what the output written so far means: findings, once a finding was
    being printed.
    """
    try:
        yield
    except BrokenPipeError:
        raise PipeClosed(code) from None


def discard_stdout() -> None:
    """Send what is left for standard output nowhere, so that the interpreter's last
    flush at exit does not fail on the closed pipe (and turn the exit code into 120)."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # a stream without a file (tests)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)
