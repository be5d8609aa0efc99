"""Captures grouped by site for learning, and the learned rule sets added to a rule book.

``collect`` reads a stream of tasks once and keeps, for each site, the lines of the
first ``sample`` captures met (later ones are counted and skipped before they are
decoded). Memory therefore holds at most ``sample`` captures' lines per site, whatever
the size of the input. A site is the registrable domain of the capture's URL host
(``uk.reuters.com`` and ``reuters.com`` are one site, ``reuters.com``), a JSONL field
named by ``site_field``, or one site given for everything; each in ASCII form, so that
``bücher.de`` and ``xn--bcher-kva.de`` are one site too.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..batch.tasks import BadRecord, Options, Task, unpack
from ..engine.domains import ASCII_DOMAIN, ascii_domain
from ..engine.extract import extract
from ..engine.matching import SiteIndex, site_of_url
from ..engine.rules import RuleBook
from ..errors import CaptureError, LearnError
from .draft import draft_site
from .draft_file import Draft, learned_ruleset
from .learn import Settings

DEFAULT_SAMPLE = 200


@dataclass(frozen=True, slots=True)
class Grouping:
    """How captures are told apart by site, and how many of each site are kept."""

    site: str | None = None        # every capture belongs to this site
    site_field: str | None = None  # else this JSONL field names the site ...
    sample: int = DEFAULT_SAMPLE   # ... else the URL's host; the first captures kept per site


@dataclass(slots=True)
class Samples:
    """Each site's captures as lines, and how many captures were left out, by reason."""

    by_site: dict[str, list[list[str]]] = field(default_factory=dict)
    skipped: Counter[str] = field(default_factory=Counter)

    @property
    def captures(self) -> int:
        return sum(len(group) for group in self.by_site.values())


def site_of(url: str | None, fields: Mapping[str, Any], grouping: Grouping) -> str | None:
    """The site a capture belongs to under ``grouping`` (None: it cannot be told).

    >>> site_of("https://www.uk.example.com/a", {}, Grouping())
    'example.com'
    >>> site_of(None, {"group": "Bücher.de"}, Grouping(site_field="group"))
    'xn--bcher-kva.de'

    A site given (``site``, ``site_field``) is taken as it is, only spelled in ASCII.
    """
    if grouping.site:
        return _spelled(grouping.site)
    if grouping.site_field:
        value = fields.get(grouping.site_field)
        return _spelled(value) or None if isinstance(value, str) else None
    return site_of_url(url)


def _spelled(site: str) -> str:
    """A given site in ASCII form; as written (lower case) when it is no domain name,
    for ``learn_site`` to refuse with its name."""
    return ascii_domain(site) or site.strip().lower()


def collect(tasks: Iterable[Task], options: Options, grouping: Grouping) -> Samples:
    """Read every task once; keep the lines of the first ``grouping.sample`` per site."""
    samples = Samples()
    for task in tasks:
        reason = _add(samples, task, options, grouping)
        if reason is not None:
            samples.skipped[reason] += 1
    return samples


def _add(samples: Samples, task: Task, options: Options, grouping: Grouping) -> str | None:
    """Add one capture's lines to its site; the reason it was left out, if it was."""
    if task.error is not None:
        return "unreadable"
    try:
        raw, _, url, fields = unpack(task, options)
    except BadRecord:
        return "bad-record"
    site = site_of(url, fields, grouping)
    if site is None:
        return "no-site"
    group = samples.by_site.setdefault(site, [])
    if len(group) >= grouping.sample:
        return "over-sample"
    try:
        lines = extract(raw, url=url, source=task.source).lines
    except CaptureError:
        return "undecodable"
    group.append([line.text for line in lines])
    return None


def learn_sites(samples: Samples, settings: Settings = Settings()
                ) -> tuple[dict[str, Draft], dict[str, str]]:
    """A draft for every site that has one; the others with the reason, by site."""
    drafts: dict[str, Draft] = {}
    failures: dict[str, str] = {}
    for site, captures in sorted(samples.by_site.items()):
        try:
            drafts[site] = learn_site(site, captures, settings)
        except LearnError as exc:
            failures[site] = str(exc)
    return drafts, failures


def learn_site(site: str, captures: list[list[str]], settings: Settings = Settings()) -> Draft:
    """One site's draft; a site name that cannot name a rule file is refused."""
    if not ASCII_DOMAIN.fullmatch(site):
        raise LearnError(f"{site!r}: not a domain name, so it cannot name a site rule file; "
                         f"group captures by URL host or give --site DOMAIN")
    return draft_site(site, captures, settings)


def with_learned(book: RuleBook, drafts: Mapping[str, Draft]) -> tuple[RuleBook, list[str]]:
    """``book`` with a learned set for each draft whose site has no rule file yet.

    Written rule files win: a site they already cover (its host or a parent domain) is
    left to them. Returns the book and the sites that were left to written rules.
    """
    index = SiteIndex(book.sites)
    covered = [site for site in drafts if index.for_url(f"https://{site}/") is not None]
    learned = tuple(learned_ruleset(drafts[site]) for site in sorted(drafts)
                    if site not in covered)
    return RuleBook(sites=book.sites + learned, generic=book.generic), sorted(covered)
