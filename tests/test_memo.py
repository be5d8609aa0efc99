"""The two-generation memo: right values, bounded size, and keys in use kept."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cleaner.engine.memo import Memo

OPERATIONS = st.lists(st.tuples(st.booleans(), st.integers(0, 12), st.integers()), max_size=200)


@given(OPERATIONS, st.integers(1, 5))
def test_a_value_found_is_the_last_one_put_and_size_stays_bounded(operations, limit) -> None:
    memo: Memo[int, int] = Memo(limit)
    latest: dict[int, int] = {}
    for is_put, key, value in operations:
        if is_put:
            assert memo.put(key, value) == value
            latest[key] = value
        else:
            found = memo.get(key)
            assert found is None or found == latest[key]
        assert len(memo.current) <= limit and len(memo.old) <= limit


def test_a_key_in_use_survives_every_turn() -> None:
    memo: Memo[str, int] = Memo(limit=10)
    memo.put("menu", 1)
    for number in range(1000):
        memo.put(f"line {number}", number)
        if number % 9 == 0:  # looked up at least once per generation
            assert memo.get("menu") == 1


def test_a_key_not_in_use_is_forgotten_after_two_generations() -> None:
    memo: Memo[str, int] = Memo(limit=10)
    memo.put("once", 1)
    for number in range(20):
        memo.put(f"line {number}", number)
    assert memo.get("once") is None
    assert len(memo) <= 20


def test_recall_finds_only_the_old_generation_and_carries_the_key_over() -> None:
    memo: Memo[str, int] = Memo(limit=1)
    memo.put("a", 1)
    memo.put("b", 2)  # "a" is now in the old generation
    assert "a" not in memo.current and memo.recall("a") == 1
    assert memo.current == {"a": 1}
    assert memo.recall("missing") is None
    assert memo.old == {"b": 2} and len(memo) == 2  # carrying "a" over turned a generation
