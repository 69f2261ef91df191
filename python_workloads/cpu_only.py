"""Control: pure-Python integer arithmetic per op, nothing shared between threads."""

from _support import LCG_MODULUS, UNIT_STEPS, State, check_count, thread_owned, unit_sum

PRIMITIVE = "none (pure-Python CPU work)"
SCENARIO = "control"
OPERATION = "pure-Python CPU work on the thread's own data, nothing shared"
INVARIANT = "each thread's checksum equals the closed-form sum of its units (the threads share nothing)"
DESCRIPTION = "ideal-scaling control: a 16-step integer LCG per op, no shared state"
PACKAGES = []
MUTANT_EXEMPT = "the threads share nothing"


def setup(threads):
    return State(threads=threads, sums=[None] * threads)


def worker(state, thread_index, ops):
    steps = UNIT_STEPS
    modulus = thread_owned(LCG_MODULUS)  # not the shared constant: see _support.thread_owned
    acc = 0
    for i in range(ops):
        x = i & 63
        for _ in range(steps):
            x = (x * 75 + 74) % modulus
        acc += x
    state.sums[thread_index] = acc


def verify(state, threads, ops):
    expected = unit_sum(ops)
    for t, got in enumerate(state.sums):
        check_count(f"thread {t} checksum", expected, got)
