//! The thread sweep: every workload in python_workloads/ at 1..N threads, GIL off and on, each
//! workload × mode in its own child process of this binary. See src/cmd/bench.rs.

fn main() {
    if let Some(code) = ftbench::child::run_if_child() {
        std::process::exit(code);
    }
    std::process::exit(ftbench::cmd::bench::main());
}
