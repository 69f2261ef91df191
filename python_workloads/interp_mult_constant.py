"""ftscalingbench's mult_constant: multiplying by a float constant of the code object."""

import math

from _support import check, results_state

PRIMITIVE = "x *= 1.01 (float constant)"
SCENARIO = "interpreter"
INVARIANT = "each thread's product is 1.01**ops (log within 1e-9 relative; inf once past the float range)"
DESCRIPTION = "CPython Tools/ftscalingbench mult_constant; op = x *= 1.01 (the constant kept, as ftscalingbench does)"
MUTANT_EXEMPT = "an interpreter loop: the threads share nothing"


def setup(threads):
    return results_state(threads)


def worker(state, thread_index, ops):
    x = 1.0
    for i in range(ops):
        x *= 1.01
    state.results[thread_index] = x


def verify(state, threads, ops):
    exponent = ops * math.log(1.01)  # 1.01**ops overflows to inf past about 71 000 ops
    edge = math.log(2.0) * 1024
    for t in range(threads):
        x = state.results[t]
        check(x is not None, f"thread {t} did not report")
        if math.isinf(x):
            check(exponent > edge * (1 - 1e-9), f"thread {t}: 1.01**{ops} overflowed, but it is finite")
        else:
            check(math.isclose(math.log(x), exponent, rel_tol=1e-9, abs_tol=1e-12) and exponent < edge * (1 + 1e-9),
                  f"thread {t}: product {x!r} is not 1.01**{ops}")
