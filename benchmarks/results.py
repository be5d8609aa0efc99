"""``RESULTS.md``: the one results file, of which each measuring script writes a section.

Each script (speed, accuracy, learned rules) rewrites its own section, between two
markers, and leaves the others as they were, so a run of one script never loses
another's figures.
"""
from __future__ import annotations

import re
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
ORDER = ("speed", "accuracy", "learning")
HEADER = ("# Results\n\nMeasured by the scripts in `benchmarks/` (see the README); each "
          "rewrites its own section.\n")
SECTION = re.compile(r"<!-- section: ([\w-]+) -->\n(.*?)\n<!-- end: \1 -->", re.DOTALL)
HEADING = re.compile(r"^#", re.MULTILINE)


def write_section(name: str, text: str, path: Path = RESULTS) -> None:
    """Put ``text`` (a document whose headings start at ``#``) in section ``name``."""
    sections = read_sections(path)
    sections[name] = HEADING.sub("##", text.strip())  # one level under the file's title
    order = [n for n in ORDER if n in sections] + sorted(set(sections) - set(ORDER))
    body = "".join(f"\n<!-- section: {n} -->\n{sections[n]}\n<!-- end: {n} -->\n"
                   for n in order)
    path.write_text(HEADER + body, encoding="utf-8")


def read_sections(path: Path = RESULTS) -> dict[str, str]:
    """The sections already in the file, by name (none when it is missing)."""
    if not path.is_file():
        return {}
    return {m.group(1): m.group(2) for m in SECTION.finditer(path.read_text(encoding="utf-8"))}
