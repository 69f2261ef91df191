"""ftscalingbench's object_cfunction: C methods (list.pop, list.append) of a thread's own list."""

from _support import check_results, results_state

PRIMITIVE = "list.pop(0) / list.append / list[50] on a per-thread list"
SCENARIO = "interpreter"
INVARIANT = "each thread's sum of tab[50] equals the closed form for a 100-slot sliding window"
DESCRIPTION = "CPython Tools/ftscalingbench object_cfunction; op = tab.pop(0); tab.append(i); accu += tab[50]"
MUTANT_EXEMPT = "an interpreter loop: the threads share nothing"


def setup(threads):
    return results_state(threads)


def worker(state, thread_index, ops):
    accu = 0
    tab = [1] * 100
    for i in range(ops):
        tab.pop(0)
        tab.append(i)
        accu += tab[50]
    state.results[thread_index] = accu


def verify(state, threads, ops):
    # After op i the window holds i-99 .. i (ones where negative), so tab[50] is i-49, or 1 while i < 49.
    late = max(0, ops - 49)
    check_results(state, threads, min(ops, 49) + late * (late - 1) // 2, "sum of tab[50]")
