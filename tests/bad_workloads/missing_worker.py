"""Defines setup and verify but neither worker nor drive."""
PRIMITIVE = "none"
SCENARIO = "control"
INVARIANT = "none"


def setup(threads):
    return None


def verify(state, threads, ops):
    pass
