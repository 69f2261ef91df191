"""A counter that many threads may add to: every change under one lock."""

import threading


class Counter:
    def __init__(self):
        self._lock = threading.Lock()
        self._value = 0

    def add(self, n=1):
        with self._lock:
            self._value += n

    @property
    def value(self):
        with self._lock:
            return self._value
