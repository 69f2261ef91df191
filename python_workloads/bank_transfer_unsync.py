"""Payments between 16 accounts with no synchronization at all: the race baseline."""

from _support import LCG_MODULUS, N_ACCOUNTS, bank_state, check_bank, thread_owned

PRIMITIVE = "none (unsynchronized list-slot updates)"
SCENARIO = "race-surface"
OPERATION = "move money between two of 16 shared accounts"
INVARIANT = ("every account's balance equals its opening balance plus the payments the threads' "
             "ledgers say it made and received, and no balance is negative (expected to fail with the "
             "GIL off)")
DESCRIPTION = ("make_payment checks funds, then `accounts[buyer] -= amount` and `accounts[seller] "
               "+= amount` with no lock; lost_updates = money misplaced (sum over accounts of |balance - ledger|)")
PACKAGES = []
MUTANT_EXEMPT = "an unsynchronized baseline: there is no primitive to remove"
UNSYNCHRONIZED = True
VARIANT_OF = "bank_transfer"


def setup(threads):
    return bank_state(threads, locks=[])


def make_payment(accounts, locks, buyer, seller, amount):
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
