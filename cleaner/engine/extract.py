"""Bytes or text in, normalised lines out: decoding through ``decoding.py``, HTML through
``html.py``, ftfy repair.

This is the only module that imports ftfy.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import ftfy
import regex
from ftfy.badness import BADNESS_RE
from ftfy.chardata import CONTROL_CHARS

from ..model import Line, Metadata
from .decoding import decode, from_str
from .html import from_html

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
# (an XHTML page opens with an XML declaration; a tag's name ends at a space, "/", ">"
# or the text's end: "<head?" or "<html-ish" in a text are not markup)
HTML_START = regex.compile(r"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*"
                           r"<(?:!doctype\s+html|html|head|body)(?=[\s/>]|\Z)",
                           regex.IGNORECASE | regex.DOTALL)
# a document's opening tag at a line's start, after lines of text a capture may carry
# before its markup (an "Advertisement" label, a saved page's header)
HTML_OPENS_LINE = regex.compile(r"^[ \t]*<(?:!doctype\s+html|html|body)(?=[\s/>]|\Z)",
                                regex.IGNORECASE | regex.MULTILINE)
# closing tags, and opening tags of a page's head and of its common blocks (a head
# full of scripts may close none of the first kind early on)
HTML_TAGS = regex.compile(r"</(?:p|div|span|a|li|td|body|html)>"
                          r"|<(?:head|title|meta|link|script|style|div|table|h[1-6])(?=[\s/>])[^<>]*>",
                          regex.IGNORECASE)



MAX_EXTRACTIONS = 4  # of one page, while its text still looks like markup


@dataclass(frozen=True, slots=True)
class Extracted:
    lines: tuple[Line, ...]
    metadata: Metadata
    kind: str  # "text" or "html"
    encoding: str | None = None  # the encoding the bytes were read in; None for text given
    warnings: tuple[str, ...] = ()  # what was replaced or guessed on the way


def looks_like_html(text: str) -> bool:
    """True when the capture is markup rather than text.

    >>> looks_like_html("<!DOCTYPE html><html><body><p>Hi</p></body></html>")
    True
    >>> looks_like_html("Subscribe for unlimited access")
    False
    """
    # Decided on the text as normalise leaves it, control characters gone: its cleaned
    # text, read again, must be decided the same way.
    head = text[:4096].translate(CONTROL_CHARS)
    if HTML_START.match(head):
        return True
    # Decided by what the head holds, not by its first character alone: the markup
    # after a line of text is HTML all the same, and its cleaned text is text.
    return (head.lstrip().startswith("<") or bool(HTML_OPENS_LINE.search(head))) \
        and len(HTML_TAGS.findall(head)) >= 3


def extract(raw: bytes | str, url: str | None = None, kind: str = "auto",
            source: str | None = None) -> Extracted:
    """Turn a capture into normalised lines, with the metadata its markup gives, the
    encoding its bytes were read in and warnings of what reading them replaced or guessed."""
    decoded = decode(raw, source) if isinstance(raw, bytes) else from_str(raw)
    # Byte-order marks opening the text, however many (text saved twice with one), are
    # not text; left in, they would hide markup from looks_like_html.
    text = decoded.text.lstrip("\ufeff")
    if kind == "auto":
        kind = "html" if looks_like_html(text) else "text"
    metadata = Metadata()
    if kind == "html":
        text, metadata = from_html(text, url, source)
        # Markup left in the text (escaped in the page, or a page broken mid-tag) would
        # make its cleaned text read as HTML when cleaned again: extract until none is.
        for _ in range(MAX_EXTRACTIONS - 1):
            if not looks_like_html(text):
                break
            text = from_html(text, url, source)[0]
    return Extracted(normalise(text), metadata, kind, decoded.encoding, decoded.warnings)


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
