"""Load rule files: the shipped rules, a rules directory, or directories merged over them.

Each file's tables are validated and compiled by ``rule_tables.py``; here the files
are found, read as TOML, and checked against each other (an id or a domain claimed
twice). Each problem is reported as one ``RuleFileError`` naming the file, the rule
id and the field, and saying what to do about it.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..errors import RuleFileError
from ..model import RuleSet
from .rule_tables import ruleset_from_dict
from .rule_text import read_toml


@dataclass(frozen=True, slots=True)
class RuleBook:
    """Every loaded rule set: site sets (chosen per capture) and generic sets (always run)."""

    sites: tuple[RuleSet, ...]
    generic: tuple[RuleSet, ...]

    def all_sets(self) -> tuple[RuleSet, ...]:
        return self.sites + self.generic


def default_rules_dir() -> Path:
    """The shipped rules: inside the installed package, else beside it in a checkout."""
    packaged = Path(str(resources.files("cleaner"))) / "rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "rules"


def load_rules(directory: Path | str | None = None) -> RuleBook:
    """Load ``generic/*.toml`` and ``sites/*.toml`` under ``directory`` (default: shipped),
    that directory alone; ``merge_rules`` adds directories to the shipped rules."""
    root = Path(directory) if directory is not None else default_rules_dir()
    if not root.is_dir():
        raise RuleFileError(root, "no such rules directory; pass --rules DIR with generic/ "
                                  "and sites/ folders")
    return _book(_rule_files(root))


def merge_rules(directories: Sequence[Path | str] = (), shipped: bool = True) -> RuleBook:
    """The shipped rules (unless ``shipped`` is false) extended by each of ``directories``.

    A file of a later directory replaces the one of the same kind and name before it
    (``sites/<domain>.toml``, ``generic/<name>.toml``), so a directory can override a
    shipped file, and a directory given twice (the shipped one named again by a project
    configuration, say) loads each file once.
    """
    return _book(_merged_files(directories, shipped))


def rule_file_errors(directories: Sequence[Path | str] = (),
                     shipped: bool = True) -> list[RuleFileError]:
    """Every rule file's error among those ``merge_rules`` would load, by path.

    ``merge_rules`` stops at the first; ``cleaner check`` reports them all, so that one
    run shows everything to fix. Errors between files (a duplicate id) are looked for
    once every file loads.
    """
    try:
        files = _merged_files(directories, shipped)
    except RuleFileError as exc:
        return [exc]
    errors = []
    for (kind, _), path in sorted(files.items()):
        try:
            load_rule_file(path, site=kind == "sites")
        except RuleFileError as exc:
            errors.append(exc)
    if not errors:
        try:
            _book(files)
        except RuleFileError as exc:
            errors.append(exc)
    return sorted(errors, key=lambda exc: exc.path)


def _merged_files(directories: Sequence[Path | str], shipped: bool
                  ) -> dict[tuple[str, str], Path]:
    roots = ([default_rules_dir()] if shipped else []) + [Path(d) for d in directories]
    files: dict[tuple[str, str], Path] = {}
    for root in roots:
        if not root.is_dir():
            raise RuleFileError(root, "no such rules directory; a rules directory holds "
                                      "generic/ and sites/ folders")
        if not (root / "generic").is_dir() and not (root / "sites").is_dir():
            raise RuleFileError(root, "no generic/ or sites/ folder in this rules directory; "
                                      "put site files in sites/<domain>.toml")
        files.update(_rule_files(root))
    return files


def _rule_files(root: Path) -> dict[tuple[str, str], Path]:
    """The rule files under ``root``, keyed by folder and file name; RuleFileError when
    there is none (a mistyped directory would otherwise clean with no rules at all)."""
    files = {(kind, path.name): path for kind in ("generic", "sites")
             for path in sorted((root / kind).glob("*.toml"))}
    if not files:
        raise RuleFileError(root, "no rule files here (generic/*.toml, sites/*.toml); pass "
                                  "--rules DIR with generic/ and sites/ folders")
    return files


def _book(files: dict[tuple[str, str], Path]) -> RuleBook:
    # generic sets run by their `order` key, then by name
    generic = tuple(sorted((load_rule_file(p) for (kind, _), p in files.items()
                            if kind == "generic"), key=lambda s: (s.order, s.name)))
    sites = tuple(load_rule_file(p, site=True)
                  for (kind, _), p in sorted(files.items()) if kind == "sites")
    book = RuleBook(sites=sites, generic=generic)
    _check_unique_ids(book)
    _check_unique_domains(sites)
    return book


def load_rule_file(path: Path | str, site: bool = False) -> RuleSet:
    path = Path(path)
    return ruleset_from_dict(read_toml(path), path, site)


def _check_unique_ids(book: RuleBook) -> None:
    seen: dict[str, str] = {}
    for ruleset in book.all_sets():
        for rule in ruleset.rules:
            if rule.id in seen:
                raise RuleFileError(ruleset.path, f"duplicate id (also in {seen[rule.id]}); "
                                                  f"ids are never reused", rule.id, "id")
            seen[rule.id] = ruleset.path


def _check_unique_domains(sites: tuple[RuleSet, ...]) -> None:
    seen: dict[str, str] = {}
    for ruleset in sites:
        for domain in ruleset.domains:
            if domain in seen:
                raise RuleFileError(ruleset.path, f"domain {domain!r} is claimed by "
                                                  f"{seen[domain]} too", field="match.domains")
            seen[domain] = ruleset.path
