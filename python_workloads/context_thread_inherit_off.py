"""Threads started with an empty context (sys.flags.thread_inherit_context = 0, the GIL build's default)."""

import contextvars
import sys
import threading

from _support import State, check, check_count

PRIMITIVE = "threading.Thread with an empty context (thread_inherit_context=0)"
SCENARIO = "context-flags"
OPERATION = "start and join a thread that reads a ContextVar"
INVARIANT = ("sys.flags.thread_inherit_context is 0, and every thread started saw the ContextVar value "
             "default -1 (nothing inherited)")
DESCRIPTION = ("op = start a threading.Thread that reads a ContextVar, then join it; the starting thread set the "
               "variable to its index first. Flag off: each new thread starts with an empty context.")
PACKAGES = []
MUTANT_EXEMPT = "the primitive is an interpreter flag set at start-up (ENV), not an object to swap"
MIN_PYTHON = (3, 14)
VARIANT_OF = "thread_inherit_context"
ENV = {"PYTHON_THREAD_INHERIT_CONTEXT": "0"}

request = contextvars.ContextVar("ftbench_request", default=-1)


def setup(threads):
    return State(threads=threads, seen=[None] * threads)


def worker(state, thread_index, ops):
    request.set(thread_index)
    seen = []
    read = seen.append

    def child():
        read(request.get())

    for _ in range(ops):
        t = threading.Thread(target=child)
        t.start()
        t.join()
    state.seen[thread_index] = seen


def verify(state, threads, ops):
    check(sys.flags.thread_inherit_context == 0, f"sys.flags.thread_inherit_context is "
          f"{sys.flags.thread_inherit_context}: ENV did not reach the interpreter")
    for t in range(threads):
        seen = state.seen[t]
        check(seen is not None, f"thread {t} did not report")
        expected = -1
        check_count(f"threads started by thread {t} that saw {expected}", ops, seen.count(expected))
