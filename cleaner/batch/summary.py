"""What a run did, added up from its results: the --stats file and the line printed at
the end of ``cleaner clean``."""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .files import write_atomic
from .tasks import Result


@dataclass
class Summary:
    """What a run did: the --stats file, and the one line printed at the end.

    ``documents`` counts the captures this run processed, ``failures`` among them;
    ``skipped`` those an earlier run had done (--resume). Bytes in are the bytes read
    per capture (a JSONL line, a WARC record's HTTP body); bytes out the clean text's.
    ``files_written`` counts the files a text tree got (None for JSONL output).
    """

    documents: int = 0
    failures: int = 0
    skipped: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    paywalled: int = 0
    removals_by_category: Counter[str] = field(default_factory=Counter)
    removals_by_rule: Counter[str] = field(default_factory=Counter)
    failures_by_reason: Counter[str] = field(default_factory=Counter)
    wall_seconds: float = 0.0
    completed: bool = False
    files_written: int | None = None

    def add(self, result: Result) -> None:
        self.documents += 1
        self.bytes_in += result.bytes_in
        tally = result.tally
        if result.error is not None or tally is None:
            self.failures += 1
            self.failures_by_reason[result.error["reason"] if result.error else "unknown"] += 1
            return
        self.bytes_out += tally.text_bytes
        self.paywalled += tally.paywalled
        self.removals_by_category.update(tally.by_category)
        self.removals_by_rule.update(tally.by_rule)

    @property
    def removals(self) -> int:
        return sum(self.removals_by_category.values())

    @property
    def docs_per_second(self) -> float:
        return self.documents / self.wall_seconds if self.wall_seconds > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents, "failures": self.failures, "skipped": self.skipped,
            "bytes_in": self.bytes_in, "bytes_out": self.bytes_out,
            "removals": self.removals,
            "removals_by_category": dict(self.removals_by_category.most_common()),
            "removals_by_rule": dict(self.removals_by_rule.most_common()),
            "failures_by_reason": dict(self.failures_by_reason.most_common()),
            "paywalled": self.paywalled, "wall_seconds": round(self.wall_seconds, 3),
            "docs_per_second": round(self.docs_per_second, 1), "completed": self.completed,
            **({} if self.files_written is None else {"files_written": self.files_written}),
        }

    def line(self) -> str:
        """The summary on one line; removals by rule are only in the --stats file."""
        categories = ", ".join(f"{name} {n:,}" for name, n in self.removals_by_category
                               .most_common())
        text = (f"cleaned {self.documents - self.failures:,} of {self.documents:,} captures "
                f"in {self.wall_seconds:.1f}s ({self.docs_per_second:,.1f}/s): "
                f"{self.bytes_in:,} -> {self.bytes_out:,} bytes, {self.removals:,} removals"
                + (f" ({categories})" if categories else "")
                + f", {self.paywalled:,} paywalled, {self.failures:,} failed")
        if self.files_written is not None:
            text += f", {self.files_written:,} file{'' if self.files_written == 1 else 's'} written"
        return text + (f", {self.skipped:,} done before" if self.skipped else "")


def write_stats(path: Path, summary: Summary) -> None:
    write_atomic(path, json.dumps(summary.as_dict(), indent=2, ensure_ascii=False) + "\n")
