//! A lesson's verdict: whether this machine's figures back its claim,
//! judged from 95 % intervals, never a false "does not hold".
//!
//! Each lesson lists the figures that decide its claim ([`Judge`]): a
//! model against its serial baseline, another model or another schedule.
//! A claim holds when every judged figure's interval lies on the claim's
//! side of [`FASTER`]; it does not hold only when one lies wholly on the
//! other side and nothing in the set was flagged; otherwise it is not
//! settled, and the sentence says what to do. A busy machine, a flagged
//! run behind a judged figure or a model that could not run withholds it.

use serde::{Deserialize, Serialize};

use crate::analysis;
use crate::measure::bootstrap;
use crate::noise;
use crate::results::{Interval, ResultSet, RunRecord};
use crate::workload::Sharing;

use super::Preset;

/// The ratio from which a model counts as faster than what it is set
/// against: the boundary every interval is read against.
pub const FASTER: f64 = 1.2;

/// What a lesson's claim predicts for one figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Expect {
    /// At least [`FASTER`] × at some worker count.
    Faster,
    /// Below [`FASTER`] × at every worker count.
    NotFaster,
    /// `counter`: the racy mode loses updates, the others lose none.
    LosesUpdates,
}

/// One figure that decides a lesson's claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Judge {
    /// The model the claim is about.
    pub model: String,
    /// The model it is set against at the same worker count (absent: its
    /// serial baseline, which is its speedup).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub against: Option<String>,
    /// Only its runs of this workload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload: Option<String>,
    /// Only its runs of this schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    /// The schedule of the runs it is set against (absent: its own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub against_schedule: Option<String>,
    /// Only its runs at the smallest payload it was measured with (a
    /// payload sweep's claim about cheap work and costly data).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub smallest_payload: bool,
    pub expect: Expect,
}

/// A verdict's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Every judged interval lies on the claim's side.
    Holds,
    /// A judged interval lies wholly on the other side, nothing flagged.
    DoesNotHold,
    /// Not settled, flagged, busy, or not measured: the sentence says why
    /// and what to do.
    Withheld,
}

/// One judged figure: a ratio with its 95 % interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// What it says, e.g. `processes ×2 against serial`.
    pub label: String,
    pub ratio: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<Interval>,
    pub expect: Expect,
    /// Whether the interval is on the claim's side (`None`: it straddles
    /// the boundary, or there is no interval).
    pub on_claims_side: Option<bool>,
}

/// What one measurement of a lesson says about its claim.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub outcome: Outcome,
    /// One sentence to read aloud: the figures and the outcome, or why
    /// there is none and what to do.
    pub sentence: String,
    /// The models the claim is about.
    pub models: Vec<String>,
    /// The figures it was judged on.
    pub figures: Vec<Figure>,
    /// `Some(true)` holds, `Some(false)` does not hold, `None` withheld.
    #[serde(skip)]
    pub holds: Option<bool>,
}

impl Verdict {
    fn new(outcome: Outcome, sentence: String, models: Vec<String>, figures: Vec<Figure>) -> Self {
        let holds = match outcome {
            Outcome::Holds => Some(true),
            Outcome::DoesNotHold => Some(false),
            Outcome::Withheld => None,
        };
        Verdict {
            outcome,
            sentence,
            models,
            figures,
            holds,
        }
    }
}

/// Why `preset` cannot be judged on `set` at all, before any figure.
fn unjudgeable(preset: &Preset, set: &ResultSet) -> Option<&'static str> {
    if preset.judge.is_empty() {
        Some("This lesson's figures are read, not judged: see what this machine measured.")
    } else if set.machine.logical_cores < 2 {
        Some("No verdict: this machine has one core only, so nothing can run in parallel here.")
    } else if set.runs.iter().all(|r| !r.model.uses_workers()) {
        Some("Not measured yet: run the lesson for a verdict.")
    } else {
        None
    }
}

/// The verdict of `preset` on `set` (see the module's words).
pub fn verdict(preset: &Preset, set: &ResultSet) -> Verdict {
    let models: Vec<String> =
        preset
            .judge
            .iter()
            .map(|j| j.model.clone())
            .fold(Vec::new(), |mut v, m| {
                if !v.contains(&m) {
                    v.push(m);
                }
                v
            });
    let withheld = |sentence: String, figures: Vec<Figure>| {
        Verdict::new(Outcome::Withheld, sentence, models.clone(), figures)
    };
    if let Some(why) = unjudgeable(preset, set) {
        return withheld(why.to_string(), Vec::new());
    }
    let mut figures = Vec::new();
    let mut flagged = Vec::new();
    let mut missing = Vec::new();
    for judge in &preset.judge {
        match judged(judge, set) {
            Some((figure, runs_flagged)) => {
                flagged.extend(runs_flagged);
                figures.push(figure);
            }
            None => missing.push(judge.model.clone()),
        }
    }
    let shown = describe(&figures);
    if !missing.is_empty() {
        missing.dedup();
        let why = if set.not_measured.is_empty() {
            String::new()
        } else {
            format!(" ({})", set.not_measured.join("; "))
        };
        return withheld(
            format!("No verdict: {} not measured here{why}.", missing.join(", ")),
            figures,
        );
    }
    // A withheld verdict quotes no figure from runs it does not trust (the
    // JSON keeps them, with the flags, for whoever looks closer).
    if noise::busy(set) {
        return withheld(
            "No verdict: other programs were busy while this lesson was measured; close them and run the lesson again.".to_string(),
            figures,
        );
    }
    if !flagged.is_empty() {
        flagged.dedup();
        return withheld(
            format!(
                "Not settled: {} flagged; run the lesson again on a quieter machine.",
                flagged.join(", "),
            ),
            figures,
        );
    }
    if figures.iter().all(|f| f.on_claims_side == Some(true)) {
        return Verdict::new(
            Outcome::Holds,
            format!("{shown}: the claim holds."),
            models,
            figures,
        );
    }
    if figures.iter().any(|f| f.on_claims_side == Some(false)) && !noise::is_flagged(set) {
        return Verdict::new(
            Outcome::DoesNotHold,
            format!("{shown}: the claim does not hold on this machine."),
            models,
            figures,
        );
    }
    withheld(
        format!(
            "Not settled: {shown}; the 95 % interval reaches both sides of {FASTER}×, so run the lesson again, with more repeats."
        ),
        figures,
    )
}

/// The figures in words, the claim's own first: `processes 1.92× serial
/// at 2 workers (95 %: 1.85–1.99)`.
fn describe(figures: &[Figure]) -> String {
    figures
        .iter()
        .take(4)
        .map(|f| {
            let interval = f.interval.map_or(String::new(), |i| {
                format!(" (95 %: {:.2}–{:.2})", i.low, i.high)
            });
            match f.expect {
                Expect::LosesUpdates => f.label.clone(),
                _ => format!("{} {:.2}×{interval}", f.label, f.ratio),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The figure of `judge` on `set`, with the labels of the flagged runs
/// behind it; `None` when the set has no run of its model.
fn judged(judge: &Judge, set: &ResultSet) -> Option<(Figure, Vec<String>)> {
    let runs: Vec<&RunRecord> = set
        .runs
        .iter()
        .filter(|r| r.model.name() == judge.model && r.model.uses_workers())
        .filter(|r| {
            judge
                .workload
                .as_deref()
                .is_none_or(|w| r.workload.name() == w)
        })
        .filter(|r| {
            judge
                .schedule
                .as_deref()
                .is_none_or(|s| r.schedule.to_string() == s)
        })
        .collect();
    let smallest = runs.iter().map(|r| r.payload_bytes).min()?;
    let runs: Vec<&RunRecord> = runs
        .into_iter()
        .filter(|r| !judge.smallest_payload || r.payload_bytes == smallest)
        .collect();
    if judge.expect == Expect::LosesUpdates {
        return Some(lost_updates(judge, &runs));
    }
    let pairs = compared(judge, set, &runs);
    let side = |ci: Option<Interval>, faster: bool| -> Option<bool> {
        let ci = ci?;
        if ci.low >= FASTER {
            Some(faster)
        } else if ci.high < FASTER {
            Some(!faster)
        } else {
            None
        }
    };
    let faster = judge.expect == Expect::Faster;
    // Faster: the run with the strongest evidence (highest low end);
    // not faster: the one with the weakest (highest high end).
    let key = |p: &Compared<'_>| p.2.map_or(p.1, |i| if faster { i.low } else { i.high });
    let (run, ratio, ci, other) = pairs
        .iter()
        .copied()
        .max_by(|a, b| key(a).total_cmp(&key(b)))?;
    let label = figure_label(judge, run, other);
    let mut flags: Vec<String> = Vec::new();
    for r in [Some(run), other].into_iter().flatten() {
        if !r.warnings.is_empty() && !flags.contains(&r.label()) {
            flags.push(r.label());
        }
    }
    let figure = Figure {
        label,
        ratio,
        interval: ci,
        expect: judge.expect,
        on_claims_side: side(ci, faster),
    };
    Some((figure, flags))
}

/// A judged run against what it is compared with: the run, the ratio, its
/// interval, and the other run (`None`: its baseline, by its speedup).
type Compared<'a> = (&'a RunRecord, f64, Option<Interval>, Option<&'a RunRecord>);

/// Each of `runs` against what `judge` compares it with: its baseline, or
/// the `against` model (or schedule) at the same workers and problem.
fn compared<'a>(judge: &Judge, set: &'a ResultSet, runs: &[&'a RunRecord]) -> Vec<Compared<'a>> {
    let mut pairs: Vec<Compared<'a>> = Vec::new();
    for run in runs {
        match &judge.against {
            None => {
                let baseline = analysis::baseline_run(&set.runs, run);
                if let Some(s) = run.speedup {
                    pairs.push((run, s, run.speedup_ci, baseline));
                }
            }
            Some(other) => {
                let schedule = judge.against_schedule.as_deref();
                let Some(o) = set.runs.iter().find(|o| {
                    o.model.name() == other
                        && o.workers == run.workers
                        && o.same_problem(run)
                        && schedule
                            .map_or(o.schedule == run.schedule, |s| o.schedule.to_string() == s)
                }) else {
                    continue;
                };
                let walls = |r: &RunRecord| -> Vec<f64> {
                    r.repetitions.iter().map(|x| x.wall_seconds).collect()
                };
                if run.wall_seconds.median > 0.0 {
                    let ratio = o.wall_seconds.median / run.wall_seconds.median;
                    let ci = bootstrap::ratio_interval(&walls(o), &walls(run), 1.0);
                    pairs.push((run, ratio, ci, Some(o)));
                }
            }
        }
    }
    pairs
}

/// How a figure names what it judged: `processes against serial at 2
/// workers`, with the payload and workload where the judge narrows them.
fn figure_label(judge: &Judge, run: &RunRecord, other: Option<&RunRecord>) -> String {
    let against = other.map_or_else(
        || run.model.baseline().name().to_string(),
        |o| {
            if o.model == run.model {
                o.schedule.to_string()
            } else {
                o.model.name().to_string()
            }
        },
    );
    let own = if judge.against_schedule.is_some() {
        format!("{} ({})", run.model, run.schedule)
    } else {
        run.model.to_string()
    };
    let label = format!(
        "{own} {} at {} worker{}",
        against_word(&against),
        run.workers,
        if run.workers == 1 { "" } else { "s" }
    );
    let label = if judge.smallest_payload {
        format!("{label} on {}", crate::format::bytes(run.payload_bytes))
    } else {
        label
    };
    match &judge.workload {
        Some(w) => format!("{w}: {label}"),
        None => label,
    }
}

/// `against serial`, or the schedule's name for a schedule.
fn against_word(against: &str) -> String {
    format!("against {against}")
}

/// `counter`: the racy mode's lost updates against the others'. Holds
/// when racy lost some and no other lost any; a bug (not a verdict) when
/// another lost some; not settled when racy lost none (its workers never
/// overlapped).
fn lost_updates(judge: &Judge, runs: &[&RunRecord]) -> (Figure, Vec<String>) {
    let workers = runs.iter().map(|r| r.workers).max().unwrap_or(1);
    let at: Vec<&&RunRecord> = runs.iter().filter(|r| r.workers == workers).collect();
    let lost = |s: Sharing| {
        at.iter()
            .find(|r| r.sharing == Some(s))
            .and_then(|r| r.lost_updates)
    };
    let racy = lost(Sharing::Racy).unwrap_or(0);
    let others: u64 = [Sharing::Locked, Sharing::Atomic, Sharing::Isolated]
        .into_iter()
        .filter_map(lost)
        .sum();
    let on_side = match (racy > 0, others == 0) {
        (true, true) => Some(true),
        (_, false) => Some(false),
        (false, true) => None,
    };
    let label = format!(
        "{} ×{workers}: racy lost {}, the others {}",
        judge.model,
        crate::format::count(racy),
        crate::format::count(others)
    );
    (
        Figure {
            label,
            ratio: racy as f64,
            interval: None,
            expect: judge.expect,
            on_claims_side: on_side,
        },
        Vec::new(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presets::{find, findings};
    use crate::results::RunRecord;
    use crate::spec::Model;

    /// A record of `walls` repetitions (its median their middle one).
    fn measured(model: Model, workers: u32, walls: &[f64]) -> RunRecord {
        let mut sorted = walls.to_vec();
        sorted.sort_by(f64::total_cmp);
        let mut r = crate::results::testing::record(model, workers, sorted[sorted.len() / 2]);
        r.wall_seconds.min = sorted[0];
        r.wall_seconds.max = sorted[sorted.len() - 1];
        r.repetitions = walls
            .iter()
            .map(|&w| crate::results::RepetitionRecord {
                wall_seconds: w,
                compute_seconds: 0.0,
                cpu_seconds: 0.0,
                ipc: Default::default(),
                sequence: None,
                total: None,
            })
            .collect();
        r
    }

    #[test]
    fn the_verdict_is_read_from_intervals() {
        let preset = find("cpu-parallelism").unwrap();
        let machine = crate::results::MachineInfo {
            logical_cores: 4,
            ..Default::default()
        };
        let mut set = ResultSet::new(machine);
        set.runs = vec![
            measured(Model::Serial, 1, &[4.0, 4.1, 3.9]),
            measured(Model::Processes, 1, &[4.0, 4.1, 4.0]),
            measured(Model::Processes, 2, &[2.1, 2.0, 2.2]),
        ];
        crate::analysis::fill_speedups(&mut set);
        let v = verdict(&preset, &set);
        assert_eq!(v.outcome, Outcome::Holds, "{}", v.sentence);
        assert_eq!(v.holds, Some(true));
        assert_eq!(v.models, ["processes"]);
        assert!(
            v.sentence
                .starts_with("processes against serial at 2 workers 1.90× (95 %: "),
            "{}",
            v.sentence
        );
        // Wholly below 1.2×, nothing flagged: it does not hold.
        set.runs[2] = measured(Model::Processes, 2, &[3.9, 4.0, 4.0]);
        crate::analysis::fill_speedups(&mut set);
        let v = verdict(&preset, &set);
        assert_eq!(v.outcome, Outcome::DoesNotHold, "{}", v.sentence);
        assert!(v.sentence.ends_with("does not hold on this machine."));
        // Reaching both sides of 1.2×: not settled, never "does not hold".
        set.runs[2] = measured(Model::Processes, 2, &[2.0, 4.0, 3.0]);
        crate::analysis::fill_speedups(&mut set);
        let v = verdict(&preset, &set);
        assert_eq!(v.outcome, Outcome::Withheld, "{}", v.sentence);
        assert!(v.sentence.starts_with("Not settled"), "{}", v.sentence);
        // A busy machine withholds even a clear figure.
        set.runs[2] = measured(Model::Processes, 2, &[3.9, 4.0, 4.0]);
        crate::analysis::fill_speedups(&mut set);
        set.load_during = Some(Box::new(crate::results::LoadReading {
            other_cpu_cores: 1.0,
            peak_other_cpu_cores: 1.0,
            load_average: None,
            samples: 2,
        }));
        crate::noise::assess(&mut set);
        let v = verdict(&preset, &set);
        assert_eq!(v.outcome, Outcome::Withheld, "{}", v.sentence);
        assert!(v.sentence.contains("other programs were busy"));
        // It quotes no figure of the runs it does not trust (the JSON
        // keeps them beside their flags).
        assert!(!v.sentence.contains('×'), "{}", v.sentence);
        assert!(!v.figures.is_empty());
        set.machine.logical_cores = 1;
        let v = super::verdict(&preset, &set);
        assert_eq!(v.holds, None);
        assert!(v.sentence.contains("one core only"));
    }

    #[test]
    fn a_lesson_missing_its_model_says_so() {
        let preset = find("why-processes").unwrap();
        let mut set = ResultSet::new(crate::results::MachineInfo {
            logical_cores: 2,
            ..Default::default()
        });
        set.runs = vec![
            measured(Model::Serial, 1, &[4.0, 4.1, 3.9]),
            measured(Model::Processes, 2, &[2.1, 2.0, 2.2]),
        ];
        set.not_measured = vec!["gil-threads: not built here".to_string()];
        crate::analysis::fill_speedups(&mut set);
        let v = verdict(&preset, &set);
        assert_eq!(v.outcome, Outcome::Withheld);
        assert!(
            v.sentence
                .contains("gil-threads not measured here (gil-threads: not built here)"),
            "{}",
            v.sentence
        );
    }

    #[test]
    fn pools_and_queues_are_judged_against_each_other() {
        let preset = find("pools").unwrap();
        let mut set = ResultSet::new(crate::results::MachineInfo {
            logical_cores: 2,
            ..Default::default()
        });
        set.runs = vec![
            measured(Model::Serial, 1, &[1.0, 1.0, 1.0]),
            measured(Model::Processes, 2, &[0.5, 0.52, 0.51]),
            measured(Model::ProcessPerTask, 2, &[0.9, 0.95, 0.92]),
        ];
        crate::analysis::fill_speedups(&mut set);
        let v = verdict(&preset, &set);
        assert_eq!(v.outcome, Outcome::Holds, "{}", v.sentence);
        assert!(
            v.sentence
                .starts_with("processes against process-per-task at 2 workers 1.80×"),
            "{}",
            v.sentence
        );
    }

    #[test]
    fn ipc_cost_is_judged_on_its_smallest_payload() {
        let preset = find("ipc-cost").unwrap();
        let mut set = ResultSet::new(crate::results::MachineInfo {
            logical_cores: 2,
            ..Default::default()
        });
        for (payload, serial, processes) in [(1024, 0.01, 0.1), (1 << 24, 4.0, 2.0)] {
            let mut s = measured(Model::Serial, 1, &[serial; 3]);
            let mut p = measured(
                Model::Processes,
                2,
                &[processes, processes * 1.01, processes],
            );
            s.payload_bytes = payload;
            p.payload_bytes = payload;
            set.runs.extend([s, p]);
        }
        crate::analysis::fill_speedups(&mut set);
        let v = verdict(&preset, &set);
        assert_eq!(v.outcome, Outcome::Holds, "{}", v.sentence);
        assert!(v.sentence.contains("on 1.00 KiB"), "{}", v.sentence);
    }

    #[test]
    fn a_flagged_lesson_gets_no_verdict() {
        let mut set = ResultSet::new(crate::results::MachineInfo {
            logical_cores: 64,
            ..Default::default()
        });
        set.runs = vec![
            crate::results::testing::record(Model::Serial, 1, 4.0),
            crate::results::testing::record(Model::Processes, 1, 4.0),
            crate::results::testing::record(Model::Processes, 2, 1.5),
        ];
        crate::analysis::fill_speedups(&mut set);
        crate::noise::assess(&mut set);
        assert_eq!(
            findings(&set),
            [
                "processes: no verdict — 1 of its 2 runs are flagged (over 100 %); re-run flagged runs for one."
            ]
        );
        // A flagged baseline withholds every verdict read against it.
        set.runs[2].wall_seconds.median = 2.0;
        crate::analysis::fill_speedups(&mut set);
        set.runs[0].warnings = vec![crate::results::Warning {
            code: crate::noise::code::WIDE_SPREAD.to_string(),
            message: String::new(),
            remedy: String::new(),
        }];
        set.runs[2].warnings.clear();
        let finding = &findings(&set)[0];
        assert!(
            finding.contains("2 of its 2 runs are flagged (wide spread)"),
            "{finding}"
        );
    }
}
