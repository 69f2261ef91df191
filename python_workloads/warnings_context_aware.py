"""warnings.catch_warnings() inside workers with context_aware_warnings = 1 (the free-threaded default)."""

import sys
import warnings

from _support import LostUpdates, State, check

PRIMITIVE = "warnings.catch_warnings (context_aware_warnings=1)"
SCENARIO = "context-flags"
OPERATION = "record one warning per thread inside catch_warnings"
INVARIANT = ("sys.flags.context_aware_warnings is 1, and every catch_warnings(record=True) block recorded "
             "exactly the one warning its own thread raised")
DESCRIPTION = ("op = with warnings.catch_warnings(record=True): simplefilter('always'); warn(own message), in "
               "every thread at once. Flag on: the filters and the record list live in the thread's context.")
PACKAGES = []
MUTANT_EXEMPT = "the primitive is an interpreter flag set at start-up (ENV), not an object to swap"
MIN_PYTHON = (3, 14)
VARIANT_OF = "context_aware_warnings"
ENV = {"PYTHON_CONTEXT_AWARE_WARNINGS": "1"}


def setup(threads):
    return State(threads=threads, wrong=[None] * threads)


def worker(state, thread_index, ops):
    message = f"ftbench warning from thread {thread_index}"
    catch, simplefilter, warn = warnings.catch_warnings, warnings.simplefilter, warnings.warn
    wrong = 0
    for _ in range(ops):
        with catch(record=True) as log:
            simplefilter("always")
            warn(message, UserWarning)
        if len(log) != 1 or str(log[0].message) != message:
            wrong += 1
    state.wrong[thread_index] = wrong


def verify(state, threads, ops):
    check(sys.flags.context_aware_warnings == 1, f"sys.flags.context_aware_warnings is "
          f"{sys.flags.context_aware_warnings}: ENV did not reach the interpreter")
    for t in range(threads):
        check(state.wrong[t] is not None, f"thread {t} did not report")
    wrong = sum(state.wrong)
    if wrong:
        raise LostUpdates(f"{wrong} catch_warnings blocks did not record exactly their own warning", wrong)
