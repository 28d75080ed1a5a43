//! Events the engine reports while an experiment runs.

use crate::results::{CpuSample, MemorySample, ResultSet, RunRecord};
use crate::spec::RunSpec;

use super::EngineError;

/// One step of an experiment, in the order they happen.
#[derive(Debug)]
pub enum RunEvent {
    /// The experiment starts: its runs, and the tasks they execute in all.
    Started {
        runs: Vec<RunSpec>,
        total_tasks: u64,
    },
    /// Run `index` (of `Started::runs`) starts its pool.
    RunStarted { index: usize, spec: RunSpec },
    /// Tasks finished so far in run `index`, warm-ups included.
    Progress {
        index: usize,
        tasks_done: u64,
        tasks_total: u64,
    },
    /// A system sample taken while run `index` is live, timed from the
    /// run's start (pool start-up included): sent from the sampler's thread
    /// about every 200 ms, only by [`super::runner::Runner`].
    Sample {
        index: usize,
        cpu: CpuSample,
        memory: MemorySample,
    },
    /// Run `index` finished and was measured (boxed: a record is far
    /// larger than every other event).
    RunFinished {
        index: usize,
        record: Box<RunRecord>,
    },
    /// Every run finished (sent by [`super::runner::Runner`] only).
    Finished(ResultSet),
    /// The experiment stopped on an error (sent by the runner only).
    Failed(EngineError),
    /// The experiment was cancelled (sent by the runner only).
    Cancelled,
}
