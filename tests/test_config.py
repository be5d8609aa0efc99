"""The project configuration (``config.py``) and rule directories that extend the shipped rules."""
from __future__ import annotations

from pathlib import Path

import pytest

from cleaner import Cleaner
from cleaner.cli import main
from cleaner.engine.config import Config, find_config, load_config
from cleaner.engine.rules import load_rules, merge_rules
from cleaner.errors import ConfigError

from .helpers import ROOT, RULES, USER_SITE, USER_SITE_CAPTURE, USER_SITE_RULES

SITE, SITE_RULES, CAPTURE = USER_SITE, USER_SITE_RULES, USER_SITE_CAPTURE
URL = f"https://www.{SITE}/news/1"


def write_site(root: Path, text: str = SITE_RULES, name: str = SITE) -> Path:
    path = root / "sites" / f"{name}.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def ids(cleaner_or_book) -> list[str]:
    book = getattr(cleaner_or_book, "rulebook", cleaner_or_book)
    return [rule.id for ruleset in book.all_sets() for rule in ruleset.rules]


# --- --rules extends the shipped rules -------------------------------------------------

def test_a_site_file_beside_the_shipped_rules_keeps_the_generic_removals(tmp_path, capsys,
                                                                        monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_site(tmp_path / "rules")
    (tmp_path / "a.txt").write_text(CAPTURE, encoding="utf-8")
    assert main(["clean", "a.txt", "--rules", "rules", "--url", URL, "--no-model"]) == 0
    out = capsys.readouterr().out
    assert "Example Org footer line" not in out      # the user's site rule
    assert "Skip to main content" not in out         # the shipped generic rule, still there
    assert out.startswith("Council backs new park\n")


def test_no_shipped_rules_leaves_them_out(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_site(tmp_path / "rules")
    (tmp_path / "a.txt").write_text(CAPTURE, encoding="utf-8")
    assert main(["clean", "a.txt", "--rules", "rules", "--no-shipped-rules", "--url", URL,
                 "--no-model"]) == 0
    out = capsys.readouterr().out
    assert "Example Org footer line" not in out
    assert out.startswith("Skip to main content\n")


def test_a_site_file_of_the_same_site_replaces_the_shipped_one(tmp_path):
    shipped = load_rules().sites
    (monitor,) = [s for s in shipped if s.name == "al-monitor.com"]
    own = SITE_RULES.replace(SITE, "al-monitor.com")
    path = write_site(tmp_path, own, "al-monitor.com")
    book = merge_rules([tmp_path])
    (replaced,) = [s for s in book.sites if s.name == "al-monitor.com"]
    assert replaced.path == str(path)
    assert [r.id for r in replaced.rules] == ["al-monitor.com:footer"]
    assert not {r.id for r in monitor.rules} & set(ids(book))
    assert len(book.sites) == len(shipped) and len(book.generic) == len(load_rules().generic)


def test_a_generic_file_of_the_same_name_replaces_the_shipped_one(tmp_path):
    (tmp_path / "generic").mkdir()
    own = (RULES / "generic" / "en-navigation.toml").read_text(encoding="utf-8")
    own = own.replace('"Skip to main content", ', "")
    (tmp_path / "generic" / "en-navigation.toml").write_text(own, encoding="utf-8")
    cleaner = Cleaner(merge_rules([tmp_path]), use_model=False)
    assert cleaner.clean(CAPTURE).startswith("Skip to main content\n")
    assert Cleaner(use_model=False).clean(CAPTURE).startswith("Council backs new park\n")
    assert sorted(ids(cleaner)) == sorted(ids(load_rules()))  # each id once


def test_the_shipped_directory_named_again_loads_once():
    book = merge_rules([RULES, RULES])
    assert ids(book) == ids(load_rules())


def test_a_rules_directory_without_generic_or_sites_is_an_error(tmp_path, capsys):
    (tmp_path / "oops.toml").write_text(SITE_RULES, encoding="utf-8")
    assert main(["check", "--rules", str(tmp_path), "--seeds", str(tmp_path / "none")]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"error: {tmp_path}: no generic/ or sites/ folder")


# --- finding and reading the configuration -------------------------------------------------

def test_pyproject_in_a_parent_is_found(tmp_path, monkeypatch):
    write_site(tmp_path / "my-rules")
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.cleaner]\nrules = ["my-rules"]\nshipped-rules = false\n',
        encoding="utf-8")
    (tmp_path / "src" / "deep").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "src" / "deep")
    config = load_config()
    assert config.path == (tmp_path / "pyproject.toml").resolve()
    assert [p.resolve() for p in config.rules] == [(tmp_path / "my-rules").resolve()]
    assert config.shipped_rules is False
    assert config.seeds.resolve() == (tmp_path / "seeds").resolve()
    assert ids(Cleaner.from_config()) == [f"{SITE}:footer"]


def test_cleaner_toml_comes_first_and_a_pyproject_without_the_table_is_passed_by(tmp_path):
    (tmp_path / "cleaner.toml").write_text('shipped-rules = false\n', encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[tool.cleaner]\nshipped-rules = true\n',
                                             encoding="utf-8")
    inner = tmp_path / "inner"
    inner.mkdir()
    (inner / "pyproject.toml").write_text('[tool.ruff]\nline-length = 100\n', encoding="utf-8")
    assert find_config(inner) == (tmp_path / "cleaner.toml").resolve()
    assert load_config(inner).shipped_rules is False


def test_without_a_configuration_the_defaults_hold(tmp_path):
    assert find_config(tmp_path) is None
    assert load_config(tmp_path) == Config()


def test_command_line_options_override_the_configuration(tmp_path, monkeypatch, capsys):
    write_site(tmp_path / "configured", SITE_RULES.replace('expect = "Body."', 'expect = "X"'))
    write_site(tmp_path / "given")
    (tmp_path / "cleaner.toml").write_text('rules = ["configured"]\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 1                       # the configured file's test fails
    assert f"{SITE}:footer::drops-footer" in capsys.readouterr().out
    assert main(["check", "--rules", "given"]) == 0   # the given directory instead


def test_check_without_rules_checks_the_projects_rules_seeds_and_goldens(tmp_path, monkeypatch,
                                                                          capsys):
    write_site(tmp_path / "rules")
    (tmp_path / "data" / "seeds").mkdir(parents=True)
    (tmp_path / "data" / "seeds" / "a.txt").write_text(CAPTURE, encoding="utf-8")
    (tmp_path / "data" / "seeds" / "urls.tsv").write_text(f"a.txt\t{URL}\n", encoding="utf-8")
    (tmp_path / "data" / "golden").mkdir()
    (tmp_path / "cleaner.toml").write_text(
        'rules = ["rules"]\nseeds = "data/seeds"\ngolden = "data/golden"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path / "data")
    assert main(["check", "--update"]) == 0
    golden = (tmp_path / "data" / "golden" / "a.txt").read_text(encoding="utf-8")
    assert "Example Org footer line" not in golden and "Skip to main content" not in golden
    assert main(["check"]) == 0
    (tmp_path / "data" / "golden" / "a.txt").write_text(golden + "more\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["check"]) == 1
    assert "seed a.txt differs from its golden" in capsys.readouterr().out


def test_every_command_reads_the_configuration(tmp_path, monkeypatch, capsys):
    write_site(tmp_path / "rules")
    (tmp_path / "cleaner.toml").write_text('rules = ["rules"]\n', encoding="utf-8")
    (tmp_path / "a.txt").write_text(CAPTURE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["lint", "a.txt", "--url", URL]) == 1
    assert f"a.txt:7: {SITE}:footer" in capsys.readouterr().out
    assert main(["explain", "a.txt", "--url", URL, "--color", "never"]) == 0
    assert f"<- {SITE}:footer (legal)" in capsys.readouterr().out
    (tmp_path / "urls.tsv").write_text(f"a.txt\t{URL}\n", encoding="utf-8")
    main(["stats", "a.txt", "--urls", "urls.tsv"])
    assert f"{SITE}:footer" in capsys.readouterr().out


def test_this_repository_checks_its_own_rules_once():
    config = load_config(ROOT)
    assert config.path == (ROOT / "pyproject.toml").resolve()
    assert ids(config.rulebook()) == ids(load_rules())


@pytest.mark.parametrize("text, key, message", [
    ('rule = ["rules"]\n', "rule", "unknown key"),
    ('rules = "rules"\n', "rules", "a list of directories"),
    ('rules = ["nowhere"]\n', "rules", "no such directory"),
    ('rules = ["."]\n', "rules", "'.' holds no generic/ or sites/ folder"),
    ('shipped-rules = "no"\n', "shipped-rules", "true or false"),
    ('seeds = "nowhere"\n', "seeds", "no such directory"),
    ('golden = 3\n', "golden", "a directory"),
])
def test_configuration_errors_name_the_file_and_key(tmp_path, monkeypatch, capsys, text, key,
                                                    message):
    (tmp_path / "cleaner.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError):
        load_config(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 2
    captured = capsys.readouterr()
    (line,) = captured.err.splitlines()
    assert line.startswith(f"error: {(tmp_path / 'cleaner.toml').resolve()}: key '{key}': ")
    assert message in line and "Traceback" not in captured.err


def test_a_pyproject_error_names_the_table_key(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.cleaner]\nseed = "s"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"pyproject.toml: key 'tool.cleaner.seed': unknown"):
        load_config(tmp_path)
