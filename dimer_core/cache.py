"""A small thread-safe cache bounded in entries and in bytes.

The dashboard serves several sessions from one process, so every shared cache
of the engine is one of these: least recently used entries go first.
"""
import threading
from collections import OrderedDict


class BoundedCache:
    """LRU mapping with at most ``max_items`` entries and ``max_bytes`` in total.

    Values report their size through an ``nbytes`` attribute (0 if absent).
    """

    def __init__(self, max_items=32, max_bytes=512 * 2 ** 20):
        self.max_items = max_items
        self.max_bytes = max_bytes
        self._data = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        return None

    def put(self, key, value):
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.max_items or (len(self._data) > 1 and self.nbytes > self.max_bytes):
                self._data.popitem(last=False)

    def get_or_build(self, key, build):
        value = self.get(key)
        if value is None:
            value = build()
            self.put(key, value)
        return value

    def clear(self):
        with self._lock:
            self._data.clear()

    def __len__(self):
        return len(self._data)

    @property
    def nbytes(self):
        return sum(getattr(v, "nbytes", 0) for v in self._data.values())

__all__ = ["BoundedCache"]
