"""Word evidence for the generic stage: how much each word leans to boilerplate.

Prompts, credits and labels share a vocabulary across sites and languages
("subscribe", "abonnés", "photo", "comments", "getty", "lesezeit"), which a line's shape
alone does not show. The lexicon maps lower-cased words to their log-odds of standing in
a boilerplate line rather than in article text, learnt from labeled captures by
``scripts/train_classifier.py`` and kept only for words seen on several sites, so that
no site's own name decides. It ships as ``data/lexicon.json``; training swaps in the
lexicon of each fold with ``use``.
"""
from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from importlib import resources

import regex

WORD = regex.compile(r"[^\W\d_]+|[$£€©@#|•»›]")
MAX_WORDS = 40          # a long paragraph is judged by its first words, at the cost of a short one
LIMIT = 4.0             # log-odds are clipped to [-LIMIT, LIMIT]
MIN_SITES = 3           # a word must stand on this many sites to enter the lexicon
MIN_LEAN = 0.3          # ... and lean at least this far either way
# A bare name: two to six capitalised words (initials, particles and "and" allowed)
NAME_WORD = r"(?:\p{Lu}[\p{L}'’.-]*|and|&|de|da|di|do|dos|van|von|der|den|del|la|le|el|y|e|bin|al-\p{L}+)"
NAME_LIKE = regex.compile(rf"\p{{Lu}}[\p{{L}}'’.-]*(?: {NAME_WORD}){{1,5}}")

NO_EVIDENCE = (0.0,) * 6  # what ``evidence`` gives a line without words
_current: dict[str, float] | None = None


def shipped() -> dict[str, float]:
    """The lexicon in the package's data file."""
    raw = resources.files("cleaner.engine").joinpath("data", "lexicon.json").read_text("utf-8")
    return {word: float(value) for word, value in json.loads(raw)["words"].items()}


def current() -> dict[str, float]:
    """The lexicon in use: the shipped one unless ``use`` set another."""
    global _current
    if _current is None:
        _current = shipped()
    return _current


def use(lexicon: dict[str, float]) -> None:
    """Judge lines with ``lexicon`` from now on (training: one per fold)."""
    global _current
    _current = dict(lexicon)


def words(text: str) -> list[str]:
    """The lower-cased words (and telling symbols) of a line, up to MAX_WORDS."""
    return [w.lower() for w in WORD.findall(text, endpos=400)][:MAX_WORDS]  # its first words only


def evidence(text: str) -> tuple[float, ...]:
    """Mean, strongest boilerplate and strongest content lean of a line's words, the
    leans of its first and last word (labels and credits open or close with their cue:
    "By", "Photo", "Source", "comments"), and whether the line is a bare name; leans
    scaled to [-1, 1]."""
    lexicon = current()
    leans = [lexicon.get(w, 0.0) for w in words(text)]
    if not leans:
        return NO_EVIDENCE
    name = 1.0 if NAME_LIKE.fullmatch(text.strip()) else 0.0
    return (sum(leans) / len(leans) / LIMIT, max(0.0, max(leans)) / LIMIT,
            min(0.0, min(leans)) / LIMIT, leans[0] / LIMIT, leans[-1] / LIMIT, name)


def learn(lines: Iterable[tuple[str, bool, str]], min_sites: int = MIN_SITES) -> dict[str, float]:
    """A lexicon from (text, is_content, site) triples: each word's smoothed log-odds of
    a boilerplate line, counted once per line, for words on at least ``min_sites`` sites."""
    counts: dict[bool, Counter[str]] = {True: Counter(), False: Counter()}
    sites: defaultdict[str, set[str]] = defaultdict(set)
    for text, content, site in lines:
        for word in set(words(text)):
            counts[content][word] += 1
            sites[word].add(site)
    boiler, kept = sum(counts[False].values()) + 1, sum(counts[True].values()) + 1
    lexicon = {}
    for word, seen in sites.items():
        if len(seen) < min_sites:
            continue
        lean = math.log((counts[False][word] + 1) / boiler) - math.log((counts[True][word] + 1) / kept)
        if abs(lean) >= MIN_LEAN:
            lexicon[word] = round(max(-LIMIT, min(LIMIT, lean)), 3)
    return lexicon


def dump(lexicon: dict[str, float], trained_on: Sequence[str]) -> str:
    """The data file's text for ``lexicon``."""
    return json.dumps({"trained_on": list(trained_on), "words": dict(sorted(lexicon.items()))},
                      ensure_ascii=False, indent=0) + "\n"
