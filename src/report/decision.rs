//! A group's decision ([`crate::selection::Decision`]) in words: the answer, the comparison at the
//! group's thread count, how the best scales and the caveats, as the Recommendations table shows
//! them (short names, no cell over [`CELL`] characters) and as the selection and the fleet state
//! them (full labels), with the comparisons the decision rests on as its reasons.

use crate::report::doc::Inl;
use crate::report::format;
use crate::selection::{Comparison, Group, Kind, Standing, Why};

/// The most characters a cell of the Recommendations table holds.
pub const CELL: usize = 120;

/// How candidates are named: their short names (compact tables) or full labels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Names {
    Short,
    Full,
}

/// The words of one group's decision.
pub struct Words<'g> {
    pub group: &'g Group,
    pub names: Names,
}

impl Words<'_> {
    fn name(&self, workload: &str) -> String {
        match (self.group.candidate(workload), self.names) {
            (Some(c), Names::Short) => c.short.clone(),
            (Some(c), Names::Full) => c.label.clone(),
            (None, _) => workload.to_string(),
        }
    }

    fn at(&self) -> String {
        self.group.decision.threads.map(format::threads).unwrap_or_default()
    }

    /// "**use** `X`", "**it depends**: `X` ≈ `Y`", "**threads do not pay here**: `Z` on 1 thread".
    pub fn answer(&self) -> Inl {
        let d = &self.group.decision;
        let l = Inl::new().b(d.kind.words());
        match d.kind {
            Kind::Use => l.t(" ").c(self.name(&d.top[0])),
            // "Ran validly" only where another synchronized candidate did not.
            Kind::Only if self.group.candidates.iter().all(|c| matches!(c.standing, Standing::Ranked | Standing::Unsafe)) => {
                l.t(" ").c(self.name(&d.top[0])).t(" is measured here")
            }
            Kind::Only => l.t(" ").c(self.name(&d.top[0])).t(" ran validly"),
            Kind::Depends => self.tied(l.t(": "), &d.top),
            Kind::ThreadsDoNotPay => {
                let one = d.one_thread.as_ref().map(|c| c.b.workload.as_str()).unwrap_or(&d.top[0]);
                l.t(": ").c(self.name(one)).t(" on 1 thread")
            }
            Kind::Described => l,
            Kind::Nothing => match self.all_skipped() {
                Some(why) => Inl::new().t(format!("not measured here: {why}")),
                None => l,
            },
        }
    }

    /// The reason every candidate was skipped, when they all were.
    fn all_skipped(&self) -> Option<&str> {
        let c = &self.group.candidates;
        c.iter().all(|c| c.standing == Standing::Skipped).then(|| c.first()?.note.as_deref()).flatten()
    }

    /// `X` ≈ `Y` ≈ `Z`, at most three names.
    fn tied(&self, mut l: Inl, who: &[String]) -> Inl {
        for (i, w) in who.iter().take(3).enumerate() {
            l = if i == 0 { l } else { l.t(" ≈ ") }.c(self.name(w));
        }
        if who.len() > 3 {
            l = l.t(format!(" ≈ {} more", who.len() - 3));
        }
        l
    }

    /// The comparison at the group's thread count: "`X` 3.7× `Y`", "`X` ≈ `Y` (1.14×, within
    /// noise)", "`X` 1.28 M ops/s"; under "threads do not pay", what runs fastest at N all the same.
    pub fn at_n(&self) -> Inl {
        let d = &self.group.decision;
        let lead = if d.kind == Kind::ThreadsDoNotPay { Inl::new().t("fastest: ") } else { Inl::new() };
        match (d.kind, &d.runner_up) {
            (Kind::Nothing, _) => Inl::new(),
            (Kind::Described, _) => {
                let mut l = Inl::new();
                for (i, c) in self.group.ranked().enumerate() {
                    l = if i == 0 { l } else { l.t("; ") }.c(self.name(&c.workload));
                    l = l.t(format!(" {}", c.throughput.map(|e| format::si(e.point)).unwrap_or_default()));
                }
                l
            }
            (_, Some(c)) if c.beyond_noise => {
                lead.c(self.name(&c.a.workload)).t(format!(" {} ", format::ratio(c.ratio()))).c(self.name(&c.b.workload))
            }
            (_, Some(c)) => self.tied(lead, &d.top).t(format!(" ({}, within noise)", format::ratio(c.ratio()))),
            (_, None) => {
                let w =
                    self.group.winner().and_then(|w| w.throughput).map(|e| format!("{} ops/s", format::si(e.point))).unwrap_or_default();
                lead.c(self.name(&d.top[0])).t(format!(" {w}"))
            }
        }
    }

    /// How the best scales: "yes, 1.92× [1.85×, 2.0×]" (faster beyond noise), "no, 0.50× […]"
    /// (slower beyond noise), "flat, …", relative to its base (said when it is not 1 thread).
    pub fn scales(&self) -> String {
        let Some(w) = self.group.winner().filter(|_| self.group.decision.kind != Kind::Described) else { return "—".into() };
        let Some(s) = w.speedup else { return "—".into() };
        let word = match w.speedup_interval {
            Some([lo, _]) if lo > 1.0 => "yes, ",
            Some([_, hi]) if hi < 1.0 => "no, ",
            Some(_) => "flat, ",
            None => "",
        };
        format!("{word}{}{}", format::ratio_ci(s, w.speedup_interval), vs_base(w.base_threads))
    }

    /// The caveats, most important first, as many as fit in `cap` characters ("more below" when
    /// some did not); every one without a cap.
    pub fn caveats(&self, cap: Option<usize>) -> Inl {
        let items = self.caveat_items();
        let more = "; more below";
        let mut l = Inl::new();
        for (i, item) in items.iter().enumerate() {
            let next = if i == 0 { l.clone() } else { l.clone().t("; ") }.push(item.clone());
            let room = cap.map(|c| if i + 1 < items.len() { c - more.len() } else { c });
            if room.is_some_and(|r| next.words().chars().count() > r) {
                return if i == 0 { Inl::new().t("see below") } else { l.t(more) };
            }
            l = next;
        }
        if l.is_empty() {
            Inl::new().t("—")
        } else {
            l
        }
    }

    fn caveat_items(&self) -> Vec<Inl> {
        let (d, full) = (&self.group.decision, self.names == Names::Full);
        let mut items = Vec::new();
        if let Some(c) = d.gil_build.as_ref().filter(|c| c.beyond_noise) {
            let figure = format::si(c.a.estimate.point);
            let (at, more) = match full {
                true => (
                    format!(" at {}", self.at()),
                    format!(" ops/s with the GIL on beats every GIL-off candidate ({})", format::si(c.b.estimate.point)),
                ),
                false => (String::new(), " with the GIL on".to_string()),
            };
            let lead = if full { "the GIL build wins" } else { "GIL build wins" };
            items.push(Inl::new().t(format!("{lead}{at}: ")).c(self.name(&c.a.workload)).t(format!(" {figure}{more}")));
        }
        if let Some(x) = d.crossover.as_ref().filter(|_| matches!(d.kind, Kind::Use | Kind::Depends)) {
            items.push(
                Inl::new()
                    .c(self.name(&x.one))
                    .t(" leads at 1 thread, ")
                    .c(self.name(&x.winner))
                    .t(format!(" from {}", format::threads(x.from))),
            );
        }
        for (who, why) in &d.avoid {
            let words = match why {
                Why::Unsafe(0) => "is unsynchronized (no lost updates seen, still unsafe)".to_string(),
                Why::Unsafe(n) if full => format!("loses updates ({n} at {})", self.at()),
                Why::Unsafe(_) => "loses updates".to_string(),
                Why::ReenablesGil => "re-enables the GIL on import".to_string(),
                Why::BrokeInvariant => "broke its invariant".to_string(),
                Why::Slower => continue,
            };
            items.push(Inl::new().b("avoid").t(" ").c(self.name(who)).t(format!(": {words}")));
        }
        let ranked = self.group.ranked().count();
        match d.shared_collapse(ranked) {
            Some(t) => items.push(Inl::new().t(format!("all collapse past {}", format::threads(t)))),
            None => {
                // One clause per thread count: those that collapse past it.
                let shown: Vec<&(String, usize)> = d.collapses.iter().filter(|(w, _)| full || d.winner() == Some(w.as_str())).collect();
                let mut counts: Vec<usize> = shown.iter().map(|(_, t)| *t).collect();
                counts.sort_unstable();
                counts.dedup();
                for t in counts {
                    let who: Vec<&str> = shown.iter().filter(|(_, x)| *x == t).map(|(w, _)| w.as_str()).collect();
                    let mut l = Inl::new();
                    for (i, w) in who.iter().enumerate() {
                        l = if i == 0 { l } else { l.t(", ") }.c(self.name(w));
                    }
                    let verb = if who.len() == 1 { "collapses" } else { "collapse" };
                    items.push(l.t(format!(" {verb} past {}", format::threads(t))));
                }
            }
        }
        let slower: Vec<&str> = d.avoid.iter().filter(|(_, w)| *w == Why::Slower).map(|(c, _)| c.as_str()).collect();
        if slower.len() == 1 || (full && !slower.is_empty()) {
            let mut l = Inl::new().b("avoid").t(" ");
            for (i, w) in slower.iter().enumerate() {
                l = if i == 0 { l } else { l.t(", ") }.c(self.name(w));
            }
            items.push(l.t(format!(": slower beyond noise at {}", self.at())));
        } else if !slower.is_empty() {
            items.push(Inl::new().b("avoid").t(format!(" the {} others: slower beyond noise", slower.len())));
        }
        if let Some((u, x)) = d.faster_unsafe.as_ref().filter(|_| full) {
            items.push(Inl::new().t("unsynchronized ").c(self.name(u)).t(format!(" is {} faster but loses updates", format::ratio(*x))));
        }
        if d.disqualified > 0 && full && d.kind != Kind::Nothing {
            let n = d.disqualified;
            items.push(Inl::new().t(format!("{n} invalid or failed candidate{} not ranked", if n == 1 { "" } else { "s" })));
        }
        items
    }

    /// The comparisons the decision rests on, each with both figures and their intervals.
    pub fn reasons(&self) -> Vec<Inl> {
        let d = &self.group.decision;
        let mut out = Vec::new();
        if let Some(c) = &d.runner_up {
            out.push(self.comparison(c, ("faster beyond noise", "the intervals overlap: a tie")));
        }
        if let Some(c) = &d.one_thread {
            out.push(self.comparison(c, ("faster beyond noise: threads pay", "not faster beyond noise: threads do not pay")));
        }
        if let Some(c) = &d.gil_build {
            out.push(self.comparison(c, ("faster beyond noise: the GIL build wins", "not faster beyond noise")));
        }
        out
    }

    /// "`X` GIL off at 2 threads 15.6 M [14.4 M, 16.8 M] against `Y` GIL off at 1 thread 24.5 M
    /// [23.1 M, 25.9 M]: not faster beyond noise".
    fn comparison(&self, c: &Comparison, (yes, no): (&str, &str)) -> Inl {
        let figure = |l: Inl, f: &crate::selection::Figure| {
            l.c(self.name(&f.workload)).t(format!(
                " {} at {} {}",
                format::gil_mode(f.mode),
                format::threads(f.threads),
                format::si_ci(f.estimate.point, f.estimate.interval)
            ))
        };
        let l = figure(figure(Inl::new(), &c.a).t(" against "), &c.b);
        let paired = c.paired.map(|iv| format!(" (their ratio over passes {})", format::ratio_ci(c.ratio(), Some(iv)))).unwrap_or_default();
        l.t(format!("{paired}: {}", if c.beyond_noise { yes } else { no }))
    }
}

/// " vs 2 threads" for a figure relative to a base other than 1 thread.
pub fn vs_base(base: Option<usize>) -> String {
    match base {
        Some(b) if b != 1 => format!(" vs {}", format::threads(b)),
        _ => String::new(),
    }
}
