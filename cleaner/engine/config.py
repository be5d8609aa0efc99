"""Find and read the project configuration: ``[tool.cleaner]`` in ``pyproject.toml``, or
the same keys at the top of ``cleaner.toml``.

It is looked for as ruff and pytest look for theirs: in the working directory, then
in each parent; the first directory with a ``cleaner.toml``, or a ``pyproject.toml``
holding ``[tool.cleaner]``, gives it (``cleaner.toml`` first). Paths in it are relative
to its directory. Command-line options override it (``Config.override``).
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .rules import RuleBook, merge_rules

CONFIG_NAME = "cleaner.toml"
PYPROJECT_NAME = "pyproject.toml"
KEYS = ("rules", "shipped-rules", "seeds", "golden")


@dataclass(frozen=True, slots=True)
class Config:
    """Where a project keeps its rules, seeds and goldens; ``path`` is None without a file."""

    rules: tuple[Path, ...] = ()
    shipped_rules: bool = True
    seeds: Path = Path("seeds")
    golden: Path = Path("golden")
    path: Path | None = None

    def override(self, rules: list[Path] | None = None, shipped_rules: bool | None = None,
                 seeds: Path | None = None, golden: Path | None = None) -> Config:
        """This configuration with the options given on the command line (None: not given)."""
        changes: dict[str, Any] = {}
        if rules is not None:
            changes["rules"] = tuple(rules)
        if shipped_rules is not None:
            changes["shipped_rules"] = shipped_rules
        if seeds is not None:
            changes["seeds"] = seeds
        if golden is not None:
            changes["golden"] = golden
        return replace(self, **changes)

    def rulebook(self) -> RuleBook:
        """The shipped rules (unless left out) extended by the configured directories."""
        return merge_rules(self.rules, shipped=self.shipped_rules)


def find_config(start: Path | str | None = None) -> Path | None:
    """The configuration file for ``start`` (default: the working directory), if any."""
    here = Path(start if start is not None else Path.cwd()).resolve()
    for directory in (here, *here.parents):
        own = directory / CONFIG_NAME
        if own.is_file():
            return own
        pyproject = directory / PYPROJECT_NAME
        if pyproject.is_file():
            tool = _read_toml(pyproject).get("tool")
            if isinstance(tool, dict) and "cleaner" in tool:
                return pyproject
    return None


def load_config(start: Path | str | None = None) -> Config:
    """The configuration found from ``start`` (default: the working directory), or defaults."""
    path = find_config(start)
    return read_config(path) if path is not None else Config()


def read_config(path: Path | str) -> Config:
    """Read one configuration file; a ``ConfigError`` names the file and the key at fault."""
    path = Path(path).resolve()
    data = _read_toml(path)
    if path.name == PYPROJECT_NAME:
        data = data.get("tool", {}).get("cleaner", {})
        prefix = "tool.cleaner."
    else:
        prefix = ""
    if not isinstance(data, dict):
        raise ConfigError(path, "must be a table", f"{prefix.rstrip('.')}")
    for key in data:
        if key not in KEYS:
            raise ConfigError(path, f"unknown key; use any of: {', '.join(KEYS)}", prefix + key)
    base = _shown(path.parent)
    rules = data.get("rules", [])
    if not isinstance(rules, list) or not all(isinstance(r, str) for r in rules):
        raise ConfigError(path, 'a list of directories, as rules = ["rules"]', prefix + "rules")
    shipped = data.get("shipped-rules", True)
    if not isinstance(shipped, bool):
        raise ConfigError(path, "true or false", prefix + "shipped-rules")
    return Config(rules=tuple(_rules_directory(path, prefix + "rules", base, r) for r in rules),
                  shipped_rules=shipped, seeds=_data_dir(path, prefix, data, "seeds"),
                  golden=_data_dir(path, prefix, data, "golden"), path=path)


def _data_dir(path: Path, prefix: str, data: dict[str, Any], key: str) -> Path:
    """The seeds or golden directory: as configured (it must exist), else ``key`` beside it."""
    base = _shown(path.parent)
    if key not in data:
        return base / key
    if not isinstance(data[key], str):
        raise ConfigError(path, f'a directory, as {key} = "{key}"', prefix + key)
    return _directory(path, prefix + key, base / data[key])


def _shown(directory: Path) -> Path:
    """``directory`` relative to the working directory when under it, for shorter messages."""
    try:
        return directory.relative_to(Path.cwd().resolve())
    except ValueError:
        return directory


def _rules_directory(config: Path, key: str, base: Path, name: str) -> Path:
    directory = _directory(config, key, base / name)
    if not (directory / "generic").is_dir() and not (directory / "sites").is_dir():
        raise ConfigError(config, f"{name!r} holds no generic/ or sites/ folder; "
                                  f"put site files in {name}/sites/<domain>.toml", key)
    return directory


def _directory(config: Path, key: str, directory: Path) -> Path:
    if not directory.is_dir():
        raise ConfigError(config, f"no such directory: {directory}", key)
    return directory


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(path, f"not valid TOML ({exc})") from None
    except OSError as exc:
        raise ConfigError(path, f"cannot read it ({exc.strerror or exc})") from None
