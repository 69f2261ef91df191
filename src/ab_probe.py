"""What `ftbench ab` asks of another interpreter (src/ab.rs): its home, version, whether it is a
free-threaded build, and the libpython it runs, as the dynamic loader loaded it and as its build
configuration names it. Run as `python ab_probe.py RECORD`; writes RECORD as JSON."""

import json
import os
import sys
import sysconfig


def loaded_libpython():
    """The shared library this process runs Python's own code from, or None when the executable
    holds it (a static build). Linux: the loader's map of this process; elsewhere (macOS): dladdr
    of a C API function."""
    if sys.platform == "linux":
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split(maxsplit=5)[5:]
                name = os.path.basename(path[0].strip()) if path else ""
                # libpython3.so is the stable-ABI forwarder, never the interpreter itself.
                if name.startswith("libpython") and name != "libpython3.so":
                    return os.path.realpath(path[0].strip())
        return None
    try:
        import ctypes
    except ImportError:
        return None

    class Info(ctypes.Structure):
        _fields_ = [("fname", ctypes.c_char_p), ("fbase", ctypes.c_void_p), ("sname", ctypes.c_char_p), ("saddr", ctypes.c_void_p)]

    info = Info()
    symbol = ctypes.cast(ctypes.pythonapi.Py_IsInitialized, ctypes.c_void_p)
    if not ctypes.CDLL(None).dladdr(symbol, ctypes.byref(info)) or not info.fname:
        return None
    path = os.path.realpath(os.fsdecode(info.fname))
    return None if path == os.path.realpath(sys.executable) else path


def config(name):
    return str(sysconfig.get_config_var(name) or "")


def configured_libpython():
    """The shared libpython the build configuration names: a framework's library on macOS
    (python.org, Homebrew), else LIBDIR's; empty for a static build."""
    if config("PYTHONFRAMEWORK"):
        return os.path.join(config("PYTHONFRAMEWORKPREFIX"), config("LDLIBRARY"))
    if config("Py_ENABLE_SHARED") != "1":
        return ""
    return os.path.join(config("LIBDIR"), config("INSTSONAME") or config("LDLIBRARY"))


facts = {
    "home": sys.base_prefix,
    "version": "%d.%d" % sys.version_info[:2],
    "free_threaded": config("Py_GIL_DISABLED") == "1",
    "loaded": loaded_libpython(),
    "configured": configured_libpython(),
}
with open(sys.argv[1], "w") as f:
    json.dump(facts, f)
