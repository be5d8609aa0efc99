"""Domain names: one spelling for each, and the site a host belongs to.

A domain is compared in its ASCII form (IDNA 2008 with UTS 46 mapping, by ``idna``), so
that ``bücher.de``, ``BÜCHER.de`` and ``xn--bcher-kva.de`` are one name. A host's site is
its registrable domain by the Public Suffix List (``publicsuffixlist``, which bundles
the list and never goes to the network): ``uk.reuters.com`` is of ``reuters.com``, while
``foo.blogspot.com`` is a site of its own, ``blogspot.com`` being a public suffix.
"""
from __future__ import annotations

import ipaddress
from functools import cache

import idna
import regex
from publicsuffixlist import PublicSuffixList

# What a domain is once in ASCII: two or more labels of letters, digits and inner hyphens.
LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
ASCII_DOMAIN = regex.compile(rf"{LABEL}(?:\.{LABEL})+")


def ascii_domain(name: str) -> str | None:
    """The ASCII form of a domain name, in lower case; None when it is not a domain name.

    >>> ascii_domain("Bücher.de"), ascii_domain("xn--bcher-kva.de"), ascii_domain("a.b.")
    ('xn--bcher-kva.de', 'xn--bcher-kva.de', 'a.b')
    >>> ascii_domain("not a domain") is None, ascii_domain("localhost") is None
    (True, True)
    """
    try:
        encoded = idna.encode(name.strip().removesuffix("."), uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        return None
    return encoded if ASCII_DOMAIN.fullmatch(encoded) else None


def site_of_host(host: str) -> str:
    """The registrable domain of a host (as the host is spelled: give it in ASCII form);
    the host itself when it has none (an IP address, a public suffix, a single label).

    >>> [site_of_host(h) for h in ("uk.reuters.com", "foo.blogspot.com", "co.uk", "10.0.0.1")]
    ['reuters.com', 'foo.blogspot.com', 'co.uk', '10.0.0.1']
    """
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    return _suffixes().privatesuffix(host) or host


@cache
def _suffixes() -> PublicSuffixList:
    # Read once per process, on first use (about a quarter of a second).
    return PublicSuffixList()
