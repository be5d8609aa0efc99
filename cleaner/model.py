"""Frozen data types shared by every module: lines, rules, rule sets, removals, results."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The closed set of removal categories; the names are public (``--keep``, JSON output).
CATEGORIES: tuple[str, ...] = (
    "subscription", "cookie", "newsletter", "byline", "dateline", "caption",
    "navigation", "promo", "comments", "share", "ad", "legal",
)

META_FIELDS: tuple[str, ...] = ("title", "author", "date", "site")


# Not frozen: a frozen dataclass costs three times as much to create, and a capture
# makes one Line per line. Treat lines as read-only all the same (they hash by value).
@dataclass(slots=True, unsafe_hash=True)
class Line:
    """One line of the normalised capture; ``number`` is 1-based and never changes."""

    number: int
    text: str


@dataclass(frozen=True, slots=True)
class Removal:
    """What one rule took out: a whole line (span covers it) or a span inside a line."""

    rule_id: str
    category: str
    line: int
    start: int
    end: int
    text: str
    score: float | None = None

    def as_dict(self) -> dict[str, Any]:
        data = {"rule": self.rule_id, "category": self.category, "line": self.line,
                "span": [self.start, self.end], "text": self.text}
        if self.score is not None:
            data["score"] = self.score
        return data


@dataclass(frozen=True, slots=True)
class Rule:
    """A validated rule: ``params`` holds the action's own keys, patterns already compiled."""

    id: str
    category: str
    action: str
    params: dict[str, Any]
    source: str
    tests: tuple[RuleTest, ...] = ()
    within_first: int | None = None
    within_last: int | None = None
    gates: bool = True  # a subscription rule: does a match mean the article is gated?

    @property
    def signal(self) -> str:
        """What a match of this rule tells of the capture: its category, except that a
        subscription label ("Log In" in a menu, ``gates = false``) is no paywall."""
        return self.category if self.gates else f"{self.category}-label"


@dataclass(frozen=True, slots=True)
class RuleTest:
    """An inline case: ``expect`` None means the input must come out unchanged."""

    name: str
    input: str
    expect: str | None = None
    meta: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RuleSet:
    """The rules of one file; site sets carry the domains and signatures that select them."""

    name: str
    path: str
    description: str
    rules: tuple[Rule, ...]
    domains: tuple[str, ...] = ()
    signatures: tuple[str, ...] = ()
    order: int = 100  # generic sets run by (order, name)

    @property
    def is_site(self) -> bool:
        return bool(self.domains)


@dataclass(frozen=True, slots=True)
class Metadata:
    title: str | None = None
    author: str | None = None
    date: str | None = None
    site: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {name: getattr(self, name) for name in META_FIELDS}


@dataclass(frozen=True, slots=True)
class Cleaned:
    """The result of cleaning one capture."""

    text: str
    metadata: Metadata
    paywalled: bool
    removals: tuple[Removal, ...]
    lines: tuple[Line, ...] = ()  # the normalised input, for explain and accounting
    # the generic stage would have removed an unusual share of the prose and kept to
    # its strongest removals instead: the text may still hold boilerplate
    model_backed_off: bool = False
    encoding: str | None = None  # the encoding the capture's bytes were read in
    warnings: tuple[str, ...] = ()  # what reading the capture replaced or guessed
    # lines too long for rules of unbounded width (gates.LONG_LINE_CHARS): those rules
    # did not judge them, so they may still hold boilerplate
    long_lines: tuple[int, ...] = ()

    @property
    def fired_rules(self) -> tuple[str, ...]:
        """Ids of the rules that removed something, sorted, each once."""
        return tuple(sorted({r.rule_id for r in self.removals}))
