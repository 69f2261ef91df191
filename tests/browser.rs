//! The report looked at, not just written: index.html in headless Chromium at a phone's width and
//! a desktop's must not scroll sideways, must show every image and log no error, and its
//! Recommendations table must fit one 1400 × 900 screen and, stacked on a phone, wrap no cell past
//! three lines. Chromium comes
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
  const answers = document.querySelector('table.answers');
  const lines = td => {
    const st = getComputedStyle(td);
    const inner = td.getBoundingClientRect().height - parseFloat(st.paddingTop) - parseFloat(st.paddingBottom);
    return Math.round(inner / parseFloat(st.lineHeight));
  };
  const cells = answers ? [...answers.querySelectorAll('td')].map(td => ({lines: lines(td), text: td.textContent})) : [];
  const table = answers ? {height: answers.getBoundingClientRect().height, rows: answers.rows.length, cells} : null;
  const out = {width: window.innerWidth, scroll: document.documentElement.scrollWidth, broken, errors: window.__errors, headings, table};
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

/// The page at each of `widths`: no sideways scroll, every image, no error; what the probe saw.
fn reads_at(browser: &str, html: &Path, widths: &[u32]) -> Vec<(u32, serde_json::Value)> {
    let page = html.with_file_name("check.html");
    let text = std::fs::read_to_string(html).unwrap();
    std::fs::write(&page, text.replacen("<head>", &format!("<head>{PROBE}"), 1)).unwrap();
    let mut all = Vec::new();
    for &width in widths {
        let seen = look(browser, &page, width);
        let (shown, scroll) = (seen["width"].as_u64().unwrap(), seen["scroll"].as_u64().unwrap());
        assert!(scroll <= shown, "at {width} px the page is {scroll} px wide in a {shown} px window: it scrolls sideways");
        assert_eq!(seen["broken"], serde_json::json!([]), "images that did not load at {width} px");
        assert_eq!(seen["errors"], serde_json::json!([]), "errors at {width} px");
        all.push((width, seen));
    }
    all
}

fn first_heading(seen: &serde_json::Value) -> Option<&str> {
    seen["headings"].as_array().unwrap().iter().find_map(|h| h.as_str())
}

#[test]
fn the_history_report_reads_on_a_phone_and_a_desktop() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let history = common::history(dir.path());
    let out = dir.path().join("report");
    let done = common::ftbench_history(&["history", "report", "--out", out.to_str().unwrap()], &history);
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    for (_, seen) in reads_at(browser, &out.join("index.html"), &[400, 1280]) {
        assert_eq!(first_heading(&seen), Some("Change points"), "the change points come first: {}", seen["headings"]);
    }
}

#[test]
fn the_report_reads_on_a_phone_and_a_desktop() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(common::repo().join("reports/example/results.json"), dir.path().join("results.json")).unwrap();
    ftbench::report::render(dir.path()).unwrap();
    for (width, seen) in reads_at(browser, &dir.path().join("index.html"), &[400, 1280, 1400]) {
        assert_eq!(first_heading(&seen), Some("Recommendations"), "the answer comes first: {}", seen["headings"]);
        let table = &seen["table"];
        let most = table["cells"].as_array().unwrap().iter().filter_map(|c| c["lines"].as_u64()).max();
        eprintln!("at {width} px: the Recommendations table is {} px high, its tallest cell {most:?} lines", table["height"]);
        if width == 1400 {
            let height = table["height"].as_f64().unwrap();
            assert!(height <= 900.0, "the Recommendations table is {height} px high at 1400 px: more than one 1400 × 900 screen");
        }
        if width == 400 {
            let cells = table["cells"].as_array().unwrap();
            assert!(!cells.is_empty());
            let long: Vec<&serde_json::Value> = cells.iter().filter(|c| c["lines"].as_u64().unwrap() > 3).collect();
            assert!(long.is_empty(), "cells of the Recommendations table wrap past three lines at 400 px: {long:#?}");
        }
    }
}
