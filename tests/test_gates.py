"""The pattern gate only ever rules out lines a pattern cannot match."""
from __future__ import annotations

import re

import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaner import load_rules
from cleaner.engine.gate_masks import (
    ANY,
    CHARS_PER_LITERAL_SEARCH,
    FULL,
    HEAD,
    START,
    TAIL,
    EdgeMasks,
    LiteralIndex,
    bits,
)
from cleaner.engine.gates import LONG_LINE_CHARS, PARTIAL_LITERAL_CHARS, PatternGate, offered
from cleaner.engine.shapes import (
    UNBOUNDED,
    longest_literal_run,
    max_width,
    open_edge,
    required_literals,
)
from cleaner.engine.program import LineStage, compile_rules

from .helpers import SEEDS

BOOK = load_rules()
STAGES = [step for s in BOOK.all_sets() for step in compile_rules(s.rules)
          if isinstance(step, LineStage)]
FULL_PATTERNS = [(stage, bit) for stage in STAGES for bit, mode in enumerate(stage.gate.modes)
                 if mode == FULL]
REAL_LINES = sorted({line.strip() for path in SEEDS.glob("*.txt")
                     for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}
                    | {line.strip() for s in BOOK.all_sets() for r in s.rules for t in r.tests
                       for line in t.input.splitlines() if line.strip()})


def test_gate_admits_every_real_line_a_pattern_matches():
    for stage in STAGES:
        for line in REAL_LINES:
            admitted = stage.gate.candidates(line)
            for bit, pattern in enumerate(stage.gate.patterns):
                if stage.gate.modes[bit] == FULL and pattern.fullmatch(line):
                    assert admitted >> bit & 1, (pattern.pattern, line)


def _as_re(source: str) -> str | None:
    """A standard-library version of a pattern for generating examples, if one is close."""
    translated = (source.replace(r"\p{Lu}", "[A-Z]").replace(r"\p{Ll}", "[a-z]")
                  .replace(r"\p{L}", "[A-Za-z]").replace(r"\p{N}", "[0-9]"))
    try:
        re.compile(translated)
    except re.error:
        return None
    return None if r"\p" in translated else translated


GENERABLE = [(stage, bit, _as_re(stage.gate.patterns[bit].pattern)) for stage, bit in FULL_PATTERNS]
GENERABLE = [g for g in GENERABLE if g[2] is not None]


@pytest.mark.parametrize(("stage", "bit", "source"), GENERABLE,
                         ids=[g[2][:40] for g in GENERABLE])
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_gate_admits_generated_matches(stage, bit, source, data):
    line = data.draw(st.from_regex(source, fullmatch=True)).strip()
    pattern = stage.gate.patterns[bit]
    if line and pattern.fullmatch(line):
        assert stage.gate.candidates(line) >> bit & 1


def test_widths_and_literals():
    assert max_width("Log ?[Ii]n") == 6
    assert max_width(".*x") == UNBOUNDED
    assert required_literals("(?:Photo|Picture): [A-Z]") == (("Photo", "Picture"), False)
    assert required_literals("[a-z]+") == ((), False)


def test_gate_rules_out_by_head_tail_length_and_literal():
    patterns = [regex.compile("Subscribe now"), regex.compile(r"(?i).{0,20}your inbox"),
                regex.compile(r"\d+ comments")]
    gate = PatternGate(patterns, [FULL] * 3)
    assert bits(gate.candidates("Subscribe now")) == [0]
    assert bits(gate.candidates("Straight to YOUR INBOX")) == [1]
    assert bits(gate.candidates("12 comments")) == [2]
    assert gate.candidates("A long sentence of ordinary prose that ends like this.") == 0
    assert gate.candidates("Subscribe now and later") == 0


def test_admitted_lines_are_those_with_candidates_cold_and_warm():
    marker = regex.compile(r"(?:\d+|No) comments?:|\d+ Responses to “.{1,80}”")
    gate = PatternGate([marker], [FULL])
    texts = ["3 comments:", "No comment here, the minister said.", "12 Responses to “A day”",
             "Subscribe now", "3 comments", "1 comment:", "A sentence that ends in a colon:",
             *REAL_LINES]
    expected = [i for i, text in enumerate(texts) if gate.candidates(text)]
    assert expected[:2] == [0, 2] and 5 in expected
    fresh = PatternGate([marker], [FULL])
    assert list(fresh.admitted(texts)) == expected  # heads and tails learnt as it goes
    assert list(fresh.admitted(texts)) == expected  # and refused from the caches


GENERIC_GATE = max((stage.gate for stage in STAGES), key=lambda gate: len(gate.patterns))


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(REAL_LINES), min_size=1, max_size=40), st.randoms())
def test_a_warm_gate_answers_as_a_cold_one(lines, rnd):
    """Head and tail answers are learnt per pattern as lines need them: whatever was
    asked before, a gate that has seen other lines answers as a new one would."""
    lines = [line[: rnd.randint(1, len(line))].strip() or line for line in lines]
    warm = PatternGate(GENERIC_GATE.patterns, GENERIC_GATE.modes)
    for line in lines:
        cold = PatternGate(GENERIC_GATE.patterns, GENERIC_GATE.modes)
        assert warm.candidates(line) == cold.candidates(line), line


def test_literals_are_found_alike_one_by_one_and_all_at_once():
    patterns = [regex.compile(r"(?i).{0,200}your inbox"), regex.compile(r".{0,200}Photo: \w+"),
                regex.compile(r".{0,300}(?:Read more|See also)"),
                regex.compile(r"(?i)your inbox.{0,300}"),  # the first one's literal
                regex.compile(r".{0,100}(?:Sign up|Log in)")]
    index = LiteralIndex([required_literals(p.pattern)[0] for p in patterns])
    short, long = "PHOTO: x your inbox", "Prose " * 60 + "see also your INBOX"
    everything = index.mask
    # a short line with most patterns left (six literals) is scanned at once, a long
    # one searched literal by literal: the answers are the same
    assert len(short) < 5 * CHARS_PER_LITERAL_SEARCH and 6 * CHARS_PER_LITERAL_SEARCH < len(long)
    assert bits(index.present(short, everything)) == [0, 1, 3]
    assert bits(index.present(long, everything)) == [0, 2, 3]
    assert bits(index.present(long, 0b1000)) == bits(index.present(short, 0b1000)) == [3]
    assert bits(index.present(short, everything & ~0b10)) == [0, 3]  # five literals: one scan
    assert index.present("nothing to see", everything) == 0


class RecordingPattern:
    """A compiled pattern that counts the partial matches asked of it."""

    def __init__(self, pattern: regex.Pattern[str], runs_out: bool = False) -> None:
        self._pattern = pattern
        self.pattern, self.flags = pattern.pattern, pattern.flags
        self.partial_calls = 0
        self.timeouts: list[float | None] = []
        self.runs_out = runs_out  # every call runs out of time

    def _call(self, method, *args, **kwargs):
        self.partial_calls += bool(kwargs.get("partial"))
        self.timeouts.append(kwargs.get("timeout"))
        if self.runs_out:
            raise TimeoutError("regex timed out")
        return getattr(self._pattern, method)(*args, **kwargs)

    def match(self, *args, **kwargs):
        return self._call("match", *args, **kwargs)

    def fullmatch(self, *args, **kwargs):
        return self._call("fullmatch", *args, **kwargs)

    def search(self, *args, **kwargs):
        return self._call("search", *args, **kwargs)


LONG_LITERAL = " ".join(f"word{n}" for n in range(200))  # 1,289 literal characters


@pytest.mark.parametrize("mode", [START, FULL])
def test_a_long_literal_is_never_partially_matched(mode):
    """The regex module readies a pattern for partial matching in time that grows with
    the cube of its longest literal run (1,000 characters half a second, 4,000 half a
    minute, 100,000 hours), and no timeout stops it: the gate must not ask."""
    assert longest_literal_run(regex.escape(LONG_LITERAL)) > PARTIAL_LITERAL_CHARS
    long = RecordingPattern(regex.compile(regex.escape(LONG_LITERAL)))
    short = RecordingPattern(regex.compile(r"Photo: \w+"))
    gate = PatternGate([long, short], [mode, FULL])
    lines = ["Photo: Reuters", "An ordinary line of prose.", "word0 word1 and more", "zz"]
    masks = [gate.candidates(line) for line in lines]
    assert long.partial_calls == 0 and short.partial_calls > 0
    # the long literal itself still rules out every line without it
    assert masks == [0b10, 0, 0, 0]
    assert gate.candidates(LONG_LITERAL + (" and the rest" if mode == START else "")) & 1


def test_open_edges():
    assert open_edge(r".{0,600}Photo: \w+", True, HEAD)
    assert not open_edge(r".{0,600}Photo: \w+", False, TAIL)
    assert open_edge(r"(?:Photo|Image) ?(?:credit)?: .{2,60}", False, TAIL)
    assert open_edge(r"(?:.{0,300}?[.!?] )?\(?Photo by \w+", True, HEAD)  # an optional lead
    assert open_edge(r"(?:By \w+|.{0,80}via Getty Images)", True, HEAD)  # one branch is enough
    assert not open_edge(r".{0,1}Photo", True, 2)  # one character of anything, then "P"
    assert not open_edge(r"\p{Lu}{0,40}: \p{L}{0,40}", True, HEAD)  # classes, not "."
    assert not open_edge(r"\p{Lu}{0,40}: \p{L}{0,40}", False, TAIL)
    assert not open_edge(r"(?!.*Copyright).{0,40}", True, HEAD)  # a look-ahead first
    assert not open_edge(r"(?|(a)|(b))", True, HEAD)  # syntax the parser lacks: not known


@pytest.mark.parametrize("at_start", [True, False])
def test_an_open_edge_is_never_partially_matched(at_start):
    """A pattern that opens (ends) with ".{0,600}" can begin (end) with anything: asking
    partial matching about each new edge would only cost a regex call and say yes."""
    open_one = RecordingPattern(regex.compile(r".{0,600}Photo: .{0,40}"))
    shut = RecordingPattern(regex.compile(r"Photo: \w+"))
    edges = EdgeMasks([open_one, shut], [FULL, FULL], 0, at_start=at_start)
    for text in ["Photo: Reuters", "An ordinary line.", "zz"]:
        key = text[:HEAD] if at_start else text[-TAIL:]
        assert edges.allowed(key, 0b11) & 1
    assert open_one.partial_calls == 0 and shut.partial_calls > 0


def test_edges_are_asked_only_about_patterns_whose_literals_the_line_holds():
    """Every new edge costs a partial match per pattern still in the running: the
    literal scan, one pass for all patterns, comes first and leaves few."""
    credit = RecordingPattern(regex.compile(r"Photo: \w+"))
    inbox = RecordingPattern(regex.compile(r"(?i)Straight to your inbox"))
    gate = PatternGate([credit, inbox], [FULL, FULL])
    assert gate.candidates("Photo: Reuters") == 1
    assert gate.candidates("Pictures of the day") == 0
    assert credit.partial_calls > 0 and inbox.partial_calls == 0


def test_longest_literal_runs():
    assert longest_literal_run(r"(?:Photo|Image) credit: [A-Z]\w+") == 9  # " credit: "
    assert longest_literal_run(r"(?i:abc)(?i:def)x?") == 6  # the regex module joins them
    assert longest_literal_run(r"(?P<v>ab)c|(?P<v>defg)") == 4  # a name twice: still read
    assert longest_literal_run(r"a(?=bcde)") == 4


def test_a_long_line_is_offered_only_to_patterns_of_bounded_width():
    patterns = [regex.compile(r"(?!.*\bCopyright\b)\p{Lu}\w*(?: \p{Lu}\w*)* © \p{Lu}\w*"),
                regex.compile(r"© \p{Lu}\w{0,20}"), regex.compile(r"(?:Ab Cd © Ef ?)+")]
    gate = PatternGate(patterns, [FULL, ANY, ANY])  # unbounded, bounded, unbounded
    line = "Ab Cd © Ef"
    assert bits(gate.candidates(line)) == [0, 1, 2]
    long = " ".join([line] * (LONG_LINE_CHARS // len(line)))
    assert len(long) > LONG_LINE_CHARS and bits(gate.candidates(long)) == [1]
    assert bits(gate.candidates(long[:LONG_LINE_CHARS - 1])) == [0, 1, 2]  # "… Cd © Ef A"


def test_the_length_leaves_exactly_the_patterns_offered_a_line_that_long():
    sources = [r".{0,5}", r".{0,40}", r".{2,40}", r".*", r".{0,3}", r"(?:.{0,9}|.{0,30})",
               r".{0,1}", r".+"]
    modes = [FULL, FULL, FULL, FULL, ANY, FULL, START, ANY]
    gate = PatternGate([regex.compile(source) for source in sources], modes)
    widths = [max_width(source) for source in sources]
    sizes = [*range(1, 45), LONG_LINE_CHARS - 1, LONG_LINE_CHARS, LONG_LINE_CHARS + 1]
    for size in sizes:  # these patterns' edges are open and they hold no literal
        expected = [bit for bit, (width, mode) in enumerate(zip(widths, modes))
                    if offered(width, mode, size)]
        assert bits(gate.candidates("a" * size)) == expected, size


def test_the_gates_regex_calls_run_under_the_timeout_and_rule_nothing_out_when_it_ends():
    timing = RecordingPattern(regex.compile(r"Photo: \w+"))
    gate = PatternGate([timing], [FULL])
    assert gate.candidates("Photo: Reuters", timeout=0.25) == 1
    assert gate.candidates("Not a credit", timeout=0.25) == 0
    assert timing.timeouts and set(timing.timeouts) == {0.25}
    # a check that runs out of time rules nothing out: the pattern itself decides
    stopped = RecordingPattern(regex.compile(r"Photo: \w+"), runs_out=True)
    assert PatternGate([stopped], [FULL]).candidates("Not a credit: Photo: x", 0.25) == 1
    assert list(PatternGate([stopped], [FULL]).admitted(["Nothing", "Photo: x"], 0.25)) == [1]
