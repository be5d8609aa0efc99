"""Seeds against golden files, inline rule tests, and rewriting goldens on request."""
from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..batch.files import MANIFEST_NAME, manifest_url, read_manifest, write_atomic
from ..batch.inputs import CAPTURE_GLOBS, find_inputs
from ..engine.extract import normalise
from ..engine.passes import DEFAULT_TIMEOUT, apply_rules
from ..engine.pipeline import Cleaner
from ..engine.rules import RuleBook
from ..engine.tidy import assemble
from ..errors import PatternTimeout
from ..model import Cleaned, Rule, RuleTest


@dataclass(frozen=True, slots=True)
class Seed:
    name: str
    path: Path
    url: str | None


@dataclass(frozen=True, slots=True)
class GoldenDiff:
    """A seed whose output differs from its golden file; ``diff`` is a unified diff.

    ``missing``: there is no golden file (the diff is then against nothing).
    """

    seed: str
    golden: Path
    diff: str
    missing: bool = False


@dataclass(frozen=True, slots=True)
class CaseFailure:
    rule: Rule
    case: RuleTest
    message: str

    @property
    def label(self) -> str:
        return f"{self.rule.id}::{self.case.name}"


def list_seeds(seeds_dir: Path) -> list[Seed]:
    """Every capture in ``seeds_dir``, with its URL from ``urls.tsv`` when listed there."""
    manifest = seeds_dir / MANIFEST_NAME
    urls = read_manifest(manifest) if manifest.is_file() else {}
    return [Seed(str(s.relative), s.path, manifest_url(urls, s.relative))
            for s in find_inputs([str(seeds_dir)], CAPTURE_GLOBS) if s.path is not None]


def render(cleaned: Cleaned) -> tuple[str, str]:
    """The two golden files of a result: the clean text, and metadata + flag + fired rules."""
    record = {"metadata": cleaned.metadata.as_dict(), "paywalled": cleaned.paywalled,
              "rules": list(cleaned.fired_rules)}
    return cleaned.text, json.dumps(record, indent=2, ensure_ascii=False) + "\n"


def golden_paths(golden_dir: Path, seed: Seed) -> tuple[Path, Path]:
    stem = Path(seed.name).with_suffix("")
    return golden_dir / f"{stem}.txt", golden_dir / f"{stem}.json"


def compare_seeds(cleaner: Cleaner, seeds_dir: Path, golden_dir: Path,
                  update: bool = False) -> list[GoldenDiff]:
    """Clean every seed and diff it against its goldens; with ``update``, rewrite them."""
    diffs: list[GoldenDiff] = []
    for seed in list_seeds(seeds_dir):
        cleaned = cleaner.clean_and_explain(seed.path.read_bytes(), url=seed.url,
                                            source=str(seed.path))
        for path, actual in zip(golden_paths(golden_dir, seed), render(cleaned)):
            missing = not path.is_file()
            expected = "" if missing else path.read_text(encoding="utf-8")
            if expected != actual or missing:
                diffs.append(GoldenDiff(seed.name, path, _diff(path, seed, expected, actual),
                                        missing))
                if update:
                    write_atomic(path, actual)
    return diffs


def _diff(golden: Path, seed: Seed, expected: str, actual: str) -> str:
    lines = difflib.unified_diff(expected.splitlines(keepends=True),
                                 actual.splitlines(keepends=True),
                                 fromfile=str(golden), tofile=f"{seed.path} (cleaned now)")
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def iter_cases(book: RuleBook) -> Iterator[tuple[Rule, RuleTest]]:
    for ruleset in book.all_sets():
        for rule in ruleset.rules:
            for case in rule.tests:
                yield rule, case


def run_case(rule: Rule, case: RuleTest, timeout: float = DEFAULT_TIMEOUT) -> str | None:
    """Apply one rule alone to a test's input; a message says how it failed, None if it passed.

    A pattern that runs past ``timeout`` fails the test: it would fail captures too.
    """
    try:
        state = apply_rules(normalise(case.input), [rule], timeout=timeout)
    except PatternTimeout as exc:
        return str(exc)
    got = assemble(state.kept)
    wanted = assemble(normalise(case.input if case.expect is None else case.expect))
    if got != wanted:
        return f"expected {wanted!r}, got {got!r}"
    for name, value in case.meta.items():
        if state.meta.get(name) != value:
            return f"expected {name} {value!r}, got {state.meta.get(name)!r}"
    return None


def run_cases(book: RuleBook) -> list[CaseFailure]:
    failures = []
    for rule, case in iter_cases(book):
        message = run_case(rule, case)
        if message is not None:
            failures.append(CaseFailure(rule, case, message))
    return failures


def untested_generic_rules(book: RuleBook) -> list[str]:
    """Generic rules lacking a removal case or a case of prose they must keep."""
    problems = []
    for ruleset in book.generic:
        for rule in ruleset.rules:
            removes = any(c.expect is not None and c.expect.strip() != c.input.strip()
                          for c in rule.tests)
            keeps = any(c.expect is None for c in rule.tests)
            if not (removes and keeps):
                problems.append(f"{ruleset.path}: rule {rule.id}: generic rules need a test "
                                f"that removes and a test of prose that must be kept")
    return problems
