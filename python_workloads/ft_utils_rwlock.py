"""Read-mostly via one live dict under an ft_utils RWLock: readers share it, the writer mutates the dict in place."""

try:
    from ft_utils.synchronization import RWLock
except ImportError:
    RWLock = None

from _support import State, check, check_count

PRIMITIVE = "dict + ft_utils.synchronization.RWLock"
SCENARIO = "read-mostly"
INVARIANT = ("no reader ever saw a torn state (b == 2*a, a == 3*version+1, versions never go "
             "back), and the writer made exactly ops // 32 updates")
DESCRIPTION = ("thread 0 also rewrites version, a, b in place under the write lock every 32 ops; every op "
               "of every thread reads the three under the read lock; the stdlib alternative is locked_dict_reads")
PACKAGES = ["ft_utils"]
VARIANT_OF = "read_mostly"

WRITE_EVERY = 32  # a power of two: the writer updates when (i & 31) == 31


def setup(threads):
    return State(threads=threads, live={"version": 0, "a": 1, "b": 2}, lock=RWLock(),
                 torn=[None] * threads, published=None)


def worker(state, thread_index, ops):
    mask = WRITE_EVERY - 1
    writer = thread_index == 0  # with t=1 the only thread is writer and reader
    live = state.live
    lock_read, unlock_read = state.lock.lock_read, state.lock.unlock_read
    lock_write, unlock_write = state.lock.lock_write, state.lock.unlock_write
    version = 0
    last = 0
    torn = 0
    for i in range(ops):
        if writer and (i & mask) == mask:
            version += 1
            a = 3 * version + 1
            lock_write()
            live["version"] = version
            live["a"] = a
            live["b"] = 2 * a
            unlock_write()
        lock_read()
        v = live["version"]
        a = live["a"]
        b = live["b"]
        unlock_read()
        if b != 2 * a or a != 3 * v + 1 or v < last:
            torn += 1
        last = v
    state.torn[thread_index] = torn
    if writer:
        state.published = version


def verify(state, threads, ops):
    for t in range(threads):
        check(state.torn[t] is not None, f"thread {t} did not report")
        check_count(f"torn reads by thread {t}", 0, state.torn[t])
    check_count("updates made", ops // WRITE_EVERY, state.published)
    check_count("final version", ops // WRITE_EVERY, state.live["version"])
