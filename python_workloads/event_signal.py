"""One-shot hand-offs on threading.Event: a token passes around small rings of threads."""

import threading

from _support import State, check, check_count

PRIMITIVE = "threading.Event"
SCENARIO = "coordination"
OPERATION = "hand a token to the next thread in a ring and wait for one"
INVARIANT = ("every thread received exactly ops hand-offs, each carrying the sequence number it "
             "expected (none missed, none spurious), and every Event is clear at the end")
DESCRIPTION = ("token rings of 2 threads (3 for the odd one out): set the next thread's Event, "
               "wait on your own, clear it")
PACKAGES = []
MUTANT = "threading = without(threading, Event=NoEvent)"
MIN_THREADS = 2  # a hand-off needs two threads; t=1 (a self-ring, still correct) times something else


def ring_of(threads, index):
    """Pairs (0,1), (2,3), ...; with an odd count the last three form one ring; t=1 rings itself."""
    if threads == 1:
        return (0,)
    if threads % 2 == 1 and index >= threads - 3:
        return (threads - 3, threads - 2, threads - 1)
    first = index - index % 2
    return (first, first + 1)


def setup(threads):
    return State(
        threads=threads,
        events=[threading.Event() for _ in range(threads)],
        mailboxes=[[-1] for _ in range(threads)],  # mailboxes[i][0]: last sequence number sent to i
        mismatches=[None] * threads,
        received=[None] * threads,
    )


def worker(state, thread_index, ops):
    ring = ring_of(state.threads, thread_index)
    position = ring.index(thread_index)
    successor = ring[(position + 1) % len(ring)]
    mine = state.events[thread_index]
    theirs = state.events[successor]
    inbox = state.mailboxes[thread_index]  # written by our predecessor before it sets our Event
    outbox = state.mailboxes[successor]
    bad = 0
    received = 0
    if position == 0:  # the ring's leader sends first; with t=1 it sends to itself
        for seq in range(ops):
            outbox[0] = seq
            theirs.set()
            mine.wait()
            mine.clear()
            received += 1
            if inbox[0] != seq:
                bad += 1
    else:
        for seq in range(ops):
            mine.wait()
            mine.clear()
            received += 1
            if inbox[0] != seq:
                bad += 1
            outbox[0] = seq
            theirs.set()
    state.mismatches[thread_index] = bad
    state.received[thread_index] = received


def verify(state, threads, ops):
    for t in range(threads):
        check_count(f"thread {t} hand-offs received", ops, state.received[t] or 0)
        check_count(f"thread {t} hand-offs with a wrong sequence number", 0, state.mismatches[t] or 0)
    check(not any(e.is_set() for e in state.events), "an Event was left set (a spurious signal)")
