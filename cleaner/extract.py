"""Bytes or text in, normalised lines out: decoding, HTML through ``html.py``, ftfy repair.

This is the only module that imports ftfy.
"""
from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass

import ftfy
import regex
from ftfy.badness import BADNESS_RE
from ftfy.chardata import CONTROL_CHARS
from charset_normalizer import from_bytes

from .errors import CaptureError
from .html import from_html
from .model import Line, Metadata

# Fix broken encodings, but never "correct" text that was right: quotes stay curly,
# widths and ligatures stay, no Unicode normalisation, HTML entities in text stay.
FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    uncurl_quotes=False,
    fix_character_width=False,
    fix_latin_ligatures=False,
    fix_line_breaks=False,  # done here, before ftfy, so line numbers are ours
    normalization=None,
    explain=False,
)
NO_BREAK_SPACE_CHARS = ("\u00a0", "\u202f", "\u2007")
NO_BREAK_SPACES = str.maketrans(dict.fromkeys(NO_BREAK_SPACE_CHARS, " "))
# A line of nothing but characters that show nothing (zero-width spaces and joiners,
# direction marks, invisible operators, the byte-order mark, the soft hyphen, blank
# fillers: Hangul, braille, Mongolian), left by embeds and page builders, counts as a
# blank line. A second cleaning must not see a line that the first kept as blank.
INVISIBLE_LINE = re.compile("[ \t\u00ad\u034f\u115f\u1160\u180e\u200b-\u200f\u2060-\u2064"
                            "\u206a-\u206f\u2800\u3164\ufeff\uffa0]+")
# Text made only of these gives ftfy nothing to fix (no control characters, no
# mojibake it would decode): printable ASCII, tabs, typographic punctuation and a few
# common symbols. Lines with anything else go through ftfy. Left out on purpose:
# † ‡ • ‰ ⁄ £ €, which ftfy can read as parts of mis-decoded text
# (tests/test_extract.py checks the set against ftfy itself).
PLAIN = ("\t\x20-\x7e\u00ab\u00bb\u00b7\u00b0\u00a9\u00ae\u2122"
         "\u2010-\u201f\u2023-\u2027\u2031-\u2043\u2045-\u205e")
# (the standard library's engine scans plain character classes about twice as fast)
PLAIN_TEXT = re.compile(f"[\n{PLAIN}]*")
# from a line's first character outside that set to the line's end: one match a line
NOT_PLAIN_TO_LINE_END = re.compile(f"[^\n{PLAIN}][^\n]*")
# With the config above, ftfy changes a line only when its mojibake heuristic (the
# badness expression, ``^`` there meaning the line's start) finds something, or the
# line holds a character an enabled fixer removes or replaces: C0 and C1 controls,
# escape sequences, surrogates. Other lines skip ftfy, which costs far more than this
# search (tests/test_extract.py checks the claim against ftfy itself).
MAY_NEED_REPAIR = re.compile(
    BADNESS_RE.pattern + "|[" + "".join(f"\\U{c:08x}" for c in sorted(CONTROL_CHARS))
    + "\\x80-\\x9f\\ud800-\\udfff]", BADNESS_RE.flags | re.MULTILINE)
# Every match of that expression holds a character outside printable ASCII and tab,
# and is at most REPAIR_REACH + 1 characters long (tests/test_extract.py checks both):
# only the stretches around such characters need searching, and most of a line of
# prose with a few accents or curly quotes is not searched at all.
UNUSUAL_RUN = re.compile(r"[^\t\x20-\x7e]+")
REPAIR_REACH = re._parser.parse(  # type: ignore[attr-defined]
    MAY_NEED_REPAIR.pattern, MAY_NEED_REPAIR.flags).getwidth()[1] - 1
# (an XHTML page opens with an XML declaration)
HTML_START = regex.compile(r"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*"
                           r"<(?:!doctype\s+html|html|head|body)\b",
                           regex.IGNORECASE | regex.DOTALL)
# a document's opening tag at a line's start, after lines of text a capture may carry
# before its markup (an "Advertisement" label, a saved page's header)
HTML_OPENS_LINE = regex.compile(r"^[ \t]*<(?:!doctype\s+html|html|body)\b",
                                regex.IGNORECASE | regex.MULTILINE)
# closing tags, and opening tags of a page's head and of its common blocks (a head
# full of scripts may close none of the first kind early on)
HTML_TAGS = regex.compile(r"</(?:p|div|span|a|li|td|body|html)>"
                          r"|<(?:head|title|meta|link|script|style|div|table|h[1-6])\b[^<>]*>",
                          regex.IGNORECASE)
META_CHARSET = regex.compile(rb"""<meta[^>]+charset=["']?([\w-]+)""", regex.IGNORECASE)
SNIFF_BYTES = 4096  # how far into the bytes a byte-order mark's absence or a charset is sought
# UTF-32 first: its little-endian mark starts with UTF-16's
BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"))
# UTF-8 with stray bytes: at least this many characters past ASCII read well per bad byte
STRAY_BYTES_PER_CHARACTER = 4
SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class Extracted:
    lines: tuple[Line, ...]
    metadata: Metadata
    kind: str  # "text" or "html"
    encoding: str | None = None  # the encoding the bytes were read in; None for text given
    warnings: tuple[str, ...] = ()  # what was replaced or guessed on the way


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str | None  # None for text given as str
    warnings: tuple[str, ...] = ()


def looks_like_html(text: str) -> bool:
    """True when the capture is markup rather than text.

    >>> looks_like_html("<!DOCTYPE html><html><body><p>Hi</p></body></html>")
    True
    >>> looks_like_html("Subscribe for unlimited access")
    False
    """
    head = text[:4096]
    if HTML_START.match(head):
        return True
    # Decided by what the head holds, not by its first character alone: the markup
    # after a line of text is HTML all the same, and its cleaned text is text.
    return (head.lstrip().startswith("<") or bool(HTML_OPENS_LINE.search(head))) \
        and len(HTML_TAGS.findall(head)) >= 3


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


def extract(raw: bytes | str, url: str | None = None, kind: str = "auto",
            source: str | None = None, declared: str | None = None) -> Extracted:
    """Turn a capture into normalised lines, with the metadata its markup gives.

    ``declared`` is the charset the capture's transport gave (a WARC record's HTTP header).
    """
    decoded = decode(raw, source, declared) if isinstance(raw, bytes) else from_str(raw)
    text = decoded.text
    if kind == "auto":
        kind = "html" if looks_like_html(text) else "text"
    metadata = Metadata()
    if kind == "html":
        text, metadata = from_html(text, url, source)
    return Extracted(normalise(text), metadata, kind, decoded.encoding, decoded.warnings)


def from_str(text: str) -> Decoded:
    """Text given as ``str``, a leading byte-order mark dropped and lone surrogates (which
    no encoding can hold, and which stop lxml mid-page) replaced by U+FFFD, with a warning.

    Paired surrogates (text built from UTF-16 units) become the character they encode.
    """
    text = text.removeprefix("\ufeff")
    if not SURROGATE.search(text):
        return Decoded(text, None)
    fixed = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    bad = fixed.count("\ufffd") - text.count("\ufffd")
    return Decoded(fixed, None, (f"{bad} lone surrogate{'s' * (bad > 1)} replaced by U+FFFD",)
                   if bad else ())


def normalise(text: str) -> tuple[Line, ...]:
    """Repair encoding, unify line ends, turn no-break spaces into spaces, drop trailing space.

    Lines that show nothing (only zero-width characters) become blank.

    >>> [l.text for l in normalise("caf\\u00c3\\u00a9\\u00a0 \\r\\n\\u200d\\nnext")]
    ['café', '', 'next']
    """
    # White space is settled before ftfy: next to a no-break or trailing space, ftfy
    # can judge a line differently, and a second cleaning would then differ.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for space in NO_BREAK_SPACE_CHARS:  # str.replace is far faster than translate here
        text = text.replace(space, " ")
    lines = text.split("\n")
    if not PLAIN_TEXT.fullmatch(text):
        _repair_lines(text, lines)
    return tuple(map(Line, range(1, len(lines) + 1), [line.rstrip() for line in lines]))


def _repair_lines(text: str, lines: list[str]) -> None:
    """Repair, in place, the lines of ``text`` that hold characters outside PLAIN,
    and blank those that show nothing."""
    number, counted_to = 0, 0
    for found in NOT_PLAIN_TO_LINE_END.finditer(text):
        number += text.count("\n", counted_to, found.start())
        counted_to = found.start()
        # checked after repair: ftfy drops control characters, which can leave nothing shown
        line = repair_line(lines[number])
        lines[number] = "" if INVISIBLE_LINE.fullmatch(line) else line


def repair_line(line: str) -> str:
    """ftfy on one line (as ftfy itself works, line by line), when the line could need it.

    >>> repair_line("plain “quoted” text — fine"), repair_line("caf\\u00c3\\u00a9 ")
    ('plain “quoted” text — fine', 'café')
    """
    if not may_need_repair(line):
        return line
    line = line.rstrip()
    fixed = ftfy.fix_text(line, FTFY_CONFIG)
    # decoding mojibake can produce no-break spaces; they become spaces like the rest
    return fixed if fixed == line else fixed.translate(NO_BREAK_SPACES).rstrip()


def may_need_repair(line: str) -> bool:
    """Whether MAY_NEED_REPAIR matches ``line``, searched only near unusual characters.

    >>> may_need_repair("a plain line, then caf\\u00c3\\u00a9")
    True
    >>> may_need_repair("caf\\u00e9 “au lait”")
    False
    """
    return any(MAY_NEED_REPAIR.search(line, start, end) for start, end in _repair_windows(line))


def _repair_windows(line: str) -> Iterator[tuple[int, int]]:
    """The stretches of ``line`` within REPAIR_REACH of an unusual character, merged
    where they overlap."""
    start = end = -1
    for run in UNUSUAL_RUN.finditer(line):
        if end >= 0 and run.start() - REPAIR_REACH <= end:
            end = run.end() + REPAIR_REACH
            continue
        if end >= 0:
            yield start, end
        start, end = max(run.start() - REPAIR_REACH, 0), run.end() + REPAIR_REACH
    if end >= 0:
        yield start, end
