PRIMITIVE = "none"
SCENARIO = "control"
INVARIANT = "none"

def setup(threads)
    return None
