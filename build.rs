// libpython must be found at run time by the bench, test and CLI binaries: record its folder as an
// rpath instead of asking users for LD_LIBRARY_PATH / DYLD_LIBRARY_PATH.
fn main() {
    pyo3_build_config::add_libpython_rpath_link_args();
}
