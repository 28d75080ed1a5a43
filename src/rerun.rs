//! Re-running flagged runs: the noise guard's remedy as one action.
//!
//! [`plan`] picks the runs of a result set that carry a flag, with the
//! serial runs they are read against (so each is measured again beside its
//! baseline, interleaved); [`merge`] puts the fresh records in place of the
//! old ones and works out every speedup, interval and flag again. The
//! window's "Re-run flagged runs" and `corescope rerun FILE` both use them.

use crate::analysis;
use crate::engine::Plan;
use crate::noise;
use crate::results::ResultSet;
use crate::spec::Order;

/// The runs of `set` to measure again: every flagged run and its serial
/// baseline, in the set's order (baselines come first in it), interleaved.
/// `None` when no run is flagged.
pub fn plan(set: &ResultSet) -> Option<Plan> {
    let flagged = noise::flagged_runs(set);
    if flagged.is_empty() {
        return None;
    }
    let wanted: Vec<bool> = set
        .runs
        .iter()
        .enumerate()
        .map(|(i, run)| {
            flagged.contains(&i)
                || flagged.iter().any(|&f| {
                    analysis::baseline_run(&set.runs, &set.runs[f])
                        .is_some_and(|b| std::ptr::eq(b, run))
                })
        })
        .collect();
    Some(Plan {
        runs: set
            .runs
            .iter()
            .zip(wanted)
            .filter(|(_, wanted)| *wanted)
            .map(|(run, _)| run.to_spec())
            .collect(),
        order: Order::Interleaved,
        preset: set.preset.clone(),
        time_limit: None,
    })
}

/// `old` with each run that `fresh` measured again replaced by its new
/// record (matched by what was run), then speedups, intervals and flags
/// worked out anew. Runs of `old` that were not measured again keep their
/// figures; their speedups follow a re-measured baseline. The result is a
/// new set, stamped with `fresh`'s time and machine load, its isolation
/// finding and recommendation decided again from its runs.
pub fn merge(old: &ResultSet, fresh: &ResultSet) -> ResultSet {
    let mut merged = old.clone();
    merged.created = fresh.created.clone();
    merged.corescope_version = fresh.corescope_version.clone();
    merged.load_before = fresh.load_before.clone();
    merged.source = None;
    // A run the time limit stopped this time keeps its old figures, and
    // says it was stopped.
    merged.timed_out.extend(fresh.timed_out.iter().cloned());
    for run in &fresh.runs {
        let spec = run.to_spec();
        if let Some(slot) = merged.runs.iter_mut().find(|r| r.to_spec() == spec) {
            *slot = run.clone();
        }
    }
    analysis::fill_speedups(&mut merged);
    noise::assess(&mut merged);
    // A function's results may differ this time (state it keeps, chance):
    // the finding is the new runs', never the old file's.
    merged.isolation = analysis::isolation::find(&merged.runs);
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::testing::record;
    use crate::results::{MachineInfo, Warning};
    use crate::spec::Model;

    fn flag() -> Vec<Warning> {
        vec![Warning {
            code: noise::code::BUSY_MACHINE.to_string(),
            message: "busy".to_string(),
            remedy: String::new(),
        }]
    }

    fn set() -> ResultSet {
        let mut set = ResultSet::new(MachineInfo {
            logical_cores: 8,
            ..MachineInfo::default()
        });
        set.runs = vec![
            record(Model::Serial, 1, 4.0),
            record(Model::Threads, 2, 2.0),
            record(Model::Processes, 2, 2.0),
            record(Model::Processes, 4, 1.0),
        ];
        analysis::fill_speedups(&mut set);
        set
    }

    #[test]
    fn a_clean_set_has_nothing_to_re_run() {
        assert_eq!(plan(&set()), None);
    }

    #[test]
    fn flagged_runs_are_re_run_with_their_baseline_interleaved() {
        let mut set = set();
        set.runs[2].warnings = flag();
        let plan = plan(&set).unwrap();
        let runs: Vec<(Model, u32)> = plan.runs.iter().map(|r| (r.model, r.workers)).collect();
        assert_eq!(runs, [(Model::Serial, 1), (Model::Processes, 2)]);
        assert_eq!(plan.order, Order::Interleaved);
        assert_eq!(plan.runs[1], set.runs[2].to_spec());
    }

    #[test]
    fn merging_replaces_the_re_measured_runs_and_reassesses() {
        let mut old = set();
        old.runs[2].warnings = flag();
        let mut fresh = ResultSet::new(old.machine.clone());
        // Measured again: serial a little slower, processes ×2 clean.
        fresh.runs = vec![
            record(Model::Serial, 1, 4.4),
            record(Model::Processes, 2, 2.2),
        ];
        let merged = merge(&old, &fresh);
        assert_eq!(merged.runs.len(), 4);
        assert_eq!(merged.runs[2].wall_seconds.median, 2.2);
        assert!(merged.runs.iter().all(|r| r.warnings.is_empty()));
        assert!(!noise::is_flagged(&merged));
        // Runs not measured again follow the new baseline.
        assert_eq!(merged.runs[3].wall_seconds.median, 1.0);
        assert!((merged.runs[3].speedup.unwrap() - 4.4).abs() < 1e-9);
    }
}
