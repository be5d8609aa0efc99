"""Every Python and shell example in the README runs, as written.

Each fenced ```python, ```bash, ```sh and ```console block of README.md runs in a
directory of its own, prepared with the files the examples name: copies of the seeds,
goldens and rules, a small crawl (capture files of one site, JSONL records) and files
of clean data. Python blocks run as scripts (``python example.py``), so ``__main__``
guards matter; bash blocks run with ``bash -e``, so every command must succeed;
console blocks run each ``$`` command and must print the output shown (a ``...`` line
stands for lines left out). A block that cannot run here says why in an HTML comment
just above it, ``<!-- not run: REASON -->``; blocks that are not code to run (output,
TOML, YAML) carry another language tag.

Slow for a test file: each example starts Python and loads the rules, some several
times, about 30 s of CPU for the whole file (more wall time on a busy machine).
"""
from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from cleaner import Cleaner
from cleaner.batch.tasks import Options, Task, clean_task

from .helpers import SEED_URLS, seed_bytes

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
SHELLS = {"bash", "sh", "console"}
RUNNABLE = SHELLS | {"python"}
FENCE = re.compile(r"^(\s*)```\s*([\w+-]*)\s*$")
NOT_RUN = re.compile(r"^<!--\s*not run:\s*(.+?)\s*-->$")
ELISION = {"...", "…"}
# A block runs in well under a minute even on a loaded machine; a hang fails the test.
BLOCK_TIMEOUT = 240

# The crawl: pages of one site, with its template around varied prose.
SUBJECTS = ["The council", "The mayor", "A local charity", "The school board", "Residents",
            "The harbour authority", "A group of farmers", "The library trust"]
VERBS = ["voted on Tuesday to expand", "announced plans to restore", "raised money to repair",
         "asked the city to protect", "agreed a budget for", "opened a public review of"]
OBJECTS = ["the riverside park", "the old railway bridge", "the town swimming pool",
           "the market square", "the northern cycle path", "the community garden"]
TAILS = ["after a year of consultation with neighbours.",
         "despite objections from some shop owners.",
         "with work expected to start in the spring.", "following a petition signed by thousands.",
         "and said the cost would be shared with the region.",
         "in a meeting that lasted until midnight."]
SITE_PAGES = 8
BOILERPLATE = "Skip to main content\n\nAdvertisement\n"
HTML_PAGE = ("<html><head><title>Council backs new park</title></head><body>"
             "<nav><a href='/'>Home</a> | <a href='/news'>News</a></nav><article>"
             "<h1>Council backs new park</h1><p>The council voted on Tuesday to expand the "
             "riverside park by four hectares, after a year of consultation.</p><p>Work is "
             "expected to start in the spring, the mayor said.</p></article></body></html>")
CORRUPT_LINE = '{"id": "cut-short", "text": "The council vot'
# A few seeds in the crawl's JSONL, paywalled pages among them: enough for every example.
CRAWL_SEEDS = sorted(SEED_URLS)[:3]


@dataclass(frozen=True)
class Block:
    """A fenced code block of the README: its language tag, code and first line number."""

    language: str
    code: str
    line: int
    not_run: str | None  # the reason given in a `<!-- not run: ... -->` comment above it

    @property
    def name(self) -> str:
        return f"README.md:{self.line}:{self.language}"


def readme_blocks(text: str) -> list[Block]:
    """The fenced blocks of ``text`` in order, with any `not run` comment just above each."""
    blocks: list[Block] = []
    lines = text.splitlines()
    number = 0
    previous = ""  # the last non-blank line outside a block
    while number < len(lines):
        opening = FENCE.match(lines[number])
        if not opening:
            if lines[number].strip():
                previous = lines[number].strip()
            number += 1
            continue
        indent, language = opening.groups()
        body: list[str] = []
        number += 1
        while number < len(lines) and lines[number].strip() != "```":
            body.append(lines[number].removeprefix(indent))
            number += 1
        reason = NOT_RUN.match(previous)
        blocks.append(Block(language, "\n".join(body) + "\n", number - len(body),
                            reason.group(1) if reason else None))
        previous = ""
        number += 1
    return blocks


def site_page(number: int) -> str:
    """A page of example.com: the same template lines around prose of its own."""
    words = [f"{SUBJECTS[(number + i) % len(SUBJECTS)]} {VERBS[(number * 3 + i) % len(VERBS)]} "
             f"{OBJECTS[(number + 2 * i) % len(OBJECTS)]} {TAILS[(number * 5 + i) % len(TAILS)]}"
             for i in range(9)]
    paragraphs = [" ".join(words[i:i + 3]) for i in range(0, 9, 3)]
    return "\n\n".join([
        "Example News\nHome | World | Business | Sport | Culture\nSign in to your account",
        f"{OBJECTS[number % len(OBJECTS)].capitalize()}: plan number {number} is out",
        f"By Staff Writer on March {number + 1}, 2023", *paragraphs,
        "Share this article on Facebook", "Leave a Reply",
        f"{number + 3} people read this story today",
        "Copyright Example News Ltd. All rights reserved.",
    ]) + "\n"


def write_jsonl(path: Path, records: list[dict]) -> None:
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")


def prepare(folder: Path) -> None:
    """The files the README's examples name, written into ``folder``."""
    for name in ("seeds", "golden", "rules"):
        shutil.copytree(ROOT / name, folder / name)
    site = folder / "crawl" / "example.com"
    site.mkdir(parents=True)
    pages = [site_page(number) for number in range(SITE_PAGES)]
    urls = []
    for number, page in enumerate(pages):
        (site / f"story-{number}.txt").write_text(page, encoding="utf-8")
        urls.append(f"story-{number}.txt\thttps://example.com/news/story-{number}\n")
    (folder / "crawl" / "urls.tsv").write_text("".join(urls), encoding="utf-8")
    records = [{"id": name, "text": seed_bytes(name).decode("utf-8"), "url": SEED_URLS[name]}
               for name in CRAWL_SEEDS]
    records += [{"id": "park", "text": "the crawler's own extraction", "html": HTML_PAGE,
                 "url": "https://example.com/news/park"},
                {"id": "nothing-left", "text": BOILERPLATE}]
    write_jsonl(folder / "crawl" / "part-0.jsonl", records)
    with gzip.open(folder / "crawl.jsonl.gz", "wt", encoding="utf-8") as out:
        out.writelines(json.dumps({"id": f"story-{n}", "text": page, "domain": "example.com",
                                   "url": f"https://example.com/news/story-{n}"}) + "\n"
                       for n, page in enumerate(pages))
    clean = folder / "clean"
    clean.mkdir()
    (clean / "a.txt").write_text("Council backs new park\n\nThe council voted on Tuesday.\n\n"
                                 "Advertisement\n\nWork starts in the spring.\n",
                                 encoding="utf-8")
    lines = [{"id": f"doc-{n}", "text": f"Story {n}.\n\nThe council met.\n"} for n in range(11)]
    lines.append({"id": "doc-11", "text": "Council backs new park\n\nThe council voted.\n\n"
                                          "It met on Tuesday.\n\nShare on Facebook\n"})
    write_jsonl(clean / "b.jsonl", lines)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("readme-files")
    prepare(folder)
    return folder


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    bin_dir = str(Path(sys.executable).parent)  # the venv's: `cleaner` and `python`
    env = os.environ | {"PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
                        "NO_COLOR": "1"}
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=BLOCK_TIMEOUT)


def console_commands(code: str) -> list[tuple[str, list[str]]]:
    """The `$` commands of a console block, each with the output lines shown under it."""
    commands: list[tuple[str, list[str]]] = []
    for line in code.splitlines():
        if line.startswith("$ "):
            commands.append((line[2:], []))
        elif commands:
            commands[-1][1].append(line)
    return commands


def assert_shows(shown: list[str], printed: str, command: str) -> None:
    """Each shown line is printed, in order; an elision line stands for any lines."""
    remaining = [line.rstrip() for line in printed.splitlines()]
    for line in shown:
        if line.strip() in ELISION or not line.strip():
            continue
        assert line.rstrip() in remaining, f"`{command}` does not print {line!r}:\n{printed}"
        remaining = remaining[remaining.index(line.rstrip()) + 1:]


def run_block(block: Block, folder: Path) -> None:
    if block.language == "python":
        (folder / "example.py").write_text(block.code, encoding="utf-8")
        done = run([sys.executable, "example.py"], folder)
        assert done.returncode == 0, f"{block.name} failed:\n{done.stdout}\n{done.stderr}"
    elif block.language == "console":
        commands = console_commands(block.code)
        assert commands, f"{block.name}: a console block shows `$` commands"
        for command, shown in commands:
            done = run(["bash", "-c", command], folder)
            assert "Traceback" not in done.stderr, done.stderr
            assert done.returncode in (0, 1), f"`{command}` failed:\n{done.stderr}"  # 1: findings
            assert_shows(shown, done.stdout, command)
    else:
        (folder / "example.sh").write_text(block.code, encoding="utf-8")
        done = run(["bash", "-e", "example.sh"], folder)
        assert done.returncode == 0, f"{block.name} failed:\n{done.stdout}\n{done.stderr}"


def read_records(folder: Path) -> list[dict]:
    """Every JSON record in the (gzipped or plain) JSONL files under ``folder``."""
    records = []
    for path in sorted(folder.iterdir()):
        opened = gzip.open(path, "rt") if path.suffix == ".gz" else open(path)
        with opened as lines:
            records += [json.loads(line) for line in lines if line.strip()]
    return records


def check_dask(folder: Path) -> None:
    """The corrupt line is an error record, with the reason a local run gives it; the
    other records are cleaned."""
    errors = read_records(folder / "errors")
    assert [error["error"]["reason"] for error in errors] == [
        clean_task(Cleaner(), Options(), Task(0, "x", CORRUPT_LINE.encode(), format="jsonl"))
        .error["reason"]]
    cleaned = {record["id"]: record for record in read_records(folder / "cleaned")}
    assert sorted(cleaned) == sorted([*CRAWL_SEEDS, "park", "nothing-left"])
    assert cleaned["park"]["text"] == Cleaner().clean(HTML_PAGE, "https://example.com/news/park")


def check_datatrove(folder: Path) -> None:
    """Cleaned documents are written; the one left empty goes to the exclusion writer."""
    cleaned = {doc["id"]: doc for doc in read_records(folder / "cleaned")}
    assert sorted(cleaned) == sorted([*CRAWL_SEEDS, "park"])
    assert cleaned["park"]["text"] == Cleaner(keep_categories={"byline"}).clean(
        HTML_PAGE, "https://example.com/news/park")  # the record's HTML, not its text
    (excluded,) = read_records(folder / "excluded")
    assert excluded["id"] == "nothing-left" and excluded["text"] == BOILERPLATE
    assert excluded["metadata"]["filter_reason"] == "empty"


def corrupt_line(folder: Path) -> None:
    with open(folder / "crawl" / "part-0.jsonl", "a", encoding="utf-8") as out:
        out.write(CORRUPT_LINE + "\n")


# Per example: a change to its files before it runs, and what it must have written.
SETUPS: dict[str, Callable[[Path], None]] = {"clean_bag(": corrupt_line}
CHECKS: dict[str, Callable[[Path], None]] = {"clean_bag(": check_dask,
                                             "CleanerStep(": check_datatrove}

BLOCKS = [block for block in readme_blocks(README.read_text(encoding="utf-8"))
          if block.language in RUNNABLE]


@pytest.mark.parametrize("block", BLOCKS, ids=[block.name for block in BLOCKS])
def test_the_readme_example_runs_as_written(block: Block, template: Path,
                                            tmp_path: Path) -> None:
    if block.not_run:
        pytest.skip(f"not run: {block.not_run}")
    folder = tmp_path / "example"
    shutil.copytree(template, folder)
    for key, setup in SETUPS.items():
        if key in block.code:
            setup(folder)
    run_block(block, folder)
    for key, check in CHECKS.items():
        if key in block.code:
            check(folder)


def test_only_a_few_examples_are_not_run() -> None:
    """Exceptions stay few and each gives its reason."""
    skipped = [block for block in BLOCKS if block.not_run]
    assert len(skipped) <= 3, [block.name for block in skipped]


def test_blocks_and_not_run_comments_are_found() -> None:
    text = ("Intro\n\n<!-- not run: needs network -->\n```bash\npip install x\n```\n\n"
            "- a list\n\n  ```python\n  print(1)\n  ```\n\n```toml\n[a]\n```\n")
    assert readme_blocks(text) == [Block("bash", "pip install x\n", 4, "needs network"),
                                   Block("python", "print(1)\n", 10, None),
                                   Block("toml", "[a]\n", 14, None)]


def test_console_output_must_match() -> None:
    assert console_commands("$ a\none\n...\ntwo\n$ b\n") == [("a", ["one", "...", "two"]),
                                                             ("b", [])]
    assert_shows(["one", "...", "three"], "one\ntwo\nthree\n", "a")
    with pytest.raises(AssertionError):
        assert_shows(["three", "one"], "one\ntwo\nthree\n", "a")
