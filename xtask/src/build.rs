//! Building a free-threaded CPython from source into the per-user cache, when no interpreter was
//! found: `./configure --disable-gil --enable-shared --prefix=P LDFLAGS=-Wl,-rpath,P/lib`,
//! `make -j<cores>`, `make install`, with P = `<cache>/cpython-<version>t`.
//!
//! Sources, in order: python.org's release tarball (3.14.0 by default, checksum pinned here;
//! `FTBENCH_CPYTHON_VERSION` / `FTBENCH_CPYTHON_SHA256` override), then, on Debian, the pristine
//! upstream tarball inside Debian stable's `python3.13` source package (see apt.rs).
//! The whole log is `<cache>/build.log`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{anyhow, bail, Context, Result};

use crate::ctx::Ctx;
use crate::find::HOW_TO_GET;
use crate::util::{capture, last_lines, which, Log, Progress};
use crate::{apt, cache};

pub const DEFAULT_VERSION: &str = "3.14.0";
/// SHA-256 of python.org's Python-3.14.0.tar.xz.
pub const DEFAULT_SHA256: &str = "2299dae542d395ce3883aca00d3c910307cd68e0b2f7336098c8e7b7eee9f3e9";
/// curl gives up on connecting after this many seconds (machines without network fall through fast).
const CONNECT_TIMEOUT_SECS: &str = "5";

/// Where a source tree came from, for messages and the bootstrap record.
struct Source {
    tarball: PathBuf,
    version: String,
    origin: String,
    /// The Debian path has installed the build dependencies already.
    deps_checked: bool,
}

/// Builds and installs a free-threaded CPython; returns its interpreter and how it was obtained.
/// `tried` gets a line for each source that could not be had.
pub fn build_from_source(ctx: &Ctx, tried: &mut Vec<String>) -> Result<(PathBuf, String)> {
    std::fs::create_dir_all(&ctx.cache).with_context(|| format!("creating the cache {}", ctx.cache.display()))?;
    let progress = Progress::new();
    let mut log = Log::create(ctx.cache.join("build.log"))?;
    progress.phase(format!(
        "no free-threaded CPython found: building one from source into {} (full log: {})",
        ctx.cache.display(),
        log.path.display()
    ));
    if cfg!(target_os = "macos") {
        // An installed one is minutes faster and comes with a working ssl module.
        progress.phase(format!("an installed interpreter is the better choice on macOS:\n{HOW_TO_GET}"));
    }

    let source = match python_org_tarball(ctx, &mut log, &progress, tried)? {
        Some(s) => s,
        None => match debian_tarball(ctx, &mut log, &progress, tried)? {
            Some(s) => s,
            None => bail!(nothing_worked(tried)),
        },
    };
    let python = configure_make_install(ctx, &source, &mut log, &progress)?;
    progress.phase(format!("built CPython {} (free-threaded) from {}: {}", source.version, source.origin, python.display()));
    Ok((python, format!("built from source ({}) into the cache {}", source.origin, ctx.cache.display())))
}

fn nothing_worked(tried: &[String]) -> String {
    format!(
        "no free-threaded CPython found, and none could be built from source.\nTried:\n{}\n\n{HOW_TO_GET}",
        tried.iter().map(|t| format!("  - {t}")).collect::<Vec<_>>().join("\n")
    )
}

/// (a) python.org's release tarball, verified against the pinned SHA-256.
fn python_org_tarball(ctx: &Ctx, log: &mut Log, progress: &Progress, tried: &mut Vec<String>) -> Result<Option<Source>> {
    let version = std::env::var("FTBENCH_CPYTHON_VERSION").ok().filter(|v| !v.trim().is_empty());
    let sha = std::env::var("FTBENCH_CPYTHON_SHA256").ok().filter(|v| !v.trim().is_empty());
    let (version, sha) = match (version, sha) {
        (None, None) => (DEFAULT_VERSION.to_owned(), DEFAULT_SHA256.to_owned()),
        (Some(v), Some(s)) => (v.trim().to_owned(), s.trim().to_lowercase()),
        (None, Some(s)) => (DEFAULT_VERSION.to_owned(), s.trim().to_lowercase()),
        (Some(v), None) if v.trim() == DEFAULT_VERSION => (DEFAULT_VERSION.to_owned(), DEFAULT_SHA256.to_owned()),
        (Some(v), None) => bail!(
            "FTBENCH_CPYTHON_VERSION={v} needs FTBENCH_CPYTHON_SHA256 too (the SHA-256 of Python-{v}.tar.xz, \
             listed on its python.org release page): the tarball is not built unverified"
        ),
    };
    let url = format!("https://www.python.org/ftp/python/{version}/Python-{version}.tar.xz");
    let downloads = ctx.cache.join("downloads");
    std::fs::create_dir_all(&downloads)?;
    let tarball = downloads.join(format!("Python-{version}.tar.xz"));
    let origin = format!("python.org's Python-{version}.tar.xz");

    if tarball.is_file() && sha256(&tarball)? == sha {
        progress.phase(format!("using the downloaded {}", tarball.display()));
        return Ok(Some(Source { tarball, version, origin, deps_checked: false }));
    }
    if which("curl").is_none() {
        tried.push(format!("{url}: curl is not installed"));
        return Ok(None);
    }
    progress.phase(format!("downloading {url}"));
    let part = tarball.with_extension("xz.part");
    let (ok, out) = capture(
        Command::new("curl").args(["-fsSL", "--connect-timeout", CONNECT_TIMEOUT_SECS, "--max-time", "900", "-o"]).arg(&part).arg(&url),
    )?;
    log.note(&format!("\n===== curl {url}\n{out}"));
    if !ok {
        let _ = std::fs::remove_file(&part);
        let why = last_lines(&out, 1);
        progress.phase(format!("python.org not reachable ({why}); trying the next source"));
        tried.push(format!("python.org tarball {url}: {why}"));
        return Ok(None);
    }
    let got = sha256(&part)?;
    if got != sha {
        let _ = std::fs::remove_file(&part);
        bail!("{url}: SHA-256 mismatch: expected {sha}, got {got} (the download was deleted)");
    }
    std::fs::rename(&part, &tarball)?;
    Ok(Some(Source { tarball, version, origin, deps_checked: false }))
}

/// (b) Debian stable's python3.13 source package: its pristine `.orig.tar.xz`, not Debian's tree.
fn debian_tarball(ctx: &Ctx, log: &mut Log, progress: &Progress, tried: &mut Vec<String>) -> Result<Option<Source>> {
    if !apt::is_debian() {
        tried.push(format!("Debian stable's {} source package: this is not Debian ({})", apt::SOURCE_PACKAGE, apt::system_name()));
        return Ok(None);
    }
    progress.phase(format!("trying Debian stable's {} source package", apt::SOURCE_PACKAGE));
    let private = apt::PrivateApt::new(ctx.cache.join("apt"));
    match apt::fetch_orig_tarball(&ctx.cache.join("debian-src"), &private, log, progress, ctx.install_build_deps) {
        Ok((tarball, version)) => {
            let origin = format!("Debian stable's {}", tarball.file_name().unwrap_or_default().to_string_lossy());
            Ok(Some(Source { tarball, version, origin, deps_checked: true }))
        }
        Err(e) => {
            tried.push(format!("Debian stable's {} source package: {e:#}", apt::SOURCE_PACKAGE));
            bail!(nothing_worked(tried))
        }
    }
}

fn configure_make_install(ctx: &Ctx, source: &Source, log: &mut Log, progress: &Progress) -> Result<PathBuf> {
    if !source.deps_checked && apt::has_apt() {
        // python.org's tarball on a Debian-like system: the same build dependencies apply
        // (without libssl-dev there is no ssl module, and pip cannot reach its index).
        apt::ensure_build_deps(log, progress, ctx.install_build_deps)?;
    }
    let prefix = cache::prefix(&ctx.cache, &source.version);
    let python = cache::python(&prefix, &source.version).ok_or_else(|| anyhow!("odd version {}", source.version))?;

    // A fresh folder to extract into; its only entry is the source tree.
    let work = ctx.cache.join("build");
    if work.exists() {
        std::fs::remove_dir_all(&work).with_context(|| format!("removing the old {}", work.display()))?;
    }
    std::fs::create_dir_all(&work)?;
    progress.phase(format!("extracting {}", source.tarball.display()));
    log.run(Command::new("tar").arg("-xf").arg(&source.tarball).arg("-C").arg(&work), "tar -x", progress)?;
    let tree = single_subdir(&work)?;

    // Whatever is at the prefix did not pass as a free-threaded CPython (or discovery would have
    // taken it): start clean so `make install` leaves no stale files.
    if prefix.exists() {
        std::fs::remove_dir_all(&prefix).with_context(|| format!("removing the old {}", prefix.display()))?;
    }
    // Until `make install` has finished, discovery must not take a half-installed prefix.
    let marker = cache::incomplete_marker(&prefix);
    std::fs::write(&marker, "a build from source into the folder beside this file has not finished\n")?;
    let p = prefix.display().to_string();
    let openssl = if cfg!(target_os = "macos") { homebrew_openssl() } else { None };
    let args = configure_args(&p, openssl.as_deref());
    progress.phase(format!("./configure {}", args.join(" ")));
    let mut configure = Command::new("./configure");
    configure.args(&args).current_dir(&tree);
    log.run(&mut configure, "configure", progress)?;

    let jobs = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    progress.phase(format!("make -j{jobs}"));
    log.run(Command::new("make").arg(format!("-j{jobs}")).current_dir(&tree), "make", progress)?;
    let built = std::fs::read(&log.path).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
    if let Some(skipped) = modules_make_skipped(&built) {
        progress.phase(format!("optional modules skipped by the build (their headers are not installed): {skipped}"));
    }
    progress.phase("make install");
    log.run(Command::new("make").arg("install").current_dir(&tree), "make install", progress)?;

    if !python.is_file() {
        bail!("`make install` left no {} (see {})", python.display(), log.path.display());
    }
    // Without ssl pip cannot reach its index: the build is no use, and stays marked unfinished.
    let (ok, out) = capture(Command::new(&python).args(["-c", "import ssl"]))?;
    if !ok {
        bail!(
            "the CPython built in {} has no ssl module, so pip cannot install the workload packages: {}\n\
             Fix: install OpenSSL's headers ({}) and run `cargo xtask bootstrap` again, or install a free-threaded CPython:\n{}",
            prefix.display(),
            last_lines(&out, 1),
            if cfg!(target_os = "macos") { "brew install openssl@3" } else { "libssl-dev; see --install-build-deps" },
            HOW_TO_GET
        );
    }
    std::fs::remove_file(&marker)?;
    // The tree is hundreds of MB; the tarball stays in the cache for offline rebuilds.
    let _ = std::fs::remove_dir_all(&work);
    Ok(python)
}

/// The modules CPython's build says it could not build for want of their libraries: the words
/// on the lines after "The necessary bits to build these optional modules were not found:", up to
/// its "To find the necessary bits" advice.
fn modules_make_skipped(log: &str) -> Option<String> {
    const HEAD: &str = "The necessary bits to build these optional modules were not found:";
    let after = log.rsplit_once(HEAD)?.1;
    let listed = after.lines().skip(1).take_while(|l| !l.trim().is_empty() && !l.starts_with("To find"));
    let modules: Vec<&str> = listed.flat_map(str::split_whitespace).collect();
    (!modules.is_empty()).then(|| modules.join(" "))
}

/// configure's arguments: free-threaded, a shared libpython found through an rpath, and on macOS
/// Homebrew's OpenSSL (macOS has no OpenSSL headers of its own: without it there is no ssl module).
fn configure_args(prefix: &str, openssl: Option<&Path>) -> Vec<String> {
    let mut args = vec![
        "--disable-gil".to_owned(),
        "--enable-shared".to_owned(),
        format!("--prefix={prefix}"),
        format!("LDFLAGS=-Wl,-rpath,{prefix}/lib"),
    ];
    args.extend(openssl.map(|o| format!("--with-openssl={}", o.display())));
    args
}

/// Homebrew's `openssl@3` (Apple Silicon, then Intel prefix), when installed.
fn homebrew_openssl() -> Option<PathBuf> {
    ["/opt/homebrew/opt/openssl@3", "/usr/local/opt/openssl@3"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.join("include/openssl/ssl.h").is_file())
}

fn single_subdir(dir: &Path) -> Result<PathBuf> {
    let dirs: Vec<PathBuf> = std::fs::read_dir(dir)?.flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
    match dirs.as_slice() {
        [one] if one.join("configure").is_file() => Ok(one.clone()),
        _ => bail!("the tarball did not extract to one source tree with a configure script in {}", dir.display()),
    }
}

/// SHA-256 of a file, with `sha256sum` or `shasum -a 256`.
fn sha256(path: &Path) -> Result<String> {
    let mut cmd = if which("sha256sum").is_some() {
        Command::new("sha256sum")
    } else if which("shasum").is_some() {
        let mut c = Command::new("shasum");
        c.args(["-a", "256"]);
        c
    } else {
        bail!("neither sha256sum nor shasum is installed: cannot verify {}", path.display());
    };
    let (ok, out) = capture(cmd.arg(path))?;
    let hash = out.split_whitespace().next().unwrap_or_default().to_lowercase();
    if !ok || hash.len() != 64 {
        bail!("could not hash {}: {}", path.display(), last_lines(&out, 2));
    }
    Ok(hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configure_uses_homebrew_openssl_when_there_is_one() {
        let plain = configure_args("/c/cpython-3.14.0t", None);
        assert_eq!(plain, ["--disable-gil", "--enable-shared", "--prefix=/c/cpython-3.14.0t", "LDFLAGS=-Wl,-rpath,/c/cpython-3.14.0t/lib"]);
        let mac = configure_args("/c/p", Some(Path::new("/opt/homebrew/opt/openssl@3")));
        assert_eq!(mac.last().unwrap(), "--with-openssl=/opt/homebrew/opt/openssl@3");
    }

    #[test]
    fn the_modules_make_skipped_are_read_from_its_output() {
        let log = "gcc ...\n\nThe necessary bits to build these optional modules were not found:\n_dbm                      _gdbm\n\
                   To find the necessary bits, look in configure.ac and config.log.\n\nChecked 112 modules\n";
        assert_eq!(modules_make_skipped(log).as_deref(), Some("_dbm _gdbm"));
        assert_eq!(modules_make_skipped("Checked 112 modules (all built)\n"), None);
    }
}
