"""A mapping that keeps only the most recently used entries.

The edge caches clients and lookups per ``serviceUrl``, and ``serviceUrl`` is whatever the
caller posts. A plain dict grew with every distinct one (230 to 335 MB over 3,000 URLs in
local mode). The standard library has no bounded mapping (``functools.lru_cache`` caches a
function's results, and our values are built by coroutines), so this is one, on
``OrderedDict``. An evicted value is only dropped, never closed: a turn may still hold it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class LruCache(Generic[K, V]):
    """At most ``maxsize`` entries; reading or writing an entry makes it the newest."""

    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.maxsize = maxsize
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.maxsize:
            self._items.popitem(last=False)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[K]:
        """Oldest first."""
        return iter(self._items)
