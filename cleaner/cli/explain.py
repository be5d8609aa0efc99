"""The ``cleaner explain`` command: every line of one capture, and the rule (or the model)
that removed or trimmed it."""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from ..batch.files import read_manifest
from ..batch.inputs import find_inputs
from ..batch.readers import read_tasks
from ..batch.tasks import Options, Task, result_id, unpack
from ..engine.pipeline import Cleaner
from ..errors import CleanerError
from ..model import Cleaned, Removal
from .commands import project_config
from .exits import EXIT_OK

RED, DIM, BOLD, RESET = "\033[31m", "\033[2m", "\033[1m", "\033[0m"


def run_explain(args: argparse.Namespace) -> int:
    if Path(args.path).is_dir():
        raise CleanerError(f"{args.path}: a directory; explain takes one file (a capture, or "
                           f"a JSONL or WARC file with --id to pick a record)")
    (source,) = find_inputs([args.path], input_format=args.input_format)
    if args.id is not None and source.format == "capture":
        raise CleanerError(f"{args.path}: --id picks a record of a JSONL or WARC file, "
                           f"and this file holds one capture")
    urls = read_manifest(args.urls) if args.urls else {}
    options = Options(text_field=args.text_field, html_field=args.html_field,
                      url_field=args.url_field, id_field=args.id_field)
    tasks = read_tasks([source], options.max_bytes, url=args.url, urls=urls)
    task = _explained_task(tasks, args.id, options, source.label)
    try:
        raw, record_id, url, _ = unpack(task, options)
    except CleanerError as exc:  # a JSONL line that is not a record
        raise CleanerError(f"{task.source}: {exc}") from None
    cleaner = Cleaner(project_config(args).rulebook(), keep_categories=args.keep,
                      use_model=args.use_model)
    cleaned = cleaner.clean_and_explain(raw, url=url, source=record_id)
    colour = args.color == "always" or (args.color == "auto" and sys.stdout.isatty()
                                        and "NO_COLOR" not in os.environ)
    write_explanation(cleaned, sys.stdout, colour)
    return EXIT_OK


def _explained_task(tasks: Iterator[Task], wanted: str | None, options: Options,
                    label: str) -> Task:
    """The first task, or the one whose id (angle brackets optional) or place is ``wanted``.

    A task that could not be read is an error when it is the one asked for, and passed
    over while looking for another.
    """
    for task in tasks:
        if wanted is None:
            if task.error is not None:
                raise CleanerError(f"{task.source or task.id}: {task.error[1]}")
            return task
        if task.error is None and wanted in _names_of(task, options):
            return task
    if wanted is None:
        raise CleanerError(f"{label}: holds no record to explain")
    raise CleanerError(f"{label}: no record with id {wanted!r}")


def _names_of(task: Task, options: Options) -> set[str]:
    record_id = result_id(task, options)
    return {record_id, record_id.strip("<>"), task.source or task.id}


def write_explanation(cleaned: Cleaned, out: TextIO, colour: bool) -> None:
    """Every line of the capture; removed ones marked '-', trimmed ones '~', with rule ids."""
    paint = (lambda code, text: f"{code}{text}{RESET}") if colour else (lambda code, text: text)
    meta = cleaned.metadata
    out.write(paint(BOLD, f"site={meta.site} title={meta.title!r} author={meta.author!r} "
                          f"date={meta.date} paywalled={str(cleaned.paywalled).lower()}"
                          + (" model=backed-off" if cleaned.model_backed_off else "")
                          + (" long-lines=" + ",".join(map(str, cleaned.long_lines))
                             if cleaned.long_lines else "")) + "\n")
    by_line: dict[int, list[Removal]] = {}
    for removal in cleaned.removals:
        by_line.setdefault(removal.line, []).append(removal)
    for line in cleaned.lines:
        hits = by_line.get(line.number, [])
        # removals on one line are cut in turn, so their lengths add up to the line's
        # length exactly when nothing of it was kept
        whole = sum(len(r.text) for r in hits) == len(line.text)
        if not hits:
            out.write(f"{line.number:>5}   {line.text}".rstrip() + "\n")
            continue
        mark = "-" if whole else "~"
        reasons = "; ".join(f"{r.rule_id} ({r.category}"
                            + ("" if r.score is None else f", score {r.score:.2f}") + ")"
                            + ("" if whole else f": {r.text!r}") for r in hits)
        out.write(paint(RED, f"{line.number:>5} {mark} {line.text}") + "  "
                  + paint(DIM, f"<- {reasons}") + "\n")
