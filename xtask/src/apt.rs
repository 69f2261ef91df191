//! Debian: build dependencies, and CPython's pristine upstream tarball from Debian stable's
//! `python3.13` source package, reached through the machine's own apt archive entry (never a
//! hard-coded host): a `deb-src` entry for suite `stable` with the same `URIs:` and `Signed-By:` as
//! the machine's first `deb` entry for the Debian archive, in a private apt state folder under
//! ftbench's cache. Nothing is written under `/etc`; system packages are installed only when asked.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{anyhow, Context, Result};

use crate::util::{capture, version_key, which, Log, Progress};

/// The Debian source package whose `.orig.tar.xz` is CPython's release tarball.
pub const SOURCE_PACKAGE: &str = "python3.13";

/// What a working venv needs: a C compiler, make, xz to unpack the tarball, and the headers of
/// ssl and zlib (pip needs both to fetch and unpack the workload packages).
pub const REQUIRED_DEPS: &[&str] = &["gcc", "make", "xz-utils", "libssl-dev", "zlib1g-dev"];

/// Extension modules CPython builds when their headers are there and skips when not (nothing the
/// suite runs needs them): each package with what it brings.
pub const OPTIONAL_DEPS: &[(&str, &str)] = &[
    ("pkg-config", "finds the libraries below"),
    ("libffi-dev", "ctypes"),
    ("libbz2-dev", "bz2"),
    ("liblzma-dev", "lzma"),
    ("libsqlite3-dev", "sqlite3"),
    ("libreadline-dev", "readline"),
    ("libncurses-dev", "curses"),
    ("libgdbm-dev", "dbm.gnu"),
    ("uuid-dev", "_uuid"),
];

/// `/etc/os-release` as key/value pairs (quotes removed).
fn os_release() -> Vec<(String, String)> {
    let text = std::fs::read_to_string("/etc/os-release").or_else(|_| std::fs::read_to_string("/usr/lib/os-release")).unwrap_or_default();
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().trim_matches('"').trim_matches('\'').to_owned()))
        .collect()
}

fn os_field(key: &str) -> Option<String> {
    os_release().into_iter().find(|(k, _)| k == key).map(|(_, v)| v)
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
// Who may install packages, and the commands that would do it.

/// How this process could run a command as root.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Elevation {
    Root,
    Sudo,
    Nothing,
}

fn elevation() -> Elevation {
    let root = capture(Command::new("id").arg("-u")).map(|(ok, out)| ok && out.trim() == "0").unwrap_or(false);
    if root {
        Elevation::Root
    } else if which("sudo").is_some() {
        Elevation::Sudo
    } else {
        Elevation::Nothing
    }
}

/// `CI=true` (or `1`), as GitHub Actions, GitLab and most CI services set it.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

/// Installing system packages changes the machine: only when asked (`--install-build-deps`), or
/// as root in CI, where the machine is a throwaway container.
pub fn may_install(asked: bool, elevation: Elevation, ci: bool) -> bool {
    asked || (elevation == Elevation::Root && ci)
}

/// `args` as run with `elevation`: directly as root, else through `sudo env DEBIAN_FRONTEND=...`.
fn elevated(args: &[String], elevation: Elevation) -> Vec<String> {
    let mut v = Vec::new();
    if elevation != Elevation::Root {
        v.extend(["sudo", "env", "DEBIAN_FRONTEND=noninteractive"].map(String::from));
    }
    v.extend(args.iter().cloned());
    v
}

/// The commands that install `missing`: the system's `apt-get update` (a fresh CI container has
/// no package lists), then `apt-get install`.
pub fn install_commands(missing: &[&str], elevation: Elevation) -> Vec<Vec<String>> {
    let mut install: Vec<String> = ["apt-get", "install", "-y", "--no-install-recommends"].map(String::from).to_vec();
    install.extend(missing.iter().map(|s| s.to_string()));
    [vec!["apt-get".to_owned(), "update".to_owned()], install].iter().map(|c| elevated(c, elevation)).collect()
}

fn command(args: &[String]) -> Command {
    let mut c = Command::new(&args[0]);
    c.args(&args[1..]).env("DEBIAN_FRONTEND", "noninteractive");
    c
}

/// The error for a bootstrap that may not install: the one command to run.
fn not_allowed(missing: &[&str]) -> anyhow::Error {
    let sudo = install_commands(missing, Elevation::Sudo);
    anyhow!(
        "building CPython from source needs these packages, which are not installed: {}.\n\
         The bootstrap installs system packages only when asked. Run\n\n    cargo xtask bootstrap --install-build-deps\n\n\
         (it runs `{}` then `{}`), or install them yourself and run `cargo xtask bootstrap` again.",
        missing.join(" "),
        sudo[0].join(" "),
        sudo[1].join(" ")
    )
}

// ---------------------------------------------------------------------------------------------
// Build dependencies.

/// Those of `packages` that dpkg does not list as installed.
fn not_installed<'a>(packages: &[&'a str]) -> Vec<&'a str> {
    let out = Command::new("dpkg-query").arg("-W").arg("-f=${Package} ${db:Status-Abbrev}\n").args(packages).output();
    let text = out.map(|o| String::from_utf8_lossy(&o.stdout).into_owned()).unwrap_or_default();
    packages
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

/// What to do about missing build dependencies.
#[derive(Debug, PartialEq)]
pub enum Plan<'a> {
    /// Everything is there, or only optional modules will be skipped: build.
    Build { skipped: Vec<&'a str> },
    /// Allowed to install (asked, or root in CI): these, optional ones too.
    Install(Vec<&'a str>),
    /// On a terminal: ask once whether to install the required ones.
    Ask { required: Vec<&'a str>, skipped: Vec<&'a str> },
    /// Not allowed and no one to ask: stop with the command.
    Stop(Vec<&'a str>),
}

/// The plan for `required` and `optional` missing packages: optional ones never stop a build.
pub fn plan<'a>(required: Vec<&'a str>, optional: Vec<&'a str>, allowed: bool, terminal: bool) -> Plan<'a> {
    match (required.is_empty(), allowed, terminal) {
        _ if allowed && !(required.is_empty() && optional.is_empty()) => Plan::Install([required, optional].concat()),
        (true, _, _) => Plan::Build { skipped: optional },
        (false, _, true) => Plan::Ask { required, skipped: optional },
        (false, _, false) => Plan::Stop(required),
    }
}

/// "dbm.gnu (libgdbm-dev), curses (libncurses-dev)".
fn skipped_modules(skipped: &[&str]) -> String {
    let what = |p: &str| OPTIONAL_DEPS.iter().find(|(name, _)| *name == p).map_or("", |(_, m)| m);
    skipped.iter().map(|p| format!("{} ({p})", what(p))).collect::<Vec<_>>().join(", ")
}

/// Makes sure the build can produce a working venv: installs missing build dependencies when
/// allowed (see `may_install`), asks on a terminal, else stops with the command to run. Missing
/// optional ones only skip their modules, named here. A failing system `apt-get update` (often one
/// unreachable third-party source) is only a warning.
pub fn ensure_build_deps(log: &mut Log, progress: &Progress, asked: bool) -> Result<()> {
    let optional: Vec<&str> = OPTIONAL_DEPS.iter().map(|(p, _)| *p).collect();
    let elevation = elevation();
    let allowed = may_install(asked, elevation, in_ci());
    let terminal = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    let install = match plan(not_installed(REQUIRED_DEPS), not_installed(&optional), allowed, terminal) {
        Plan::Build { skipped } if skipped.is_empty() => {
            progress.phase("build dependencies: all installed");
            return Ok(());
        }
        Plan::Build { skipped } => {
            progress.phase(format!(
                "building without these optional modules, whose headers are not installed: {} \
                 (nothing here needs them; `cargo xtask bootstrap --install-build-deps` installs them)",
                skipped_modules(&skipped)
            ));
            return Ok(());
        }
        Plan::Stop(required) => return Err(not_allowed(&required)),
        Plan::Ask { required, skipped } => {
            if !skipped.is_empty() {
                progress.phase(format!("optional modules that will be skipped: {}", skipped_modules(&skipped)));
            }
            if !confirm(&required, elevation)? {
                return Err(not_allowed(&required));
            }
            required
        }
        Plan::Install(all) => all,
    };
    if elevation == Elevation::Nothing {
        let cmds = install_commands(&install, Elevation::Root);
        return Err(anyhow!(
            "installing the build dependencies needs root, and you are not root and there is no sudo: run as root\n\n    {}\n    {}\n\nthen `cargo xtask bootstrap` again.",
            cmds[0].join(" "),
            cmds[1].join(" ")
        ));
    }
    let [update, install_cmd] = <[Vec<String>; 2]>::try_from(install_commands(&install, elevation)).expect("two commands");
    progress.phase("apt-get update (the system's package lists, to install build dependencies)");
    if let Err(e) = log.run(&mut command(&update), "apt-get update", progress) {
        let first = e.to_string().lines().next().unwrap_or_default().to_owned();
        progress.phase(format!("warning: {first}; going on (details in {})", log.path.display()));
    }
    progress.phase(format!("installing build dependencies: {}", install.join(" ")));
    log.run(&mut command(&install_cmd), "apt-get install (build dependencies)", progress)
}

/// Asks once, on the terminal, whether to run the commands that install `required`.
fn confirm(required: &[&str], elevation: Elevation) -> Result<bool> {
    let cmds = install_commands(required, elevation);
    eprint!(
        "ftbench: building CPython needs {}, which are not installed. Install them now with\n    {}\n    {}\n? [y/N] ",
        required.join(" "),
        cmds[0].join(" "),
        cmds[1].join(" ")
    );
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer).context("reading the answer")?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

// ---------------------------------------------------------------------------------------------
// The deb-src entry.

/// A deb822 stanza: fields in order, values raw (continuation lines kept, for embedded keys).
#[derive(Debug, Default)]
struct Stanza(Vec<(String, String)>);

impl Stanza {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.as_str())
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
    Some(suite) == codename || ["stable", "testing", "unstable", "sid", "oldstable"].contains(&suite)
}

/// The first `deb` entry for the Debian archive in deb822 `.sources` text.
fn archive_in_deb822(text: &str, codename: Option<&str>, from: &str) -> Option<Archive> {
    parse_deb822(text).into_iter().find_map(|s| {
        let is_deb = s.get("Types")?.split_whitespace().any(|t| t == "deb");
        let enabled = !s.get("Enabled").is_some_and(|e| e.eq_ignore_ascii_case("no"));
        let suite_ok = s.get("Suites")?.split_whitespace().any(|x| is_archive_suite(x, codename));
        let uris = s.get("URIs")?.trim();
        (is_deb && enabled && suite_ok && !uris.is_empty()).then(|| Archive {
            uris: uris.to_owned(),
            signed_by: s.get("Signed-By").map(str::to_owned).filter(|v| !v.trim().is_empty()),
            from: from.to_owned(),
        })
    })
}

/// The first `deb [options] URI suite components` line for the Debian archive in a `.list` file.
fn archive_in_one_line(text: &str, codename: Option<&str>, from: &str) -> Option<Archive> {
    text.lines().find_map(|line| {
        let line = line.split('#').next()?.trim();
        let rest = line.strip_prefix("deb ").or_else(|| line.strip_prefix("deb\t"))?.trim();
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
            .find_map(|o| o.strip_prefix("signed-by=").or_else(|| o.strip_prefix("Signed-By=")))
            .map(str::to_owned);
        Some(Archive { uris: uri.to_owned(), signed_by, from: from.to_owned() })
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
        .filter(|p| !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("ftbench")))
        .collect();
    files.sort();
    let with_ext = |ext: &'static str| files.iter().filter(move |p| p.extension().is_some_and(|e| e == ext)).cloned().collect::<Vec<_>>();
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

/// apt with its own source list, lists and cache under `dir` (in ftbench's cache): fetching the
/// source index and package never touches `/etc/apt` or the system's package lists, and needs no root.
pub struct PrivateApt {
    dir: PathBuf,
}

impl PrivateApt {
    pub fn new(dir: PathBuf) -> Self {
        PrivateApt { dir }
    }

    fn source_list(&self) -> PathBuf {
        self.dir.join("ftbench-deb-src.sources")
    }

    /// `-o` options that move every file apt writes (and its source list) into `dir`. The source
    /// parts folder is an empty one of ours, so the system's entries are not fetched again.
    fn options(&self) -> Vec<String> {
        let o = |k: &str, sub: &str| ["-o".to_owned(), format!("{k}={}", self.dir.join(sub).display())];
        [
            o("Dir::Etc::SourceList", "ftbench-deb-src.sources"),
            o("Dir::Etc::SourceParts", "sources.list.d"),
            o("Dir::State::Lists", "lists"),
            o("Dir::Cache", "cache"),
        ]
        .concat()
    }

    /// The commands that fetch the source package (into the current folder).
    pub fn commands(&self) -> Vec<Vec<String>> {
        let apt = |args: &[&str]| {
            let mut v = vec!["apt-get".to_owned()];
            v.extend(self.options());
            v.extend(args.iter().map(|s| s.to_string()));
            v
        };
        vec![apt(&["update"]), apt(&["source", "--download-only", SOURCE_PACKAGE])]
    }

    /// Writes the source list and the folders apt expects (`lists/partial`, an empty parts folder).
    fn prepare(&self, text: &str) -> Result<()> {
        for sub in ["sources.list.d", "lists/partial", "cache/archives/partial"] {
            let d = self.dir.join(sub);
            std::fs::create_dir_all(&d).with_context(|| format!("creating {}", d.display()))?;
        }
        std::fs::write(self.source_list(), text).with_context(|| format!("writing {}", self.source_list().display()))
    }
}

/// Downloads Debian stable's `python3.13` source package into `dir` and returns its pristine
/// upstream tarball `python3.13_<version>.orig.tar.xz` and the CPython version it holds.
/// Build dependencies are installed only when allowed (see `ensure_build_deps`).
pub fn fetch_orig_tarball(dir: &Path, apt: &PrivateApt, log: &mut Log, progress: &Progress, asked: bool) -> Result<(PathBuf, String)> {
    let archive = find_archive().ok_or_else(|| {
        anyhow!(
            "no `deb` entry for the Debian archive in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list \
             (looked for suite {} or stable/testing/unstable)",
            os_field("VERSION_CODENAME").unwrap_or_else(|| "<codename>".into())
        )
    })?;
    // Before a download that is wasted if the build cannot go on.
    ensure_build_deps(log, progress, asked)?;
    apt.prepare(&deb_src_text(&archive))?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let [update, source] = <[Vec<String>; 2]>::try_from(apt.commands()).expect("two commands");
    progress.phase(format!(
        "apt-get update of a private source index for stable from {} (in {})",
        archive.uris.replace('\n', " "),
        apt.dir.display()
    ));
    log.run(&mut command(&update), "apt-get update (private source index)", progress)?;
    progress.phase(format!("apt-get source --download-only {SOURCE_PACKAGE} (into {})", dir.display()));
    log.run(command(&source).current_dir(dir), "apt-get source", progress)?;

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
    let (version, path) = tarballs.pop().ok_or_else(|| anyhow!("apt-get source left no {prefix}*.orig.tar.xz in {}", dir.display()))?;
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
        assert_eq!(a.signed_by.as_deref(), Some("/usr/share/keyrings/debian-archive-keyring.gpg"));
        let text = deb_src_text(&a);
        assert!(text.contains("Types: deb-src\nURIs: http://mirror.example/debian\nSuites: stable\n"));
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
        assert_eq!(a.signed_by.as_deref(), Some("\n -----BEGIN PGP PUBLIC KEY BLOCK-----\n .\n abc"));
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

    #[test]
    fn fetching_the_source_writes_only_under_the_private_folder() {
        let apt = PrivateApt::new(PathBuf::from("/home/u/.cache/ftbench/apt"));
        let cmds = apt.commands();
        assert_eq!(cmds.len(), 2);
        for c in &cmds {
            assert_eq!(c[0], "apt-get", "no sudo: {c:?}");
            let text = c.join(" ");
            assert!(!text.contains("/etc"), "{text}");
            for key in ["Dir::Etc::SourceList", "Dir::Etc::SourceParts", "Dir::State::Lists", "Dir::Cache"] {
                assert!(text.contains(&format!("-o {key}=/home/u/.cache/ftbench/apt/")), "{key} not private: {text}");
            }
        }
        assert!(cmds[0].ends_with(&["update".to_owned()]));
        assert!(cmds[1].ends_with(&["source", "--download-only", SOURCE_PACKAGE].map(String::from)));
    }

    #[test]
    fn installs_only_when_asked_or_as_root_in_ci() {
        use Elevation::*;
        assert!(may_install(false, Root, true));
        assert!(!may_install(false, Root, false), "root outside CI must ask");
        assert!(!may_install(false, Sudo, true), "sudo in CI must ask");
        assert!(may_install(true, Sudo, false));
        let cmds = install_commands(&["libssl-dev", "zlib1g-dev"], Sudo);
        assert_eq!(cmds[0], ["sudo", "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "update"]);
        assert_eq!(cmds[1][3..], ["apt-get", "install", "-y", "--no-install-recommends", "libssl-dev", "zlib1g-dev"]);
        assert_eq!(install_commands(&["x"], Root)[1][0], "apt-get");
        let stop = not_allowed(&["libssl-dev"]).to_string();
        assert!(stop.contains("cargo xtask bootstrap --install-build-deps"), "{stop}");
    }

    #[test]
    fn a_missing_optional_library_never_stops_the_build() {
        // A fresh machine without libgdbm-dev, not allowed to install: build, naming the module.
        assert_eq!(plan(vec![], vec!["libgdbm-dev"], false, false), Plan::Build { skipped: vec!["libgdbm-dev"] });
        assert_eq!(plan(vec![], vec!["libgdbm-dev"], false, true), Plan::Build { skipped: vec!["libgdbm-dev"] }, "no question");
        assert_eq!(skipped_modules(&["libgdbm-dev", "libncurses-dev"]), "dbm.gnu (libgdbm-dev), curses (libncurses-dev)");
        // Something required missing: ask on a terminal, stop without one.
        assert_eq!(plan(vec!["libssl-dev"], vec![], false, true), Plan::Ask { required: vec!["libssl-dev"], skipped: vec![] });
        assert_eq!(plan(vec!["libssl-dev"], vec!["uuid-dev"], false, false), Plan::Stop(vec!["libssl-dev"]));
        // Allowed (asked, or root in CI): everything missing is installed.
        assert_eq!(plan(vec!["make"], vec!["uuid-dev"], true, false), Plan::Install(vec!["make", "uuid-dev"]));
        assert_eq!(plan(vec![], vec![], true, false), Plan::Build { skipped: vec![] });
        for p in REQUIRED_DEPS {
            assert!(!OPTIONAL_DEPS.iter().any(|(o, _)| o == p), "{p} is either required or optional");
        }
    }
}
