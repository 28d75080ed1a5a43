//! What a run will hold at once — file descriptors, processes and threads —
//! checked against the process's limits before anything starts, so a run
//! too large for them is refused up front instead of failing part-way
//! (with some workers started and reaped again).

use super::EngineError;
use crate::platform::{Limit, ensure_limit};
use crate::spec::{ExperimentSpec, RunSpec};

/// Descriptors and threads the process holds besides a run's workers
/// (standard streams, the sampler, the runner, the GUI's own).
const BASE_FILES: u64 = 64;
const BASE_TASKS: u64 = 16;

/// Descriptors and tasks (processes plus threads) one run needs at most:
/// its model's budget in the catalogue.
fn needs(run: &RunSpec) -> (u64, u64) {
    run.model
        .info()
        .budget
        .needs(run.workers, run.runtime_threads)
}

/// Checks (raising the soft limits where the hard ones allow) that the
/// largest batch of `spec` — the runs whose pools are alive at once when
/// repetitions are interleaved — fits the descriptor and process limits.
pub fn check_budget(spec: &ExperimentSpec) -> Result<(), EngineError> {
    check_plan_budget(&super::Plan::of(spec))
}

/// [`check_budget`] for the runs of a plan.
pub fn check_plan_budget(plan: &super::Plan) -> Result<(), EngineError> {
    let batches = super::interleave::batches(&plan.runs, plan.order);
    let largest = |pick: fn((u64, u64)) -> u64| {
        batches
            .iter()
            .map(|batch| {
                batch
                    .iter()
                    .map(|&i| pick(needs(&plan.runs[i])))
                    .sum::<u64>()
            })
            .max()
    };
    let files = BASE_FILES + largest(|n| n.0).unwrap_or(0);
    let tasks = BASE_TASKS + largest(|n| n.1).unwrap_or(0);
    ensure_limit(Limit::OpenFiles, files).map_err(|soft| {
        EngineError::Limits(format!(
            "the largest batch of runs needs about {files} open files, but the limit is {soft} \
             (raise it with `ulimit -n {files}`, or use fewer worker processes)"
        ))
    })?;
    ensure_limit(Limit::Tasks, tasks).map_err(|soft| {
        EngineError::Limits(format!(
            "the largest batch of runs needs about {tasks} processes and threads, but the limit is \
             {soft} (raise it with `ulimit -u`, or use fewer workers)"
        ))
    })
}
