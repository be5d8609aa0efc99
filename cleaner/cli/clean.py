"""The ``cleaner clean`` command: inputs found and checked, outputs opened (or resumed),
the batch run on an executor, stopped cleanly by Ctrl-C or SIGTERM."""
from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from ..batch.files import read_manifest
from ..batch.inputs import DEFAULT_GLOBS, Input, container_folder, find_inputs, known_total
from ..batch.outputs import (
    CLEANED_NAME,
    ERRORS_NAME,
    JsonlFile,
    Outputs,
    Resume,
    Sink,
    TextTree,
    cleaned_line,
    error_line,
    refuse_complete_output,
)
from ..batch.pool import LocalExecutor
from ..batch.readers import read_tasks
from ..batch.summary import Summary, write_stats
from ..batch.tasks import Executor, Options, Task, chunked
from ..engine.pipeline import Cleaner
from ..errors import CleanerError
from .commands import learned_cleaner, project_config, refuse_stdin_for_learn
from .exits import EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_OK, EXIT_TERMINATED, EXIT_USAGE
from .preflight import PipeClosed, output_problem, unmatched_manifest_names, unmatched_warning
from .terminal import Progress, StderrErrors, StdoutRecords


class Interrupted(BaseException):
    """SIGTERM, raised where the run is so that it stops like it does on Ctrl-C.

    A BaseException, like KeyboardInterrupt: the per-capture ``except Exception``
    that keeps a batch going must not swallow it.
    """


def run_clean(args: argparse.Namespace) -> int:
    started = time.monotonic()
    if args.learn:  # before standard input is read to tell what it holds
        refuse_stdin_for_learn(args.paths)
    inputs = find_inputs(args.paths, args.glob or DEFAULT_GLOBS, args.input_format,
                         exclude=args.output, follow_symlinks=args.follow_symlinks)
    problem = _usage_problem(args, inputs)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    options = _options(args)
    executor = _executor(args)
    urls = read_manifest(args.urls) if args.urls else {}
    unmatched = unmatched_manifest_names(urls, inputs)
    if unmatched:
        print(unmatched_warning(args.urls, unmatched), file=sys.stderr)
    cleaner = learned_cleaner(args, inputs, options, urls) if args.learn else \
        Cleaner(project_config(args).rulebook(), keep_categories=args.keep,
                use_model=args.use_model)
    progress = Progress(known_total(inputs), enabled=sys.stderr.isatty() and not args.quiet)
    outputs, resume = _open_outputs(args, options, inputs, progress)
    tasks = read_tasks(inputs, options.max_bytes, url=args.url, urls=urls)
    if resume is not None:
        tasks = resume.pending(tasks)
    summary = Summary()
    if isinstance(outputs.records, TextTree):
        summary.files_written = 0
    progress.start()
    try:
        with _stop_signals() as received:
            _clean_all(executor, cleaner, options, tasks, args.chunk_size, outputs, summary,
                       progress, resume)
            if received:  # a stop whose exception was lost: never commit past it
                raise Interrupted() if received[-1] == signal.SIGTERM else KeyboardInterrupt()
            outputs.commit()
            summary.completed = True
    except (KeyboardInterrupt, Interrupted) as exc:
        outputs.close()
        _finish(args, summary, progress, resume, started)
        kept = " (partial output kept: run again with --resume to finish)" \
            if args.output is not None else ""
        print(f"interrupted{kept}", file=sys.stderr)
        return EXIT_TERMINATED if isinstance(exc, Interrupted) else EXIT_INTERRUPTED
    except BrokenPipeError:  # standard output's reader left (`| head`): stop here
        outputs.close()
        progress.close()
        raise PipeClosed(EXIT_FINDINGS if summary.failures else EXIT_OK) from None
    except BaseException:  # a cluster lost, a disk full: keep what --resume can use
        outputs.close()
        progress.close()
        raise
    _finish(args, summary, progress, resume, started)
    return EXIT_FINDINGS if summary.failures else EXIT_OK


def _tree_inputs(inputs: list[Input]) -> Iterator[tuple[str, str, bool]]:
    """Each input's name in a text tree, its source, and whether it is a folder of records."""
    for source in inputs:
        if source.format == "capture":
            yield source.relative.as_posix(), source.label, False
        else:
            yield container_folder(source), source.label, True


def _usage_problem(args: argparse.Namespace, inputs: list[Input]) -> str | None:
    # Text without -o goes to standard output, which can hold one capture only.
    if args.format == "text" and args.output is None \
            and (len(inputs) > 1 or any(i.format != "capture" for i in inputs)):
        return "several captures in text format need -o DIR (or use --format jsonl)"
    if args.resume and args.output is None:
        return "--resume needs -o DIR: it picks up the files an interrupted run left there"
    if args.scheduler and args.engine != "dask":
        return "--scheduler is for --engine dask"
    if args.doc_timeout < 0:
        return "--doc-timeout must be 0 (no limit) or more"
    return output_problem(args.output, {"--stats": args.stats, "--errors": args.errors})


def _options(args: argparse.Namespace) -> Options:
    return Options(max_bytes=args.max_bytes, doc_timeout=args.doc_timeout or None,
                   text_field=args.text_field, html_field=args.html_field,
                   url_field=args.url_field, id_field=args.id_field)


def _executor(args: argparse.Namespace) -> Executor:
    if args.engine == "local":
        return LocalExecutor(jobs=args.jobs)
    try:  # imported here: Dask is an optional dependency, and heavy to import
        from ..batch.integrations.dask import DaskExecutor
    except ImportError as exc:
        raise CleanerError(f"--engine dask needs the dask extra: pip install 'cleaner[dask]' "
                           f"({exc})") from None
    executor: Executor = DaskExecutor(scheduler=args.scheduler)
    return executor


def _open_outputs(args: argparse.Namespace, options: Options, inputs: list[Input],
                  progress: Progress) -> tuple[Outputs, Resume | None]:
    """The sinks for cleaned results and errors, and with --resume what is already done.

    Before any is opened: a completed run's output is not overwritten without --force,
    and capture files whose texts would share a file stop the run (NameClash).
    """
    errors_path = args.errors or (args.output / ERRORS_NAME if args.output else None)
    cleaned_path = args.output / CLEANED_NAME if args.output and args.format == "jsonl" \
        else None
    if not args.resume and not args.force:
        refuse_complete_output(p for p in (cleaned_path, errors_path) if p is not None)
    done: Counter[str] = Counter()
    tree: TextTree | None = None
    records: Sink
    if args.output is None:
        records = StdoutRecords(args.format)
    elif cleaned_path is not None:
        cleaned = JsonlFile(cleaned_path, cleaned_line, args.resume)
        done.update(cleaned.done)
        records = cleaned
    else:
        records = tree = TextTree(args.output)
        tree.claim_inputs(_tree_inputs(inputs))
    errors: Sink
    if errors_path is not None:
        error_file = JsonlFile(errors_path, error_line, args.resume)
        done.update(error_file.done)
        errors = error_file
    else:
        errors = StderrErrors(progress)
    return Outputs(records, errors), (Resume(done, options, tree) if args.resume else None)


def _clean_all(executor: Executor, cleaner: Cleaner, options: Options, tasks: Iterator[Task],
               chunk_size: int, outputs: Outputs, summary: Summary, progress: Progress,
               resume: Resume | None) -> None:
    chunks = executor.map_chunks(cleaner, options, chunked(tasks, chunk_size))
    try:
        for results in chunks:
            for result in results:
                summary.add(outputs.deliver(result))
            if isinstance(outputs.records, TextTree):
                summary.files_written = outputs.records.written
            progress.update(summary, resume.skipped if resume else 0)
    finally:
        # On an interruption the executor stops its workers now, not whenever the
        # generator happens to be collected.
        close = getattr(chunks, "close", None)
        if close is not None:
            close()


def _finish(args: argparse.Namespace, summary: Summary, progress: Progress,
            resume: Resume | None, started: float) -> None:
    summary.wall_seconds = time.monotonic() - started
    summary.skipped = resume.skipped if resume else 0
    progress.close()
    if args.stats is not None:
        write_stats(args.stats, summary)
    print(summary.line(), file=sys.stderr)


@contextmanager
def _stop_signals() -> Iterator[list[int]]:
    """Within the block, SIGTERM stops the run the way Ctrl-C does; the signals received
    are listed, since an exception raised inside a finaliser is printed and dropped."""
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received  # signal handlers can only be set from the main thread
        return

    def stop(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)
        if signum == signal.SIGTERM:
            raise Interrupted()
        raise KeyboardInterrupt()

    previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield received
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
