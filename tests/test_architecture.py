"""The README's Architecture tree names every module of the package, in its subpackage.

A subpackage's ``__init__.py`` (a one-line docstring) and ``cli/__main__.py`` are not
listed; a folder listed as a whole (``integrations/``, ``data/``) covers what it holds.
"""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cleaner"
ENTRY = re.compile(r"^( +)(\S+(?:\.py|/))(?:\s|$)")


def architecture_tree(readme: str) -> list[str]:
    """The lines of the fenced block that follows the "## Architecture" heading."""
    section = readme.split("\n## Architecture\n", 1)[1]
    block = section.split("```", 2)[1]
    return block.splitlines()


def listed_paths(tree: list[str]) -> set[str]:
    """Each entry as a path under cleaner/: files end in .py, folders in /."""
    paths: set[str] = set()
    folders: dict[int, str] = {}  # indentation -> the folder an entry there sits in
    for line in tree:
        if line and not line.startswith(" "):
            if line != "cleaner/":
                break  # rules/, seeds/ and the rest of the repository
            folders = {2: ""}
            continue
        match = ENTRY.match(line)
        if match is None or len(match.group(1)) not in folders:
            continue  # a continued description
        indent, name = len(match.group(1)), match.group(2)
        path = folders[indent] + name
        paths.add(path)
        if name.endswith("/"):
            folders = {k: v for k, v in folders.items() if k <= indent}
            folders[indent + 2] = path
    return paths


def package_paths() -> set[str]:
    found = set()
    for file in PACKAGE.rglob("*"):
        relative = file.relative_to(PACKAGE).as_posix()
        if "__pycache__" in relative or file.is_dir():
            continue
        if file.name == "__main__.py" or (file.name == "__init__.py" and "/" in relative):
            continue
        if file.suffix in (".py", ".json"):
            found.add(relative)
    return found


def covered(path: str, listed: set[str]) -> bool:
    """Listed itself, or inside a folder listed as a whole (no entries of its own)."""
    wholes = {entry for entry in listed if entry.endswith("/")
              and not any(other != entry and other.startswith(entry) for other in listed)}
    return path in listed or any(path.startswith(folder) for folder in wholes)


def test_every_module_is_listed_in_its_subpackage() -> None:
    listed = listed_paths(architecture_tree((ROOT / "README.md").read_text(encoding="utf-8")))
    missing = sorted(p for p in package_paths() if not covered(p, listed))
    assert not missing, f"modules missing from the README's Architecture tree: {missing}"


def test_every_listed_module_exists() -> None:
    listed = listed_paths(architecture_tree((ROOT / "README.md").read_text(encoding="utf-8")))
    absent = sorted(p for p in listed if not (PACKAGE / p).exists())
    assert not absent, f"the README's Architecture tree lists what is not there: {absent}"


def test_a_module_listed_in_the_wrong_subpackage_is_found() -> None:
    tree = ["cleaner/", "  engine/       the engine", "    pool.py       workers",
            "  batch/        batch", "    inputs.py     finding inputs,", "                  more",
            "rules/          rule files"]
    assert listed_paths(tree) == {"engine/", "engine/pool.py", "batch/", "batch/inputs.py"}
