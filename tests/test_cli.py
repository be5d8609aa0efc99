"""The ``cleaner`` command, driven through ``cleaner.cli.main(argv)``.

Expected removals, categories and metadata come from /work/shared/POLICY.md
("The seeds, decided"), not from the program's own output.
"""
from __future__ import annotations

import io
import json
import re
import shutil
import sys
from pathlib import Path

import pytest

from cleaner import CATEGORIES, Cleaner
from cleaner.cli import main
from cleaner.engine.extract import normalise
from cleaner.engine.rules import load_rule_file

from .helpers import SEED_URLS as URLS

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
GOLDEN = REPO / "golden"
RULES = REPO / "rules"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


SEED_NAMES = sorted(p.name for p in SEEDS.glob("*.txt"))
STEMS = [Path(n).stem for n in SEED_NAMES]

S000, S001, S002, S003, S004, S005, S006, S007, S008 = STEMS

# --- POLICY.md, "The seeds, decided" -------------------------------------------------------
# What each seed loses: (how to match the stripped line, text, category, how many lines).
# "line" is an exact match, "prefix" a start, "rest" this line and every non-blank line after.
POLICY_REMOVED: dict[str, list[tuple[str, str, str, int]]] = {
    S000: [
        ("line", "print", "navigation", 1),
        ("line", "April 4, 2023", "dateline", 1),
        ("prefix", "The following report is now a complimentary offering", "promo", 1),
        ("line", "The full text of this post is available to subscribers.", "subscription", 1),
        ("line", "Please login or register to request subscription information from MEMRI",
         "subscription", 1),
        ("line", ".", "subscription", 1),
        ("prefix", "The Cyber & Jihad Lab", "promo", 2),  # the box title and its paragraph
        ("line", "Read More", "promo", 1),
    ],
    S001: [
        ("line", "Skip to main content", "navigation", 1),
        ("prefix", "A member of the Iraqi security forces stands by a destroyed vehicle",
         "caption", 2),
        ("line", "Related Topics", "navigation", 1),
        ("rest", "Subscribe for unlimited access", "subscription", 7),
    ],
    S002: [
        ("line", "Iran Iraq US US Ambassadors", "navigation", 1),
        ("line", "Leave a Reply", "comments", 1),
        ("line", "Your email address will not be published.", "comments", 1),
        ("prefix", "This site uses Akismet to reduce spam.", "comments", 1),
    ],
    S003: [
        ("prefix", "Continue reading this article by registering", "subscription", 1),
        ("prefix", "• ", "subscription", 5),
        ("prefix", "Found in: ", "navigation", 1),
        ("prefix", "Bryant Harris is Al-Monitor's congressional correspondent.", "byline", 1),
        ("prefix", "The website uses cookies and similar technologies", "cookie", 1),
    ],
    S004: [
        ("line", "Sunday 26 January 2020", "dateline", 1),
        ("prefix", "Iraqi protesters set a sentry box ablaze", "caption", 2),
        ("line", "Ahmed Rasheed", "byline", 1),
        ("line", "Please log in or register with for free access to this article.",
         "subscription", 1),
        ("line", "Log In", "subscription", 1),
        ("line", "Today's news headlines, directly to your inbox every morning.", "newsletter", 1),
        ("line", "Editors Choice", "navigation", 1),
        ("line", "Also in World News", "navigation", 1),
    ],
    # Seeds added for the sites' other templates, decided by the same policy.
    S005: [
        ("line", "May 1, 2017 MEMRI Daily Brief No. 126", "dateline", 1),
        ("line", "May 1, 2017 | By Yigal Carmon*", "byline", 1),
        ("line", "Palestinians | MEMRI Daily Brief No. 126", "navigation", 1),
    ],
    S006: [
        ("line", "Skip to main content", "navigation", 1),
        ("prefix", "Iran's chief negotiator Saeed Jalili addresses a news conference", "caption", 1),
        ("line", "Read in", "navigation", 1),
        ("rest", "Access the Middle East news and analysis you can trust", "subscription", 4),
    ],
    S007: [
        ("rest", "4 Responses", "comments", 6),  # the count and the readers' comments
    ],
    S008: [
        ("prefix", "date 2020-10-19", "dateline", 1),  # the crawl's date, then the weather
        ("line", "Close", "navigation", 2),
        ("line", "Premium", "subscription", 1),
        ("line", "Fionnán Sheahan", "byline", 1),
        ("line", "Tánaiste Leo Varadkar Expand", "caption", 1),
        ("line", "Tánaiste Leo Varadkar", "caption", 3),  # the caption, printed three times
        ("line", "Related Content", "navigation", 1),
    ],
}
# Span removals: (start of the line, the span, category).
POLICY_SPANS: dict[str, list[tuple[str, str, str]]] = {
    S004: [("Two weeks ago, Mr Pompeo warned Iran", "(© Washington Post)", "legal")],
}
POLICY_META: dict[str, dict[str, object]] = {
    S000: {"paywalled": True, "author": None, "date": "2023-04-04", "site": "memri.org"},
    S001: {"paywalled": True, "author": None, "date": None, "site": "al-monitor.com"},
    S002: {"paywalled": False, "author": None, "date": None, "site": "tundratabloids.com"},
    S003: {"paywalled": True, "author": "Bryant Harris", "date": None,
           "site": "al-monitor.com"},
    S004: {"paywalled": True, "author": "Ahmed Rasheed", "date": "2020-01-26",
           "site": "independent.ie"},
    S005: {"paywalled": False, "author": "Yigal Carmon", "date": "2017-05-01", "site": "memri.org"},
    S006: {"paywalled": True, "author": None, "date": None, "site": "al-monitor.com"},
    S007: {"paywalled": False, "author": None, "date": None, "site": "tundratabloids.com"},
    S008: {"paywalled": True, "author": "Fionnán Sheahan", "date": "2020-10-19",
           "site": "independent.ie"},
}


POLICY_TITLE = {S007: "The Political Persecution of Elisabeth Sabaditsch-Wolff"}


def policy_removed_lines(stem: str) -> dict[int, str]:
    """Line number -> category, for every line POLICY removes whole from this seed."""
    lines = normalise((SEEDS / f"{stem}.txt").read_bytes().decode("utf-8"))
    removed: dict[int, str] = {}
    for kind, text, category, count in POLICY_REMOVED[stem]:
        hits = []
        for i, line in enumerate(lines):
            stripped = line.text.strip()
            if (kind == "line" and stripped == text) or \
                    (kind in ("prefix", "rest") and stripped.startswith(text)):
                if kind == "rest":
                    hits = [later.number for later in lines[i:] if later.text.strip()]
                    break
                hits.append(line.number)
        assert len(hits) == count, (stem, text, hits)  # the table itself must fit the seed
        for number in hits:
            assert number not in removed, (stem, number)
            removed[number] = category
    return removed


def golden_text(stem: str) -> bytes:
    return (GOLDEN / f"{stem}.txt").read_bytes()


def test_policy_tables_cover_every_seed() -> None:
    assert set(POLICY_REMOVED) == set(STEMS) == set(POLICY_META)
    assert len(STEMS) == 9
    assert set(URLS) == set(SEED_NAMES)
    for stem in STEMS:
        policy_removed_lines(stem)  # raises when a POLICY line is not found in the seed


# --- clean ---------------------------------------------------------------------------------

SUMMARY = re.compile(r"cleaned (\d+) of (\d+) captures in [\d.]+s \([\d,.]+/s\): "
                     r"([\d,]+) -> ([\d,]+) bytes, (\d+) removals(?: \(([^)]*)\))?, "
                     r"(\d+) paywalled, (\d+) failed(?:, (\d+) files? written)?")


def test_clean_seeds_directory_matches_goldens(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(REPO)
    out = tmp_path / "out"
    code = main(["clean", "seeds", "--urls", "seeds/urls.tsv", "-o", str(out)])
    captured = capsys.readouterr()
    assert code == 0
    assert captured.out == ""
    written = sorted(p.name for p in out.rglob("*") if p.is_file())
    # five .txt files and an empty error list; no temporary or partial files left behind
    assert written == sorted([*SEED_NAMES, "errors.jsonl"])
    assert (out / "errors.jsonl").read_bytes() == b""
    for stem in STEMS:
        assert (out / f"{stem}.txt").read_bytes() == golden_text(stem), stem

    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    match = SUMMARY.fullmatch(lines[0])
    assert match, lines[0]
    done, total, bytes_in, bytes_out, removals, categories, paywalled, failed, files = \
        match.groups()
    assert (done, total, failed) == (str(len(STEMS)), str(len(STEMS)), "0") == ("9", "9", "0")
    assert files == "9"
    assert int(paywalled) == sum(1 for m in POLICY_META.values() if m["paywalled"]) == 6
    assert int(bytes_in.replace(",", "")) == sum((SEEDS / n).stat().st_size for n in SEED_NAMES)
    assert int(bytes_out.replace(",", "")) == sum(len(golden_text(s)) for s in STEMS)
    cleaner = Cleaner()
    expected = [r.category for n in SEED_NAMES for r in cleaner.clean_and_explain(
        (SEEDS / n).read_bytes(), url=URLS[n]).removals]
    assert int(removals) == len(expected)
    counted = dict(item.rsplit(" ", 1) for item in categories.split(", "))
    assert {c: int(n) for c, n in counted.items()} == {c: expected.count(c) for c in expected}


def test_clean_single_file_to_stdout(capsys) -> None:
    name = SEED_NAMES[2]
    code = main(["clean", str(SEEDS / name), "--url", URLS[name]])
    captured = capsys.readouterr()
    assert code == 0
    assert captured.out.encode("utf-8") == golden_text(Path(name).stem)
    assert captured.err.startswith("cleaned 1 of 1 captures")


@pytest.mark.parametrize("to_dir", [False, True], ids=["stdout", "output-dir"])
def test_clean_jsonl_has_one_record_per_capture(tmp_path, monkeypatch, capsys, to_dir) -> None:
    monkeypatch.chdir(REPO)
    argv = ["clean", "seeds", "--urls", "seeds/urls.tsv", "--format", "jsonl"]
    if to_dir:
        argv += ["-o", str(tmp_path / "out")]
    code = main(argv)
    captured = capsys.readouterr()
    assert code == 0
    if to_dir:
        assert captured.out == ""
        assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["cleaned.jsonl",
                                                                         "errors.jsonl"]
        raw = (tmp_path / "out" / "cleaned.jsonl").read_text(encoding="utf-8")
    else:
        raw = captured.out
    assert raw.endswith("\n")
    records = [json.loads(line) for line in raw.splitlines()]
    assert len(records) == len(SEED_NAMES)
    assert [Path(r["id"]).name for r in records] == SEED_NAMES
    for record, name in zip(records, SEED_NAMES):
        stem = Path(name).stem
        assert set(record) == {"id", "url", "text", "title", "author", "date", "site",
                               "paywalled", "removals"}
        assert record["url"] == URLS[name]
        assert record["text"].encode("utf-8") == golden_text(stem)
        for key, value in POLICY_META[stem].items():
            assert record[key] == value, (stem, key)
        # POLICY: the headline is reported as title while staying in the text; on a blog
        # that reposts an article, it may follow the blogger's own paragraph
        assert record["title"] == POLICY_TITLE.get(stem, record["text"].splitlines()[0])
        lines = {line.number: line.text for line in normalise((SEEDS / name).read_text(
            encoding="utf-8"))}
        seen_lines = set()
        for removal in record["removals"]:
            assert set(removal) - {"score"} == {"rule", "category", "line", "span", "text"}
            assert removal["category"] in CATEGORIES
            assert removal["rule"].count(":") == 1
            start, end = removal["span"]
            assert isinstance(start, int) and isinstance(end, int) and 0 <= start <= end
            if removal["line"] not in seen_lines:  # the first cut indexes the original line
                assert lines[removal["line"]][start:end] == removal["text"]
            seen_lines.add(removal["line"])
        wanted = {c for _, _, c, _ in POLICY_REMOVED[stem]} \
            | {c for _, _, c in POLICY_SPANS.get(stem, [])}
        assert {r["category"] for r in record["removals"]} == wanted, stem


def _stdin(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_clean_reads_stdin(monkeypatch, capsys) -> None:
    name = SEED_NAMES[4]
    _stdin(monkeypatch, (SEEDS / name).read_bytes())
    code = main(["clean", "-", "--url", URLS[name]])
    captured = capsys.readouterr()
    assert code == 0
    assert captured.out.encode("utf-8") == golden_text(Path(name).stem)
    assert captured.err.startswith("cleaned 1 of 1 captures")


def test_clean_stdin_plain_text_without_url(monkeypatch, capsys) -> None:
    capture = ("Skip to main content\n\nCouncil backs new park\n\n"
               "The council voted on Tuesday\u00a0to expand the park.   \n\n\n\nAdvertisement\n")
    _stdin(monkeypatch, capture.encode("utf-8"))
    assert main(["clean", "-"]) == 0
    # skip link (navigation) and label (ad) go; NBSP -> space, trailing spaces go
    assert capsys.readouterr().out == ("Council backs new park\n\n"
                                       "The council voted on Tuesday to expand the park.\n")


def test_clean_stdin_jsonl_record(monkeypatch, capsys) -> None:
    _stdin(monkeypatch, b"Headline here\n\nSubscribe for unlimited access\n\nBody text.\n")
    assert main(["clean", "-", "--format", "jsonl"]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    record = json.loads(line)
    assert record["id"] == "<stdin>"
    assert record["text"] == "Headline here\n\nBody text.\n"
    assert record["paywalled"] is True
    assert [(r["category"], r["line"], r["text"]) for r in record["removals"]] == [
        ("subscription", 3, "Subscribe for unlimited access")]


def test_keep_navigation_keeps_skip_link(capsys) -> None:
    name = SEED_NAMES[1]
    stem = Path(name).stem
    code = main(["clean", str(SEEDS / name), "--url", URLS[name], "--keep", "navigation"])
    out = capsys.readouterr().out
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Skip to main content"
    assert "Related Topics" in lines
    # the other categories are still removed
    assert not any(l.startswith("A member of the Iraqi security forces") for l in lines)
    assert "Subscribe for unlimited access" not in out
    # and the rest is exactly the golden text
    without = [l for l in lines if l not in ("Skip to main content", "Related Topics")]
    assert "\n".join(without).strip("\n").replace("\n\n\n", "\n\n") + "\n" \
        == golden_text(stem).decode("utf-8")


def test_keep_two_categories_jsonl(capsys) -> None:
    name = SEED_NAMES[1]
    code = main(["clean", str(SEEDS / name), "--url", URLS[name], "--format", "jsonl",
                 "--keep", "navigation", "--keep", "caption"])
    record = json.loads(capsys.readouterr().out)
    assert code == 0
    assert {r["category"] for r in record["removals"]} == {"subscription"}
    assert record["paywalled"] is True
    assert record["text"].count("A member of the Iraqi security forces") == 2


def test_keep_unknown_category_is_usage_error(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["clean", str(SEEDS / SEED_NAMES[0]), "--keep", "paywall"])
    assert exc.value.code == 2
    assert "paywall" in capsys.readouterr().err


def test_broken_capture_does_not_stop_the_batch(tmp_path, capsys) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "a_broken.txt").write_bytes(bytes(range(256)) * 4)  # no text encoding fits
    (batch / "b_good.txt").write_text("Headline\n\nAdvertisement\n\nBody paragraph.\n",
                                      encoding="utf-8")
    out = tmp_path / "out"
    code = main(["clean", str(batch), "-o", str(out)])
    captured = capsys.readouterr()
    assert code == 1
    assert (out / "b_good.txt").read_text(encoding="utf-8") == "Headline\n\nBody paragraph.\n"
    assert not (out / "a_broken.txt").exists()
    (error,) = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert error["id"] == error["source"] == str(batch / "a_broken.txt")
    assert error["reason"] == "capture" and "decode" in error["message"]
    assert captured.err.count("\n") == 1  # the errors are in the file; stderr has the summary
    assert captured.err.startswith("cleaned 1 of 2 captures")
    assert captured.err.rstrip().endswith("1 failed, 1 file written")


SLOW_RULE = """schema = 1
description = "a rule whose pattern backtracks catastrophically on 'x' and a long run of 'a'"

[[rule]]
id = "en-slow:backtrack"
category = "ad"
action = "drop-line"
patterns = ['x(?:a|aa)+y.*']
"""


def test_pattern_timeout_in_batch_names_the_file(tmp_path, capsys) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    (rules / "generic" / "en-slow.toml").write_text(SLOW_RULE, encoding="utf-8")
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "a_slow.txt").write_text("Headline\n\nx" + "a" * 80 + "z\n", encoding="utf-8")
    (batch / "b_good.txt").write_text("Headline\n\nSponsored\n\nBody paragraph.\n",
                                      encoding="utf-8")
    out = tmp_path / "out"
    code = main(["clean", str(batch), "--rules", str(rules), "-o", str(out)])
    captured = capsys.readouterr()
    assert code == 1
    assert (out / "b_good.txt").read_text(encoding="utf-8") == "Headline\n\nBody paragraph.\n"
    assert not (out / "a_slow.txt").exists()
    (error,) = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert error["reason"] == "pattern-timeout"
    assert "en-slow:backtrack" in error["message"]
    assert error["id"] == str(batch / "a_slow.txt")  # in a batch, the error says which file
    assert captured.err.splitlines()[-1].endswith("1 failed, 1 file written")


def test_missing_input_is_usage_error(tmp_path, capsys) -> None:
    missing = tmp_path / "nope.txt"
    assert main(["clean", str(missing)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert str(missing) in captured.err


def test_several_captures_in_text_format_need_output_dir(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(REPO)
    assert main(["clean", "seeds", "--urls", "seeds/urls.tsv"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "-o" in captured.err
    files = [str(SEEDS / SEED_NAMES[0]), str(SEEDS / SEED_NAMES[1])]
    assert main(["clean", *files]) == 2
    assert capsys.readouterr().out == ""


# --- explain -------------------------------------------------------------------------------

# kept "    3   text"; blank kept "    2" (no trailing spaces); removed "    1 - text  <- why"
EXPLAIN_LINE = re.compile(r"(?P<number>[ \d]{5})(?: (?P<mark>[ ~-]) (?P<rest>.*))?")
REASON = re.compile(r"(?P<rule>[a-z0-9.-]+:[a-z0-9-]+) \((?P<category>[a-z]+)\)(?:: (?P<span>.*))?")


def _explain(name: str, colour: str, capsys) -> str:
    code = main(["explain", str(SEEDS / name), "--url", URLS[name], "--color", colour])
    captured = capsys.readouterr()
    assert code == 0
    return captured.out


def _rule_categories() -> dict[str, tuple[str, str | None]]:
    """rule id -> (category, name of its site rule set, or None for a generic set)."""
    book = Cleaner().rulebook
    return {rule.id: (rule.category, ruleset.name if ruleset.is_site else None)
            for ruleset in book.all_sets() for rule in ruleset.rules}


@pytest.mark.parametrize("name", SEED_NAMES)
def test_explain_shows_every_line_and_why(name, capsys) -> None:
    stem = Path(name).stem
    out = _explain(name, "never", capsys)
    assert not ANSI.search(out)
    lines = normalise((SEEDS / name).read_bytes().decode("utf-8"))
    header, *body = out.splitlines()
    meta = POLICY_META[stem]
    assert f"site={meta['site']} " in header
    assert f"author={meta['author']!r} " in header
    assert f"date={meta['date']} " in header
    assert header.endswith(f"paywalled={str(meta['paywalled']).lower()}")
    assert len(body) == len(lines)

    removed = policy_removed_lines(stem)
    spans = {prefix: (span, cat) for prefix, span, cat in POLICY_SPANS.get(stem, [])}
    rules = _rule_categories()
    site = meta["site"]
    for line, shown in zip(lines, body):
        parsed = EXPLAIN_LINE.fullmatch(shown)
        assert parsed, shown
        assert int(parsed["number"]) == line.number
        assert shown == shown.rstrip() or line.text != line.text.rstrip()  # no trailing spaces
        span = next((v for p, v in spans.items() if line.text.startswith(p)), None)
        if line.number in removed:
            assert parsed["mark"] == "-", shown
            text, _, reasons = parsed["rest"].partition("  <- ")
            assert text == line.text
            found = [REASON.fullmatch(r) for r in reasons.split("; ")]
            assert found and all(found), shown
            # one rule, or rules that took it in pieces (the crawl's date, the weather)
            assert removed[line.number] == found[0]["category"], shown
            for reason in found:
                rule_id, category = reason["rule"], reason["category"]
                # the rule named is a real rule of that category, generic or of this site
                assert rule_id in rules and rules[rule_id][0] == category, shown
                assert rules[rule_id][1] in (site, None), shown
        elif span is not None:
            assert parsed["mark"] == "~", shown
            text, _, reasons = parsed["rest"].partition("  <- ")
            assert text == line.text
            (reason,) = [REASON.fullmatch(r) for r in reasons.split("; ")]
            assert reason and reason["category"] == span[1]
            assert rules[reason["rule"]][0] == span[1]
            assert reason["span"].strip("'\"").strip() == span[0]
        else:  # POLICY: everything not listed under "remove" is kept
            assert (parsed["mark"] or " ") == " ", shown
            assert (parsed["rest"] or "") == line.text


def test_explain_names_rule_for_skip_link(capsys) -> None:
    out = _explain(SEED_NAMES[1], "never", capsys)
    line = next(l for l in out.splitlines() if "Skip to main content" in l)
    assert re.fullmatch(r"\s+1 - Skip to main content  <- en-navigation:label \(navigation\)", line)


def test_explain_shows_span_removal_as_trimmed_line(capsys) -> None:
    out = _explain(SEED_NAMES[4], "never", capsys)
    (line,) = [l for l in out.splitlines() if "Washington Post" in l]
    assert " ~ Two weeks ago, Mr Pompeo warned Iran" in line
    assert line.endswith("<- en-legal:syndication-credit (legal): ' (© Washington Post)'")


def test_explain_colour(capsys) -> None:
    plain = _explain(SEED_NAMES[1], "never", capsys)
    coloured = _explain(SEED_NAMES[1], "always", capsys)
    assert ANSI.search(coloured)
    assert "\x1b[31m" in coloured  # removed lines in red
    assert ANSI.sub("", coloured) == plain
    # auto: not a terminal under capture, so no escapes
    assert not ANSI.search(_explain(SEED_NAMES[1], "auto", capsys))


def test_explain_reads_url_from_manifest(capsys) -> None:
    name = SEED_NAMES[2]
    code = main(["explain", str(SEEDS / name), "--urls", str(SEEDS / "urls.tsv"),
                 "--color", "never"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.splitlines()[0].startswith("site=tundratabloids.com ")
    assert re.search(r"^\s+1 - Iran Iraq US US Ambassadors  <- \S+ \(navigation\)$", out, re.M)


# --- check ---------------------------------------------------------------------------------

@pytest.fixture
def repo_copy(tmp_path, monkeypatch) -> Path:
    for name in ("seeds", "golden", "rules"):
        shutil.copytree(REPO / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _check(root: Path, *extra: str) -> int:
    # the copy stands for the shipped rules, so they are left out
    return main(["check", "--rules", str(root / "rules"), "--no-shipped-rules", *extra])


def _delete_rule(path: Path, rule_id: str) -> None:
    text = path.read_text(encoding="utf-8")
    head, *tables = text.split("\n[[rule]]\n")
    kept = [t for t in tables if not t.startswith(f'id = "{rule_id}"\n')]
    assert len(kept) == len(tables) - 1
    path.write_text("\n[[rule]]\n".join([head, *kept]), encoding="utf-8")
    ruleset = load_rule_file(path, site=True)
    assert rule_id not in {r.id for r in ruleset.rules}


def test_check_passes_on_repo_copy(repo_copy, capsys) -> None:
    assert _check(repo_copy) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "all seeds match their goldens" in captured.err


def test_check_reports_diff_after_rule_deleted(repo_copy, capsys) -> None:
    before = {p.name: p.read_bytes() for p in (repo_copy / "golden").iterdir()}
    _delete_rule(repo_copy / "rules" / "sites" / "al-monitor.com.toml",
                 "al-monitor.com:metered-paywall")
    assert _check(repo_copy) == 1
    out = capsys.readouterr().out
    assert f"--- golden/{S001}.txt\n" in out
    assert f"+++ seeds/{S001}.txt (cleaned now)\n" in out
    assert f"golden/{S001}.txt: seed {S001}.txt differs from its golden" in out
    # the generic rules take most of the offer box that rule removed; its last line leaks
    assert "\n+By signing up, you agree to Al-Monitor’s Terms and Conditions" in out
    assert re.search(r"^@@ -\d+(,\d+)? \+\d+(,\d+)? @@", out, re.M)
    # only the al-monitor seed with the metered paywall is affected
    for stem in (S000, S002, S003, S004, S005, S006, S007):
        assert stem not in out
    # a plain check never rewrites goldens
    assert {p.name: p.read_bytes() for p in (repo_copy / "golden").iterdir()} == before


def test_check_reports_diff_after_site_file_deleted(repo_copy, capsys) -> None:
    (repo_copy / "rules" / "sites" / "independent.ie.toml").unlink()
    assert _check(repo_copy) == 1
    out = capsys.readouterr().out
    assert f"--- golden/{S004}.txt\n" in out
    assert f"--- golden/{S004}.json\n" in out
    assert "\n+Ahmed Rasheed\n" in out  # the bare byline is no longer removed


BROKEN_GENERIC = """schema = 1
description = "broken"

[[rule]]
id = "en-broken:bad-pattern"
category = "ad"
action = "drop-line"
patterns = ['Advertisement (?:below']
"""


@pytest.mark.parametrize("case", ["generic-patterns", "site-inner",
                                  "generic-multiline-span-pattern"])
def test_check_bad_regex_is_one_error_line(repo_copy, capsys, case) -> None:
    if case == "generic-patterns":
        path = repo_copy / "rules" / "generic" / "en-broken.toml"
        path.write_text(BROKEN_GENERIC, encoding="utf-8")
        rule_id, field = "en-broken:bad-pattern", "patterns"
    elif case == "site-inner":
        path = repo_copy / "rules" / "sites" / "al-monitor.com.toml"
        text = path.read_text(encoding="utf-8")
        assert "inner = '[•·*-] .{1,120}'" in text
        path.write_text(text.replace("inner = '[•·*-] .{1,120}'", "inner = '[•·*- .{1,120}'"),
                        encoding="utf-8")
        rule_id, field = "al-monitor.com:registration-wall", "inner"
    else:
        path = repo_copy / "rules" / "generic" / "en-legal.toml"
        text = path.read_text(encoding="utf-8")
        old = "pattern = '''\\((?:©|\\(c\\)|Copyright|Source:)\\s*[^()]{2,60}\\)'''"
        assert old in text
        path.write_text(text.replace(old, "pattern = '''\\((?:©|Copyright\n|Source:)\\s*("
                                          "[^()]{2,60}\\)'''"), encoding="utf-8")
        rule_id, field = "en-legal:syndication-credit", "pattern"
    assert _check(repo_copy) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert str(path) in lines[0]
    assert rule_id in lines[0]
    assert f"'{field}'" in lines[0]


def test_check_update_rewrites_goldens(repo_copy, capsys) -> None:
    before = {p.name: p.read_bytes() for p in (repo_copy / "golden").iterdir()}
    _delete_rule(repo_copy / "rules" / "sites" / "al-monitor.com.toml",
                 "al-monitor.com:metered-paywall")
    assert _check(repo_copy, "--update") == 0
    captured = capsys.readouterr()
    assert f"golden/{S001}.txt: seed {S001}.txt updated" in captured.out
    assert f"golden/{S001}.json: seed {S001}.txt updated" in captured.out
    assert "\n+By signing up, you agree to Al-Monitor’s Terms and Conditions" in captured.out
    after = {p.name: p.read_bytes() for p in (repo_copy / "golden").iterdir()}
    assert set(after) == set(before)  # no temporary files left
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {f"{S001}.txt", f"{S001}.json"}
    cleaner = Cleaner(repo_copy / "rules")
    now = cleaner.clean_and_explain((repo_copy / "seeds" / f"{S001}.txt").read_bytes(),
                                    url=URLS[f"{S001}.txt"])
    assert after[f"{S001}.txt"].decode("utf-8") == now.text
    record = json.loads(after[f"{S001}.json"])
    assert "al-monitor.com:metered-paywall" not in record["rules"]
    assert record["rules"] == sorted({r.rule_id for r in now.removals})

    assert _check(repo_copy) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "all seeds match their goldens" in captured.err


@pytest.mark.parametrize("where", ["generic", "site"])
def test_check_failing_inline_test_is_named(repo_copy, capsys, where) -> None:
    if where == "generic":
        path = repo_copy / "rules" / "generic" / "en-ad.toml"
        old = 'input = "The advertisement was sponsored by a bakery, and the story continues ' \
              'below the fold."'
        new = 'input = "Advertisement"'  # a "keeps" case whose input the rule does remove
        label = "en-ad:label::keeps-prose-about-ads"
    else:
        path = repo_copy / "rules" / "sites" / "independent.ie.toml"
        old = 'meta = { author = "Kim Sengupta" }'
        new = 'meta = { author = "Kim Philby" }'
        label = "independent.ie:bare-byline::drops-name-under-headline"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    assert _check(repo_copy) == 1
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert len(lines) == 1, captured.out
    assert lines[0].startswith(f"{path}: {label}: expected ")
    assert "all seeds match their goldens" in captured.err
