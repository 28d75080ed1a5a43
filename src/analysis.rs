//! Analysis of measured runs: speedup and efficiency against the serial
//! baseline of the same result set.
//!
//! speedup(p) = median serial wall / median wall at p workers;
//! efficiency(p) = speedup(p) / p.

use crate::results::{ResultSet, RunRecord};
use crate::spec::Model;

/// The median wall time of the serial run of `record`'s workload, if the
/// set has one.
pub fn serial_baseline(runs: &[RunRecord], record: &RunRecord) -> Option<f64> {
    runs.iter()
        .find(|r| r.model == Model::Serial && r.same_workload(record))
        .map(|r| r.wall_seconds.median)
        .filter(|&wall| wall > 0.0)
}

/// Sets speedup and efficiency of `record` against a serial median wall.
pub fn set_speedup(record: &mut RunRecord, serial_wall: f64) {
    let wall = record.wall_seconds.median;
    if wall > 0.0 && serial_wall > 0.0 {
        let speedup = serial_wall / wall;
        record.speedup = Some(speedup);
        record.efficiency = Some(speedup / f64::from(record.workers.max(1)));
    }
}

/// Recomputes every run's speedup and efficiency from the set's serial runs.
pub fn fill_speedups(set: &mut ResultSet) {
    let baselines: Vec<Option<f64>> = set
        .runs
        .iter()
        .map(|r| serial_baseline(&set.runs, r))
        .collect();
    for (record, baseline) in set.runs.iter_mut().zip(baselines) {
        record.speedup = None;
        record.efficiency = None;
        if let Some(baseline) = baseline {
            set_speedup(record, baseline);
        }
    }
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
    fn no_serial_means_no_speedup() {
        let mut set = ResultSet::new(crate::results::MachineInfo::detect());
        set.runs = vec![record(Model::Threads, 2, 1.0)];
        fill_speedups(&mut set);
        assert_eq!(set.runs[0].speedup, None);
    }
}
