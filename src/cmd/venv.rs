//! `ftbench venv DIR --install SPEC…`: a venv for one side of `ftbench ab --base-venv/--new-venv`
//! (see [`crate::venv`]).

use std::path::PathBuf;

use anyhow::Result;

use crate::exit;

#[derive(clap::Args, Debug)]
#[command(after_help = "Example: ftbench venv /tmp/base --install ./mylib -- --no-build-isolation")]
pub struct Args {
    /// The venv's folder (made if missing; an existing venv is installed into).
    pub dir: PathBuf,
    /// What to `pip install` into it: a path, a wheel, `git+https://…@COMMIT`, a requirement.
    #[arg(long, num_args = 1.., value_name = "SPEC")]
    pub install: Vec<String>,
    /// Options for pip after `--`, e.g. `-- --no-build-isolation`.
    #[arg(last = true, value_name = "PIP_ARGS")]
    pub pip_args: Vec<String>,
}

pub fn run(a: Args) -> Result<i32> {
    crate::venv::create(&a.dir, &a.install, &a.pip_args)?;
    println!("{}", crate::venv::python(&a.dir).display());
    Ok(exit::OK)
}
