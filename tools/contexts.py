"""Which contexts move an interpreter loop's scaling on free-threaded CPython: a small experiment.

    tools/python tools/contexts.py [--ops N] [--rounds R] [LOOP...]

Runs ftscalingbench's loops that ftbench and ftscalingbench disagreed on (plus pyfunction as a
control) at 1 and 2 threads on plain `threading` threads and prints the speedup for each context:

  code      how the loop's code object was made: `compile` (the builtin, which importlib uses for a
            .py file without a usable .pyc, e.g. under PYTHONDONTWRITEBYTECODE), `bytecode` (the
            same code through marshal, as a cached .pyc is loaded), `relative` (bytecode in a
            module whose name was made at run time, as `from . import x` makes it), `main`
            (compiled as `python script.py` compiles `__main__`, as ftscalingbench's loops are)
  order     `threads-first`: the first threads started before the code objects were made;
            `code-first`: the code made before any thread (3.13t immortalizes the objects that use
            deferred reference counting once, when the second thread state is created)
  threads   `pool`: long-lived threads released by a Barrier each round; `fresh`: new threads
            every round
  baseline  where the 1-thread figure ran: `main` (the thread that made the code objects, as
            ftscalingbench's baseline does) or `worker` (a thread of the pool, as ftbench does)

Speedup = throughput at 2 threads / throughput at 1 thread, each the median of R rounds of N ops
per thread, 1- and 2-thread rounds alternated so drift hits both. See docs/transfer.md.
"""

import argparse
import marshal
import statistics
import sys
import threading
import time
import types

LOOPS_SOURCE = '''
def mult_constant(ops):
    x = 1.0
    for i in range(ops):
        x *= 1.01

def load_string_const(ops):
    accu = 0
    for i in range(ops):
        if i == 'a string':
            accu += 7
        else:
            accu += 1
    return accu

def load_tuple_const(ops):
    accu = 0
    for i in range(ops):
        if i == (1, 2):
            accu += 7
        else:
            accu += 1
    return accu

def create_closure(ops):
    for i in range(ops):
        def foo(x):
            return x
        foo(i)

def next_number(i):
    return i + 1

def pyfunction(ops):
    accu = 0
    for i in range(ops):
        accu = next_number(i)
    return accu
'''


class Pool:
    """Long-lived threads released together by a Barrier, each running `fn(ops)` once per round."""

    def __init__(self, threads):
        self.threads = threads
        self.start = threading.Barrier(threads + 1)
        self.end = threading.Barrier(threads + 1)
        self.job = None
        self.pool = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]
        for t in self.pool:
            t.start()

    def _run(self):
        while True:
            self.start.wait()
            fn, ops = self.job
            fn(ops)
            self.end.wait()

    def round(self, fn, ops):
        self.job = (fn, ops)
        t0 = time.perf_counter_ns()
        self.start.wait()
        self.end.wait()
        return time.perf_counter_ns() - t0


def fresh_round(fn, ops, threads):
    start = threading.Barrier(threads + 1)

    def run():
        start.wait()
        fn(ops)

    pool = [threading.Thread(target=run) for _ in range(threads)]
    for t in pool:
        t.start()
    start.wait()
    t0 = time.perf_counter_ns()
    for t in pool:
        t.join()
    return time.perf_counter_ns() - t0


def on_main(fn, ops):
    t0 = time.perf_counter_ns()
    fn(ops)
    return time.perf_counter_ns() - t0


def namespaces():
    """The loops as the builtin compile() makes them, and the same through marshal (a .pyc)."""
    compiled = compile(LOOPS_SOURCE, "<loops>", "exec")
    # Module namespaces, as importlib makes them (a module's dict is treated unlike a plain dict).
    from_source, from_bytecode = types.ModuleType("from_source"), types.ModuleType("from_bytecode")
    relative = types.ModuleType(".".join(["package", "relative"]))  # a name made at run time
    exec(compiled, from_source.__dict__)
    for module in (from_bytecode, relative):
        exec(marshal.loads(marshal.dumps(compiled)), module.__dict__)
    exec(LOOPS_SOURCE, globals())  # exec of a string compiles as `python script.py` does
    return {"compile": vars(from_source), "bytecode": vars(from_bytecode), "relative": vars(relative), "main": globals()}


def speedup(fn, ops, rounds, one, two):
    """Median 1-thread and 2-thread times over alternated rounds -> (speedup, ns/op at 1 thread)."""
    t1, t2 = [], []
    one(fn, ops)
    two(fn, ops)  # warm-up
    for _ in range(rounds):
        t1.append(one(fn, ops))
        t2.append(two(fn, ops))
    m1, m2 = statistics.median(t1), statistics.median(t2)
    return 2 * m1 / m2, m1 / ops


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=300_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--order", choices=["threads-first", "code-first"], default="threads-first")
    parser.add_argument("loops", nargs="*", default=["mult_constant", "load_string_const", "load_tuple_const", "create_closure", "pyfunction"])
    args = parser.parse_args()
    gil = sys._is_gil_enabled() if hasattr(sys, "_is_gil_enabled") else True
    print(f"# {sys.version.split()[0]}, GIL {'on' if gil else 'off'}, {args.ops} ops/thread, median of {args.rounds}, {args.order}")
    code = namespaces() if args.order == "code-first" else None
    pool1, pool2 = Pool(1), Pool(2)
    code = code or namespaces()
    threads = {
        "pool": (pool1.round, pool2.round),
        "fresh": (lambda f, n: fresh_round(f, n, 1), lambda f, n: fresh_round(f, n, 2)),
    }
    print(f"{'loop':<18} {'code':<9} {'threads':<7} {'baseline':<8} {'speedup':>8} {'ns/op(1t)':>10}")
    for loop in args.loops:
        for variant, ns in code.items():
            fn = ns[loop]
            for scheme, (one, two) in threads.items():
                for baseline, single in (("worker", one), ("main", on_main)):
                    s, ns_op = speedup(fn, args.ops, args.rounds, single, two)
                    print(f"{loop:<18} {variant:<9} {scheme:<7} {baseline:<8} {s:>7.2f}x {ns_op:>10.1f}", flush=True)


if __name__ == "__main__":
    main()
