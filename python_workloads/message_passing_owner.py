"""Share by communicating: each thread owns its state; others send it updates as messages."""

import queue

from _support import State, check, check_count

PRIMITIVE = "queue.SimpleQueue (one inbox per owner)"
SCENARIO = "producer-consumer"
OPERATION = "send an update to another thread's inbox, then apply one from its own"
INVARIANT = ("each owner applied exactly the messages addressed to it (count and sum of amounts), "
             "and every inbox is empty at the end")
DESCRIPTION = ("per op: put an update in another owner's SimpleQueue (round-robin over the others), "
               "then apply one pending message to our own state if there is one; drain at the end")
PACKAGES = []
MUTANT = "queue = without(queue, SimpleQueue=RacyQueue)"


class Owned:
    """State that only its owning thread ever touches."""

    def __init__(self):
        self.total = 0
        self.applied = 0


def sent_count(threads, sender, owner, ops):
    """How many of its `ops` messages `sender` addresses to `owner` (see worker's target rule)."""
    if threads == 1:
        return ops
    if sender == owner:
        return 0
    slot = (owner - sender - 1) % threads  # sender's i-th message goes to (sender + 1 + i % (t-1)) % t
    q, r = divmod(ops, threads - 1)
    return q + (1 if slot < r else 0)


def setup(threads):
    return State(threads=threads, inboxes=[queue.SimpleQueue() for _ in range(threads)],
                 owned=[None] * threads)


def worker(state, thread_index, ops):
    threads = state.threads
    mine = Owned()  # made by its owner, in its own thread
    state.owned[thread_index] = mine
    inboxes = state.inboxes
    inbox = inboxes[thread_index]
    pending, take = inbox.empty, inbox.get
    expected = sum(sent_count(threads, s, thread_index, ops) for s in range(threads))
    others = max(threads - 1, 1)
    amount = thread_index + 1  # the message: an amount identifying its sender
    for i in range(ops):
        inboxes[(thread_index + 1 + i % others) % threads].put(amount)
        if not pending():  # only we take from our inbox, so this get cannot block
            mine.total += take()
            mine.applied += 1
    while mine.applied < expected:  # every sender sends all its messages: this ends
        mine.total += take()
        mine.applied += 1


def verify(state, threads, ops):
    for owner in range(threads):
        mine = state.owned[owner]
        check(mine is not None, f"owner {owner} did not run")
        counts = [sent_count(threads, s, owner, ops) for s in range(threads)]
        check_count(f"messages applied by owner {owner}", sum(counts), mine.applied)
        check_count(f"sum of amounts applied by owner {owner}",
                    sum(n * (s + 1) for s, n in enumerate(counts)), mine.total)
        check(state.inboxes[owner].empty(), f"owner {owner}'s inbox is not empty")
    check_count("messages in all", threads * ops,
                sum(state.owned[o].applied for o in range(threads)))
