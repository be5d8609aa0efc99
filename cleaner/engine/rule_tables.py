"""A rule file's tables validated and compiled: the top level, [match], each [[rule]]
and its inline tests, into a ``RuleSet``.

Each problem is reported as one ``RuleFileError`` naming the file, the rule id and
the field, and saying what to do about it. Reading files and directories, and the
checks between files, are ``rules.py``'s.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import regex

from ..errors import RuleFileError
from ..model import CATEGORIES, Rule, RuleSet, RuleTest
from .actions import ACTIONS, META_TARGETS, POSITIONS, ActionSpec
from .domains import ascii_domain
from .patterns import compile_pattern
from .rule_schema import (COMMON_KEYS, INT_KEYS, MATCH_KEYS, MATCH_KINDS, POSITIONAL_KEYS,
                          RULE_KINDS, TEST_KEYS, TEST_KINDS, TOP_KEYS, TOP_KINDS, check_kinds,
                          reject_unknown, string, strings)

SCHEMA_VERSION = 1
DEFAULT_ORDER = 100
ID_SLUG = regex.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MIN_SIGNATURE_WORDS = 3


def ruleset_from_dict(data: dict[str, Any], path: Path, site: bool) -> RuleSet:
    reject_unknown(path, None, data, TOP_KEYS, "top level")
    check_kinds(path, None, data, TOP_KINDS)
    if data.get("schema") != SCHEMA_VERSION:
        raise RuleFileError(path, f"set schema = {SCHEMA_VERSION} at the top of the file",
                            field="schema")
    domains, signatures = _read_match(path, data.get("match"), site)
    order = data.get("order", DEFAULT_ORDER)
    raw_rules = data.get("rule")
    if not raw_rules:
        raise RuleFileError(path, "add at least one [[rule]] table", field="rule")
    rules = tuple(rule_from_dict(raw, path) for raw in raw_rules)
    return RuleSet(name=path.stem, path=str(path), description=str(data.get("description", "")),
                   rules=rules, domains=domains, signatures=signatures, order=order)


def _read_match(path: Path, match: Any, site: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if not site:
        if match is not None:
            raise RuleFileError(path, "generic rule files run on every capture; remove [match] "
                                      "or move the file to sites/", field="match")
        return (), ()
    if not isinstance(match, dict):
        raise RuleFileError(path, "site files need a [match] table with domains", field="match")
    reject_unknown(path, None, match, MATCH_KEYS, "[match]")
    check_kinds(path, None, match, MATCH_KINDS, "match.")
    domains = tuple(_domain(path, d) for d in strings(path, None, "match.domains",
                                                      match.get("domains")))
    if ascii_domain(path.stem) not in domains:
        raise RuleFileError(path, f"name the file after one of its domains, or add "
                                  f"'{path.stem}' to domains", field="match.domains")
    signatures = strings(path, None, "match.signatures", match.get("signatures", []), empty=True)
    for signature in signatures:
        if len(signature.split()) < MIN_SIGNATURE_WORDS:
            raise RuleFileError(path, f"signature {signature!r} needs at least "
                                      f"{MIN_SIGNATURE_WORDS} words: choose a sentence only "
                                      f"this site prints", field="match.signatures")
    return domains, signatures


def _domain(path: Path, name: str) -> str:
    """A site file's domain in ASCII form, so a file may spell it either way (bücher.de)."""
    domain = ascii_domain(name)
    if domain is None:
        raise RuleFileError(path, f"{name!r} is not a domain name", field="match.domains")
    return domain


def rule_from_dict(raw: Any, path: Path | str = "<rule>") -> Rule:
    """Validate one ``[[rule]]`` table and compile it."""
    if not isinstance(raw, dict):
        raise RuleFileError(path, "each [[rule]] must be a table", field="rule")
    rule_id = raw.get("id")
    if not isinstance(rule_id, str):
        raise RuleFileError(path, "every rule needs id = \"<file stem>:<slug>\"", field="id")
    _check_id(path, rule_id)
    check_kinds(path, rule_id, raw, RULE_KINDS)
    action = raw.get("action")
    if action not in ACTIONS:
        raise RuleFileError(path, f"unknown action {action!r}; use one of: "
                                  f"{', '.join(ACTIONS)}", rule_id, "action")
    spec = ACTIONS[action]
    allowed = COMMON_KEYS | set(spec.required) | set(spec.optional) | set(spec.guards)
    if spec.positional:
        allowed |= set(POSITIONAL_KEYS)
    reject_unknown(path, rule_id, raw, allowed, f"action {action}")
    category = raw.get("category")
    if category not in CATEGORIES:
        raise RuleFileError(path, f"unknown category {category!r}; use one of: "
                                  f"{', '.join(CATEGORIES)}", rule_id, "category")
    params = _params(path, rule_id, raw, spec)
    _check_meta_category(path, rule_id, action, params, category)
    tests = tuple(_test(path, rule_id, t) for t in raw.get("test", []))
    _check_unique_tests(path, rule_id, tests)
    return Rule(id=rule_id, category=category, action=action, params=params, source=str(path),
                tests=tests, gates=_gates(path, rule_id, raw, category))


def _gates(path: Path | str, rule_id: str, raw: dict[str, Any], category: str) -> bool:
    """``gates``: false on a subscription rule whose lines are labels, not a paywall."""
    value: bool = raw.get("gates", True)
    if not value and category != "subscription":
        raise RuleFileError(path, "only subscription rules set gates; a match of any other "
                                  "category never flags a paywall", rule_id, "gates")
    return value


def _check_id(path: Path | str, rule_id: str) -> None:
    stem, _, slug = rule_id.partition(":")
    if stem != Path(path).stem and Path(path).suffix == ".toml":
        raise RuleFileError(path, f"ids start with the file stem: '{Path(path).stem}:<slug>'",
                            rule_id, "id")
    if not ID_SLUG.fullmatch(slug):
        raise RuleFileError(path, "the part after ':' must be kebab-case (a-z, 0-9, '-')",
                            rule_id, "id")


def _params(path: Path | str, rule_id: str, raw: dict[str, Any],
            spec: ActionSpec) -> dict[str, Any]:
    for key in spec.required + spec.guards:
        if key not in raw:
            kind = "guard" if key in spec.guards else "key"
            raise RuleFileError(path, f"missing {kind} '{key}'; this action needs it",
                                rule_id, key)
    if spec.one_of and not any(k in raw for k in spec.one_of):
        raise RuleFileError(path, f"give at least one of: {', '.join(spec.one_of)}",
                            rule_id, spec.one_of[0])
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if key in COMMON_KEYS:
            continue
        params[key] = _param(path, rule_id, key, value, spec)
    return params


def _param(path: Path | str, rule_id: str, key: str, value: Any, spec: ActionSpec) -> Any:
    if key in INT_KEYS:
        if value < 1:
            raise RuleFileError(path, "must be a whole number of at least 1", rule_id, key)
        return value
    if key in ("keep-first", "keep-title"):
        return value
    if key == "position":
        if value not in POSITIONS:
            raise RuleFileError(path, f"use one of: {', '.join(POSITIONS)}", rule_id, key)
        return value
    if key == "field":
        if value not in META_TARGETS:
            raise RuleFileError(path, f"use one of: {', '.join(META_TARGETS)}", rule_id, key)
        return value
    if key in ("lines", "requires"):
        return frozenset(s.strip() for s in strings(path, rule_id, key, value))
    if key == "patterns":  # compiled one by one: each keeps its own group numbers
        return tuple(compile_pattern(path, rule_id, key, source, "line")
                     for source in strings(path, rule_id, key, value))
    return compile_pattern(path, rule_id, key, string(path, rule_id, key, value),
                           spec.patterns[key])


def _check_meta_category(path: Path | str, rule_id: str, action: str, params: dict[str, Any],
                         category: str) -> None:
    if action != "extract-meta" and "field" not in params:
        return
    if action == "strip-span" and params["field"] == "title":
        raise RuleFileError(path, "a strip-span rule reads author or date; a title stays in "
                                  "the text", rule_id, "field")
    if "value" not in params["pattern"].groupindex:
        raise RuleFileError(path, "the pattern needs a named group (?P<value>...)",
                            rule_id, "pattern")
    wanted = META_TARGETS[params["field"]]
    if wanted is not None and category != wanted:
        raise RuleFileError(path, f"a {params['field']} line is removed as '{wanted}'; "
                                  f"set category = \"{wanted}\"", rule_id, "category")


def _test(path: Path | str, rule_id: str, raw: Any) -> RuleTest:
    reject_unknown(path, rule_id, raw, TEST_KEYS, "[[rule.test]]")
    check_kinds(path, rule_id, raw, TEST_KINDS, "test.")
    name = string(path, rule_id, "test.name", raw.get("name"))
    text = string(path, rule_id, f"test.{name}.input", raw.get("input"))
    expect = raw.get("expect")
    if expect is not None:
        expect = string(path, rule_id, f"test.{name}.expect", expect, empty=True)
    meta = raw.get("meta", {})
    if not all(k in META_TARGETS and isinstance(v, str) for k, v in meta.items()):
        raise RuleFileError(path, f"meta takes only {', '.join(META_TARGETS)}, each a "
                                  f"string", rule_id, f"test.{name}.meta")
    return RuleTest(name=name, input=text, expect=expect, meta=dict(meta))


def _check_unique_tests(path: Path | str, rule_id: str, tests: tuple[RuleTest, ...]) -> None:
    names = [t.name for t in tests]
    for name in names:
        if names.count(name) > 1:
            raise RuleFileError(path, f"two tests are named {name!r}; rename one",
                                rule_id, "test.name")
