"""Bytes in, text out: byte-order marks, UTF-16 and UTF-32, declared charsets, stray bytes,
charset-normalizer's guess; and text given as ``str`` made safe to parse.

This is the only module that imports charset-normalizer. What is replaced or guessed
is said in warnings, which travel with the result: nothing is dropped in silence.
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import regex
from charset_normalizer import from_bytes

from ..errors import CaptureError

META_CHARSET = regex.compile(rb"""<meta[^>]+charset=["']?([\w-]+)""", regex.IGNORECASE)
SNIFF_BYTES = 4096  # how far into the bytes a byte-order mark's absence or a charset is sought
# UTF-32 first: its little-endian mark starts with UTF-16's
BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"))
# UTF-16 without a mark: at least this share of one side's bytes is zero
UTF16_ZERO_SHARE = 0.5
# UTF-8 with stray bytes: at least this many characters past ASCII read well per bad byte
STRAY_BYTES_PER_CHARACTER = 4
SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str | None  # None for text given as str
    warnings: tuple[str, ...] = ()


def decode(raw: bytes, source: str | None = None, declared: str | None = None) -> Decoded:
    """The capture's text and the encoding it was read in, with a warning for what was guessed
    or replaced.

    In order: a byte-order mark; UTF-16 or UTF-32 without one (NUL bytes, which UTF-8
    text does not hold, left to charset-normalizer); UTF-8; the ``declared`` charset
    (a WARC record's HTTP header), then the page's meta charset; UTF-8 with a few
    stray bytes replaced; charset-normalizer's guess. Bytes that none of these reads
    raise CaptureError.

    >>> decode("caf\u00e9".encode("utf-16"))
    Decoded(text='café', encoding='utf-16', warnings=())
    """
    for bom, codec in BOMS:
        if raw.startswith(bom):
            return _decode_replacing(raw, codec)
    if b"\0" in raw[:SNIFF_BYTES]:
        best = from_bytes(raw).best()
        if best is not None and best.encoding.startswith(("utf_16", "utf_32")):
            return Decoded(str(best), best.encoding.replace("_", "-"))
        wide = _utf16_by_zeros(raw[:SNIFF_BYTES])
        if wide:  # text charset-normalizer found too odd to read: its zeros still tell
            return _decode_replacing(raw, wide)
    try:
        return Decoded(raw.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    meta = META_CHARSET.search(raw[:SNIFF_BYTES])
    for charset in (declared, meta.group(1).decode("ascii") if meta else None):
        if charset:
            try:
                return Decoded(raw.decode(charset), codecs.lookup(charset).name)
            except (LookupError, UnicodeDecodeError):
                pass
    replaced = _decode_replacing(raw, "utf-8")
    if _mostly_utf8(raw, replaced.text):
        return replaced
    guessed = guess(raw)
    if guessed is not None:
        return Decoded(guessed.text, guessed.encoding,
                       (f"not UTF-8 and no charset declared: read as {guessed.encoding}, "
                        "a guess",))
    if _replaced(raw, replaced.text) <= len(raw) // 100:  # nothing better: a few bytes go
        return replaced
    raise CaptureError("cannot decode: not UTF-8 and no encoding could be detected", source)


def guess(raw: bytes) -> Decoded | None:
    """charset-normalizer's best reading of ``raw``, or None when it finds none.

    Where windows-1252 reads the bytes as well as the best (equal chaos and coherence:
    short Western European text often fits several code pages), it is chosen: it is
    the web's usual legacy encoding, the one HTML's standard reads Latin-1 pages in.
    """
    results = from_bytes(raw)
    best = results.best()
    if best is None:
        return None
    if any("cp1252" in match.could_be_from_charset for match in results
           if (match.chaos, match.coherence) == (best.chaos, best.coherence)):
        try:
            return Decoded(raw.decode("cp1252"), "cp1252")
        except UnicodeDecodeError:  # a byte that windows-1252 leaves undefined
            pass
    return Decoded(str(best), best.encoding.replace("_", "-"))


def _utf16_by_zeros(head: bytes) -> str | None:
    """"utf-16-le" or "utf-16-be" when every other byte of ``head`` is mostly zero (the
    high bytes of Latin text in UTF-16), and the bytes between are not; else None."""
    even, odd = head[0::2], head[1::2]
    if not odd:
        return None
    even_zeros, odd_zeros = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_zeros >= UTF16_ZERO_SHARE > even_zeros:
        return "utf-16-le"
    if even_zeros >= UTF16_ZERO_SHARE > odd_zeros:
        return "utf-16-be"
    return None


def _decode_replacing(raw: bytes, codec: str) -> Decoded:
    """``raw`` in ``codec``, invalid bytes replaced by U+FFFD, with a warning saying how many."""
    text = raw.decode(codec, "replace")
    bad = _replaced(raw, text)
    name = "utf-8" if codec == "utf-8-sig" else codec
    return Decoded(text, name, (f"{bad} invalid byte sequence{'s' * (bad > 1)} in {name} "
                                f"replaced by U+FFFD",) if bad else ())


def _replaced(raw: bytes, text: str) -> int:
    """How many U+FFFD decoding put in ``text`` (those written in ``raw`` as UTF-8 aside)."""
    return text.count("\ufffd") - raw.count(b"\xef\xbf\xbd")


def _mostly_utf8(raw: bytes, text: str) -> bool:
    """Whether UTF-8 reads nearly every non-ASCII byte of ``raw``: a capture in UTF-8
    with a few stray bytes, not text in a single-byte encoding (whose every accented
    letter is invalid UTF-8)."""
    bad = _replaced(raw, text)
    read = len(text) - len(text.encode("ascii", "ignore")) - bad  # characters past ASCII
    return read >= STRAY_BYTES_PER_CHARACTER * bad


def from_str(text: str) -> Decoded:
    """Text given as ``str``, lone surrogates (which no encoding can hold, and which stop
    lxml mid-page) replaced by U+FFFD, with a warning.

    Paired surrogates (text built from UTF-16 units) become the character they encode.
    """
    if not SURROGATE.search(text):
        return Decoded(text, None)
    fixed = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    bad = fixed.count("\ufffd") - text.count("\ufffd")
    return Decoded(fixed, None, (f"{bad} lone surrogate{'s' * (bad > 1)} replaced by U+FFFD",)
                   if bad else ())
