"""Read-mostly via immutable snapshots: the writer publishes a fresh frozen dataclass; no lock."""

from dataclasses import dataclass

from _support import State, check, check_count

PRIMITIVE = "frozen dataclass snapshot swap (no lock)"
SCENARIO = "read-mostly"
INVARIANT = ("no reader ever saw a torn snapshot (b == 2*a, a == 3*version+1, versions never go "
             "back), and the writer published exactly ops // 32 versions")
DESCRIPTION = ("thread 0 also swaps in a new frozen, slotted dataclass every 32 ops; every op of every thread "
               "reads version, a, b from the current snapshot (as immutable_snapshot)")
PACKAGES = []
VARIANT_OF = "read_mostly"

WRITE_EVERY = 32  # a power of two: the writer publishes when (i & 31) == 31


@dataclass(frozen=True, slots=True)
class Snapshot:
    version: int
    a: int
    b: int


def setup(threads):
    return State(threads=threads, snapshot=Snapshot(0, 1, 2),
                 torn=[None] * threads, published=None)


def worker(state, thread_index, ops):
    mask = WRITE_EVERY - 1
    writer = thread_index == 0  # with t=1 the only thread is writer and reader
    version = 0
    last = 0
    torn = 0
    for i in range(ops):
        if writer and (i & mask) == mask:
            version += 1
            a = 3 * version + 1
            state.snapshot = Snapshot(version, a, 2 * a)
        snap = state.snapshot
        v = snap.version
        a = snap.a
        b = snap.b
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
    check_count("versions published", ops // WRITE_EVERY, state.published)
    check_count("final snapshot version", ops // WRITE_EVERY, state.snapshot.version)
