"""Per-thread state passed explicitly as an argument (the alternative to threading.local)."""

from _support import State, check_count

PRIMITIVE = "state passed as an argument (no threading.local)"
SCENARIO = "hot-counter"
OPERATION = "add 1 to a per-thread count reached from inside a function"
INVARIANT = "each thread's own count (in the context object it passes around) equals ops"
DESCRIPTION = ("op = bump(ctx), a function that increments ctx.count on a context object made by the thread; "
               "same call shape as thread_local_state")
PACKAGES = []
MUTANT_EXEMPT = "the threads share nothing"
VARIANT_OF = "thread_state"


def bump(ctx):
    ctx.count += 1


def setup(threads):
    return State(threads=threads, counts=[None] * threads)


def worker(state, thread_index, ops):
    ctx = State(count=0)  # made in its own thread: no false sharing with other threads' contexts
    for _ in range(ops):
        bump(ctx)
    state.counts[thread_index] = ctx.count


def verify(state, threads, ops):
    for t in range(threads):
        check_count(f"thread {t} count", ops, state.counts[t] or 0)
