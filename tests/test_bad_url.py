"""A URL that cannot be parsed is "no host": one such record never stops a command.

``urlsplit`` raises ValueError on some URLs (an unclosed IPv6 bracket, a host that
is no address, characters NFKC folds into delimiters); ``host_of`` let it through,
so one record killed learn, clean --learn, stats and lint with no output.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from cleaner import clean, clean_and_explain
from cleaner.cli import main
from cleaner.engine.matching import host_of

from . import synthetic
from .synthetic import SITE

SITE_DOMAIN = "example.com"  # the registrable domain of SITE, which learn groups by

BAD_URLS = ["http://[::1", "http://[abc]/x", "http://ex\uff03ample.com/x"]
BAD = "http://[::1"
DIRTY = "Council backs new park\n\nThe council voted to expand the park.\n\nAdvertisement\n"


@pytest.mark.parametrize("url", BAD_URLS)
def test_host_of_an_unparsable_url_is_none(url):
    assert host_of(url) is None


def test_clean_with_an_unparsable_url_cleans_as_without_a_url():
    assert clean(DIRTY, url=BAD) == clean(DIRTY)
    assert "Advertisement" not in clean(DIRTY, url=BAD)
    assert clean_and_explain(DIRTY, url=BAD).metadata.site is None


def _crawl(path: Path, bad: bool, count: int = 8) -> Path:
    """``count`` captures of one site as JSONL; with ``bad``, one more with a bad URL."""
    records = [{"id": f"r{i}", "text": synthetic.capture_text(i),
                "url": f"https://www.{SITE}/story/{i}"} for i in range(count)]
    if bad:
        records.insert(count // 2, {"id": "bad", "text": DIRTY, "url": BAD})
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _run(capsys, args: list[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_learn_skips_the_record_and_learns_the_site(tmp_path, capsys):
    good = _run(capsys, ["learn", str(_crawl(tmp_path / "good.jsonl", bad=False))])
    code, out, err = _run(capsys, ["learn", str(_crawl(tmp_path / "bad.jsonl", bad=True))])
    assert code == good[0] == 0
    assert out == good[1] and f"domains = ['{SITE_DOMAIN}']" in out
    assert "skipped 1 captures: no-site" in err


def test_clean_learn_cleans_every_record(tmp_path, capsys):
    path = _crawl(tmp_path / "bad.jsonl", bad=True)
    code, out, err = _run(capsys, ["clean", str(path), "--learn", "--format", "jsonl",
                                   "--jobs", "1", "--no-model", "--quiet"])
    assert code == 0
    assert "learned rules for 1 of 1 sites from 8 captures" in err
    records = {r["id"]: r for r in map(json.loads, out.splitlines())}
    assert len(records) == 9
    assert "Advertisement" not in records["bad"]["text"]  # generic rules still ran
    assert f"learned:{SITE_DOMAIN}:repeated-ad" in {r["rule"] for r in records["r1"]["removals"]}


def test_stats_counts_the_record_without_a_site(tmp_path, capsys):
    code, out, _ = _run(capsys, ["stats", str(_crawl(tmp_path / "bad.jsonl", True, 3)),
                                 "--json"])
    data = json.loads(out)
    assert code == 0  # no site file covers these captures, so none is flagged
    assert (data["captures"], data["failures"]) == (4, 0)
    assert data["rules"]["en-ad:label"]["captures"] >= 1  # the bad record's ad went


def test_lint_reports_the_record_by_its_own_rules(tmp_path, capsys):
    path = _crawl(tmp_path / "bad.jsonl", bad=True, count=2)
    code, out, err = _run(capsys, ["lint", str(path)])
    assert code == 1
    assert f"{path}:2: en-ad:label: ad: 'Advertisement' (line 5 of the text)" in out
    assert "Traceback" not in err
