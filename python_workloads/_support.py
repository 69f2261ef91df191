"""Helpers shared by several workloads. Not a workload itself (its name starts with `_`).

Only untimed code lives here: setup/verify helpers, the reference CPU unit and its closed-form
checks. Every hot loop stays in its workload file, because `ftbench stress --jitter` only perturbs
lines of the workload file itself.
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


# --- shared queues (queue_pipeline, simplequeue_pipeline, condition_predicate) ----------------------


def check_items(got_lists, threads, ops):
    """Thread p put the items `p*ops .. p*ops+ops-1` and got `ops` items, listed in `got_lists[p]`;
    every item must have been got exactly once. Uses one byte per item, so it stays cheap when ops
    is in the millions."""
    total = threads * ops
    times = bytearray(total)  # times[item]: how often it was got (saturating at 255)
    foreign = 0
    got = 0
    for i in range(threads):
        check(got_lists[i] is not None, f"thread {i} did not report")
        got += len(got_lists[i])
        for item in got_lists[i]:
            if type(item) is int and 0 <= item < total and times[item] < 255:
                times[item] += 1
            else:
                foreign += 1
    missing = times.count(0)
    duplicates = got - foreign - (total - missing)  # gets beyond each item's first
    if missing or duplicates or foreign:
        raise LostUpdates(
            f"{got} items got: {missing} put but never got, {duplicates} extra gets of items got before, "
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


# --- read-mostly state (immutable_snapshot, locked_dict_reads and their variants) ------------------

def check_read_mostly(state, threads, writes, final_version):
    """No thread saw a torn state (`state.torn[t]` counts them), each made `writes` writes
    (`state.published[t]`), and the final version counts every one of them (none lost)."""
    for t in range(threads):
        check(state.torn[t] is not None, f"thread {t} did not report")
        check_count(f"torn reads by thread {t}", 0, state.torn[t])
        check_count(f"writes by thread {t}", writes, state.published[t])
    check_count("final version", threads * writes, final_version)


# --- keyed counters (concurrent_dict, dict_lock) -------------------------------------------------

KEYS = 64  # keys per dict: dict_lock and concurrent_dict share them (key `(i * 7 + t) & 63`), shared_dict_writes gives each thread its own


def key_counts(threads, ops):
    """Expected {key: count} when every thread t increments key `(i * 7 + t) & 63` for i < ops.
    7 is odd, so each run of 64 consecutive ops hits every key once."""
    q, r = divmod(ops, KEYS)
    counts = dict.fromkeys(range(KEYS), q * threads)
    for t in range(threads):
        for i in range(r):
            counts[(i * 7 + t) & 63] += 1
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
    # ledgers[t]: thread t's net amount moved per account by the payments it made
    return State(threads=threads, accounts=[INITIAL_BALANCE] * N_ACCOUNTS, locks=locks, ledgers=[None] * threads)


def check_bank(state):
    """Every account's balance must equal its opening balance plus what the threads' ledgers say
    moved in and out of it: a payment lost, applied twice or half-applied shows up per account."""
    accounts = state.accounts
    for i, b in enumerate(accounts):
        check(type(b) is int, f"account {i} holds {b!r}, not an int")
    for t, ledger in enumerate(state.ledgers):
        check(ledger is not None, f"thread {t} did not report its ledger")
    booked = [INITIAL_BALANCE + sum(ledger[a] for ledger in state.ledgers) for a in range(N_ACCOUNTS)]
    wrong = [a for a in range(N_ACCOUNTS) if accounts[a] != booked[a]]
    negative = [a for a, b in enumerate(accounts) if b < 0]
    if wrong or negative:
        raise LostUpdates(
            f"balances differ from the ledgers at accounts {wrong} (money created or destroyed: "
            f"{sum(accounts) - N_ACCOUNTS * INITIAL_BALANCE}); negative balances at accounts {negative}",
            sum(abs(accounts[a] - booked[a]) for a in range(N_ACCOUNTS)),
        )


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
