"""Date text read as ISO 8601 in the rules' languages, or not at all."""
from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

import cleaner.engine.dates
from cleaner import Cleaner
from cleaner.engine.dates import _parsed, parse_date


@pytest.mark.parametrize(("text", "iso"), [
    ("4 avril 2023", "2023-04-04"),
    ("4 de abril de 2023", "2023-04-04"),
    ("4. April 2023, 10:30 Uhr", "2023-04-04T10:30"),
    ("4 aprile 2023", "2023-04-04"),
    ("April 4, 2023", "2023-04-04"),
    ("Oct 24, 2018 at 08:36 AM CST", "2018-10-24T08:36"),
])
def test_dates_in_the_rules_languages_are_read(text, iso):
    assert parse_date(text) == iso


@pytest.mark.parametrize(("text", "iso"), [
    ("01.12.2023", "2023-12-01"),
    ("4.12.2023 14:05", "2023-12-04T14:05"),
    ("12/28/2013", "2013-12-28"),
    ("29/03/2022 - 17:19", "2022-03-29T17:19"),
])
def test_dotted_dates_are_day_first(text, iso):
    assert parse_date(text) == iso


@pytest.mark.parametrize("text", ["yesterday", "2 hours ago", "Sunday, July 4", "2023",
                                  "1680000000", "sometime soon", ""])
def test_relative_partial_and_non_dates_are_none(text):
    assert parse_date(text) is None


def test_a_year_and_month_is_an_iso_month():
    assert parse_date("2019-12") == "2019-12"


def test_date_metadata_is_iso_or_absent(tmp_path):
    """End to end: a French dateline gives an ISO date; one that names no year gives none."""
    rules = tmp_path / "rules"
    (rules / "generic").mkdir(parents=True)
    (rules / "sites").mkdir()
    (rules / "generic" / "dl.toml").write_text(
        'schema = 1\ndescription = "t"\n\n[[rule]]\nid = "dl:date"\ncategory = "dateline"\n'
        'action = "extract-meta"\nfield = "date"\n'
        "pattern = '''Publié le (?P<value>.+)'''\n", encoding="utf-8")
    cleaner = Cleaner(rules, use_model=False)
    def date(text: str) -> str | None:
        return cleaner.clean_and_explain(text).metadata.date
    assert date("Publié le 4 avril 2023\n\nTexte.") == "2023-04-04"
    assert date("Publié le 4 avril\n\nTexte.") is None


def test_an_iso_date_is_read_as_dateparser_reads_it_without_it(monkeypatch):
    """A crawl's date stamp is on nearly every capture: dateparser costs a millisecond or
    two a date, and says of a real ISO date what it says itself."""
    rnd = random.Random(7)
    days = [date(1990, 1, 1) + timedelta(days=rnd.randrange(40 * 365)) for _ in range(40)]
    texts = [d.isoformat() for d in days] + [d.isoformat()[:7] for d in days[:10]]
    expected = [_parsed(text) for text in texts]
    parse_date.cache_clear()

    def unused(day_first):
        raise AssertionError("dateparser was asked")
    monkeypatch.setattr(cleaner.engine.dates, "_parser", unused)
    assert [parse_date(text) for text in texts] == expected
    parse_date.cache_clear()


@pytest.mark.parametrize("text", ["2017-13-01", "2017-02-30", "2019-13"])
def test_an_iso_looking_text_that_is_no_day_is_read_by_dateparser(text):
    parse_date.cache_clear()
    assert parse_date(text) == _parsed(text)
