// libpython must be found at run time by the bench, test and CLI binaries: record its folder as an
// rpath instead of asking users for LD_LIBRARY_PATH / DYLD_LIBRARY_PATH. The interpreter's minor
// version is recorded too: `ftbench ab --base-python` only accepts builds with the same ABI.
fn main() {
    pyo3_build_config::add_libpython_rpath_link_args();
    let v = pyo3_build_config::get().version;
    println!("cargo:rustc-env=FTBENCH_PYTHON_MINOR={}.{}", v.major, v.minor);
}
