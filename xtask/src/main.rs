//! ftbench's developer tasks (the cargo-xtask pattern; `cargo xtask` is an alias in .cargo/config.toml).
//!
//!     cargo xtask bootstrap [--install-build-deps]
//!                                     find or build a free-threaded CPython, make the venv .python
//!     cargo xtask bench [-- ARGS]     bootstrap if needed, then `cargo bench [-- ARGS]`
//!     cargo xtask history [--runs N]  runs in two code states into a history, and its change points
//!     cargo xtask test  [-- ARGS]     bootstrap if needed, then `cargo test --workspace --all-targets [-- ARGS]`,
//!                                     then `cargo check` of every target against the newest PyO3 line and for
//!                                     aarch64-apple-darwin

mod aa;
mod apt;
mod bootstrap;
mod build;
mod cache;
mod cargo;
mod ctx;
mod embed;
mod find;
mod history;
mod pyo3;
mod record;
mod util;
mod venv;

use std::ffi::OsString;
use std::process::ExitCode;

use anyhow::Result;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  bootstrap [--install-build-deps]
                      find a free-threaded CPython (or install one with `uv python install 3.14t`
                      when uv is on PATH, or build one from source) and make the project venv
                      .python from it, with the workload packages; quick when already done.
                      It writes only in this repo, the cache below and uv's own folder. A build
                      from source needs a C compiler, make, xz and the ssl and zlib headers; other
                      modules (dbm.gnu, curses, sqlite3, ...) are built when their headers are
                      there and named when skipped. Missing required packages (Debian/Ubuntu) are
                      installed only with --install-build-deps, as root when CI=true, or when you
                      say yes on a terminal; otherwise it stops and says which command to run.
  bench [-- ARGS]     bootstrap if needed, then `cargo bench [-- ARGS]`
                      (e.g. `cargo xtask bench -- lock --quick`)
  test [-- ARGS]      bootstrap if needed, then `cargo test --workspace --all-targets [-- ARGS]`, then
                      `cargo check --all-targets` against PyO3 0.30 for 3.14t and 3.15t (a copy
                      of the workspace in target/pyo3-check; the repo's Cargo.lock is untouched),
                      and for aarch64-apple-darwin with the locked PyO3 for 3.14t and PyO3 0.30
                      for 3.15t. That rustup target is added only in CI (CI=true); elsewhere the
                      Mac checks are skipped, saying `rustup target add aarch64-apple-darwin`
  aa [--pairs N] [--quick] [--rejudge DIR]
                      bootstrap if needed, then judge `ftbench compare` on this machine: A/A pairs
                      of default runs (no verdict allowed), an A/B pair with one workload slowed
                      (caught, nothing else flagged) and the same with `ftbench ab`, and a broad A/B
                      (16 workloads ~12 % slower with the GIL off only) with both; figures in
                      reports/aa/<timestamp>/summary.md (a benchmark: about 90 minutes).
                      --rejudge DIR measures nothing: it judges the runs of a stored aa folder
                      again with today's `ftbench compare`, into DIR/rejudged.md (seconds)
  history [--runs N] [--quick] [--filter REGEX]
                      bootstrap if needed, then check `ftbench history` on this machine: N runs
                      (default 8) of a filtered sweep (five workloads) as the suite is, then N with
                      lock_counter's loop ~14 % slower, each added to a history; its report must
                      place lock_counter's 1-thread change point between runs N and N + 1 (GIL off
                      and on); other change points are listed (reports/history-check/<timestamp>/;
                      a benchmark: about 15 minutes at the default)

environment:
  FTBENCH_PYTHON           the free-threaded interpreter to use (an error if it is not one)
  PYO3_PYTHON              used when it is not this repo's tools/python shim
  FTBENCH_CPYTHON_VERSION  the python.org release to build when none is found (default 3.14.0)
  FTBENCH_CPYTHON_SHA256   its tarball's SHA-256 (required with a non-default version)
  XDG_CACHE_HOME           Linux: the cache is $XDG_CACHE_HOME/ftbench (default ~/.cache/ftbench);
                           macOS: the cache is always ~/Library/Caches/ftbench
  CI                       `true` (as root): the bootstrap may install build dependencies";

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    match run(args) {
        Ok(code) => ExitCode::from(code.clamp(0, 255) as u8),
        Err(e) => {
            // The chain by hand: `{:?}` would add a backtrace whenever RUST_BACKTRACE is set.
            eprintln!("ftbench: error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(1)
        }
    }
}

fn run(args: Vec<OsString>) -> Result<i32> {
    let Some(command) = args.first().map(|a| a.to_string_lossy().into_owned()) else {
        eprintln!("{USAGE}");
        return Ok(2);
    };
    let rest = &args[1..];
    match command.as_str() {
        "bootstrap" => {
            let asked = rest.first().is_some_and(|a| a == "--install-build-deps");
            if let Some(extra) = rest.get(usize::from(asked)) {
                eprintln!("ftbench: `bootstrap` takes only --install-build-deps (got {})\n\n{USAGE}", extra.to_string_lossy());
                return Ok(2);
            }
            bootstrap::run(&ctx::Ctx::new(asked)?)?;
            Ok(0)
        }
        "bench" | "test" => {
            let ctx = ctx::Ctx::new(false)?;
            bootstrap::run(&ctx)?;
            // Everything after the subcommand goes to cargo as it is: `bench -- lock --quick`
            // becomes `cargo bench -- lock --quick`.
            let mut cargo_args: Vec<OsString> = vec![command.clone().into()];
            if command == "test" {
                // --workspace: xtask's own tests (discovery, apt commands, PyO3 lines) run in CI too.
                cargo_args.extend(["--workspace".into(), "--all-targets".into()]);
            }
            cargo_args.extend(rest.iter().cloned());
            let code = cargo::run(&ctx, &cargo_args)?;
            if command == "bench" {
                return Ok(code);
            }
            let failed = pyo3::check_other_builds(&ctx)?;
            for f in &failed {
                eprintln!("ftbench: does not compile against {f}");
            }
            let habits = house_rules(&ctx)?;
            Ok(if code == 0 && (!failed.is_empty() || !habits) { 1 } else { code })
        }
        "aa" => {
            let ctx = ctx::Ctx::new(false)?;
            bootstrap::run(&ctx)?;
            aa::run(&ctx, rest)
        }
        "history" => {
            let ctx = ctx::Ctx::new(false)?;
            bootstrap::run(&ctx)?;
            history::run(&ctx, rest)
        }
        "help" | "-h" | "--help" => {
            println!("{USAGE}");
            Ok(0)
        }
        other => {
            eprintln!("ftbench: unknown command `{other}`\n\n{USAGE}");
            Ok(2)
        }
    }
}

/// The tree's habits: one format (rustfmt.toml) and no clippy warning, in every package and target.
fn house_rules(ctx: &ctx::Ctx) -> Result<bool> {
    let fmt = cargo::run(ctx, &["fmt".into(), "--all".into(), "--check".into()])?;
    let clippy = cargo::run(ctx, &["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"].map(OsString::from))?;
    for (what, code) in [("cargo fmt --check (run `cargo fmt`)", fmt), ("cargo clippy -D warnings", clippy)] {
        if code != 0 {
            eprintln!("ftbench: {what} failed");
        }
    }
    Ok(fmt == 0 && clippy == 0)
}
