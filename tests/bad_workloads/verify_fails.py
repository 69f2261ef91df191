"""Claims to be safe, but its verify always fails: every row must be INVALID."""

PRIMITIVE = "none"
SCENARIO = "control"
INVARIANT = "the answer is 42"


def setup(threads):
    return {"answer": 41}


def worker(state, thread_index, ops):
    pass


def verify(state, threads, ops):
    assert state["answer"] == 42, f"the answer is {state['answer']}, not 42"
