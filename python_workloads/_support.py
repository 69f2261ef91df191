"""Helpers shared by several workloads. Not a workload itself (its name starts with `_`).

Only untimed or role-deciding code lives here: setup/verify helpers, the producer/consumer role
split, the reference CPU unit and its closed-form checks. Every hot loop stays in its workload
file, because `ftbench stress --jitter` only perturbs lines of the workload file itself.
"""

from types import SimpleNamespace

State = SimpleNamespace


class LostUpdates(AssertionError):
    """A broken invariant that can be counted: `lost_updates` is recorded by ftbench."""

    def __init__(self, message, lost_updates):
        super().__init__(f"{message} (lost_updates={lost_updates})")
        self.lost_updates = int(lost_updates)


def thread_owned(value):
    """A fresh int equal to `value`, made (and so owned) by the calling thread.

    On 3.13t, int constants above 256 in a workload's code are ordinary shared objects (small
    ints and strings are immortal), so every LOAD_CONST of one in a hot loop touches a reference
    count shared by all threads and the loop stops scaling. Hot loops bind such numbers once per
    thread through this instead: `modulus = thread_owned(65537)`."""
    return int(repr(value))


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def check_count(what, expected, actual):
    """`actual` must equal `expected`; the shortfall (or excess) is reported as lost updates."""
    if actual != expected:
        raise LostUpdates(f"{what}: expected {expected}, got {actual}", abs(expected - actual))


# --- producer / consumer roles ------------------------------------------------------------------

PRODUCER, CONSUMER, ALTERNATOR = "producer", "consumer", "alternator"


def role(threads, index):
    """Even indices produce, odd indices consume; with an odd thread count the last thread
    alternates put/get (so t=1 is a lone alternator). Producers and consumers are equally many,
    so every item put is got by someone and nobody waits for an item that never comes."""
    if threads % 2 == 1 and index == threads - 1:
        return ALTERNATOR
    return PRODUCER if index % 2 == 0 else CONSUMER


def check_items(got_lists, threads, ops):
    """Producer and alternator `p` put the items `p*ops .. p*ops+ops-1`; every item must have been
    got exactly once. `got_lists[i]` is what thread i got (None for producers). Uses one byte per
    item, so it stays cheap when ops is in the millions."""
    total = threads * ops
    times = bytearray(total)  # times[item]: how often it was got (saturating at 255)
    foreign = 0
    got = 0
    for i in range(threads):
        if role(threads, i) == PRODUCER:
            continue
        check(got_lists[i] is not None, f"thread {i} ({role(threads, i)}) did not report")
        got += len(got_lists[i])
        for item in got_lists[i]:
            if type(item) is int and 0 <= item < total and times[item] < 255:
                times[item] += 1
            else:
                foreign += 1
    missing = duplicates = 0
    for p in range(threads):
        window = times[p * ops:(p + 1) * ops]
        zeros, ones = window.count(0), window.count(1)
        if role(threads, p) == CONSUMER:  # nobody put these
            foreign += ops - zeros
        else:
            missing += zeros
            duplicates += ops - zeros - ones
    if missing or duplicates or foreign:
        raise LostUpdates(
            f"{got} items got: {missing} put but never got, {duplicates} got more than once, "
            f"{foreign} got but never put",
            missing + duplicates + foreign,
        )


# --- the reference CPU unit (cpu_only, executor_map) ---------------------------------------------

UNIT_STEPS = 16  # LCG steps per unit of work, on small ints (one 30-bit digit)
LCG_MODULUS = 65537  # x -> (75*x + 74) % 65537, the ZX81 generator; 65536 is its fixed point
UNIT_SEEDS = 64  # a unit's seed is `i & 63`, so sums have a closed form


def unit(seed):
    """The reference definition of one unit of CPU work. Hot loops inline the same arithmetic."""
    x = seed
    for _ in range(UNIT_STEPS):
        x = (x * 75 + 74) % LCG_MODULUS
    return x


UNIT_TABLE = [unit(s) for s in range(UNIT_SEEDS)]
_UNIT_PERIOD_SUM = sum(UNIT_TABLE)
_UNIT_PREFIX = [0]
for _v in UNIT_TABLE:
    _UNIT_PREFIX.append(_UNIT_PREFIX[-1] + _v)


def unit_sum(stop):
    """sum(unit(i & 63) for i in range(stop)), in O(1)."""
    q, r = divmod(stop, UNIT_SEEDS)
    return q * _UNIT_PERIOD_SUM + _UNIT_PREFIX[r]


# --- keyed counters (concurrent_dict, dict_lock) -------------------------------------------------

KEYS_PER_THREAD = 64


def key_counts(threads, ops):
    """Expected {key: count} when thread t increments key `(t << 6) | ((i * 7) & 63)` for i < ops."""
    q, r = divmod(ops, KEYS_PER_THREAD)
    counts = {}
    for t in range(threads):
        for i in range(KEYS_PER_THREAD):
            counts[(t << 6) | ((i * 7) & 63)] = q + (1 if i < r else 0)
    return counts


def check_key_counts(actual, threads, ops):
    expected = key_counts(threads, ops)
    lost = sum(abs(expected[k] - actual.get(k, 0)) for k in expected)
    extra = sorted(set(actual) - set(expected))
    if lost or extra:
        raise LostUpdates(
            f"keyed counts differ from the {threads}x{ops} increments "
            f"(total {sum(actual.values())}, expected {threads * ops}; unexpected keys {extra[:5]})",
            lost,
        )


# --- bank transfers (bank_transfer_*) ------------------------------------------------------------

N_ACCOUNTS = 16
INITIAL_BALANCE = 1000


def bank_state(threads, locks):
    return State(threads=threads, accounts=[INITIAL_BALANCE] * N_ACCOUNTS, locks=locks, paid=[None] * threads)


def check_bank(state, threads, ops):
    accounts = state.accounts
    for i, b in enumerate(accounts):
        check(type(b) is int, f"account {i} holds {b!r}, not an int")
    expected = N_ACCOUNTS * INITIAL_BALANCE
    total = sum(accounts)
    negative = [i for i, b in enumerate(accounts) if b < 0]
    attempted = sum(n for n in state.paid if n is not None)
    if total != expected or negative:
        raise LostUpdates(
            f"money not conserved: total {total}, expected {expected}; "
            f"negative balances at accounts {negative}",
            abs(total - expected),
        )
    check_count("payments attempted", threads * ops, attempted)


# --- the interpreter-scaling suite (interp_*) ------------------------------------------------------

def results_state(threads):
    """State of a loop whose output is one result per thread, published by the thread at its end."""
    return State(threads=threads, results=[None] * threads)


def check_results(state, threads, expected, what):
    """Every thread published `expected` (compared with ==, so floats need an exact closed form)."""
    for t in range(threads):
        got = state.results[t]
        check(got is not None, f"thread {t} did not report its {what}")
        check(got == expected, f"thread {t}: {what} is {got!r}, expected {expected!r}")


# --- a pool of resources (semaphore_pool*) --------------------------------------------------------

def pool_state(threads, guard, size):
    """`free` holds the idle resources (deque pop/append are atomic: without the guard a thread finds it
    empty and raises IndexError); `holder` and `uses` are written only by a resource's current holder."""
    from collections import deque

    return State(threads=threads, guard=guard, free=deque(range(size)), holder=[None] * size, uses=[0] * size,
                 clashes=[None] * threads)


def check_pool(state, threads, ops):
    for t in range(threads):
        check(state.clashes[t] is not None, f"thread {t} did not report")
        check_count(f"resources found held by another thread (thread {t})", 0, state.clashes[t])
    check_count("resource uses", threads * ops, sum(state.uses))
    check(sorted(state.free) == list(range(len(state.uses))), f"the pool holds {list(state.free)} at the end")
