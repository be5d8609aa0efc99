"""Clean a Dask bag: ``clean_bag`` maps a bag of captures to a bag of result records.

The records are those ``cleaner.batch.records.result_record`` makes, for work that is
already written with Dask; a capture that cannot be cleaned gives a record with an
error, never an exception that ends the computation. ``integrations/dask.py`` runs a
batch on a cluster, and names ``clean_bag`` too.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

try:
    import dask.bag as db
    from dask.delayed import delayed
except ImportError as exc:  # an optional dependency: say how to get it
    raise ImportError("cleaner.batch.integrations.dask_bag needs Dask: "
                      "pip install 'cleaner[dask]'") from exc

from ...engine.pipeline import Cleaner
from ..records import RESULT_FIELDS
from ..tasks import Options, Result, Task, clean_task

__all__ = ["clean_bag", "error_record"]


def clean_bag(bag: db.Bag, cleaner: Cleaner | None = None, *, jsonl: bool = False,
              text_key: str = "text", html_key: str = "html", url_key: str = "url",
              id_key: str = "id") -> db.Bag:
    """A bag of result records for a bag of captures, in the same order.

    Items are captures as strings (or bytes), or dicts holding one in ``html_key`` or
    ``text_key`` with optional ``url_key`` and ``id_key``; a dict's other keys pass
    through unchanged. With ``jsonl``, string items are JSONL lines (as
    ``db.read_text`` gives them), read as ``cleaner clean`` reads a JSONL file: a line
    that is not a JSON object holding a capture fails alone, as "bad-record".
    Records have the fields of ``cleaner.batch.records.result_record``; a capture that
    fails gives a record with ``text`` None and ``error`` {reason, message} instead
    of failing the computation. An item without an id gets its place in this bag,
    ``"<partition>:<position>"``.

    ``cleaner`` defaults to one with the shipped rules; it is built here, so a rule
    error shows at once, and shipped to the workers once, not with every partition.
    """
    options = Options(text_field=text_key, html_field=html_key, url_field=url_key,
                      id_field=id_key)
    shared = delayed(cleaner if cleaner is not None else Cleaner(), pure=False)
    # A one-item bag partitioned like ``bag`` tells each partition its number.
    numbers = db.range(bag.npartitions, npartitions=bag.npartitions)
    string_format = "jsonl" if jsonl else "capture"
    return bag.map_partitions(_clean_partition, numbers, shared, options, string_format)


def _clean_partition(items: Iterable[Any], numbers: Iterable[int], cleaner: Cleaner,
                     options: Options, string_format: str) -> list[dict[str, Any]]:
    (partition,) = numbers
    return [_clean_item(cleaner, options, item, f"{partition}:{position}", string_format)
            for position, item in enumerate(items)]


def _clean_item(cleaner: Cleaner, options: Options, item: Any, location: str,
                string_format: str = "capture") -> dict[str, Any]:
    """The record of one bag item (see ``clean_bag``); never raises for a bad item.

    ``string_format`` says what a string item is: a "capture" or a "jsonl" line.
    """
    if isinstance(item, Mapping):
        return _clean_mapping(cleaner, options, item, location)
    if isinstance(item, str | bytes):
        try:
            payload = item.encode("utf-8") if isinstance(item, str) else item
        except UnicodeEncodeError as exc:
            return error_record(location, None, "capture", f"not valid Unicode text: {exc}")
        result = clean_task(cleaner, options, Task(0, location, payload, format=string_format))
        record = result.record
        return record if record is not None else error_record(result.id, None, *_reason(result))
    return error_record(location, None, "bad-record",
                        f"a capture must be text or a dict, not {type(item).__name__}")


def _clean_mapping(cleaner: Cleaner, options: Options, item: Mapping[str, Any],
                   location: str) -> dict[str, Any]:
    """Clean a dict through the batch core's JSONL path, so fields mean the same there.

    Only the fields the cleaner reads are JSON-encoded; the others are copied from
    the item afterwards, so values JSON cannot carry (datetimes, numpy numbers, sets)
    pass through as they are.
    """
    read = (options.text_field, options.html_field, options.url_field, options.id_field)
    raw_id = item.get(options.id_field)
    record_id = location if raw_id is None else str(raw_id)
    url = item.get(options.url_field)
    url = url if isinstance(url, str) and url else None
    passthrough = {k: v for k, v in item.items() if k not in read}
    fields = {k: item[k] for k in read if k in item}
    fields[options.id_field] = record_id  # the batch core turns ids into text anyway
    fields[options.url_field] = url  # and ignores a URL that is not text
    try:
        payload = json.dumps(fields, ensure_ascii=False).encode("utf-8")
    except TypeError as exc:
        return error_record(record_id, url, "bad-record", f"a capture must be text: {exc}",
                            passthrough)
    except UnicodeEncodeError as exc:
        return error_record(record_id, url, "capture", f"not valid Unicode text: {exc}",
                            passthrough)
    result = clean_task(cleaner, options, Task(0, location, payload, format="jsonl"))
    record = result.record
    if record is None:
        return error_record(record_id, url, *_reason(result), passthrough)
    kept = {k: v for k, v in passthrough.items() if k not in RESULT_FIELDS}
    return kept | record  # the order result_record gives: passthrough first


def _reason(result: Result) -> tuple[str, str]:
    assert result.error is not None, "a result without a record has an error"
    return result.error["reason"], result.error["message"]


def error_record(id: str, url: str | None, reason: str, message: str,
                 passthrough: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The record of a capture that failed: a result record's fields, empty, and ``error``."""
    record: dict[str, Any] = {k: v for k, v in (passthrough or {}).items()
                              if k not in RESULT_FIELDS and k != "error"}
    record.update(id=id, url=url, site=None, text=None, title=None, author=None, date=None,
                  paywalled=None, removals=[], error={"reason": reason, "message": message})
    return record
