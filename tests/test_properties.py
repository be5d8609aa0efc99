"""Property tests of two invariants of the engine, on the seeds and on generated captures.

(a) accounting: the kept text plus the recorded removals account for every character
    of the normalised input, nothing lost and nothing invented;
(b) idempotence: cleaning a cleaned text changes nothing, the generic stage included
    (the rules and the stage both run to a fixed point).
"""
from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cleaner import Cleaned, Cleaner
from cleaner.engine.tidy import assemble
from cleaner.model import Line

from .helpers import SEED_URLS as URLS

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"

CLEANER = Cleaner()  # the shipped rules and the generic stage, loaded once
RULES_ONLY = Cleaner(use_model=False)


SEED_NAMES = sorted(p.name for p in SEEDS.glob("*.txt"))
SEED_URLS = sorted(set(URLS.values()))


# --- the two invariants --------------------------------------------------------------------

def policy_join(texts: list[str]) -> str:
    """POLICY.md's whitespace rules: blank runs collapse to one, none at the ends, final newline."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for text in texts:
        if text.strip():
            current.append(text)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return "\n\n".join("\n".join(block) for block in blocks) + "\n" if blocks else ""


def replay(cleaned: Cleaned) -> list[Line]:
    """Cut every recorded removal out of the normalised input, in recorded order per line.

    Removals on one line were made in turn, so each one's start/end index the line as
    it was after the previous removals on that line. Returns the lines left: untouched
    lines (blank ones included) and touched lines that still have something in them.
    """
    numbers = [line.number for line in cleaned.lines]
    assert numbers == list(range(1, len(numbers) + 1)), "input lines are numbered 1..n"
    by_line: dict[int, list] = defaultdict(list)
    for removal in cleaned.removals:
        by_line[removal.line].append(removal)
    assert set(by_line) <= set(numbers), "a removal names a line that is not in the input"

    left: list[Line] = []
    for line in cleaned.lines:
        text = line.text
        removed = 0
        for removal in by_line.get(line.number, []):
            assert 0 <= removal.start <= removal.end <= len(text), (line, removal, text)
            assert text[removal.start:removal.end] == removal.text, (line, removal, text)
            text = text[:removal.start] + text[removal.end:]
            removed += len(removal.text)
        # no character lost or invented on this line
        assert removed + len(text) == len(line.text)
        if by_line.get(line.number) and text == "":
            continue  # the line went entirely
        left.append(Line(line.number, text))
    return left


def check_accounting(cleaned: Cleaned) -> None:
    left = replay(cleaned)
    joined = policy_join([line.text for line in left])
    assert joined == assemble(left)  # the engine joins lines the way POLICY says
    assert cleaned.text == joined
    # the replayed text equals the kept text, line for line
    assert [l.text for l in left if l.text.strip()] == \
        [t for t in cleaned.text.split("\n") if t.strip()]
    total_in = sum(len(line.text) for line in cleaned.lines)
    total_removed = sum(len(r.text) for r in cleaned.removals)
    assert total_in == total_removed + sum(len(line.text) for line in left)


def check_idempotent(capture: str | bytes, url: str | None, cleaner: Cleaner = CLEANER) -> None:
    once = cleaner.clean(capture, url=url)
    twice = cleaner.clean(once, url=url)
    assert twice == once


# --- the seeds -----------------------------------------------------------------------------

@pytest.mark.parametrize("with_url", [True, False], ids=["url", "no-url"])
@pytest.mark.parametrize("name", SEED_NAMES)
def test_seed_accounting(name: str, with_url: bool) -> None:
    url = URLS[name] if with_url else None
    cleaned = CLEANER.clean_and_explain((SEEDS / name).read_bytes(), url=url)
    assert cleaned.removals  # every seed has boilerplate, so the check is not vacuous
    check_accounting(cleaned)


@pytest.mark.parametrize("with_url", [True, False], ids=["url", "no-url"])
@pytest.mark.parametrize("name", SEED_NAMES)
def test_seed_idempotence(name: str, with_url: bool) -> None:
    check_idempotent((SEEDS / name).read_bytes(), URLS[name] if with_url else None, CLEANER)


# --- generated captures --------------------------------------------------------------------

BOILERPLATE = [
    # POLICY examples, category by category
    "Subscribe for unlimited access",
    "$14 monthly or $100 annually ($8.33/month)",
    "Continue reading this article for free",
    "Please log in or register with for free access to this article.",
    "Log In",
    "The full text of this post is available to subscribers.",
    "The website uses cookies and similar technologies to track browsing behavior for "
    "adapting the website to the user. Detailed information can be found in our Privacy "
    "Policy. By using our site, you agree to these terms.",
    "We use cookies to improve your experience. By continuing to browse, you agree to our "
    "cookie policy.",
    "Accept all cookies",
    "Today's news headlines, directly to your inbox every morning.",
    "Ahmed Rasheed",
    "By Jane Roe",
    "Bryant Harris is Al-Monitor's congressional correspondent. He was previously the White "
    "House assistant correspondent for Yomiuri Shimbun.",
    "April 4, 2023",
    "Sunday 26 January 2020",
    "Updated: March 3, 2021 at 10:45 am",
    "Iraqi protesters set a sentry box ablaze in front of the US embassy in Baghdad amid "
    "fury over US air strikes. Photo: Getty Images",
    "A member of the Iraqi security forces stands by a destroyed vehicle. — AYMAN HENNA/AFP "
    "via Getty Images",
    "Skip to main content",
    "print",
    "Related Topics",
    "Found in: iranian influence, baghdad, us embassy",
    "Also in World News",
    "Editors Choice",
    "Iran Iraq US US Ambassadors",
    "Tags: iraq, embassy, militias",
    "Home > World > Middle East",
    "Read More",
    "The following report is now a complimentary offering from MEMRI's Jihad and Terrorism "
    "Threat Monitor (JTTM). For JTTM subscription information, click here.",
    "The Cyber & Jihad Lab",
    "Please login or register to request subscription information from MEMRI",
    "Continue reading this article by registering at no cost and get unlimited access to:",
    "  • Archived articles",
    "Leave a Reply",
    "Your email address will not be published.",
    "This site uses Akismet to reduce spam. Learn how your comment data is processed.",
    "12 Comments",
    "Share on Facebook",
    "Follow us on Twitter",
    "Advertisement",
    "Sponsored",
    "Story continues below advertisement",
    "(© Washington Post)",
    "All rights reserved.",
    "© 2024 Example News Media. All rights reserved.",
    "Download our free app for breaking news alerts.",
    ".",
    "—",
    "OR",
]

PROSE = [
    "Council backs new park",
    "The council voted on Tuesday to expand the park, officials said.",
    "Two weeks ago, Mr Pompeo warned Iran of a \"decisive US response\" if the regime "
    "harmed American troops. (© Washington Post)",
    "BAGHDAD — A new wave of hostility against the US has resurfaced recently.",
    "Know more: Al-Monitor’s Iraq editor Ali Mamouri details the embassy attack.",
    "Why it matters: the vote could expel American forces from Iraq.",
    "“Death to America!” they chanted, before withdrawing to join thousands of others…",
    "Bakers say the cookies sold out on April 4, 2023, by noon.",
    "Leave a reply at the front desk, the bakers said, and your email address will not be "
    "published.",
    "The bakery (© Bakers Guild) sold out by noon on Tuesday.",
    "Ambassador flees as angry Iraqis storm US embassy",
    "Iran is intimately involved in this…",
    "Trump puts the Islamic Republic on notice.",
    "\"Ambassador Is Meddling In Iraqi Affairs\"",
    "Background",
    "US senator Marco Rubio tweeted that Iran was responsible for the disorder.",
    "The text was cut off mid-wo",
]

CAPTIONS = [
    "Iraqi protesters set a sentry box ablaze in front of the US embassy in Baghdad amid "
    "fury over US air strikes. Photo: Getty Images",
    "A member of the Iraqi security forces stands by a destroyed vehicle that was carrying "
    "rockets amid sacks of flour, in the district of al-Baghdadi in al-Anbar province.",
    "Protesters set a sentry box ablaze in front of the embassy amid fury over air strikes.",
]


def _seed_lines() -> list[str]:
    lines = []
    for name in SEED_NAMES:
        for line in (SEEDS / name).read_text(encoding="utf-8").splitlines():
            if line.strip() and len(line) < 400:
                lines.append(line)
    return lines


SEED_LINES = _seed_lines()

SPECIAL = ["\u00a0", "\u202f", "\u2007", "\t", "\r", " ", "“", "”", "‘", "’", "—", "–", "…",
           "é", "Ã©", "â€™", "😀", "👍🏽", "Ａ", "ﬁ", "\ufeff", "\u200b", "(", ")", "©", ".", ":",
           "$", "•", "-", "<", ">", "&"]
# st.text with a broad alphabet, plus multi-character pieces (mojibake, emoji with modifier)
ARBITRARY = st.lists(
    st.one_of(st.sampled_from(SPECIAL), st.characters(blacklist_categories=("Cs",))),
    max_size=60,
).map("".join)


@st.composite
def repeated_caption(draw) -> list[str]:
    caption = draw(st.sampled_from(CAPTIONS))
    copies = draw(st.integers(2, 3))
    cut = draw(st.booleans())
    first = caption[:draw(st.integers(60, len(caption)))] if cut else caption
    return [first] + [caption] * (copies - 1)


def _one(strategy) -> st.SearchStrategy[list[str]]:
    return strategy.map(lambda line: [line])


BLOCK = st.one_of(
    _one(st.sampled_from(BOILERPLATE)),
    _one(st.sampled_from(PROSE)),
    _one(st.sampled_from(SEED_LINES)),
    _one(ARBITRARY),
    _one(st.just("")),
    repeated_caption(),
    # boilerplate with arbitrary decoration around it (spaces, NBSP, tabs)
    st.tuples(st.sampled_from(["", " ", "\u00a0", "\t", "  "]), st.sampled_from(BOILERPLATE),
              st.sampled_from(["", " ", "\u00a0", "\t", "\u00a0 "]))
    .map(lambda t: ["".join(t)]),
)


@st.composite
def captures(draw) -> tuple[str, str | None]:
    blocks = draw(st.lists(BLOCK, min_size=0, max_size=25))
    lines = [line for block in blocks for line in block]
    newline = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    text = newline.join(lines) + draw(st.sampled_from(["", newline]))
    url = draw(st.one_of(st.none(), st.sampled_from(SEED_URLS)))
    return text, url


SETTINGS = settings(max_examples=int(os.environ.get("CLEANER_EXAMPLES", "200")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(captures())
def test_generated_accounting(capture: tuple[str, str | None]) -> None:
    text, url = capture
    check_accounting(CLEANER.clean_and_explain(text, url=url))


@SETTINGS
@given(captures())
def test_generated_accounting_bytes(capture: tuple[str, str | None]) -> None:
    text, url = capture
    check_accounting(CLEANER.clean_and_explain(text.encode("utf-8"), url=url))


@SETTINGS
@given(captures())
def test_generated_idempotence(capture: tuple[str, str | None]) -> None:
    text, url = capture
    check_idempotent(text, url)


@SETTINGS
@given(ARBITRARY, st.one_of(st.none(), st.sampled_from(SEED_URLS)))
@example("\u200b\x1f", None)  # once found: a repair that leaves nothing shown
def test_arbitrary_single_line(text: str, url: str | None) -> None:
    check_accounting(CLEANER.clean_and_explain(text, url=url))
    check_idempotent(text, url)


@SETTINGS
@given(captures())
def test_generated_idempotence_rules_only(capture: tuple[str, str | None]) -> None:
    text, url = capture
    check_idempotent(text, url, RULES_ONLY)


# --- page-shaped captures: enough lines for the generic stage to judge ---------------------

MENUS = [["Home", "World", "Politics", "Business", "Tech", "Sport", "Opinion", "Video"],
         ["News", "Local", "Weather", "Traffic", "Contact us"],
         ["Menu", "Search", "Sign in", "Newsletters", "Podcasts", "Events", "Jobs"]]
FOOTERS = [["About us", "Careers", "Advertise", "Privacy policy", "Terms of use", "Sitemap"],
           ["Most read", "Storm closes coastal roads", "Museum reopens after fire",
            "Local team wins the cup"],
           ["Comments", "Jane Doe", "March 3, 2021 at 10:45 am",
            "I never thought I would see this happen in our town. Well done to everyone.",
            "Reply", "Tom", "March 4, 2021 at 8:12 am", "Agreed, it took far too long.", "Reply"]]
PARAGRAPHS = [line for line in PROSE + CAPTIONS if len(line.split()) >= 8] + \
    [line for line in SEED_LINES if len(line.split()) >= 12]


@st.composite
def pages(draw) -> str:
    blocks: list[list[str]] = [draw(st.sampled_from(MENUS))]
    blocks.append([draw(st.sampled_from(PROSE))])  # a headline-ish line
    body = draw(st.lists(st.sampled_from(PARAGRAPHS), min_size=2, max_size=12))
    for paragraph in body:
        blocks.append([paragraph])
        if draw(st.integers(0, 5)) == 0:
            blocks.append([draw(st.sampled_from(BOILERPLATE))])
    blocks.extend(draw(st.lists(st.sampled_from(FOOTERS + MENUS), min_size=0, max_size=3)))
    separator = draw(st.sampled_from(["\n", "\n\n"]))
    return separator.join(line for block in blocks for line in block) + "\n"


@SETTINGS
@given(pages(), st.one_of(st.none(), st.sampled_from(SEED_URLS)))
def test_page_shaped_captures_are_idempotent_with_the_model(text: str, url: str | None) -> None:
    cleaned = CLEANER.clean_and_explain(text, url=url)
    check_accounting(cleaned)
    again = CLEANER.clean_and_explain(cleaned.text, url=url)
    assert again.text == cleaned.text
    assert not any(r.rule_id.startswith("model:") for r in again.removals)


def test_page_shaped_captures_exercise_the_model() -> None:
    """The strategy above is not vacuous: the stage removes lines from such pages."""
    text = "\n\n".join(MENUS[0] + [PROSE[1]] + PARAGRAPHS[:6] + FOOTERS[2]) + "\n"
    cleaned = CLEANER.clean_and_explain(text)
    assert any(r.rule_id.startswith("model:") for r in cleaned.removals)
    assert CLEANER.clean(cleaned.text) == cleaned.text
