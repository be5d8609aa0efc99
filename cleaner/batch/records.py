"""One cleaned capture as a flat JSON-ready record: the shape of JSONL output and integrations.

A record also has a compact form, ``EncodedRecord``: its JSONL line and the counts a
run's summary takes from it. Records cross from worker processes to a batch's parent
in that form, because the parent only writes and counts them, and pickle rebuilds a
record's many small removal dicts several times slower than it moves one line.
"""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import orjson

from ..model import Cleaned

# Field names a record sets itself; input fields of the same name do not pass through.
RESULT_FIELDS = ("id", "url", "site", "text", "title", "author", "date", "paywalled",
                 "removals", "model_backed_off", "encoding", "warnings", "long_lines")

_CATEGORY = itemgetter("category")
_RULE = itemgetter("rule")


def result_record(cleaned: Cleaned, id: str | None = None, url: str | None = None,
                  passthrough: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The record of one result; ``passthrough`` fields of the input ride along unchanged."""
    record: dict[str, Any] = {k: v for k, v in (passthrough or {}).items()
                              if k not in RESULT_FIELDS}
    meta = cleaned.metadata
    record.update(id=id, url=url, site=meta.site, text=cleaned.text, title=meta.title,
                  author=meta.author, date=meta.date, paywalled=cleaned.paywalled,
                  removals=[r.as_dict() for r in cleaned.removals])
    if cleaned.model_backed_off:  # only then: the field is a warning, absent when all is well
        record["model_backed_off"] = True
    # Likewise, the encoding only when it is not UTF-8 (the usual case, and what output is
    # written in) or its reading needed a warning (bytes replaced, an encoding guessed).
    if cleaned.encoding not in (None, "utf-8") or cleaned.warnings:
        record["encoding"] = cleaned.encoding
    if cleaned.warnings:
        record["warnings"] = list(cleaned.warnings)
    if cleaned.long_lines:  # a warning too: lines some rules did not judge
        record["long_lines"] = list(cleaned.long_lines)
    return record


def encode_record(record: Mapping[str, Any]) -> bytes:
    """One compact JSON line in UTF-8.

    orjson does it: encoding records is much of what a batch does besides cleaning.
    What orjson refuses (lone surrogates, which UTF-8 cannot carry; integers past 64
    bits) goes through the standard library, escaped to ASCII. A non-finite float
    (read from a non-standard ``NaN`` or ``Infinity`` in the input) is written as
    ``null``, which JSON can carry, where the standard library wrote a token it cannot.

    >>> encode_record({"id": "é"}), encode_record({"id": "\\ud800"})
    (b'{"id":"\\xc3\\xa9"}\\n', b'{"id": "\\\\ud800"}\\n')
    """
    try:
        return orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE)
    except orjson.JSONEncodeError:
        return (json.dumps(record) + "\n").encode("ascii")


def decode_record(line: bytes) -> dict[str, Any]:
    """The record ``encode_record`` wrote as ``line``."""
    try:
        record: dict[str, Any] = orjson.loads(line)
    except orjson.JSONDecodeError:  # the standard library's ASCII form, lone surrogates in it
        record = json.loads(line)
    return record


@dataclass(frozen=True, slots=True)
class Tally:
    """What a run's summary counts of one record."""

    text_bytes: int
    paywalled: bool
    by_category: Counter[str]
    by_rule: Counter[str]

    @classmethod
    def of(cls, record: Mapping[str, Any]) -> Tally:
        removals = record["removals"]
        return cls(len(record["text"].encode("utf-8", "surrogatepass")), bool(record["paywalled"]),
                   Counter(map(_CATEGORY, removals)), Counter(map(_RULE, removals)))


@dataclass(frozen=True, slots=True)
class EncodedRecord:
    """A record as its JSONL line, with its tally (see the module's docstring)."""

    line: bytes
    tally: Tally

    @classmethod
    def of(cls, record: Mapping[str, Any]) -> EncodedRecord:
        return cls(encode_record(record), Tally.of(record))

    def decode(self) -> dict[str, Any]:
        return decode_record(self.line)
