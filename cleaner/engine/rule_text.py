"""A rule file's text read as TOML; what is wrong with it reported at ``file:line``."""
from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import regex

from ..errors import RuleFileError

# how tomllib (Python 3.11) ends its messages; it gives no line as an attribute
TOML_POSITION = regex.compile(
    r" \(at (?:line (?P<line>\d+), column (?P<column>\d+)|end of document)\)$")


def read_toml(path: Path) -> dict[str, Any]:
    """The TOML table of the file at ``path``, or one ``RuleFileError`` saying what is wrong."""
    try:
        raw = path.read_bytes()
    except OSError as exc:  # a directory named *.toml, a file without read permission
        raise RuleFileError(path, f"cannot read it ({exc.strerror or exc}); rule files are "
                                  f"TOML files") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RuleFileError(path, f"not valid TOML (not UTF-8: {exc.reason}); save it as "
                                  f"UTF-8", line=raw.count(b"\n", 0, exc.start) + 1) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise syntax_error(path, text, exc) from None
    except RecursionError:  # tomllib reads nested arrays and tables recursively
        raise RuleFileError(path, "arrays or tables nested too deep to read; "
                                  "flatten them") from None


def syntax_error(path: Path, text: str, exc: tomllib.TOMLDecodeError) -> RuleFileError:
    """tomllib's error, at ``file:line``.

    tomllib ends its message with "(at line L, column C)", or with "(at end of
    document)" when the file ends inside a value (an unclosed array or string): that
    value is unfinished on the last line that holds anything, so that is the line given.
    """
    message = str(exc)
    found = TOML_POSITION.search(message)
    detail = message[:found.start()] if found else message
    if found and found["line"]:
        line, where = int(found["line"]), f" at column {found['column']}"
    else:
        line, where = last_written_line(text), " where the file ends"
    return RuleFileError(path, f"not valid TOML: {detail}{where}; fix the syntax", line=line)


def last_written_line(text: str) -> int:
    """The number of the last line that is not blank (1 for an empty text).

    >>> last_written_line("a = [1,\\n\\n")
    1
    """
    return len(text.rstrip().splitlines()) or 1
