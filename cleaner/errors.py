"""The project's exceptions: everything the library raises derives from CleanerError."""
from __future__ import annotations

from pathlib import Path


class CleanerError(Exception):
    """Base class of every error the library raises on purpose."""


class RuleFileError(CleanerError):
    """A rule file that cannot be used; the message is one line naming file, rule and field.

    ``line`` is set when the error has a place in the text (TOML syntax): the message
    then starts ``file:line:``, as compilers and editors expect.
    """

    def __init__(self, path: Path | str, message: str, rule_id: str | None = None,
                 field: str | None = None, line: int | None = None) -> None:
        self.path = str(path)
        self.rule_id = rule_id
        self.field = field
        self.line = line
        self.message = message
        where = self.path if line is None else f"{self.path}:{line}"
        if rule_id:
            where += f": rule {rule_id}"
        if field:
            where += f": field '{field}'"
        super().__init__(_one_line(f"{where}: {message}"))


def _one_line(text: str) -> str:
    """Errors are reported one per line: escape any line break a rule file smuggles in."""
    return text.replace("\r", "\\r").replace("\n", "\\n")


class CaptureError(CleanerError):
    """A capture that cannot be cleaned (undecodable, extractor failure, pattern timeout)."""

    def __init__(self, message: str, source: str | None = None) -> None:
        self.source = source
        super().__init__(f"{source}: {message}" if source else message)


class PatternTimeout(CaptureError):
    """A rule's regex ran past its time limit on one capture."""

    def __init__(self, rule_id: str, seconds: float, source: str | None = None) -> None:
        self.rule_id = rule_id
        self.seconds = seconds
        super().__init__(f"rule {rule_id}: pattern ran longer than {seconds:g}s and was stopped",
                         source)


class LearnError(CleanerError):
    """Rules could not be learned for a site (too few captures, nothing repeated, a bad name)."""


class OutputError(CleanerError):
    """One output file that cannot be written (a bad name, a full disk, unencodable text)."""


class NameClash(OutputError):
    """Two captures would write one output file; the message names both."""


class ConfigError(CleanerError):
    """A project configuration that cannot be used; one line naming the file and the key."""

    def __init__(self, path: Path | str, message: str, key: str | None = None) -> None:
        self.path = str(path)
        self.key = key
        where = f"{self.path}: key '{key}'" if key else self.path
        super().__init__(_one_line(f"{where}: {message}"))
