"""Payments between 16 accounts, each with its own threading.Lock, taken in index order."""

import threading

from _support import LCG_MODULUS, N_ACCOUNTS, bank_state, check_bank, thread_owned

PRIMITIVE = "threading.Lock (one per account, ordered)"
SCENARIO = "short-critical-section"
OPERATION = "move money between two of 16 shared accounts"
INVARIANT = ("every account's balance equals its opening balance plus the payments the threads' "
             "ledgers say it made and received, and no balance is negative (and the ordered locking "
             "never deadlocks)")
DESCRIPTION = ("make_payment locks the lower-numbered of the two accounts first, then the other: "
               "payments between disjoint accounts run in parallel, and no lock-order cycle exists")
PACKAGES = []
MUTANT = "threading = without(threading, Lock=NoLock)"
VARIANT_OF = "bank_transfer"


def setup(threads):
    return bank_state(threads, locks=[threading.Lock() for _ in range(N_ACCOUNTS)])


def make_payment(accounts, locks, buyer, seller, amount):
    if buyer < seller:
        first, second = locks[buyer], locks[seller]
    else:
        first, second = locks[seller], locks[buyer]
    with first, second:
        if accounts[buyer] >= amount:
            accounts[buyer] -= amount
            accounts[seller] += amount
            return True
    return False


def worker(state, thread_index, ops):
    # Identical in all bank_transfer variants. Pairs come from a per-thread LCG (x*75+74 mod
    # 65537), not `random`, whose shared lock would be measured instead.
    accounts, locks, pay = state.accounts, state.locks, make_payment
    modulus = thread_owned(LCG_MODULUS)  # not the shared constant: see _support.thread_owned
    r = (thread_index * 7919 + 1) % 65536  # never 65536, the LCG's fixed point
    ledger = [0] * N_ACCOUNTS  # what this thread's payments moved per account; made in its own thread
    for _ in range(ops):
        r = (r * 75 + 74) % modulus
        buyer = r & 15
        seller = (buyer + 1 + (r >> 4) % 15) & 15  # never the buyer
        amount = 1 + ((r >> 8) & 7)
        if pay(accounts, locks, buyer, seller, amount):
            ledger[buyer] -= amount
            ledger[seller] += amount
    state.ledgers[thread_index] = ledger


def verify(state, threads, ops):
    check_bank(state)
