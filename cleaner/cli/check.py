"""The ``cleaner check`` command: rule files validated, their inline tests run, the seeds
compared with their goldens (or the goldens rewritten with --update)."""
from __future__ import annotations

import argparse
import sys

from ..authoring.golden import (GoldenDiff, compare_seeds, iter_cases, run_cases,
                                untested_generic_rules)
from ..engine.config import Config
from ..engine.pipeline import Cleaner
from ..engine.rules import rule_file_errors
from ..errors import CleanerError, RuleFileError
from .commands import project_config
from .exits import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from .preflight import reader_may_leave


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
