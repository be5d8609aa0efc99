"""Sites by registrable domain, with internationalised names in either spelling."""
from __future__ import annotations

from pathlib import Path

import pytest

from cleaner.authoring.corpus import Grouping, collect, learn_site, site_of
from cleaner.batch.tasks import Options, Task
from cleaner.cli import main
from cleaner.engine.matching import SiteIndex, host_of
from cleaner.engine.rules import load_rules
from cleaner.errors import RuleFileError
from cleaner.model import RuleSet

from . import synthetic
from .test_rules import HEADER, rule, write_rules

REUTERS_HOSTS = ["uk.reuters.com", "ca.reuters.com", "in.reuters.com", "africa.reuters.com",
                 "www.reuters.com", "reuters.com"]


def _site(name: str, *domains: str) -> RuleSet:
    return RuleSet(name=name, path=f"{name}.toml", description="", rules=(), domains=domains)


def test_learn_groups_subdomains_into_their_registrable_domain():
    tasks = [Task(i, f"t{i}", synthetic.capture_text(i).encode(), url=f"https://{host}/a/{i}")
             for i, host in enumerate(REUTERS_HOSTS)]
    samples = collect(tasks, Options(), Grouping())
    assert list(samples.by_site) == ["reuters.com"]
    assert len(samples.by_site["reuters.com"]) == len(REUTERS_HOSTS)


def test_a_host_under_a_public_suffix_is_its_own_site():
    assert site_of("https://foo.blogspot.com/p", {}, Grouping()) == "foo.blogspot.com"
    assert site_of("https://news.bbc.co.uk/p", {}, Grouping()) == "bbc.co.uk"
    assert site_of("http://10.0.0.1/p", {}, Grouping()) == "10.0.0.1"


def test_site_files_match_within_the_registrable_domain_only():
    index = SiteIndex([_site("reuters.com", "reuters.com"), _site("blogspot.com", "blogspot.com")])
    assert index.for_url("https://uk.reuters.com/x").name == "reuters.com"
    assert index.for_url("https://blogspot.com/x").name == "blogspot.com"
    assert index.for_url("https://foo.blogspot.com/x") is None


def test_a_subdomain_site_file_wins_over_its_parent():
    index = SiteIndex([_site("reuters.com", "reuters.com"),
                       _site("uk.reuters.com", "uk.reuters.com")])
    assert index.for_url("https://uk.reuters.com/x").name == "uk.reuters.com"
    assert index.for_url("https://ca.reuters.com/x").name == "reuters.com"


@pytest.mark.parametrize("domain", ["bücher.de", "xn--bcher-kva.de", "BÜCHER.de"])
@pytest.mark.parametrize("url", ["https://bücher.de/a", "https://www.xn--bcher-kva.de/a",
                                 "https://shop.Bücher.de/a"])
def test_an_idn_site_matches_in_either_spelling(domain, url):
    assert SiteIndex([_site("b", domain)]).for_url(url).name == "b"


def test_idn_captures_are_one_site_and_can_be_learned():
    urls = ["https://bücher.de/1", "https://xn--bcher-kva.de/2", "https://www.BÜCHER.de/3"]
    assert {site_of(u, {}, Grouping()) for u in urls} == {"xn--bcher-kva.de"}
    assert site_of(None, {}, Grouping(site="bücher.de")) == "xn--bcher-kva.de"
    captures = [synthetic.capture_text(i).splitlines() for i in range(8)]
    assert learn_site("xn--bcher-kva.de", captures).site == "xn--bcher-kva.de"


def test_host_of_spells_idn_hosts_in_ascii():
    assert host_of("https://www.Bücher.de/x") == "xn--bcher-kva.de"
    assert host_of("https://a_b.example.com/") == "a_b.example.com"  # no IDNA name: as written


@pytest.mark.parametrize("stem", ["bücher.de", "xn--bcher-kva.de"])
@pytest.mark.parametrize("listed", ["bücher.de", "xn--bcher-kva.de"])
def test_a_site_file_may_be_named_and_list_its_domain_either_way(tmp_path, stem, listed):
    text = HEADER + f'[match]\ndomains = ["{listed}"]\n' + rule(stem)
    write_rules(tmp_path, {f"sites/{stem}.toml": text})
    (site,) = load_rules(tmp_path).sites
    assert site.domains == ("xn--bcher-kva.de",)
    assert SiteIndex([site]).for_url("https://bücher.de/x") is site


def test_two_spellings_of_one_domain_are_one_claim(tmp_path):
    files = {f"sites/{stem}.toml": HEADER + f'[match]\ndomains = ["{stem}"]\n' + rule(stem)
             for stem in ("bücher.de", "xn--bcher-kva.de")}
    write_rules(tmp_path, files)
    with pytest.raises(RuleFileError, match="claimed by"):
        load_rules(tmp_path)


def test_a_site_domain_that_is_no_domain_name_is_refused(tmp_path):
    text = HEADER + '[match]\ndomains = ["example.com", "not a domain"]\n' + rule("example.com")
    paths = write_rules(tmp_path, {"sites/example.com.toml": text})
    with pytest.raises(RuleFileError, match="'not a domain' is not a domain name") as caught:
        load_rules(tmp_path)
    assert Path(caught.value.path) == paths["sites/example.com.toml"]


def test_learn_an_idn_site_writes_its_ascii_named_file_that_check_accepts(tmp_path, capsys):
    captures = tmp_path / "captures"
    captures.mkdir()
    for i in range(8):
        (captures / f"page{i}.txt").write_text(synthetic.capture_text(i), encoding="utf-8")
    sites = tmp_path / "rules" / "sites"
    assert main(["learn", str(captures), "--site", "Bücher.de", "-o", str(sites)]) == 0
    assert [p.name for p in sites.iterdir()] == ["xn--bcher-kva.de.toml"]
    (tmp_path / "no-seeds").mkdir()  # an empty seeds directory: no goldens to compare
    assert main(["check", "--rules", str(tmp_path / "rules"),
                 "--seeds", str(tmp_path / "no-seeds")]) == 0
