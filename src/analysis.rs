//! Analysis of measured runs: speedup and efficiency against the serial
//! baseline of the same result set, and the scaling laws that explain them.
//!
//! speedup(p) = median serial wall / median wall at p workers;
//! efficiency(p) = speedup(p) / p. Under weak scaling (p times the tasks on
//! p workers) the scaled speedup is p · serial wall / wall at p.
//!
//! Scaling laws, with f the serial fraction of the work:
//! - Amdahl (fixed problem size): S(p) = 1 / (f + (1 − f)/p). [`fit_amdahl`]
//!   estimates f from measured (workers, speedup) points, [`fit_for_model`]
//!   does so for one model of a result set, and [`amdahl_speedup`] draws the
//!   predicted curve.
//! - Karp–Flatt: e(p) = (1/S − 1/p) / (1 − 1/p), the serial fraction that a
//!   single measurement implies ([`karp_flatt`]); on exact Amdahl data it is
//!   f at every p, so a rising e(p) reveals overhead that grows with p.
//! - Gustafson (problem grown with p, weak scaling): S(p) = p − f·(p − 1)
//!   ([`gustafson_speedup`], fitted by [`fit_gustafson`]).
//!
//! [`overhead`] splits a run's worker time into compute, start-up,
//! serialization, transfer and waiting, from the task spans.

use crate::measure::bootstrap;
use crate::results::{Interval, MachineInfo, ResultSet, RunRecord};
use crate::spec::{Model, Scaling};

/// The serial run of `record`'s problem in `runs`, if there is one:
/// `python-serial` for the python models (CPython against CPython),
/// `serial` for corescope's own.
pub fn baseline_run<'a>(runs: &'a [RunRecord], record: &RunRecord) -> Option<&'a RunRecord> {
    let baseline = record.model.baseline();
    runs.iter()
        .find(|r| r.model == baseline && r.same_problem(record))
}

/// The median wall time of the serial run of `record`'s workload, if the
/// set has one (see [`baseline_run`]).
pub fn serial_baseline(runs: &[RunRecord], record: &RunRecord) -> Option<f64> {
    baseline_run(runs, record)
        .map(|r| r.wall_seconds.median)
        .filter(|&wall| wall > 0.0)
}

/// How much the work grew over the serial run's: p under weak scaling.
fn growth(record: &RunRecord) -> f64 {
    match record.scaling {
        Scaling::Strong => 1.0,
        Scaling::Weak => f64::from(record.workers.max(1)),
    }
}

/// Sets speedup and efficiency of `record` against a serial median wall
/// (of the base task count, under weak scaling).
pub fn set_speedup(record: &mut RunRecord, serial_wall: f64) {
    let wall = record.wall_seconds.median;
    if wall > 0.0 && serial_wall > 0.0 {
        let speedup = growth(record) * serial_wall / wall;
        record.speedup = Some(speedup);
        record.efficiency = Some(speedup / f64::from(record.workers.max(1)));
    }
}

/// Sets speedup, efficiency and the speedup's confidence interval of
/// `record` against its serial run `baseline` (bootstrap over both runs'
/// repetitions). The baseline itself is 1× by definition, with no interval.
pub fn set_speedup_against(record: &mut RunRecord, baseline: &RunRecord) {
    set_speedup(record, baseline.wall_seconds.median);
    record.speedup_ci = None;
    if record.model == baseline.model && record.workers == baseline.workers {
        return;
    }
    let walls =
        |r: &RunRecord| -> Vec<f64> { r.repetitions.iter().map(|x| x.wall_seconds).collect() };
    record.speedup_ci = bootstrap::ratio_interval(&walls(baseline), &walls(record), growth(record));
}

/// A 95 % confidence interval of the median wall time of `record` from
/// its repetitions.
pub fn wall_interval(record: &RunRecord) -> Option<Interval> {
    let walls: Vec<f64> = record.repetitions.iter().map(|r| r.wall_seconds).collect();
    bootstrap::median_interval(&walls)
}

/// Recomputes every run's speedup and efficiency from the set's serial runs.
pub fn fill_speedups(set: &mut ResultSet) {
    let baselines: Vec<Option<RunRecord>> = set
        .runs
        .iter()
        .map(|r| baseline_run(&set.runs, r).cloned())
        .collect();
    for (record, baseline) in set.runs.iter_mut().zip(baselines) {
        record.speedup = None;
        record.efficiency = None;
        record.speedup_ci = None;
        if let Some(baseline) = baseline.filter(|b| b.wall_seconds.median > 0.0) {
            set_speedup_against(record, &baseline);
        }
    }
}

/// The Karp–Flatt metric: the serial fraction e = (1/S − 1/p) / (1 − 1/p)
/// implied by a speedup `speedup` on `workers` workers.
///
/// `None` for one worker or none (the formula divides by 1 − 1/p) and for a
/// speedup that is not a positive finite number. Not clamped: a negative e
/// means superlinear speedup (caches, say), which is worth showing as is.
pub fn karp_flatt(speedup: f64, workers: u32) -> Option<f64> {
    if workers <= 1 || !speedup.is_finite() || speedup <= 0.0 {
        return None;
    }
    let inv_p = 1.0 / f64::from(workers);
    let e = (1.0 / speedup - inv_p) / (1.0 - inv_p);
    e.is_finite().then_some(e)
}

/// The Karp–Flatt metric of one run: `None` without a speedup, for one
/// worker, and for weak scaling (the metric reads fixed-size speedups).
pub fn karp_flatt_of(run: &RunRecord) -> Option<f64> {
    if run.scaling != Scaling::Strong {
        return None;
    }
    run.speedup.and_then(|s| karp_flatt(s, run.workers))
}

/// The scaling law that reads a kind of sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Law {
    /// Strong scaling: fixed work, S(p) = 1 / (f + (1 − f)/p).
    Amdahl,
    /// Weak scaling: work grown with p, S(p) = p − f·(p − 1).
    Gustafson,
}

impl Law {
    /// The law for a kind of scaling.
    pub fn of(scaling: Scaling) -> Law {
        match scaling {
            Scaling::Strong => Law::Amdahl,
            Scaling::Weak => Law::Gustafson,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Law::Amdahl => "Amdahl",
            Law::Gustafson => "Gustafson",
        }
    }

    /// The speedup the law predicts on `workers` for a serial fraction.
    pub fn speedup(self, serial_fraction: f64, workers: f64) -> f64 {
        match self {
            Law::Amdahl => amdahl_speedup(serial_fraction, workers),
            Law::Gustafson => gustafson_speedup(serial_fraction, workers),
        }
    }
}

/// A scaling law fitted to measured speedups.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScalingFit {
    pub law: Law,
    /// The estimated serial fraction f, in [0, 1].
    pub serial_fraction: f64,
    /// How many (workers, speedup) points the fit used.
    pub points: usize,
    /// Root mean square of measured − predicted speedup over those points,
    /// in speedup units (how far the drawn curve misses the markers).
    pub rms_error: f64,
    /// The standard error of `serial_fraction` from the least-squares
    /// residuals: f is known to about ± this much.
    pub serial_fraction_error: f64,
}

/// Fewest distinct worker counts a law is fitted to: two points fit any
/// one-parameter curve and say nothing about whether it holds.
pub const MIN_FIT_WORKER_COUNTS: usize = 3;

/// Fits Amdahl's law S(p) = 1 / (f + (1 − f)/p) to (workers, speedup)
/// points by least squares, with f clamped to [0, 1].
///
/// The error minimised is that of the reciprocal speedup, Σ (1/Sᵢ − 1/Ŝ(pᵢ))²,
/// i.e. of the wall time as a fraction of the serial wall: 1/S = 1/p +
/// f·(1 − 1/p) is linear in f, so with yᵢ = 1/Sᵢ − 1/pᵢ and xᵢ = 1 − 1/pᵢ
/// the estimate is the closed form f = Σ xᵢyᵢ / Σ xᵢ². The objective is a
/// convex quadratic in f, so clamping that estimate to [0, 1] gives the
/// constrained minimum. Fitting S itself would need an iterative solver and
/// weight the many-worker points (large S) most.
///
/// Points with no workers or a speedup that is not a positive finite number
/// are skipped. One-worker points say nothing about f (x = 0) but count in
/// [`ScalingFit::points`] and the RMS error. `None` unless the points left
/// cover at least [`MIN_FIT_WORKER_COUNTS`] distinct worker counts, one of
/// them above one.
pub fn fit_amdahl(points: &[(u32, f64)]) -> Option<ScalingFit> {
    // 1/S − 1/p = f · (1 − 1/p).
    fit_linear(Law::Amdahl, points, |p, s| {
        (1.0 - 1.0 / p, 1.0 / s - 1.0 / p)
    })
}

/// Fits Gustafson's law S(p) = p − f·(p − 1) to (workers, scaled speedup)
/// points of a weak-scaling sweep, by least squares on S itself: p − S =
/// f · (p − 1) is linear in f, so f = Σ xᵢyᵢ / Σ xᵢ² with xᵢ = pᵢ − 1 and
/// yᵢ = pᵢ − Sᵢ, clamped to [0, 1]. Points and `None` as in [`fit_amdahl`].
pub fn fit_gustafson(points: &[(u32, f64)]) -> Option<ScalingFit> {
    fit_linear(Law::Gustafson, points, |p, s| (p - 1.0, p - s))
}

/// Both laws are linear in f once (p, S) is mapped to (x, y) with y = f·x:
/// the least-squares f is Σxy / Σx², clamped to [0, 1] (the objective is a
/// convex quadratic in f, so the clamp is the constrained minimum).
fn fit_linear(
    law: Law,
    points: &[(u32, f64)],
    to_xy: impl Fn(f64, f64) -> (f64, f64),
) -> Option<ScalingFit> {
    let used: Vec<(f64, f64)> = points
        .iter()
        .filter(|&&(p, s)| p >= 1 && s.is_finite() && s > 0.0)
        .map(|&(p, s)| (f64::from(p), s))
        .collect();
    let mut counts: Vec<u64> = used.iter().map(|&(p, _)| p.to_bits()).collect();
    counts.sort_unstable();
    counts.dedup();
    if counts.len() < MIN_FIT_WORKER_COUNTS || !used.iter().any(|&(p, _)| p > 1.0) {
        return None;
    }
    let (sxy, sxx) = used.iter().fold((0.0, 0.0), |(sxy, sxx), &(p, s)| {
        let (x, y) = to_xy(p, s);
        (sxy + x * y, sxx + x * x)
    });
    // sxx > 0: some point has p > 1, so x > 0 there.
    let serial_fraction = (sxy / sxx).clamp(0.0, 1.0);
    let squares: f64 = used
        .iter()
        .map(|&(p, s)| (s - law.speedup(serial_fraction, p)).powi(2))
        .sum();
    // usize → f64 is exact for any realistic number of runs.
    let rms_error = (squares / used.len() as f64).sqrt();
    // The residuals of the linear form y = f·x: σ² over n − 1 degrees of
    // freedom (one parameter), and var(f) = σ² / Σx².
    let residuals: f64 = used
        .iter()
        .map(|&(p, s)| {
            let (x, y) = to_xy(p, s);
            (y - serial_fraction * x).powi(2)
        })
        .sum();
    let serial_fraction_error = (residuals / (used.len() - 1) as f64 / sxx).sqrt();
    Some(ScalingFit {
        law,
        serial_fraction,
        points: used.len(),
        rms_error,
        serial_fraction_error,
    })
}

/// The speedup Amdahl's law predicts on `workers` workers (p ≥ 1) for a
/// serial fraction `serial_fraction` (clamped to [0, 1]): 1 / (f + (1 − f)/p).
/// Takes a real p so that the predicted curve can be drawn smoothly.
pub fn amdahl_speedup(serial_fraction: f64, workers: f64) -> f64 {
    let f = serial_fraction.clamp(0.0, 1.0);
    1.0 / (f + (1.0 - f) / workers)
}

/// The scaled speedup Gustafson's law predicts on `workers` workers when the
/// problem grows with them (weak scaling), for a serial fraction
/// `serial_fraction` (clamped to [0, 1]) of the parallel run's time:
/// S = p − f·(p − 1).
pub fn gustafson_speedup(serial_fraction: f64, workers: f64) -> f64 {
    let f = serial_fraction.clamp(0.0, 1.0);
    workers - f * (workers - 1.0)
}

/// Fits the scaling law of the runs of `model` in `set` that have a
/// speedup (see [`fill_speedups`]). A set may hold several workloads and
/// schedules, and only the speedups of one problem and one schedule follow
/// one curve, so the fit takes those of the first such run. `None` when the
/// fit has too few points.
pub fn fit_for_model(set: &ResultSet, model: Model) -> Option<ScalingFit> {
    let first = set
        .runs
        .iter()
        .find(|r| r.model == model && r.speedup.is_some())?;
    fit_runs(set.runs.iter().filter(|r| {
        r.model == model
            && r.schedule == first.schedule
            && r.same_problem(first)
            && had_cores(&set.machine, r)
    }))
}

/// Whether a run's speedup can inform a scaling law: each of its workers
/// had a core (or an MPI job's slot). Past the cores a curve flattens
/// because the cores ran out, not because of a serial fraction, and a law
/// fitted through that plateau would predict a limit the program does not
/// have. Async "workers" are tasks in flight, not cores: always.
pub fn had_cores(machine: &MachineInfo, run: &RunRecord) -> bool {
    if run.model.workers_are_tasks() {
        return true;
    }
    match &run.mpi {
        Some(mpi) => !mpi.oversubscribed,
        None => run.workers <= machine.logical_cores,
    }
}

/// Fits the law of the runs' scaling (that of the first run) to their
/// (workers, speedup) points: one curve's runs, as the caller chose them.
pub fn fit_runs<'a>(runs: impl IntoIterator<Item = &'a RunRecord>) -> Option<ScalingFit> {
    let mut law = None;
    let points: Vec<(u32, f64)> = runs
        .into_iter()
        .inspect(|r| {
            law.get_or_insert(Law::of(r.scaling));
        })
        .filter_map(|r| r.speedup.map(|s| (r.workers, s)))
        .collect();
    match law? {
        Law::Amdahl => fit_amdahl(&points),
        Law::Gustafson => fit_gustafson(&points),
    }
}

/// What one run's workers spent their time on, in seconds of worker time
/// per repetition (the median one, whose spans are kept).
///
/// - compute: inside tasks (for gil-threads, only while holding the lock);
/// - start-up: starting processes: the pool's start per worker (outside the
///   wall time), or each task's own process (process-per-task);
/// - serialization: a worker decoding its task and encoding its result;
/// - transfer: a task's body and its result's body crossing the pipes;
/// - waiting: the rest of workers × wall time: idle, blocked on the lock,
///   on I/O, or waiting for work.
///
/// The IPC parts come from [`crate::results::SpanIpc`] stamps, so they are
/// zero for threads and for files written before the stamps existed.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Overhead {
    pub compute: f64,
    pub startup: f64,
    pub serialization: f64,
    pub transfer: f64,
    pub waiting: f64,
}

/// The parts of an [`Overhead`], in stacking order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    Compute,
    StartUp,
    Serialization,
    Transfer,
    Waiting,
}

impl Phase {
    pub const ALL: [Phase; 5] = [
        Phase::Compute,
        Phase::StartUp,
        Phase::Serialization,
        Phase::Transfer,
        Phase::Waiting,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Phase::Compute => "compute",
            Phase::StartUp => "start-up",
            Phase::Serialization => "serialization",
            Phase::Transfer => "transfer",
            Phase::Waiting => "waiting",
        }
    }
}

impl Overhead {
    pub fn get(&self, phase: Phase) -> f64 {
        match phase {
            Phase::Compute => self.compute,
            Phase::StartUp => self.startup,
            Phase::Serialization => self.serialization,
            Phase::Transfer => self.transfer,
            Phase::Waiting => self.waiting,
        }
    }

    pub fn total(&self) -> f64 {
        Phase::ALL.iter().map(|&p| self.get(p)).sum()
    }
}

/// Splits `run`'s worker time into the parts of [`Overhead`].
///
/// A worker's own time on a task that crossed a pipe runs from `received`
/// (it starts reading the task) to when it finished writing the result.
/// That last instant is not stamped, but it lies before both the parent
/// having the whole result (`replied`) and the worker starting on its next
/// task, so the earlier of the two stands for it. Of that encode-and-write
/// stretch, the part while the parent was reading the result's body is
/// transfer and the rest is serialization.
pub fn overhead(run: &RunRecord) -> Overhead {
    let workers = f64::from(run.workers.max(1));
    let span_seconds = |start: f64, end: f64| (end - start).max(0.0);
    let mut parts = Overhead::default();
    let mut spans: Vec<&crate::results::SpanRecord> = run.spans.iter().collect();
    spans.sort_by(|a, b| {
        (a.worker, a.start_seconds)
            .partial_cmp(&(b.worker, b.start_seconds))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    for (i, span) in spans.iter().enumerate() {
        parts.compute += span_seconds(span.start_seconds, span.end_seconds);
        let Some(ipc) = span.ipc else {
            continue;
        };
        if let Some(spawned) = ipc.spawned_seconds {
            parts.startup += span_seconds(spawned, ipc.received_seconds);
        }
        // Reading the task's body, then decoding it.
        parts.transfer += span_seconds(ipc.received_seconds, ipc.read_seconds);
        parts.serialization += span_seconds(ipc.read_seconds, span.start_seconds);
        let next_received = spans
            .get(i + 1)
            .filter(|next| next.worker == span.worker)
            .and_then(|next| next.ipc)
            .map(|next| next.received_seconds);
        let written = next_received.map_or(ipc.replied_seconds, |t| t.min(ipc.replied_seconds));
        let sending = span_seconds(span.end_seconds, written);
        let reading = span_seconds(ipc.reply_seconds, ipc.replied_seconds).min(sending);
        parts.transfer += reading;
        parts.serialization += sending - reading;
    }
    if !run.gil_holds.is_empty() {
        // A gil-threads task's span includes its waits for the lock; only
        // the holds computed.
        parts.compute = run
            .gil_holds
            .iter()
            .map(|h| span_seconds(h.start_seconds, h.end_seconds))
            .sum();
    }
    let inside_wall = parts.compute + parts.startup + parts.serialization + parts.transfer;
    parts.waiting = (workers * run.wall_seconds.median - inside_wall).max(0.0);
    // The pool starts before the first repetition, each worker once.
    parts.startup += run.spawn_seconds * workers;
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::testing::record;

    #[test]
    fn speedup_and_efficiency_against_serial() {
        let mut set = ResultSet::new(crate::results::MachineInfo::detect());
        set.runs = vec![
            record(Model::Serial, 1, 4.0),
            record(Model::Processes, 4, 1.25),
        ];
        fill_speedups(&mut set);
        assert_eq!(set.runs[0].speedup, Some(1.0));
        assert_eq!(set.runs[1].speedup, Some(3.2));
        assert_eq!(set.runs[1].efficiency, Some(0.8));
    }

    #[test]
    fn python_models_are_measured_against_python_serial() {
        let mut set = ResultSet::new(crate::results::MachineInfo::detect());
        set.runs = vec![
            record(Model::Serial, 1, 0.5),
            record(Model::PythonSerial, 1, 8.0),
            record(Model::PythonThreads, 2, 8.0),
            record(Model::PythonProcesses, 2, 4.0),
            record(Model::Threads, 2, 0.25),
        ];
        fill_speedups(&mut set);
        let speedups: Vec<Option<f64>> = set.runs.iter().map(|r| r.speedup).collect();
        assert_eq!(
            speedups,
            [Some(1.0), Some(1.0), Some(1.0), Some(2.0), Some(2.0)]
        );
        // Without python-serial, python models have no baseline (never serial's).
        set.runs.remove(1);
        fill_speedups(&mut set);
        assert_eq!(set.runs[1].speedup, None);
    }

    #[test]
    fn no_serial_means_no_speedup() {
        let mut set = ResultSet::new(crate::results::MachineInfo::detect());
        set.runs = vec![record(Model::Threads, 2, 1.0)];
        fill_speedups(&mut set);
        assert_eq!(set.runs[0].speedup, None);
    }

    const WORKERS: [u32; 5] = [1, 2, 4, 8, 16];

    /// Exact Amdahl speedups for `f` over [`WORKERS`].
    fn amdahl_points(f: f64) -> Vec<(u32, f64)> {
        WORKERS
            .iter()
            .map(|&p| (p, amdahl_speedup(f, f64::from(p))))
            .collect()
    }

    #[test]
    fn fit_recovers_exact_serial_fraction() {
        for f in [0.1, 0.25] {
            let fit = fit_amdahl(&amdahl_points(f)).unwrap();
            assert!((fit.serial_fraction - f).abs() < 1e-9, "{f}: {fit:?}");
            assert_eq!(fit.points, 5);
            assert!(fit.rms_error < 1e-9, "{fit:?}");
        }
    }

    #[test]
    fn fit_tolerates_noise() {
        // ±2 % alternating: deterministic, and not a pure bias.
        let f = 0.1;
        let noisy: Vec<(u32, f64)> = amdahl_points(f)
            .into_iter()
            .enumerate()
            .map(|(i, (p, s))| (p, s * if i % 2 == 0 { 1.02 } else { 0.98 }))
            .collect();
        let fit = fit_amdahl(&noisy).unwrap();
        assert!((fit.serial_fraction - f).abs() < 0.01, "{fit:?}");
        // The noise is at most 2 % of S ≤ 6.4 at p = 16.
        assert!(fit.rms_error > 0.0 && fit.rms_error < 0.15, "{fit:?}");
    }

    #[test]
    fn fit_edge_cases_perfect_and_no_scaling() {
        let perfect: Vec<(u32, f64)> = WORKERS.iter().map(|&p| (p, f64::from(p))).collect();
        let fit = fit_amdahl(&perfect).unwrap();
        assert!(fit.serial_fraction.abs() < 1e-12, "{fit:?}");
        assert!(fit.rms_error < 1e-9);

        let flat: Vec<(u32, f64)> = WORKERS.iter().map(|&p| (p, 1.0)).collect();
        let fit = fit_amdahl(&flat).unwrap();
        assert!((fit.serial_fraction - 1.0).abs() < 1e-12, "{fit:?}");
        assert!(fit.rms_error < 1e-9);
    }

    #[test]
    fn fit_clamps_to_unit_interval() {
        // Superlinear speedup would need f < 0; slowdown would need f > 1.
        let fit = fit_amdahl(&[(2, 2.5), (4, 5.0), (8, 10.0)]).unwrap();
        assert_eq!(fit.serial_fraction, 0.0);
        let fit = fit_amdahl(&[(2, 0.5), (4, 0.5), (8, 0.5)]).unwrap();
        assert_eq!(fit.serial_fraction, 1.0);
    }

    #[test]
    fn fit_needs_enough_points() {
        assert_eq!(fit_amdahl(&[]), None);
        assert_eq!(fit_amdahl(&[(4, 3.0)]), None);
        assert_eq!(fit_amdahl(&[(1, 1.0)]), None);
        assert_eq!(fit_amdahl(&[(1, 1.0), (1, 0.9)]), None);
        // Unusable points are skipped, not counted.
        assert_eq!(fit_amdahl(&[(4, 3.0), (0, 1.0)]), None);
        assert_eq!(fit_amdahl(&[(4, 3.0), (2, f64::NAN)]), None);
        assert_eq!(fit_amdahl(&[(4, 3.0), (2, 0.0)]), None);
        assert_eq!(fit_amdahl(&[(4, 3.0), (2, f64::INFINITY)]), None);

        // Two worker counts fit any one-parameter curve: no law from them.
        assert_eq!(fit_amdahl(&[(1, 1.0), (4, 2.0)]), None);
        assert_eq!(fit_amdahl(&[(2, 1.5), (4, 2.0), (4, 2.1)]), None);
        let three = fit_amdahl(&[(1, 1.0), (2, 1.5), (4, 2.0)]).unwrap();
        assert_eq!(three.points, 3);
        // 1/1.5 = f + (1 − f)/2 and 1/2 = f + (1 − f)/4 both give f = 1/3.
        assert!((three.serial_fraction - 1.0 / 3.0).abs() < 1e-12);
        assert!(three.serial_fraction_error < 1e-9, "{three:?}");
    }

    #[test]
    fn a_fit_says_how_sure_it_is() {
        let f = 0.1;
        let exact = fit_amdahl(&amdahl_points(f)).unwrap();
        assert!(exact.serial_fraction_error < 1e-9, "{exact:?}");
        let noisy: Vec<(u32, f64)> = amdahl_points(f)
            .into_iter()
            .enumerate()
            .map(|(i, (p, s))| (p, s * if i % 2 == 0 { 1.1 } else { 0.9 }))
            .collect();
        let fit = fit_amdahl(&noisy).unwrap();
        // The true f lies within a few standard errors of the estimate.
        assert!(fit.serial_fraction_error > 0.0, "{fit:?}");
        assert!(
            (fit.serial_fraction - f).abs() < 4.0 * fit.serial_fraction_error,
            "{fit:?}"
        );
    }

    #[test]
    fn karp_flatt_bounds() {
        for p in [2, 4, 16] {
            assert!(karp_flatt(f64::from(p), p).unwrap().abs() < 1e-12);
            assert!((karp_flatt(1.0, p).unwrap() - 1.0).abs() < 1e-12);
        }
        assert_eq!(karp_flatt(1.0, 1), None);
        assert_eq!(karp_flatt(1.0, 0), None);
        assert_eq!(karp_flatt(f64::NAN, 4), None);
        assert_eq!(karp_flatt(f64::INFINITY, 4), None);
        assert_eq!(karp_flatt(0.0, 4), None);
        // Superlinear: negative, left unclamped.
        assert!(karp_flatt(5.0, 4).unwrap() < 0.0);
    }

    #[test]
    fn karp_flatt_matches_amdahl_fraction() {
        for f in [0.0, 0.05, 0.1, 0.25, 0.5, 1.0] {
            for p in 2..=16 {
                let s = amdahl_speedup(f, f64::from(p));
                let e = karp_flatt(s, p).unwrap();
                assert!((e - f).abs() < 1e-9, "f {f}, p {p}: e {e}");
            }
        }
    }

    #[test]
    fn amdahl_and_gustafson_curves() {
        assert_eq!(amdahl_speedup(0.0, 8.0), 8.0);
        assert_eq!(amdahl_speedup(1.0, 8.0), 1.0);
        assert!((amdahl_speedup(0.5, 2.0) - 4.0 / 3.0).abs() < 1e-12);
        // The curve flattens towards 1/f.
        assert!((amdahl_speedup(0.1, 1e12) - 10.0).abs() < 1e-6);
        assert_eq!(gustafson_speedup(0.0, 8.0), 8.0);
        assert_eq!(gustafson_speedup(1.0, 8.0), 1.0);
        assert!((gustafson_speedup(0.1, 16.0) - 14.5).abs() < 1e-12);
        for p in [1.0, 2.0, 4.0] {
            assert!(amdahl_speedup(0.3, p) <= gustafson_speedup(0.3, p));
        }
    }

    #[test]
    fn laws_are_fitted_from_runs_that_had_a_core_each() {
        let mut set = ResultSet::new(crate::results::MachineInfo::detect());
        set.machine.logical_cores = 2;
        set.runs.push(record(Model::Serial, 1, 4.0));
        for (p, wall) in [(1, 4.0), (2, 2.0), (3, 2.0), (4, 2.0)] {
            set.runs.push(record(Model::Threads, p, wall));
        }
        fill_speedups(&mut set);
        // On 2 cores the plateau at 3 and 4 workers is the cores running
        // out: 1 and 2 workers are too few for a law.
        assert_eq!(fit_for_model(&set, Model::Threads), None);
        // On 4 cores the same plateau is the program's.
        set.machine.logical_cores = 4;
        let fit = fit_for_model(&set, Model::Threads).unwrap();
        assert_eq!(fit.points, 4);
        assert!(fit.serial_fraction > 0.2, "{fit:?}");
    }

    #[test]
    fn fit_for_model_uses_one_model_and_one_workload() {
        let f = 0.2;
        let serial_wall = 10.0;
        let wall = |p: u32| serial_wall * (f + (1.0 - f) / f64::from(p));
        let mut set = ResultSet::new(crate::results::MachineInfo::detect());
        set.machine.logical_cores = 8;
        set.runs = vec![record(Model::Serial, 1, serial_wall)];
        for p in [2, 4, 8] {
            set.runs.push(record(Model::Threads, p, wall(p)));
        }
        // Another model, scaling perfectly: must not leak into the threads fit.
        for p in [2, 4, 8] {
            set.runs
                .push(record(Model::Processes, p, serial_wall / f64::from(p)));
        }
        // Another workload of the same model, with its own serial baseline
        // and no scaling at all: must not leak in either.
        let mut other_serial = record(Model::Serial, 1, 3.0);
        other_serial.size = 20;
        let mut other_threads = record(Model::Threads, 16, 3.0);
        other_threads.size = 20;
        set.runs.extend([other_serial, other_threads]);
        fill_speedups(&mut set);

        let fit = fit_for_model(&set, Model::Threads).unwrap();
        assert_eq!(fit.points, 3);
        assert!((fit.serial_fraction - f).abs() < 1e-9, "{fit:?}");
        assert!(fit.rms_error < 1e-9);
        let threads8 = set.runs.iter().find(|r| r.workers == 8).unwrap();
        assert!((karp_flatt_of(threads8).unwrap() - f).abs() < 1e-9);

        let fit = fit_for_model(&set, Model::Processes).unwrap();
        assert_eq!(fit.points, 3);
        assert!(fit.serial_fraction.abs() < 1e-9, "{fit:?}");

        // Serial alone has only p = 1 points; no runs at all for gil-threads.
        assert_eq!(fit_for_model(&set, Model::Serial), None);
        assert_eq!(fit_for_model(&set, Model::GilThreads), None);
    }

    #[test]
    fn gustafson_fit_recovers_exact_serial_fraction() {
        for f in [0.0, 0.1, 0.3] {
            let points: Vec<(u32, f64)> = WORKERS
                .iter()
                .map(|&p| (p, gustafson_speedup(f, f64::from(p))))
                .collect();
            let fit = fit_gustafson(&points).unwrap();
            assert_eq!(fit.law, Law::Gustafson);
            assert!((fit.serial_fraction - f).abs() < 1e-9, "{f}: {fit:?}");
            assert!(fit.rms_error < 1e-9);
        }
        assert_eq!(fit_gustafson(&[(1, 1.0)]), None);
    }

    #[test]
    fn weak_scaling_speedup_is_scaled_by_the_workers() {
        use crate::spec::Scaling;
        // 4 tasks per worker: serial does 4, threads ×4 does 16. The serial
        // fraction f of the parallel run's time: wall(p) = 1 + … constant
        // when the work scales perfectly.
        let f = 0.2;
        let serial_wall = 2.0;
        let mut set = ResultSet::new(crate::results::MachineInfo::detect());
        set.machine.logical_cores = 8;
        let mut serial = record(Model::Serial, 1, serial_wall);
        serial.scaling = Scaling::Weak;
        set.runs.push(serial);
        for p in [2, 4, 8] {
            // Gustafson: S = p − f(p − 1) = p · serial / wall.
            let s = gustafson_speedup(f, f64::from(p));
            let mut r = record(Model::Threads, p, f64::from(p) * serial_wall / s);
            r.scaling = Scaling::Weak;
            r.tasks = 4 * p;
            set.runs.push(r);
        }
        // A strong-scaling serial run of 4 tasks must not be the baseline.
        set.runs.push(record(Model::Serial, 1, 99.0));
        fill_speedups(&mut set);
        let threads4 = &set.runs[2];
        assert!((threads4.speedup.unwrap() - gustafson_speedup(f, 4.0)).abs() < 1e-9);
        assert!((threads4.efficiency.unwrap() - gustafson_speedup(f, 4.0) / 4.0).abs() < 1e-9);
        // Karp–Flatt reads fixed-size speedups only.
        assert_eq!(karp_flatt_of(threads4), None);
        let fit = fit_for_model(&set, Model::Threads).unwrap();
        assert_eq!(fit.law, Law::Gustafson);
        assert!((fit.serial_fraction - f).abs() < 1e-9, "{fit:?}");
    }

    #[test]
    fn overhead_splits_worker_time_by_the_span_stamps() {
        use crate::results::{SpanIpc, SpanRecord};
        // Two workers, wall 1 s: worker time 2 s.
        let mut run = record(Model::Processes, 2, 1.0);
        run.spawn_seconds = 0.05;
        let task = |worker, start: f64| SpanRecord {
            worker,
            task: worker,
            start_seconds: start + 0.2,
            end_seconds: start + 0.7,
            ipc: Some(SpanIpc {
                spawned_seconds: None,
                received_seconds: start,
                read_seconds: start + 0.1,
                reply_seconds: start + 0.75,
                replied_seconds: start + 0.85,
                returned_seconds: start + 0.9,
            }),
        };
        run.spans = vec![task(0, 0.0), task(1, 0.05)];
        let parts = overhead(&run);
        let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
        assert!(close(parts.compute, 1.0), "{parts:?}");
        // Each: transfer 0.1 in + 0.1 out; serialization 0.1 decode + 0.05 encode.
        assert!(close(parts.transfer, 0.4), "{parts:?}");
        assert!(close(parts.serialization, 0.3), "{parts:?}");
        assert!(close(parts.waiting, 2.0 - 1.0 - 0.4 - 0.3), "{parts:?}");
        assert!(close(parts.startup, 0.1), "{parts:?}");
        assert!(close(parts.total(), 2.0 + 0.1), "{parts:?}");

        // Threads: no stamps, so compute and waiting only.
        let mut threads = record(Model::Threads, 2, 1.0);
        threads.spans = vec![SpanRecord {
            worker: 0,
            task: 0,
            start_seconds: 0.0,
            end_seconds: 0.9,
            ipc: None,
        }];
        let parts = overhead(&threads);
        assert!(
            close(parts.compute, 0.9) && close(parts.waiting, 1.1),
            "{parts:?}"
        );
        assert_eq!(parts.transfer + parts.serialization + parts.startup, 0.0);
    }

    #[test]
    fn a_late_parent_does_not_count_as_the_workers_encoding() {
        use crate::results::{SpanIpc, SpanRecord};
        // One worker, two tasks; the parent read the first result late
        // (0.5 s after it was written), but the worker had already started
        // on the next task at 0.31: its own sending took 0.01 s.
        let mut run = record(Model::Processes, 1, 1.0);
        let task = |task, at: f64, reply: f64, replied: f64| SpanRecord {
            worker: 0,
            task,
            start_seconds: at + 0.01,
            end_seconds: at + 0.3,
            ipc: Some(SpanIpc {
                spawned_seconds: None,
                received_seconds: at,
                read_seconds: at + 0.005,
                reply_seconds: reply,
                replied_seconds: replied,
                returned_seconds: replied,
            }),
        };
        run.spans = vec![task(1, 0.31, 0.62, 0.62), task(0, 0.0, 0.8, 0.8)];
        let parts = overhead(&run);
        let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
        assert!(close(parts.compute, 0.58), "{parts:?}");
        // Decoding 0.005 and sending 0.01, twice; not the 0.5 s the first
        // result waited for the parent.
        assert!(
            close(parts.serialization, 2.0 * (0.005 + 0.01)),
            "{parts:?}"
        );
        // Reading each task's body.
        assert!(close(parts.transfer, 2.0 * 0.005), "{parts:?}");
    }

    #[test]
    fn fit_for_model_needs_speedups() {
        let mut set = ResultSet::new(crate::results::MachineInfo::detect());
        set.runs = vec![
            record(Model::Threads, 2, 1.0),
            record(Model::Threads, 4, 0.6),
        ];
        fill_speedups(&mut set);
        assert_eq!(fit_for_model(&set, Model::Threads), None);
    }
}
