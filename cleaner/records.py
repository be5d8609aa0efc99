"""One cleaned capture as a flat JSON-ready record: the shape of JSONL output and integrations."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .model import Cleaned

# Field names a record sets itself; input fields of the same name do not pass through.
RESULT_FIELDS = ("id", "url", "site", "text", "title", "author", "date", "paywalled",
                 "removals", "model_backed_off")


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
    return record
