//! Where things live: the project venv, the workloads folder and the reports folder.
//! Each can be moved with an environment variable; defaults are relative to this repo.

use std::path::PathBuf;

/// The repo this binary was built from.
pub fn project_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn from_env_or(var: &str, default: PathBuf) -> PathBuf {
    std::env::var_os(var).filter(|v| !v.is_empty()).map(PathBuf::from).unwrap_or(default)
}

/// The venv `cargo xtask bootstrap` made (`FTBENCH_VENV` overrides).
pub fn venv_dir() -> PathBuf {
    from_env_or("FTBENCH_VENV", project_root().join(".python"))
}

/// The venv's interpreter, a free-threaded CPython.
pub fn venv_python() -> PathBuf {
    venv_dir().join("bin").join("python")
}

/// The workload files (`FTBENCH_WORKLOADS` overrides).
pub fn workloads_dir() -> PathBuf {
    from_env_or("FTBENCH_WORKLOADS", project_root().join("python_workloads"))
}

/// Where runs are written (`FTBENCH_REPORTS` overrides).
pub fn reports_dir() -> PathBuf {
    from_env_or("FTBENCH_REPORTS", project_root().join("reports"))
}

/// A path option's `--help` line with the default it resolves to on this checkout and environment.
pub fn help_with_default(what: &str, default: PathBuf) -> String {
    format!("{what} [default: {}]", default.display())
}
