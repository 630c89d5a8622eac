"""A small thread-safe LRU cache bounded by bytes, not entries: what a worker keeps stays within its budget
whatever the entries weigh (rendered reports, question fragments)."""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")
ENTRY_OVERHEAD = 200  # bytes of an entry besides its value: the key tuple, the dict slot, the link


class LRU(Generic[V]):
    """Entries whose weights (`weigh(key, value)`, bytes) sum to at most `max_bytes`; the least recently used go
    first. An entry heavier than the whole budget is not kept."""

    def __init__(self, max_bytes: int, weigh: Callable[[Hashable, V], int] = lambda _, v: sys.getsizeof(v)) -> None:
        self.max_bytes, self._weigh = max_bytes, weigh
        self._items: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        """The cached value, marked as recently used, or None."""
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            self._items.move_to_end(key)
            return found[0]

    def put(self, key: Hashable, value: V) -> None:
        """Store a value, evicting the least recently used entries until the budget holds."""
        weight = self._weigh(key, value) + ENTRY_OVERHEAD
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            if weight > self.max_bytes:
                return
            self._items[key] = (value, weight)
            self._bytes += weight
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped

    @property
    def bytes(self) -> int:
        """The weight of everything kept."""
        return self._bytes

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def drop(self, predicate: Callable[[Hashable], bool]) -> None:
        """Forget every entry whose key matches (a revoked link's result)."""
        with self._lock:
            for key in [k for k in self._items if predicate(k)]:
                self._bytes -= self._items.pop(key)[1]
