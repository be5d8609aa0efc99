"""Outputs: where results go, and how an interrupted run is resumed.

A JSONL output (cleaned records, errors) is written to a hidden partial file beside
its target, one flushed record at a time, and renamed to the target only when the
run completes: an interrupted run (Ctrl-C, SIGTERM, kill -9) never leaves a
half-written file under the real name. Results arrive in input order, so what a
partial file holds is a prefix of the finished output; ``--resume`` cuts off an
incomplete last line, skips the tasks whose ids are already written and appends the
rest, which gives the same bytes as one uninterrupted run.
"""
from __future__ import annotations

import dataclasses
import json
import os
import shutil
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ..errors import CleanerError, NameClash, OutputError
from .files import inside, output_path, write_atomic
from .records import encode_record
from .tasks import Options, Result, Task, result_id, result_relative

CLEANED_NAME = "cleaned.jsonl"
ERRORS_NAME = "errors.jsonl"


class Sink(Protocol):
    """Where results go: ``commit`` when the run completed, ``close`` when it stopped early."""

    def write(self, result: Result) -> None: ...

    def commit(self) -> None: ...

    def close(self) -> None: ...


def partial_path(target: Path) -> Path:
    """The hidden file ``target`` is written to until the run completes."""
    return target.with_name(f".{target.name}.partial")


def error_record(result: Result) -> dict[str, Any]:
    """The errors-file record of a failed result: which capture, from where, why."""
    assert result.error is not None, "only failed results have an error record"
    return {"id": result.id, "source": result.source, "reason": result.error["reason"],
            "message": result.error["message"]}


def error_line(result: Result) -> bytes:
    return encode_record(error_record(result))


def cleaned_line(result: Result) -> bytes:
    line = result.line
    assert line is not None, "only cleaned results have a record"
    return line


def cleaned_record(result: Result) -> dict[str, Any]:
    record = result.record
    assert record is not None, "only cleaned results have a record"
    return record


class JsonlFile:
    """A JSONL output under construction (see the module's docstring).

    ``render`` turns a result into its line. With ``resume``, what an earlier run
    wrote is kept and ``done`` counts its ids; otherwise the file starts empty.
    """

    def __init__(self, target: Path, render: Callable[[Result], bytes],
                 resume: bool = False) -> None:
        self.target = target
        self.partial = partial_path(target)
        self.render = render
        target.parent.mkdir(parents=True, exist_ok=True)
        self.done = recover(self.partial, target) if resume else Counter[str]()
        self._file = open(self.partial, "ab" if resume else "wb")

    def write(self, result: Result) -> None:
        self._file.write(self.render(result))
        self._file.flush()  # record by record: an interruption loses at most the last one

    def commit(self) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self.partial, self.target)

    def close(self) -> None:
        self._file.close()


def recover(partial: Path, target: Path) -> Counter[str]:
    """The ids an earlier run wrote, once an incomplete last line is cut off the partial file.

    A run that completed left its target and no partial file; the target is then
    taken up whole, so resuming a finished run rewrites the same output.
    """
    if not partial.exists():
        if not target.exists():
            return Counter()
        shutil.copyfile(target, partial)
    ids: Counter[str] = Counter()
    kept = 0
    with open(partial, "r+b") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.endswith(b"\n"):  # cut off mid-record by the interruption
                break
            try:
                ids[str(json.loads(line)["id"])] += 1
            except (ValueError, KeyError, TypeError):
                raise CleanerError(f"{partial}:{number}: not a record this tool wrote; "
                                   f"cannot resume from it") from None
            kept += len(line)
        handle.truncate(kept)
    return ids


class TextTree:
    """Cleaned text files under ``directory``, named by each result's ``relative`` path.

    Names are made distinct by construction (see ``files``); what still clashes (a
    repeated id, ids 5 and "5", one name under two input directories) is caught by
    ``claim``: each path is claimed by the capture that writes it, and a second
    capture claiming it fails instead of overwriting it. The claims are held in
    memory, a path and a source for each file written.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.owners: dict[Path, str] = {}
        self.written = 0

    def path(self, relative: str) -> Path:
        return output_path(self.directory, Path(relative))

    def claim(self, target: Path, source: str) -> None:
        """Take ``target`` for the capture read from ``source``; NameClash if another has it."""
        owner = self.owners.setdefault(target, source)
        if owner != source:
            raise NameClash(f"{owner} and {source} would both write {target}")

    def claim_inputs(self, inputs: Iterable[tuple[str, str, bool]]) -> None:
        """Claim the outputs of capture files and the folders of containers, given as
        (relative name, source: the file's path, is a container), before anything is
        written; a capture whose output is the capture itself is refused too."""
        for relative, source, container in inputs:
            target = inside(self.directory, Path(relative)) if container \
                else self.path(relative)
            if target.resolve() == Path(source).resolve():  # the source is its path
                raise NameClash(f"{source} would be overwritten by its own cleaned text: "
                                f"write the output elsewhere")
            self.claim(target, source)

    def write(self, result: Result) -> None:
        if result.relative is None:
            raise OutputError(f"{result.id}: no output file name")
        try:
            target = self.path(result.relative)
            self.claim(target, result.source or result.id)
            write_atomic(target, cleaned_record(result)["text"])
        except NameClash:
            raise
        except (OSError, UnicodeError, CleanerError) as exc:
            raise OutputError(f"cannot write {result.relative}: {exc}") from exc
        self.written += 1

    def commit(self) -> None:
        pass  # every file was complete the moment it was written

    def close(self) -> None:
        pass


@dataclass
class Outputs:
    """A cleaned result goes to ``records``, a failed one to ``errors``."""

    records: Sink
    errors: Sink

    def deliver(self, result: Result) -> Result:
        """Write the result; one that cannot be written becomes a failure, and is returned."""
        if result.ok:
            try:
                self.records.write(result)
                return result
            except OutputError as exc:
                reason = "name-clash" if isinstance(exc, NameClash) else "write"
                result = dataclasses.replace(result, output=None,
                                             error={"reason": reason, "message": str(exc)})
        self.errors.write(result)
        return result

    def commit(self) -> None:
        self.records.commit()
        self.errors.commit()

    def close(self) -> None:
        self.records.close()
        self.errors.close()


class Resume:
    """Skips the tasks an earlier, interrupted run finished.

    ``done`` counts the ids it wrote (counted, not a set: ids may repeat, and the
    earlier run did the first ones); with a text ``tree``, a capture whose output
    file exists is done as well, and claims the file: a later capture of the same
    name is cleaned again, and fails on the clash as it did in the earlier run.
    """

    def __init__(self, done: Counter[str], options: Options, tree: TextTree | None = None):
        self.done = done
        self.options = options
        self.tree = tree
        self.skipped = 0

    def pending(self, tasks: Iterable[Task]) -> Iterator[Task]:
        for task in tasks:
            if self._finished(task):
                self.skipped += 1
            else:
                yield task

    def _finished(self, task: Task) -> bool:
        if not self.done and self.tree is None:
            return False  # the earlier run's prefix is used up: no need to parse ids
        task_id = result_id(task, self.options)
        if self._written(task, task_id):
            return True
        if self.done[task_id] > 0:
            self.done[task_id] -= 1
            if not self.done[task_id]:
                del self.done[task_id]
            return True
        return False

    def _written(self, task: Task, task_id: str) -> bool:
        """Whether the task's file is in the tree, written by it (not by a namesake)."""
        if self.tree is None:
            return False
        relative = result_relative(task, task_id)
        if relative is None:
            return False
        try:
            target = self.tree.path(relative)
            if not target.exists():
                return False
            self.tree.claim(target, task.source or task.id)
        except CleanerError:  # a name that would leave the tree, or a clash: cleaning reports it
            return False
        return True


def refuse_complete_output(targets: Iterable[Path]) -> None:
    """CleanerError when a completed run's output is at one of ``targets`` (cleaned.jsonl,
    the errors file: they take their names only when a run completes)."""
    for target in targets:
        if target.exists():
            raise CleanerError(f"{target}: a completed run's output is there; add --resume to "
                               f"keep it and clean only what it lacks, or --force to overwrite it")
