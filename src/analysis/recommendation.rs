//! The answer, not only charts: which model and how many workers to use
//! for the set's workload on this machine ([`recommend`]), never a wrong
//! one.
//!
//! Each model's best run is read against its family's serial baseline
//! (its speedup and the speedup's 95 % interval, as the lessons' verdicts
//! read them), with [`FASTER`] as the line from which a model pays. The
//! model named is the fastest, and only where its interval lies above the
//! line, clear of every other model's, and nothing behind it is flagged by
//! the noise guard; of its worker counts, the fewest whose interval still
//! reaches the best one's. Otherwise the sentence says "not settled" and
//! why. Beside it: what the process models paid to start and to move each
//! task, and where the set varies the task or payload size, the size below
//! which processes stop paying.

use crate::analysis::{self, breakdown};
use crate::noise;
use crate::presets::FASTER;
use crate::results::{
    Interval, ModelFigure, ProcessCost, Recommendation, ResultSet, RunRecord, Threshold,
};
use crate::spec::Model;

/// The recommendation for `set`; `None` where no run with workers has its
/// serial baseline in the set (the table says what is missing), or where
/// the set compares several workloads, functions, sharing modes or
/// scalings (a recommendation is for one piece of work).
pub fn recommend(set: &ResultSet) -> Option<Recommendation> {
    let first = set.runs.first()?;
    let one_work = set.runs.iter().all(|r| {
        (r.workload, r.sharing, r.scaling) == (first.workload, first.sharing, first.scaling)
            && r.code.as_ref().map(|c| &c.target) == first.code.as_ref().map(|c| &c.target)
    });
    let read = set
        .runs
        .iter()
        .any(|r| r.model.uses_workers() && analysis::baseline_run(&set.runs, r).is_some());
    if !one_work || !read {
        return None;
    }
    let runs = largest_problem(set);
    let figures = figures(set, &runs);
    let (model, workers, sentence) = decide(set, &runs, &figures);
    Some(Recommendation {
        model,
        workers,
        sentence,
        costs: costs(set, &runs, &figures),
        threshold: threshold(set),
        models: figures,
    })
}

/// The runs with workers of the set's largest problem (the largest
/// payload, then size, then task count): a sweep of sizes is recommended
/// for at its largest, its smaller sizes read by [`threshold`].
fn largest_problem(set: &ResultSet) -> Vec<&RunRecord> {
    let key = |r: &RunRecord| (r.payload_bytes, r.size, r.base_tasks());
    let Some(largest) = set.runs.iter().map(key).max() else {
        return Vec::new();
    };
    set.runs
        .iter()
        .filter(|r| r.model.uses_workers() && key(r) == largest)
        .collect()
}

/// Whether `run` or the serial run it is read against carries a flag.
fn flagged(set: &ResultSet, run: &RunRecord) -> bool {
    !run.warnings.is_empty()
        || analysis::baseline_run(&set.runs, run).is_some_and(|b| !b.warnings.is_empty())
}

/// Each model's best run (the highest speedup), in the set's order.
fn figures(set: &ResultSet, runs: &[&RunRecord]) -> Vec<ModelFigure> {
    let mut out: Vec<ModelFigure> = Vec::new();
    for run in runs {
        let Some(speedup) = run.speedup else {
            continue;
        };
        let figure = ModelFigure {
            model: run.model,
            workers: run.workers,
            baseline: run.model.baseline(),
            speedup,
            interval: run.speedup_ci,
            flagged: flagged(set, run),
        };
        match out.iter_mut().find(|f| f.model == run.model) {
            Some(best) if best.speedup < speedup => *best = figure,
            Some(_) => {}
            None => out.push(figure),
        }
    }
    out
}

/// Whether a figure may be as fast as `low`: its interval (or, without
/// one, its value) reaches it.
fn reaches(figure: &ModelFigure, low: f64) -> bool {
    figure.interval.map_or(figure.speedup, |i| i.high) >= low
}

/// `python-processes ×2: 1.92× (95 %: 1.85–1.99)`.
fn quoted(figure: &ModelFigure) -> String {
    format!(
        "{}: {}",
        label(figure.model, figure.workers),
        ratio(figure.speedup, figure.interval)
    )
}

/// `python-processes ×2`.
fn label(model: Model, workers: u32) -> String {
    format!("{model} ×{workers}")
}

/// `1.92× (95 %: 1.85–1.99)`.
fn ratio(value: f64, interval: Option<Interval>) -> String {
    match interval {
        Some(i) => format!("{value:.2}× (95 %: {:.2}–{:.2})", i.low, i.high),
        None => format!("{value:.2}×"),
    }
}

/// The model and workers to use and the sentence; `None`s where the
/// figures do not settle it (see the module's words).
fn decide(
    set: &ResultSet,
    runs: &[&RunRecord],
    figures: &[ModelFigure],
) -> (Option<Model>, Option<u32>, String) {
    let unsettled = |why: String| (None, None, format!("not settled: {why}"));
    let Some(best) = figures
        .iter()
        .max_by(|a, b| a.speedup.total_cmp(&b.speedup))
    else {
        return unsettled(
            "the largest size measured has no run read against its serial baseline".to_string(),
        );
    };
    if noise::busy(set) {
        return unsettled(
            "other programs were busy while this was measured; close them and measure again"
                .to_string(),
        );
    }
    let Some(interval) = best.interval else {
        return unsettled(format!(
            "{} was measured once; measure with 3 repetitions or more for an interval",
            quoted(best)
        ));
    };
    // The figures that could change the answer: any that may be as fast as
    // the best, or that might pass the line where the best does not.
    let line = interval.low.min(FASTER);
    let deciding: Vec<&ModelFigure> = figures.iter().filter(|f| reaches(f, line)).collect();
    let noisy: Vec<String> = deciding
        .iter()
        .filter(|f| f.flagged)
        .map(|f| label(f.model, f.workers))
        .collect();
    if !noisy.is_empty() {
        return unsettled(format!(
            "{} flagged by the noise guard; measure again on a quieter machine",
            noisy.join(", ")
        ));
    }
    // That nothing pays is said only where every figure is unflagged.
    let clean = figures.iter().all(|f| f.interval.is_some() && !f.flagged);
    if interval.high < FASTER && clean {
        let baseline = best.baseline;
        return (
            Some(baseline),
            Some(1),
            format!(
                "use {baseline}: no model was {FASTER}× faster or more; the best, {}",
                quoted(best)
            ),
        );
    }
    if interval.low < FASTER {
        return unsettled(format!(
            "{} reaches both sides of {FASTER}×; measure again with more repetitions",
            quoted(best)
        ));
    }
    let rivals: Vec<&&ModelFigure> = deciding
        .iter()
        .filter(|f| f.model != best.model && reaches(f, interval.low))
        .collect();
    if let Some(rival) = rivals.first() {
        let both_pay = rivals
            .iter()
            .all(|f| f.interval.is_some_and(|i| i.low >= FASTER));
        let what = if both_pay {
            "both pay here: choose by other needs, or measure again with more repetitions"
        } else {
            "measure again with more repetitions"
        };
        return unsettled(format!(
            "{} and {} overlap; {what}",
            quoted(best),
            quoted(rival)
        ));
    }
    let (workers, speedup, ci) = fewest_workers(runs, best, interval);
    let more = if workers < best.workers {
        format!("; ×{} gained nothing measurable", best.workers)
    } else {
        String::new()
    };
    let ci = ci.map_or(String::new(), |i| {
        format!(" (95 %: {:.2}–{:.2})", i.low, i.high)
    });
    (
        Some(best.model),
        Some(workers),
        format!(
            "use {} with {}: {speedup:.2}× as fast as {}{ci}{more}",
            best.model,
            workers_phrase(best.model, workers),
            best.baseline,
        ),
    )
}

/// The fewest workers of `best`'s model whose run pays and whose interval
/// reaches the best run's (more gained nothing measurable): the count,
/// its speedup and interval.
fn fewest_workers(
    runs: &[&RunRecord],
    best: &ModelFigure,
    interval: Interval,
) -> (u32, f64, Option<Interval>) {
    runs.iter()
        .filter(|r| r.model == best.model && r.warnings.is_empty() && r.workers < best.workers)
        .filter_map(|r| Some((r.workers, r.speedup?, r.speedup_ci?)))
        .filter(|(_, _, ci)| ci.low >= FASTER && ci.high >= interval.low)
        .min_by_key(|(workers, _, _)| *workers)
        .map_or((best.workers, best.speedup, best.interval), |(w, s, ci)| {
            (w, s, Some(ci))
        })
}

/// `2 workers`, or `8 tasks in flight` on an event loop.
fn workers_phrase(model: Model, workers: u32) -> String {
    let plural = if workers == 1 { "" } else { "s" };
    if model.workers_are_tasks() {
        format!("{workers} task{plural} in flight")
    } else {
        format!("{workers} worker{plural}")
    }
}

/// Whether tasks of `model` cross a process boundary.
fn crosses(model: Model) -> bool {
    model.uses_processes() || model.uses_mpirun()
}

/// What each process model's best run (its figure's) paid besides
/// computing.
fn costs(set: &ResultSet, runs: &[&RunRecord], figures: &[ModelFigure]) -> Vec<ProcessCost> {
    figures
        .iter()
        .filter(|f| crosses(f.model))
        .filter_map(|f| {
            let run = runs
                .iter()
                .find(|r| r.model == f.model && r.workers == f.workers)?;
            let tasks = f64::from(run.tasks.max(1));
            let ipc = run.ipc;
            Some(ProcessCost {
                model: run.model,
                workers: run.workers,
                startup_seconds: run.spawn_seconds,
                startup_per_task_seconds: run.spawn_seconds / tasks,
                ipc_bytes_per_task: (ipc.bytes_to_workers + ipc.bytes_from_workers) as f64 / tasks,
                ipc_seconds_per_task: ipc_seconds(set, run, tasks),
            })
        })
        .collect()
}

/// Seconds per task of moving it and its result: from the spans' IPC
/// stamps where they have them; else the model's one-worker run against
/// the serial run, where the two walls differ beyond their intervals.
fn ipc_seconds(set: &ResultSet, run: &RunRecord, tasks: f64) -> Option<f64> {
    if run.spans.iter().any(|s| s.ipc.is_some()) {
        let parts = breakdown::overhead(run);
        return Some((parts.serialization + parts.transfer) / tasks);
    }
    let one = set
        .runs
        .iter()
        .find(|r| r.model == run.model && r.workers == 1 && r.same_problem(run))?;
    let serial = analysis::baseline_run(&set.runs, one)?;
    let (a, b) = (one.wall_ci?, serial.wall_ci?);
    (a.low > b.high).then(|| (one.wall_seconds.median - serial.wall_seconds.median) / tasks)
}

/// Where processes stop paying: read over the sizes (payloads, else task
/// sizes) the set measured, the best process run at each.
fn threshold(set: &ResultSet) -> Threshold {
    let processes: Vec<&RunRecord> = set
        .runs
        .iter()
        .filter(|r| crosses(r.model) && r.speedup.is_some())
        .collect();
    let mut payloads: Vec<u64> = processes.iter().map(|r| r.payload_bytes).collect();
    let mut sizes: Vec<u64> = processes.iter().map(|r| r.size).collect();
    for values in [&mut payloads, &mut sizes] {
        values.sort_unstable();
        values.dedup();
    }
    let (varied, values, of): (&str, Vec<u64>, fn(&RunRecord) -> u64) = if payloads.len() > 1 {
        ("payload", payloads, |r| r.payload_bytes)
    } else if sizes.len() > 1 {
        ("size", sizes, |r| r.size)
    } else {
        let sentence = if processes.is_empty() {
            "where processes stop paying is not known from this set: no process model ran"
        } else {
            "the size below which processes stop paying is not known from this sweep: it \
             measured one task size"
        };
        return Threshold {
            varied: None,
            below: None,
            sentence: sentence.to_string(),
        };
    };
    let unit = |v: u64| match varied {
        "payload" => crate::format::bytes(v),
        _ => format!("size {}", crate::format::count(v)),
    };
    let at: Vec<Point> = values
        .iter()
        .filter_map(|&value| {
            let best = processes.iter().filter(|r| of(r) == value).max_by(|a, b| {
                a.speedup
                    .unwrap_or(0.0)
                    .total_cmp(&b.speedup.unwrap_or(0.0))
            })?;
            Some(Point {
                value,
                speedup: best.speedup?,
                interval: best.speedup_ci,
                flagged: flagged(set, best),
            })
        })
        .collect();
    let (below, sentence) = crossing(&at, unit);
    Threshold {
        varied: Some(varied.to_string()),
        below,
        sentence,
    }
}

/// The best process run at one size.
struct Point {
    value: u64,
    speedup: f64,
    interval: Option<Interval>,
    flagged: bool,
}

impl Point {
    fn pays(&self) -> bool {
        self.interval.is_some_and(|i| i.low >= FASTER)
    }

    fn fails(&self) -> bool {
        self.interval.is_some_and(|i| i.high < FASTER)
    }
}

/// The smallest size from which processes pay at every larger size, where
/// a smaller one clearly did not; the sentence either way.
fn crossing(at: &[Point], unit: impl Fn(u64) -> String) -> (Option<u64>, String) {
    let said = |p: &Point| format!("{} at {}", ratio(p.speedup, p.interval), unit(p.value));
    if at.iter().any(|p| p.flagged) {
        return (
            None,
            "where processes stop paying is not settled: runs behind it are flagged".to_string(),
        );
    }
    let from = at.iter().rposition(|p| !p.pays()).map_or(0, |i| i + 1);
    let (Some(first), Some(last)) = (at.first(), at.last()) else {
        return (None, "no process run was measured".to_string());
    };
    if from == 0 {
        return (
            None,
            format!("processes paid at every size measured: {}", said(first)),
        );
    }
    if from == at.len() {
        let sentence = if at.iter().all(Point::fails) {
            format!("processes paid at no size measured: {}", said(last))
        } else {
            format!(
                "where processes stop paying is not settled: {}; measure again with more \
                 repetitions",
                said(last)
            )
        };
        return (None, sentence);
    }
    let (paid, before) = (&at[from], &at[from - 1]);
    if before.fails() {
        (
            Some(paid.value),
            format!(
                "processes stop paying below {}: {}, {}",
                unit(paid.value),
                said(paid),
                said(before)
            ),
        )
    } else {
        (
            None,
            format!(
                "where processes stop paying is not settled: {}, {}; measure again with more \
                 repetitions",
                said(paid),
                said(before)
            ),
        )
    }
}

/// The recommendation in lines, for the command line after the table and
/// the window's card: the sentence first, then each model's best figure,
/// the process models' costs and the threshold, one line each.
pub fn lines(recommendation: &Recommendation) -> Vec<String> {
    let mut lines = vec![format!("Recommendation: {}", recommendation.sentence)];
    for f in &recommendation.models {
        let flag = if f.flagged { " (flagged)" } else { "" };
        lines.push(format!("{}{flag}", quoted(f)));
    }
    for c in &recommendation.costs {
        let moved = c.ipc_seconds_per_task.map_or(String::new(), |s| {
            format!(", {} to send and return", crate::format::seconds(s))
        });
        // CPython pickles what crosses; corescope's own workers encode it.
        let how = if c.model.is_python() {
            "pickled"
        } else {
            "encoded"
        };
        lines.push(format!(
            "{}: start-up {} ({} a task), {} {how} a task{moved}",
            c.model,
            crate::format::seconds(c.startup_seconds),
            crate::format::seconds(c.startup_per_task_seconds),
            crate::format::bytes(c.ipc_bytes_per_task.round() as u64),
        ));
    }
    lines.push(recommendation.threshold.sentence.clone());
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::testing::measured;
    use crate::results::{LoadReading, MachineInfo};

    /// A set of `runs` on four cores, its speedups, flags and
    /// recommendation worked out as after a sweep.
    fn finished(runs: Vec<RunRecord>) -> ResultSet {
        let mut set = ResultSet::new(MachineInfo {
            logical_cores: 4,
            ..MachineInfo::default()
        });
        set.runs = runs;
        analysis::fill_speedups(&mut set);
        noise::assess(&mut set);
        set
    }

    fn recommended(runs: Vec<RunRecord>) -> Recommendation {
        finished(runs).recommendation.unwrap()
    }

    const SERIAL: Model = Model::PythonSerial;
    const THREADS: Model = Model::PythonThreads;
    const PROCESSES: Model = Model::PythonProcesses;

    #[test]
    fn a_clear_winner_is_named_with_the_fewest_workers_that_reach_it() {
        let r = recommended(vec![
            measured(SERIAL, 1, &[4.0, 4.0, 4.0]),
            measured(THREADS, 2, &[4.0, 4.0, 4.0]),
            measured(PROCESSES, 1, &[4.4, 4.4, 4.4]),
            measured(PROCESSES, 2, &[2.0, 2.0, 2.0]),
            measured(PROCESSES, 4, &[1.8, 1.9, 2.0]),
        ]);
        assert_eq!((r.model, r.workers), (Some(PROCESSES), Some(2)));
        assert_eq!(
            r.sentence,
            "use python-processes with 2 workers: 2.00× as fast as python-serial (95 %: \
             2.00–2.00); ×4 gained nothing measurable"
        );
        assert_eq!(r.models.len(), 2);
        assert_eq!(r.models[1].workers, 4);
        // Processes ×1 took 0.4 s more than serial for 4 tasks.
        let cost = &r.costs[0];
        assert_eq!(cost.workers, 4);
        assert!(
            (cost.ipc_seconds_per_task.unwrap() - 0.1).abs() < 1e-9,
            "{cost:?}"
        );
        assert_eq!(r.threshold.varied, None);
        assert!(r.threshold.sentence.contains("not known from this sweep"));
        let printed = lines(&r);
        assert_eq!(printed[0], format!("Recommendation: {}", r.sentence));
        assert_eq!(printed[1], "python-threads ×2: 1.00× (95 %: 1.00–1.00)");
    }

    #[test]
    fn overlapping_intervals_are_not_settled() {
        let r = recommended(vec![
            measured(SERIAL, 1, &[4.0, 4.0, 4.0]),
            measured(THREADS, 2, &[2.0, 2.1, 2.2]),
            measured(PROCESSES, 2, &[2.0, 2.0, 2.0]),
        ]);
        assert_eq!((r.model, r.workers), (None, None));
        assert_eq!(
            r.sentence,
            "not settled: python-processes ×2: 2.00× (95 %: 2.00–2.00) and python-threads ×2: \
             1.90× (95 %: 1.82–2.00) overlap; both pay here: choose by other needs, or measure \
             again with more repetitions"
        );
    }

    #[test]
    fn flagged_or_busy_or_single_figures_withhold() {
        // A spread wider than half the median flags the winner.
        let r = recommended(vec![
            measured(SERIAL, 1, &[4.0, 4.0, 4.0]),
            measured(PROCESSES, 2, &[1.0, 2.0, 2.2]),
        ]);
        assert_eq!(r.model, None);
        assert_eq!(
            r.sentence,
            "not settled: python-processes ×2 flagged by the noise guard; measure again on a \
             quieter machine"
        );
        let mut set = finished(vec![
            measured(SERIAL, 1, &[4.0, 4.0, 4.0]),
            measured(PROCESSES, 2, &[2.0, 2.0, 2.0]),
        ]);
        set.load_during = Some(Box::new(LoadReading {
            other_cpu_cores: 1.0,
            peak_other_cpu_cores: 1.0,
            load_average: None,
            samples: 2,
        }));
        noise::assess(&mut set);
        let r = set.recommendation.unwrap();
        assert_eq!(r.model, None);
        assert!(
            r.sentence.contains("other programs were busy"),
            "{}",
            r.sentence
        );
        let r = recommended(vec![
            measured(SERIAL, 1, &[4.0]),
            measured(PROCESSES, 2, &[2.0]),
        ]);
        assert_eq!(
            r.sentence,
            "not settled: python-processes ×2: 2.00× was measured once; measure with 3 \
             repetitions or more for an interval"
        );
        // A figure straddling the line is no answer either way.
        let r = recommended(vec![
            measured(SERIAL, 1, &[4.0, 4.0, 4.0]),
            measured(THREADS, 2, &[3.0, 3.6, 4.0]),
        ]);
        assert_eq!(r.model, None);
        assert!(
            r.sentence.contains("reaches both sides of 1.2×"),
            "{}",
            r.sentence
        );
    }

    #[test]
    fn nothing_faster_recommends_the_baseline() {
        let r = recommended(vec![
            measured(SERIAL, 1, &[4.0, 4.0, 4.0]),
            measured(THREADS, 2, &[3.9, 4.0, 4.1]),
        ]);
        assert_eq!((r.model, r.workers), (Some(SERIAL), Some(1)));
        assert!(
            r.sentence
                .starts_with("use python-serial: no model was 1.2× faster or more; the best, "),
            "{}",
            r.sentence
        );
    }

    #[test]
    fn a_payload_sweep_says_where_processes_stop_paying() {
        let at = |mut run: RunRecord, payload: u64| {
            run.payload_bytes = payload;
            run
        };
        let r = recommended(vec![
            at(measured(SERIAL, 1, &[1.0, 1.0, 1.0]), 1024),
            at(measured(PROCESSES, 2, &[1.0, 1.0, 1.0]), 1024),
            at(measured(SERIAL, 1, &[4.0, 4.0, 4.0]), 1 << 20),
            at(measured(PROCESSES, 2, &[2.0, 2.0, 2.0]), 1 << 20),
        ]);
        assert_eq!(r.threshold.varied.as_deref(), Some("payload"));
        assert_eq!(r.threshold.below, Some(1 << 20));
        assert_eq!(
            r.threshold.sentence,
            "processes stop paying below 1.00 MiB: 2.00× (95 %: 2.00–2.00) at 1.00 MiB, \
             1.00× (95 %: 1.00–1.00) at 1.00 KiB"
        );
        // The recommendation is read at the largest payload.
        assert_eq!(r.model, Some(PROCESSES));
    }

    #[test]
    fn serial_alone_or_several_workloads_recommend_nothing() {
        assert!(
            finished(vec![measured(SERIAL, 1, &[1.0, 1.0])])
                .recommendation
                .is_none()
        );
        let mut other = measured(PROCESSES, 2, &[1.0, 1.0]);
        other.workload = crate::workload::Workload::Primes;
        let set = finished(vec![measured(SERIAL, 1, &[1.0, 1.0]), other]);
        assert!(set.recommendation.is_none());
        // Without its baseline, a model has no speedup to read.
        let set = finished(vec![measured(PROCESSES, 2, &[1.0, 1.0])]);
        assert!(set.recommendation.is_none());
    }
}
