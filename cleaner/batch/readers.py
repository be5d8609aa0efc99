"""Reading inputs as a lazy stream of Tasks: a capture file is one task, a JSONL file one
task per line (which the worker parses), a WARC file one task per HTML response record.

gzip is undone while reading. Nothing is ever held whole but one capture, so a file of
any size streams through in constant memory; a capture that cannot be read, or is too
large, becomes a task marked with the error instead of ending the stream.
"""
from __future__ import annotations

import gzip
import io
import sys
import zlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import partial
from itertools import count
from typing import IO, Any, cast

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from .files import manifest_url, record_name
from .inputs import Input, container_folder
from .sniff import GZIP_MAGIC, starts_like_warc
from .tasks import Task

HTML_TYPES = ("text/html", "application/xhtml")
# A vanished or unreadable file, a truncated or corrupt gzip stream, a broken WARC.
# (gzip.BadGzipFile is an OSError.)
READ_ERRORS = (OSError, EOFError, zlib.error, ArchiveLoadFailed)
SKIP_BYTES = 1 << 20  # how much of an over-long JSONL line is read at a time to skip it


@contextmanager
def open_input(source: Input, decompress: bool = True) -> Iterator[IO[bytes]]:
    """The input's bytes as a stream; gzip (by magic bytes or a ".gz" name) undone on the fly."""
    owned = None if source.path is None else open(source.path, "rb")
    stream = owned if owned is not None else source.stream or _peekable(sys.stdin.buffer)
    try:
        gzipped = stream.peek(2)[:2] == GZIP_MAGIC or source.relative.suffix.lower() == ".gz"
        if decompress and gzipped:
            with gzip.GzipFile(fileobj=stream, mode="rb") as unzipped:
                yield cast(IO[bytes], unzipped)
        else:
            yield stream
    finally:
        if owned is not None:
            owned.close()


def _peekable(stream: IO[bytes]) -> io.BufferedReader:
    # Standard input is a BufferedReader, except where a caller swapped in a bare stream.
    return stream if isinstance(stream, io.BufferedReader) \
        else io.BufferedReader(stream)  # type: ignore[arg-type]


def read_tasks(inputs: Sequence[Input], max_bytes: int, url: str | None = None,
               urls: Mapping[str, str] | None = None) -> Iterator[Task]:
    """The inputs' captures as tasks, numbered in order, read only as they are asked for.

    ``url`` is every capture's URL (and the fallback of JSONL records without one);
    ``urls`` maps capture files' relative paths to URLs (``files.manifest_url``). A
    capture over ``max_bytes``, or one that cannot be read, becomes a task marked with
    the error instead of ending the stream.
    """
    numbers = count()
    for source in inputs:
        if source.format == "jsonl":
            yield from _jsonl_tasks(source, numbers, max_bytes, url)
        elif source.format == "warc":
            yield from _warc_tasks(source, numbers, max_bytes)
        else:
            yield _capture_task(source, next(numbers), max_bytes,
                                url or manifest_url(urls or {}, source.relative))


def _too_large(max_bytes: int) -> tuple[str, str]:
    return "too-large", f"over the limit of {max_bytes:,} bytes"


def _unreadable(exc: BaseException) -> tuple[str, str]:
    message = " ".join(str(exc).split())  # some libraries' messages span several lines
    return "read", f"cannot read: {type(exc).__name__}: {message}"


def _capture_task(source: Input, index: int, max_bytes: int, url: str | None) -> Task:
    task = partial(Task, index, source.label, url=url,
                   relative=source.relative.as_posix(), source=source.label)
    try:
        with open_input(source) as stream:
            payload = stream.read(max_bytes + 1)  # one byte more tells "over the limit"
    except READ_ERRORS as exc:
        return task(b"", error=_unreadable(exc))
    if len(payload) > max_bytes:
        return task(b"", error=_too_large(max_bytes))
    if starts_like_warc(payload):
        return task(b"", error=_holds_a_warc(source))
    return task(payload)


def _holds_a_warc(source: Input) -> tuple[str, str]:
    return "read", (f"holds a WARC, not the {source.format} its name says: rename it "
                    f".warc, or pass --input-format warc")


def _jsonl_tasks(source: Input, numbers: Iterator[int], max_bytes: int,
                 url: str | None) -> Iterator[Task]:
    """One task per non-blank line, id and source "<file>:<line number>"."""
    folder = container_folder(source)
    number = 0

    def task(payload: bytes, **extra: Any) -> Task:
        where = f"{source.label}:{number}"
        return Task(next(numbers), where, payload, "jsonl", url, folder, where, **extra)

    try:
        with open_input(source) as stream:
            if _starts_like_warc(stream):
                number += 1
                yield task(b"", error=_holds_a_warc(source))
                return
            for line in _lines(stream, max_bytes):
                number += 1
                if line is None:
                    yield task(b"", error=_too_large(max_bytes))
                elif line.strip():
                    yield task(line)
    except READ_ERRORS as exc:  # the rest of the file cannot be read; the batch goes on
        number += 1
        yield task(b"", error=_unreadable(exc))


def _lines(stream: IO[bytes], limit: int) -> Iterator[bytes | None]:
    """Each line without its line end; None for a line over ``limit`` bytes, never held whole."""
    while line := stream.readline(limit + 1):
        if line.endswith(b"\n"):
            yield line.rstrip(b"\r\n")
        elif len(line) <= limit:
            yield line  # the last line, without a line end
        else:
            while (rest := stream.readline(SKIP_BYTES)) and not rest.endswith(b"\n"):
                pass
            yield None


class _QuietArchiveIterator(ArchiveIterator):
    """warcio writes a warning to standard error for each malformed record; say nothing.

    The count (``err_count``) is reported with the file's other errors instead.
    """

    INC_RECORD = ""


def _warc_tasks(source: Input, numbers: Iterator[int], max_bytes: int) -> Iterator[Task]:
    """One task per HTML response record (2xx), offsets counted in the uncompressed WARC.

    gzip is undone here rather than by warcio, which refuses a WARC gzipped whole
    (``gzip crawl.warc``) instead of record by record.
    """
    folder = container_folder(source)

    def failed(reason: str, message: str) -> Task:
        return Task(next(numbers), source.label, b"", relative=folder, source=source.label,
                    error=(reason, message))

    try:
        with open_input(source) as stream:
            if not _starts_like_warc(stream, empty=True):
                yield failed("read", "not a WARC file: it does not start with 'WARC/'")
                return
            records = _QuietArchiveIterator(stream)
            for record in records:
                if _is_html_response(record):
                    yield _warc_task(record, records, next(numbers), source.label, folder,
                                     max_bytes)
    except READ_ERRORS as exc:  # the rest of the file cannot be read; the batch goes on
        yield failed(*_unreadable(exc))
        return
    if records.err_count:
        yield failed("read", f"{records.err_count} malformed records (a wrong Content-Length?); "
                             f"records after them may be missing")


def _starts_like_warc(stream: IO[bytes], empty: bool = False) -> bool:
    """Whether the stream opens like a WARC (or, with ``empty``, holds nothing)."""
    peekable = cast(io.BufferedReader, stream)  # files, stdin and GzipFile can all peek
    head = peekable.peek(16)
    return (empty and not head.strip(b"\r\n")) or starts_like_warc(head)


def _is_html_response(record: Any) -> bool:
    """A response to an HTTP request, successful, with an HTML body.

    Redirects and error pages are skipped: their bodies are not articles.
    """
    headers = record.http_headers
    if record.rec_type != "response" or headers is None:
        return False
    media = (headers.get_header("Content-Type") or "").split(";")[0].strip().lower()
    return media.startswith(HTML_TYPES) and (headers.get_statuscode() or "").startswith("2")


def _warc_task(record: Any, records: ArchiveIterator, index: int, label: str, folder: str,
               max_bytes: int) -> Task:
    """The record's HTTP body (transfer and content encodings undone) as a capture."""
    url = (record.rec_headers.get_header("WARC-Target-URI") or "").strip("<>") or None
    record_id = record.rec_headers.get_header("WARC-Record-ID") or url
    error: tuple[str, str] | None = None
    try:
        body = record.content_stream().read(max_bytes + 1)
    except Exception as exc:  # a bad chunked or compressed body, in any decoder's own error
        body, error = b"", _unreadable(exc)
    if len(body) > max_bytes:
        body, error = b"", _too_large(max_bytes)
    body = _in_utf8(body, _declared_charset(record.http_headers.get_header("Content-Type")))
    # Asked only now: warcio reads the record to its end to find its offset.
    where = f"{label}@{records.get_record_offset()}"
    record_id = record_id or where
    return Task(index, record_id, body, url=url, relative=f"{folder}/{record_name(record_id)}",
                source=where, error=error)


def _declared_charset(content_type: str | None) -> str | None:
    """The charset parameter of an HTTP Content-Type header, if it has one.

    >>> _declared_charset('text/html; Charset="ISO-8859-1"'), _declared_charset("text/html")
    ('ISO-8859-1', None)
    """
    for parameter in (content_type or "").split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip(' "\''):
            return value.strip(' "\'')
    return None


def _in_utf8(body: bytes, charset: str | None) -> bytes:
    """The body in UTF-8, read in the charset its HTTP header declares when it is not
    UTF-8 already; as it came when that charset is unknown or does not read it.

    The header outweighs the guesses extraction would make on the bare bytes. A body that
    is valid UTF-8 stays as it is: a header naming a single-byte charset for UTF-8 text is
    a common mistake, the converse almost never happens.
    """
    if not charset or not body:
        return body
    try:
        body.decode("utf-8")
        return body
    except UnicodeDecodeError:
        pass
    try:
        return body.decode(charset).encode("utf-8")
    except (LookupError, UnicodeDecodeError):
        return body
