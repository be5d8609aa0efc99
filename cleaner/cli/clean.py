"""The ``cleaner`` command: clean, explain and check; learn, lint and stats come from
``commands.py``."""
from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TextIO

from tqdm import tqdm

from .. import __version__
from ..authoring.golden import (GoldenDiff, compare_seeds, iter_cases, run_cases,
                                untested_generic_rules)
from ..batch.files import read_manifest
from ..batch.inputs import (
    DEFAULT_GLOBS,
    FORMATS,
    Input,
    container_folder,
    find_inputs,
    known_total,
    read_tasks,
)
from ..batch.outputs import (
    CLEANED_NAME,
    ERRORS_NAME,
    JsonlFile,
    Outputs,
    Resume,
    Sink,
    Summary,
    TextTree,
    cleaned_line,
    cleaned_record,
    error_line,
    error_record,
    refuse_complete_output,
    write_stats,
)
from ..batch.pool import LocalExecutor
from ..batch.tasks import Executor, Options, Result, Task, chunked, result_id, unpack
from ..engine.config import Config
from ..engine.pipeline import Cleaner
from ..engine.rules import rule_file_errors
from ..errors import CleanerError, OutputError, RuleFileError
from ..model import CATEGORIES, Cleaned, Removal
from .preflight import (PipeClosed, discard_stdout, output_problem, reader_may_leave,
                        unmatched_manifest_names, unmatched_warning)
from .commands import (add_commands, add_learn_option, add_rules_options, learned_cleaner,
                       project_config, refuse_stdin_for_learn)

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 128 + signal.SIGINT   # 130, as a shell reports Ctrl-C
EXIT_TERMINATED = 128 + signal.SIGTERM   # 143
DEFAULTS = Options()
RED, DIM, BOLD, RESET = "\033[31m", "\033[2m", "\033[1m", "\033[0m"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    code = EXIT_OK
    try:
        code = args.run(args)
        sys.stdout.flush()  # now, not at exit: a closed pipe is then caught below
    except PipeClosed as exc:  # output piped into `head` and the like: stop quietly,
        discard_stdout()       # with the exit code of what was written
        return exc.code
    except BrokenPipeError:  # the code run returned, if it had; else 0
        discard_stdout()
    except CleanerError as exc:  # rule-file errors, missing inputs, bad manifests
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cleaner", description="Strip paywall prompts and boilerplate from web captures.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    clean = commands.add_parser("clean", help="clean captures (files, directories or - for stdin)")
    clean.add_argument("paths", nargs="+", metavar="PATH")
    clean.add_argument("-o", "--output", type=Path, metavar="DIR",
                       help="write cleaned files here (mirroring the input tree), or "
                            f"{CLEANED_NAME} with --format jsonl")
    clean.add_argument("--format", choices=("text", "jsonl"), default="text")
    _add_capture_options(clean)
    _add_batch_options(clean)
    add_learn_option(clean)
    clean.set_defaults(run=run_clean)

    explain = commands.add_parser("explain", help="show every line and why it was removed")
    explain.add_argument("path", metavar="FILE")
    explain.add_argument("--id", metavar="ID",
                         help="the record of a JSONL or WARC file to explain: its id (or "
                              "place, FILE:LINE or FILE@OFFSET; default: the first record)")
    explain.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    explain.add_argument("--input-format", choices=("auto", *FORMATS), default="auto",
                         help="what the file holds (default: told by its name or content)")
    for name in ("text", "html", "url", "id"):
        explain.add_argument(f"--{name}-field", default=getattr(DEFAULTS, f"{name}_field"),
                             metavar="NAME", help=f"JSONL field of the {name} "
                                                  f"(default: %(default)s)")
    _add_capture_options(explain)
    explain.set_defaults(run=run_explain)

    check = commands.add_parser("check", help="validate rules, run inline tests, compare goldens")
    check.add_argument("--update", action="store_true", help="rewrite the goldens from the seeds")
    add_rules_options(check)
    check.add_argument("--seeds", type=Path, metavar="DIR",
                       help="the seed captures (default: the configuration's, else seeds)")
    check.add_argument("--golden", type=Path, metavar="DIR",
                       help="their goldens (default: the configuration's, else golden)")
    check.set_defaults(run=run_check)
    add_commands(commands)
    return parser


def _add_capture_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", help="the URL the capture came from (selects site rules)")
    parser.add_argument("--urls", type=Path, metavar="TSV",
                        help="a manifest of '<path><TAB><url>' lines, "
                             "paths relative to the input")
    add_rules_options(parser)
    parser.add_argument("--keep", action="append", default=[], choices=CATEGORIES,
                        metavar="CATEGORY", help="leave this category in the text (repeatable)")
    parser.add_argument("--no-model", dest="use_model", action="store_false",
                        help="rules only: skip the generic line classifier that runs after them")


def _add_batch_options(parser: argparse.ArgumentParser) -> None:
    inputs = parser.add_argument_group("inputs")
    inputs.add_argument("--input-format", choices=("auto", *FORMATS), default="auto",
                        help="what the inputs hold (default: by a name that says it: "
                             ".jsonl/.ndjson, .warc, .txt/.html/.htm, each also .gz; "
                             "else by content)")
    inputs.add_argument("--glob", action="append", metavar="PATTERN",
                        help="take these files from directories (repeatable; default: "
                             f"{' '.join(DEFAULT_GLOBS)})")
    inputs.add_argument("--follow-symlinks", action="store_true",
                        help="also read files that symbolic links in a directory point to "
                             "outside it (by default they are left out)")
    for name in ("text", "html", "url", "id"):
        inputs.add_argument(f"--{name}-field", default=getattr(DEFAULTS, f"{name}_field"),
                            metavar="NAME", help=f"JSONL field of the {name} "
                                                 f"(default: %(default)s)")
    run = parser.add_argument_group("running")
    run.add_argument("--jobs", type=_positive_int, default=os.cpu_count() or 1, metavar="N",
                     help="worker processes (default: one per core)")
    run.add_argument("--chunk-size", type=_positive_int, default=64, metavar="N",
                     help="captures sent to a worker at a time (default: %(default)s)")
    run.add_argument("--engine", choices=("local", "dask"), default="local",
                     help="run on this machine's processes, or on a Dask cluster")
    run.add_argument("--scheduler", metavar="ADDRESS",
                     help="the Dask scheduler (with --engine dask; default: a local cluster)")
    run.add_argument("--max-bytes", type=_positive_int, default=DEFAULTS.max_bytes, metavar="N",
                     help="a larger capture fails (default: %(default)s)")
    run.add_argument("--doc-timeout", type=float, default=DEFAULTS.doc_timeout,
                     metavar="SECONDS", help="a capture that takes longer fails "
                                             "(default: %(default)s; 0: no limit)")
    out = parser.add_argument_group("outputs")
    out.add_argument("--errors", type=Path, metavar="FILE",
                     help=f"failed captures as JSONL (default: DIR/{ERRORS_NAME} with -o, "
                          "else one line each on standard error)")
    out.add_argument("--stats", type=Path, metavar="FILE", help="write a JSON summary here")
    again = out.add_mutually_exclusive_group()
    again.add_argument("--resume", action="store_true",
                       help="skip the captures an interrupted run with the same outputs did")
    again.add_argument("--force", action="store_true",
                       help="overwrite the output of a completed run (refused without it)")
    out.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


# --- clean ---------------------------------------------------------------------------------

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
        with _sigterm_interrupts():
            _clean_all(executor, cleaner, options, tasks, args.chunk_size, outputs, summary,
                       progress, resume)
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
def _sigterm_interrupts() -> Iterator[None]:
    """Within the block, SIGTERM stops the run the way Ctrl-C does."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return

    def stop(_signum: int, _frame: FrameType | None) -> None:
        raise Interrupted()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class Progress:
    """A progress bar on standard error: documents, documents/s, MB/s, an ETA with a total."""

    def __init__(self, total: int | None, enabled: bool) -> None:
        self.total = total
        self.enabled = enabled
        self.started = time.monotonic()
        self.bar: tqdm[None] | None = None

    def start(self) -> None:
        self.started = time.monotonic()
        if self.enabled:
            self.bar = tqdm(total=self.total, unit="doc", file=sys.stderr, dynamic_ncols=True,
                            smoothing=0.1)

    def update(self, summary: Summary, skipped: int) -> None:
        if self.bar is None:
            return
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = summary.bytes_in / elapsed / 1e6
        self.bar.set_postfix_str(f"{rate:.{2 if rate < 10 else 1}f} MB/s", refresh=False)
        self.bar.update(summary.documents + skipped - self.bar.n)

    def say(self, line: str) -> None:
        """A line on standard error that does not tear the bar."""
        if self.bar is None:
            print(line, file=sys.stderr)
        else:
            self.bar.write(line, file=sys.stderr)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class StdoutRecords:
    """Cleaned results on standard output: JSONL records, or the text of the one capture."""

    def __init__(self, format: str) -> None:
        self.format = format

    def write(self, result: Result) -> None:
        if self.format == "jsonl":
            data = cleaned_line(result)
        else:
            try:
                data = cleaned_record(result)["text"].encode("utf-8")
            except UnicodeEncodeError as exc:
                raise OutputError(f"the clean text cannot be written as UTF-8: {exc}") from exc
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is None:  # a text-only stream swapped in for stdout
            sys.stdout.write(data.decode("utf-8"))
        else:
            buffer.write(data)

    def commit(self) -> None:
        sys.stdout.flush()

    def close(self) -> None:
        try:
            sys.stdout.flush()
        except BrokenPipeError:  # the reader left: what it did not read has nowhere to go
            pass


class StderrErrors:
    """Failed captures as one line each on standard error, when there is no errors file."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress

    def write(self, result: Result) -> None:
        record = error_record(result)
        self.progress.say(f"error: {record['id']}: {record['reason']}: {record['message']}")

    def commit(self) -> None:
        pass

    def close(self) -> None:
        pass


# --- explain ------------------------------------------------------------------------------

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


# --- check --------------------------------------------------------------------------------

def run_check(args: argparse.Namespace) -> int:
    config = project_config(args)
    try:
        cleaner = Cleaner(config.rulebook())
    except RuleFileError as exc:  # one run shows every broken file, one line each
        for error in rule_file_errors(config.rules, config.shipped_rules) or [exc]:
            print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    if args.seeds is not None and not args.seeds.is_dir():
        raise CleanerError(f"--seeds {args.seeds}: no such directory")
    with reader_may_leave(EXIT_FINDINGS):  # standard output carries findings only
        return _check_rules_and_seeds(cleaner, config, args.update)


def _check_rules_and_seeds(cleaner: Cleaner, config: Config, update: bool) -> int:
    book = cleaner.rulebook
    findings = 0
    for failure in run_cases(book):
        print(f"{failure.rule.source}: {failure.label}: {failure.message}")
        findings += 1
    for problem in untested_generic_rules(book):
        print(problem)
        findings += 1
    cases = sum(1 for _ in iter_cases(book))
    rules = sum(len(s.rules) for s in book.all_sets())
    print(f"rules: {len(book.all_sets())} files, {rules} rules, {cases - findings} of {cases} "
          f"inline tests passed", file=sys.stderr)
    if config.seeds.is_dir():
        findings += _check_seeds(cleaner, config, update)
    else:  # only the default: a --seeds that names no directory stopped the check
        print(f"seeds: no {config.seeds}/ directory here, golden check skipped", file=sys.stderr)
    return EXIT_FINDINGS if findings else EXIT_OK


def _check_seeds(cleaner: Cleaner, config: Config, update: bool) -> int:
    diffs = compare_seeds(cleaner, config.seeds, config.golden, update=update)
    for diff in diffs:
        print(f"{diff.golden}: {_golden_state(diff, update)}")
        if update or not diff.missing:  # not a whole text as a diff against nothing
            sys.stdout.write(diff.diff)
    seeds = len({d.seed for d in diffs})
    if update:
        print(f"goldens: {len(diffs)} files rewritten for {seeds} seeds", file=sys.stderr)
        return 0
    differ = len({d.seed for d in diffs if not d.missing})
    missing = sum(d.missing for d in diffs)
    state = ", ".join(([f"{differ} seed{'s' if differ > 1 else ''} "
                        f"differ{'' if differ > 1 else 's'}"] if differ else [])
                      + ([f"{missing} missing"] if missing else []))
    print(f"goldens: {state or 'all seeds match their goldens'}", file=sys.stderr)
    return len(diffs)


def _golden_state(diff: GoldenDiff, update: bool) -> str:
    if update:
        return f"seed {diff.seed} {'written' if diff.missing else 'updated'}"
    if diff.missing:
        return f"missing: seed {diff.seed} has none yet (cleaner check --update writes it)"
    return f"seed {diff.seed} differs from its golden"

