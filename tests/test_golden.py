"""The five seeds against POLICY.md: golden files, and the policy's decisions checked directly.

The golden files pin the exact output; the tests below restate POLICY.md's decisions
for each seed independently, so a golden that recorded a wrong removal fails here.
"""
from __future__ import annotations

import json

import pytest

from cleaner.authoring.golden import compare_seeds, render

from .helpers import GOLDEN, SEED_URLS, SEEDS, seed_bytes

# (seed, lines POLICY removes, lines POLICY keeps, metadata, paywalled)
POLICY = {
    "000_a2939ea9f6fb3995.txt": (
        ["print", "April 4, 2023",
         "The following report is now a complimentary offering from MEMRI's",
         "The full text of this post is available to subscribers.",
         "Please login or register to request subscription information from MEMRI",
         "The Cyber & Jihad Lab", "The Cyber & Jihad Lab monitors", "Read More"],
        ['"Ambassador Is Meddling In Iraqi Affairs"', "More Photos",
         '"The Tribe Need To Clarify Their Position"', "Background",
         "Tweet By U.S. Ambassador to Iraq", "In August 2020, it was reported"],
        {"date": "2023-04-04", "site": "memri.org"}, True),
    "001_10d717b60fa0e26a.txt": (
        ["Skip to main content", "A member of the Iraqi security forces", "Related Topics",
         "Subscribe for unlimited access", "$14 monthly", "OR", "Continue reading this article",
         "By signing up"],
        ["Iraqi militias escalate rhetoric against US, threatening more attacks",
         "After a period of calm following the formation", "BAGHDAD — A new wave",
         "With the formation of the new government"],
        {"title": "Iraqi militias escalate rhetoric against US, threatening more attacks",
         "site": "al-monitor.com"}, True),
    "002_cb604e69c53da5ac.txt": (
        ["Iran Iraq US US Ambassadors", "Leave a Reply",
         "Your email address will not be published.", "This site uses Akismet"],
        ["Joseph Klein @ FPM: Iran-Backed Militants Attack U.S. Embassy in Iraq",
         "Iran is intimately involved in this…", "Iran-Backed Militants Attack U.S. Embassy in Iraq",
         "Trump puts the Islamic Republic on notice.", "Hundreds of Iranian-backed",
         "The Pentagon deployed 100 additional marines"],
        {"site": "tundratabloids.com"}, False),
    "003_d6920b419249fd4b.txt": (
        ["Continue reading this article by registering", "• Archived articles",
         "• Lobbying newsletter delivered weekly", "Found in:",
         "Bryant Harris is Al-Monitor's congressional correspondent",
         "The website uses cookies"],
        ["Intel: US marshals diplomatic support after Iraq embassy attack",
         "Why it matters:", "What’s next:", "Know more: Al-Monitor’s Iraq editor"],
        {"author": "Bryant Harris", "site": "al-monitor.com"}, True),
    "004_079d92a754481f4e.txt": (
        ["Sunday 26 January 2020", "Iraqi protesters set a sentry box ablaze", "Ahmed Rasheed",
         "Please log in or register with for free access to this article.", "Log In",
         "(© Washington Post)", "Today's news headlines", "Editors Choice", "Also in World News"],
        ["Ambassador flees as angry Iraqis storm US embassy", "The US ambassador to Iraq and",
         "Outside the embassy, protesters threw stones",
         "Two weeks ago, Mr Pompeo warned Iran of a \"decisive US response\" if the regime or its "
         "militias harmed American troops or allies in the region."],
        {"author": "Ahmed Rasheed", "date": "2020-01-26", "site": "independent.ie"}, True),
}


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("name", sorted(POLICY))
def test_policy_removals_and_keeps(cleaner, name):
    removed, kept, metadata, paywalled = POLICY[name]
    result = cleaner.clean_and_explain(seed_bytes(name), url=SEED_URLS[name])
    out = result.text
    for start in removed:
        assert not any(start in line for line in _lines(out)), f"{start!r} should be removed"
    for start in kept:
        assert any(line.startswith(start) for line in _lines(out)), f"{start!r} should be kept"
    for field, value in metadata.items():
        assert getattr(result.metadata, field) == value
    assert result.paywalled is paywalled


def test_policy_span_removal_keeps_the_paragraph(cleaner):
    name = "004_079d92a754481f4e.txt"
    result = cleaner.clean_and_explain(seed_bytes(name), url=SEED_URLS[name])
    last = [line for line in _lines(result.text) if line.startswith("Two weeks ago")]
    assert len(last) == 1 and last[0].endswith("harmed American troops or allies in the region.")
    legal = [r for r in result.removals if r.category == "legal"]
    assert [r.text.strip() for r in legal] == ["(© Washington Post)"]


@pytest.mark.parametrize("name", sorted(POLICY))
def test_seed_equals_golden(cleaner, name):
    result = cleaner.clean_and_explain(seed_bytes(name), url=SEED_URLS[name])
    text, record = render(result)
    stem = name.removesuffix(".txt")
    assert text == (GOLDEN / f"{stem}.txt").read_text(encoding="utf-8")
    assert json.loads(record) == json.loads((GOLDEN / f"{stem}.json").read_text(encoding="utf-8"))


def test_golden_records_policy_metadata():
    for name, (_, _, metadata, paywalled) in POLICY.items():
        record = json.loads((GOLDEN / name.replace(".txt", ".json")).read_text(encoding="utf-8"))
        assert record["paywalled"] is paywalled
        for field, value in metadata.items():
            assert record["metadata"][field] == value


def test_compare_reports_a_changed_golden(cleaner, tmp_path):
    for path in GOLDEN.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    target = tmp_path / "002_cb604e69c53da5ac.txt"
    target.write_text(target.read_text(encoding="utf-8") + "Leave a Reply\n", encoding="utf-8")
    diffs = compare_seeds(cleaner, SEEDS, tmp_path)
    assert [d.seed for d in diffs] == ["002_cb604e69c53da5ac.txt"]
    assert "-Leave a Reply" in diffs[0].diff
