"""Fuzzing: strategies that make captures and rule folders, and the checks each must pass.

Shared by the suite (``test_fuzz.py``, a small budget) and ``scripts/fuzz.py`` (a long
run that counts instead of stopping at the first failure). Three kinds of input:

- generated captures: text and HTML built from boilerplate, prose and arbitrary
  characters, as ``str`` or as bytes in several encodings;
- mutated captures: the seeds and generated pages with bytes flipped, inserted, cut,
  repeated or re-encoded;
- mutated rule folders: a few shipped rule files with lines deleted, repeated or
  swapped and values replaced by ones of the wrong type or by hostile patterns.

A capture passes when cleaning it returns (or raises one of the project's documented
``CaptureError`` kinds) and cleaning the result again changes nothing. A rule folder
passes when loading it returns a rule book or raises ``RuleFileError``, and, loaded,
its inline tests run and it cleans the seeds without any other exception.
"""
from __future__ import annotations

import random
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import strategies as st

from cleaner import CaptureError, Cleaner, RuleFileError, load_rules
from cleaner.authoring.golden import run_cases
from cleaner.engine.rules import default_rules_dir

from .test_properties import ARBITRARY, BOILERPLATE, PROSE, SEED_URLS, SEEDS, captures, pages

RULES = default_rules_dir()
RULE_FILES = sorted(p.relative_to(RULES) for p in RULES.glob("*/*.toml"))
SEED_BYTES = [p.read_bytes() for p in sorted(SEEDS.glob("*.txt"))]
BAD_URLS = ["http://[::1", "http://", "not a url", "https://exa mple.com/x", "http://xn--/",
            "https://bücher.de/a"]


# --- generated captures --------------------------------------------------------------------

TAGS = ["div", "p", "span", "section", "article", "header", "footer", "nav", "aside", "main",
        "h1", "h2", "h3", "a", "em", "strong", "li", "ul", "blockquote", "figure", "figcaption",
        "td", "table", "tr", "form", "button", "label"]
EMPTY_TAGS = ["<br>", "<hr>", "<img src=x.jpg alt='Photo: AFP'>", "<input value='Log In'>",
              "<meta charset=\"utf-8\">", "<!-- a comment -->", "<script>var x = '<p>';</script>",
              "<style>p{color:red}</style>", "&nbsp;", "&amp;", "&bogus;", "&#0;", "&#x110000;",
              "<", ">", "</p>", "<p", "<![CDATA[x]]>", "<?xml version='1.0'?>"]
CLASSES = ["", " class=\"ad\"", " class=\"byline\"", " id=\"comments\"", " class=\"share\"",
           " class=\"article-body\"", " hidden", " style=\"display:none\""]
TEXT = st.one_of(st.sampled_from(BOILERPLATE), st.sampled_from(PROSE), ARBITRARY)


def _element(depth: int) -> st.SearchStrategy[str]:
    leaf = st.one_of(TEXT.map(_escape), st.sampled_from(EMPTY_TAGS))
    if depth == 0:
        return leaf
    children = st.lists(_element(depth - 1), max_size=4).map("".join)
    wrapped = st.tuples(st.sampled_from(TAGS), st.sampled_from(CLASSES), children,
                        st.booleans()).map(_wrap)
    return st.one_of(leaf, wrapped)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;")


def _wrap(parts: tuple[str, str, str, bool]) -> str:
    tag, attrs, inner, closed = parts
    return f"<{tag}{attrs}>{inner}" + (f"</{tag}>" if closed else "")


@st.composite
def html_pages(draw: st.DrawFn) -> str:
    title = _escape(draw(st.sampled_from(PROSE)))
    body = draw(st.lists(_element(3), max_size=12).map("".join))
    nest = draw(st.sampled_from([0, 0, 0, 30, 300]))  # libxml2 stops at ~255 levels
    body = "<div>" * nest + body + "</div>" * nest
    doctype = draw(st.sampled_from(["<!DOCTYPE html>", "", "\ufeff<!doctype html>"]))
    return f"{doctype}<html><head><title>{title}</title></head><body>{body}</body></html>"


ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "latin-1", "cp1252"]


@st.composite
def encoded(draw: st.DrawFn, text: str) -> str | bytes:
    """``text`` as given, or as bytes in an encoding that can hold it."""
    encoding = draw(st.sampled_from([None, *ENCODINGS]))
    if encoding is None:
        return text
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        return text.encode("utf-8")


URLS = st.one_of(st.none(), st.sampled_from(SEED_URLS), st.sampled_from(BAD_URLS))


@st.composite
def generated_captures(draw: st.DrawFn) -> tuple[str | bytes, str | None]:
    kind = draw(st.sampled_from(["text", "page", "html"]))
    if kind == "text":
        text, _ = draw(captures())
    elif kind == "page":
        text = draw(pages())
    else:
        text = draw(html_pages())
    return draw(encoded(text)), draw(URLS)


# --- mutated captures ----------------------------------------------------------------------

NASTY_BYTES = [b"\x00", b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xef\xbb\xbf", b"\r", b"\x1b[31m",
               b"<html>", b"</body>", b"<p>", b"&#0;", b"\xe2\x80\x8b", b"\n" * 50, b" " * 300]


def mutate_bytes(data: bytes, rng: random.Random, count: int) -> bytes:
    """``data`` with ``count`` random edits: flips, insertions, cuts, repeats, splices."""
    out = bytearray(data)
    for _ in range(count):
        at = rng.randrange(len(out) + 1)
        edit = rng.randrange(6)
        if edit == 0 and out:
            out[min(at, len(out) - 1)] ^= 1 << rng.randrange(8)
        elif edit == 1:
            out[at:at] = rng.choice(NASTY_BYTES)
        elif edit == 2:
            del out[at:at + rng.randrange(1, 200)]
        elif edit == 3:
            out[at:at] = out[at:at + rng.randrange(1, 400)] * rng.randrange(2, 5)
        elif edit == 4:
            out[at:at] = rng.choice(SEED_BYTES)[:rng.randrange(1, 2000)]
        else:
            del out[at:]
    return bytes(out)


@st.composite
def mutated_captures(draw: st.DrawFn) -> tuple[bytes, str | None]:
    base = draw(st.one_of(st.sampled_from(SEED_BYTES),
                          html_pages().map(lambda page: page.encode("utf-8"))))
    rng = random.Random(draw(st.integers(0, 2 ** 32)))
    return mutate_bytes(base, rng, draw(st.integers(1, 8))), draw(URLS)


# --- mutated rule folders ------------------------------------------------------------------

HOSTILE_VALUES = ['["drop-line"]', '["author"]', "5", "true", "-1", "1e400", '""', "{}",
                  "[[[[[[[[[[1]]]]]]]]]]", '"(?R)?x"', '"' + "(" * 300 + "x" + ")" * 300 + '"',
                  '"' + "a" * 5000 + '"', '"(a+)+$"', '"[z-a]"', '"\\\\"', '"\\u0000"',
                  '"""x\n"""', "'(?&n)'", "'(?1)'", '"x{0,100000}"', "{ input = 1 }"]


def mutate_toml(text: str, rng: random.Random, count: int) -> str:
    """A rule file's text with ``count`` line-level edits and hostile values."""
    lines = text.split("\n")
    for _ in range(count):
        at = rng.randrange(len(lines))
        edit = rng.randrange(5)
        if edit == 0:
            del lines[at]
        elif edit == 1:
            lines.insert(at, lines[rng.randrange(len(lines))])
        elif edit == 2 and at + 1 < len(lines):
            lines[at], lines[at + 1] = lines[at + 1], lines[at]
        elif edit == 3 and "=" in lines[at]:
            key = lines[at].split("=", 1)[0]
            lines[at] = f"{key}= {rng.choice(HOSTILE_VALUES)}"
        else:
            cut = rng.randrange(len(lines[at]) + 1)
            lines[at] = lines[at][:cut] + rng.choice(["[", "]", '"', "'", "=", "\\", "#"]) \
                + lines[at][cut:]
        if not lines:
            break
    return "\n".join(lines)


@dataclass(frozen=True)
class RuleFolder:
    """Which shipped files to copy, the seed of their edits, and an odd extra entry."""
    files: tuple[Path, ...]
    seed: int
    edits: int
    extra: str  # "", "dir" (a directory named x.toml), "empty", "binary", "deep"


RULE_FOLDERS = st.builds(
    RuleFolder,
    files=st.lists(st.sampled_from(RULE_FILES), min_size=1, max_size=3, unique=True).map(tuple),
    seed=st.integers(0, 2 ** 32), edits=st.integers(1, 6),
    extra=st.sampled_from([""] * 8 + ["dir", "empty", "binary", "deep"]))


def write_rule_folder(spec: RuleFolder, root: Path) -> Path:
    shutil.rmtree(root, ignore_errors=True)
    for sub in ("generic", "sites"):
        (root / sub).mkdir(parents=True)
    rng = random.Random(spec.seed)
    for relative in spec.files:
        text = (RULES / relative).read_text(encoding="utf-8")
        (root / relative).write_text(mutate_toml(text, rng, spec.edits), encoding="utf-8")
    odd = root / "generic" / "x.toml"
    if spec.extra == "dir":
        odd.mkdir()
    elif spec.extra == "empty":
        odd.write_text("")
    elif spec.extra == "binary":
        odd.write_bytes(bytes(rng.randrange(256) for _ in range(200)))
    elif spec.extra == "deep":
        odd.write_text("a = " + "[" * 1000 + "]" * 1000 + "\n")
    return root


# --- the checks ----------------------------------------------------------------------------

@dataclass
class Tally:
    """What a fuzz run found, with one short reproducer per kind of failure.

    A capture whose cleaning takes longer than ``limit`` seconds of this process's CPU
    time counts as a hang (CPU time: other work on the machine does not make a hang).
    """
    limit: float = float("inf")
    tried: int = 0
    documented_errors: int = 0
    crashes: int = 0
    hangs: int = 0
    idempotence_failures: int = 0
    slowest: float = 0.0
    examples: dict[str, object] = field(default_factory=dict)  # the first input of each kind

    def failed(self, kind: str, what: object, exc: BaseException | None = None) -> None:
        reason = f" {type(exc).__name__}: {str(exc)[:120]}" if exc else ""
        self.examples.setdefault(kind + reason, what)

    def timed(self, seconds: float, what: object) -> None:
        self.slowest = max(self.slowest, seconds)
        if seconds > self.limit:
            self.hangs += 1
            self.failed(f"hang ({seconds:.1f} s)", what)


def check_capture(cleaner: Cleaner, capture: str | bytes, url: str | None,
                  tally: Tally | None = None) -> None:
    """Clean, then clean the result again; raise AssertionError on a crash or a change."""
    tally = tally if tally is not None else Tally()
    tally.tried += 1
    started = time.process_time()
    try:
        once = cleaner.clean(capture, url=url)
    except CaptureError:
        tally.documented_errors += 1
        return
    except Exception as exc:  # a crash: anything but the documented errors
        tally.crashes += 1
        tally.failed("crash", (capture, url), exc)
        raise AssertionError(f"crash on {(capture, url)!r:.300}") from exc
    finally:
        tally.timed(time.process_time() - started, (capture, url))
    twice = cleaner.clean(once, url=url)
    if twice != once:
        tally.idempotence_failures += 1
        tally.failed("not idempotent", (capture, url))
        raise AssertionError(f"cleaning twice changed the text of {(capture, url)!r:.300}")


def check_rule_folder(root: Path, tally: Tally | None = None, label: object = None) -> None:
    """Load a rule folder; if it loads, run its inline tests and clean the seeds with it.

    ``label`` names the folder in the tally's reproducers (its spec, say).
    """
    tally = tally if tally is not None else Tally()
    label = root if label is None else label
    tally.tried += 1
    started = time.process_time()
    try:
        _use_rule_folder(root, tally, label)
    finally:
        tally.timed(time.process_time() - started, label)


def _use_rule_folder(root: Path, tally: Tally, label: object) -> None:
    try:
        book = load_rules(root)
    except RuleFileError:
        tally.documented_errors += 1
        return
    except Exception as exc:
        tally.crashes += 1
        tally.failed("crash loading rules", label, exc)
        raise AssertionError(f"crash loading {root}") from exc
    try:
        run_cases(book)
        rules_only = Cleaner(book, use_model=False)
        for seed in SEED_BYTES:
            try:
                rules_only.clean(seed)
            except CaptureError:
                pass
    except Exception as exc:
        tally.crashes += 1
        tally.failed("crash using rules", label, exc)
        raise AssertionError(f"crash using the rules of {root}") from exc
