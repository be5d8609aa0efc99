"""`cleaner stats`: hits per rule and site, rules that never fired, sites that drifted."""
from __future__ import annotations

import json
import shutil

import pytest

from cleaner import Cleaner
from cleaner.authoring.health import survey
from cleaner.batch.tasks import Task
from cleaner.cli import main

from .helpers import SEED_URLS, SEEDS

AL_MONITOR = "001_10d717b60fa0e26a.txt"
REDESIGNED = ("Iraqi militias escalate rhetoric\n\nThe article text, now in a new template.\n\n"
              "Become a member to keep reading\n")


def seed_tasks(*names: str) -> list[Task]:
    return [Task(i, name, (SEEDS / name).read_bytes(), url=SEED_URLS[name])
            for i, name in enumerate(names)]


@pytest.fixture(scope="module")
def cleaner():
    return Cleaner(use_model=False)


def test_hits_per_rule_and_site_on_the_seeds(cleaner):
    health = survey(cleaner, seed_tasks(*sorted(SEED_URLS)))
    assert health.captures == len(SEED_URLS) == 9 and health.failures == 0
    assert health.rule_hits["al-monitor.com:metered-paywall"] == 1
    assert health.rule_removals["al-monitor.com:registration-wall"] == 6  # the prompt + 5 bullets
    site = health.sites["al-monitor.com"]
    assert (site.captures, site.signed, site.paywalled) == (3, 2, 3)  # 2015: no signature
    assert health.flagged() == {}


def test_never_fired_lists_rules_of_the_sites_seen_and_generic_rules(cleaner):
    health = survey(cleaner, seed_tasks(AL_MONITOR))
    assert "al-monitor.com:author-bio" in health.never_fired  # only in the other capture
    assert "en-cookie:notice" in health.never_fired
    assert not any(r.startswith("memri.org:") for r in health.never_fired)  # not seen
    assert "al-monitor.com:metered-paywall" not in health.never_fired


def test_a_redesigned_site_is_flagged(cleaner):
    task = Task(0, "new.txt", REDESIGNED.encode(), url=SEED_URLS[AL_MONITOR])
    health = survey(cleaner, [task])
    assert health.flagged() == {"al-monitor.com": [
        "signatures found in 0 of 1 captures",
        "paywall marker not seen in any of 1 captures"]}


def test_broken_captures_are_counted(cleaner):
    broken = Task(0, "x.txt", b"", error=("read", "cannot read"))
    assert survey(cleaner, [broken]).failures == 1


def test_stats_command_table_and_json(tmp_path, capsys):
    shutil.copy(SEEDS / AL_MONITOR, tmp_path / AL_MONITOR)
    (tmp_path / "new.txt").write_text(REDESIGNED, encoding="utf-8")
    (tmp_path / "urls.tsv").write_text(
        f"{AL_MONITOR}\t{SEED_URLS[AL_MONITOR]}\nnew.txt\t{SEED_URLS[AL_MONITOR]}\n",
        encoding="utf-8")
    args = ["stats", str(tmp_path), "--urls", str(tmp_path / "urls.tsv")]
    assert main(args) == 0  # half the captures still show a signature and the paywall
    table = capsys.readouterr().out
    assert "al-monitor.com:metered-paywall" in table and "never fired (" in table
    assert main([*args, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["sites"]["al-monitor.com"] == {"captures": 2, "signed": 1, "paywalled": 1,
                                               "problems": []}
    assert data["rules"]["al-monitor.com:metered-paywall"] == {"captures": 1, "removals": 7}
    (tmp_path / AL_MONITOR).unlink()
    assert main(args) == 1  # only the redesigned page is left
    assert "paywall marker not seen in any of 1 captures" in capsys.readouterr().out
