"""Telling what an input holds by its first bytes: a WARC, JSONL, or a capture.

Only a window at the start (``HEAD_BYTES``) is looked at, gzip undone on it, so that
standard input can be told without being read whole: ``Replay`` hands back the bytes
looked at before the rest of the stream. Text and HTML are both "capture" here; the
engine tells them apart.
"""
from __future__ import annotations

import io
import json
import re
import zlib
from typing import IO

HEAD_BYTES = 1 << 16
GZIP_MAGIC = b"\x1f\x8b"
# A WARC record's version line, which no web page's text opens with.
_WARC_START = re.compile(rb"WARC/1\.\d+\r?\n")
# The start of a JSON object with a key: what a JSONL line too long for the window shows.
_OBJECT_START = re.compile(rb'\{\s*"')
_LEADING = b"\xef\xbb\xbf \t\r\n"  # a byte-order mark and blank lines before the content


def kind_of(head: bytes) -> str:
    """"warc", "jsonl" or "capture" for content starting with ``head`` (gzipped or not).

    JSONL: the first non-blank line is a JSON object (or, longer than the window, starts
    like one); a record without the text or HTML field then fails on its own, named.

    >>> [kind_of(h) for h in (b"WARC/1.0\\r\\n", b'{"text": "a"}\\n', b"<p>a</p>", b"")]
    ['warc', 'jsonl', 'capture', 'capture']
    """
    if head.startswith(GZIP_MAGIC):
        head = _gunzipped(head)
    whole_window = len(head) >= HEAD_BYTES
    content = head.lstrip(_LEADING)
    if starts_like_warc(content):
        return "warc"
    line, newline, _ = content.partition(b"\n")
    if not newline and whole_window:  # the first line goes on past the window
        return "jsonl" if _OBJECT_START.match(line) else "capture"
    try:
        return "jsonl" if isinstance(json.loads(line), dict) else "capture"
    except (ValueError, RecursionError):
        return "capture"


def starts_like_warc(head: bytes) -> bool:
    """Whether content (blank lines before it ignored) opens with a WARC record's version line."""
    return _WARC_START.match(head.lstrip(b"\r\n")) is not None


def _gunzipped(head: bytes) -> bytes:
    """The start of what a gzip stream holds; nothing when it is corrupt (its reading
    reports that, with the file's name)."""
    try:
        return zlib.decompressobj(wbits=31).decompress(head, HEAD_BYTES)
    except zlib.error:
        return b""


def read_head(stream: IO[bytes]) -> bytes:
    """Up to ``HEAD_BYTES`` from the start of ``stream``, fewer only at its end."""
    chunks: list[bytes] = []
    wanted = HEAD_BYTES
    while wanted and (chunk := stream.read(wanted)):
        chunks.append(chunk)
        wanted -= len(chunk)
    return b"".join(chunks)


class Replay(io.RawIOBase):
    """A stream whose first bytes were already read to tell its kind: those, then the rest."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        super().__init__()
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._head:
            size = min(len(buffer), len(self._head))
            buffer[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        # read1: what is there now, so a pipe's bytes flow on as they come
        read = getattr(self._rest, "read1", self._rest.read)
        chunk = read(len(buffer))
        buffer[:len(chunk)] = chunk
        return len(chunk)
