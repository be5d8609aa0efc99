"""Choosing the site rule set: by URL host, else by text signature, at any number of sites."""
from __future__ import annotations

import pytest

from cleaner.engine.matching import SiteIndex, host_of
from cleaner.model import RuleSet

from .helpers import SEED_URLS, seed_bytes

SIGNED_SEEDS = {
    "000_a2939ea9f6fb3995.txt": "memri.org",
    "001_10d717b60fa0e26a.txt": "al-monitor.com",
    "003_d6920b419249fd4b.txt": "al-monitor.com",
    "004_079d92a754481f4e.txt": "independent.ie",
}


def _site(name: str, domains: tuple[str, ...], signatures: tuple[str, ...] = ()) -> RuleSet:
    return RuleSet(name=name, path=f"{name}.toml", description="", rules=(), domains=domains,
                   signatures=signatures)


@pytest.mark.parametrize("name", sorted(SIGNED_SEEDS))
def test_seed_selects_its_site_without_url(cleaner, name):
    text = seed_bytes(name).decode("utf-8")
    sets = cleaner.rule_sets_for(None, text)
    assert sets[0].name == SIGNED_SEEDS[name]
    assert cleaner.clean_and_explain(text).metadata.site == SIGNED_SEEDS[name]


def test_blog_without_signature_gets_generic_rules_only(cleaner):
    text = seed_bytes("002_cb604e69c53da5ac.txt").decode("utf-8")
    assert all(not s.is_site for s in cleaner.rule_sets_for(None, text))


@pytest.mark.parametrize("name", sorted(SEED_URLS))
def test_seed_url_selects_its_site(cleaner, name):
    site = cleaner.index.for_url(SEED_URLS[name])
    assert site is not None and SEED_URLS[name].split("/")[2].endswith(site.name)


def test_url_wins_over_signatures(cleaner):
    text = seed_bytes("000_a2939ea9f6fb3995.txt").decode("utf-8")
    sets = cleaner.rule_sets_for("https://example.org/a", text)
    assert all(not s.is_site for s in sets)


def test_host_matching_by_suffix_only():
    index = SiteIndex([_site("example.com", ("example.com",))])
    assert index.for_url("https://news.example.com/x").name == "example.com"
    assert index.for_url("https://WWW.EXAMPLE.COM/x").name == "example.com"
    assert index.for_url("https://notexample.com/x") is None
    assert index.for_url("https://example.com.evil.net/x") is None
    assert index.for_url(None) is None


def test_host_of_strips_www_only():
    assert host_of("http://www.memri.org/jttm") == "memri.org"
    assert host_of("http://www2.memri.org/jttm") == "www2.memri.org"


def test_most_signatures_win():
    index = SiteIndex([_site("a.com", ("a.com",), ("Alpha Daily prompt",)),
                       _site("b.com", ("b.com",), ("Alpha Daily prompt", "Beta Weekly footer"))])
    assert index.for_text("Alpha Daily prompt and the Beta Weekly footer").name == "b.com"
    assert index.for_text("only the Alpha Daily prompt").name == "a.com"
    assert index.for_text("nothing relevant") is None


def test_thousands_of_sites_select_correctly():
    sites = [_site(f"site{i}.com", (f"site{i}.com",), (f"Read more at Outlet{i} Online",))
             for i in range(5000)]
    index = SiteIndex(sites)
    assert index.for_url("https://www.site4321.com/story").name == "site4321.com"
    assert index.for_text("text … Read more at Outlet2718 Online").name == "site2718.com"
    assert index.for_text("Read more at Outlet Online") is None
