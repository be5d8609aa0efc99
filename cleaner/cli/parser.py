"""The ``cleaner`` command line: its arguments, and ``main``, which runs the command
they name (clean, explain, check here; learn, lint and stats from ``commands.py``) and
turns the project's errors into one line and exit code 2."""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .. import __version__
from ..batch.inputs import DEFAULT_GLOBS, FORMATS
from ..batch.outputs import CLEANED_NAME, ERRORS_NAME
from ..batch.tasks import Options
from ..errors import CleanerError
from ..model import CATEGORIES
from .check import run_check
from .clean import run_clean
from .commands import add_commands, add_learn_option, add_rules_options
from .exits import EXIT_OK, EXIT_USAGE
from .explain import run_explain
from .preflight import PipeClosed, discard_stdout

DEFAULTS = Options()


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
