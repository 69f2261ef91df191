"""Every thread stores into one shared dict with no lock of its own: the dict's internal lock is all there is."""

from _support import KEYS, State, check, check_count

PRIMITIVE = "dict[key] = value (the dict's internal lock only)"
SCENARIO = "short-critical-section"
OPERATION = "store into the thread's own 64 keys of one shared dict"
INVARIANT = "each thread's 64 keys hold the last value it stored to them, and the dict holds no other key"
DESCRIPTION = ("op = d[(t << 6) | (i & 63)] = i on one dict shared by all threads, each thread on its own 64 keys; "
               "plain stores, no read-modify-write, so the internal lock should be enough: measured and checked")
PACKAGES = []
MUTANT_EXEMPT = "relies on the dict's internal lock, which Python code cannot remove"
VARIANT_OF = "shared_dict_writes"


def setup(threads):
    return State(threads=threads, d={}, lock=None)


def worker(state, thread_index, ops):
    d = state.d
    base = thread_index << 6
    for i in range(ops):
        d[base | (i & 63)] = i


def verify(state, threads, ops):
    keys = min(ops, KEYS)
    check_count("keys in the dict", threads * keys, len(state.d))
    for t in range(threads):
        for k in range(keys):
            last = k + KEYS * ((ops - 1 - k) // KEYS)  # the last i < ops with i & 63 == k
            got = state.d.get((t << 6) | k)
            check(got == last, f"key {(t << 6) | k} of thread {t} holds {got!r}, expected {last}")
