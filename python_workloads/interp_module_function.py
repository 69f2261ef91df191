"""ftscalingbench's module_function: a Python function looked up as a module attribute, then called."""

import types

from _support import check_results, results_state

PRIMITIVE = "module attribute + Python function call (module.double(i))"
SCENARIO = "interpreter"
INVARIANT = "each thread's total of double(i) is ops*(ops-1)"
DESCRIPTION = "CPython Tools/ftscalingbench module_function; op = total += module.double(i)"
MUTANT_EXEMPT = "an interpreter loop: the threads share nothing"


def double(x):
    return x + x


# ftscalingbench looks the function up on its own module; a workload file is not in sys.modules, so
# a module object of its own holds it (same LOAD_ATTR on a module).
module = types.ModuleType("interp_module_function_namespace")
module.double = double


def setup(threads):
    return results_state(threads)


def worker(state, thread_index, ops):
    total = 0
    for i in range(ops):
        total += module.double(i)
    state.results[thread_index] = total


def verify(state, threads, ops):
    check_results(state, threads, ops * (ops - 1), "total of double(i)")
