"""ftbench's Python side: loading and validating workloads, interpreter facts, and the pieces of
measurement that are plain Python (the pure-Python reference driver and the stress jitter).

Embedded into the Rust binaries with include_str! and loaded once per process as `_ftbench_harness`.
The timed rounds are driven from Rust (runner.rs) or, with the Python driver, by ThreadPool below;
nothing else here runs inside them except the workload's own code and, under
`ftbench stress --jitter`, the tracer below.
"""

import importlib.util
import inspect
import marshal
import os
import sys
import sysconfig
import threading
import time
import traceback

# Metadata globals: name -> (required, accepted types, default).
META = {
    "PRIMITIVE": (True, (str,), None),
    "SCENARIO": (True, (str,), None),
    "INVARIANT": (True, (str,), None),
    "DESCRIPTION": (False, (str,), ""),
    "PACKAGES": (False, (list, tuple), []),
    "MIN_PYTHON": (False, (tuple, list), None),
    "UNSYNCHRONIZED": (False, (bool,), False),
    "VARIANT_OF": (False, (str,), None),
    "MIN_THREADS": (False, (int,), 1),
    "OPERATION": (False, (str,), None),
    "ENV": (False, (dict,), {}),
}

# Protocol functions: name -> positional parameters it must accept.
PROTOCOL = {"setup": 1, "worker": 3, "drive": 3, "verify": 3, "teardown": 1}


class WorkloadError(Exception):
    """A workload file that does not follow the protocol. The message names file and fault."""


def facts():
    flags = sys.flags
    return {
        "version": sys.version,
        "version_info": list(sys.version_info[:3]),
        "free_threaded_build": sysconfig.get_config_var("Py_GIL_DISABLED") == 1,
        "gil_enabled": sys._is_gil_enabled(),
        "config_args": sysconfig.get_config_var("CONFIG_ARGS") or "",
        "thread_inherit_context": bool_or_none(getattr(flags, "thread_inherit_context", None)),
        "context_aware_warnings": bool_or_none(getattr(flags, "context_aware_warnings", None)),
        "executable": sys.executable,
    }


def bool_or_none(value):
    return None if value is None else bool(value)


def package_versions(names):
    """Installed distributions among `names`: name -> version."""
    from importlib import metadata

    found = {}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return found


def format_exception(exc):
    return "".join(traceback.format_exception(exc)).rstrip()


def load(path, context="cached", script_code=None):
    """Imports a workload file and checks it against the protocol. Returns (module, meta).

    `context` says how its code object is made, never left to whether a .pyc happens to exist:
    on 3.13t that decides whether constants and code objects are immortal (docs/transfer.md).
    `script_code` is the file compiled as a script compiles (context "main"), which only the C API
    can do: the builtin compile() is the path "source" takes."""
    name = os.path.splitext(os.path.basename(path))[0]
    folder = os.path.dirname(os.path.abspath(path))
    if folder not in sys.path:
        sys.path.insert(0, folder)  # helpers such as _support.py
    # Interned, as `import name` makes a module's name: on 3.13t a name made at run time (as a relative
    # import makes it) is a mortal string every new function object references (docs/transfer.md).
    spec = importlib.util.spec_from_file_location(sys.intern(f"ftbench_workload_{name}"), path)
    module = importlib.util.module_from_spec(spec)
    try:
        exec(script_code or code_object(path, context), vars(module))
    except BaseException as exc:
        raise WorkloadError(f"{path}: cannot be imported:\n{format_exception(exc)}") from None
    return module, check_protocol(path, module)


def code_object(path, context):
    """The file compiled as importlib compiles a .py ("source"), or that code as importlib loads it
    back from the .pyc it writes ("cached")."""
    with open(path, "rb") as f:
        code = compile(f.read(), path, "exec", dont_inherit=True)
    return marshal.loads(marshal.dumps(code)) if context == "cached" else code


def check_protocol(path, module):
    meta = {}
    for key, (required, types, default) in META.items():
        if not hasattr(module, key):
            if required:
                raise WorkloadError(f"{path}: missing metadata {key} ({types[0].__name__})")
            meta[key] = default
            continue
        value = getattr(module, key)
        if not isinstance(value, types):
            raise WorkloadError(
                f"{path}: metadata {key} must be {' or '.join(t.__name__ for t in types)}, "
                f"not {type(value).__name__}"
            )
        meta[key] = value
    meta["PACKAGES"] = list(meta["PACKAGES"])
    if not all(isinstance(p, str) for p in meta["PACKAGES"]):
        raise WorkloadError(f"{path}: PACKAGES must be a list of import names (str)")
    check_env(path, meta["ENV"])
    has_worker, has_drive = hasattr(module, "worker"), hasattr(module, "drive")
    if has_worker == has_drive:
        raise WorkloadError(
            f"{path}: must define exactly one of worker(state, thread_index, ops) "
            f"or drive(state, threads, ops)" + (" (it defines both)" if has_worker else "")
        )
    for fn in ("setup", "verify"):
        if not hasattr(module, fn):
            raise WorkloadError(f"{path}: missing protocol function {fn}{signature_hint(fn)}")
    for fn, arity in PROTOCOL.items():
        if hasattr(module, fn):
            check_arity(path, fn, getattr(module, fn), arity)
    if meta["OPERATION"] is not None and (not meta["OPERATION"].strip() or "\n" in meta["OPERATION"]):
        raise WorkloadError(f"{path}: OPERATION must be one line saying what one op does, not {meta['OPERATION']!r}")
    if isinstance(meta["MIN_THREADS"], bool) or meta["MIN_THREADS"] < 1:
        raise WorkloadError(f"{path}: MIN_THREADS must be a positive int, not {meta['MIN_THREADS']!r}")
    meta["DRIVER"] = has_drive
    return meta


def check_env(path, env):
    """ENV is read from the file's text by the parent, which starts this interpreter with it (the 3.14
    context flags must be set before start-up): the module and what really reached this process must agree."""
    for key, value in env.items():
        if not (isinstance(key, str) and isinstance(value, str)):
            raise WorkloadError(f"{path}: ENV must map variable names (str) to values (str), not {key!r}: {value!r}")
        if key == "PYTHON_GIL":
            raise WorkloadError(f"{path}: ENV may not set PYTHON_GIL: ftbench sets it for each GIL mode")
        if os.environ.get(key) != value:
            raise WorkloadError(
                f"{path}: ENV {key}={value!r} did not reach this process ({key}={os.environ.get(key)!r}); "
                f"ftbench reads ENV from the file's text: write it on one line as a literal dict of strings"
            )


def signature_hint(fn):
    return {
        "setup": "(threads)",
        "worker": "(state, thread_index, ops)",
        "drive": "(state, threads, ops)",
        "verify": "(state, threads, ops_per_thread)",
        "teardown": "(state)",
    }[fn]


def check_arity(path, name, fn, arity):
    if not callable(fn):
        raise WorkloadError(f"{path}: {name} must be a function{signature_hint(name)}")
    try:
        inspect.signature(fn).bind(*range(arity))
    except TypeError:
        raise WorkloadError(
            f"{path}: {name} has the wrong signature {name}{inspect.signature(fn)}; "
            f"the protocol calls {name}{signature_hint(name)}"
        ) from None
    except ValueError:
        pass  # builtins without a signature: trust them


def skip_reason(meta):
    """Why a workload cannot run here (missing package, too old), or None. Imports its packages."""
    minimum = meta["MIN_PYTHON"]
    if minimum and tuple(sys.version_info[: len(minimum)]) < tuple(minimum):
        wanted = ".".join(map(str, minimum))
        return f"needs Python {wanted}t or newer (this is {sys.version.split()[0]})"
    for package in meta["PACKAGES"]:
        if importlib.util.find_spec(package) is None:
            return f"package {package} is not installed (run `cargo xtask bootstrap`)"
        try:
            importlib.import_module(package)
        except BaseException as exc:
            last = format_exception(exc).splitlines()[-1]
            return f"package {package} cannot be imported: {last}"
    return None


def canary(_state, _thread_index, steps):
    """The machine-speed canary: a fixed pure-Python integer loop (the loop the drift evidence
    used), called like a worker on the pool's first thread; the Rust side times it."""
    x = 1
    for _ in range(steps):
        x = (x * 75 + 74) % 65537


class ThreadPool:
    """The pure-Python driver: the Rust pool's protocol as a Python program would write it.
    Long-lived `threading` threads, released together by a Barrier each round; each times its own
    call with perf_counter_ns. A round returns (start_ns, end_ns, traceback or None) per thread;
    setup, verify and the round's timing stay with the caller, as for the Rust pool."""

    def __init__(self, threads):
        self.start = threading.Barrier(threads + 1)
        self.end = threading.Barrier(threads + 1)
        self.job = None
        self.outcomes = [None] * threads
        self.pool = [threading.Thread(target=self.serve, args=(i,), name=f"ftbench-python-{i}", daemon=True) for i in range(threads)]
        for t in self.pool:
            t.start()

    def serve(self, index):
        while True:
            self.start.wait()
            if self.job is None:
                return
            self.outcomes[index] = self.call(index, *self.job)
            self.end.wait()

    @staticmethod
    def call(index, function, state, ops, driver_threads, first_only, tracers):
        if first_only and index > 0:
            now = time.perf_counter_ns()
            return now, now, None
        if tracers:
            sys.settrace(tracers[index])
        # Each thread its own `ops`, as each Rust thread converts its own: on 3.13t one int object
        # read in every thread's hot loop (`i / ops`) costs up to 1.8x in refcount traffic.
        ops = int(repr(ops))
        error = None
        start = time.perf_counter_ns()
        try:
            function(state, index if driver_threads is None else driver_threads, ops)
        except BaseException as exc:
            error = format_exception(exc)
        end = time.perf_counter_ns()
        if tracers:
            sys.settrace(None)
        return start, end, error

    def round(self, function, state, ops, driver_threads=None, first_only=False, tracers=None):
        self.job = (function, state, ops, driver_threads, first_only, tracers)
        self.start.wait()
        self.end.wait()
        self.job = None
        return list(self.outcomes)

    def close(self):
        self.start.wait()  # job is None: every thread returns
        for t in self.pool:
            t.join()


def jitter_tracer(path, probability, seed):
    """A trace function that, on lines of the workload file, sometimes yields the CPU or sleeps
    a few microseconds: preemption at line boundaries, for `ftbench stress --jitter`."""
    import random

    rng = random.Random(seed)
    target = os.path.abspath(path)

    def local(frame, event, arg):
        if event == "line" and rng.random() < probability:
            if rng.random() < 0.5:
                os.sched_yield() if hasattr(os, "sched_yield") else time.sleep(0)
            else:
                time.sleep(rng.random() * 20e-6)
        return local

    def tracer(frame, event, arg):
        if os.path.abspath(frame.f_code.co_filename) == target:
            return local
        return None

    return tracer


def arm_watchdog(seconds):
    """Dumps every thread's stack and exits if the round is not done in `seconds` (a deadlock)."""
    import faulthandler

    faulthandler.dump_traceback_later(seconds, exit=True)


def disarm_watchdog():
    import faulthandler

    faulthandler.cancel_dump_traceback_later()


def capture_thread_exceptions():
    """Collects the tracebacks of exceptions in threads the workload starts itself."""
    caught = []

    def hook(args):
        name = args.thread.name if args.thread else "?"
        text = "".join(traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback))
        caught.append(f"thread {name}:\n{text.rstrip()}")

    threading.excepthook = hook
    return caught


def enable_crash_traces():
    """On SIGSEGV and friends, print every Python thread's stack to stderr before dying."""
    import faulthandler

    faulthandler.enable(all_threads=True)
    if hasattr(faulthandler, "register"):
        import signal

        # The parent sends SIGUSR1 before killing a child that outlived its timeout.
        faulthandler.register(signal.SIGUSR1, all_threads=True)
