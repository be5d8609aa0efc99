"""Rule health over a corpus of captures: what fired, what never did, which sites drifted.

Site rules rot silently when a site changes its template: their patterns stop
matching and nothing says so. ``survey`` cleans captures with a rule book and counts,
per rule, the captures it removed something from, and per site file the captures it
was chosen for (by URL), how many of them still show one of its signatures and how
many its paywall (subscription) rules still fired on. A site is flagged when fewer
than half of its captures show a signature, or when it has subscription rules and
none of them fired on any of its captures.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..batch.tasks import Options, Task, unpack
from ..engine.pipeline import Cleaner
from ..errors import CleanerError
from ..model import Cleaned, Rule, RuleSet

SIGNATURE_SHARE = 0.5  # a site is flagged when fewer of its captures show a signature


@dataclass(slots=True)
class SiteHealth:
    """How one site file fared on the captures chosen for it."""

    captures: int = 0
    signed: int = 0        # captures showing at least one of its signatures
    paywalled: int = 0     # captures on which one of its subscription rules fired
    has_signatures: bool = False
    has_paywall: bool = False

    def problems(self) -> list[str]:
        found = []
        if self.has_signatures and self.captures and self.signed < SIGNATURE_SHARE * self.captures:
            found.append(f"signatures found in {self.signed} of {self.captures} captures")
        if self.has_paywall and self.captures and not self.paywalled:
            found.append(f"paywall marker not seen in any of {self.captures} captures")
        return found


@dataclass(slots=True)
class Health:
    """The survey of a corpus: hits per rule, per site, and what never fired."""

    captures: int = 0
    failures: int = 0
    rule_hits: Counter[str] = field(default_factory=Counter)      # captures per rule
    rule_removals: Counter[str] = field(default_factory=Counter)  # removals per rule
    sites: dict[str, SiteHealth] = field(default_factory=dict)
    never_fired: list[str] = field(default_factory=list)

    def flagged(self) -> dict[str, list[str]]:
        """Sites whose captures no longer look like their rule file expects."""
        return {name: site.problems() for name, site in sorted(self.sites.items())
                if site.problems()}

    def as_dict(self) -> dict[str, Any]:
        return {
            "captures": self.captures, "failures": self.failures,
            "rules": {rule: {"captures": self.rule_hits[rule],
                             "removals": self.rule_removals[rule]}
                      for rule in sorted(self.rule_hits)},
            "sites": {name: {"captures": s.captures, "signed": s.signed,
                             "paywalled": s.paywalled, "problems": s.problems()}
                      for name, s in sorted(self.sites.items())},
            "never_fired": self.never_fired,
            "flagged": self.flagged(),
        }


def survey(cleaner: Cleaner, tasks: Iterable[Task], options: Options = Options()) -> Health:
    """Clean every task with ``cleaner`` and gather the health of its rules."""
    health = Health()
    for task in tasks:
        cleaned, url = _clean(cleaner, task, options)
        if cleaned is None:
            health.failures += 1
        else:
            _record(health, cleaner, cleaned, url)
    health.never_fired = _never_fired(cleaner, health)
    return health


def _clean(cleaner: Cleaner, task: Task, options: Options) -> tuple[Cleaned | None, str | None]:
    """The cleaned capture and its URL; None for one that cannot be read or cleaned."""
    if task.error is not None:
        return None, None
    try:
        raw, task_id, url, _ = unpack(task, options)
        return cleaner.clean_and_explain(raw, url=url, source=task_id), url
    except CleanerError:
        return None, None


def _record(health: Health, cleaner: Cleaner, cleaned: Cleaned, url: str | None) -> None:
    health.captures += 1
    fired = set()
    for removal in cleaned.removals:
        health.rule_removals[removal.rule_id] += 1
        fired.add(removal.rule_id)
    health.rule_hits.update(fired)
    site = cleaner.index.for_url(url) if url else None
    if site is not None:
        _record_site(health.sites.setdefault(site.name, _site_health(site)), site, cleaned,
                     fired)


def _site_health(site: RuleSet) -> SiteHealth:
    return SiteHealth(has_signatures=bool(site.signatures),
                      has_paywall=any(r.category == "subscription" for r in site.rules))


def _record_site(health: SiteHealth, site: RuleSet, cleaned: Cleaned, fired: set[str]) -> None:
    health.captures += 1
    text = "\n".join(line.text for line in cleaned.lines)
    if any(signature in text for signature in site.signatures):
        health.signed += 1
    if any(r.id in fired for r in site.rules if r.category == "subscription"):
        health.paywalled += 1


def _never_fired(cleaner: Cleaner, health: Health) -> list[str]:
    """Rules of the generic sets and of the sites seen that removed nothing anywhere."""
    seen = [s for s in cleaner.rulebook.sites if s.name in health.sites]
    return sorted(r.id for s in (*cleaner.rulebook.generic, *seen) for r in s.rules
                  if _removes_text(r) and not health.rule_hits[r.id])


def _removes_text(rule: Rule) -> bool:
    """Title rules read the headline and leave it in: they never show as removals."""
    return not (rule.action == "extract-meta" and rule.params.get("field") == "title")
