//! The scaling laws that explain a sweep's speedups, with f the serial
//! fraction of the work: Amdahl for a fixed problem ([`fit_amdahl`],
//! [`amdahl_speedup`]), Gustafson for one grown with the workers
//! ([`fit_gustafson`], [`gustafson_speedup`]), and the Karp–Flatt serial
//! fraction a single measurement implies ([`karp_flatt`]).
//! [`fit_for_model`] fits the law of one model of a result set, from the
//! runs whose workers each had a core ([`had_cores`]).

use crate::results::{MachineInfo, ResultSet, RunRecord};
use crate::spec::{Model, Scaling};

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
/// speedup (see [`crate::analysis::fill_speedups`]). A set may hold several workloads and
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::fill_speedups;
    use crate::results::testing::record;

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
