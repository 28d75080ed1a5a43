//! The values of the experiment's choice settings that are the spec's own:
//! how tasks are handed out ([`Schedule`]), how the problem grows
//! ([`Scaling`]), how CPython starts workers ([`StartMethod`]) and in which
//! order repetitions are taken ([`Order`]). Each has its name on the command
//! line and in result files.

use serde::{Deserialize, Serialize};

/// How tasks are handed to workers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Schedule {
    /// Tasks cut into chunks up front, chunk `c` going to worker `c mod p`
    /// (like OpenMP's static schedule, or `Pool.map` with a chunksize).
    Static,
    /// A shared queue: a free worker takes the next chunk (the seed's
    /// producer–consumer model).
    Queue,
}

impl Schedule {
    /// Both schedules, in menu order.
    pub const ALL: [Schedule; 2] = [Schedule::Static, Schedule::Queue];

    /// The name used on the command line and in result files.
    pub fn name(self) -> &'static str {
        match self {
            Schedule::Static => "static",
            Schedule::Queue => "queue",
        }
    }

    /// The chunk size used when none is given: one contiguous block per
    /// worker for static, one task at a time for the queue.
    pub fn default_chunk(self, tasks: u32, workers: u32) -> u32 {
        match self {
            Schedule::Static => tasks.div_ceil(workers.max(1)).max(1),
            Schedule::Queue => 1,
        }
    }
}

impl_named!(Schedule, "schedule");

/// How the problem size relates to the worker count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scaling {
    /// The same tasks at every worker count (Amdahl's law reads it).
    #[default]
    Strong,
    /// `--tasks` per worker: the task count grows with the workers, so ideal
    /// wall time stays flat (Gustafson's law reads it).
    Weak,
}

impl Scaling {
    pub const ALL: [Scaling; 2] = [Scaling::Strong, Scaling::Weak];

    pub fn name(self) -> &'static str {
        match self {
            Scaling::Strong => "strong",
            Scaling::Weak => "weak",
        }
    }

    /// Whether this is the default (so records need not say it).
    pub fn is_strong(&self) -> bool {
        *self == Scaling::Strong
    }
}

impl_named!(Scaling, "scaling");
/// How CPython's process models start their workers
/// (`multiprocessing.get_context(method)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StartMethod {
    /// A copy of the harness process: fast, shares what was loaded.
    #[default]
    Fork,
    /// A fresh interpreter that imports the harness: slow, portable.
    Spawn,
}

impl StartMethod {
    pub const ALL: [StartMethod; 2] = [StartMethod::Fork, StartMethod::Spawn];

    /// The name used on the command line, in result files and by Python.
    pub fn name(self) -> &'static str {
        match self {
            StartMethod::Fork => "fork",
            StartMethod::Spawn => "spawn",
        }
    }
}

impl_named!(StartMethod, "start method");

/// In which order the repetitions of compared runs are taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Order {
    /// The runs of one problem take turns, one repetition each (A B C A B
    /// C …), their pools kept alive in between: a drift in the machine's
    /// speed reaches every model alike.
    #[default]
    Interleaved,
    /// Each run does all its repetitions before the next one starts (A A
    /// A B B B …): what corescope did before, and what result files
    /// without an order were measured with.
    Sequential,
}

impl Order {
    pub const ALL: [Order; 2] = [Order::Interleaved, Order::Sequential];

    pub fn name(self) -> &'static str {
        match self {
            Order::Interleaved => "interleaved",
            Order::Sequential => "sequential",
        }
    }

    /// The order of result files written before it was recorded.
    pub fn legacy() -> Order {
        Order::Sequential
    }
}

impl_named!(Order, "order");
