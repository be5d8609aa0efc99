"""The pure parts of benchmarks/pages.py and page_systems.py: C4's line decisions, the
stoplist guess, the metadata matches, the tables and the RESULTS.md section; none needs
the shared captures (a stand-in scorer and two captures are written to a temporary folder)."""
import json
from pathlib import Path

import pytest

from benchmarks import pages
from benchmarks.page_systems import (as_paragraphs, author_found, c4_filter, date_found,
                                     guess_language, justext_lines)
from benchmarks.results import read_sections, write_section


def c4_keeps(line: str) -> bool:
    return c4_filter(line, "").text != ""


@pytest.mark.parametrize("line", [
    "The council voted on Tuesday to expand the park.",
    "Will the park open in spring?",
    "We have waited long enough!",
    'She said the vote was "a good day for the town."',
    "It was, he said, 'a long time coming.'",
])
def test_c4_keeps_sentences_of_three_words_or_more(line: str) -> None:
    assert c4_keeps(line)


@pytest.mark.parametrize("line", [
    "Share this Report:",                              # no terminal punctuation
    "Council backs new park",                          # a headline
    "Read more.",                                      # two words
    "And then the story went on...",                   # an ellipsis
    "The vote was “a good day for the town.”",         # curly quotes are not C4's end marks
    "Please enable JavaScript to view the comments.",  # javascript
    "By using this site you accept our Privacy Policy.",
    "This site uses cookies to improve your experience.",
    "The word " + "x" * 1001 + " is far too long.",
])
def test_c4_drops(line: str) -> None:
    assert not c4_keeps(line)


def test_c4_cuts_citations_and_strips_lines() -> None:
    text = "  The park opened in 1901.[1]  \nMenu\nIt was enlarged in 1950.[citation needed]"
    assert c4_filter(text, "").text == "The park opened in 1901.\nIt was enlarged in 1950."


@pytest.mark.parametrize("text, language", [
    ("The council said that it would vote on the plan for the park in the spring.", "English"),
    ("Der Stadtrat hat am Dienstag beschlossen, dass der Park nicht erweitert wird.", "German"),
    ("Le conseil a décidé mardi que le parc sera agrandi dans les prochains mois.", "French"),
    ("El consejo decidió el martes que el parque no será ampliado este año.", "Spanish"),
    ("Il consiglio ha deciso che il parco sarà ampliato entro la fine dell'anno.", "Italian"),
    ("O conselho decidiu que o parque não vai ser alargado, disse o presidente.", "Portuguese"),
    ("De gemeenteraad heeft dinsdag besloten dat het park niet wordt uitgebreid.", "Dutch"),
    ("", "English"),  # no evidence: the first stoplist
])
def test_guess_language_by_stop_words(text: str, language: str) -> None:
    assert guess_language(text) == language


def test_lines_become_escaped_paragraphs_without_blanks() -> None:
    lines, document = as_paragraphs("Fish & chips <b>\n\n   \n  Second line ")
    assert lines == ["Fish & chips <b>", "Second line"]
    assert document == ("<html><body><p>Fish &amp; chips &lt;b&gt;</p>"
                        "<p>Second line</p></body></html>")


def test_justext_keeps_german_prose_with_the_german_stoplist() -> None:
    prose = ("Der Stadtrat hat am Dienstag mit großer Mehrheit beschlossen, dass der Park am "
             "Fluss in den nächsten zwei Jahren um zehn Hektar erweitert wird, und die Arbeiten "
             "sollen schon im Frühjahr beginnen, wie die Bürgermeisterin am Abend sagte.")
    kept = justext_lines(f"Startseite\n{prose}\nTeilen", "").text
    assert kept == prose


def test_empty_capture_gives_empty_output() -> None:
    assert justext_lines("\n  \n", "").text == ""


@pytest.mark.parametrize("labeled, found, expected", [
    ("Stephen Ornes", "Stephen Ornes", True),
    ("Stephen Ornes", "By STEPHEN ORNES", True),       # the label inside the found one
    ("Henrike Roßbach", "Roßbach", True),              # the found one inside the label
    ("Euronews", "Euronews  with AFP", True),
    ("Stephen Ornes", "Jane Doe", False),
    ("Stephen Ornes", None, False),
    ("Stephen Ornes", "  ", False),
])
def test_author_found(labeled: str, found: str | None, expected: bool) -> None:
    assert author_found(labeled, found) is expected


@pytest.mark.parametrize("labeled, found, expected", [
    ("2020-01-02", "2020-01-02", True),
    ("2020-01-02", "2020-01-02T08:30:00+00:00", True),
    ("2013-03-29T11:14", "2013-03-29", True),          # ten characters are compared
    ("2019-12", "2019-12-05", True),                   # as much as the label gives
    ("2020-01-02", "2020-01-03", False),
    ("2019-12", "2019-11-30", False),
    ("2020-01-02", None, False),
    ("2020-01-02", "2020-01", False),
])
def test_date_found(labeled: str, found: str | None, expected: bool) -> None:
    assert date_found(labeled, found) is expected


# A stand-in for ../shared/pages/score.py with the same interface: a unit is removed when
# its line is absent from the output; keep-line recall; token figures left undefined.
SCORER = '''
import json
CATEGORIES = ["subscription", "byline", "navigation"]

def load_captures(path):
    caps = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    for cap in caps:
        cap["labels"] = [l["label"] for l in cap["lines"]]
    return caps

def mean(xs):
    xs = [x for x in xs if x is not None]
    return sum(xs) / len(xs) if xs else None

def score_capture(cap, output, min_sub=20):
    out = set(output.split("\\n"))
    total, removed, keep = {}, {}, []
    for line in cap["lines"]:
        if line["label"] == "keep":
            keep.append(line["text"] in out)
        elif line["label"] != "blank":
            total[line["label"]] = total.get(line["label"], 0) + 1
            removed[line["label"]] = removed.get(line["label"], 0) + (line["text"] not in out)
    n = sum(total.values())
    return {"id": cap["id"], "group": cap["group"], "bp_total": total, "bp_removed": removed,
            "bp_recall": sum(removed.values()) / n if n else None,
            "keep_recall": sum(keep) / len(keep), "tok_p": None, "tok_r": None, "tok_f1": None}
'''


def capture(id_: str, group: str, lines: list[tuple[str, str]],
            **labels: object) -> dict[str, object]:
    record = {"id": id_, "url": f"https://example.org/{id_}", "site": "example.org",
              "group": group, "text": "\n".join(text for text, _ in lines),
              "lines": [{"n": i + 1, "text": t, "label": lab} for i, (t, lab) in enumerate(lines)],
              "paywalled": False, "author": None, "date": None}
    record.update(labels)
    return record


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "score.py").write_text(SCORER, encoding="utf-8")
    caps = [capture("DA001", "A", [("Share this Report:", "share"), ("", "blank"),
                                   ("The council voted on Tuesday to expand the park.", "keep"),
                                   ("Subscribe now", "subscription")], paywalled=True),
            capture("DB001", "B", [("By Jane Doe", "byline"), ("Home", "navigation"),
                                   ("Work begins in the spring, the mayor said.", "keep")],
                    author="Jane Doe", date="2020-01-02")]
    with open(tmp_path / "captures.jsonl", "w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(c) + "\n" for c in caps)
    return tmp_path


def test_tables_come_from_the_scorer(folder: Path, capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    written: list[str] = []
    monkeypatch.setattr(pages, "write_section", lambda name, text: written.append(name))
    assert pages.main(["--pages", str(folder), "--systems", "none,c4"]) == 0
    out = capsys.readouterr().out
    assert "| **no cleaning** | 1 | 0.000 | 1.000 | n/a | n/a | n/a | 0.00 (0/1) |" in out
    # C4 keeps the two sentences only: every unit of both groups removed
    assert "| **C4-style line filter** | 1 | 1.000 | 1.000 |" in out
    assert "| B | byline | 1 | 0.00 | 1.00 |" in out
    assert "| C4-style line filter (README) |" in out and "paywalled precision" not in out
    assert not written  # a subset of the systems is printed only


def test_a_full_run_writes_its_section(folder: Path, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    written: dict[str, str] = {}
    monkeypatch.setattr(pages, "write_section", written.__setitem__)
    assert pages.main(["--pages", str(folder)]) == 0
    section = written[pages.SECTION]
    assert section.startswith("# Captures of the seeds' kind (../shared/pages)\n")
    assert "| cleaner (rules + model) | A | " in section
    assert "| C4-style line filter (README) | | 0.851 | 0.634 |" in section
    assert pages.main(["--pages", str(folder), "--no-write"]) == 0
    extra = folder / "extra.jsonl"
    extra.write_text((folder / "captures.jsonl").read_text(encoding="utf-8"), encoding="utf-8")
    assert pages.main(["--pages", str(folder), "--captures", str(extra)]) == 0
    assert "(README)" not in capsys.readouterr().out.split("# Captures")[-1]
    assert list(written) == [pages.SECTION]  # neither --no-write nor another file wrote


def test_missing_data_says_where_and_writes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pages, "write_section", lambda *a: pytest.fail("wrote"))
    assert pages.main(["--pages", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and str(tmp_path / "captures.jsonl") in out


def test_section_replaces_only_its_own(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    write_section("speed", "# Speed and memory\n\nfast\n", results)
    write_section("accuracy", "# Accuracy\n\ngood\n\n## Per dataset\n\n| a |\n", results)
    write_section(pages.SECTION, f"# {pages.TITLE}\n\nold\n\n## Group A\n\n| x |\n", results)
    write_section(pages.SECTION, f"# {pages.TITLE}\n\nnew\n\n## Group A\n\n| y |\n", results)
    text = results.read_text(encoding="utf-8")
    assert text.count("## Captures of the seeds' kind (../shared/pages)\n") == 1
    assert "new" in text and "old" not in text and "### Group A" in text
    sections = read_sections(results)
    assert list(sections) == ["speed", "accuracy", "pages"]
    assert sections["accuracy"] == "## Accuracy\n\ngood\n\n### Per dataset\n\n| a |"
    assert sections["speed"] == "## Speed and memory\n\nfast"


def test_writing_a_section_keeps_every_other_one(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    write_section("speed", "# Speed\n\nfast", results)
    write_section("big-html", "# One large HTML capture\n\n794 MB", results)
    write_section("pages", "# Pages\n\nfirst", results)
    write_section("pages", "# Pages\n\nsecond", results)
    sections = read_sections(results)
    assert set(sections) == {"speed", "big-html", "pages"}
    assert "794 MB" in sections["big-html"] and "second" in sections["pages"]
