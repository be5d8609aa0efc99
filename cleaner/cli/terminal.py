"""What ``cleaner clean`` shows on the terminal: the progress bar on standard error,
cleaned results on standard output without -o, failed captures on standard error
without an errors file."""
from __future__ import annotations

import sys
import time

from tqdm import tqdm

from ..batch.outputs import cleaned_line, cleaned_record, error_record
from ..batch.summary import Summary
from ..batch.tasks import Result
from ..errors import OutputError


class Progress:
    """A progress bar on standard error: documents, documents/s, MB/s, an ETA with a total."""

    def __init__(self, total: int | None, enabled: bool) -> None:
        self.total = total
        self.enabled = enabled
        self.started = time.monotonic()
        self.bar: tqdm[None] | None = None

    def start(self) -> None:
        self.started = time.monotonic()
        if self.enabled:
            self.bar = tqdm(total=self.total, unit="doc", file=sys.stderr, dynamic_ncols=True,
                            smoothing=0.1)

    def update(self, summary: Summary, skipped: int) -> None:
        if self.bar is None:
            return
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = summary.bytes_in / elapsed / 1e6
        self.bar.set_postfix_str(f"{rate:.{2 if rate < 10 else 1}f} MB/s", refresh=False)
        self.bar.update(summary.documents + skipped - self.bar.n)

    def say(self, line: str) -> None:
        """A line on standard error that does not tear the bar."""
        if self.bar is None:
            print(line, file=sys.stderr)
        else:
            self.bar.write(line, file=sys.stderr)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class StdoutRecords:
    """Cleaned results on standard output: JSONL records, or the text of the one capture."""

    def __init__(self, format: str) -> None:
        self.format = format

    def write(self, result: Result) -> None:
        if self.format == "jsonl":
            data = cleaned_line(result)
        else:
            try:
                data = cleaned_record(result)["text"].encode("utf-8")
            except UnicodeEncodeError as exc:
                raise OutputError(f"the clean text cannot be written as UTF-8: {exc}") from exc
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is None:  # a text-only stream swapped in for stdout
            sys.stdout.write(data.decode("utf-8"))
        else:
            buffer.write(data)

    def commit(self) -> None:
        sys.stdout.flush()

    def close(self) -> None:
        try:
            sys.stdout.flush()
        except BrokenPipeError:  # the reader left: what it did not read has nowhere to go
            pass


class StderrErrors:
    """Failed captures as one line each on standard error, when there is no errors file."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress

    def write(self, result: Result) -> None:
        record = error_record(result)
        self.progress.say(f"error: {record['id']}: {record['reason']}: {record['message']}")

    def commit(self) -> None:
        pass

    def close(self) -> None:
        pass
