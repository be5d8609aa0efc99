"""The systems ``benchmarks/pages.py`` scores, and the pure checks it applies to their output.

Each system is a function ``(text, url) -> Output``: the cleaned text, and for cleaner the
``paywalled`` flag and the metadata it found (None for the baselines, which find none).

- ``no cleaning``: the capture as it is.
- ``C4-style line filter``: ``benchmarks/reference.py``'s filter (the speed yardstick, the
  same rules as the shared accuracy harness's C4 baseline): C4's *line* rules with the
  defaults of datatrove's ``C4QualityFilter``. Each line is stripped, then dropped when
  a word is over 1,000 characters; citation markers (``[1]``, ``[edit]``,
  ``[citation needed]``) are cut; it is dropped unless it ends in ``.``, ``?``, ``!``,
  ``"`` or ``'`` (not ``...``; curly quotes do not count), when it has fewer than 3
  words (whitespace-split, counted before the citation cut), when it contains
  "javascript", and when it contains a policy phrase ("terms of use", "privacy policy",
  "cookie policy", "uses cookies", "use of cookies", "use cookies"); case is ignored.
  C4's page-level rules (drop the page for "lorem ipsum", a curly bracket, fewer than
  5 sentences or a listed bad word; three-sentence deduplication) are not applied: a
  cleaner returns every page's text, it does not veto pages.
- ``jusText over lines``: every non-blank line of the capture, stripped, becomes one
  ``<p>`` of an HTML document, run through jusText 3 with its default settings and the
  stoplist of the capture's language (``guess_language``); the lines of the paragraphs
  it classes as good are kept.
- ``cleaner`` and ``cleaner --no-model``: ``Cleaner().clean_and_explain(text, url=url)``
  and the same with ``Cleaner(use_model=False)``.
"""
from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from cleaner import Cleaner

if __package__:  # imported as benchmarks.page_systems (the tests)
    from .reference import c4_line_filter
else:  # run from a script of this folder, which is on the path
    from reference import c4_line_filter  # type: ignore[no-redef]

# The stoplists a capture's language is chosen among (jusText's names); ties go to the first.
LANGUAGES = ("English", "German", "French", "Spanish", "Italian", "Portuguese", "Dutch")
_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class Output:
    """What a system made of one capture; the flag and metadata are None when it finds none."""

    text: str
    paywalled: bool | None = None
    author: str | None = None
    date: str | None = None


System = Callable[[str, str], Output]


def no_cleaning(text: str, url: str) -> Output:
    return Output(text)


def c4_filter(text: str, url: str) -> Output:
    return Output(c4_line_filter(text))


@lru_cache(maxsize=None)
def stoplist(language: str) -> frozenset[str]:
    import justext
    return frozenset(justext.get_stoplist(language))


def guess_language(text: str) -> str:
    """The language among ``LANGUAGES`` whose stoplist holds most of the text's words.

    Words are split and lowercased as jusText does when it counts stop words.
    """
    words = text.lower().split()
    return max(LANGUAGES, key=lambda language: sum(w in stoplist(language) for w in words))


def as_paragraphs(text: str) -> tuple[list[str], str]:
    """The non-blank lines of ``text`` (stripped) and an HTML document with one <p> each."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    return lines, f"<html><body>{body}</body></html>"


def justext_lines(text: str, url: str) -> Output:
    import justext
    lines, document = as_paragraphs(text)
    if not lines:
        return Output("")
    paragraphs = justext.justext(document, stoplist(guess_language(text)))
    return Output("\n".join(p.text for p in paragraphs if not p.is_boilerplate))


@lru_cache(maxsize=2)
def _cleaner(use_model: bool) -> Cleaner:
    return Cleaner(use_model=use_model)


def _cleaned(text: str, url: str, use_model: bool) -> Output:
    result = _cleaner(use_model).clean_and_explain(text, url=url)
    meta = result.metadata
    return Output(result.text, result.paywalled, meta.author, meta.date)


def cleaner_model(text: str, url: str) -> Output:
    return _cleaned(text, url, True)


def cleaner_no_model(text: str, url: str) -> Output:
    return _cleaned(text, url, False)


# --systems name -> (row label, function, whether it reports a flag and metadata)
SYSTEMS: dict[str, tuple[str, System, bool]] = {
    "none": ("no cleaning", no_cleaning, False),
    "c4": ("C4-style line filter", c4_filter, False),
    "justext": ("jusText over lines", justext_lines, False),
    "cleaner": ("cleaner (rules + model)", cleaner_model, True),
    "no-model": ("cleaner --no-model (rules only)", cleaner_no_model, True),
}


def _folded(value: str | None) -> str:
    return _WS.sub(" ", (value or "").replace("\xa0", " ")).strip().casefold()


def author_found(labeled: str, found: str | None) -> bool:
    """Whether ``found`` names the labeled author: one contains the other, case ignored."""
    want, got = _folded(labeled), _folded(found)
    return bool(want and got) and (want in got or got in want)


def date_found(labeled: str, found: str | None) -> bool:
    """Whether ISO date ``found`` agrees with the labeled one on its first 10 characters
    (or on as many as the label gives: "2019-12" asks for the month only)."""
    want = labeled.strip()[:10]
    return bool(want) and (found or "").strip()[:len(want)] == want
