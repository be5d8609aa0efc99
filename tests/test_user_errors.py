"""User mistakes: a clear one-line error and exit 2, checked before a run starts.

Each test reproduces a reported case that gave a traceback (after the whole run),
a confusing message, or a wrong exit code. CLI cases go through
``cleaner.cli.main(argv)``; the closed pipe needs a real pipe, so a shell runs it.
"""
from __future__ import annotations

import importlib.metadata
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import cleaner
from cleaner import Cleaner, RuleFileError
from cleaner.authoring.golden import compare_seeds
from cleaner.cli import main
from cleaner.engine.rules import load_rules

from .helpers import SEEDS
from .test_rules import G, HEADER, generic, rule, write_rules

CAPTURE = "Council backs new park\n\nThe council voted on Tuesday.\n\nAdvertisement\n"


@pytest.fixture
def capture(tmp_path: Path) -> Path:
    path = tmp_path / "a.txt"
    path.write_text(CAPTURE, encoding="utf-8")
    return path


def _one_error(capsys: pytest.CaptureFixture[str], *names: str) -> str:
    """The single line on standard error, which must name each of ``names``."""
    captured = capsys.readouterr()
    assert captured.out == ""  # the run did not start
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("error: ")
    for name in names:
        assert name in lines[0]
    return lines[0]


# --- outputs checked before the run -------------------------------------------------------

def test_output_naming_an_existing_file_is_a_usage_error(tmp_path, capture, capsys) -> None:
    taken = tmp_path / "out"
    taken.write_text("keep me\n", encoding="utf-8")
    assert main(["clean", str(capture), "-o", str(taken), "-q"]) == 2
    _one_error(capsys, f"-o {taken}", "a file")
    assert taken.read_text(encoding="utf-8") == "keep me\n"


@pytest.mark.parametrize("option", ["--stats", "--errors"])
def test_file_option_naming_a_directory_is_a_usage_error(tmp_path, capture, capsys,
                                                         option) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    assert main(["clean", str(capture), option, str(folder), "-q"]) == 2
    _one_error(capsys, f"{option} {folder}", "directory")
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("option", ["--stats", "--errors", "-o"])
def test_output_under_a_file_is_a_usage_error(tmp_path, capture, capsys, option) -> None:
    # the path cannot be made: one of its folders is a file
    blocker = tmp_path / "blocker"
    blocker.write_text("", encoding="utf-8")
    target = blocker / "sub" / "x.json"
    assert main(["clean", str(capture), option, str(target), "-q"]) == 2
    _one_error(capsys, f"{option} {target}", f"{blocker} is a file")


# --- the library --------------------------------------------------------------------------

def test_clean_none_is_a_type_error_that_says_so() -> None:
    with pytest.raises(TypeError, match=r"bytes or str, not NoneType"):
        cleaner.clean(None)  # type: ignore[arg-type]


def test_keep_categories_as_one_string_is_one_category() -> None:
    keeper = Cleaner(keep_categories="byline", use_model=False)
    assert keeper.keep == frozenset({"byline"})
    text = "Council backs new park\n\nBy Jane Smith\n\nThe council voted on Tuesday.\n"
    assert keeper.clean(text) == Cleaner(keep_categories=["byline"], use_model=False).clean(text)


def test_keep_categories_misspelt_string_names_the_word(capsys) -> None:
    with pytest.raises(cleaner.CleanerError, match=r"unknown categories to keep: bylines;"):
        Cleaner(keep_categories="bylines", use_model=False)


# --- rules --------------------------------------------------------------------------------

def test_rules_directory_without_rule_files_is_an_error(tmp_path, capsys) -> None:
    write_rules(tmp_path, {})  # generic/ and sites/, both empty
    with pytest.raises(RuleFileError, match="no rule files"):
        load_rules(tmp_path)
    assert main(["check", "--rules", str(tmp_path)]) == 2
    _one_error(capsys, str(tmp_path), "no rule files")


@pytest.mark.parametrize("tail, line", [
    ("x = [1,\n", 4),            # tomllib: "Invalid value (at end of document)"
    ('x = "open\n', 4),          # a line break inside a one-line string: "at line 4"
    ('x = """open\n\n\n', 4),    # "Unterminated string (at end of document)"
])
def test_toml_error_names_file_and_line(tmp_path, tail, line) -> None:
    text = HEADER + "order = 1\n" + tail  # the header is two lines, the tail starts line 4
    paths = write_rules(tmp_path, {G: text})
    with pytest.raises(RuleFileError) as caught:
        load_rules(tmp_path)
    message = str(caught.value)
    assert message.startswith(f"{paths[G]}:{line}: not valid TOML")
    assert "(at " not in message  # the position is given once, as file:line
    assert caught.value.line == line


def test_check_reports_every_broken_rule_file(tmp_path, capsys) -> None:
    paths = write_rules(tmp_path, {
        G: HEADER + "x = [1,\n",
        "generic/en-other.toml": generic("en-other", rule("en-other", category="ads")),
        "generic/en-fine.toml": generic("en-fine", rule("en-fine", body=(
            "lines = ['Advertisement']\n[[rule.test]]\nname = 'drops'\n"
            "input = 'Advertisement'\nexpect = ''\n[[rule.test]]\nname = 'keeps'\n"
            "input = 'An advert ran.'\n"))),
    })
    assert main(["check", "--rules", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 2, captured.err
    # in the order of their paths: en-other, then en-test
    assert lines[0].startswith(f"error: {paths['generic/en-other.toml']}: rule en-other:label")
    assert "'category'" in lines[0]
    assert lines[1].startswith(f"error: {paths[G]}:3: not valid TOML")


# --- check --------------------------------------------------------------------------------

def test_check_seeds_naming_a_missing_directory_is_a_usage_error(tmp_path, capsys) -> None:
    missing = tmp_path / "nowhere"
    assert main(["check", "--seeds", str(missing)]) == 2
    _one_error(capsys, f"--seeds {missing}", "no such directory")


@pytest.fixture
def one_seed(tmp_path: Path) -> tuple[Path, Path]:
    seeds, golden = tmp_path / "seeds", tmp_path / "golden"
    seeds.mkdir()
    golden.mkdir()
    name = sorted(p.name for p in SEEDS.glob("*.txt"))[1]
    shutil.copy(SEEDS / name, seeds / name)
    return seeds, golden


def test_missing_golden_says_missing(one_seed, capsys) -> None:
    seeds, golden = one_seed
    diffs = compare_seeds(Cleaner(), seeds, golden)
    assert [d.missing for d in diffs] == [True, True]
    assert main(["check", "--seeds", str(seeds), "--golden", str(golden)]) == 1
    captured = capsys.readouterr()
    assert "differs" not in captured.out + captured.err
    out = captured.out.splitlines()
    assert len(out) == 2, captured.out  # one line per golden, no diff of the whole text
    for line, diff in zip(out, diffs):
        assert line.startswith(f"{diff.golden}: missing")
    assert "goldens: 2 missing" in captured.err


# --- version ------------------------------------------------------------------------------

def test_version_comes_from_the_installed_metadata(capsys) -> None:
    assert cleaner.__version__ == importlib.metadata.version("cleaner")
    with pytest.raises(SystemExit) as caught:
        main(["--version"])
    assert caught.value.code == 0
    assert capsys.readouterr().out == f"cleaner {cleaner.__version__}\n"


# --- manifests ----------------------------------------------------------------------------

def test_urls_entry_matching_no_capture_is_a_warning(tmp_path, capture, capsys) -> None:
    manifest = tmp_path / "urls.tsv"
    manifest.write_text("a.txt\thttps://example.com/a\ntypo.txt\thttps://example.com/t\n",
                        encoding="utf-8")
    assert main(["clean", str(capture), "--urls", str(manifest), "-q"]) == 0
    captured = capsys.readouterr()
    assert "The council voted on Tuesday." in captured.out  # the run went on
    warnings = [line for line in captured.err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1, captured.err
    assert str(manifest) in warnings[0] and "typo.txt" in warnings[0]
    assert "a.txt" not in warnings[0].replace("typo.txt", "")


# --- a reader that closes the pipe --------------------------------------------------------

def test_lint_into_a_closed_pipe_keeps_exit_1(tmp_path) -> None:
    # enough findings to fill the pipe, so that lint is still writing when head leaves
    data = tmp_path / "clean.txt"
    data.write_text("Some prose stays here.\n\n" + "Advertisement\n\n" * 1500, encoding="utf-8")
    command = f"set -o pipefail; '{sys.executable}' -m cleaner.cli lint '{data}' | head -1"
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr
    assert done.stdout.count("\n") == 1 and "Advertisement" in done.stdout
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr


def test_clean_into_a_closed_pipe_exits_1_after_a_failed_capture(tmp_path) -> None:
    # the first capture fails (over --max-bytes); the rest fill the pipe that head leaves
    folder = tmp_path / "captures"
    folder.mkdir()
    (folder / "000.txt").write_text("x" * 5000, encoding="utf-8")
    for number in range(1, 150):
        (folder / f"{number:03}.txt").write_text(f"Story {number}\n\n" + "Prose. " * 100,
                                                 encoding="utf-8")
    command = (f"set -o pipefail; '{sys.executable}' -m cleaner.cli clean '{folder}' "
               f"--format jsonl --jobs 1 --no-model --max-bytes 4000 -q | head -c 100")
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr
    assert "too-large" in done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
