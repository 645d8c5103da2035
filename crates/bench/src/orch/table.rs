//! The results as markdown: the setup, one row per target, the ratios against the targets of
//! the issue, and anything that makes a figure doubtful. The same text is printed and, with
//! `--write-docs`, put between the markers of docs/performance.md.

use std::fmt::Write as _;

use super::archive::percent;
use super::measure::{median, Measured, Sample};

/// What the table says about how it was made.
pub struct Setup {
    pub machine: String,
    pub load_average: f64,
    pub revision: String,
    pub runs: usize,
    pub warmup_s: f64,
    pub duration_s: f64,
    pub connections: usize,
    pub server_cpu: usize,
    pub load_cpu: usize,
    pub date: String,
    pub not_run: Vec<String>,
}

fn spread(values: &[f64]) -> (f64, f64, f64) {
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (median(values), min, max)
}

fn ranged(values: &[f64], digits: usize) -> String {
    if values.is_empty() {
        return "–".into();
    }
    let (med, min, max) = spread(values);
    if values.len() == 1 {
        return format!("{med:.digits$}");
    }
    format!("{med:.digits$} ({min:.digits$}–{max:.digits$})")
}

fn of(samples: &[Sample], f: impl Fn(&Sample) -> f64) -> Vec<f64> {
    samples.iter().map(f).collect()
}

fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

fn find(all: &[Measured], key: char) -> Option<&Measured> {
    all.iter().find(|m| m.target.key == key)
}

/// Per-run `f(x) ⊘ f(y)`, `ratio` or difference, over the runs both have.
fn paired(x: &[Sample], y: &[Sample], f: impl Fn(&Sample) -> f64, ratio: bool) -> Vec<f64> {
    x.iter()
        .zip(y)
        .map(|(a, b)| if ratio { f(a) / f(b) } else { f(a) - f(b) })
        .collect()
}

/// The markdown table and its notes.
pub fn render(setup: &Setup, all: &[Measured]) -> String {
    let mut out = String::new();
    let s = setup;
    let _ = writeln!(
        out,
        "Measured {} on {} (1-minute load average {:.1} at the start), topgate {}.",
        s.date, s.machine, s.load_average, s.revision
    );
    let _ = writeln!(out, "Cores: every server on CPU {}, the load generator on CPU {} (`taskset`); in C, D and E the proxy and the backend share CPU {}. {} run(s) of {:.0} s warm-up + {:.0} s measured, {} keep-alive connections; each cell is the median (min–max) over the runs.\n", s.server_cpu, s.load_cpu, s.server_cpu, s.runs, s.warmup_s, s.duration_s, s.connections);
    out.push_str("| | target | req/s at saturation | p50 ms | p99 ms | p99 ms at half load | server CPU | CPU µs/call | topgate peak RSS |\n");
    out.push_str("|---|---|---|---|---|---|---|---|---|\n");
    for m in all {
        let hwm = m
            .closed
            .iter()
            .chain(&m.open)
            .filter_map(|x| x.hwm_kib)
            .max();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} at {:.0}/s | {}% | {} | {} |",
            m.target.key,
            m.target.what,
            ranged(&of(&m.closed, Sample::sustained_rps), 0),
            ranged(&of(&m.closed, |x| ms(x.report.p50_us)), 2),
            ranged(&of(&m.closed, |x| ms(x.report.p99_us)), 2),
            ranged(&of(&m.open, |x| ms(x.report.p99_us)), 2),
            m.rate,
            ranged(&of(&m.closed, |x| x.server_cpu_pct), 0),
            ranged(&of(&m.closed, Sample::cpu_us_per_call), 0),
            hwm.map_or("".into(), |k| format!("{:.1} MiB", k as f64 / 1024.0)),
        );
    }
    for line in &s.not_run {
        let _ = writeln!(out, "| | {line} | | | | | | | |");
    }
    out.push_str("\n| figure | value | target |\n|---|---|---|\n");
    let rps = Sample::sustained_rps;
    let p99 = |x: &Sample| ms(x.report.p99_us);
    let mut figure = |name: &str, a: char, b: char, ratio: bool, goal: Option<f64>| {
        let (Some(x), Some(y)) = (find(all, a), find(all, b)) else {
            return;
        };
        let (values, unit) = if ratio {
            (paired(&x.closed, &y.closed, rps, true), "")
        } else {
            (paired(&x.open, &y.open, p99, false), " ms")
        };
        let med = median(&values);
        let verdict = match goal {
            Some(g) if ratio => format!("≥ {g} {}", if med >= g { "✓" } else { "✗" }),
            Some(g) => format!("≤ {g} ms {}", if med <= g { "✓" } else { "✗" }),
            None => "(reference)".into(),
        };
        let _ = writeln!(out, "| {name} | {}{unit} | {verdict} |", ranged(&values, 2));
    };
    figure(
        "B/A req/s (full pipeline / bare)",
        'B',
        'A',
        true,
        Some(0.75),
    );
    figure(
        "D/C req/s (topgate proxy / pass-through)",
        'D',
        'C',
        true,
        Some(0.75),
    );
    figure("D/E req/s (topgate proxy / nginx)", 'D', 'E', true, None);
    figure(
        "F/B req/s (Redis counters / in-memory)",
        'F',
        'B',
        true,
        None,
    );
    figure("added p99 at half load, B−A", 'B', 'A', false, Some(1.0));
    figure("added p99 at half load, D−C", 'D', 'C', false, Some(1.0));
    cost(&mut out, all, 'B', 'A');
    cost(&mut out, all, 'D', 'C');
    out.push_str(&warnings(all));
    out
}

/// The throughput ratio the CPU cost per call allows (`y`'s µs per call over `x`'s): what
/// `x/y` would be if each had its core to itself, however busy the machine was.
fn cost(out: &mut String, all: &[Measured], x: char, y: char) {
    let (Some(a), Some(b)) = (find(all, x), find(all, y)) else {
        return;
    };
    let values: Vec<f64> = a
        .closed
        .iter()
        .zip(&b.closed)
        .map(|(a, b)| b.cpu_us_per_call() / a.cpu_us_per_call())
        .collect();
    let _ = writeln!(
        out,
        "| {x}/{y} by CPU per call ({y}'s µs/call ÷ {x}'s) | {} | (what {x}/{y} would be on an idle core) |",
        ranged(&values, 2)
    );
}

/// Figures to doubt: failed calls, a generator that was the bottleneck.
fn warnings(all: &[Measured]) -> String {
    let mut out = String::new();
    for m in all {
        for (mode, samples) in [("saturation", &m.closed), ("half load", &m.open)] {
            let failed: u64 = samples
                .iter()
                .map(|x| {
                    let r = &x.report;
                    r.error_bodies + r.bad_status + r.transport_errors + r.unsent
                })
                .sum();
            if failed > 0 {
                let _ = writeln!(out, "\n**{}: {failed} calls failed at {mode}** (error answers, bad status, transport errors or calls never sent): its figures are not those of successful calls.", m.target.key);
            }
        }
        let catch_up = median(&of(&m.closed, |x| x.catch_up_s));
        if catch_up > 0.5 {
            let _ = writeln!(out, "\n{}: after each saturation run its processes worked {catch_up:.1} s more (median; topgate: the archive writing its queue); req/s counts that time, CPU µs/call that work.", m.target.key);
        }
        if let Some(note) = archive_note(m) {
            let _ = writeln!(out, "\n{note}");
        }
        let late: Vec<f64> = of(&m.open, |x| x.catch_up_s);
        if median(&late) > 0.5 {
            let _ = writeln!(out, "\n**{}: at half load it did not keep up** (+{:.1} s to finish after the load stopped).", m.target.key, median(&late));
        }
        // The log's figure, for when the metrics could not be read (every 10 000th is logged).
        let counted = m
            .closed
            .iter()
            .chain(&m.open)
            .any(|x| matches!(x.archive, Some(Ok(_))));
        let dropped = m
            .closed
            .iter()
            .chain(&m.open)
            .map(|x| x.archive_dropped)
            .max()
            .unwrap_or(0);
        if dropped > 0 && !counted {
            let _ = writeln!(out, "\n**{}: the archive dropped at least {dropped} successful calls** (its queue was full).", m.target.key);
        }
        let server = median(&of(&m.closed, |x| x.server_cpu_pct));
        let generator = median(&of(&m.closed, |x| x.report.generator_cpu_pct));
        if server < 90.0 && generator <= 90.0 {
            let _ = writeln!(out, "\n**{}: at saturation the server had only {server:.0}% of its core**: other processes ran on it; its req/s is low by as much, CPU µs/call still holds.", m.target.key);
        }
        if server < 90.0 && generator > 90.0 {
            let _ = writeln!(out, "\n**{}: the load generator was busier ({generator:.0}%) than the server ({server:.0}%)**: its saturation figure is the generator's limit, not the server's.", m.target.key);
        }
    }
    out
}

/// What the archive kept over some runs of a target.
struct Kept<'a> {
    /// Each run's kept share (0 to 1), of the runs whose figures were read.
    shares: Vec<f64>,
    /// Successes dropped over those runs.
    dropped: u64,
    /// Runs without figures, and the first one's reason.
    missing: usize,
    why: Option<&'a str>,
}

fn kept(samples: &[Sample]) -> Kept<'_> {
    let mut k = Kept {
        shares: Vec::new(),
        dropped: 0,
        missing: 0,
        why: None,
    };
    for archive in samples.iter().filter_map(|x| x.archive.as_ref()) {
        match archive {
            Ok(a) => {
                k.shares.push(a.kept_share());
                k.dropped += a.dropped;
            }
            Err(why) => {
                k.missing += 1;
                k.why = k.why.or(Some(why.as_str()));
            }
        }
    }
    k
}

impl Kept<'_> {
    /// "61 % of the calls (median over runs; 58–64 %)", or "every call".
    fn share(&self) -> String {
        if self.dropped == 0 {
            return "every call".into();
        }
        let (med, min, max) = spread(&self.shares);
        let range = if self.shares.len() > 1 {
            format!("; {}–{}", percent(min), percent(max))
        } else {
            String::new()
        };
        format!("{} of the calls (median over runs{range})", percent(med))
    }

    /// " (1 of 3 runs without figures: why)", when some runs have none.
    fn gaps(&self) -> String {
        match self.why {
            Some(why) if !self.shares.is_empty() => format!(
                " ({} of {} runs without figures: {why})",
                self.missing,
                self.missing + self.shares.len()
            ),
            _ => String::new(),
        }
    }
}

/// What a topgate target's archive kept at saturation and at half load, from its metrics: the
/// req/s at saturation is that of a gateway whose archive drops successes once its queue is full,
/// and this says how many. `None` for a target without an archive.
fn archive_note(m: &Measured) -> Option<String> {
    if m.closed.iter().chain(&m.open).all(|x| x.archive.is_none()) {
        return None;
    }
    let key = m.target.key;
    let (saturation, half) = (kept(&m.closed), kept(&m.open));
    let mut note = match (saturation.why, saturation.shares.is_empty()) {
        (why, true) => format!(
            "{key}: archive figures unavailable at saturation: {}.",
            why.unwrap_or("not read")
        ),
        _ if saturation.dropped == 0 => format!(
            "{key}: at saturation the archive kept every call{}.",
            saturation.gaps()
        ),
        _ => format!(
            "{key}: at saturation the archive kept {}{}; the rest were successes dropped because \
             its queue was full (errors are always kept).",
            saturation.share(),
            saturation.gaps()
        ),
    };
    let half_load = match (half.why, half.shares.is_empty()) {
        (None, true) => String::new(),
        (Some(why), true) => format!(" At half load: archive figures unavailable: {why}."),
        _ if half.dropped == 0 => format!(" At half load it kept every call{}.", half.gaps()),
        _ => format!(
            " **At half load it kept only {}{}**: successes were dropped there too.",
            half.share(),
            half.gaps()
        ),
    };
    note.push_str(&half_load);
    Some(note)
}

/// `text` put between `<!-- NAME:begin -->` and `<!-- NAME:end -->` in `doc`.
pub fn splice(doc: &str, name: &str, text: &str) -> anyhow::Result<String> {
    let (begin, end) = (
        format!("<!-- {name}:begin -->"),
        format!("<!-- {name}:end -->"),
    );
    let (Some(b), Some(e)) = (doc.find(&begin), doc.find(&end)) else {
        anyhow::bail!("the markers {begin} and {end} are not in the document");
    };
    anyhow::ensure!(b < e, "{end} comes before {begin}");
    Ok(format!(
        "{}\n{}\n{}",
        &doc[..b + begin.len()],
        text.trim_end(),
        &doc[e..]
    ))
}

#[cfg(test)]
mod tests {
    use super::{Measured, Sample};
    use crate::load::Report;
    use crate::orch::archive::ArchiveRun;
    use crate::orch::targets::Target;

    #[test]
    fn splice_replaces_between_markers() {
        let doc = "a\n<!-- bench:begin -->\nold\n<!-- bench:end -->\nz\n";
        let new = super::splice(doc, "bench", "new\n").unwrap();
        assert_eq!(new, "a\n<!-- bench:begin -->\nnew\n<!-- bench:end -->\nz\n");
        assert!(super::splice("none", "bench", "x").is_err());
    }

    fn run(archive: Option<Result<ArchiveRun, String>>) -> Sample {
        Sample {
            report: Report::default(),
            server_cpu_pct: 100.0,
            hwm_kib: None,
            rss_kib: None,
            server_cpu_s: 0.0,
            catch_up_s: 0.0,
            catch_up_cpu_s: 0.0,
            archive_dropped: 0,
            archive,
        }
    }

    fn kept(calls: u64, dropped: u64) -> Option<Result<ArchiveRun, String>> {
        Some(Ok(ArchiveRun {
            calls,
            written: calls - dropped,
            dropped,
            queued: 0,
        }))
    }

    fn measured(closed: Vec<Sample>, open: Vec<Sample>) -> Measured {
        Measured {
            target: Target {
                key: 'B',
                what: String::new(),
                url: String::new(),
                pids: Vec::new(),
                gateway: None,
                log: None,
                admin: None,
            },
            closed,
            open,
            rate: 0.0,
        }
    }

    #[test]
    fn the_archive_note_says_what_was_kept() {
        let m = measured(
            vec![run(kept(100, 40)), run(kept(100, 39)), run(kept(100, 36))],
            vec![run(kept(50, 0)), run(kept(50, 0))],
        );
        assert_eq!(
            super::archive_note(&m).unwrap(),
            "B: at saturation the archive kept 61 % of the calls (median over runs; 60 %–64 %); \
             the rest were successes dropped because its queue was full (errors are always \
             kept). At half load it kept every call."
        );
        let m = measured(
            vec![run(kept(100, 0)), run(Some(Err("connect refused".into())))],
            vec![run(kept(50, 5))],
        );
        assert_eq!(
            super::archive_note(&m).unwrap(),
            "B: at saturation the archive kept every call (1 of 2 runs without figures: connect \
             refused). **At half load it kept only 90 % of the calls (median over runs)**: \
             successes were dropped there too."
        );
        let m = measured(vec![run(Some(Err("401".into())))], vec![run(None)]);
        assert_eq!(
            super::archive_note(&m).unwrap(),
            "B: archive figures unavailable at saturation: 401."
        );
        assert!(super::archive_note(&measured(vec![run(None)], vec![run(None)])).is_none());
    }

    #[test]
    fn spread_is_median_min_max() {
        assert_eq!(super::ranged(&[3.0, 1.0, 2.0], 1), "2.0 (1.0–3.0)");
        assert_eq!(super::ranged(&[5.0], 0), "5");
    }
}
