"""Tests for the rule loader in cleaner/engine/rules.py.

Rule directories are written into pytest's ``tmp_path``: ``generic/<stem>.toml`` and
``sites/<domain>.toml``. Every broken file must raise one ``RuleFileError`` whose
message is a single line naming the file, the rule (when there is one) and the field.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from cleaner.engine.actions import ACTIONS
from cleaner.engine.program import LineStage, compile_rules
from cleaner.engine.rules import load_rules
from cleaner.errors import RuleFileError
from cleaner.model import CATEGORIES

# --- helpers ------------------------------------------------------------------------------

HEADER = 'schema = 1\ndescription = "test rules"\n'
SITE_MATCH = '[match]\ndomains = ["{stem}"]\n'


def rule(stem: str = "en-test", slug: str = "label", category: str = "ad",
         action: str = "drop-line", body: str = "lines = ['Advertisement']") -> str:
    """One [[rule]] table as TOML text."""
    return (f'\n[[rule]]\nid = "{stem}:{slug}"\ncategory = "{category}"\n'
            f'action = "{action}"\n{body}\n')


def generic(stem: str = "en-test", *rules: str) -> str:
    return HEADER + "".join(rules or (rule(stem),))


def site(stem: str = "example.com", *rules: str) -> str:
    return HEADER + SITE_MATCH.format(stem=stem) + "".join(rules or (rule(stem),))


def write_rules(root: Path, files: dict[str, str]) -> dict[str, Path]:
    """Write ``{"generic/x.toml": text, ...}`` under ``root``; return the paths by name."""
    (root / "generic").mkdir(parents=True, exist_ok=True)
    (root / "sites").mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, text in files.items():
        path = root / name
        path.write_text(text, encoding="utf-8")
        paths[name] = path
    return paths


def load_error(root: Path, files: dict[str, str]) -> RuleFileError:
    write_rules(root, files)
    with pytest.raises(RuleFileError) as caught:
        load_rules(root)
    return caught.value


def assert_reported(exc: RuleFileError, path: Path, rule_id: str | None,
                    field: str | None) -> None:
    """The error names the file, the rule and the field, on one line."""
    message = str(exc)
    assert "\n" not in message and "\r" not in message
    assert str(path) in message
    assert exc.path == str(path)
    assert exc.rule_id == rule_id
    assert exc.field == field
    if rule_id is not None:
        assert rule_id in message
    if field is not None:
        assert f"'{field}'" in message


# --- broken files, one error each ---------------------------------------------------------

G = "generic/en-test.toml"
S = "sites/example.com.toml"
RID = "en-test:label"

BROKEN = {
    "unknown-top-level-key": (G, HEADER + 'author = "me"\n' + rule(), None, "author"),
    "unknown-rule-key": (G, generic("en-test", rule(body="lines = ['Ad']\ncolour = 'red'")),
                         RID, "colour"),
    "unknown-action": (G, generic("en-test", rule(action="drop-lines")), RID, "action"),
    "unknown-category": (G, generic("en-test", rule(category="ads")), RID, "category"),
    "regex-does-not-compile": (G, generic("en-test", rule(body="patterns = ['(Subscribe']")),
                               RID, "patterns"),
    "block-regex-does-not-compile": (
        G, generic("en-test", rule(action="drop-block", category="promo",
                                   body="start = 'Box'\nend = '[z-a]'\nmax-lines = 3")),
        RID, "end"),
    "line-regex-matches-empty": (G, generic("en-test", rule(body="patterns = ['(?:Ad)?']")),
                                 RID, "patterns"),
    "span-regex-matches-empty": (
        G, generic("en-test", rule(action="strip-span", body="pattern = 'x*'\nposition = 'any'")),
        RID, "pattern"),
    "truncate-after-without-min-kept-lines": (
        G, generic("en-test", rule(action="truncate-after", category="subscription",
                                   body="marker = 'Subscribe now'")),
        RID, "min-kept-lines"),
    "drop-block-without-max-lines": (
        G, generic("en-test", rule(action="drop-block", category="promo",
                                   body="start = 'Box'\nend = 'End'")),
        RID, "max-lines"),
    "dedupe-lines-without-min-chars": (
        G, generic("en-test", rule(action="dedupe-lines", category="caption", body="")),
        RID, "min-chars"),
    "strip-span-without-position": (
        G, generic("en-test", rule(action="strip-span", category="legal",
                                   body=r"pattern = '\(© [^()]+\)'")),
        RID, "position"),
    "extract-meta-without-value-group": (
        G, generic("en-test", rule(action="extract-meta", category="byline",
                                   body="field = 'author'\npattern = 'By (\\w+ \\w+)'")),
        RID, "pattern"),
    "id-not-starting-with-stem": (G, generic("en-test", rule(stem="en-other")),
                                  "en-other:label", "id"),
    "bad-toml-syntax": (G, HEADER + "[[rule]\nid = 'en-test:label'\n", None, None),
    "missing-schema": (G, 'description = "no schema"\n' + rule(), None, "schema"),
    "wrong-schema": (G, 'schema = 2\n' + rule(), None, "schema"),
    "site-without-its-stem-in-domains": (
        S, HEADER + '[match]\ndomains = ["example.org"]\n' + rule("example.com"),
        None, "match.domains"),
    "generic-with-match-table": (G, HEADER + '[match]\ndomains = ["en-test"]\n' + rule(),
                                 None, "match"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_file_is_reported_on_one_line(tmp_path, case):
    name, text, rule_id, field = BROKEN[case]
    exc = load_error(tmp_path, {name: text})
    assert_reported(exc, tmp_path / name, rule_id, field)


def test_duplicate_id_across_two_files(tmp_path):
    # a generic file and a site file may share a stem, so their ids can collide
    paths = write_rules(tmp_path, {"generic/example.com.toml": generic("example.com"),
                                   "sites/example.com.toml": site("example.com")})
    with pytest.raises(RuleFileError) as caught:
        load_rules(tmp_path)
    exc = caught.value
    reported = Path(exc.path)
    other = ({*paths.values()} - {reported}).pop()
    assert reported in paths.values()
    assert_reported(exc, reported, "example.com:label", "id")
    assert str(other) in str(exc)  # the message names where the id was seen first


def test_duplicate_id_within_one_file_is_also_rejected(tmp_path):
    exc = load_error(tmp_path, {G: generic("en-test", rule(), rule())})
    assert_reported(exc, tmp_path / G, RID, "id")


@pytest.mark.parametrize("bad_id", ["en-test:bad\nslug", "en-test:Bad Slug"])
def test_bad_slug_is_reported_on_one_line(tmp_path, bad_id):
    text = HEADER + (f'\n[[rule]]\nid = {bad_id!r}\ncategory = "ad"\naction = "drop-line"\n'
                     "lines = ['Advertisement']\n").replace("'", '"')
    exc = load_error(tmp_path, {G: text})
    assert exc.rule_id == bad_id
    assert exc.field == "id"
    assert "\n" not in str(exc)  # even when the offending id holds a line break
    assert str(tmp_path / G) in str(exc)


# --- valid files --------------------------------------------------------------------------

def test_valid_minimal_files_load(tmp_path):
    write_rules(tmp_path, {G: generic(), S: site()})
    book = load_rules(tmp_path)
    assert [s.name for s in book.generic] == ["en-test"]
    assert [s.name for s in book.sites] == ["example.com"]
    (generic_set,), (site_set,) = book.generic, book.sites
    assert not generic_set.is_site and site_set.is_site
    assert site_set.domains == ("example.com",)
    (only,) = generic_set.rules
    assert (only.id, only.category, only.action) == (RID, "ad", "drop-line")
    assert only.params["lines"] == frozenset({"Advertisement"})
    assert only.source == str(tmp_path / G)


def test_every_action_loads_from_a_file(tmp_path):
    bodies = {
        "drop-line": ("ad", "lines = ['Advertisement']\npatterns = ['Sponsored']"),
        "strip-span": ("legal", r"pattern = '\(© [^()]+\)'" + "\nposition = 'end'"),
        "drop-block": ("promo", "start = 'Box'\ninner = '• .+'\nmax-lines = 4"),
        "truncate-after": ("subscription", "marker = 'Subscribe now'\nmin-kept-lines = 3"),
        "dedupe-lines": ("caption", "min-chars = 60\nkeep-first = true"),
        "extract-meta": ("byline", "field = 'author'\npattern = 'By (?P<value>.+)'"),
    }
    rules = [rule(slug=action, category=cat, action=action, body=body)
             for action, (cat, body) in bodies.items()]
    write_rules(tmp_path, {G: generic("en-test", *rules)})
    (ruleset,) = load_rules(tmp_path).generic
    assert [r.action for r in ruleset.rules] == list(bodies)
    assert {r.action for r in ruleset.rules} == set(ACTIONS)


def test_shipped_rules_load():
    book = load_rules()
    assert book.generic and book.sites
    ids = [r.id for s in book.all_sets() for r in s.rules]
    assert len(ids) == len(set(ids))
    for ruleset in book.all_sets():
        for r in ruleset.rules:
            assert r.category in CATEGORIES, r.id
            assert r.action in ACTIONS, r.id
            assert r.id.startswith(ruleset.name + ":"), r.id
    for ruleset in book.sites:
        assert ruleset.name in ruleset.domains


def test_shipped_generic_line_rules_run_as_one_walk():
    # A cut or block rule ordered between line rules splits them into two walks over
    # every line, which costs nearly twice the time: give such rules an `order`.
    steps = compile_rules(r for s in load_rules().generic for r in s.rules)
    assert sum(isinstance(step, LineStage) for step in steps) == 1


def test_missing_rules_directory_is_an_error(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(RuleFileError) as caught:
        load_rules(missing)
    assert str(missing) in str(caught.value)
    assert "\n" not in str(caught.value)


def test_generic_sets_run_by_order_then_name(tmp_path):
    (tmp_path / "sites").mkdir()
    generic = tmp_path / "generic"
    generic.mkdir()
    for stem, order in (("alpha", None), ("beta", 5), ("gamma", 100)):
        head = "schema = 1\n" + (f"order = {order}\n" if order is not None else "")
        (generic / f"{stem}.toml").write_text(
            head + f'[[rule]]\nid = "{stem}:x"\ncategory = "ad"\naction = "drop-line"\n'
                   f'lines = ["Ad {stem}"]\n', encoding="utf-8")
    assert [s.name for s in load_rules(tmp_path).generic] == ["beta", "alpha", "gamma"]
    (generic / "alpha.toml").write_text('schema = 1\norder = "first"\n', encoding="utf-8")
    with pytest.raises(RuleFileError, match="field 'order'"):
        load_rules(tmp_path)
