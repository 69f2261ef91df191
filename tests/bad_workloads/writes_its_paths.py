"""Writes the paths its child sees — its own file, the venv's prefix, sys.path — to a file in the
folder PATHS_OUT names (tests/ab.rs: `ab`'s two sides must see paths of equal length)."""

import json
import os
import sys

PRIMITIVE = "none"
SCENARIO = "control"
INVARIANT = "nothing is shared"


def setup(threads):
    out = os.path.join(os.environ["PATHS_OUT"], f"{os.getpid()}.json")
    with open(out, "w") as f:
        json.dump({"file": __file__, "prefix": sys.prefix, "path": sys.path}, f)
    return None


def worker(state, thread_index, ops):
    pass


def verify(state, threads, ops):
    pass
