"""Producers -> consumers through an ft_utils ConcurrentQueue (lock-free push, blocking pop)."""

try:
    from ft_utils.concurrency import ConcurrentQueue
except ImportError:
    ConcurrentQueue = None

from _support import ALTERNATOR, CONSUMER, PRODUCER, State, check, check_items, role

PRIMITIVE = "ft_utils.concurrency.ConcurrentQueue"
SCENARIO = "producer-consumer"
INVARIANT = "the multiset of items got equals the multiset put, and the queue is empty at the end"
DESCRIPTION = ("ConcurrentQueue.push / pop (pop waits without spinning) in place of SimpleQueue put/get; same "
               "roles and items as simplequeue_pipeline")
PACKAGES = ["ft_utils"]
VARIANT_OF = "simplequeue_pipeline"


def setup(threads):
    return State(threads=threads, q=ConcurrentQueue(), got=[None] * threads)


# Roles (see _support.role): even index puts `ops` items, odd index gets `ops` items, and with an
# odd thread count the last thread does `ops` put+get pairs.
# Pushes never block (unbounded) and consumers pop at most what producers pushed, so every pop is served.
def worker(state, thread_index, ops):
    put, get = state.q.push, state.q.pop
    kind = role(state.threads, thread_index)
    base = thread_index * ops
    if kind == PRODUCER:
        for item in range(base, base + ops):
            put(item)
    elif kind == CONSUMER:
        got = []
        keep = got.append
        for _ in range(ops):
            keep(get())
        state.got[thread_index] = got
    else:
        assert kind == ALTERNATOR
        got = []
        keep = got.append
        for item in range(base, base + ops):
            put(item)
            keep(get())
        state.got[thread_index] = got


def verify(state, threads, ops):
    check_items(state.got, threads, ops)
    check(state.q.empty(), f"{state.q.size()} items left in the queue")
