"""The learning bounds of benchmarks/ceiling.py: each corrects only where train captures
hold a signal."""
from collections import Counter

from benchmarks.ceiling import (cut_at_edges, drop_repeated, kept_in_order, make_page,
                                output_of, restore_all_unseen, restore_unseen)

TRUTH = ("Council votes to expand the park\n"
         "The council voted on Tuesday to expand the riverside park by ten acres.\n"
         "Work begins in the spring and should end before the summer festival.")
CAPTURE = ("Home\nNews\nTrending now: a story from another day\nShare this:\n"
           "Council votes to expand the park\n"
           "The council voted on Tuesday to expand the riverside park by ten acres.\n"
           "Read more\n"
           "Work begins in the spring and should end before the summer festival.\n"
           "Comments\nA reader wrote something new about the park today, at length.\n"
           "Home\n")
TRAIN = Counter({"Home": 5, "News": 5, "Share this:": 4, "Read more": 3, "Comments": 4})


def page(output: str):
    return make_page(CAPTURE, output, TRUTH, TRAIN)


def test_kept_in_order_keeps_the_removed_one_of_two_equal_lines():
    assert kept_in_order(["Home", "Story", "Home"], "Story\nHome") == (False, True, True)
    assert kept_in_order(["Home", "Story", "Home"], "Home\nStory") == (True, True, False)


def test_truth_lines_are_found_short_and_long():
    found = page(CAPTURE)
    by_line = dict(zip(found.lines, found.in_truth))
    assert by_line["Council votes to expand the park"]
    assert by_line["Work begins in the spring and should end before the summer festival."]
    assert not by_line["Read more"] and not by_line["Home"]


def test_drop_repeated_drops_only_lines_the_train_captures_hold():
    found = page(CAPTURE)
    kept = output_of(found, (drop_repeated,)).splitlines()
    assert "Read more" not in kept and "Home" not in kept
    assert "Trending now: a story from another day" in kept  # in no train capture


def test_cut_at_edges_cuts_at_the_nearest_template_lines():
    kept = output_of(page(CAPTURE), (cut_at_edges,)).splitlines()
    assert kept[0] == "Council votes to expand the park"  # after "Share this:"
    assert kept[-1].startswith("Work begins")  # "Comments" ends it
    assert "Read more" in kept  # inside the article: not an edge


def test_restore_unseen_returns_removed_truth_never_template():
    output = "Read more\nWork begins in the spring and should end before the summer festival."
    kept = output_of(page(output), (restore_unseen,)).splitlines()
    assert "Council votes to expand the park" in kept
    assert "Home" not in kept and "Trending now: a story from another day" not in kept


def test_restore_all_unseen_trusts_every_new_line_without_the_truth():
    kept = output_of(page("Read more"), (restore_all_unseen,)).splitlines()
    assert "Trending now: a story from another day" in kept
    assert "Council votes to expand the park" in kept
    assert "Home" not in kept and "Comments" not in kept
