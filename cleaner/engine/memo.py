"""A bounded memo that keeps the keys in use: two generations of a dict.

Lines recur across captures (menus, footers, prompts), so rule verdicts and model
scores are remembered by line text. A memo that is emptied when it fills forgets the
lines that recur most along with the rest, and the captures after each emptying pay
for all of them again. Here the full generation becomes the old one instead: a key
that misses the current generation and is found in the old one is carried over, so
keys in use survive every turn, and memory stays within two generations.
"""
from __future__ import annotations

from typing import Generic, TypeVar

Key = TypeVar("Key")
Value = TypeVar("Value")


class Memo(Generic[Key, Value]):
    """Values by key, at most ``2 * limit`` of them.

    Hot loops may read ``current`` directly (one dict look-up) and call ``recall``
    only when it misses.

    >>> memo = Memo[str, int](limit=2)
    >>> memo.put("menu", 1), memo.put("a", 2), memo.put("b", 3)  # "b" starts a generation
    (1, 2, 3)
    >>> memo.get("menu"), memo.put("c", 4), memo.put("d", 5)    # "menu" was carried over
    (1, 4, 5)
    >>> memo.get("menu"), memo.get("a")                           # "a" was not in use
    (1, None)
    """

    __slots__ = ("limit", "current", "old")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.current: dict[Key, Value] = {}
        self.old: dict[Key, Value] = {}

    def get(self, key: Key) -> Value | None:
        found = self.current.get(key)
        return self.recall(key) if found is None else found

    def recall(self, key: Key) -> Value | None:
        """The value of a key the current generation lacks, carried over when found."""
        found = self.old.get(key)
        return None if found is None else self.put(key, found)

    def put(self, key: Key, value: Value) -> Value:
        if len(self.current) >= self.limit:
            self.old, self.current = self.current, {}
        self.current[key] = value
        return value

    def __len__(self) -> int:
        return len(self.current) + len(self.old)
