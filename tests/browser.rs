//! The report looked at, not just written: index.html in headless Chromium at a phone's width and
//! a desktop's must not scroll sideways, must show every image and log no error. Chromium comes
//! from the system's packages, installed the way build dependencies are (as root with CI=true);
//! elsewhere, without it, the test is skipped with a note.

mod common;

use std::path::Path;
use std::process::Command;

/// Put at the top of the page: records errors, and once loaded writes what it found into
/// `<pre id="ftbench-check">` for `--dump-dom` to show.
const PROBE: &str = r#"<script>
window.__errors = [];
window.addEventListener('error', e => window.__errors.push(String(e.message || (e.target && e.target.src))), true);
const __consoleError = console.error;
console.error = (...a) => { window.__errors.push(a.join(' ')); __consoleError(...a); };
window.addEventListener('load', () => {
  const broken = [...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.getAttribute('src'));
  const headings = [...document.querySelectorAll('h2')].map(h => h.textContent);
  const out = {width: window.innerWidth, scroll: document.documentElement.scrollWidth, broken, errors: window.__errors, headings};
  const pre = document.createElement('pre');
  pre.id = 'ftbench-check';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>"#;

/// A Chromium to run, installed as build dependencies are when it is missing; None with a note.
fn chromium() -> Option<&'static str> {
    let found = || {
        ["chromium", "chromium-browser", "google-chrome"]
            .into_iter()
            .find(|c| Command::new(c).arg("--version").output().is_ok_and(|o| o.status.success()))
    };
    if let Some(c) = found() {
        return Some(c);
    }
    let root = Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let ci = std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1");
    if root && ci && which_apt() {
        let install =
            |args: &[&str]| Command::new("apt-get").args(args).env("DEBIAN_FRONTEND", "noninteractive").status().is_ok_and(|s| s.success());
        if !install(&["install", "-y", "--no-install-recommends", "chromium"]) {
            install(&["update"]);
            install(&["install", "-y", "--no-install-recommends", "chromium"]);
        }
        if let Some(c) = found() {
            return Some(c);
        }
    }
    eprintln!("skipped: no Chromium, and it is installed only as root with CI=true (apt-get install chromium)");
    None
}

fn which_apt() -> bool {
    Command::new("apt-get").arg("--version").output().is_ok_and(|o| o.status.success())
}

/// What the probe found in `page` at `width` pixels.
fn look(browser: &str, page: &Path, width: u32) -> serde_json::Value {
    let out = Command::new(browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--virtual-time-budget=10000", "--dump-dom"])
        .arg(format!("--window-size={width},900"))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&out.stdout);
    let found = dom.split("<pre id=\"ftbench-check\">").nth(1).and_then(|s| s.split("</pre>").next());
    let json = found.unwrap_or_else(|| panic!("the probe did not report at {width} px: {}", String::from_utf8_lossy(&out.stderr)));
    serde_json::from_str(&json.replace("&quot;", "\"").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")).unwrap()
}

/// The page at a phone's width and a desktop's: no sideways scroll, every image, no error; its h2s.
fn reads_at_both_widths(browser: &str, html: &Path) -> Vec<Vec<String>> {
    let page = html.with_file_name("check.html");
    let text = std::fs::read_to_string(html).unwrap();
    std::fs::write(&page, text.replacen("<head>", &format!("<head>{PROBE}"), 1)).unwrap();
    let mut all = Vec::new();
    for width in [400, 1280] {
        let seen = look(browser, &page, width);
        let (shown, scroll) = (seen["width"].as_u64().unwrap(), seen["scroll"].as_u64().unwrap());
        assert!(scroll <= shown, "at {width} px the page is {scroll} px wide in a {shown} px window: it scrolls sideways");
        assert_eq!(seen["broken"], serde_json::json!([]), "images that did not load at {width} px");
        assert_eq!(seen["errors"], serde_json::json!([]), "errors at {width} px");
        all.push(seen["headings"].as_array().unwrap().iter().filter_map(|h| h.as_str().map(String::from)).collect());
    }
    all
}

#[test]
fn the_history_report_reads_on_a_phone_and_a_desktop() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let history = common::history(dir.path());
    let out = dir.path().join("report");
    let done = common::ftbench_history(&["history", "report", "--out", out.to_str().unwrap()], &history);
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    for headings in reads_at_both_widths(browser, &out.join("index.html")) {
        assert_eq!(headings.first().map(String::as_str), Some("Change points"), "the change points come first: {headings:?}");
    }
}

#[test]
fn the_report_reads_on_a_phone_and_a_desktop() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(common::repo().join("reports/example/results.json"), dir.path().join("results.json")).unwrap();
    ftbench::report::render(dir.path()).unwrap();
    for headings in reads_at_both_widths(browser, &dir.path().join("index.html")) {
        assert_eq!(headings.first().map(String::as_str), Some("Recommendations"), "the answer comes first: {headings:?}");
    }
}
