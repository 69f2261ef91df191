"""A pool of POOL resources guarded by a threading.Semaphore(POOL): take one, use it, give it back."""

import threading

from _support import check_pool, pool_state

PRIMITIVE = "threading.Semaphore"
SCENARIO = "coordination"
OPERATION = "borrow one of 2 shared resources, use it, give it back"
INVARIANT = ("no thread ever found the pool empty or a resource held by another thread, and the resources "
             "were used threads*ops times in all")
DESCRIPTION = ("Semaphore(2) guarding 2 resources; op = acquire, pop a free resource, use it, put it back, "
               "release")
PACKAGES = []
MUTANT = "threading = without(threading, Semaphore=NoLock)"
VARIANT_OF = "semaphore_pool"

POOL = 2  # fewer resources than threads from 3 threads on, so the Semaphore really makes threads wait


def setup(threads):
    return pool_state(threads, threading.Semaphore(POOL), POOL)


def worker(state, thread_index, ops):
    acquire, release = state.guard.acquire, state.guard.release
    take, give = state.free.pop, state.free.append
    holder, uses = state.holder, state.uses
    clashes = 0
    for _ in range(ops):
        acquire()
        r = take()
        holder[r] = thread_index
        uses[r] += 1
        if holder[r] != thread_index:
            clashes += 1
        give(r)
        release()
    state.clashes[thread_index] = clashes


def verify(state, threads, ops):
    check_pool(state, threads, ops)
