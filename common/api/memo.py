"""Values a request would otherwise build again on every request, kept in the process."""

import threading
from collections import OrderedDict

MEMOS = []


class Memo:
    """The most recent ``size`` values built by ``get``, by key; thread-safe. A key must
    name everything the value depends on (for a query: the data version among them)."""

    def __init__(self, size):
        self.size = size
        self.entries = OrderedDict()
        self.lock = threading.Lock()
        MEMOS.append(self)

    def get(self, key, build):
        with self.lock:
            value = self.entries.get(key)
            if value is not None:
                self.entries.move_to_end(key)
        if value is None:
            value = build()
            with self.lock:
                self.entries[key] = value
                while len(self.entries) > self.size:
                    self.entries.popitem(last=False)
        return value

    def clear(self):
        with self.lock:
            self.entries.clear()


def clear_memos():
    for memo in MEMOS:
        memo.clear()
