"""Checks the environment its child was started with (tests/child_env.rs): padded to ftbench's
fixed size, without the parent's other variables, with what FTBENCH_PASS_ENV names and a hash
seed; and leaves a `sleep` behind, which the end of its child's process group must take."""

import os
import subprocess

PRIMITIVE = "none"
SCENARIO = "control"
INVARIANT = "nothing is shared"

SLEEPER = subprocess.Popen(["sleep", "987"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def setup(threads):
    env = os.environb
    size = sum(len(k) + len(v) + 2 for k, v in env.items())
    if size != 8192:
        raise AssertionError(f"the environment is {size} bytes, not 8192")
    if b"FTBENCH_TEST_LEAKY" in env or b"LEAKY_VAR" in env:
        raise AssertionError("a variable of the parent's leaked into the child")
    if env.get(b"PASSED_VAR") != b"yes":
        raise AssertionError("FTBENCH_PASS_ENV=PASSED_VAR did not pass it")
    if not env.get(b"PYTHONHASHSEED", b"").isdigit():
        raise AssertionError("no PYTHONHASHSEED")
    return None


def worker(state, thread_index, ops):
    pass


def verify(state, threads, ops):
    pass
