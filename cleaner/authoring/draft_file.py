"""A learned site rule file: the ``Draft`` of it, its TOML, read back and tested.

``render`` writes the draft as a site rule file whose strings read back byte-exact;
``verify`` reads it back with the project's own loader and runs its inline tests, so
a draft that would not pass ``cleaner check`` is never handed out; ``learned_ruleset``
gives it as a rule set for one batch (``clean --learn``). ``draft.py`` makes drafts.
"""
from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..engine.rule_tables import SCHEMA_VERSION, ruleset_from_dict
from ..errors import LearnError
from ..model import RuleSet
from .golden import run_case


@dataclass(frozen=True, slots=True)
class Proposal:
    """One rule as it will be written: its TOML table (tests included) and its hits."""

    table: dict[str, Any]
    hits: int = 0


@dataclass(frozen=True, slots=True)
class Draft:
    """A site's learned rule file before it is written."""

    site: str
    captures: int
    signatures: tuple[str, ...]
    proposals: tuple[Proposal, ...]

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(p.table["id"] for p in self.proposals)


def render(draft: Draft) -> str:
    """The draft as a site rule file (TOML), strings written so they read back byte-exact."""
    out = [f"schema = {SCHEMA_VERSION}",
           f"description = {_string(_description(draft))}", "", "[match]",
           f"domains = [{_string(draft.site)}]",
           f"signatures = {_list(list(draft.signatures))}"]
    for proposal in draft.proposals:
        out += ["", "[[rule]]"]
        for key, value in proposal.table.items():
            if key != "test":
                out.append(f"{key} = {_value(value)}")
        for test in proposal.table.get("test", []):
            out += ["", "  [[rule.test]]"]
            out += [f"  {key} = {_value(value)}" for key, value in test.items()]
    return "\n".join(out) + "\n"


def _description(draft: Draft) -> str:
    return (f"Learned from {draft.captures} captures of {draft.site}: review each rule "
            f"against the editorial policy before use.")


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return _list(value)
    return _string(str(value))


def _list(values: list[str]) -> str:
    if not values:
        return "[]"
    return "[\n" + "".join(f"  {_string(v)},\n" for v in values) + "]"


def _string(text: str) -> str:
    """A TOML string: literal where that can hold the text, else basic with escapes."""
    plain = not any(ord(c) < 0x20 and c != "\t" or c == "\x7f" for c in text.replace("\n", ""))
    if plain and "\n" not in text and "'" not in text:
        return f"'{text}'"
    if plain and "'''" not in text and not text.endswith("'") and "\n" in text:
        return f"'''\n{text}'''"
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def verify(text: str, site: str) -> RuleSet:
    """Read the file back as ``cleaner check`` does and run its inline tests."""
    path = Path(f"{site}.toml")
    ruleset = ruleset_from_dict(tomllib.loads(text), path, site=True)
    for rule in ruleset.rules:
        for case in rule.tests:
            problem = run_case(rule, case)
            if problem is not None:
                raise LearnError(f"{site}: learned rule {rule.id} fails its own test "
                                 f"{case.name}: {problem}")
    return ruleset


def learned_ruleset(draft: Draft) -> RuleSet:
    """The draft as a rule set for one batch: ids become ``learned:<site>:<slug>``.

    The rules are read from the rendered file, so a batch runs exactly what
    ``cleaner learn`` would have written.
    """
    ruleset = verify(render(draft), draft.site)
    rules = tuple(replace(r, id=f"learned:{r.id}", source=f"learned:{draft.site}")
                  for r in ruleset.rules)
    return replace(ruleset, rules=rules, path=f"learned:{draft.site}")
