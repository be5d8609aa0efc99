"""Captures of a made-up site, for the learning tests: one template around unique articles.

Every capture has the site's menu, a dated by-line, an article of unique prose with
an "Advertisement" label inside it, a comment section opened by "Leave a Reply" and
a footer. Two captures share one prose sentence (two articles may quote the same
statement); every capture ends its article with the same sentence about the site.
"""
from __future__ import annotations

import random

SITE = "news.example.com"
MENU = ["Skip to content", "Example Daily", "World", "Business", "Sport", "Opinion"]
FOOTER = ["About us", "Example Daily Media Group", "Privacy Policy", "Terms of Use", "© 2024 Example Daily. All rights reserved."]
SHARED_PROSE = "The ministry did not respond to several requests for comment on Monday."
HOUSE_PROSE = "Example Daily is an independent newsroom reporting from four continents."
NAMES = ["Ann Lee", "Bo Park", "Cy Young", "Di Ross", "Ed Wood", "Flo Hart", "Gus Kim", "Hal Ito"]
WORDS = ("river council harbour budget school vote farmers market station summer report "
         "bridge workers plan city teachers hospital water energy price road museum train "
         "forest village coast storm festival court mayor tenants library").split()


def sentence(rng: random.Random, words: int = 14) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def body(i: int) -> list[str]:
    """The paragraphs of the i-th article."""
    rng = random.Random(i)
    paragraphs = [sentence(rng, 16 + j) for j in range(5)]
    if i in (1, 4):
        paragraphs.insert(1, SHARED_PROSE)
    return paragraphs


def article(i: int) -> list[str]:
    """The lines of the i-th capture (blank lines between blocks, as captures have)."""
    rng = random.Random(-i)
    body_ = body(i)
    lines = [*MENU, "", f"Headline {i}: {sentence(rng, 6)[:-1]}", "", f"March {i + 1}, 2024",
             "", body_[0], "", body_[1], "", "Advertisement", "",
             *(b for p in body_[2:] for b in (p, "")),
             HOUSE_PROSE, "", "Leave a Reply", "",
             f"Reader{i} says:", sentence(rng, 9), "", f"{NAMES[i % 8]} says:", sentence(rng, 8), "",
             f"Filed under {rng.choice(WORDS)}, {rng.choice(WORDS)} | {i % 3} Comments »", "",
             *FOOTER]
    return lines


def captures(count: int = 8) -> list[list[str]]:
    return [article(i) for i in range(count)]


def capture_text(i: int) -> str:
    return "\n".join(article(i)) + "\n"
