"""Fuzzing with a small budget: generated and mutated captures, mutated rule folders.

``scripts/fuzz.py`` runs the same strategies and checks long, counting what it finds.
The budget per test is ``CLEANER_FUZZ_EXAMPLES`` (default 40).
"""
from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from cleaner import Cleaner

from .fuzzing import (RULE_FOLDERS, RuleFolder, check_capture, check_rule_folder,
                      generated_captures, mutated_captures, write_rule_folder)

CLEANER = Cleaner()
FUZZ = settings(max_examples=int(os.environ.get("CLEANER_FUZZ_EXAMPLES", "40")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])


@FUZZ
@given(generated_captures())
def test_generated_captures_clean_and_settle(capture: tuple[str | bytes, str | None]) -> None:
    check_capture(CLEANER, *capture)


@FUZZ
@given(mutated_captures())
def test_mutated_captures_clean_and_settle(capture: tuple[bytes, str | None]) -> None:
    check_capture(CLEANER, *capture)


@FUZZ
@given(RULE_FOLDERS)
def test_mutated_rule_folders_load_or_say_why(tmp_path: Path, spec: RuleFolder) -> None:
    check_rule_folder(write_rule_folder(spec, tmp_path / "rules"))
