"""Every inline [[rule.test]] of the shipped rule files, collected as `<rule-id>::<test-name>`."""
from __future__ import annotations

import pytest

from cleaner import load_rules
from cleaner.authoring.golden import iter_cases, run_case, untested_generic_rules

BOOK = load_rules()
CASES = list(iter_cases(BOOK))


@pytest.mark.parametrize(("rule", "case"), CASES,
                         ids=[f"{rule.id}::{case.name}" for rule, case in CASES])
def test_inline_case(rule, case):
    assert run_case(rule, case) is None


def test_every_rule_has_a_test():
    untested = [r.id for s in BOOK.all_sets() for r in s.rules if not r.tests]
    assert untested == []


def test_generic_rules_keep_ordinary_prose():
    """Each generic rule shows a removal and a sentence of prose with the same words kept."""
    assert untested_generic_rules(BOOK) == []


def test_a_wrong_expectation_fails():
    rule, case = next((r, c) for r, c in CASES if c.expect is not None)
    broken = type(case)(name=case.name, input=case.input, expect=case.input + "\nextra line")
    assert run_case(rule, broken) is not None
