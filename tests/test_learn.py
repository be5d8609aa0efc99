"""Learning site rules from captures: what is proposed, what never is, and the file it makes."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from cleaner import Cleaner
from cleaner.authoring.draft import _unique_ids, draft_site
from cleaner.authoring.draft_file import learned_ruleset, render, verify
from cleaner.authoring.golden import run_cases
from cleaner.authoring.learn import (
    Profile,
    Settings,
    fold,
    guess_category,
    repeated_keys,
    template_groups,
)
from cleaner.authoring.markers import find_markers
from cleaner.engine.rules import load_rules
from cleaner.errors import LearnError

from . import synthetic
from .synthetic import FOOTER, HOUSE_PROSE, MENU, SHARED_PROSE, SITE


@pytest.fixture(scope="module")
def draft():
    return draft_site(SITE, synthetic.captures())


def proposed_lines(draft) -> set[str]:
    found: set[str] = set()
    for proposal in draft.proposals:
        found.update(proposal.table.get("lines", []))
    return found


def test_template_lines_are_proposed_by_category(draft):
    tables = {p.table["id"]: p.table for p in draft.proposals}
    assert set(MENU) <= proposed_lines(draft)
    assert "Advertisement" in tables[f"{SITE}:repeated-ad"]["lines"]
    assert tables[f"{SITE}:repeated-legal"]["category"] == "legal"
    # numbers are folded: one pattern for every date line
    date = r"March\s+\d[\d.,:/]*,\s+\d[\d.,:/]*"
    assert tables[f"{SITE}:repeated-dateline"]["patterns"] == [date]


def test_line_shapes_with_a_varying_part(draft):
    tables = {p.table["id"]: p.table for p in draft.proposals}
    patterns = tables[f"{SITE}:shaped-comments"]["patterns"]
    assert r"(?:.*\s)?says:" in patterns
    assert r"(?:.*\s)?\|\s+\d[\d.,:/]*\s+Comments\s+»" in patterns  # "| 0 Comments »" is shared
    rule = learned_ruleset(draft).rules
    shaped = next(r for r in rule if r.id.endswith("shaped-comments"))
    assert any(p.fullmatch("Zoe Quinn says:") for p in shaped.params["patterns"])
    assert not any(p.fullmatch("The minister says the vote is lost, and she says so twice.")
                   for p in shaped.params["patterns"])


def test_numbers_with_separators_and_clock_times_fold_into_one_template_line():
    stamps = ["12/28/2013 @ 9:23AM | 22,477 views", "4/25/2013 @ 2:26PM | 3,344 views",
              "1/2/2013 @ 11:05AM | 852 views"]
    stories = ["The council met on Tuesday and voted to expand the park.",
               "A storm closed the harbour for two days and sank a ferry.",
               "The museum reopened its east wing after a long repair."]
    captures = [[stamp, story] for stamp, story in zip(stamps, stories)]
    rules = learned_ruleset(draft_site(SITE, captures)).rules
    patterns = [pattern for rule in rules for pattern in rule.params.get("patterns", [])]
    assert len(patterns) == 1
    learned = patterns[0]
    assert all(learned.fullmatch(line) for line in [*stamps, "3/14/2014 @ 10:00 pm | 1,001 views"])
    assert not any(learned.fullmatch(story) for story in stories)


def test_prose_shared_by_two_captures_is_never_proposed(draft):
    text = render(draft)
    assert SHARED_PROSE not in text  # in 2 of 8 captures: not template
    assert all("Headline" not in line for line in proposed_lines(draft))


def test_prose_in_most_captures_is_proposed():
    profile = Profile.of(synthetic.captures())
    assert fold(HOUSE_PROSE) in repeated_keys(profile, Settings())
    assert fold(SHARED_PROSE) not in repeated_keys(profile, Settings(min_share=0.2))


def test_marker_after_the_article_cuts_comments_but_not_a_mid_article_label():
    profile = Profile.of(synthetic.captures())
    markers = find_markers(profile, repeated_keys(profile, Settings()), Settings())
    texts = [m.text for m in markers]
    assert texts and "Advertisement" not in texts and MENU[0] not in texts
    cleaner = Cleaner(load_rules_with(draft_site(SITE, synthetic.captures())), use_model=False)
    cleaned = cleaner.clean(synthetic.capture_text(3), url=f"https://{SITE}/x")
    assert "says:" not in cleaned and FOOTER[-1] not in cleaned
    assert all(paragraph in cleaned for paragraph in synthetic.body(3))  # the article stays
    assert "Advertisement" not in cleaned


def load_rules_with(draft):
    book = load_rules()
    return type(book)(sites=book.sites + (learned_ruleset(draft),), generic=book.generic)


def test_each_rule_says_its_hits_and_has_a_removing_and_a_keeping_test(draft):
    for proposal in draft.proposals:
        assert f"of {draft.captures} captures" in proposal.table["description"]
        assert 1 <= proposal.hits <= draft.captures
        tests = proposal.table["test"]
        assert any(t.get("expect") is not None and t["expect"] != t["input"] for t in tests)
        assert any("expect" not in t for t in tests)


def test_the_written_file_passes_check_as_written(draft, tmp_path):
    sites = tmp_path / "rules" / "sites"
    sites.mkdir(parents=True)
    (sites / f"{SITE}.toml").write_text(render(draft), encoding="utf-8")
    book = load_rules(tmp_path / "rules")
    assert [s.name for s in book.sites] == [SITE]
    assert run_cases(book) == []
    assert book.sites[0].signatures == ("Example Daily Media Group",)


def test_learned_ids_for_a_batch():
    ruleset = learned_ruleset(draft_site(SITE, synthetic.captures()))
    assert all(r.id.startswith(f"learned:{SITE}:") for r in ruleset.rules)


def test_too_few_captures_or_nothing_repeated():
    with pytest.raises(LearnError, match="at least 2 captures"):
        draft_site(SITE, synthetic.captures(1))
    with pytest.raises(LearnError, match="nothing repeats"):
        draft_site(SITE, [["A line of its own, quite unlike the others."], ["Something else."]])


@pytest.mark.parametrize("text", ["it's", "a\nb", "tab\there", "quote ''' inside\n", 'back\\slash "q"',
                                  "ctrl \x01 and \x7f", "ends with '\n"])
def test_strings_read_back_byte_exact(text):
    from cleaner.authoring.draft_file import _string
    assert tomllib.loads(f"v = {_string(text)}")["v"] == text


def test_a_tampered_draft_fails_verification(draft):
    text = render(draft).replace("expect = '''\n", "expect = '''\nNot in the input\n", 1)
    with pytest.raises(LearnError, match="fails its own test"):
        verify(text, SITE)


def test_category_guesses():
    assert [guess_category(t) for t in ("Share on Facebook", "Advertisement", "Sign in",
                                        "Photo: Jane Roe", "By Jane Roe", "Newsletters",
                                        "We use cookies to improve the site")] == \
        ["share", "ad", "subscription", "caption", "byline", "newsletter", "cookie"]


def test_ids_stay_unique_when_two_markers_share_a_slug():
    tables = _unique_ids([{"id": "x.com:end-at-comments"}, {"id": "x.com:end-at-comments"},
                          {"id": "x.com:end-at-reply"}])
    assert [t["id"] for t in tables] == ["x.com:end-at-comments", "x.com:end-at-comments-2",
                                         "x.com:end-at-reply"]


def test_a_shape_with_a_prose_line_is_not_proposed():
    def captures(prose: bool) -> list[list[str]]:
        found = [[f"Update {i}: {w} {w}", "Body line of its own number " + str(i)]
                 for i, w in enumerate(["rain", "snow", "wind", "hail"])]
        if prose:
            found[0].append("Update 1: the council met again on Tuesday and voted for the park.")
        return found

    from cleaner.authoring.line_shapes import find_shapes

    def shapes(prose: bool) -> list[str]:
        profile = Profile.of(captures(prose))
        settings = Settings(shape_categories=("navigation",))
        return [s.pattern for s in find_shapes(profile, repeated_keys(profile, settings),
                                               settings)]

    assert shapes(prose=False) == [r"Update\s+\d[\d.,:/]*:(?:\s.*)?"]
    assert shapes(prose=True) == []


OPENER = "{ 3 comments… read them below or add one }"


def long_comments(i: int) -> list[str]:
    """Readers' comments that outweigh the article, each under a name and a time."""
    return [line for j in range(8)
            for line in (f"{synthetic.NAMES[(i + j) % 8]} 07.1{j}.12 at 1{j}:35",
                         *synthetic.body(100 + 10 * i + j))]


def commented(i: int, opener_inside: bool = False) -> list[str]:
    """A post whose comments follow an opener line ("{ N comments… }")."""
    paragraphs = synthetic.body(i)
    if opener_inside:  # a comments link placed inside the article, a paragraph after it
        return [f"Post {i}", paragraphs[0], paragraphs[1], OPENER, *paragraphs[2:]]
    return [f"Post {i}", *paragraphs, OPENER, *long_comments(i)]


def test_a_line_opening_long_comments_becomes_a_cut_marker():
    captures = [commented(i) for i in range(5)]
    profile = Profile.of(captures)
    markers = find_markers(profile, repeated_keys(profile, Settings()), Settings())
    assert [m.text for m in markers] == [OPENER]
    cleaner = Cleaner(load_rules_with(draft_site(SITE, captures)), use_model=False)
    cleaned = cleaner.clean("\n\n".join(commented(7)) + "\n", url=f"https://{SITE}/x")
    assert all(paragraph in cleaned for paragraph in synthetic.body(7))  # the article stays
    assert "07.10.12 at 10:35" not in cleaned and synthetic.body(170)[0] not in cleaned


def test_a_comments_line_followed_by_a_paragraph_is_no_cut_marker():
    captures = [commented(i) for i in range(4)] + [commented(4, opener_inside=True)]
    profile = Profile.of(captures)
    markers = find_markers(profile, repeated_keys(profile, Settings()), Settings())
    assert OPENER not in [m.text for m in markers]
    kept = synthetic.body(4)[2]  # the paragraph after the link stays in every draft
    assert "\n" + kept + "\n" in Cleaner(load_rules_with(draft_site(SITE, captures)),
                                         use_model=False).clean(
        "\n\n".join(commented(4, opener_inside=True)) + "\n", url=f"https://{SITE}/x")


def test_an_opener_shown_twice_in_a_row_is_still_a_cut_marker():
    # "45 comments" as the section's count and again as its heading: no prose between
    # the copies, so cutting at the first ends the article where cutting at either would
    captures = [[*commented(i)[:-len(long_comments(i)) - 1], OPENER, OPENER, *long_comments(i)]
                for i in range(5)]
    profile = Profile.of(captures)
    markers = find_markers(profile, repeated_keys(profile, Settings()), Settings())
    assert [m.text for m in markers] == [OPENER]


def test_an_opener_shown_twice_then_a_paragraph_is_no_cut_marker():
    # what follows the second copy decides, as it would for a single one
    inside = commented(4, opener_inside=True)
    at = inside.index(OPENER)
    captures = [commented(i) for i in range(4)] + [inside[:at] + [OPENER] + inside[at:]]
    profile = Profile.of(captures)
    markers = find_markers(profile, repeated_keys(profile, Settings()), Settings())
    assert OPENER not in [m.text for m in markers]


def test_a_line_shown_before_and_after_the_article_is_no_cut_marker():
    # the same comments link in the header and under the article: which one ends it?
    captures = [[OPENER, *commented(i)] for i in range(5)]
    profile = Profile.of(captures)
    markers = find_markers(profile, repeated_keys(profile, Settings()), Settings())
    assert OPENER not in [m.text for m in markers]


def _redesigned(i: int, design: int) -> list[str]:
    """The i-th synthetic capture in one of three designs: its own menu and footer."""
    lines = synthetic.article(i)
    menu, footer = DESIGNS[design]
    return [*menu, *lines[len(MENU):-len(FOOTER)], *footer]


DESIGNS = [(MENU, FOOTER),
           (["Front Page", "Local News", "Weather Desk", "Classified Ads"],
            ["Contact the newsroom", "Advertise with us", "Corrections"]),
           (["Home", "Latest Stories", "Podcasts", "Newsletters"],
            ["Careers", "Help Centre", "Site Map", "Accessibility"])]


def _template_lines(design: int) -> set[str]:
    """A design's lines proposed as they are (a line with digits becomes a pattern)."""
    return {t for t in DESIGNS[design][0] + DESIGNS[design][1] if not any(map(str.isdigit, t))}


def test_each_template_of_a_redesigned_site_is_learned():
    # three designs of three captures each: each design's lines stand in a third of the
    # captures, under the site-wide share, yet in every capture made with that design
    captures = [_redesigned(i, i // 3) for i in range(9)]
    profile = Profile.of(captures)
    assert [g.size for g in template_groups(profile, Settings())] == [3, 3, 3]
    assert not (_template_lines(1) | _template_lines(2)) & repeated_keys(profile, Settings())
    proposed = proposed_lines(draft_site(SITE, captures))
    assert _template_lines(0) | _template_lines(1) | _template_lines(2) <= proposed
    assert all("Headline" not in line for line in proposed)


def test_one_template_is_one_group_and_small_groups_are_not_learned_alone():
    assert template_groups(Profile.of(synthetic.captures()), Settings()) == []
    # two captures of a second design: too few to tell template from a shared story
    captures = [_redesigned(i, 0 if i < 6 else 1) for i in range(8)]
    profile = Profile.of(captures)
    assert [g.size for g in template_groups(profile, Settings())] == [6]
    assert not _template_lines(1) & proposed_lines(draft_site(SITE, captures))


PLUS_HEADER = ["Example Daily Plus", "Read Example Daily on your phone", "Staff picks of the week"]
PLAIN_HEADER, PLAIN_FOOTER = DESIGNS[1]


def test_a_marker_of_one_design_cuts_only_pages_of_that_design():
    # four captures end their articles with the comments opener; five of another design
    # never show it, so the whole site does not make it a marker, its design does
    plus = [[*PLUS_HEADER, *commented(i)] for i in range(4)]
    plain = [[*PLAIN_HEADER, f"Post {i}", *synthetic.body(i), *PLAIN_FOOTER] for i in range(4, 9)]
    draft = draft_site(SITE, plus + plain)
    markers = [p.table for p in draft.proposals if p.table["action"] == "truncate-after"]
    bound = [m for m in markers if "requires" in m]
    assert len(bound) == 1 and set(bound[0]["requires"]) <= set(PLUS_HEADER)
    cleaner = Cleaner(load_rules_with(draft), use_model=False)

    def clean(lines: list[str]) -> str:
        return cleaner.clean("\n\n".join(lines) + "\n", url=f"https://{SITE}/x")

    cleaned = clean([*PLUS_HEADER, *commented(9)])
    assert all(paragraph in cleaned for paragraph in synthetic.body(9))
    assert synthetic.body(190)[0] not in cleaned  # the readers' comments went
    # the other design shows the opener above its article: no cut there
    cleaned = clean([*PLAIN_HEADER, OPENER, "Post 9", *synthetic.body(9), *PLAIN_FOOTER])
    assert all(paragraph in cleaned for paragraph in synthetic.body(9))


def test_a_design_of_three_captures_gives_no_marker():
    plus = [[*PLUS_HEADER, *commented(i)] for i in range(3)]
    plain = [[*PLAIN_HEADER, f"Post {i}", *synthetic.body(i), *PLAIN_FOOTER] for i in range(3, 8)]
    draft = draft_site(SITE, plus + plain)
    assert not any("requires" in p.table for p in draft.proposals)
