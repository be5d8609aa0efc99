"""Shared fixtures: one Cleaner with the shipped rules, loaded once per session."""
from __future__ import annotations

import pytest

from cleaner import Cleaner


@pytest.fixture(scope="session")
def cleaner() -> Cleaner:
    return Cleaner()
