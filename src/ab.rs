//! An A/B comparison in one run (`ftbench ab`). Two variants — two builds of the interpreter, or
//! two workload folders (two versions of a workload or of the package it imports) — are measured
//! side by side, benchmark by benchmark, in every pass, alternating which goes first, with the same
//! work per round. Both sides share the machine's fast and slow stretches, so unchanged code moves
//! less between them than between two separate runs. This module holds the other interpreter a
//! side may run on.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use crate::supervise;

/// Another build of the interpreter the binary embeds: its children find its standard library
/// through PYTHONHOME and its libpython through the dynamic loader's path, and prove they loaded
/// that library ([`Interpreter::verify`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Interpreter {
    pub executable: PathBuf,
    pub home: PathBuf,
    /// The shared libpython this interpreter runs (its real path).
    pub library: PathBuf,
}

/// How long an interpreter may take to say what it is.
const PROBE_TIMEOUT: Duration = Duration::from_secs(60);

/// `major.minor` of the CPython ftbench was built against (set by build.rs).
pub const BUILT_FOR: &str = env!("FTBENCH_PYTHON_MINOR");

/// What `ab_probe.py` reports of an interpreter.
#[derive(Debug, Default, Deserialize)]
struct Facts {
    home: String,
    version: String,
    free_threaded: bool,
    /// The libpython the loader mapped into the interpreter's process (None: a static build).
    loaded: Option<PathBuf>,
    /// The shared libpython its build configuration names (empty when it names none).
    configured: PathBuf,
}

impl Facts {
    /// The interpreter's own libpython (real path): the one its process loaded, else the one its
    /// configuration names, whichever lies inside its home. Either can lie elsewhere: a loader
    /// path set for another install (setup-python's LD_LIBRARY_PATH) decides what a process
    /// loads, and a copied install keeps the original's configuration.
    fn library(&self) -> Result<PathBuf, String> {
        let home = Path::new(&self.home).canonicalize().map_err(|e| format!("its home {} is unreadable ({e})", self.home))?;
        let own = |p: &Path| p.canonicalize().ok().filter(|p| p.starts_with(&home));
        if let Some(library) = self.loaded.as_deref().and_then(own).or_else(|| own(&self.configured)) {
            return Ok(library);
        }
        Err(match &self.loaded {
            None => "has no shared libpython (a static build: it loaded none, and its configuration names none that \
                     exists); ftbench embeds libpython, so a side must be a build configured with --enable-shared (or a \
                     framework build on macOS)"
                .into(),
            Some(loaded) => format!(
                "runs {}, which lies outside its home {} (its configuration names {}): a copied install whose \
                 loader path still leads to the original? Give the copy its own (an rpath of $ORIGIN/../lib, or \
                 LD_LIBRARY_PATH in a launcher), or compare the original",
                loaded.display(),
                home.display(),
                self.configured.display()
            ),
        })
    }
}

impl Interpreter {
    /// Asks `python` for its home, libpython and version (supervised: it is killed after
    /// [`PROBE_TIMEOUT`]); refuses a GIL-only build, another minor version than the one ftbench
    /// embeds (its ABI would not match) and a build without a shared libpython (ftbench would
    /// run its own).
    pub fn probe(python: &Path) -> Result<Interpreter> {
        let dir = tempfile::Builder::new().prefix("ftbench-ab-").tempdir().context("creating a temporary folder")?;
        let (script, record) = (dir.path().join("ab_probe.py"), dir.path().join("facts.json"));
        std::fs::write(&script, include_str!("ab_probe.py")).with_context(|| format!("writing {}", script.display()))?;
        let mut command = Command::new(python);
        command.arg(&script).arg(&record);
        let facts = ask(command, dir.path(), record, &format!("{} did not tell its home and version", python.display()))?;
        Self::from_facts(python, facts)
    }

    fn from_facts(python: &Path, facts: Facts) -> Result<Interpreter> {
        if !facts.free_threaded {
            bail!("{} is not a free-threaded build (Py_GIL_DISABLED is not 1)", python.display());
        }
        if facts.version != BUILT_FOR {
            bail!(
                "{} is Python {}; this ftbench embeds Python {BUILT_FOR}: build ftbench against {} \
                 (FTBENCH_PYTHON=... cargo xtask bootstrap) or compare two {BUILT_FOR} builds",
                python.display(),
                facts.version,
                facts.version
            );
        }
        let library = facts.library().map_err(|why| anyhow::anyhow!("{} {why}", python.display()))?;
        Ok(Interpreter { executable: python.to_path_buf(), home: facts.home.into(), library })
    }

    /// Points a child at this interpreter: its home, and its libpython's folder first on the
    /// loader's path (on macOS the framework's folder too, for a framework build's install name).
    pub fn configure(&self, cmd: &mut Command) {
        let folder = self.library.parent().unwrap_or(Path::new("/"));
        if cfg!(target_os = "macos") {
            prepend(cmd, "DYLD_LIBRARY_PATH", folder);
            if let Some(frameworks) = frameworks_folder(&self.library) {
                prepend(cmd, "DYLD_FRAMEWORK_PATH", frameworks);
            }
        } else {
            prepend(cmd, "LD_LIBRARY_PATH", folder);
        }
        cmd.env("PYTHONHOME", &self.home);
    }

    /// Why a child that loaded `loaded` did not run this interpreter, if it did not.
    pub fn mismatch(&self, loaded: Option<&Path>) -> Option<String> {
        let loaded = loaded.and_then(|l| l.canonicalize().ok());
        (loaded.as_deref() != Some(self.library.as_path())).then(|| {
            format!(
                "a child configured for {} loaded {} instead of its libpython {}",
                self.executable.display(),
                loaded.map_or("no libpython".into(), |l| l.display().to_string()),
                self.library.display()
            )
        })
    }

    /// Starts `exe` (ftbench) as a child configured for this interpreter and refuses the side
    /// unless the libpython that child loaded is this interpreter's own: before anything is measured.
    pub fn verify(&self, exe: &Path) -> Result<()> {
        let dir = tempfile::Builder::new().prefix("ftbench-ab-").tempdir().context("creating a temporary folder")?;
        let check = LibraryCheck { record: dir.path().join("loaded.json") };
        let mut command = supervise::own_child(exe, LIBRARY_CHECK_ENV, &check, &dir.path().join("check.json"))?;
        self.configure(&mut command);
        let who = format!("{} could not start on {}'s libpython", exe.display(), self.executable.display());
        let loaded: Loaded = ask(command, dir.path(), check.record, &who)?;
        match self.mismatch(loaded.library.as_deref()) {
            Some(why) => bail!("{why}: refusing to measure a side that would not run its own interpreter"),
            None => Ok(()),
        }
    }
}

/// Runs a short helper in `dir` that writes its answer to `record` (supervised: killed after
/// [`PROBE_TIMEOUT`]); the answer, or an error saying `failed`, how it ended and its last words.
pub(crate) fn ask<R: serde::de::DeserializeOwned>(mut command: Command, dir: &Path, record: PathBuf, failed: &str) -> Result<R> {
    command.stdout(Stdio::null());
    let spec = supervise::Spec { command, stderr: dir.join("stderr.log"), record, timeout: PROBE_TIMEOUT, dump_stacks: false };
    let run = supervise::run::<R>(spec).with_context(|| failed.to_string())?;
    if let Some((_, why)) = run.fault("") {
        let last = run.stderr.lines().rev().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
        bail!("{failed} ({why}): {last}");
    }
    Ok(run.record.expect("no fault: the record was read"))
}

/// Two sides must run two libraries: different interpreters sharing one libpython would measure
/// the same code twice (a copied install whose loader path still leads to the original, say).
pub fn check_pair(base: &Interpreter, new: &Interpreter) -> Result<()> {
    let real = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    if base.library == new.library && real(&base.executable) != real(&new.executable) {
        bail!(
            "{} and {} both run {}: the comparison would measure one libpython twice",
            base.executable.display(),
            new.executable.display(),
            base.library.display()
        );
    }
    Ok(())
}

/// The folder holding the framework `library` lies in (`…/Frameworks` for
/// `…/Frameworks/PythonT.framework/Versions/3.14/PythonT`), if it lies in one.
fn frameworks_folder(library: &Path) -> Option<&Path> {
    library.ancestors().find(|a| a.extension().is_some_and(|e| e == "framework"))?.parent()
}

/// Sets the loader's path variable `var` to `folder`, then the value this process has.
fn prepend(cmd: &mut Command, var: &str, folder: &Path) {
    let mut path = folder.as_os_str().to_os_string();
    if let Some(old) = std::env::var_os(var).filter(|v| !v.is_empty()) {
        path.push(":");
        path.push(old);
    }
    cmd.env(var, path);
}

/// Names the spec file of a library check: a child that only says which libpython it loaded.
const LIBRARY_CHECK_ENV: &str = "FTBENCH_LIBRARY_CHECK";

#[derive(Serialize, Deserialize)]
struct LibraryCheck {
    record: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct Loaded {
    library: Option<PathBuf>,
}

/// If this process was started as a library check, answers it and returns the exit code.
pub fn run_if_child() -> Option<i32> {
    supervise::child_main(LIBRARY_CHECK_ENV, "ftbench library check", |check: LibraryCheck| {
        supervise::write_record(&check.record, &Loaded { library: crate::embedding::loaded_libpython() })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn script(dir: &Path, body: &str) -> PathBuf {
        let path = dir.join("python3");
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    #[test]
    fn an_interpreter_that_fails_or_says_nothing_is_named_with_what_it_printed() {
        let dir = tempfile::tempdir().unwrap();
        let failing = script(dir.path(), "echo 'ImportError: no sysconfig' >&2; exit 1");
        let err = Interpreter::probe(&failing).unwrap_err().to_string();
        assert!(err.contains(&failing.display().to_string()) && err.contains("exit status: 1") && err.contains("no sysconfig"), "{err}");
        let silent = script(dir.path(), "exit 0");
        let err = Interpreter::probe(&silent).unwrap_err().to_string();
        assert!(err.contains("without writing a result"), "{err}");
    }

    /// An installation at `dir/name`: its home, and a libpython file in its `lib`.
    fn install(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
        let home = dir.join(name);
        std::fs::create_dir_all(home.join("lib")).unwrap();
        let library = home.join("lib/libpython3.14t.so.1.0");
        std::fs::write(&library, "").unwrap();
        (home.canonicalize().unwrap(), library.canonicalize().unwrap())
    }

    fn facts(home: &Path, loaded: Option<&Path>, configured: &Path) -> Facts {
        Facts {
            home: home.display().to_string(),
            version: BUILT_FOR.into(),
            free_threaded: true,
            loaded: loaded.map(Path::to_path_buf),
            configured: configured.to_path_buf(),
        }
    }

    #[test]
    fn a_sides_library_is_the_one_inside_its_own_home() {
        let dir = tempfile::tempdir().unwrap();
        let ((home, own), (_, other)) = (install(dir.path(), "a"), install(dir.path(), "b"));
        assert_eq!(facts(&home, Some(&own), Path::new("")).library(), Ok(own.clone()), "what it loaded");
        // setup-python's LD_LIBRARY_PATH made it load another install's: its configuration's wins.
        assert_eq!(facts(&home, Some(&other), &own).library(), Ok(own.clone()));
        // A static executable that names a shared libpython of its own install (Debian's way).
        assert_eq!(facts(&home, None, &own).library(), Ok(own));
        // A copy of b at a: it loads b's library and its configuration still names b's.
        let err = facts(&home, Some(&other), &other).library().unwrap_err();
        assert!(err.contains("outside its home") && err.contains(&other.display().to_string()), "{err}");
    }

    #[test]
    fn a_side_without_a_shared_libpython_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (home, _) = install(dir.path(), "static");
        let err = facts(&home, None, Path::new("")).library().unwrap_err();
        assert!(err.contains("no shared libpython") && err.contains("--enable-shared"), "{err}");
        // The same through the probe: an interpreter that reports a static build is refused by name.
        let record = format!(
            r#"{{"home": "{}", "version": "{BUILT_FOR}", "free_threaded": true, "loaded": null, "configured": ""}}"#,
            home.display()
        );
        let python = script(dir.path(), &format!("echo '{record}' > \"$2\""));
        let err = Interpreter::probe(&python).unwrap_err().to_string();
        assert!(err.starts_with(&python.display().to_string()) && err.contains("no shared libpython"), "{err}");
    }

    #[test]
    fn a_child_that_loaded_another_library_is_named_and_two_sides_need_two_libraries() {
        let dir = tempfile::tempdir().unwrap();
        let ((home, own), (_, other)) = (install(dir.path(), "a"), install(dir.path(), "b"));
        let side = Interpreter { executable: home.join("bin/python3"), home: home.clone(), library: own.clone() };
        assert_eq!(side.mismatch(Some(&own)), None);
        let why = side.mismatch(Some(&other)).unwrap();
        assert!(why.contains(&format!("loaded {} instead of its libpython {}", other.display(), own.display())), "{why}");
        assert!(side.mismatch(None).unwrap().contains("loaded no libpython"));
        let twin = Interpreter { executable: dir.path().join("b/bin/python3"), ..side.clone() };
        assert!(check_pair(&side, &twin).unwrap_err().to_string().contains("one libpython twice"));
        assert!(check_pair(&side, &side).is_ok(), "one interpreter against itself is an A/A run");
        assert!(check_pair(&side, &Interpreter { library: other, ..twin }).is_ok());
    }

    #[test]
    fn a_framework_builds_children_search_its_frameworks_folder() {
        let lib = Path::new("/opt/homebrew/opt/python-freethreading/Frameworks/PythonT.framework/Versions/3.14/PythonT");
        assert_eq!(frameworks_folder(lib), Some(Path::new("/opt/homebrew/opt/python-freethreading/Frameworks")));
        assert_eq!(frameworks_folder(Path::new("/usr/lib/libpython3.14t.so.1.0")), None);
    }
}
