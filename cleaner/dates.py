"""Turn the date text of a dateline into ISO 8601 (date, or date and time when one is given)."""
from __future__ import annotations

from datetime import datetime, tzinfo

from dateutil import parser, tz

# Two different defaults tell whether the text gave a time of day: a field the text
# does not set comes from the default, so it differs between the two parses.
_MIDNIGHT = datetime(2000, 1, 1, 0, 0, 0)
_ODD_TIME = datetime(2001, 2, 2, 1, 1, 1)


def _zone(name: str | None, offset: int | None) -> tzinfo | None:
    """The zone of an offset the text gives. A name alone (EST, IST) is ambiguous, so
    the time stays local to the page, without the warning dateutil would print."""
    if offset is None:
        return None
    return tz.UTC if offset == 0 else tz.tzoffset(name, offset)


def parse_date(text: str) -> str | None:
    """Return ``text`` as ISO 8601, or None when it is not a date.

    >>> parse_date("April 4, 2023")
    '2023-04-04'
    >>> parse_date("Sunday 26 January 2020")
    '2020-01-26'
    >>> parse_date("Updated 4 April 2023 10:30")
    '2023-04-04T10:30'
    >>> parse_date("no date here") is None
    True
    """
    try:
        first = parser.parse(text, default=_MIDNIGHT, fuzzy=True, tzinfos=_zone)
        second = parser.parse(text, default=_ODD_TIME, fuzzy=True, tzinfos=_zone)
    except (ValueError, OverflowError):
        return None
    if (first.year, first.month, first.day) != (second.year, second.month, second.day):
        return None  # the text did not name a full date
    if (first.hour, first.minute) == (second.hour, second.minute):
        return first.isoformat(timespec="minutes")
    return first.date().isoformat()
