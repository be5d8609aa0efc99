"""What a rule file may hold: the keys of each table and the TOML type of each key.

The loader (``rule_tables.py``) checks every table here before it reads a value, so a
list where a string belongs, or a number where tables belong, is one
``RuleFileError`` naming the file, the rule and the key, never a TypeError deep in
the loader.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import RuleFileError
from .actions import ACTIONS

TOP_KEYS = {"schema", "description", "order", "match", "rule"}
MATCH_KEYS = {"domains", "signatures"}
COMMON_KEYS = {"id", "category", "action", "description", "test", "gates"}
POSITIONAL_KEYS = ("within-first", "within-last")
TEST_KEYS = {"name", "input", "expect", "meta"}
INT_KEYS = {"max-lines", "min-kept-lines", "min-chars", "max-chars", "within-first", "within-last"}

STRING, WHOLE, FLAG = "a string", "a whole number", "true or false"
STRINGS, TABLE, TABLES = "a list of strings", "a table", "a list of tables ([[...]])"
IS_KIND: dict[str, Callable[[Any], bool]] = {
    STRING: lambda v: isinstance(v, str),
    WHOLE: lambda v: isinstance(v, int) and not isinstance(v, bool),
    FLAG: lambda v: isinstance(v, bool),
    STRINGS: lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
    TABLE: lambda v: isinstance(v, dict),
    TABLES: lambda v: isinstance(v, list) and all(isinstance(x, dict) for x in v),
}
TOP_KINDS = {"schema": WHOLE, "description": STRING, "order": WHOLE, "match": TABLE,
             "rule": TABLES}
MATCH_KINDS = {"domains": STRINGS, "signatures": STRINGS}
RULE_KINDS = {**{key: STRING for spec in ACTIONS.values() for key in spec.patterns},
              **{key: WHOLE for key in INT_KEYS},
              "id": STRING, "category": STRING, "action": STRING, "description": STRING,
              "test": TABLES, "gates": FLAG, "lines": STRINGS, "requires": STRINGS,
              "patterns": STRINGS, "keep-first": FLAG, "keep-title": FLAG, "position": STRING, "field": STRING}
TEST_KINDS = {"name": STRING, "input": STRING, "expect": STRING, "meta": TABLE}


def check_kinds(path: Path | str, rule_id: str | None, table: dict[str, Any],
                kinds: dict[str, str], prefix: str = "") -> None:
    """Each known key of ``table`` holds a value of its kind (unknown keys are left to
    ``reject_unknown``)."""
    for key, value in table.items():
        kind = kinds.get(key)
        if kind is not None and not IS_KIND[kind](value):
            raise RuleFileError(path, f"must be {kind}, not {_kind_of(value)}", rule_id,
                                prefix + key)


def _kind_of(value: Any) -> str:
    """How TOML calls ``value``'s type, for error messages."""
    if isinstance(value, bool):
        return "true/false"
    names = {str: "a string", int: "a number", float: "a number", list: "a list",
             dict: "a table"}
    return next((name for kind, name in names.items() if isinstance(value, kind)), "a date")


def reject_unknown(path: Path | str, rule_id: str | None, table: dict[str, Any],
                   allowed: set[str], where: str) -> None:
    for key in table:
        if key not in allowed:
            raise RuleFileError(path, f"unknown key in {where}; allowed: "
                                      f"{', '.join(sorted(allowed))}", rule_id, key)


def string(path: Path | str, rule_id: str | None, key: str, value: Any,
           empty: bool = False) -> str:
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise RuleFileError(path, "must be a non-empty string", rule_id, key)
    return value


def strings(path: Path | str, rule_id: str | None, key: str, value: Any,
            empty: bool = False) -> tuple[str, ...]:
    if not isinstance(value, list) or (not value and not empty):
        raise RuleFileError(path, "must be a list of strings", rule_id, key)
    return tuple(string(path, rule_id, key, v) for v in value)
