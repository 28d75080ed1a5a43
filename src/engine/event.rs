//! Events the engine reports while an experiment runs.

use crate::results::{CpuSample, MemorySample, ResultSet, RunRecord};
use crate::spec::RunSpec;

use super::error::EngineError;

/// One step of an experiment, in the order they happen.
#[derive(Debug)]
#[allow(
    clippy::large_enum_variant,
    reason = "one event per run step, moved once: a record or a set inline costs less than a box each"
)]
pub enum RunEvent {
    /// The experiment starts: its runs, and the tasks they execute in all.
    Started {
        runs: Vec<RunSpec>,
        total_tasks: u64,
    },
    /// Run `index` (of `Started::runs`) starts its pool. Interleaved, the
    /// pools of a batch start one after the other before any repetition.
    RunStarted { index: usize, spec: RunSpec },
    /// Run `index` takes its turn: its repetition `repetition` (from 0,
    /// warm-ups first) starts. Interleaved runs take turns, one repetition
    /// each.
    Turn { index: usize, repetition: u32 },
    /// Tasks finished so far in run `index`, warm-ups included (counted
    /// over all its turns).
    Progress {
        index: usize,
        tasks_done: u64,
        tasks_total: u64,
    },
    /// A system sample taken while run `index` is live, timed from the
    /// run's start (pool start-up included): sent from the sampler's thread
    /// about every 200 ms, only by [`super::runner::Runner`]. Interleaved,
    /// `index` is the run whose turn it was and the time counts from the
    /// start of its batch.
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
    /// A lesson waits for other programs to calm down before it measures:
    /// they use `other_cpu_cores` cores' worth of CPU now.
    Calming { other_cpu_cores: f64 },
    /// A lesson measures `runs` flagged runs once more, with their
    /// baselines (a second `Started` follows).
    Remeasuring { runs: usize },
}
