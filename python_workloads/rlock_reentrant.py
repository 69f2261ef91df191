"""A re-entrant API: a locked method calls back into the object, which takes the RLock again."""

import threading

from _support import State, check_count

PRIMITIVE = "threading.RLock"
SCENARIO = "re-entrant-api"
OPERATION = "update a shared ledger through a method that re-enters its lock"
INVARIANT = "total == audited == threads * ops (every update and its nested audit happened once)"
DESCRIPTION = "Ledger.update takes the RLock and calls a per-thread callback that re-enters via Ledger.audit"
PACKAGES = []
MUTANT = "threading = without(threading, RLock=NoLock)"


class Ledger:
    """An API layer guarded by one RLock; `audit` is public too, so it locks on its own."""

    def __init__(self):
        self._lock = threading.RLock()
        self.total = 0
        self.audited = 0

    def update(self, amount, callback):
        with self._lock:
            self.total += amount
            callback(self, amount)

    def audit(self, amount):
        with self._lock:  # nested acquire when called from update's callback
            self.audited += amount


def setup(threads):
    return State(threads=threads, ledger=Ledger())


def worker(state, thread_index, ops):
    ledger = state.ledger

    def on_update(ledger, amount):  # one callback object per thread: nothing shared but the ledger
        ledger.audit(amount)

    update = ledger.update
    for _ in range(ops):
        update(1, on_update)


def verify(state, threads, ops):
    check_count("ledger total", threads * ops, state.ledger.total)
    check_count("nested audits", threads * ops, state.ledger.audited)
