"""Turn the date text of a dateline into ISO 8601, in the languages the rules cover.

Parsing is dateparser's, which reads month names in many languages ("4 avril 2023",
"4 de abril de 2023"). Only absolute dates are read: "yesterday" or "2 hours ago" say
nothing of a capture read later, and a bare number is no date. Dotted numeric dates are
day first ("01.12.2023" is 1 December), as wherever they are written; slashed ones keep
dateparser's reading (month first when both could be). A text that names no year and
month is not a date. Results are cached: one site prints the same few dates again and
again, and a parse costs about a millisecond (an ISO date, "2020-01-02", is read
without dateparser).
"""
from __future__ import annotations

from datetime import datetime
from functools import cache, lru_cache
from typing import Any

import regex
from dateparser.date import DateDataParser

# The languages of the rule files (rules/generic): fewer languages, faster parses.
LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "pt"]
SETTINGS: dict[str, Any] = {
    "PARSERS": ["custom-formats", "absolute-time"],  # no relative dates, no timestamps
    "REQUIRE_PARTS": ["month", "year"],
    "RETURN_TIME_AS_PERIOD": True,  # tells whether the text gave a time of day
    "PREFER_DAY_OF_MONTH": "first",
}
DOTTED_DATE = regex.compile(r"\b\d{1,2}\.\d{1,2}\.\d{2,4}\b")
# A zone name alone (EST, IST) is ambiguous, so a time keeps its offset only when the
# text gives it as a number or as UTC/GMT/Z; otherwise it stays local to the page.
EXPLICIT_OFFSET = regex.compile(r"[+-]\d\d:?\d\d\b|\b(?:UTC|GMT)\b|\dZ\b")
CACHED_TEXTS = 4096
# A crawl's date stamp ("2020-01-02", "2019-12"), read without dateparser: it says the
# same of every such text that is a real date, at a thousandth of the cost.
ISO_DATE = regex.compile(r"[12][0-9]{3}-[0-9]{2}(?:-[0-9]{2})?")


@cache
def _parser(day_first: bool) -> DateDataParser:
    settings = {**SETTINGS, "DATE_ORDER": "DMY"} if day_first else SETTINGS
    return DateDataParser(languages=LANGUAGES, settings=settings)


@lru_cache(maxsize=CACHED_TEXTS)
def parse_date(text: str) -> str | None:
    """Return ``text`` as ISO 8601 (a month, a day, or a day and time), or None.

    >>> parse_date("April 4, 2023"), parse_date("4 avril 2023"), parse_date("01.12.2023")
    ('2023-04-04', '2023-04-04', '2023-12-01')
    >>> parse_date("4 April 2023 10:30"), parse_date("2019-12")
    ('2023-04-04T10:30', '2019-12')
    >>> parse_date("no date here") is None, parse_date("yesterday") is None
    (True, True)
    """
    if ISO_DATE.fullmatch(text):
        try:
            datetime.strptime(text, "%Y-%m-%d" if len(text) > 7 else "%Y-%m")
            return text  # already as ISO 8601 writes it
        except ValueError:  # no such day: what dateparser makes of it ("2017-13-01")
            pass
    return _parsed(text)


def _parsed(text: str) -> str | None:
    """``text`` as ISO 8601 by dateparser's reading, or None."""
    found = _parser(bool(DOTTED_DATE.search(text))).get_date_data(text)
    when: datetime | None = found.date_obj
    if when is None:
        return None
    if found.period == "month":
        return when.strftime("%Y-%m")
    if found.period != "time":
        return when.date().isoformat()
    if when.tzinfo is not None and not EXPLICIT_OFFSET.search(text):
        when = when.replace(tzinfo=None)
    return when.isoformat(timespec="minutes")
