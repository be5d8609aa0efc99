"""A learned site rule file's rules: proposals as rules, inline tests from real lines.

``draft_site`` turns what ``learn.py``, ``markers.py`` and ``line_shapes.py`` found in a
site's captures into rules, each with its category guess, how many captures it hit and
inline tests made from real lines (one it removes, one prose line it keeps).
``draft_file.py`` writes the TOML (``render``) and reads it back with the project's own
loader to run its inline tests (``verify``), so a draft that would not pass ``cleaner
check`` is never handed out; its names are importable from here too.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import regex

from ..engine.passes import apply_rules
from ..engine.rule_tables import rule_from_dict
from ..errors import LearnError
from ..model import Line, Rule
from .draft_file import Draft, Proposal, learned_ruleset, render, verify
from .learn import (
    Profile,
    Settings,
    by_category,
    find_signatures,
    fold,
    guess_category,
    keep_candidates,
    line_pattern,
    repeated_keys,
    template_groups,
)
from .line_shapes import Shape, find_shapes
from .markers import Marker, design_markers, find_markers

SLUG_WORDS = 4
MAX_DESCRIPTION_TEXT = 60


def draft_site(site: str, captures: Sequence[Sequence[str]],
               settings: Settings = Settings()) -> Draft:
    """Learn the rules of ``site`` from its captures (each given as its lines).

    The draft is rendered, read back with the rule loader and its inline tests run
    before it is returned; ``LearnError`` when any of that fails.
    """
    profile = Profile.of(captures)
    if profile.size < settings.min_captures:
        raise LearnError(f"{site}: {profile.size} capture(s) with text; learning needs at "
                         f"least {settings.min_captures} captures of one site")
    # the whole site, then each of its templates when it has had several
    views = [profile, *template_groups(profile, settings)]
    repeated = set().union(*(repeated_keys(view, settings) for view in views))
    markers = find_markers(profile, repeated, settings)
    for group in views[1:]:
        known = {m.key for m in markers}
        markers += [m for m in design_markers(group, profile, repeated, settings)
                    if m.key not in known]
    tables = _unique_ids([_marker_table(site, m, settings) for m in markers])
    tables += [_lines_table(site, category, profile, keys)
               for category, keys in sorted(by_category(profile, repeated).items())]
    tables += [_shapes_table(site, category, shapes)
               for category, shapes in sorted(_shapes_by_category(views, repeated, settings))]
    proposals = _with_tests(tables, profile, repeated)
    if not proposals:
        raise LearnError(f"{site}: nothing repeats across enough of its {profile.size} "
                         f"captures to propose a rule")
    draft = Draft(site, profile.size, tuple(find_signatures(profile, settings)), proposals)
    verify(render(draft), site)  # a draft that would fail `cleaner check` is never handed out
    return draft


def slug(text: str) -> str:
    """A kebab-case slug from a line's first words.

    >>> slug("Leave a Reply"), slug("« Previous"), slug("—")
    ('leave-a-reply', 'previous', '')
    """
    words = regex.findall(r"[a-z0-9]+", text.lower())
    return "-".join(words[:SLUG_WORDS])


def _unique_ids(tables: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Number the second and later tables that would share an id ("…-comments-2")."""
    seen: dict[str, int] = {}
    for table in tables:
        base = table["id"]
        seen[base] = seen.get(base, 0) + 1
        if seen[base] > 1:
            table["id"] = f"{base}-{seen[base]}"
    return tables


def _marker_table(site: str, marker: Marker, settings: Settings) -> dict[str, Any]:
    name = slug(marker.text) or "marker"
    guard = max(3, min(marker.min_before // 2, settings.marker_max_guard))
    return {
        "id": f"{site}:end-at-{name}", "category": guess_category(marker.text),
        "action": "truncate-after",
        "description": f"Learned: after {_quote(marker.text)} the captures hold no more article.",
        "marker": line_pattern(marker.text), "min-kept-lines": guard,
        **({"requires": list(marker.requires)} if marker.requires else {}),
    }


def _lines_table(site: str, category: str, profile: Profile, keys: list[str]) -> dict[str, Any]:
    texts = [profile.text_of(k) for k in keys]
    exact = [t for k, t in zip(keys, texts) if not any(c.isdigit() for c in k)]
    folded = [line_pattern(t) for k, t in zip(keys, texts) if any(c.isdigit() for c in k)]
    table: dict[str, Any] = {
        "id": f"{site}:repeated-{category}", "category": category, "action": "drop-line",
        "description": f"Learned: {len(keys)} {category} lines repeated across captures.",
    }
    if exact:
        table["lines"] = exact
    if folded:
        table["patterns"] = folded
    return table


def _shapes_by_category(views: Sequence[Profile], repeated: set[str],
                        settings: Settings) -> list[tuple[str, list[Shape]]]:
    groups: dict[str, list[Shape]] = {}
    # one shape per pattern; views go last to first, so the whole site's shape wins
    for shape in {s.pattern: s for view in reversed(views)
                  for s in find_shapes(view, repeated, settings)}.values():
        groups.setdefault(guess_category(shape.example), []).append(shape)
    return list(groups.items())


def _shapes_table(site: str, category: str, shapes: list[Shape]) -> dict[str, Any]:
    return {
        "id": f"{site}:shaped-{category}", "category": category, "action": "drop-line",
        "description": f"Learned: {len(shapes)} {category} line shapes (a shared start or "
                       f"end) repeated across captures.",
        "patterns": list(dict.fromkeys(s.pattern for s in shapes)),
    }


def _quote(text: str) -> str:
    short = text if len(text) <= MAX_DESCRIPTION_TEXT else text[:MAX_DESCRIPTION_TEXT] + "…"
    return f"'{short}'"


def _compile(table: dict[str, Any]) -> Rule:
    return rule_from_dict({k: v for k, v in table.items() if k != "test"}, "<learned>")


def _with_tests(tables: list[dict[str, Any]], profile: Profile,
                repeated: set[str]) -> tuple[Proposal, ...]:
    """Each rule with its hits over the captures and inline tests of real lines."""
    rules = [_compile(t) for t in tables]
    keep = _keep_line(rules, keep_candidates(profile, repeated))
    proposals = []
    for table, rule in zip(tables, rules):
        hit = [lines for lines in profile.captures if _removes(rule, lines)]
        if not hit:
            continue
        tests = _tests(rule, table, hit, keep)
        described = table["description"].rstrip(".") + \
            f"; hit {len(hit)} of {profile.size} captures."
        proposals.append(Proposal({**table, "description": described, "test": tests}, len(hit)))
    return tuple(proposals)


def _as_lines(texts: Sequence[str]) -> list[Line]:
    return [Line(i + 1, t) for i, t in enumerate(texts)]


def _removes(rule: Rule, lines: Sequence[str]) -> bool:
    return bool(apply_rules(_as_lines(lines), [rule]).removals)


def _keep_line(rules: Sequence[Rule], candidates: Sequence[str]) -> str | None:
    """A prose line no learned rule removes, to show in tests what must stay."""
    return next((c for c in candidates if not any(_removes(r, [c]) for r in rules)), None)


def _tests(rule: Rule, table: dict[str, Any], hit: Sequence[Sequence[str]],
           keep: str | None) -> list[dict[str, str]]:
    if rule.action == "truncate-after":
        return _marker_tests(rule, table, hit, keep)
    example = _first_removed(rule, hit)
    tests = []
    if keep is not None:
        tests.append({"name": "removes-repeated-line", "input": _block([keep, example]),
                      "expect": _block([keep])})
        tests.append({"name": "keeps-prose", "input": _block([keep])})
    else:
        tests.append({"name": "removes-repeated-line", "input": _block([example]),
                      "expect": ""})
    return tests


def _first_removed(rule: Rule, hit: Sequence[Sequence[str]]) -> str:
    for lines in hit:
        for removal in apply_rules(_as_lines(lines), [rule]).removals:
            return removal.text
    raise LearnError(f"rule {rule.id}: hit a capture but removed nothing")  # not reached


def _marker_tests(rule: Rule, table: dict[str, Any], hit: Sequence[Sequence[str]],
                  keep: str | None) -> list[dict[str, str]]:
    """Real lines before the marker stay; the marker and what follows go."""
    needed = table["min-kept-lines"]
    lines = hit[0]
    at = next(i for i, line in enumerate(lines)
              if i >= needed and rule.params["marker"].fullmatch(line))
    before, after = list(lines[at - needed:at]), list(lines[at:at + 2])
    required = table.get("requires", [])
    if required and not set(required) & set(before):  # the design line that lets it cut
        before = [required[0], *before]
    tests = [{"name": "cuts-at-marker", "input": _block(before + after),
              "expect": _block(before)}]
    if keep is not None:
        tests.append({"name": "ignores-marker-near-top", "input": _block([after[0], keep])})
    return tests


def _block(lines: Sequence[str]) -> str:
    return "\n".join(lines) + "\n" if lines else ""


__all__ = ["Draft", "LearnError", "Proposal", "Settings", "draft_site", "learned_ruleset",
           "render", "verify", "fold"]
