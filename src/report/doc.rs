//! A tiny document model rendered to Markdown (summary.md, `compare --markdown`), to HTML
//! (index.html) and to plain text (the terminal), so every form carries the same tables. Inline
//! text is a list of spans, each escaped by the renderer.

use std::fmt::Write as _;

#[derive(Clone, Debug, PartialEq)]
pub enum Span {
    Text(String),
    Code(String),
    Bold(String),
    Link { text: String, href: String },
}

/// Inline content: text, code and bold spans.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Inl(pub Vec<Span>);

impl Inl {
    pub fn new() -> Self {
        Inl(Vec::new())
    }
    pub fn t(mut self, s: impl Into<String>) -> Self {
        let s = s.into();
        if !s.is_empty() {
            self.0.push(Span::Text(s));
        }
        self
    }
    pub fn c(mut self, s: impl Into<String>) -> Self {
        self.0.push(Span::Code(s.into()));
        self
    }
    pub fn b(mut self, s: impl Into<String>) -> Self {
        self.0.push(Span::Bold(s.into()));
        self
    }
    pub fn link(mut self, text: impl Into<String>, href: impl Into<String>) -> Self {
        self.0.push(Span::Link { text: text.into(), href: href.into() });
        self
    }
    pub fn push(mut self, other: Inl) -> Self {
        self.0.extend(other.0);
        self
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// The words only, no markup (image alt text).
    pub fn words(&self) -> String {
        self.0
            .iter()
            .map(|s| match s {
                Span::Text(t) | Span::Bold(t) | Span::Code(t) => t.as_str(),
                Span::Link { text, .. } => text.as_str(),
            })
            .collect()
    }

    /// Plain text, code spans in backticks.
    pub fn plain(&self) -> String {
        self.0
            .iter()
            .map(|s| match s {
                Span::Text(t) | Span::Bold(t) => t.clone(),
                Span::Code(t) => format!("`{t}`"),
                Span::Link { text, .. } => text.clone(),
            })
            .collect()
    }
}

impl From<&str> for Inl {
    fn from(s: &str) -> Self {
        Inl::new().t(s)
    }
}

impl From<String> for Inl {
    fn from(s: String) -> Self {
        Inl::new().t(s)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Plain,
    Good,
    Warn,
    Bad,
    Muted,
}

impl Tone {
    fn class(self) -> Option<&'static str> {
        match self {
            Tone::Plain => None,
            Tone::Good => Some("good"),
            Tone::Warn => Some("warn"),
            Tone::Bad => Some("bad"),
            Tone::Muted => Some("muted"),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub cells: Vec<Inl>,
    pub tone: Tone,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Table {
    pub head: Vec<String>,
    /// Right-aligned (numeric) columns.
    pub numeric: Vec<bool>,
    pub rows: Vec<Row>,
    /// Its HTML class: `answers` stacks each row into a card on a narrow screen, every cell
    /// under its column's name.
    pub class: Option<&'static str>,
}

impl Table {
    pub fn new(head: &[&str]) -> Self {
        Table { head: head.iter().map(|s| s.to_string()).collect(), numeric: vec![false; head.len()], rows: vec![], class: None }
    }
    pub fn class(mut self, class: &'static str) -> Self {
        self.class = Some(class);
        self
    }
    pub fn numeric(mut self, cols: &[usize]) -> Self {
        for &c in cols {
            if c < self.numeric.len() {
                self.numeric[c] = true;
            }
        }
        self
    }
    pub fn row(&mut self, tone: Tone, cells: Vec<Inl>) {
        self.rows.push(Row { cells, tone });
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    pub svg: String,
    pub png: String,
    pub caption: Inl,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// Level (1–4), anchor id, text.
    Heading(u8, String, Inl),
    Para(Inl),
    /// A highlighted paragraph (warning banner).
    Callout(Tone, Inl),
    List(Vec<Inl>),
    Table(Table),
    /// A summary line and a preformatted body, collapsed in HTML.
    Details {
        summary: Inl,
        body: String,
    },
    /// A summary line and blocks, collapsed in Markdown (GitHub renders `<details>`) and HTML.
    Fold {
        summary: Inl,
        blocks: Vec<Block>,
    },
    Figures(Vec<Figure>),
    /// A loud warning: a bold title, text and a list (a GitHub alert in Markdown, `!!` lines in text).
    Warning {
        title: String,
        text: Inl,
        items: Vec<Inl>,
    },
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Doc {
    /// The level-1 heading; none when empty.
    pub title: String,
    pub blocks: Vec<Block>,
}

impl Doc {
    pub fn h(&mut self, level: u8, id: &str, text: impl Into<Inl>) {
        self.blocks.push(Block::Heading(level, id.to_string(), text.into()));
    }
    pub fn p(&mut self, text: impl Into<Inl>) {
        self.blocks.push(Block::Para(text.into()));
    }
    pub fn push(&mut self, b: Block) {
        self.blocks.push(b);
    }
}

// ---------------------------------------------------------------------------------------------
// Markdown

fn md_text(s: &str, in_table: bool) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &ch) in chars.iter().enumerate() {
        match ch {
            '\\' | '*' | '`' | '[' | ']' | '<' | '>' | '|' => {
                out.push('\\');
                out.push(ch);
            }
            // Intraword underscores are literal in CommonMark; escape the others.
            '_' => {
                let prev = i.checked_sub(1).map(|j| chars[j].is_alphanumeric()).unwrap_or(false);
                let next = chars.get(i + 1).map(|c| c.is_alphanumeric()).unwrap_or(false);
                if !(prev && next) {
                    out.push('\\');
                }
                out.push('_');
            }
            '#' if i == 0 && !in_table => out.push_str("\\#"),
            '\n' | '\r' if in_table => out.push(' '),
            _ => out.push(ch),
        }
    }
    out
}

fn md_code(s: &str, in_table: bool) -> String {
    let s = if in_table { s.replace(['\n', '\r'], " ").replace('|', "\\|") } else { s.replace('\n', " ") };
    let longest = longest_run(&s, '`');
    let fence = "`".repeat(longest + 1);
    if longest > 0 || s.starts_with(' ') || s.ends_with(' ') {
        format!("{fence} {s} {fence}")
    } else {
        format!("{fence}{s}{fence}")
    }
}

fn longest_run(s: &str, c: char) -> usize {
    let (mut best, mut cur) = (0, 0);
    for ch in s.chars() {
        if ch == c {
            cur += 1;
            best = best.max(cur);
        } else {
            cur = 0;
        }
    }
    best
}

fn md_inl(inl: &Inl, in_table: bool) -> String {
    inl.0
        .iter()
        .map(|s| match s {
            Span::Text(t) => md_text(t, in_table),
            Span::Code(t) => md_code(t, in_table),
            Span::Bold(t) => format!("**{}**", md_text(t, in_table)),
            Span::Link { text, href } => format!("[{}]({})", md_text(text, in_table), href.replace(' ', "%20")),
        })
        .collect()
}

pub fn to_markdown(doc: &Doc) -> String {
    let mut out = String::new();
    if !doc.title.is_empty() {
        let _ = writeln!(out, "# {}\n", md_text(&doc.title, false));
    }
    md_blocks(&mut out, &doc.blocks);
    out
}

fn md_blocks(out: &mut String, blocks: &[Block]) {
    for b in blocks {
        match b {
            Block::Heading(level, _, text) => {
                let _ = writeln!(out, "{} {}\n", "#".repeat((*level).clamp(1, 6) as usize), md_inl(text, false));
            }
            Block::Para(text) => {
                let _ = writeln!(out, "{}\n", md_inl(text, false));
            }
            Block::Callout(_, text) => {
                let _ = writeln!(out, "> {}\n", md_inl(text, false));
            }
            Block::List(items) => {
                for i in items {
                    let _ = writeln!(out, "- {}", md_inl(i, false));
                }
                out.push('\n');
            }
            Block::Table(t) => {
                let _ = writeln!(out, "| {} |", t.head.iter().map(|h| md_text(h, true)).collect::<Vec<_>>().join(" | "));
                let seps: Vec<&str> = t.numeric.iter().map(|&n| if n { "---:" } else { "---" }).collect();
                let _ = writeln!(out, "| {} |", seps.join(" | "));
                for r in &t.rows {
                    let mut cells: Vec<String> = r.cells.iter().map(|c| md_inl(c, true)).collect();
                    cells.resize(t.head.len(), String::new());
                    let _ = writeln!(out, "| {} |", cells.join(" | "));
                }
                out.push('\n');
            }
            Block::Details { summary, body } => {
                let fence = "`".repeat(longest_run(body, '`').max(2) + 1);
                let _ = writeln!(out, "{}\n\n{fence}text\n{}\n{fence}\n", md_inl(summary, false), body.trim_end());
            }
            Block::Fold { summary, blocks } => {
                let _ = writeln!(out, "<details><summary>{}</summary>\n", md_inl(summary, false));
                md_blocks(out, blocks);
                out.push_str("</details>\n\n");
            }
            Block::Figures(figs) => {
                for f in figs {
                    let alt = md_text(&f.caption.words(), true);
                    let _ = writeln!(out, "![{alt}]({})\n\n{} ([SVG]({}), [PNG]({}))\n", f.svg, md_inl(&f.caption, false), f.svg, f.png);
                }
            }
            Block::Warning { title, text, items } => {
                let _ = write!(out, "> [!WARNING]\n> **{}**", md_text(title, false));
                if !text.is_empty() {
                    let _ = write!(out, " {}", md_inl(text, false));
                }
                out.push('\n');
                for i in items {
                    let _ = writeln!(out, "> - {}", md_inl(i, false));
                }
                out.push('\n');
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// HTML

pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

fn html_inl(inl: &Inl) -> String {
    inl.0
        .iter()
        .map(|s| match s {
            Span::Text(t) => esc(t),
            Span::Code(t) => format!("<code>{}</code>", esc(t)),
            Span::Bold(t) => format!("<strong>{}</strong>", esc(t)),
            Span::Link { text, href } => format!("<a href=\"{}\">{}</a>", esc(href), esc(text)),
        })
        .collect()
}

const CSS: &str = r#"
:root { --fg:#1d2430; --muted:#6b7280; --line:#d9dee7; --zebra:#f6f8fb; --good:#e7f6ea; --warn:#fff4dc; --bad:#fde8e8; --accent:#2f6db3; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); margin: 0; line-height: 1.45; background: #fff; }
main { max-width: 1360px; margin: 0 auto; padding: 1.5rem 2rem 4rem; }
@media (max-width: 640px) { main { padding: 1rem .6rem 3rem; } }
p, li, .callout, figcaption { overflow-wrap: anywhere; }
.table-wrap { max-width: 100%; overflow-x: auto; }
h1 { font-size: 1.7rem; margin: .2rem 0 1rem; }
h2 { font-size: 1.35rem; margin-top: 2.4rem; border-bottom: 2px solid var(--line); padding-bottom: .25rem; }
h3 { font-size: 1.12rem; margin-top: 1.8rem; }
h4 { font-size: 1rem; margin-top: 1.2rem; color: #374151; }
nav { font-size: .9rem; margin-bottom: 1rem; }
nav a { margin-right: 1rem; color: var(--accent); text-decoration: none; }
code { font-family: "DejaVu Sans Mono", ui-monospace, Menlo, Consolas, monospace; font-size: .88em; background: #f0f2f6; padding: 0 .25em; border-radius: 3px; }
table { border-collapse: collapse; margin: .6rem 0 1.2rem; font-size: .88rem; }
th, td { border: 1px solid var(--line); padding: .28rem .55rem; vertical-align: top; text-align: left; }
th { background: #eef1f6; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody tr:nth-child(even) { background: var(--zebra); }
tr.good { background: var(--good) !important; }
tr.warn { background: var(--warn) !important; }
tr.bad { background: var(--bad) !important; }
tr.muted { color: var(--muted); }
.callout { padding: .6rem .9rem; border-left: 4px solid; margin: .8rem 0; border-radius: 3px; }
.callout.warn { background: var(--warn); border-color: #d9a400; }
.callout.bad { background: var(--bad); border-color: #c62828; }
.callout.good { background: var(--good); border-color: #2e7d32; }
.callout.plain, .callout.muted { background: var(--zebra); border-color: var(--line); }
.verdict { font-size: 1rem; }
details { margin: .4rem 0 1rem; }
summary { cursor: pointer; }
pre { background: #f6f8fa; border: 1px solid var(--line); padding: .7rem; overflow-x: auto; font-size: .8rem; max-height: 28rem; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(560px, 100%), 1fr)); gap: 1.2rem; }
figure { margin: 0; border: 1px solid var(--line); border-radius: 4px; padding: .5rem; background: #fff; }
figure img { width: 100%; height: auto; display: block; }
figcaption { font-size: .85rem; color: #374151; margin-top: .35rem; }
table.answers { font-size: .76rem; line-height: 1.25; width: 100%; table-layout: fixed; }
table.answers th, table.answers td { padding: .15rem .35rem; overflow-wrap: anywhere; }
table.answers th:nth-child(1) { width: 20%; } table.answers th:nth-child(2) { width: 21%; }
table.answers th:nth-child(3) { width: 21%; } table.answers th:nth-child(4) { width: 11%; }
@media (max-width: 640px) {
  table.answers, table.answers tbody, table.answers tr, table.answers td { display: block; width: auto; }
  table.answers thead { display: none; }
  table.answers tr { border: 1px solid var(--line); margin-bottom: .4rem; }
  table.answers td { border: 0; padding: .1rem .45rem; }
  table.answers td[data-label]::before { content: attr(data-label) ": "; font-weight: 600; color: #374151; }
}
"#;

pub fn to_html(doc: &Doc) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        esc(&doc.title)
    );
    if !doc.title.is_empty() {
        let _ = writeln!(out, "<h1>{}</h1>", esc(&doc.title));
    }
    // Navigation over the level-2 headings.
    let nav: Vec<String> = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading(2, id, text) if !id.is_empty() => Some(format!("<a href=\"#{}\">{}</a>", esc(id), html_inl(text))),
            _ => None,
        })
        .collect();
    if !nav.is_empty() {
        let _ = writeln!(out, "<nav>{}</nav>", nav.join(""));
    }
    html_blocks(&mut out, &doc.blocks);
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn html_blocks(out: &mut String, blocks: &[Block]) {
    for b in blocks {
        match b {
            Block::Heading(level, id, text) => {
                let l = (*level).clamp(1, 6);
                if id.is_empty() {
                    let _ = writeln!(out, "<h{l}>{}</h{l}>", html_inl(text));
                } else {
                    let _ = writeln!(out, "<h{l} id=\"{}\">{}</h{l}>", esc(id), html_inl(text));
                }
            }
            Block::Para(text) => {
                let _ = writeln!(out, "<p>{}</p>", html_inl(text));
            }
            Block::Callout(tone, text) => {
                let class = tone.class().unwrap_or("plain");
                let _ = writeln!(out, "<div class=\"callout {class}\">{}</div>", html_inl(text));
            }
            Block::List(items) => {
                out.push_str("<ul>\n");
                for i in items {
                    let _ = writeln!(out, "<li>{}</li>", html_inl(i));
                }
                out.push_str("</ul>\n");
            }
            Block::Table(t) => {
                // Wide tables scroll in their own box: the page itself never scrolls sideways.
                match t.class {
                    Some(c) => {
                        let _ = write!(out, "<div class=\"table-wrap\"><table class=\"{c}\">\n<thead><tr>");
                    }
                    None => out.push_str("<div class=\"table-wrap\"><table>\n<thead><tr>"),
                }
                for (i, h) in t.head.iter().enumerate() {
                    let class = if t.numeric.get(i).copied().unwrap_or(false) { " class=\"num\"" } else { "" };
                    let _ = write!(out, "<th{class}>{}</th>", esc(h));
                }
                out.push_str("</tr></thead>\n<tbody>\n");
                for r in &t.rows {
                    match r.tone.class() {
                        Some(c) => {
                            let _ = write!(out, "<tr class=\"{c}\">");
                        }
                        None => out.push_str("<tr>"),
                    }
                    for (i, c) in r.cells.iter().enumerate() {
                        let class = if t.numeric.get(i).copied().unwrap_or(false) { " class=\"num\"" } else { "" };
                        // A stacked row names every cell but the first (the row's own title).
                        let label = match (t.class, t.head.get(i)) {
                            (Some(_), Some(h)) if i > 0 => format!(" data-label=\"{}\"", esc(h)),
                            _ => String::new(),
                        };
                        let _ = write!(out, "<td{class}{label}>{}</td>", html_inl(c));
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</tbody>\n</table></div>\n");
            }
            Block::Details { summary, body } => {
                let _ = writeln!(out, "<details><summary>{}</summary>\n<pre>{}</pre>\n</details>", html_inl(summary), esc(body.trim_end()));
            }
            Block::Figures(figs) => {
                out.push_str("<div class=\"figures\">\n");
                for f in figs {
                    let _ = writeln!(
                        out,
                        "<figure><a href=\"{svg}\"><img src=\"{svg}\" alt=\"{alt}\" loading=\"lazy\"></a>\
                         <figcaption>{cap} (<a href=\"{svg}\">SVG</a>, <a href=\"{png}\">PNG</a>)</figcaption></figure>",
                        svg = esc(&f.svg),
                        png = esc(&f.png),
                        alt = esc(&f.caption.words()),
                        cap = html_inl(&f.caption)
                    );
                }
                out.push_str("</div>\n");
            }
            Block::Fold { summary, blocks } => {
                let _ = writeln!(out, "<details><summary>{}</summary>", html_inl(summary));
                html_blocks(out, blocks);
                out.push_str("</details>\n");
            }
            Block::Warning { title, text, items } => {
                let _ = write!(out, "<div class=\"callout warn\"><strong>{}</strong> {}", esc(title), html_inl(text));
                if !items.is_empty() {
                    let list: String = items.iter().map(|i| format!("<li>{}</li>", html_inl(i))).collect();
                    let _ = write!(out, "<ul>{list}</ul>");
                }
                out.push_str("</div>\n");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Plain text (the terminal)

/// Plain text for the terminal, which has no markup: a heading sits right above what it heads,
/// lists are indented, tables are columns with heads in capitals, warnings are `!!` lines with
/// their title in capitals (one line each, or a framed block when they carry a list).
pub fn to_text(doc: &Doc) -> String {
    let mut out = String::new();
    if !doc.title.is_empty() {
        let _ = writeln!(out, "{}\n", doc.title);
    }
    text_blocks(&mut out, &doc.blocks);
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

fn text_blocks(out: &mut String, blocks: &[Block]) {
    for b in blocks {
        match b {
            Block::Heading(_, _, text) => {
                let _ = writeln!(out, "{}", text.plain());
            }
            Block::Para(text) | Block::Callout(_, text) => {
                let _ = writeln!(out, "{}\n", text.plain());
            }
            Block::List(items) => {
                for i in items {
                    let _ = writeln!(out, "  {}", i.plain());
                }
                out.push('\n');
            }
            Block::Table(t) => {
                out.push_str(&text_table(t));
                out.push('\n');
            }
            Block::Details { summary, body } => {
                let _ = writeln!(out, "{}\n{}\n", summary.plain(), body.trim_end());
            }
            Block::Fold { summary, blocks } => {
                let _ = writeln!(out, "{}", summary.plain());
                text_blocks(out, blocks);
            }
            Block::Figures(figs) => {
                for f in figs {
                    let _ = writeln!(out, "{} ({}, {})", f.caption.plain(), f.svg, f.png);
                }
                out.push('\n');
            }
            Block::Warning { title, text, items } => text_warning(out, title, text, items),
        }
    }
}

fn text_warning(out: &mut String, title: &str, text: &Inl, items: &[Inl]) {
    let title = title.to_uppercase();
    if items.is_empty() {
        let _ = writeln!(out, "!! WARNING: {} {}", title, text.plain());
        return;
    }
    let bar = "!".repeat(78);
    let _ = writeln!(out, "{bar}\n!! WARNING: {title}\n!! {}", text.plain());
    for i in items {
        let _ = writeln!(out, "!!   {}", i.plain());
    }
    let _ = writeln!(out, "{bar}\n");
}

/// A table as plain terminal text ([`crate::text::table`]).
pub fn text_table(t: &Table) -> String {
    let head: Vec<&str> = t.head.iter().map(String::as_str).collect();
    let rows: Vec<Vec<String>> = t.rows.iter().map(|r| r.cells.iter().map(Inl::plain).collect()).collect();
    crate::text::table(&head, &rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escapes_table_cells() {
        let mut t = Table::new(&["a", "b"]);
        t.row(Tone::Plain, vec![Inl::new().t("x|y *z*"), Inl::new().c("a|b")]);
        let doc = Doc { title: "T".into(), blocks: vec![Block::Table(t)] };
        let md = to_markdown(&doc);
        assert!(md.contains("x\\|y \\*z\\*"), "{md}");
        assert!(md.contains("`a\\|b`"), "{md}");
    }

    #[test]
    fn markdown_keeps_intraword_underscores() {
        assert_eq!(md_text("ft_utils _x_", false), "ft_utils \\_x\\_");
    }

    #[test]
    fn html_escapes_everything() {
        let doc = Doc { title: "<t>".into(), blocks: vec![Block::Para(Inl::new().t("a<b").c("&"))] };
        let html = to_html(&doc);
        assert!(html.contains("a&lt;b<code>&amp;</code>"));
        assert!(html.contains("<title>&lt;t&gt;</title>"));
    }

    #[test]
    fn details_fence_outgrows_backticks_in_the_body() {
        let doc = Doc { title: "T".into(), blocks: vec![Block::Details { summary: "s".into(), body: "a ```` b".into() }] };
        assert!(to_markdown(&doc).contains("`````text\n"));
    }

    #[test]
    fn markdown_table_cells_stay_on_one_row() {
        let mut t = Table::new(&["a"]);
        t.row(Tone::Plain, vec!["a|b\nc`d<e>".into()]);
        let md = to_markdown(&Doc { title: String::new(), blocks: vec![Block::Table(t)] });
        assert_eq!(md, "| a |\n| --- |\n| a\\|b c\\`d\\<e\\> |\n\n");
    }

    #[test]
    fn text_shouts_warnings_and_aligns_tables() {
        let mut t = Table::new(&["Name", "Ops/s"]);
        t.row(Tone::Plain, vec![Inl::new().b("lock"), "1.2 M".into()]);
        t.row(Tone::Plain, vec!["queue_x".into(), "".into()]);
        let mut doc = Doc::default();
        doc.push(Block::Warning { title: "Look out:".into(), text: "here".into(), items: vec![] });
        doc.h(3, "", "verdict");
        doc.push(Block::List(vec!["base: a".into()]));
        doc.push(Block::Table(t));
        let text = to_text(&doc);
        assert_eq!(text, "!! WARNING: LOOK OUT: here\nverdict\n  base: a\n\nNAME     OPS/S\nlock     1.2 M\nqueue_x\n");
    }
}
