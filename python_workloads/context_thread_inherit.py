"""Threads started with the caller's context (sys.flags.thread_inherit_context = 1, the free-threaded default)."""

import contextvars
import sys
import threading

from _support import State, check, check_count

PRIMITIVE = "threading.Thread with the inherited context (thread_inherit_context=1)"
SCENARIO = "context-flags"
OPERATION = "start and join a thread that reads a ContextVar"
INVARIANT = ("sys.flags.thread_inherit_context is 1, and every thread started saw the ContextVar value "
             "its starter set (the context is copied)")
DESCRIPTION = ("op = start a threading.Thread that reads a ContextVar, then join it; the starting thread set the "
               "variable to its index first. Flag on: each new thread runs in a copy of the starter's context.")
PACKAGES = []
MUTANT_EXEMPT = "the primitive is an interpreter flag set at start-up (ENV), not an object to swap"
MIN_PYTHON = (3, 14)
VARIANT_OF = "thread_inherit_context"
ENV = {"PYTHON_THREAD_INHERIT_CONTEXT": "1"}

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
    check(sys.flags.thread_inherit_context == 1, f"sys.flags.thread_inherit_context is "
          f"{sys.flags.thread_inherit_context}: ENV did not reach the interpreter")
    for t in range(threads):
        seen = state.seen[t]
        check(seen is not None, f"thread {t} did not report")
        expected = t
        check_count(f"threads started by thread {t} that saw {expected}", ops, seen.count(expected))
