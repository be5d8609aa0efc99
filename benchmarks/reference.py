"""A C4-style line filter: the speed yardstick that the text speed targets are set against.

Absolute documents/s depend on the machine: the same code reads twice as fast on one
machine as on another. The targets were set beside a C4-style line filter (about
2,200 documents/s per core where they were set), so ``benchmarks/speed.py`` times this
filter on the same captures, in the same way, and reports cleaner's rates as shares of
its rate too, which carry over from one machine to another.

The rules are C4's line rules with the defaults of datatrove's ``C4QualityFilter``;
C4's page-level rules (dropping whole pages) are left out, as a cleaner keeps every page.
"""
from __future__ import annotations

import re

# The machine the targets were set on: the filter's rate there, documents/s per core.
C4_RATE_WHERE_TARGETS_WERE_SET = 2225.0

CITATION = re.compile(r"\[\d*]|\[edit]|\[citation needed]")
SENTENCE_ENDS = (".", "?", "!", '"', "'")
POLICY_PHRASES = ("terms of use", "privacy policy", "cookie policy", "uses cookies",
                  "use of cookies", "use cookies")
MIN_WORDS = 3
MAX_WORD_CHARS = 1000


def c4_line_filter(text: str) -> str:
    """The lines C4's line rules keep: sentences of three words or more, no policy text."""
    kept = []
    for line in text.splitlines():
        line = line.strip()
        words = line.split()
        if any(len(word) > MAX_WORD_CHARS for word in words):
            continue
        line = CITATION.sub("", line)
        if not line.endswith(SENTENCE_ENDS) or line.endswith("..."):
            continue
        if len(words) < MIN_WORDS:
            continue
        lowered = line.lower()
        if "javascript" in lowered:
            continue
        if any(phrase in lowered for phrase in POLICY_PHRASES):
            continue
        kept.append(line)
    return "\n".join(kept)
