"""Tests for cleaner/engine/extract.py: HTML detection and extraction, decoding, ftfy repair and
line normalisation (POLICY.md, "Whitespace and characters").
"""
from __future__ import annotations

import re

import ftfy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner import Cleaner
from cleaner.engine.decoding import decode
from cleaner.engine.extract import (
    FTFY_CONFIG, MAY_NEED_REPAIR, PLAIN_TEXT, REPAIR_REACH, extract, looks_like_html,
    may_need_repair, normalise, repair_line,
)
from cleaner.errors import CaptureError

HEADLINE = "Council backs new park"
PARAGRAPHS = (
    "The city council voted on Tuesday to expand the riverside park by twelve hectares, "
    "ending a debate that had run for three years.",
    "Supporters said the new land would give families in the eastern districts a green "
    "space within walking distance of their homes.",
    "Opponents argued that the money should have gone to road repairs, but the motion "
    "passed by nine votes to four.",
    "Work on the first phase is due to begin in the spring and should be finished before "
    "the end of next year.",
)
MENU = ("Home", "World News", "Sport Section")
FOOTER = "Example News footer: contact the newsroom."


def page(charset: str = "utf-8", headline: str = HEADLINE,
         paragraphs: tuple[str, ...] = PARAGRAPHS) -> str:
    """A small news page: head with title, a nav menu, an article and a footer."""
    menu = "".join(f'<li><a href="/{i}">{item}</a></li>' for i, item in enumerate(MENU))
    body = "\n".join(f"<p>{text}</p>" for text in paragraphs)
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="{charset}">'
            f"<title>{headline}</title></head>\n<body>\n<nav><ul>{menu}</ul></nav>\n"
            f"<article>\n<h1>{headline}</h1>\n{body}\n</article>\n"
            f"<footer><p>{FOOTER}</p></footer>\n</body></html>\n")


def texts(lines) -> list[str]:
    return [line.text for line in lines]


# --- HTML ---------------------------------------------------------------------------------

def test_html_page_is_recognised():
    assert looks_like_html(page())
    assert looks_like_html("<!-- saved by a browser -->\n<html><body><p>x</p></body></html>")


def test_html_goes_through_the_extractor():
    extracted = extract(page())
    assert extracted.kind == "html"
    lines = texts(extracted.lines)
    for paragraph in PARAGRAPHS:
        assert paragraph in lines  # each paragraph whole, on its own line
    assert HEADLINE in lines
    joined = "\n".join(lines)
    for item in MENU:
        assert item not in joined
    assert "newsroom" not in joined  # the footer text
    assert "<" not in joined  # no markup left
    assert extracted.metadata.title == HEADLINE


def test_html_paragraph_order_is_kept():
    lines = texts(extract(page()).lines)
    positions = [lines.index(p) for p in PARAGRAPHS]
    assert positions == sorted(positions)


def test_cleaner_on_html_string():
    cleaned = Cleaner().clean_and_explain(page())
    for paragraph in PARAGRAPHS:
        assert paragraph + "\n" in cleaned.text
    assert cleaned.text.startswith(HEADLINE + "\n")
    assert cleaned.text.endswith("\n") and not cleaned.text.endswith("\n\n")
    for item in MENU:
        assert item not in cleaned.text
    assert cleaned.metadata.title == HEADLINE
    assert cleaned.paywalled is False


# --- plain text ---------------------------------------------------------------------------

def test_plain_text_is_not_html():
    text = ("Council backs new park\n\nThe <p> tag and the </div> tag are HTML, "
            "the editor wrote.\n")
    assert not looks_like_html(text)
    extracted = extract(text)
    assert extracted.kind == "text"
    assert texts(extracted.lines) == ["Council backs new park", "",
                                      "The <p> tag and the </div> tag are HTML, the editor "
                                      "wrote.", ""]
    assert extracted.metadata.title is None


def test_text_starting_with_angle_bracket_is_not_html():
    text = "<Editor's note> This story was updated.\nBody paragraph.\n"
    assert not looks_like_html(text)
    assert extract(text).kind == "text"


# --- ftfy: repair mojibake, leave right text alone ----------------------------------------

@pytest.mark.parametrize("broken, fixed", [
    ("cafÃ©", "café"),
    ("donâ€™t", "don’t"),
    ("â€œQuotedâ€\x9d", "“Quoted”"),
    ("Â£100", "£100"),
])
def test_mojibake_is_repaired(broken, fixed):
    assert texts(normalise(broken)) == [fixed]


@pytest.mark.parametrize("right", [
    "“Quoted,” she said — it’s ‘fine’… really – yes.",
    "ＡＢＣ　１２３",  # full-width letters, digits and ideographic space
    "ﬁnal ﬂow",  # Latin ligatures
    "naïve résumé Ελληνικά 日本語",
    "e\u0301 stays decomposed",  # no Unicode normalisation
    "Tom &amp; Jerry &lt;b&gt;",  # HTML entities in text stay
])
def test_right_text_is_left_byte_for_byte(right):
    (line,) = normalise(right)
    assert line.text.encode("utf-8") == right.encode("utf-8")


# --- whitespace and line numbering --------------------------------------------------------

def test_no_break_spaces_become_spaces():
    (line,) = normalise("a\u00a0b\u202fc")
    assert line.text == "a b c"


def test_trailing_spaces_go_leading_spaces_stay():
    assert texts(normalise("  indented   \nnbsp at end\u00a0\nlast \t")) == [
        "  indented", "nbsp at end", "last"]


def test_lines_of_only_zero_width_characters_become_blank():
    lines = normalise("Body.\n\u200d\n \u200b\u200b\n\ufeff\nMore.")
    assert texts(lines) == ["Body.", "", "", "", "More."]


def test_a_line_left_invisible_by_the_repair_is_blank():
    # ftfy drops the control character; what is left shows nothing, so a second
    # cleaning would blank it: blanking it now keeps cleaning idempotent
    assert texts(normalise("Body.\n\u200b\x1f\nMore.")) == ["Body.", "", "More."]


def test_zero_width_characters_inside_text_stay():
    text = "The coder \U0001f469\u200d\U0001f4bb wrote it.\u200b"
    (line,) = normalise(text)
    assert line.text == text


def test_line_ends_are_unified_and_numbered_from_one():
    lines = normalise("one\r\ntwo\rthree\nfour")
    assert texts(lines) == ["one", "two", "three", "four"]
    assert [line.number for line in lines] == [1, 2, 3, 4]


def test_line_count_is_preserved_including_blank_lines():
    text = "a\r\n\r\n\rb\n\n\nc\n"
    lines = normalise(text)
    expected = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    assert len(lines) == len(expected) == 8
    assert texts(lines) == expected
    assert [line.number for line in lines] == list(range(1, 9))


# --- bytes --------------------------------------------------------------------------------

def test_utf8_with_bom():
    raw = "\ufeffCouncil backs new park\nThe café reopened.\n".encode("utf-8")
    assert raw.startswith(b"\xef\xbb\xbf")
    extracted = extract(raw)
    assert extracted.kind == "text"
    assert texts(extracted.lines)[:2] == ["Council backs new park", "The café reopened."]


def test_utf8_html_with_bom_is_still_html():
    extracted = extract(b"\xef\xbb\xbf" + page().encode("utf-8"))
    assert extracted.kind == "html"
    assert extracted.metadata.title == HEADLINE


def test_cp1252_page_with_declared_charset():
    paragraphs = (
        "The café on the corner reopened on Monday — its owners said they were "
        "“delighted” to be back after a long winter of repairs.",
        "Regulars queued from seven o’clock for the first coffee, and the naïve new "
        "barista served more than two hundred cups…",
    )
    headline = "Café owners “delighted”"
    raw = page(charset="windows-1252", headline=headline, paragraphs=paragraphs).encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # the test really is about a non-UTF-8 page
    extracted = extract(raw)
    assert extracted.kind == "html"
    lines = texts(extracted.lines)
    for paragraph in paragraphs:
        assert paragraph in lines
    assert extracted.metadata.title == headline


def test_latin1_text_is_decoded_by_detection():
    raw = ("Le café était plein. Les élèves ont mangé des crêpes à midi, "
           "puis ils sont allés au musée.\n").encode("latin-1")
    decoded = decode(raw)
    assert "café" in decoded.text
    assert "élèves" in decoded.text
    # a guess, and the result says so: which encoding, and that it was guessed
    assert decoded.encoding == "cp1252"
    assert decoded.warnings and "cp1252" in decoded.warnings[0]


def test_undecodable_bytes_raise_capture_error():
    garbage = bytes(range(256)) * 4
    with pytest.raises(CaptureError) as caught:
        extract(garbage, source="captures/broken.bin")
    assert caught.value.source == "captures/broken.bin"
    assert str(caught.value).startswith("captures/broken.bin: ")


# --- the ftfy shortcut ---------------------------------------------------------------------

NO_BREAK = str.maketrans(dict.fromkeys("\u00a0\u202f\u2007", " "))
PLAIN_CHARS = st.sampled_from(
    [chr(c) for c in range(0x20, 0x7f)] + list("\t«»·°©®™")
    + [chr(c) for c in range(0x2010, 0x205f) if c not in (0x2020, 0x2021, 0x2022, 0x2028,
                                                          0x2029, 0x2030, 0x2044)
       and not 0x2028 <= c <= 0x202f])


@settings(max_examples=300, deadline=None)
@given(st.text(PLAIN_CHARS, min_size=1, max_size=12))
def test_plain_text_gives_ftfy_nothing_to_fix(text):
    assert PLAIN_TEXT.fullmatch(text)
    assert ftfy.fix_text(text, FTFY_CONFIG) == text


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40))
def test_repair_equals_ftfy_on_the_stripped_line(text):
    # as normalise hands it over: one line, no-break spaces already plain spaces
    line = text.replace("\r", "").replace("\n", " ").translate(NO_BREAK).rstrip()
    expected = ftfy.fix_text(line, FTFY_CONFIG).replace("\u00a0", " ").rstrip()
    assert repair_line(line) == expected


# Characters that mojibake is made of, and that ftfy's fixers remove or replace.
MOJIBAKE_PRONE = st.sampled_from(
    [chr(c) for c in range(0x20, 0x7f)] + [chr(c) for c in range(0x80, 0x250)]
    + list("‘’“”•–—€™…ΑΩαωЁЯаяё│┌═░▒ﬁ") + ["\x01", "\x1b", "\ufeff", "\u206a"])


@settings(max_examples=500, deadline=None)
@given(st.text(MOJIBAKE_PRONE, max_size=30))
def test_lines_that_skip_ftfy_are_lines_ftfy_keeps(text):
    line = text.rstrip()
    if not MAY_NEED_REPAIR.search(line):
        assert ftfy.fix_text(line, FTFY_CONFIG) == line


# What the windowed search relies on: parsed, the expression is one alternation whose
# every branch must match a character outside printable ASCII and tab; it looks neither
# ahead nor behind, and ``^`` is its only anchor.
USUAL = {ord("\t"), *range(0x20, 0x7f)}
C = re._constants  # type: ignore[attr-defined]


def _only_unusual(op, value) -> bool:
    """Whether this parse-tree item matches only characters outside USUAL."""
    if op is C.LITERAL:
        return value not in USUAL
    if op is not C.IN:
        return False
    for kind, member in value:
        if kind is C.LITERAL and member in USUAL:
            return False
        if kind is C.RANGE and any(member[0] <= c <= member[1] for c in USUAL):
            return False
        if kind not in (C.LITERAL, C.RANGE):
            return False
    return True


def _items(tree):
    """Every (op, value) item of a parse tree, those in groups, repeats and branches too."""
    for op, value in tree:
        yield op, value
        for part in value if isinstance(value, (list, tuple)) else ():
            if isinstance(part, re._parser.SubPattern):  # type: ignore[attr-defined]
                yield from _items(part)
            elif isinstance(part, list):
                for branch in part:
                    if isinstance(branch, re._parser.SubPattern):  # type: ignore[attr-defined]
                        yield from _items(branch)


def test_every_mojibake_match_holds_an_unusual_character_within_reach():
    parse = re._parser.parse  # type: ignore[attr-defined]
    tree = parse(MAY_NEED_REPAIR.pattern, MAY_NEED_REPAIR.flags)
    assert tree.getwidth()[1] == REPAIR_REACH + 1 < 16
    [(op, (_, branches))] = list(tree)
    assert op is C.BRANCH and len(branches) > 20
    assert all(any(_only_unusual(o, v) for o, v in branch) for branch in branches)
    found = {op for op, _ in _items(tree)}
    assert not found & {C.ASSERT, C.ASSERT_NOT, C.GROUPREF}
    anchors = {value for op, value in _items(tree) if op is C.AT}
    assert anchors <= {C.AT_BEGINNING, C.AT_BEGINNING_LINE}


# Matches that reach past their unusual characters: two before, two after, one each side.
REACHING = st.sampled_from(["e Ã ", "ГўВЂВaZ", "a Â ", "aÀ¢", "œ!"])


@settings(max_examples=500, deadline=None)
@given(st.lists(st.text(MOJIBAKE_PRONE, max_size=6) | st.text(PLAIN_CHARS, max_size=30)
                | REACHING, max_size=8))
def test_the_windowed_search_agrees_with_a_search_of_the_whole_line(parts):
    line = "".join(parts)
    assert may_need_repair(line) == (MAY_NEED_REPAIR.search(line) is not None)


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(min_codepoint=0xa0, max_codepoint=0x17f), min_size=1, max_size=12),
       st.sampled_from(["latin-1", "windows-1252"]))
def test_real_mojibake_is_repaired_as_ftfy_repairs_it(word, misread_as):
    try:
        garbled = f"Le {word} du jour".encode("utf-8").decode(misread_as)
    except UnicodeDecodeError:
        return
    line = garbled.translate(NO_BREAK).rstrip()
    assert repair_line(line) == ftfy.fix_text(line, FTFY_CONFIG).replace("\u00a0", " ").rstrip()


# --- nothing dropped in silence: encodings, surrogates, byte-order marks -------------------

@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_read_as_utf16(codec):
    raw = page().encode(codec)  # valid UTF-8 too: its NUL bytes once passed for text
    extracted = extract(raw)
    assert extracted.kind == "html"
    assert extracted.encoding == codec
    for paragraph in PARAGRAPHS:
        assert paragraph in texts(extracted.lines)


def test_utf16_without_a_mark_is_read_as_utf16_when_its_text_is_odd():
    # found by fuzzing: characters charset-normalizer finds too odd for UTF-16; the
    # zero high bytes of the markup still tell
    raw = (page() + "\U000c41ae\u0b80\u4e00" * 40).encode("utf-16-le")
    extracted = extract(raw)
    assert (extracted.kind, extracted.encoding) == ("html", "utf-16-le")
    assert PARAGRAPHS[0] in texts(extracted.lines)


@pytest.mark.parametrize("text", ["<!DOCTYPE html", "<html", "<\x00html>Hi<\x01/html>"])
def test_the_kind_does_not_change_with_a_final_newline_or_control_characters(text):
    assert looks_like_html(text) == looks_like_html(text + "\n") \
        == looks_like_html(text.replace("\x00", "").replace("\x01", ""))


@pytest.mark.parametrize("codec, named", [("utf-16", "utf-16"), ("utf-32", "utf-32"),
                                          ("utf-8-sig", "utf-8")])
def test_a_byte_order_mark_names_the_encoding(codec, named):
    decoded = decode("Le café était plein.\n".encode(codec))
    assert (decoded.text, decoded.encoding, decoded.warnings) == \
        ("Le café était plein.\n", named, ())


def test_a_stray_byte_in_utf8_is_replaced_with_a_warning():
    paragraphs = PARAGRAPHS[:2] + ("The café’s owner — “delighted” — reopened on Monday.",)
    raw = page(paragraphs=paragraphs).encode("utf-8")
    cut = raw.index(b"voted")
    raw = raw[:cut] + b"\xe9" + raw[cut:]  # one byte of another encoding in UTF-8 text
    extracted = extract(raw, source="captures/stray.html")
    assert extracted.encoding == "utf-8"
    assert extracted.warnings == ("1 invalid byte sequence in utf-8 replaced by U+FFFD",)
    lines = texts(extracted.lines)
    assert paragraphs[0].replace("voted", "\ufffdvoted") in lines
    assert paragraphs[1] in lines and paragraphs[2] in lines


def test_a_declared_charset_is_used_before_any_guess():
    raw = "Ærøskøbing: naïve façade, 12 °C".encode("iso-8859-1")
    decoded = decode(raw, declared="ISO-8859-1")
    assert (decoded.text, decoded.encoding, decoded.warnings) == \
        ("Ærøskøbing: naïve façade, 12 °C", "iso8859-1", ())


def test_a_lone_surrogate_in_html_text_loses_nothing_else():
    paragraphs = [f"Paragraph {i}: the council met again to discuss the riverside park plan."
                  for i in range(20)]
    html = "<p>Intro \udc80 here.</p>" + "".join(f"<p>{p}</p>" for p in paragraphs)
    extracted = extract(f"<html><body><article>{html}</article></body></html>")
    lines = texts(extracted.lines)
    assert "Intro \ufffd here." in lines
    assert all(p in lines for p in paragraphs)
    assert extracted.warnings == ("1 lone surrogate replaced by U+FFFD",)


def test_paired_surrogates_in_text_become_their_character():
    assert texts(extract("smile \ud83d\ude00 please").lines) == ["smile \U0001f600 please"]


@pytest.mark.parametrize("capture", [
    "\ufeff" + page(),
    "\ufeff\ufeff" + page(),  # text saved twice with a mark
    ("\ufeff" + page()).encode("utf-8-sig"),
], ids=["str", "str-two-marks", "bytes-two-marks"])
def test_text_given_with_a_byte_order_mark_is_html_when_it_is_markup(capture):
    extracted = extract(capture)
    assert extracted.kind == "html"
    assert extracted.metadata.title == HEADLINE


@pytest.mark.parametrize("head", [
    "Advertisement\n",
    '<?xml version="1.0" encoding="utf-8"?>\n',
    "Saved from https://example.com/story\n\n",
])
def test_markup_after_a_line_of_text_or_a_declaration_is_html(head):
    assert looks_like_html(head + page())
    assert extract(head + page()).kind == "html"


def test_a_head_of_scripts_without_closing_tags_early_is_html():
    scripts = "\n".join(f'<script src="/js/{i}.js"></script>' for i in range(3))
    assert looks_like_html(f"<meta charset='utf-8'>\n{scripts}\n" + "x" * 5000 + page())


def test_lines_of_blank_fillers_and_marks_are_blank():
    lines = normalise("Text\n\u3164\u3164\n\u2800 \u2800\n\u200e\u00ad\nEnd")
    assert texts(lines) == ["Text", "", "", "", "End"]
