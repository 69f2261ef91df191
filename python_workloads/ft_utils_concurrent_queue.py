"""Every thread pushes to and pops from an ft_utils ConcurrentQueue (lock-free push, blocking pop)."""

try:
    from ft_utils.concurrency import ConcurrentQueue
except ImportError:
    ConcurrentQueue = None

from _support import State, check, check_items

PRIMITIVE = "ft_utils.concurrency.ConcurrentQueue"
SCENARIO = "producer-consumer"
OPERATION = "put one item into one unbounded queue, then get one (any thread's)"
INVARIANT = "the multiset of items got equals the multiset put, and the queue is empty at the end"
DESCRIPTION = ("ConcurrentQueue.push / pop (pop waits without spinning) in place of SimpleQueue put/get; per op "
               "a push then a pop, as simplequeue_pipeline")
PACKAGES = ["ft_utils"]
MUTANT = "ConcurrentQueue = RacyQueue"
VARIANT_OF = "simplequeue_pipeline"


def setup(threads):
    return State(threads=threads, q=ConcurrentQueue(), got=[None] * threads)


# Every thread pushes its own `ops` items and pops `ops` items, one push then one pop per op, so an
# op is the same work at every thread count (as simplequeue_pipeline). A pop never waits for an item
# that will not come: each thread between its push and its pop accounts for one item in the queue.
def worker(state, thread_index, ops):
    put, get = state.q.push, state.q.pop
    got = []
    keep = got.append
    base = thread_index * ops
    for item in range(base, base + ops):
        put(item)
        keep(get())
    state.got[thread_index] = got


def verify(state, threads, ops):
    check_items(state.got, threads, ops)
    check(state.q.empty(), f"{state.q.size()} items left in the queue")
