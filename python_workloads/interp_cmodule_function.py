"""ftscalingbench's cmodule_function: calling a C function of a module (math.cos)."""

import math

from _support import check, results_state

PRIMITIVE = "math.cos (module attribute + C function call)"
SCENARIO = "interpreter"
INVARIANT = "each thread's sum of cos(i/ops) matches the closed form (Dirichlet kernel) to 1e-9"
DESCRIPTION = "CPython Tools/ftscalingbench cmodule_function; op = accu += math.cos(i / n)"
MUTANT_EXEMPT = "an interpreter loop: the threads share nothing"


def setup(threads):
    return results_state(threads)


def worker(state, thread_index, ops):
    n = ops
    accu = 0.0
    for i in range(n):
        accu += math.cos(i / n)
    state.results[thread_index] = accu


def verify(state, threads, ops):
    # sum_{i<n} cos(i*x) = sin(n*x/2) * cos((n-1)*x/2) / sin(x/2), with x = 1/n.
    x = 1 / ops
    expected = math.sin(ops * x / 2) * math.cos((ops - 1) * x / 2) / math.sin(x / 2)
    for t in range(threads):
        got = state.results[t]
        check(got is not None and math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-9),
              f"thread {t}: sum of cos is {got!r}, expected {expected!r}")
