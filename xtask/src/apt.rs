//! Debian: build dependencies, and CPython's pristine upstream tarball from Debian stable's
//! `python3.13` source package, reached through the machine's own apt archive entry (never a
//! hard-coded host): we add a `deb-src` entry for suite `stable` with the same `URIs:` and
//! `Signed-By:` as the machine's first `deb` entry for the Debian archive.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{anyhow, bail, Context, Result};

use crate::util::{capture, describe, version_key, which, Log, Progress};

/// The file this bootstrap writes (and rewrites when the machine's archive entry changes).
pub const DEB_SRC_FILE: &str = "/etc/apt/sources.list.d/ftbench-deb-src.sources";

/// The Debian source package whose `.orig.tar.xz` is CPython's release tarball.
pub const SOURCE_PACKAGE: &str = "python3.13";

/// What a CPython build with the usual modules (ssl for pip, zlib, ctypes, sqlite, ...) needs.
pub const BUILD_DEPS: &[&str] = &[
    "dpkg-dev",
    "build-essential",
    "pkg-config",
    "libssl-dev",
    "zlib1g-dev",
    "libffi-dev",
    "libbz2-dev",
    "liblzma-dev",
    "libsqlite3-dev",
    "libreadline-dev",
    "libncurses-dev",
    "libgdbm-dev",
    "uuid-dev",
    "xz-utils",
];

/// `/etc/os-release` as key/value pairs (quotes removed).
fn os_release() -> Vec<(String, String)> {
    let text = std::fs::read_to_string("/etc/os-release")
        .or_else(|_| std::fs::read_to_string("/usr/lib/os-release"))
        .unwrap_or_default();
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| {
            (
                k.trim().to_owned(),
                v.trim().trim_matches('"').trim_matches('\'').to_owned(),
            )
        })
        .collect()
}

fn os_field(key: &str) -> Option<String> {
    os_release()
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

/// Debian itself (`ID=debian`): the only system whose archive has a `stable` suite.
pub fn is_debian() -> bool {
    os_field("ID").as_deref() == Some("debian")
}

/// What this system is, for messages.
pub fn system_name() -> String {
    os_field("PRETTY_NAME").unwrap_or_else(|| std::env::consts::OS.to_owned())
}

/// Has apt and dpkg (Debian, Ubuntu, ...): build dependencies can be installed by name.
pub fn has_apt() -> bool {
    which("apt-get").is_some() && which("dpkg-query").is_some()
}

// ---------------------------------------------------------------------------------------------
// Running apt as root.

enum Elevation {
    Root,
    Sudo,
    Nothing,
}

fn elevation() -> Elevation {
    let root = capture(Command::new("id").arg("-u"))
        .map(|(ok, out)| ok && out.trim() == "0")
        .unwrap_or(false);
    if root {
        Elevation::Root
    } else if which("sudo").is_some() {
        Elevation::Sudo
    } else {
        Elevation::Nothing
    }
}

/// `args` run as root: directly, or through `sudo env DEBIAN_FRONTEND=noninteractive ...`.
fn as_root(args: &[&str]) -> Command {
    match elevation() {
        Elevation::Sudo => {
            let mut c = Command::new("sudo");
            c.arg("env")
                .arg("DEBIAN_FRONTEND=noninteractive")
                .args(args);
            c
        }
        _ => {
            let mut c = Command::new(args[0]);
            c.args(&args[1..]).env("DEBIAN_FRONTEND", "noninteractive");
            c
        }
    }
}

fn install_args(missing: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = ["apt-get", "install", "-y", "--no-install-recommends"]
        .map(String::from)
        .to_vec();
    v.extend(missing.iter().map(|s| s.to_string()));
    v
}

/// The error for a user who is not root and has no sudo: the exact commands to run as root.
fn need_root(commands: &[String]) -> anyhow::Error {
    anyhow!(
        "building CPython from source needs these commands run as root (you are not root and there is no sudo):\n\n{}\n\nthen run `cargo xtask bootstrap` again.",
        commands.iter().map(|c| format!("    {c}")).collect::<Vec<_>>().join("\n")
    )
}

// ---------------------------------------------------------------------------------------------
// Build dependencies.

/// The build dependencies that dpkg does not list as installed.
pub fn missing_build_deps() -> Vec<&'static str> {
    let out = Command::new("dpkg-query")
        .arg("-W")
        .arg("-f=${Package} ${db:Status-Abbrev}\n")
        .args(BUILD_DEPS)
        .output();
    let text = out
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    BUILD_DEPS
        .iter()
        .copied()
        .filter(|pkg| {
            !text.lines().any(|l| {
                let mut parts = l.split_whitespace();
                let name = parts.next().unwrap_or_default();
                let name = name.split(':').next().unwrap_or_default(); // strip ":amd64"
                name == *pkg && parts.next().is_some_and(|s| s.starts_with("ii"))
            })
        })
        .collect()
}

/// `apt-get update` as root. A failure (often one unrelated, unreachable third-party source) is
/// only a warning: the install or download that follows fails clearly if an index is missing.
fn apt_get_update(log: &mut Log, progress: &Progress) {
    if let Err(e) = log.run(
        &mut as_root(&["apt-get", "update"]),
        "apt-get update",
        progress,
    ) {
        let first = e.to_string().lines().next().unwrap_or_default().to_owned();
        progress.phase(format!(
            "warning: {first}; going on (details in {})",
            log.path.display()
        ));
    }
}

/// Installs the missing build dependencies (after `apt-get update` when `update` is set).
pub fn ensure_build_deps(log: &mut Log, progress: &Progress, update: bool) -> Result<()> {
    let missing = missing_build_deps();
    if missing.is_empty() {
        progress.phase("build dependencies: all installed");
        return Ok(());
    }
    if let Elevation::Nothing = elevation() {
        let mut cmds = Vec::new();
        if update {
            cmds.push("apt-get update".to_owned());
        }
        cmds.push(install_args(&missing).join(" "));
        return Err(need_root(&cmds));
    }
    if update {
        progress.phase("apt-get update");
        apt_get_update(log, progress);
    }
    progress.phase(format!(
        "installing build dependencies: {}",
        missing.join(" ")
    ));
    let args = install_args(&missing);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    log.run(
        &mut as_root(&args),
        "apt-get install (build dependencies)",
        progress,
    )
}

// ---------------------------------------------------------------------------------------------
// The deb-src entry.

/// A deb822 stanza: fields in order, values raw (continuation lines kept, for embedded keys).
#[derive(Debug, Default)]
struct Stanza(Vec<(String, String)>);

impl Stanza {
    fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }
}

fn parse_deb822(text: &str) -> Vec<Stanza> {
    let mut stanzas = Vec::new();
    let mut cur = Stanza::default();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !cur.0.is_empty() {
                stanzas.push(std::mem::take(&mut cur));
            }
        } else if line.starts_with('#') {
            continue;
        } else if line.starts_with(' ') || line.starts_with('\t') {
            if let Some((_, v)) = cur.0.last_mut() {
                v.push('\n');
                v.push_str(line);
            }
        } else if let Some((k, v)) = line.split_once(':') {
            cur.0.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    if !cur.0.is_empty() {
        stanzas.push(cur);
    }
    stanzas
}

/// The machine's Debian archive: its `URIs:` and `Signed-By:` (raw values).
#[derive(Debug, PartialEq)]
pub struct Archive {
    pub uris: String,
    pub signed_by: Option<String>,
    /// Where it was read, for messages.
    pub from: String,
}

/// A suite of the Debian archive proper (not -security, -updates, nor a third party's).
fn is_archive_suite(suite: &str, codename: Option<&str>) -> bool {
    Some(suite) == codename
        || ["stable", "testing", "unstable", "sid", "oldstable"].contains(&suite)
}

/// The first `deb` entry for the Debian archive in deb822 `.sources` text.
fn archive_in_deb822(text: &str, codename: Option<&str>, from: &str) -> Option<Archive> {
    parse_deb822(text).into_iter().find_map(|s| {
        let is_deb = s.get("Types")?.split_whitespace().any(|t| t == "deb");
        let enabled = !s
            .get("Enabled")
            .is_some_and(|e| e.eq_ignore_ascii_case("no"));
        let suite_ok = s
            .get("Suites")?
            .split_whitespace()
            .any(|x| is_archive_suite(x, codename));
        let uris = s.get("URIs")?.trim();
        (is_deb && enabled && suite_ok && !uris.is_empty()).then(|| Archive {
            uris: uris.to_owned(),
            signed_by: s
                .get("Signed-By")
                .map(str::to_owned)
                .filter(|v| !v.trim().is_empty()),
            from: from.to_owned(),
        })
    })
}

/// The first `deb [options] URI suite components` line for the Debian archive in a `.list` file.
fn archive_in_one_line(text: &str, codename: Option<&str>, from: &str) -> Option<Archive> {
    text.lines().find_map(|line| {
        let line = line.split('#').next()?.trim();
        let rest = line
            .strip_prefix("deb ")
            .or_else(|| line.strip_prefix("deb\t"))?
            .trim();
        let (options, rest) = match rest.strip_prefix('[') {
            Some(r) => {
                let (opts, after) = r.split_once(']')?;
                (opts.trim(), after.trim())
            }
            None => ("", rest),
        };
        let mut words = rest.split_whitespace();
        let (uri, suite) = (words.next()?, words.next()?);
        if !is_archive_suite(suite, codename) {
            return None;
        }
        let signed_by = options
            .split_whitespace()
            .find_map(|o| {
                o.strip_prefix("signed-by=")
                    .or_else(|| o.strip_prefix("Signed-By="))
            })
            .map(str::to_owned);
        Some(Archive {
            uris: uri.to_owned(),
            signed_by,
            from: from.to_owned(),
        })
    })
}

/// This machine's Debian archive entry: `/etc/apt/sources.list.d/*.sources` (deb822) first, then
/// the one-line `sources.list` and `sources.list.d/*.list`. Our own files are skipped.
pub fn find_archive() -> Option<Archive> {
    let codename = os_field("VERSION_CODENAME");
    let codename = codename.as_deref();
    let dir = Path::new("/etc/apt/sources.list.d");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("ftbench"))
        })
        .collect();
    files.sort();
    let with_ext = |ext: &'static str| {
        files
            .iter()
            .filter(move |p| p.extension().is_some_and(|e| e == ext))
            .cloned()
            .collect::<Vec<_>>()
    };
    for p in with_ext("sources") {
        let text = std::fs::read_to_string(&p).unwrap_or_default();
        if let Some(a) = archive_in_deb822(&text, codename, &p.display().to_string()) {
            return Some(a);
        }
    }
    let one_line = std::iter::once(PathBuf::from("/etc/apt/sources.list")).chain(with_ext("list"));
    for p in one_line {
        let text = std::fs::read_to_string(&p).unwrap_or_default();
        if let Some(a) = archive_in_one_line(&text, codename, &p.display().to_string()) {
            return Some(a);
        }
    }
    None
}

fn deb_src_text(a: &Archive) -> String {
    let mut s = format!(
        "# Written by `cargo xtask bootstrap` (ftbench) from {}: Debian stable's source index,\n\
         # to fetch CPython's pristine release tarball (the {SOURCE_PACKAGE} source package's .orig.tar.xz).\n\
         Types: deb-src\nURIs: {}\nSuites: stable\nComponents: main\n",
        a.from, a.uris
    );
    if let Some(k) = &a.signed_by {
        s.push_str(&format!("Signed-By: {k}\n"));
    }
    s
}

/// Writes `DEB_SRC_FILE` as root unless it already says the same.
fn write_deb_src(text: &str, log: &mut Log, progress: &Progress) -> Result<bool> {
    if std::fs::read_to_string(DEB_SRC_FILE).is_ok_and(|t| t == text) {
        return Ok(false);
    }
    progress.phase(format!("writing {DEB_SRC_FILE}"));
    log.note(&format!("\n===== writing {DEB_SRC_FILE}:\n{text}"));
    match elevation() {
        Elevation::Root => {
            std::fs::write(DEB_SRC_FILE, text).with_context(|| format!("writing {DEB_SRC_FILE}"))?
        }
        Elevation::Sudo => {
            let mut cmd = Command::new("sudo");
            cmd.args(["tee", DEB_SRC_FILE])
                .stdin(Stdio::piped())
                .stdout(Stdio::null());
            let mut child = cmd
                .spawn()
                .with_context(|| format!("could not start {}", describe(&cmd)))?;
            child
                .stdin
                .take()
                .expect("piped stdin")
                .write_all(text.as_bytes())?;
            let status = child.wait()?;
            if !status.success() {
                bail!("`sudo tee {DEB_SRC_FILE}` failed ({status})");
            }
        }
        Elevation::Nothing => unreachable!("checked by the caller"),
    }
    Ok(true)
}

/// Downloads Debian stable's `python3.13` source package into `dir` and returns its pristine
/// upstream tarball `python3.13_<version>.orig.tar.xz` and the CPython version it holds.
pub fn fetch_orig_tarball(
    dir: &Path,
    log: &mut Log,
    progress: &Progress,
) -> Result<(PathBuf, String)> {
    let archive = find_archive().ok_or_else(|| {
        anyhow!(
            "no `deb` entry for the Debian archive in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list \
             (looked for suite {} or stable/testing/unstable)",
            os_field("VERSION_CODENAME").unwrap_or_else(|| "<codename>".into())
        )
    })?;
    let text = deb_src_text(&archive);
    let missing = missing_build_deps();
    let up_to_date = std::fs::read_to_string(DEB_SRC_FILE).is_ok_and(|t| t == text);

    if let Elevation::Nothing = elevation() {
        if !up_to_date || !missing.is_empty() {
            let mut cmds = Vec::new();
            if !up_to_date {
                cmds.push(format!("cat > {DEB_SRC_FILE} <<'EOF'\n{}EOF", text));
            }
            cmds.push("apt-get update".to_owned());
            if !missing.is_empty() {
                cmds.push(install_args(&missing).join(" "));
            }
            return Err(need_root(&cmds));
        }
    } else {
        write_deb_src(&text, log, progress)?;
        progress.phase(format!(
            "apt-get update (with deb-src for stable from {})",
            archive.uris.replace('\n', " ")
        ));
        apt_get_update(log, progress);
        ensure_build_deps(log, progress, false)?;
    }

    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    progress.phase(format!(
        "apt-get source --download-only {SOURCE_PACKAGE} (into {})",
        dir.display()
    ));
    let mut cmd = Command::new("apt-get");
    cmd.args(["source", "--download-only", SOURCE_PACKAGE])
        .current_dir(dir);
    log.run(&mut cmd, "apt-get source", progress).map_err(|e| {
        if let Elevation::Nothing = elevation() {
            e.context(format!("if apt has no source index yet, run `apt-get update` as root ({DEB_SRC_FILE} is in place)"))
        } else {
            e
        }
    })?;

    let prefix = format!("{SOURCE_PACKAGE}_");
    let mut tarballs: Vec<(String, PathBuf)> = std::fs::read_dir(dir)?
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let version = name.strip_prefix(&prefix)?.strip_suffix(".orig.tar.xz")?;
            Some((upstream_version(version), e.path()))
        })
        .collect();
    tarballs.sort_by_key(|(v, _)| version_key(v));
    let (version, path) = tarballs.pop().ok_or_else(|| {
        anyhow!(
            "apt-get source left no {prefix}*.orig.tar.xz in {}",
            dir.display()
        )
    })?;
    Ok((path, version))
}

/// Debian's upstream version to CPython's ("3.13.5" stays, "3.13.0~rc2" -> "3.13.0rc2", "+dfsg" dropped).
fn upstream_version(debian: &str) -> String {
    debian.split('+').next().unwrap_or(debian).replace('~', "")
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEB822: &str = "\
Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.example/debian-security
Suites: bookworm-security
Components: main
";

    #[test]
    fn picks_the_archive_stanza_of_deb822() {
        let a = archive_in_deb822(DEB822, Some("bookworm"), "f").unwrap();
        assert_eq!(a.uris, "http://mirror.example/debian");
        assert_eq!(
            a.signed_by.as_deref(),
            Some("/usr/share/keyrings/debian-archive-keyring.gpg")
        );
        let text = deb_src_text(&a);
        assert!(
            text.contains("Types: deb-src\nURIs: http://mirror.example/debian\nSuites: stable\n")
        );
    }

    #[test]
    fn skips_third_party_and_security_stanzas() {
        let other = "Types: deb\nURIs: https://deb.nodesource.example/node_20.x\nSuites: nodistro\nComponents: main\n\n\
                     Types: deb\nURIs: http://mirror.example/debian-security\nSuites: bookworm-security\n";
        assert_eq!(archive_in_deb822(other, Some("bookworm"), "f"), None);
        let disabled = "Types: deb\nURIs: http://m/debian\nSuites: bookworm\nEnabled: no\n";
        assert_eq!(archive_in_deb822(disabled, Some("bookworm"), "f"), None);
    }

    #[test]
    fn keeps_embedded_keys_verbatim() {
        let text = "Types: deb\nURIs: http://m/debian\nSuites: stable\nSigned-By:\n -----BEGIN PGP PUBLIC KEY BLOCK-----\n .\n abc\n";
        let a = archive_in_deb822(text, None, "f").unwrap();
        assert_eq!(
            a.signed_by.as_deref(),
            Some("\n -----BEGIN PGP PUBLIC KEY BLOCK-----\n .\n abc")
        );
    }

    #[test]
    fn reads_one_line_sources() {
        let text = "# comment\ndeb-src http://m/debian bookworm main\n\
                    deb https://packages.example/apt cloud-sdk-bookworm main\n\
                    deb [arch=amd64 signed-by=/k.gpg] http://m/debian bookworm main contrib\n";
        let a = archive_in_one_line(text, Some("bookworm"), "f").unwrap();
        assert_eq!(a.uris, "http://m/debian");
        assert_eq!(a.signed_by.as_deref(), Some("/k.gpg"));
    }

    #[test]
    fn upstream_versions() {
        assert_eq!(upstream_version("3.13.5"), "3.13.5");
        assert_eq!(upstream_version("3.13.0~rc2"), "3.13.0rc2");
        assert_eq!(upstream_version("3.13.5+dfsg"), "3.13.5");
    }
}
