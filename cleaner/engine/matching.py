"""Pick the site rule set for a capture: by URL host, else by a text signature.

Both look-ups cost the same with five site files or five thousand: hosts are found
by walking the host's own suffixes in a dict, and signatures through an index keyed
by a word from the inside of each signature, so only signatures sharing a word with
the capture are ever compared. An inner word has spaces on both sides wherever the
signature appears, so splitting the capture on white space finds it as it is.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from ..model import RuleSet
from .domains import ascii_domain, site_of_host

# Up to this many signature key words, looking for each costs less than splitting
# the capture into words.
FEW_KEYS = 64


def host_of(url: str | None) -> str | None:
    """The lower-case host of a URL, in ASCII form (see ``domains``), without a leading
    ``www.``; None when it has none or cannot be parsed (one bad URL in a batch is one
    capture without site rules). A host no domain name (``a_b.com``) stays as written.

    >>> host_of("https://www.al-monitor.com/originals/2023/04/x")
    'al-monitor.com'
    >>> host_of("https://www.Bücher.de/x")
    'xn--bcher-kva.de'
    >>> host_of("al-monitor.com/pulse") is None
    True
    >>> host_of("http://[::1") is None
    True
    """
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:  # an unclosed '[', a bracketed host that is no address, ...
        return None
    if not host:
        return None
    return (ascii_domain(host) or host).removeprefix("www.")


def site_of_url(url: str | None) -> str | None:
    """The site of a URL: its host's registrable domain (see ``domains.site_of_host``).

    >>> site_of_url("https://uk.reuters.com/x"), site_of_url("https://foo.blogspot.com/")
    ('reuters.com', 'foo.blogspot.com')
    """
    host = host_of(url)
    return site_of_host(host) if host else None


class SiteIndex:
    """Site rule sets by domain and by signature word."""

    def __init__(self, sites: Sequence[RuleSet]) -> None:
        self._by_domain: dict[str, RuleSet] = {}
        self._by_word: dict[str, list[tuple[str, RuleSet]]] = defaultdict(list)
        # Each signature is filed under its rarest inner word, so a word many sites
        # share ("Terms") does not send every capture through all their signatures.
        counts = Counter(w for s in sites for sig in s.signatures for w in set(_inner(sig)))
        for ruleset in sites:
            for domain in ruleset.domains:
                self._by_domain[ascii_domain(domain) or domain] = ruleset
            for signature in ruleset.signatures:
                key = min(_inner(signature), key=lambda w: (counts[w], -len(w)))
                self._by_word[key].append((signature, ruleset))
        self._keys = frozenset(self._by_word)

    def for_url(self, url: str | None) -> RuleSet | None:
        """The set whose domain is the URL's host or a parent of it (host == d or *.d)
        within the host's site: a file for ``reuters.com`` takes ``uk.reuters.com``, one
        for ``blogspot.com`` does not take ``foo.blogspot.com``, a site of its own."""
        host = host_of(url)
        if not host:
            return None
        labels = host.split(".")
        for i in range(len(labels) - site_of_host(host).count(".")):
            found = self._by_domain.get(".".join(labels[i:]))
            if found is not None:
                return found
        return None

    def candidates(self, text: str) -> list[tuple[str, RuleSet]]:
        """The signatures whose key word occurs in ``text`` (a superset of those present).

        With few key words, each is looked for as a substring (fast searches in C);
        with many, the capture's words are looked up among them (no set of the
        capture's words is built), so the cost is bounded by the capture's length
        however many sites there are.
        """
        if len(self._keys) <= FEW_KEYS:
            found: Iterable[str] = [word for word in self._keys if word in text]
        else:
            found = self._keys.intersection(text.split())
        return [entry for word in found for entry in self._by_word[word]]

    @staticmethod
    def best(candidates: list[tuple[str, RuleSet]], text: str) -> RuleSet | None:
        """The set with the most of these signatures present; ties go to the first name."""
        hits: dict[str, int] = defaultdict(int)
        sets: dict[str, RuleSet] = {}
        for signature, ruleset in candidates:
            if signature in text:
                hits[ruleset.name] += 1
                sets[ruleset.name] = ruleset
        if not hits:
            return None
        return sets[min(hits, key=lambda name: (-hits[name], name))]

    def for_text(self, text: str) -> RuleSet | None:
        """The set with the most signatures present in ``text``."""
        return self.best(self.candidates(text), text)

    def select(self, url: str | None, text: str) -> RuleSet | None:
        """By URL when one is given, by signature only when there is none."""
        if url:
            return self.for_url(url)
        return self.for_text(text)


def _inner(signature: str) -> list[str]:
    """The words of a signature but its first and last (signatures have three or more)."""
    return signature.split()[1:-1]
