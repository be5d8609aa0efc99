"""Cleaning functions in the shape the accuracy harness imports (``module:function``, str -> str).

``benchmarks/accuracy.py`` runs the harness from the repository root, so these import as
``benchmarks.systems:clean_model`` and ``benchmarks.systems:clean_no_model``.
"""
from __future__ import annotations

from functools import lru_cache

from cleaner import Cleaner


@lru_cache(maxsize=2)
def _cleaner(use_model: bool) -> Cleaner:
    return Cleaner(use_model=use_model)


def clean_model(capture: str) -> str:
    """Rules, then the generic stage (the default ``cleaner.clean``)."""
    return _cleaner(True).clean(capture)


def clean_no_model(capture: str) -> str:
    """Rules only (``Cleaner(use_model=False)``, ``--no-model``)."""
    return _cleaner(False).clean(capture)
