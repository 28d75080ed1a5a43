//! What a set recommends for its workload on its machine
//! ([`Recommendation`], the set's top-level `recommendation` field): which
//! model and how many workers, with the figures the choice rests on. It is
//! decided by `crate::analysis::recommendation` and withheld ("not
//! settled") wherever the figures are flagged or their intervals overlap.

use serde::{Deserialize, Serialize};

use super::Interval;
use crate::spec::Model;

/// A model and a worker count to use, or why none is named.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recommendation {
    /// The model to use; `null` where the figures do not settle it.
    pub model: Option<Model>,
    /// How many workers to give it; `null` where not settled.
    pub workers: Option<u32>,
    /// The recommendation in one sentence: `use MODEL with N workers: …`,
    /// or `not settled: …` with why and what to do.
    pub sentence: String,
    /// Each model's best run against its serial baseline, in the set's
    /// order.
    #[serde(default)]
    pub models: Vec<ModelFigure>,
    /// What the process models paid to start and to move each task.
    #[serde(default)]
    pub costs: Vec<ProcessCost>,
    /// The task or input size below which processes stop paying.
    pub threshold: Threshold,
}

/// One model's best speedup over its family's serial baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelFigure {
    pub model: Model,
    /// The worker count of its best run.
    pub workers: u32,
    /// The serial model it is measured against.
    pub baseline: Model,
    pub speedup: f64,
    /// Its 95 % interval; absent with a single repetition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<Interval>,
    /// The run or its baseline carries a noise flag.
    #[serde(default)]
    pub flagged: bool,
}

/// What a process model's run paid besides computing, per task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProcessCost {
    pub model: Model,
    /// The run read (the model's best).
    pub workers: u32,
    /// Starting the pool once, before the first repetition (outside the
    /// wall time).
    pub startup_seconds: f64,
    /// That start-up shared among one repetition's tasks.
    pub startup_per_task_seconds: f64,
    /// Bytes pickled and sent per task, arguments and results together.
    pub ipc_bytes_per_task: f64,
    /// Seconds per task of sending it to a worker and its result back,
    /// where the run measured it: from the task spans' IPC stamps, or its
    /// one-worker run against the serial run where the two differ beyond
    /// their intervals. Absent where not measurable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipc_seconds_per_task: Option<f64>,
}

/// Where processes stop paying, as far as the set tells.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Threshold {
    /// What varied: `payload` (bytes per task) or `size` (the workload's
    /// unit); absent where the set measured one size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub varied: Option<String>,
    /// The smallest size at which processes paid, every larger one paying
    /// too, where a smaller one measured clearly did not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below: Option<u64>,
    /// The finding in one sentence (or that the set does not tell).
    pub sentence: String,
}
