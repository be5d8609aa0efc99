"""cleaner: strip paywall prompts and boilerplate from raw captures of web pages.

>>> from cleaner import clean
>>> print(clean("Skip to main content\\n\\nCouncil backs new park\\n\\n"
...             "The council voted on Tuesday to expand the park.\\n\\nAdvertisement\\n"), end="")
Council backs new park
<BLANKLINE>
The council voted on Tuesday to expand the park.
"""
from __future__ import annotations

from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version

from .engine.pipeline import Cleaner
from .engine.rules import RuleBook, load_rules
from .errors import (CaptureError, CleanerError, ConfigError, LearnError, PatternTimeout,
                     RuleFileError)
from .model import CATEGORIES, Cleaned, Metadata, Removal

__all__ = [
    "CATEGORIES", "CaptureError", "Cleaned", "Cleaner", "CleanerError", "ConfigError",
    "LearnError", "Metadata",
    "PatternTimeout", "Removal", "RuleBook", "RuleFileError", "clean", "clean_and_explain",
    "load_rules", "__version__",
]

try:  # the installed distribution's, so that it never differs from pyproject.toml's
    __version__ = version("cleaner")
except PackageNotFoundError:  # a source tree on sys.path, never installed
    __version__ = "0+unknown"


@lru_cache(maxsize=1)
def _default_cleaner() -> Cleaner:
    return Cleaner()


def clean(capture: bytes | str, url: str | None = None) -> str:
    """The article text of ``capture`` (plain text or HTML), cleaned with the shipped rules.

    Anything but bytes or str is a TypeError.
    """
    return _default_cleaner().clean(capture, url=url)


def clean_and_explain(capture: bytes | str, url: str | None = None) -> Cleaned:
    """Like ``clean``, with metadata, the paywalled flag and a record of every removal."""
    return _default_cleaner().clean_and_explain(capture, url=url)
