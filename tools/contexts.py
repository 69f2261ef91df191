"""Which contexts move an interpreter loop's scaling on free-threaded CPython: a small experiment.

    tools/python tools/contexts.py [--ops N] [--rounds R] [--order ORDER] [WORKLOAD...]

Runs interpreter-suite workloads (default: the four loops ftbench and CPython's ftscalingbench
disagreed on, and pyfunction as a control) at 1 and 2 threads on plain `threading` threads, and
prints the speedup in each context:

  code      how the workload's code object was made: `compile` (the builtin, which importlib uses
            for a .py without a usable .pyc, e.g. under PYTHONDONTWRITEBYTECODE), `bytecode` (the
            same code through marshal, as a cached .pyc is loaded), `relative` (bytecode in a
            module whose name was made at run time, as `from . import x` makes it), `main`
            (compiled as `python script.py` compiles `__main__`, as ftscalingbench's loops are)
  order     `threads-first`: the first threads started before the code objects were made;
            `code-first`: the code made before any thread (3.13t immortalizes the objects that use
            deferred reference counting once, when the second thread state is created)
  threads   `pool`: long-lived threads released by a Barrier each round; `fresh`: new threads
            every round
  baseline  where the 1-thread figure ran: `worker` (a thread like the others, as ftbench does) or
            `main` (the thread that made the code objects, as ftscalingbench's baseline does)

Speedup = throughput at 2 threads / throughput at 1 thread, each the median of R rounds of N ops
per thread; 1- and 2-thread rounds alternate so drift hits both; every round is verified with the
workload's own `verify`. See docs/transfer.md.
"""

import argparse
import marshal
import os
import statistics
import sys
import threading
import time
import types

WORKLOADS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python_workloads")
DEFAULT = ["interp_mult_constant", "interp_load_string_const", "interp_load_tuple_const", "interp_create_closure", "interp_pyfunction"]


class Pool:
    """Long-lived threads released together by a Barrier, each running `job(index)` once a round."""

    def __init__(self, threads):
        self.start = threading.Barrier(threads + 1)
        self.end = threading.Barrier(threads + 1)
        self.job = None
        for i in range(threads):
            threading.Thread(target=self.serve, args=(i,), daemon=True).start()

    def serve(self, index):
        while True:
            self.start.wait()
            self.job(index)
            self.end.wait()

    def round(self, job):
        self.job = job
        t0 = time.perf_counter_ns()
        self.start.wait()
        self.end.wait()
        return time.perf_counter_ns() - t0


def fresh_round(job, threads):
    start = threading.Barrier(threads + 1)

    def run(index):
        start.wait()
        job(index)

    pool = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    start.wait()
    t0 = time.perf_counter_ns()
    for t in pool:
        t.join()
    return time.perf_counter_ns() - t0


def on_this_thread(job):
    t0 = time.perf_counter_ns()
    job(0)
    return time.perf_counter_ns() - t0


def contexts(name):
    """The workload file as a module made in each way of compiling it."""
    path = os.path.join(WORKLOADS, f"{name}.py")
    with open(path, "rb") as f:
        source = f.read()
    compiled = compile(source, path, "exec")
    made = {}
    for code, module_name, code_object in [
        ("compile", name, compiled),
        ("bytecode", name, marshal.loads(marshal.dumps(compiled))),
        ("relative", ".".join(["package", name]), marshal.loads(marshal.dumps(compiled))),  # a name made at run time
        ("main", "__main__", None),
    ]:
        module = types.ModuleType(module_name)
        module.__file__ = path
        # exec of source text compiles through the C API, as `python script.py` does.
        exec(code_object or source.decode(), vars(module))
        made[code] = module
    return made


def speedup(module, ops, rounds, one, two):
    """Median 1-thread and 2-thread round times over alternated, verified rounds."""

    def timed(run, threads):
        state = module.setup(threads)
        elapsed = run(lambda i: module.worker(state, i, ops))
        module.verify(state, threads, ops)
        return elapsed

    t1, t2 = [], []
    timed(one, 1), timed(two, 2)  # warm-up
    for _ in range(rounds):
        t1.append(timed(one, 1))
        t2.append(timed(two, 2))
    return 2 * statistics.median(t1) / statistics.median(t2)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=300_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--order", choices=["threads-first", "code-first"], default="threads-first")
    parser.add_argument("workloads", nargs="*", default=DEFAULT)
    args = parser.parse_args()
    sys.path.insert(0, WORKLOADS)  # _support.py
    gil = sys._is_gil_enabled() if hasattr(sys, "_is_gil_enabled") else True
    print(f"# {sys.version.split()[0]}, GIL {'on' if gil else 'off'}, {args.ops} ops/thread, median of {args.rounds}, {args.order}")
    made = {w: contexts(w) for w in args.workloads} if args.order == "code-first" else {}
    pool1, pool2 = Pool(1), Pool(2)
    made = made or {w: contexts(w) for w in args.workloads}
    threads = {
        "pool": (pool1.round, pool2.round),
        "fresh": (lambda job: fresh_round(job, 1), lambda job: fresh_round(job, 2)),
    }
    print(f"{'workload':<26} {'code':<9} {'threads':<7} {'baseline':<8} {'speedup':>8}")
    for name, modules in made.items():
        for code, module in modules.items():
            for scheme, (one, two) in threads.items():
                for baseline, single in (("worker", one), ("main", on_this_thread)):
                    s = speedup(module, args.ops, args.rounds, single, two)
                    print(f"{name:<26} {code:<9} {scheme:<7} {baseline:<8} {s:>7.2f}x", flush=True)


if __name__ == "__main__":
    main()
