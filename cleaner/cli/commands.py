"""The rule-authoring commands of ``cleaner``: learn, lint and stats (wired in by parser.py).

Like the rest of ``cli``, this module prints and returns exit codes; the work is done by
``corpus``/``draft`` (learning), ``lint`` and ``health``.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from collections.abc import Iterator, Sequence

from ..authoring.corpus import DEFAULT_SAMPLE, Grouping, collect, learn_sites, with_learned
from ..authoring.draft_file import Draft, render
from ..authoring.health import Health, survey
from ..authoring.learn import Settings
from ..authoring.lint import Fields, lint_tasks
from ..batch.files import read_manifest, write_atomic
from ..batch.inputs import DEFAULT_GLOBS, FORMATS, Input, find_inputs
from ..batch.readers import read_tasks
from ..batch.tasks import Options, Task
from ..engine.config import Config, load_config
from ..engine.pipeline import Cleaner
from ..errors import CleanerError
from .exits import EXIT_FINDINGS, EXIT_OK
from .preflight import reader_may_leave, unmatched_manifest_names, unmatched_warning

LINT_GLOBS = ("*.txt", "*.txt.gz", "*.jsonl", "*.jsonl.gz", "*.ndjson", "*.ndjson.gz")


def add_commands(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add learn, lint and stats to the ``cleaner`` parser's subcommands."""
    learn = commands.add_parser("learn", help="draft a site rule file from many captures")
    learn.add_argument("paths", nargs="+", metavar="CAPTURES")
    learn.add_argument("-o", "--output", type=Path, metavar="FILE|DIR",
                       help="the rule file (<site>.toml) or, for several sites, a directory")
    group = learn.add_mutually_exclusive_group()
    group.add_argument("--site", metavar="DOMAIN", help="every capture is of this site")
    group.add_argument("--site-field", metavar="NAME",
                       help="group JSONL records by this field (default: by URL host)")
    learn.add_argument("--min-share", type=_share, default=Settings().min_share, metavar="X",
                       help="share of captures a line must repeat in (default: %(default)s)")
    learn.add_argument("--sample", type=_positive, default=DEFAULT_SAMPLE, metavar="N",
                       help="captures read per site (default: %(default)s)")
    _add_reading(learn)
    learn.set_defaults(run=run_learn)

    lint = commands.add_parser("lint", help="report boilerplate left in clean data files")
    lint.add_argument("paths", nargs="+", metavar="FILES")
    lint.add_argument("--model", action="store_true",
                      help="also report what the generic stage would remove")
    add_rules_options(lint)
    lint.add_argument("--url", help="the URL of every file (selects site rules)")
    _add_reading(lint, globs=LINT_GLOBS)
    lint.set_defaults(run=run_lint)

    stats = commands.add_parser("stats", help="rule hits per rule and site, rules that never "
                                              "fired, sites that drifted")
    stats.add_argument("paths", nargs="+", metavar="CAPTURES")
    add_rules_options(stats)
    stats.add_argument("--urls", type=Path, metavar="TSV",
                       help="a manifest of '<path><TAB><url>' lines, "
                            "paths relative to the input")
    stats.add_argument("--json", action="store_true", help="print the figures as JSON")
    stats.add_argument("--model", action="store_true", help="run the generic stage too")
    _add_reading(stats)
    stats.set_defaults(run=run_stats)


def add_rules_options(parser: argparse.ArgumentParser) -> None:
    """``--rules DIR`` (repeatable) and ``--no-shipped-rules``, over the project config."""
    parser.add_argument("--rules", type=Path, action="append", metavar="DIR",
                        help="a rules directory that extends the shipped rules: its files "
                             "replace shipped ones of the same name (repeatable; default: "
                             "the project configuration's `rules`)")
    parser.add_argument("--no-shipped-rules", dest="shipped_rules", action="store_false",
                        default=None, help="leave the shipped rules out: only --rules "
                                           "directories (or the configured ones)")


def project_config(args: argparse.Namespace) -> Config:
    """The project configuration found from the working directory, with the options given."""
    return load_config().override(rules=args.rules, shipped_rules=args.shipped_rules,
                                  seeds=getattr(args, "seeds", None),
                                  golden=getattr(args, "golden", None))


def _add_reading(parser: argparse.ArgumentParser, globs: tuple[str, ...] = DEFAULT_GLOBS) -> None:
    parser.add_argument("--input-format", choices=("auto", *FORMATS), default="auto",
                        help="what the inputs hold (default: told by a name that says it, "
                             "else by content)")
    parser.add_argument("--glob", action="append", metavar="PATTERN",
                        help=f"files taken from directories (default: {' '.join(globs)})")
    parser.add_argument("--text-field", default="text", metavar="NAME")
    parser.add_argument("--html-field", metavar="NAME",
                        help="JSONL field of the HTML (default: html; lint reads it only "
                             "when given)")
    parser.add_argument("--url-field", default="url", metavar="NAME")
    parser.set_defaults(default_globs=globs)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _share(text: str) -> float:
    value = float(text)
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"a share between 0 and 1, not {value}")
    return value


def _tasks(args: argparse.Namespace, url: str | None = None,
           urls: dict[str, str] | None = None) -> tuple[Options, Iterator[Task]]:
    inputs = find_inputs(args.paths, args.glob or args.default_globs, args.input_format)
    options = Options(text_field=args.text_field, html_field=args.html_field or "html",
                      url_field=args.url_field)
    unmatched = unmatched_manifest_names(urls or {}, inputs)
    if unmatched:
        print(unmatched_warning(args.urls, unmatched), file=sys.stderr)
    return options, read_tasks(inputs, options.max_bytes, url=url, urls=urls)


# --- learn -------------------------------------------------------------------------------

def run_learn(args: argparse.Namespace) -> int:
    if "-" in args.paths:
        raise CleanerError("learn reads files and directories, not standard input")
    options, tasks = _tasks(args)
    grouping = Grouping(site=args.site, site_field=args.site_field, sample=args.sample)
    samples = collect(tasks, options, grouping)
    drafts, failures = learn_sites(samples, Settings(min_share=args.min_share))
    for reason, count in sorted(samples.skipped.items()):
        print(f"skipped {count} captures: {reason}", file=sys.stderr)
    for message in failures.values():
        print(f"not learned: {message}", file=sys.stderr)
    if not drafts:
        print("error: no site rule file could be learned", file=sys.stderr)
        return EXIT_FINDINGS
    code = EXIT_FINDINGS if failures else EXIT_OK
    with reader_may_leave(code):
        _write_drafts(drafts, args.output)
    return code


def _write_drafts(drafts: dict[str, Draft], output: Path | None) -> None:
    if output is None:
        if len(drafts) > 1:
            raise CleanerError(f"{len(drafts)} sites learned ({', '.join(drafts)}); "
                               "pass -o DIR to write one file each")
        sys.stdout.write(render(next(iter(drafts.values()))))
        return
    as_file = output.suffix == ".toml" and not output.is_dir()
    if as_file and len(drafts) > 1:
        raise CleanerError(f"{len(drafts)} sites learned; -o must be a directory")
    for site, draft in drafts.items():
        path = output if as_file else output / f"{site}.toml"
        if path.stem != site:
            raise CleanerError(f"{path}: a site rule file is named after its domain: "
                               f"{site}.toml")
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, render(draft))
        print(f"learned {site}: {len(draft.proposals)} rules from {draft.captures} captures "
              f"-> {path}", file=sys.stderr)


def add_learn_option(clean: argparse.ArgumentParser) -> None:
    """``clean --learn``: learn each site's rules from the batch itself, then clean with them."""
    learning = clean.add_argument_group("learning")
    learning.add_argument("--learn", action="store_true",
                          help="read the inputs twice: learn rules per site (by "
                               "registrable domain), then clean with them")
    learning.add_argument("--learn-sample", type=_positive, default=DEFAULT_SAMPLE, metavar="N",
                          help="captures of each site read to learn from (default: %(default)s)")


def refuse_stdin_for_learn(paths: Sequence[str]) -> None:
    """``clean --learn`` reads its inputs twice: checked before anything is read."""
    if "-" in paths:
        raise CleanerError("--learn reads the inputs twice, so it cannot read standard input")


def learned_cleaner(args: argparse.Namespace, inputs: Sequence[Input], options: Options,
                    urls: dict[str, str]) -> Cleaner:
    """The first pass of ``clean --learn``: a Cleaner with rules learned from the inputs."""
    refuse_stdin_for_learn([str(i.path or "-") for i in inputs])
    tasks = read_tasks(inputs, options.max_bytes, url=args.url, urls=urls)
    samples = collect(tasks, options, Grouping(sample=args.learn_sample))
    drafts, _ = learn_sites(samples)
    book, covered = with_learned(project_config(args).rulebook(), drafts)
    print(f"learned rules for {len(drafts) - len(covered)} of {len(samples.by_site)} sites "
          f"from {samples.captures} captures"
          + (f" ({len(covered)} left to their rule files)" if covered else ""), file=sys.stderr)
    return Cleaner(book, keep_categories=args.keep, use_model=args.use_model)


# --- lint --------------------------------------------------------------------------------

def run_lint(args: argparse.Namespace) -> int:
    cleaner = Cleaner(project_config(args).rulebook(), use_model=args.model)
    options, tasks = _tasks(args, url=args.url)
    count = 0
    fields = Fields(args.text_field, args.url_field, args.html_field)
    with reader_may_leave(EXIT_FINDINGS):  # the reader left as a finding was printed
        for finding in lint_tasks(cleaner, tasks, fields, url=args.url):
            print(finding)
            count += 1
    print(f"lint: {count} finding{'' if count == 1 else 's'}", file=sys.stderr)
    return EXIT_FINDINGS if count else EXIT_OK


# --- stats -------------------------------------------------------------------------------

def run_stats(args: argparse.Namespace) -> int:
    cleaner = Cleaner(project_config(args).rulebook(), use_model=args.model)
    urls = read_manifest(args.urls) if args.urls else {}
    options, tasks = _tasks(args, urls=urls)
    health = survey(cleaner, tasks, options)
    code = EXIT_FINDINGS if health.flagged() else EXIT_OK
    with reader_may_leave(code):
        if args.json:
            print(json.dumps(health.as_dict(), indent=2, ensure_ascii=False))
        else:
            sys.stdout.write(stats_table(health))
    return code


def stats_table(health: Health) -> str:
    """The survey as plain-text tables: rules, sites, never fired, flagged."""
    out = [f"{health.captures} captures cleaned, {health.failures} failed", "",
           f"{'rule':<48} {'captures':>8} {'removals':>8}"]
    for rule, hits in sorted(health.rule_hits.items(), key=lambda kv: (-kv[1], kv[0])):
        out.append(f"{rule:<48} {hits:>8} {health.rule_removals[rule]:>8}")
    out += ["", f"{'site':<32} {'captures':>8} {'signed':>8} {'paywalled':>9}  status"]
    for name, site in sorted(health.sites.items()):
        status = "; ".join(site.problems()) or "ok"
        out.append(f"{name:<32} {site.captures:>8} {site.signed:>8} {site.paywalled:>9}  "
                   f"{status}")
    out += ["", f"never fired ({len(health.never_fired)}):"]
    out += [f"  {rule}" for rule in health.never_fired]
    return "\n".join(out) + "\n"
