"""Tests for cleaner/engine/agreement.py: trafilatura's tail is cut where readability's
article ends."""
from __future__ import annotations

from cleaner.engine.agreement import Holder, cut_tail, shingles, words

ARTICLE = [
    "Council backs new park",
    "The city council voted on Tuesday to expand the riverside park by twelve hectares.",
    "Supporters said the new land would give families a green space near their homes.",
    "Opponents argued that the money should have gone to road repairs instead.",
    "Work on the first phase is due to begin in the spring of next year.",
]
ASIDE = "Read the full council minutes on the city website before the next meeting."
TAIL = [
    "More from the city",
    "Police are asking for witnesses after a lorry overturned on the ring road.",
    "The old cinema on the high street will reopen as a music venue.",
]


def test_words_are_unicode_word_runs():
    assert words("Zürich, 3 Mai — «Grüezi»!") == ["Zürich", "3", "Mai", "Grüezi"]


def test_shingles_of_a_short_list_is_the_list_itself():
    assert shingles(["a", "b"]) == {("a", "b")}
    assert shingles([]) == set()
    assert shingles(list("abcde")) == {tuple("abcd"), tuple("bcde")}


def test_the_tail_after_the_last_shared_line_goes():
    other = " ".join(ARTICLE[1:])  # readability leaves the headline out, as it often does
    assert cut_tail(ARTICLE + TAIL, other) == ARTICLE


def test_lines_between_shared_lines_stay():
    lines = ARTICLE[:3] + [ASIDE] + ARTICLE[3:] + TAIL
    assert cut_tail(lines, " ".join(ARTICLE[1:])) == ARTICLE[:3] + [ASIDE] + ARTICLE[3:]


def test_a_line_mostly_held_counts_as_shared():
    # readability's markup can split or join a few words differently
    other = " ".join(ARTICLE[1:-1]) + " Work on the first phase is due to begin in spring"
    assert cut_tail(ARTICLE + TAIL, other) == ARTICLE


def test_short_lines_are_matched_as_whole_words():
    holder = Holder("The vote was close. More from the city council follows.")
    assert holder.holds(words("More from"))
    assert not holder.holds(words("More fro"))
    assert not holder.holds(words("city hall"))


def test_too_little_other_text_changes_nothing():
    # readability found a caption, not the article: its end says nothing
    assert cut_tail(ARTICLE + TAIL, ARTICLE[2]) == ARTICLE + TAIL


def test_no_shared_line_changes_nothing():
    other = " ".join(["An unrelated text about the weather in the mountains today."] * 10)
    assert cut_tail(ARTICLE + TAIL, other) == ARTICLE + TAIL


def test_empty_inputs():
    assert cut_tail([], "anything at all") == []
    assert cut_tail(ARTICLE, "") == ARTICLE
