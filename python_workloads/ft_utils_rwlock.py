"""Read-mostly via one live dict under an ft_utils RWLock: readers share it, writers mutate it in place."""

try:
    from ft_utils.synchronization import RWLock
except ImportError:
    RWLock = None

from _support import State, check_read_mostly

PRIMITIVE = "dict + ft_utils.synchronization.RWLock"
SCENARIO = "read-mostly"
OPERATION = "read a consistent 3-field snapshot; every 32nd op publishes a new one"
INVARIANT = ("no reader ever saw a torn state (b == 2*a, a == 3*version+1, versions never go back); every "
             "thread made ops // 32 updates and the final version is threads * (ops // 32)")
DESCRIPTION = ("every 32nd op of every thread rewrites version, a, b in place under the write lock; every op "
               "reads them under the read lock; the stdlib alternative is locked_dict_reads")
PACKAGES = ["ft_utils"]
MUTANT = "RWLock = lambda: _types.SimpleNamespace(**dict.fromkeys( ['lock_read', 'unlock_read', 'lock_write', 'unlock_write'], lambda: None))"
VARIANT_OF = "read_mostly"

WRITE_EVERY = 32  # a power of two: every thread updates when (i & 31) == 31


def setup(threads):
    return State(threads=threads, live={"version": 0, "a": 1, "b": 2}, lock=RWLock(),
                 torn=[None] * threads, published=[None] * threads)


# As locked_dict_reads: every thread rewrites the state every 32nd op (the same share of writes at every
# thread count) under the write lock, and reads it under the read lock.
def worker(state, thread_index, ops):
    mask = WRITE_EVERY - 1
    live = state.live
    lock_read, unlock_read = state.lock.lock_read, state.lock.unlock_read
    lock_write, unlock_write = state.lock.lock_write, state.lock.unlock_write
    published = 0
    last = 0
    torn = 0
    for i in range(ops):
        if (i & mask) == mask:
            lock_write()
            version = live["version"] + 1
            a = 3 * version + 1
            live["version"] = version
            live["a"] = a
            live["b"] = 2 * a
            unlock_write()
            published += 1
        lock_read()
        v = live["version"]
        a = live["a"]
        b = live["b"]
        unlock_read()
        if b != 2 * a or a != 3 * v + 1 or v < last:
            torn += 1
        last = v
    state.torn[thread_index] = torn
    state.published[thread_index] = published


def verify(state, threads, ops):
    check_read_mostly(state, threads, ops // WRITE_EVERY, state.live["version"])
