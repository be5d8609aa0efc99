"""Rule files that once crashed the loader: each is now one ``RuleFileError``, exit 2.

Every case went through the loader to a Python traceback (TypeError, RecursionError,
MemoryError, IsADirectoryError). Each is checked twice: through ``load_rules``, for
an error naming the file, the rule and the field; and through ``cleaner check``, for
exit 2 and a single line on stderr. An inline test whose pattern runs past the time
limit is a failed test, and the check goes on.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from cleaner.authoring.golden import run_cases
from cleaner.cli import main
from cleaner.engine.patterns import MAX_EXPANDED, MAX_NESTING, MAX_PATTERN_CHARS
from cleaner.engine.rules import load_rules
from cleaner.errors import RuleFileError

from .test_rules import (G, HEADER, RID, S, assert_reported, generic, load_error, rule, site,
                         write_rules)

DEEP = 1000
DIRECTORY = "generic/x.toml"


def _meta_rule(field: str) -> str:
    return generic("en-test", rule(action="extract-meta", category="byline",
                                   body=f"field = {field}\npattern = 'By (?P<value>.+)'"))


def _patterns(source: str) -> str:
    return generic("en-test", rule(body=f"patterns = ['''{source}''']"))


# case: (file text, rule id, field); None text means a directory named like a rule file
CRASHED = {
    "action-is-a-list": (HEADER + rule().replace('action = "drop-line"',
                                                'action = ["drop-line"]'), RID, "action"),
    "field-is-a-list": (_meta_rule('["author"]'), RID, "field"),
    "test-is-a-number": (generic("en-test", rule(body="lines = ['Ad']\ntest = 5")),
                         RID, "test"),
    "toml-nested-1000-deep": (HEADER + "x = " + "[" * DEEP + "]" * DEEP + "\n", None, None),
    "pattern-of-1000-nested-groups": (_patterns("(" * DEEP + "Ad" + ")" * DEEP),
                                      RID, "patterns"),
    "recursive-pattern": (_patterns("(?R)?x"), RID, "patterns"),
    "directory-named-x-toml": (None, None, None),
}


def _write_case(root: Path, case: str) -> Path:
    text, _, _ = CRASHED[case]
    if text is None:
        write_rules(root, {})
        (root / DIRECTORY).mkdir()
        return root / DIRECTORY
    return write_rules(root, {G: text})[G]


@pytest.mark.parametrize("case", sorted(CRASHED))
def test_crashing_rule_file_is_a_rule_file_error(tmp_path, case):
    path = _write_case(tmp_path, case)
    _, rule_id, field = CRASHED[case]
    exc = load_error(tmp_path, {})
    assert_reported(exc, path, rule_id, field)


@pytest.mark.parametrize("case", sorted(CRASHED))
def test_check_reports_crashing_rule_file_on_one_line(tmp_path, capsys, case):
    path = _write_case(tmp_path / "rules", case)
    code = main(["check", "--rules", str(tmp_path / "rules"), "--seeds", str(tmp_path / "none")])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert line.startswith(f"error: {path}")
    assert "Traceback" not in captured.err


# --- limits on patterns ----------------------------------------------------------------------

OVER_LIMIT = {
    "too-long": "Ad " + "x" * MAX_PATTERN_CHARS,
    "nested-too-deep": "(?:" * (MAX_NESTING + 1) + "Ad" + ")" * (MAX_NESTING + 1),
    # repeats are expanded when compiled: this one exhausts memory
    "repeats-expand-too-far": "(?:(?:Ad{1000}){1000}){1000}",
    "repeat-count-of-5000-digits": "Ad{" + "9" * 5000 + "}",  # int() refuses it
    "numbered-recursion": "(Ad(?1)?)",
    "relative-recursion": "(Ad(?-1)?)",
    "named-recursion": "(?P<x>Ad(?&x)?)",
    "python-named-recursion": "(?P<x>Ad(?P>x)?)",
    "recursion-after-an-unclosed-brace": r"Ad\p{x|(?R)|x{2}",
}


@pytest.mark.parametrize("case", sorted(OVER_LIMIT))
def test_pattern_over_a_limit_is_refused_at_load(tmp_path, case):
    exc = load_error(tmp_path, {G: _patterns(OVER_LIMIT[case])})
    assert_reported(exc, tmp_path / G, RID, "patterns")


@pytest.mark.parametrize("source", [
    r"\(?R\)",                  # escaped parentheses: a literal '(', 'R' and ')'
    r"[(?R)] Ad",               # a character class, not a group
    r"(?:Ad){2}" + "(?:x)" * 5,  # small repeats, shallow groups
    r"\p{Lu}{3} Ad",            # braces of an escape are no repeat
    r"(A)d(?(1)x|y)",            # a conditional is not recursion
])
def test_patterns_within_the_limits_load(tmp_path, source):
    write_rules(tmp_path, {G: _patterns(source)})
    (ruleset,) = load_rules(tmp_path).generic
    assert ruleset.rules[0].params["patterns"][0].pattern == source


def test_nesting_at_the_limit_loads(tmp_path):
    source = "(?:" * MAX_NESTING + "Ad" + ")" * MAX_NESTING
    write_rules(tmp_path, {G: _patterns(source)})
    assert load_rules(tmp_path).generic


def test_expanded_size_counts_nested_repeats(tmp_path):
    side = int(MAX_EXPANDED ** 0.5) + 1  # each repeat alone is small, their product is not
    write_rules(tmp_path, {G: _patterns(f"(?:Ad{{{side}}}){{{side}}}")})
    assert_reported(load_error(tmp_path, {}), tmp_path / G, RID, "patterns")


# --- an inline test that hits the pattern timeout ----------------------------------------------

S_ID = "example.com"
# (?:a|aa)+ tries every split of the run of a's before the '!' fails it: far past any
# timeout. The line's head and tail could start and end a match, so no gate skips it.
SLOW = rule(S_ID, "slow", body="patterns = ['(?:a|aa)+']\n\n[[rule.test]]\nname = \"explodes\"\n"
                               "input = \"" + "a" * 60 + "!aaa\"\n")
FAST = rule(S_ID, "fast", body="lines = ['Ad']\n\n[[rule.test]]\nname = \"keeps\"\n"
                               "input = \"Ad in a sentence\"\n")


def test_inline_test_that_times_out_is_a_failed_test(tmp_path):
    write_rules(tmp_path, {S: site(S_ID, SLOW, FAST)})
    failures = run_cases(load_rules(tmp_path))
    assert [f.label for f in failures] == ["example.com:slow::explodes"]
    assert "longer than" in failures[0].message


def test_check_goes_on_after_an_inline_test_times_out(tmp_path, capsys):
    write_rules(tmp_path / "rules", {S: site(S_ID, SLOW, FAST)})
    (tmp_path / "none").mkdir()  # an empty seeds directory: no goldens to compare
    code = main(["check", "--rules", str(tmp_path / "rules"), "--no-shipped-rules",
                 "--seeds", str(tmp_path / "none")])
    captured = capsys.readouterr()
    assert code == 1
    (line,) = captured.out.splitlines()
    assert line.startswith(f"{tmp_path / 'rules' / S}: example.com:slow::explodes: ")
    assert "1 of 2 inline tests passed" in captured.err


# --- every key, every TOML type ---------------------------------------------------------------

VALID = {  # one rule per action that loads as it is
    "drop-line": ("ad", {"lines": "['Ad']", "patterns": "['Sponsored']", "within-first": "3"}),
    "strip-span": ("byline", {"pattern": "'By (?P<value>.+)'", "position": "'end'",
                              "field": "'author'"}),
    "drop-block": ("promo", {"start": "'Box'", "end": "'End'", "inner": "'• .+'",
                             "max-lines": "4"}),
    "truncate-after": ("subscription", {"marker": "'Subscribe now'", "requires": "['Log in']",
                                        "min-kept-lines": "3"}),
    "dedupe-lines": ("caption", {"min-chars": "60", "keep-first": "true"}),
    "extract-meta": ("byline", {"pattern": "'By (?P<value>.+)'", "field": "'author'"}),
}
TOML_VALUES = ["5", "2.5", "'text'", "true", "['a']", "[1]", "{ a = 1 }", "[{ a = 1 }]",
               "1979-05-27"]
KEYS = sorted({(action, key) for action, (_, keys) in VALID.items()
               for key in [*keys, "id", "category", "action", "test", "gates"]})


def _rule_with(action: str, key: str, value: str) -> str:
    category, keys = VALID[action]
    table = {"id": f"'{RID}'", "category": f"'{category}'", "action": f"'{action}'", **keys,
             key: value}
    return HEADER + "\n[[rule]]\n" + "".join(f"{k} = {v}\n" for k, v in table.items())


def test_every_valid_rule_loads(tmp_path):
    for action in VALID:
        write_rules(tmp_path, {G: _rule_with(action, "id", f"'{RID}'")})
        assert load_rules(tmp_path).generic[0].rules[0].action == action


@pytest.mark.parametrize(("action", "key"), KEYS)
def test_a_value_of_any_type_is_a_rule_file_error_or_loads(tmp_path, action, key):
    for value in TOML_VALUES:
        write_rules(tmp_path, {G: _rule_with(action, key, value)})
        try:
            load_rules(tmp_path)
        except RuleFileError as exc:
            assert exc.path == str(tmp_path / G) and "\n" not in str(exc)
