"""Every thread appends to one shared list with no lock of its own: list.append's internal lock is all there is."""

from _support import State, check_count

PRIMITIVE = "list.append (the list's internal lock only)"
SCENARIO = "short-critical-section"
OPERATION = "append to one list shared by every thread"
INVARIANT = "the list holds threads*ops items, exactly the numbers 0 .. threads*ops-1 (count and sum)"
DESCRIPTION = ("op = items.append(n) on one list shared by all threads; the free-threading guide says not to rely "
               "on it, so this measures what relying on it costs and checks that nothing was lost")
PACKAGES = []
MUTANT_EXEMPT = "relies on the list's internal lock, which Python code cannot remove"
VARIANT_OF = "shared_list_append"


def setup(threads):
    return State(threads=threads, items=[], lock=None)


def worker(state, thread_index, ops):
    append = state.items.append
    base = thread_index * ops
    for item in range(base, base + ops):
        append(item)


def verify(state, threads, ops):
    n = threads * ops
    check_count("items appended", n, len(state.items))
    check_count("sum of the items", n * (n - 1) // 2, sum(state.items))
