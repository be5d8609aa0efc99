"""The ``cleaner`` command: clean, explain and check. The only module that prints or exits."""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from .engine import Cleaner
from .errors import CleanerError
from .files import Source, find_captures, output_path, read_manifest, write_atomic
from .golden import compare_seeds, iter_cases, run_cases, untested_generic_rules
from .model import CATEGORIES, Cleaned, Removal

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
RED, DIM, BOLD, RESET = "\033[31m", "\033[2m", "\033[1m", "\033[0m"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        sys.stderr.close()
        return EXIT_OK
    except CleanerError as exc:  # rule-file errors, missing inputs, bad manifests
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cleaner", description="Strip paywall prompts and boilerplate from web captures.")
    commands = parser.add_subparsers(dest="command", required=True)

    clean = commands.add_parser("clean", help="clean captures (files, directories or - for stdin)")
    clean.add_argument("paths", nargs="+", metavar="PATH")
    clean.add_argument("-o", "--output", type=Path, metavar="DIR",
                       help="write cleaned files here (mirroring the input tree)")
    clean.add_argument("--format", choices=("text", "jsonl"), default="text")
    _add_capture_options(clean)
    clean.set_defaults(run=run_clean)

    explain = commands.add_parser("explain", help="show every line and why it was removed")
    explain.add_argument("path", metavar="FILE")
    explain.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    _add_capture_options(explain)
    explain.set_defaults(run=run_explain)

    check = commands.add_parser("check", help="validate rules, run inline tests, compare goldens")
    check.add_argument("--update", action="store_true", help="rewrite the goldens from the seeds")
    check.add_argument("--rules", type=Path, metavar="DIR", help="rules directory (default: shipped)")
    check.add_argument("--seeds", type=Path, default=Path("seeds"), metavar="DIR")
    check.add_argument("--golden", type=Path, default=Path("golden"), metavar="DIR")
    check.set_defaults(run=run_check)
    return parser


def _add_capture_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", help="the URL the capture came from (selects site rules)")
    parser.add_argument("--urls", type=Path, metavar="TSV",
                        help="a manifest of '<file name><TAB><url>' lines")
    parser.add_argument("--rules", type=Path, metavar="DIR", help="rules directory (default: shipped)")
    parser.add_argument("--keep", action="append", default=[], choices=CATEGORIES,
                        metavar="CATEGORY", help="leave this category in the text (repeatable)")


def _url_for(args: argparse.Namespace, urls: dict[str, str], source: Source) -> str | None:
    return args.url or urls.get(source.relative.name)


def _read(source: Source) -> bytes:
    return sys.stdin.buffer.read() if source.path is None else source.path.read_bytes()


# --- clean --------------------------------------------------------------------------------

@dataclass
class Tally:
    """Counts for the one-line summary at the end of a batch."""

    documents: int = 0
    failed: int = 0
    chars_in: int = 0
    chars_out: int = 0
    removals: int = 0
    paywalled: int = 0
    failures: list[str] = field(default_factory=list)

    def add(self, cleaned: Cleaned) -> None:
        self.documents += 1
        self.chars_in += sum(len(line.text) + 1 for line in cleaned.lines)
        self.chars_out += len(cleaned.text)
        self.removals += len(cleaned.removals)
        self.paywalled += cleaned.paywalled

    def summary(self) -> str:
        share = 100 * (1 - self.chars_out / self.chars_in) if self.chars_in else 0.0
        return (f"cleaned {self.documents} of {self.documents + self.failed} captures: "
                f"{self.chars_in:,} -> {self.chars_out:,} characters ({share:.0f}% removed), "
                f"{self.removals} removals, {self.paywalled} paywalled, {self.failed} failed")


def run_clean(args: argparse.Namespace) -> int:
    sources = list(find_captures(args.paths))
    if args.format == "text" and args.output is None and len(sources) > 1:
        print("error: several captures in text format need -o DIR (or use --format jsonl)",
              file=sys.stderr)
        return EXIT_USAGE
    cleaner = Cleaner(args.rules, keep_categories=args.keep)
    urls = read_manifest(args.urls) if args.urls else {}
    tally = Tally()
    records: list[str] = []
    for source in sources:
        label = str(source.path or "<stdin>")
        try:
            cleaned = cleaner.clean_and_explain(_read(source), url=_url_for(args, urls, source),
                                                source=label)
        except (CleanerError, OSError) as exc:  # one broken capture never stops the batch
            tally.failed += 1
            print(f"error: {exc if isinstance(exc, CleanerError) else f'{label}: {exc}'}",
                  file=sys.stderr)
            continue
        tally.add(cleaned)
        if args.format == "jsonl":
            records.append(json.dumps(_record(label, _url_for(args, urls, source), cleaned),
                                      ensure_ascii=False) + "\n")
        elif args.output is not None:
            write_atomic(output_path(args.output, source.relative), cleaned.text)
        else:
            sys.stdout.write(cleaned.text)
    if records:
        _emit_jsonl(args.output, records)
    print(tally.summary(), file=sys.stderr)
    return EXIT_FINDINGS if tally.failed else EXIT_OK


def _record(source: str, url: str | None, cleaned: Cleaned) -> dict[str, object]:
    return {"source": source, "url": url, **cleaned.metadata.as_dict(),
            "paywalled": cleaned.paywalled, "text": cleaned.text,
            "removals": [r.as_dict() for r in cleaned.removals]}


def _emit_jsonl(directory: Path | None, records: list[str]) -> None:
    if directory is None:
        sys.stdout.writelines(records)
    else:
        write_atomic(directory / "cleaned.jsonl", "".join(records))


# --- explain ------------------------------------------------------------------------------

def run_explain(args: argparse.Namespace) -> int:
    source = next(find_captures([args.path]))
    urls = read_manifest(args.urls) if args.urls else {}
    cleaner = Cleaner(args.rules, keep_categories=args.keep)
    cleaned = cleaner.clean_and_explain(_read(source), url=_url_for(args, urls, source),
                                        source=args.path)
    colour = args.color == "always" or (args.color == "auto" and sys.stdout.isatty()
                                        and "NO_COLOR" not in os.environ)
    write_explanation(cleaned, sys.stdout, colour)
    return EXIT_OK


def write_explanation(cleaned: Cleaned, out: TextIO, colour: bool) -> None:
    """Every line of the capture; removed ones marked '-', trimmed ones '~', with rule ids."""
    paint = (lambda code, text: f"{code}{text}{RESET}") if colour else (lambda code, text: text)
    meta = cleaned.metadata
    out.write(paint(BOLD, f"site={meta.site} title={meta.title!r} author={meta.author!r} "
                          f"date={meta.date} paywalled={str(cleaned.paywalled).lower()}") + "\n")
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
        reasons = "; ".join(f"{r.rule_id} ({r.category})" + ("" if whole else f": {r.text!r}")
                            for r in hits)
        out.write(paint(RED, f"{line.number:>5} {mark} {line.text}") + "  "
                  + paint(DIM, f"<- {reasons}") + "\n")


# --- check --------------------------------------------------------------------------------

def run_check(args: argparse.Namespace) -> int:
    cleaner = Cleaner(args.rules)
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
    if args.seeds.is_dir():
        findings += _check_seeds(cleaner, args)
    else:
        print(f"seeds: no {args.seeds}/ directory here, golden check skipped", file=sys.stderr)
    return EXIT_FINDINGS if findings else EXIT_OK


def _check_seeds(cleaner: Cleaner, args: argparse.Namespace) -> int:
    diffs = compare_seeds(cleaner, args.seeds, args.golden, update=args.update)
    for diff in diffs:
        verb = "updated" if args.update else "differs from its golden"
        print(f"{diff.golden}: seed {diff.seed} {verb}")
        sys.stdout.write(diff.diff)
    seeds = len({d.seed for d in diffs})
    if args.update:
        print(f"goldens: {len(diffs)} files rewritten for {seeds} seeds", file=sys.stderr)
        return 0
    state = "all seeds match their goldens" if not diffs else \
        f"{seeds} seed{'s' if seeds > 1 else ''} differ{'' if seeds > 1 else 's'}"
    print(f"goldens: {state}", file=sys.stderr)
    return len(diffs)


if __name__ == "__main__":
    sys.exit(main())
