//! Experiment specifications: the one validated description of what to run.
//!
//! Front ends collect raw text (clap arguments, GUI text fields) into a
//! [`RawExperiment`]; [`RawExperiment::validate`] checks every value once and
//! returns an [`ExperimentSpec`] or a [`SpecError`] naming the [`Field`]
//! (its flag and its form label) and what it accepts. Everything past this point can trust its input.

use serde::{Deserialize, Serialize};

use crate::workload::{Sharing, Workload};

pub use crate::model::Model;
pub use crate::worker::codec::Codec;
pub use crate::worker::shm::Transport;

/// Most workers one run may use: beyond this a laptop drowns in processes.
pub const MAX_WORKERS: u32 = 1024;
/// Most tasks in one run.
pub const MAX_TASKS: u32 = 1_000_000;
/// Largest echo payload: the worker protocol's frame limit is set from it.
pub const MAX_PAYLOAD_BYTES: u64 = 64 * 1024 * 1024;
/// Largest echo payload the JSON codec can carry within one frame.
pub const MAX_JSON_PAYLOAD_BYTES: u64 = 16 * 1024 * 1024;
/// Most repetitions (and warm-ups) of one run.
pub const MAX_REPEATS: u32 = 1000;
/// Most tasks a process worker may hold at once (see `in_flight`).
pub const MAX_IN_FLIGHT: u32 = 64;
/// Most threads an async model's runtime may have.
pub const MAX_RUNTIME_THREADS: u32 = 256;
/// CPython's default `sys.getswitchinterval()`: 5 ms.
pub const DEFAULT_SWITCH_INTERVAL_US: u32 = 5_000;

/// Default tasks kept in flight per worker process: one computing, one
/// waiting in the pipe, so a worker never idles for a round trip.
pub const DEFAULT_IN_FLIGHT: u32 = 2;

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

/// What each task computes and how many there are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkloadSpec {
    pub workload: Workload,
    pub size: u64,
    pub tasks: u32,
    /// Echo payload per task, or the net service's reply, in bytes (0 for
    /// other workloads).
    pub payload_bytes: u64,
    /// `mixed`: percent of each task spent blocked (0 for other workloads).
    #[serde(default)]
    pub io_percent: u8,
    /// `counter`: how workers share the counter (isolated for other
    /// workloads, where it means nothing).
    #[serde(default)]
    pub sharing: Sharing,
}

/// One run: a workload under one model with one worker count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunSpec {
    pub workload: WorkloadSpec,
    pub model: Model,
    pub workers: u32,
    pub schedule: Schedule,
    /// Tasks per chunk, already resolved from the schedule's default.
    pub chunk: u32,
    pub repeats: u32,
    pub warmup: u32,
    /// Tasks kept in flight per worker process.
    pub in_flight: u32,
    /// How long a gil-threads worker may hold the lock while others wait.
    pub switch_interval_us: u32,
    /// How frames to and from worker processes are encoded.
    #[serde(default)]
    pub codec: Codec,
    /// Weak scaling: `workload.tasks` is already the grown count.
    #[serde(default)]
    pub scaling: Scaling,
    /// How CPython's process models start their workers.
    #[serde(default)]
    pub start_method: StartMethod,
    /// The async models: threads of the tokio runtime (1: a current-thread
    /// runtime, the run's own thread).
    #[serde(default = "one")]
    pub runtime_threads: u32,
    /// How the processes model's echo payloads travel.
    #[serde(default)]
    pub transport: Transport,
}

fn one() -> u32 {
    1
}

impl RunSpec {
    /// Tasks executed by the whole run, warm-ups included (for progress).
    pub fn total_tasks(&self) -> u64 {
        u64::from(self.workload.tasks) * u64::from(self.repeats + self.warmup)
    }

    /// A short label such as `processes ×4`.
    pub fn label(&self) -> String {
        if self.model.uses_workers() {
            format!("{} ×{}", self.model, self.workers)
        } else {
            self.model.to_string()
        }
    }
}

/// One workload of an experiment and the echo payloads it sweeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkloadPlan {
    /// The workload; `payload_bytes` is the first payload.
    pub spec: WorkloadSpec,
    /// Echo payloads to sweep, ascending (one entry, 0, for other workloads).
    pub payloads: Vec<u64>,
    /// `counter`: the sharing modes to compare, in the order given
    /// (`spec.sharing` is the first; empty means that one alone).
    #[serde(default)]
    pub sharings: Vec<Sharing>,
}

impl WorkloadPlan {
    /// The workload at every payload and sharing mode it sweeps.
    fn points(&self) -> impl Iterator<Item = WorkloadSpec> + '_ {
        let sharings = if self.sharings.is_empty() {
            std::slice::from_ref(&self.spec.sharing)
        } else {
            &self.sharings[..]
        };
        self.payloads.iter().flat_map(move |&payload_bytes| {
            sharings.iter().map(move |&sharing| WorkloadSpec {
                payload_bytes,
                sharing,
                ..self.spec
            })
        })
    }
}

/// A validated experiment: one workload under several models and worker
/// counts. A single `run` is an experiment with one model and one count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExperimentSpec {
    /// The workloads to compare (usually one), each with its payloads.
    pub workloads: Vec<WorkloadPlan>,
    pub models: Vec<Model>,
    /// Worker counts, ascending, without duplicates.
    pub workers: Vec<u32>,
    /// Schedules to compare (usually one).
    pub schedules: Vec<Schedule>,
    /// Explicit chunk size; `None` lets each run use its schedule's default.
    pub chunk: Option<u32>,
    pub repeats: u32,
    pub warmup: u32,
    pub in_flight: u32,
    pub switch_interval_us: u32,
    #[serde(default)]
    pub codec: Codec,
    /// Strong (fixed tasks) or weak (tasks per worker) scaling.
    #[serde(default)]
    pub scaling: Scaling,
    #[serde(default)]
    pub start_method: StartMethod,
    /// The async models' runtime threads (1: current-thread).
    #[serde(default = "one")]
    pub runtime_threads: u32,
    #[serde(default)]
    pub transport: Transport,
    /// Interleaved (default) or sequential repetitions.
    #[serde(default)]
    pub order: Order,
    /// The lesson preset this experiment comes from, if any.
    pub preset: Option<String>,
    /// Longest one run may take (`--time-limit`): a run still going then is
    /// cancelled, its processes reaped, and it is listed as timed out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_limit: Option<std::time::Duration>,
}

impl ExperimentSpec {
    /// The runs, serial first (it is every speedup's baseline) and run once
    /// with one worker, then each other model at each worker count.
    pub fn runs(&self) -> Vec<RunSpec> {
        let mut models = self.models.clone();
        models.sort();
        models.dedup();
        let mut runs = Vec::new();
        let points = self.workloads.iter().flat_map(WorkloadPlan::points);
        for workload in points {
            // A model runs only the sharing modes it has (CPython has no
            // atomic integer); validate made sure each has one.
            let runs_here = |model: Model| {
                workload.workload != Workload::Counter
                    || model.info().sharing.contains(&workload.sharing)
            };
            for &model in models.iter().filter(|&&m| runs_here(m)) {
                let counts: Vec<u32> = if model.uses_workers() {
                    self.workers.clone()
                } else {
                    vec![1]
                };
                // Serial ignores the schedule: it runs once.
                let schedules = if model.uses_workers() {
                    &self.schedules[..]
                } else {
                    &self.schedules[..1]
                };
                for &schedule in schedules {
                    for &workers in &counts {
                        // Weak scaling gives every worker the base task
                        // count (validate keeps the product in range).
                        let workload = match self.scaling {
                            Scaling::Strong => workload,
                            Scaling::Weak => WorkloadSpec {
                                tasks: workload.tasks.saturating_mul(workers),
                                ..workload
                            },
                        };
                        runs.push(RunSpec {
                            workload,
                            model,
                            workers,
                            schedule,
                            chunk: self
                                .chunk
                                .unwrap_or_else(|| schedule.default_chunk(workload.tasks, workers)),
                            repeats: self.repeats,
                            warmup: self.warmup,
                            in_flight: self.in_flight,
                            switch_interval_us: self.switch_interval_us,
                            codec: self.codec,
                            scaling: self.scaling,
                            start_method: self.start_method,
                            runtime_threads: self.runtime_threads,
                            transport: self.transport,
                        });
                    }
                }
            }
        }
        runs
    }
}

/// A value of an experiment: each knows its command-line flag and the
/// label of its field in the window's form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Workload,
    Size,
    Tasks,
    Payload,
    Models,
    Workers,
    Schedule,
    Chunk,
    Repeats,
    Warmup,
    InFlight,
    SwitchInterval,
    IoPercent,
    Codec,
    Scaling,
    StartMethod,
    Transport,
    TimeLimit,
    Order,
    Sharing,
    RuntimeThreads,
}

impl Field {
    /// The command-line flag that sets it.
    pub fn flag(self) -> &'static str {
        match self {
            Field::Workload => "--workload",
            Field::Size => "--size",
            Field::Tasks => "--tasks",
            Field::Payload => "--payload",
            Field::Models => "--models",
            Field::Workers => "--workers",
            Field::Schedule => "--schedule",
            Field::Chunk => "--chunk",
            Field::Repeats => "--repeats",
            Field::Warmup => "--warmup",
            Field::InFlight => "--in-flight",
            Field::SwitchInterval => "--switch-interval",
            Field::IoPercent => "--io-percent",
            Field::Codec => "--codec",
            Field::Scaling => "--scaling",
            Field::StartMethod => "--start-method",
            Field::Transport => "--transport",
            Field::TimeLimit => "--time-limit",
            Field::Order => "--order",
            Field::Sharing => "--sharing",
            Field::RuntimeThreads => "--runtime-threads",
        }
    }

    /// The label of its field in the window's form (the flag where the
    /// form has none).
    pub fn label(self) -> &'static str {
        match self {
            Field::Workload => "Workload",
            Field::Size => "Size",
            Field::Tasks => "Tasks",
            Field::Payload => "Payload",
            Field::Models => "Models",
            Field::Workers => "Workers",
            Field::Schedule => "Schedule",
            Field::Chunk => "Chunk",
            Field::Repeats => "Repeats",
            Field::Warmup => "Warm-ups",
            Field::SwitchInterval => "Switch interval",
            Field::IoPercent => "Waiting %",
            Field::Codec => "Codec",
            Field::Scaling => "Scaling",
            Field::StartMethod => "Start method",
            Field::Transport => "Transport",
            Field::TimeLimit => "Time limit",
            Field::Order => "Order",
            Field::Sharing => "Sharing",
            Field::RuntimeThreads => "Runtime threads",
            Field::InFlight => "--in-flight",
        }
    }

    /// What the value changes, and its unit: the form's hover text.
    pub fn help(self) -> &'static str {
        match self {
            Field::Workload => {
                "What each task does: compute (sqrt-sum, primes, mandelbrot), wait (sleep), \
                 move a payload (echo) or both (mixed)"
            }
            Field::Size => "How much work one task does; its unit depends on the workload",
            Field::Tasks => {
                "How many tasks the work is cut into (a count; per worker under weak scaling)"
            }
            Field::Payload => {
                "Bytes sent to a worker with each task and back (64KiB, 1MiB; \
                 a range such as 1KiB..16MiB sweeps the size)"
            }
            Field::Models => "The ways of running the tasks to compare, side by side",
            Field::Workers => {
                "How many threads or processes run tasks at once (a count of workers)"
            }
            Field::Schedule => {
                "How tasks reach the workers: static deals chunks out up front, \
                 queue lets a free worker take the next chunk"
            }
            Field::Chunk => {
                "Tasks handed out at a time (a count of tasks; blank: one block per worker \
                 for static, 1 for queue)"
            }
            Field::Repeats => {
                "Measured repetitions of each run; tables and charts show their median (a count)"
            }
            Field::Warmup => {
                "Unmeasured repetitions before the measured ones, to warm caches (a count)"
            }
            Field::InFlight => "Tasks queued ahead per worker process (a count)",
            Field::SwitchInterval => {
                "How long a gil-threads thread may hold the lock before it hands it over \
                 (a duration: 5ms, 100us)"
            }
            Field::IoPercent => {
                "Share of each mixed task spent waiting rather than computing (percent, 0 to 100)"
            }
            Field::Codec => {
                "How messages to worker processes are encoded: bincode (compact binary) \
                 or json (text, larger and slower)"
            }
            Field::Scaling => {
                "strong: the same tasks at every worker count (Amdahl); \
                 weak: tasks per worker, so the work grows with the workers (Gustafson)"
            }
            Field::StartMethod => {
                "How CPython's process pools start workers: fork copies the running \
                 interpreter (fast), spawn starts fresh ones (slow, portable)"
            }
            Field::RuntimeThreads => {
                "async, async+processes: threads of the tokio runtime (a count; 1: a \
                 current-thread runtime, every task on one thread)"
            }
            Field::Sharing => {
                "counter: how the workers share the counter — racy (no synchronisation), \
                 locked (a mutex), atomic (one atomic add) or isolated (partial sums added at the end)"
            }
            Field::Transport => {
                "processes, python-processes: how echo payloads reach the workers: pipe (copied through the pipe \
                 both ways) or shm (shared memory the worker maps; only the task crosses)"
            }
            Field::Order => {
                "interleaved: the runs take turns, one repetition each, so a busy moment \
                 slows every model alike; sequential: each run's repetitions back to back"
            }
            Field::TimeLimit => {
                "Stop any run still going after this long: its processes are killed, \
                 it is listed as timed out and the others go on (a duration: 30s, 2m; blank: none)"
            }
        }
    }
}

/// A value that failed validation: which field, and what it accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {}", .field.flag(), .message)]
pub struct SpecError {
    pub field: Field,
    pub message: String,
    /// Nothing was given where something is needed (the form asks for it
    /// in its own words).
    pub missing: bool,
}

impl SpecError {
    pub fn new(field: Field, message: impl Into<String>) -> Self {
        SpecError {
            field,
            message: message.into(),
            missing: false,
        }
    }

    /// Nothing was given for `field`.
    pub fn missing(field: Field, message: impl Into<String>) -> Self {
        SpecError {
            missing: true,
            ..SpecError::new(field, message)
        }
    }
}

/// An experiment as typed by a person: every value still text, every
/// optional value still absent. Shared by the command line, the GUI form
/// and lesson presets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RawExperiment {
    pub workload: String,
    pub size: Option<String>,
    pub tasks: Option<String>,
    pub payload: Option<String>,
    /// Comma-separated model names.
    pub models: String,
    /// `4`, `1..8`, `1..=8` or `1,2,4,8`; absent means the front end's default.
    pub workers: Option<String>,
    pub schedule: String,
    pub chunk: Option<String>,
    pub repeats: String,
    pub warmup: String,
    pub in_flight: Option<String>,
    /// gil-threads' switch interval, e.g. `5ms`, `500us`.
    pub switch_interval: Option<String>,
    /// `mixed`: percent of each task spent blocked, 0 to 100.
    pub io_percent: Option<String>,
    /// How worker frames are encoded: `bincode` (default) or `json`.
    pub codec: Option<String>,
    /// `strong` (default) or `weak`: tasks per worker.
    pub scaling: Option<String>,
    /// How CPython's process models start workers: `fork` (default) or `spawn`.
    pub start_method: Option<String>,
    /// The async models' runtime threads: `1` (default, current-thread) or more.
    pub runtime_threads: Option<String>,
    /// How the processes model's echo payloads travel: `pipe` (default) or `shm`.
    pub transport: Option<String>,
    /// Stop a run still going after this long, e.g. `30s`; absent: never.
    pub time_limit: Option<String>,
    /// `interleaved` (default) or `sequential` repetitions.
    pub order: Option<String>,
    /// `counter`: how workers share the counter, one mode or several
    /// comma-separated (`racy,locked,atomic,isolated`).
    pub sharing: Option<String>,
}

impl RawExperiment {
    /// Validates the workload knobs for one workload of the experiment.
    fn workload_plan(&self, workload: Workload) -> Result<WorkloadPlan, SpecError> {
        let size = match &self.size {
            Some(text) => parse_count(Field::Size, text)?,
            None => workload.default_size(),
        };
        if size > workload.max_size() {
            return Err(SpecError::new(
                Field::Size,
                format!(
                    "must be at most {} for {workload} ({})",
                    workload.max_size(),
                    workload.size_meaning()
                ),
            ));
        }
        if size < workload.min_size() {
            return Err(SpecError::new(
                Field::Size,
                format!(
                    "must be at least {} for {workload} ({})",
                    workload.min_size(),
                    workload.size_meaning()
                ),
            ));
        }
        let tasks = match &self.tasks {
            Some(text) => parse_in_range(Field::Tasks, text, 1, u64::from(MAX_TASKS))?,
            None => u64::from(workload.default_tasks()),
        };
        let tasks = u32::try_from(tasks).unwrap_or(MAX_TASKS);
        if workload == Workload::Mandelbrot && u64::from(tasks) > size {
            return Err(SpecError::new(
                Field::Tasks,
                format!(
                    "mandelbrot splits the image into row bands: at most --size ({size}) tasks"
                ),
            ));
        }
        let payloads = match &self.payload {
            Some(text) if workload.takes_payload() => parse_payloads(text)?,
            // Checked even where unused, so a typo is never silently ignored.
            Some(text) => parse_payloads(text).map(|_| vec![0])?,
            None => vec![workload.default_payload()],
        };
        let payload_bytes = payloads[0];
        let io_percent = match &self.io_percent {
            Some(text) => parse_in_range(Field::IoPercent, text, 0, 100)? as u8,
            None if workload == Workload::Mixed => 50,
            None => 0,
        };
        let io_percent = if workload == Workload::Mixed {
            io_percent
        } else {
            0
        };
        // Checked even where unused, like the payload.
        let sharings = match &self.sharing {
            Some(text) => parse_sharings(text)?,
            None => vec![Sharing::default()],
        };
        let sharings = if workload == Workload::Counter {
            sharings
        } else {
            vec![Sharing::default()]
        };

        Ok(WorkloadPlan {
            spec: WorkloadSpec {
                workload,
                size,
                tasks,
                payload_bytes,
                io_percent,
                sharing: sharings[0],
            },
            payloads,
            sharings,
        })
    }

    /// Validates every field; `default_workers` fills an absent worker count.
    pub fn validate(&self, default_workers: &[u32]) -> Result<ExperimentSpec, SpecError> {
        let workloads = self.workload_plans()?;
        let models = parse_models(&self.models)?;
        for plan in workloads
            .iter()
            .filter(|p| p.spec.workload == Workload::Counter)
        {
            check_sharing(&models, &plan.sharings)?;
        }
        let workers = match &self.workers {
            Some(text) => parse_workers(text)?,
            None if default_workers.is_empty() => vec![1],
            None => default_workers
                .iter()
                .map(|&w| w.clamp(1, MAX_WORKERS))
                .collect(),
        };
        let schedules = parse_list(
            Field::Schedule,
            &self.schedule,
            &format!(
                "{} or both, comma-separated",
                names(Schedule::ALL.map(Schedule::name)).replace(", ", " or ")
            ),
        )?;
        let chunk = match &self.chunk {
            Some(text) => Some(parse_in_range(Field::Chunk, text, 1, u64::from(MAX_TASKS))? as u32),
            None => None,
        };
        let repeats =
            parse_in_range(Field::Repeats, &self.repeats, 1, u64::from(MAX_REPEATS))? as u32;
        let warmup = parse_in_range(Field::Warmup, &self.warmup, 0, u64::from(MAX_REPEATS))? as u32;
        let in_flight = match &self.in_flight {
            Some(text) => {
                parse_in_range(Field::InFlight, text, 1, u64::from(MAX_IN_FLIGHT))? as u32
            }
            None => DEFAULT_IN_FLIGHT,
        };
        let switch_interval_us = match &self.switch_interval {
            Some(text) => parse_interval_us(Field::SwitchInterval, text)?,
            None => DEFAULT_SWITCH_INTERVAL_US,
        };
        let codec: Codec = parse_choice(
            Field::Codec,
            self.codec.as_deref(),
            &format!("one of {}", names(Codec::ALL.map(Codec::name))),
        )?;
        let start_method: StartMethod = parse_choice(
            Field::StartMethod,
            self.start_method.as_deref(),
            &format!("one of {}", names(StartMethod::ALL.map(StartMethod::name))),
        )?;
        let transport: Transport = parse_choice(
            Field::Transport,
            self.transport.as_deref(),
            &names(Transport::ALL.map(Transport::name)).replace(", ", " or "),
        )?;
        check_json_payloads(codec, &workloads)?;
        let scaling: Scaling = parse_choice(
            Field::Scaling,
            self.scaling.as_deref(),
            &names(Scaling::ALL.map(Scaling::name)).replace(", ", " or "),
        )?;
        let order: Order = parse_choice(
            Field::Order,
            self.order.as_deref(),
            &names(Order::ALL.map(Order::name)).replace(", ", " or "),
        )?;
        if scaling == Scaling::Weak {
            check_weak_tasks(&workloads, &workers)?;
        }
        let runtime_threads = match &self.runtime_threads {
            Some(text) => parse_in_range(
                Field::RuntimeThreads,
                text,
                1,
                u64::from(MAX_RUNTIME_THREADS),
            )? as u32,
            None => 1,
        };
        Ok(ExperimentSpec {
            workloads,
            models,
            workers,
            schedules,
            chunk,
            repeats,
            warmup,
            in_flight,
            switch_interval_us,
            codec,
            scaling,
            start_method,
            runtime_threads,
            transport,
            order,
            preset: None,
            time_limit: parse_time_limit(self.time_limit.as_deref())?,
        })
    }

    /// Each workload named once, with its validated knobs.
    fn workload_plans(&self) -> Result<Vec<WorkloadPlan>, SpecError> {
        let expected = format!(
            "one or more of {}",
            names(Workload::ALL.map(Workload::name))
        );
        parse_list(Field::Workload, &self.workload, &expected)?
            .into_iter()
            .map(|workload| self.workload_plan(workload))
            .collect()
    }
}

/// A comma-separated list of names, each kept once, in the order given.
fn parse_list<T>(field: Field, text: &str, expected: &str) -> Result<Vec<T>, SpecError>
where
    T: std::str::FromStr<Err = String> + PartialEq,
{
    let mut parsed = Vec::new();
    for part in text.split(',').map(str::trim) {
        let value: T = part
            .parse()
            .map_err(|e: String| SpecError::new(field, format!("{e}; expected {expected}")))?;
        if !parsed.contains(&value) {
            parsed.push(value);
        }
    }
    Ok(parsed)
}

/// One name of a closed set, or the default when absent.
fn parse_choice<T>(field: Field, text: Option<&str>, expected: &str) -> Result<T, SpecError>
where
    T: std::str::FromStr<Err = String> + Default,
{
    match text {
        Some(text) => text
            .parse()
            .map_err(|e: String| SpecError::new(field, format!("{e}; expected {expected}"))),
        None => Ok(T::default()),
    }
}

/// `--time-limit`: a positive duration such as `30s` or `2m`; blank is none.
fn parse_time_limit(text: Option<&str>) -> Result<Option<std::time::Duration>, SpecError> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    match humantime::parse_duration(text) {
        Ok(limit) if !limit.is_zero() => Ok(Some(limit)),
        _ => Err(SpecError::new(
            Field::TimeLimit,
            format!("'{text}' is not a positive time such as 30s or 2m"),
        )),
    }
}

/// JSON writes each payload byte as a number (up to four bytes): past
/// 16 MiB a frame would outgrow the protocol's limit mid-run.
fn check_json_payloads(codec: Codec, workloads: &[WorkloadPlan]) -> Result<(), SpecError> {
    let largest = workloads
        .iter()
        .flat_map(|w| w.payloads.iter())
        .max()
        .copied()
        .unwrap_or(0);
    if codec == Codec::Json && largest > MAX_JSON_PAYLOAD_BYTES {
        return Err(SpecError::new(
            Field::Payload,
            format!(
                "{} is too large for --codec json (at most 16MiB); use bincode for larger payloads",
                crate::format::bytes(largest)
            ),
        ));
    }
    Ok(())
}

/// Weak scaling multiplies tasks by workers: the product must stay a run.
fn check_weak_tasks(workloads: &[WorkloadPlan], workers: &[u32]) -> Result<(), SpecError> {
    let most_workers = workers.iter().copied().max().unwrap_or(1);
    for plan in workloads {
        let grown = u64::from(plan.spec.tasks) * u64::from(most_workers);
        if grown > u64::from(MAX_TASKS) {
            return Err(SpecError::new(
                Field::Tasks,
                format!(
                    "{} per worker × {most_workers} workers is {grown} tasks, more than {MAX_TASKS}",
                    plan.spec.tasks
                ),
            ));
        }
    }
    Ok(())
}

/// The worker counts a sweep uses when none are given: every count up to
/// the logical cores on small machines; powers of two and the core count on
/// large ones, so the default sweep stays short.
pub fn default_sweep_workers(logical_cores: u32) -> Vec<u32> {
    let cores = logical_cores.clamp(1, MAX_WORKERS);
    if cores <= 8 {
        return (1..=cores).collect();
    }
    let mut counts: Vec<u32> = std::iter::successors(Some(1u32), |&n| n.checked_mul(2))
        .take_while(|&n| n < cores)
        .collect();
    counts.push(cores);
    counts
}

fn names<const N: usize>(list: [&str; N]) -> String {
    list.join(", ")
}

/// Parses sharing modes: one name or several, comma-separated, kept in
/// the order given without duplicates.
fn parse_sharings(text: &str) -> Result<Vec<Sharing>, SpecError> {
    let mut sharings = Vec::new();
    for part in text.split(',').map(str::trim) {
        let sharing: Sharing = part.parse().map_err(|e: String| {
            SpecError::new(
                Field::Sharing,
                format!(
                    "{e}; expected one or more of {}, comma-separated",
                    names(Sharing::ALL.map(Sharing::name))
                ),
            )
        })?;
        if !sharings.contains(&sharing) {
            sharings.push(sharing);
        }
    }
    Ok(sharings)
}

/// Every model must run at least one of the sharing modes asked for.
fn check_sharing(models: &[Model], sharings: &[Sharing]) -> Result<(), SpecError> {
    for &model in models {
        let has = model.info().sharing;
        if !sharings.iter().any(|s| has.contains(s)) {
            let asked: Vec<&str> = sharings.iter().map(|s| s.name()).collect();
            let offered: Vec<&str> = has.iter().map(|s| s.name()).collect();
            return Err(SpecError::new(
                Field::Sharing,
                if offered.is_empty() {
                    format!("{model} does not run the counter workload")
                } else {
                    format!(
                        "{model} cannot count {}; it has {}",
                        asked.join(" or "),
                        offered.join(", ")
                    )
                },
            ));
        }
    }
    Ok(())
}

fn parse_models(text: &str) -> Result<Vec<Model>, SpecError> {
    let expected = names(Model::ALL.map(Model::name));
    let mut models = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let model: Model = part.parse().map_err(|e: String| {
            SpecError::new(
                Field::Models,
                format!("{e}; expected one or more of {expected}"),
            )
        })?;
        if !models.contains(&model) {
            models.push(model);
        }
    }
    if models.is_empty() {
        return Err(SpecError::missing(
            Field::Models,
            format!("no model given; expected one or more of {expected}"),
        ));
    }
    Ok(models)
}

/// Parses a worker count list: `4`, `1..8`, `1..=8` (both inclusive) or
/// `1,2,4,8`. Each count must lie in 1..=[`MAX_WORKERS`].
pub fn parse_workers(text: &str) -> Result<Vec<u32>, SpecError> {
    const FLAG: Field = Field::Workers;
    const ACCEPTS: &str =
        "expected a count from 1 to 1024, a range such as 1..8, or a list such as 1,2,4,8";
    let text = text.trim();
    let one = |s: &str| -> Result<u32, SpecError> {
        let value = parse_count(FLAG, s)
            .map_err(|e| SpecError::new(FLAG, format!("{}; {ACCEPTS}", e.message)))?;
        if !(1..=u64::from(MAX_WORKERS)).contains(&value) {
            return Err(SpecError::new(
                FLAG,
                format!("{value} is out of range; {ACCEPTS}"),
            ));
        }
        Ok(value as u32)
    };
    let mut counts = if let Some((from, to)) = text.split_once("..") {
        let to = to.strip_prefix('=').unwrap_or(to);
        let (from, to) = (one(from)?, one(to)?);
        if from > to {
            return Err(SpecError::new(
                FLAG,
                format!("the range {text} runs backwards; write it low to high, e.g. {to}..{from}"),
            ));
        }
        (from..=to).collect::<Vec<u32>>()
    } else {
        text.split(',').map(one).collect::<Result<Vec<u32>, _>>()?
    };
    counts.sort_unstable();
    counts.dedup();
    Ok(counts)
}

fn parse_in_range(field: Field, text: &str, min: u64, max: u64) -> Result<u64, SpecError> {
    let value = parse_count(field, text)?;
    if value < min || value > max {
        return Err(SpecError::new(
            field,
            format!("{value} is out of range; expected {min} to {max}"),
        ));
    }
    Ok(value)
}

/// Parses a non-negative count: digits with optional `_` separators and an
/// optional decimal suffix `k`, `M` or `G` (`10M` = 10,000,000).
pub fn parse_count(field: Field, text: &str) -> Result<u64, SpecError> {
    parse_number(text).map_err(|message| SpecError::new(field, message))
}

/// [`parse_count`] for a value that is no experiment field (an image
/// size, say): the error says what was wrong and what is accepted.
pub fn parse_number(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let accepts = "expected a whole number such as 1000000, 1_000_000 or 1M";
    if trimmed.starts_with('-') {
        return Err(format!("'{trimmed}' is negative; {accepts}"));
    }
    let (digits, multiplier) = match trimmed.char_indices().last() {
        Some((i, 'k' | 'K')) => (&trimmed[..i], 1_000),
        Some((i, 'M')) => (&trimmed[..i], 1_000_000),
        Some((i, 'G')) => (&trimmed[..i], 1_000_000_000),
        _ => (trimmed, 1),
    };
    let digits: String = digits.chars().filter(|&c| c != '_').collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("'{trimmed}' is not a number; {accepts}"));
    }
    digits
        .parse::<u64>()
        .ok()
        .and_then(|v| v.checked_mul(multiplier))
        .ok_or_else(|| format!("'{trimmed}' is too large"))
}

/// Parses a time interval into microseconds: a number with `us` (or `µs`),
/// `ms` or `s`, e.g. `5ms`, `0.5ms`, `200us`; a bare number is milliseconds.
/// Accepts 10 µs to 1 s.
pub fn parse_interval_us(field: Field, text: &str) -> Result<u32, SpecError> {
    let trimmed = text.trim();
    let accepts = "expected an interval from 10us to 1s such as 5ms, 0.5ms or 200us";
    let split = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let scale = match unit.trim() {
        "" | "ms" => 1_000.0,
        "us" | "µs" => 1.0,
        "s" => 1_000_000.0,
        other => {
            return Err(SpecError::new(
                field,
                format!("unknown unit '{other}' in '{trimmed}'; {accepts}"),
            ));
        }
    };
    let value: f64 = number
        .parse()
        .map_err(|_| SpecError::new(field, format!("'{trimmed}' is not a number; {accepts}")))?;
    let us = value * scale;
    if !(10.0..=1_000_000.0).contains(&us) {
        return Err(SpecError::new(
            field,
            format!("'{trimmed}' is out of range; {accepts}"),
        ));
    }
    Ok(us.round() as u32)
}

/// Parses echo payloads: one size (`64KiB`), a list (`1KiB,64KiB,1MiB`) or
/// a range `A..B` stepping ×4 from A up to B (`1KiB..64MiB`: 1, 4, 16 … 64
/// MiB). Each at most 64 MiB; returned ascending without duplicates.
pub fn parse_payloads(text: &str) -> Result<Vec<u64>, SpecError> {
    const FLAG: Field = Field::Payload;
    let one = |s: &str| -> Result<u64, SpecError> {
        let bytes = parse_bytes(FLAG, s)?;
        if bytes > MAX_PAYLOAD_BYTES {
            return Err(SpecError::new(
                FLAG,
                format!("{} is over the limit of 64MiB", s.trim()),
            ));
        }
        Ok(bytes)
    };
    let mut sizes = if let Some((from, to)) = text.split_once("..") {
        let (from, to) = (one(from)?, one(to)?);
        if from == 0 || from > to {
            return Err(SpecError::new(
                FLAG,
                format!(
                    "the range {} must run from a size above 0 up to a larger one, e.g. 1KiB..64MiB",
                    text.trim()
                ),
            ));
        }
        let mut sizes: Vec<u64> = std::iter::successors(Some(from), |&s| s.checked_mul(4))
            .take_while(|&s| s <= to)
            .collect();
        if sizes.last() != Some(&to) {
            sizes.push(to);
        }
        sizes
    } else {
        text.split(',').map(one).collect::<Result<Vec<u64>, _>>()?
    };
    sizes.sort_unstable();
    sizes.dedup();
    Ok(sizes)
}

/// Parses a byte size: a whole number with an optional unit, `B`, `KB`,
/// `MB`, `GB` (powers of 1000) or `KiB`, `MiB`, `GiB` (powers of 1024),
/// case-insensitive, e.g. `64KiB`, `1 MiB`, `512`.
pub fn parse_bytes(field: Field, text: &str) -> Result<u64, SpecError> {
    let trimmed = text.trim();
    let accepts =
        "expected a size in bytes such as 512, 64KiB or 1MiB (units B, KB, KiB, MB, MiB, GB, GiB)";
    if trimmed.starts_with('-') {
        return Err(SpecError::new(
            field,
            format!("'{trimmed}' is negative; {accepts}"),
        ));
    }
    let split = trimmed
        .find(|c: char| !c.is_ascii_digit() && c != '_')
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let number: String = number.chars().filter(|&c| c != '_').collect();
    let multiplier: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1000,
        "kib" => 1024,
        "m" | "mb" => 1000 * 1000,
        "mib" => 1024 * 1024,
        "g" | "gb" => 1000 * 1000 * 1000,
        "gib" => 1024 * 1024 * 1024,
        _ => {
            return Err(SpecError::new(
                field,
                format!("unknown unit '{}' in '{trimmed}'; {accepts}", unit.trim()),
            ));
        }
    };
    if number.is_empty() {
        return Err(SpecError::new(
            field,
            format!("'{trimmed}' has no number; {accepts}"),
        ));
    }
    number
        .parse::<u64>()
        .ok()
        .and_then(|v| v.checked_mul(multiplier))
        .ok_or_else(|| SpecError::new(field, format!("'{trimmed}' is too large")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw() -> RawExperiment {
        RawExperiment {
            workload: "sqrt-sum".into(),
            models: "serial,threads,processes".into(),
            schedule: "queue".into(),
            repeats: "3".into(),
            warmup: "1".into(),
            ..RawExperiment::default()
        }
    }

    #[test]
    fn defaults_validate() {
        let spec = raw().validate(&[2]).unwrap();
        assert_eq!(spec.workers, vec![2]);
        assert_eq!(
            spec.workloads[0].spec.size,
            Workload::SqrtSum.default_size()
        );
        assert_eq!(spec.workloads[0].spec.payload_bytes, 0);
    }

    #[test]
    fn codecs_default_to_bincode_and_reach_every_run() {
        let spec = raw().validate(&[2]).unwrap();
        assert_eq!(spec.codec, Codec::Bincode);
        let mut r = raw();
        r.codec = Some("JSON".into());
        let runs = r.validate(&[2]).unwrap().runs();
        assert!(runs.iter().all(|run| run.codec == Codec::Json));
        r.codec = Some("xml".into());
        let err = r.validate(&[2]).unwrap_err();
        assert_eq!(err.field.flag(), "--codec");
        assert!(err.message.contains("bincode, json"), "{err}");
    }

    #[test]
    fn start_methods_are_validated_once_and_reach_every_run() {
        let mut r = raw();
        r.models = "python-serial,python-processes".into();
        let runs = r.validate(&[2]).unwrap().runs();
        assert!(runs.iter().all(|run| run.start_method == StartMethod::Fork));
        r.start_method = Some("Spawn".into());
        let runs = r.validate(&[2]).unwrap().runs();
        assert!(
            runs.iter()
                .all(|run| run.start_method == StartMethod::Spawn)
        );
        // python-serial first among the python models: their baseline.
        assert_eq!(runs[0].model, Model::PythonSerial);
        r.start_method = Some("forkserver".into());
        let err = r.validate(&[2]).unwrap_err();
        assert_eq!(err.field.flag(), "--start-method");
        assert!(err.message.contains("fork, spawn"), "{err}");
    }

    #[test]
    fn python_models_have_names_and_baselines() {
        for model in Model::ALL {
            assert_eq!(model.name().parse::<Model>(), Ok(model));
            assert_eq!(model.is_python(), model.name().starts_with("python-"));
            assert_eq!(model.baseline().is_python(), model.is_python());
        }
        assert!(!Model::PythonSerial.uses_workers());
        assert!(Model::PythonQueue.uses_start_method());
        assert!(!Model::PythonThreads.uses_processes());
    }

    #[test]
    fn worker_lists_and_ranges() {
        assert_eq!(parse_workers("1..4").unwrap(), vec![1, 2, 3, 4]);
        assert_eq!(parse_workers("1..=3").unwrap(), vec![1, 2, 3]);
        assert_eq!(parse_workers("8,1,2,2").unwrap(), vec![1, 2, 8]);
        assert_eq!(parse_workers("4").unwrap(), vec![4]);
        for bad in ["0", "1025", "4..1", "", "a", "-1", "1..", "1,,2"] {
            let err = parse_workers(bad).unwrap_err();
            assert_eq!(err.field.flag(), "--workers", "{bad}");
        }
        assert!(
            parse_workers("4..1")
                .unwrap_err()
                .message
                .contains("backwards")
        );
    }

    #[test]
    fn counts_and_bytes() {
        assert_eq!(parse_count(Field::Size, "1_000_000").unwrap(), 1_000_000);
        assert_eq!(parse_count(Field::Size, "10M").unwrap(), 10_000_000);
        assert!(
            parse_count(Field::Size, "-5")
                .unwrap_err()
                .message
                .contains("negative")
        );
        assert!(parse_count(Field::Size, "12QB").is_err());
        assert_eq!(parse_bytes(Field::Payload, "64KiB").unwrap(), 65536);
        assert_eq!(parse_bytes(Field::Payload, "1 MiB").unwrap(), 1 << 20);
        assert_eq!(parse_bytes(Field::Payload, "1mb").unwrap(), 1_000_000);
        assert_eq!(parse_bytes(Field::Payload, "512").unwrap(), 512);
        let err = parse_bytes(Field::Payload, "12QB").unwrap_err();
        assert!(err.message.contains("unknown unit 'QB'"), "{err}");
        assert!(parse_bytes(Field::Payload, "KiB").is_err());
    }

    #[test]
    fn bad_values_name_their_flag() {
        type Breaker = fn(&mut RawExperiment);
        let cases: [(&str, Breaker); 7] = [
            ("--workload", |r| r.workload = "quicksort".into()),
            ("--models", |r| r.models = "serial,fibers".into()),
            ("--tasks", |r| r.tasks = Some("0".into())),
            ("--repeats", |r| r.repeats = "0".into()),
            ("--size", |r| r.size = Some("-3".into())),
            ("--payload", |r| r.payload = Some("65MiB".into())),
            ("--schedule", |r| r.schedule = "random".into()),
        ];
        for (flag, break_it) in cases {
            let mut r = raw();
            r.workload = "echo".into();
            break_it(&mut r);
            assert_eq!(r.validate(&[2]).unwrap_err().field.flag(), flag);
        }
    }

    #[test]
    fn payload_sweeps() {
        assert_eq!(parse_payloads("64KiB").unwrap(), [65536]);
        assert_eq!(parse_payloads("1MiB,1KiB").unwrap(), [1024, 1 << 20]);
        let sweep = parse_payloads("1KiB..64MiB").unwrap();
        assert_eq!(sweep.len(), 9);
        assert_eq!((sweep[0], sweep[8]), (1024, 64 << 20));
        assert_eq!(parse_payloads("1KiB..10KiB").unwrap(), [1024, 4096, 10240]);
        for bad in ["65MiB", "4KiB..1KiB", "0..1KiB", "12QB", "1KiB.."] {
            assert!(parse_payloads(bad).is_err(), "{bad}");
        }
        let mut r = raw();
        r.workload = "echo".into();
        r.models = "serial,processes".into();
        r.workers = Some("2".into());
        r.payload = Some("1KiB,1MiB".into());
        let runs = r.validate(&[2]).unwrap().runs();
        let points: Vec<(u64, String)> = runs
            .iter()
            .map(|r| (r.workload.payload_bytes, r.label()))
            .collect();
        assert_eq!(points[0], (1024, "serial".to_string()));
        assert_eq!(points[3], (1 << 20, "processes ×2".to_string()));
    }

    #[test]
    fn switch_intervals() {
        assert_eq!(
            parse_interval_us(Field::SwitchInterval, "5ms").unwrap(),
            5000
        );
        assert_eq!(
            parse_interval_us(Field::SwitchInterval, "0.5ms").unwrap(),
            500
        );
        assert_eq!(
            parse_interval_us(Field::SwitchInterval, "200us").unwrap(),
            200
        );
        assert_eq!(parse_interval_us(Field::SwitchInterval, "2").unwrap(), 2000);
        for bad in ["0ms", "5 parsecs", "-1ms", "2s", "fast"] {
            assert!(
                parse_interval_us(Field::SwitchInterval, bad).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn sharing_modes_sweep_and_each_model_runs_the_ones_it_has() {
        let mut r = raw();
        r.workload = "counter".into();
        r.models = "serial,threads,python-threads".into();
        r.workers = Some("2".into());
        r.sharing = Some("atomic, racy,atomic".into());
        let spec = r.validate(&[2]).unwrap();
        assert_eq!(spec.workloads[0].sharings, [Sharing::Atomic, Sharing::Racy]);
        let runs: Vec<(String, Sharing)> = spec
            .runs()
            .iter()
            .map(|r| (r.label(), r.workload.sharing))
            .collect();
        // CPython has no atomic counter: python-threads runs racy only.
        assert_eq!(
            runs,
            [
                ("serial".to_string(), Sharing::Atomic),
                ("threads ×2".to_string(), Sharing::Atomic),
                ("serial".to_string(), Sharing::Racy),
                ("threads ×2".to_string(), Sharing::Racy),
                ("python-threads ×2".to_string(), Sharing::Racy),
            ]
        );
        r.sharing = Some("atomic".into());
        let err = r.validate(&[2]).unwrap_err();
        assert_eq!(err.field, Field::Sharing);
        assert!(
            err.message.contains("python-threads cannot count atomic"),
            "{err}"
        );
        r.sharing = Some("sloppy".into());
        assert_eq!(r.validate(&[2]).unwrap_err().field, Field::Sharing);
        // Other workloads ignore the knob (but not a typo in it).
        r.workload = "sqrt-sum".into();
        r.sharing = Some("racy".into());
        let runs = r.validate(&[2]).unwrap().runs();
        assert!(runs.iter().all(|r| r.workload.sharing == Sharing::Isolated));
        assert_eq!(runs.len(), 3);
    }

    #[test]
    fn default_sweeps_stay_short() {
        assert_eq!(default_sweep_workers(2), [1, 2]);
        assert_eq!(default_sweep_workers(16), [1, 2, 4, 8, 16]);
        assert_eq!(default_sweep_workers(12), [1, 2, 4, 8, 12]);
    }

    #[test]
    fn runs_put_serial_first_once() {
        let mut r = raw();
        r.models = "processes,serial".into();
        r.workers = Some("1..3".into());
        let runs = r.validate(&[2]).unwrap().runs();
        let labels: Vec<String> = runs.iter().map(RunSpec::label).collect();
        assert_eq!(
            labels,
            ["serial", "processes ×1", "processes ×2", "processes ×3"]
        );
        // Static chunks default to one block per worker.
        r.schedule = "static".into();
        r.tasks = Some("10".into());
        let runs = r.validate(&[2]).unwrap().runs();
        assert_eq!(runs[3].chunk, 4);
    }
}
