"""Crashes the process the way a broken extension would: a NULL read through ctypes."""
import ctypes

PRIMITIVE = "ctypes (NULL read)"
SCENARIO = "control"
INVARIANT = "never reached: the process dies"


def setup(threads):
    return None


def worker(state, thread_index, ops):
    ctypes.string_at(0)


def verify(state, threads, ops):
    pass
