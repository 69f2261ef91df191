"""Unique ids for every thread from one itertools.count, handed out in batches by an ft_utils BatchExecutor."""

import itertools

try:
    from ft_utils.local import BatchExecutor
except ImportError:
    BatchExecutor = None

from _support import State, check_distinct_ids

PRIMITIVE = "ft_utils.local.BatchExecutor"
SCENARIO = "hot-counter"
INVARIANT = "threads*ops ids were handed out and no id twice (fails now and then with the GIL off: see UNSYNCHRONIZED)"
DESCRIPTION = ("op = load() the next id; the BatchExecutor calls the shared itertools.count 256 ids at a time; "
               "the stdlib alternative is id_source_lock (a Lock around every call)")
PACKAGES = ["ft_utils"]
VARIANT_OF = "id_source"
# Its docs promise results "accessed efficiently from multiple threads", but ft_utils 0.2.0 was seen handing one
# id to two threads with the GIL off (about one round in 20 of ~10^5 loads, at 2 and at 4 threads; with a source
# that can release the GIL, hundreds per round with the GIL on). So it is counted as unsafe, never ranked.
UNSYNCHRONIZED = True

BATCH = 256


def setup(threads):
    return State(threads=threads, source=BatchExecutor(itertools.count().__next__, BATCH), got=[None] * threads)


def worker(state, thread_index, ops):
    take = state.source.load
    ids = []  # made in its own thread
    keep = ids.append
    for _ in range(ops):
        keep(take())
    state.got[thread_index] = ids


def verify(state, threads, ops):
    check_distinct_ids(state.got, threads, ops)
