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
//! The laws are in [`laws`]; [`overhead`] (in [`breakdown`]) splits a
//! run's worker time into compute, start-up, serialization, transfer and
//! waiting, from the task spans. Whether a `--code` function returned the
//! same results under every model is [`isolation`]; which model and how
//! many workers to use, from all of these, is [`recommendation`].

pub mod breakdown;
pub mod isolation;
pub mod laws;
pub mod recommendation;

use crate::measure::bootstrap;
use crate::results::{Interval, ResultSet, RunRecord};
use crate::spec::Scaling;

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

pub use breakdown::{Overhead, Phase, overhead};
pub use laws::*;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::testing::record;
    use crate::spec::Model;

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
}
