//! Result records: what a run measured, and the machine it ran on.
//!
//! A [`ResultSet`] is what `--export-json` writes and what the GUI and
//! `report` read back; its shape is documented in the book
//! (`docs/src/reference/json-schema.md`) and versioned by
//! [`SCHEMA_VERSION`]. Every duration is in seconds, every figure over
//! repetitions a [`Summary`] (median, min, max).

mod code;
mod detail;
mod recommendation;
mod validate;

use std::path::Path;

use serde::{Deserialize, Serialize};

pub use code::{CodeRecord, DigestGroup, Isolation};
pub use detail::{
    CpuSample, IpcTotals, MemoryRecord, MemorySample, MpiRecord, RankRecord, RepetitionRecord,
    SpanIpc, SpanRecord, tasks_label,
};
pub use recommendation::{ModelFigure, ProcessCost, Recommendation, Threshold};
pub use validate::{Invalid, MAX_RUNS};

use crate::measure::stats::Summary;
use crate::model::Knob;
use crate::spec::{DEFAULT_IN_FLIGHT, Model, Order, RunSpec, Scaling, Schedule, StartMethod};
use crate::worker::codec::Codec;
use crate::workload::{CodeRef, CommandRef, CountedIn, Sharing, Workload};

/// Version of the JSON layout; bumped on any incompatible change.
/// Version 2: a span may cover a group of consecutive tasks (its `tasks`).
pub const SCHEMA_VERSION: u32 = 2;

/// The oldest version still read: a version 1 file's spans are one task
/// each (`tasks` absent, read as 1).
pub const OLDEST_SCHEMA_VERSION: u32 = 1;

/// Whether this corescope reads files of schema `version`.
pub fn schema_readable(version: u32) -> bool {
    (OLDEST_SCHEMA_VERSION..=SCHEMA_VERSION).contains(&version)
}

/// Runs plus the machine they ran on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultSet {
    pub schema_version: u32,
    /// Version of corescope that measured the runs.
    pub corescope_version: String,
    /// When the set was made, RFC 3339 (UTC).
    pub created: String,
    pub machine: MachineInfo,
    /// The lesson preset this set was measured for, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<String>,
    /// The file this set was opened from in the app, if it was (its name
    /// labels the set on compared charts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// How the repetitions were taken: interleaved between the runs of
    /// one problem, or each run's back to back (files written before the
    /// order was recorded were sequential).
    #[serde(default = "Order::legacy")]
    pub order: Order,
    /// Other programs' use of the machine just before the first run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_before: Option<Box<LoadReading>>,
    /// Other programs' use of the machine across the whole measurement,
    /// from the kernel's CPU counters at its start and end (steal time
    /// included): seen whatever each run's length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_during: Option<Box<LoadReading>>,
    /// Models a lesson asked for that could not run here, each with why
    /// and what gets it (the lesson ran the others).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_measured: Vec<String>,
    /// What makes the set's figures doubtful, as a whole (each run carries
    /// its own); empty when nothing was flagged.
    #[serde(default)]
    pub warnings: Vec<Warning>,
    pub runs: Vec<RunRecord>,
    /// Runs stopped by the time limit (`--time-limit`): they measured
    /// nothing, so they are listed here rather than among `runs`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timed_out: Vec<TimedOutRun>,
    /// `--code` runs: whether every model returned the same results
    /// (`crate::analysis::isolation`); absent for the built-in workloads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub isolation: Option<Isolation>,
    /// Which model and how many workers to use for the set's workload on
    /// its machine, or why that is not settled
    /// (`crate::analysis::recommendation`); absent where the set holds no
    /// run with workers or several workloads, and in older files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommendation: Option<Recommendation>,
}

/// A run the time limit stopped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimedOutRun {
    /// Its place among the experiment's runs, from 0.
    pub index: usize,
    /// Its label, such as `processes ×4`.
    pub label: String,
    /// The limit it ran into, in seconds.
    pub limit_seconds: f64,
}

impl ResultSet {
    /// An empty set stamped with this machine and the current time.
    pub fn new(machine: MachineInfo) -> ResultSet {
        ResultSet {
            schema_version: SCHEMA_VERSION,
            corescope_version: env!("CARGO_PKG_VERSION").to_string(),
            created: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
            machine,
            preset: None,
            source: None,
            load_during: None,
            not_measured: Vec::new(),
            order: Order::default(),
            load_before: None,
            warnings: Vec::new(),
            runs: Vec::new(),
            timed_out: Vec::new(),
            isolation: None,
            recommendation: None,
        }
    }

    /// Whether its runs with workers used more than one schedule (a
    /// comparison of schedules, as in the queue-workers lesson).
    pub fn varies_in_schedule(&self) -> bool {
        let mut schedules = self
            .runs
            .iter()
            .filter(|r| r.model.uses_workers())
            .map(|r| r.schedule);
        schedules
            .next()
            .is_some_and(|first| schedules.any(|s| s != first))
    }

    /// Whether the set sweeps payloads: some workload ran with several
    /// (workloads of different payloads, net's replies beside sqrt-sum,
    /// are a comparison of workloads, not a sweep).
    pub fn sweeps_payloads(&self) -> bool {
        // Each workload's first payload; one pass, as the charts ask this
        // every frame (a run against every other took ~0.1 s per call at
        // 10,000 runs).
        let mut first: Vec<(Workload, u64)> = Vec::new();
        self.runs.iter().any(
            |r| match first.iter().find(|(workload, _)| *workload == r.workload) {
                Some(&(_, payload)) => payload != r.payload_bytes,
                None => {
                    first.push((r.workload, r.payload_bytes));
                    false
                }
            },
        )
    }

    /// Reads a result set, with errors that name the file and the problem:
    /// only a regular file of at most [`MAX_FILE_BYTES`], parsed, then
    /// checked whole ([`ResultSet::validate`]) before anything uses it.
    pub fn load(path: &Path) -> Result<ResultSet, LoadError> {
        let name = path.display().to_string();
        let bytes = crate::untrusted::read_regular(path, MAX_FILE_BYTES).map_err(|source| {
            LoadError::Read {
                path: name.clone(),
                source,
            }
        })?;
        let mut set: ResultSet =
            serde_json::from_slice(&bytes).map_err(|source| LoadError::Parse {
                path: name.clone(),
                source,
            })?;
        if !schema_readable(set.schema_version) {
            return Err(LoadError::Schema {
                path: name,
                found: set.schema_version,
            });
        }
        set.validate()
            .map_err(|Invalid { field, reason }| LoadError::Invalid {
                path: name,
                field,
                reason,
            })?;
        // Read into the current layout (a version 1 span is one task), so
        // it is saved again as the current version.
        set.schema_version = SCHEMA_VERSION;
        Ok(set)
    }

    /// Checks every count, index, time and ratio of the set and the fields
    /// that must agree; the error names the first field that fails.
    pub fn validate(&self) -> Result<(), Invalid> {
        validate::check(self)
    }
}

/// Largest result file read. A run keeps at most a span per task (short
/// tasks share one): at the most tasks a run may have (`spec::MAX_TASKS`,
/// a million), worker processes with their IPC stamps write about 250 MB
/// of them (threads about 90 MB, far less where tasks are grouped), so
/// such a run's file still reads back; a sweep of thousands of runs of
/// ordinary size stays well below.
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

/// Why a result file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not a corescope result set: {source}")]
    Parse {
        path: String,
        source: serde_json::Error,
    },
    #[error(
        "{path} has schema version {found}; this corescope reads versions {OLDEST_SCHEMA_VERSION} to {SCHEMA_VERSION}"
    )]
    Schema { path: String, found: u32 },
    #[error("{path} is not a valid result set: {field}: {reason}")]
    Invalid {
        path: String,
        field: String,
        reason: String,
    },
}

/// The machine a result set was measured on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MachineInfo {
    pub cpu_model: String,
    /// Physical cores, where the OS tells.
    pub physical_cores: Option<u32>,
    /// Logical cores (hardware threads).
    pub logical_cores: u32,
    pub memory_bytes: u64,
    pub os: String,
    pub kernel: String,
    pub arch: String,
}

impl MachineInfo {
    /// Reads the machine's facts through sysinfo; unknown facts stay empty.
    pub fn detect() -> MachineInfo {
        use sysinfo::{CpuRefreshKind, MemoryRefreshKind, RefreshKind, System};
        let system = System::new_with_specifics(
            RefreshKind::nothing()
                .with_cpu(CpuRefreshKind::nothing())
                .with_memory(MemoryRefreshKind::everything()),
        );
        let (cpu_model, memory_bytes, sysinfo_cpus) = match &system {
            Ok(s) => (
                s.cpus()
                    .first()
                    .map(|c| c.brand().trim().to_string())
                    .unwrap_or_default(),
                s.total_memory(),
                s.cpus().len(),
            ),
            Err(_) => (String::new(), 0, 0),
        };
        let logical = std::thread::available_parallelism().map_or(sysinfo_cpus, usize::from);
        MachineInfo {
            cpu_model: if cpu_model.is_empty() {
                "unknown CPU".to_string()
            } else {
                cpu_model
            },
            physical_cores: System::physical_core_count()
                .ok()
                .and_then(|n| u32::try_from(n).ok()),
            logical_cores: u32::try_from(logical.max(1)).unwrap_or(1),
            memory_bytes,
            os: System::long_os_version().unwrap_or_else(|_| std::env::consts::OS.to_string()),
            kernel: System::kernel_version().unwrap_or_default(),
            arch: std::env::consts::ARCH.to_string(),
        }
    }
}

/// What one run (one model at one worker count) measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub workload: Workload,
    pub model: Model,
    pub workers: u32,
    pub schedule: Schedule,
    /// Tasks per chunk actually used.
    pub chunk: u32,
    pub tasks: u32,
    pub size: u64,
    pub payload_bytes: u64,
    pub repeats: u32,
    pub warmup: u32,
    /// How messages to and from worker processes were encoded (bincode in
    /// files written before the knob existed); the process models only.
    #[serde(default)]
    pub codec: Codec,
    /// Weak scaling: `tasks` grew with the workers (`tasks / workers` each)
    /// and `speedup` is the scaled speedup. Absent means strong.
    #[serde(default, skip_serializing_if = "Scaling::is_strong")]
    pub scaling: Scaling,
    /// Wall time per repetition: first task handed out to last result back.
    pub wall_seconds: Summary,
    /// Starting the pool (processes or threads) before the first
    /// repetition; not part of any wall time. 0 for serial.
    pub spawn_seconds: f64,
    /// Sum of the time workers spent inside tasks, per repetition.
    pub compute_seconds: Summary,
    /// CPU time (user + system) per repetition, worker processes included.
    pub cpu_seconds: Summary,
    /// Median serial wall / median wall of this run (same sweep); `None`
    /// when the sweep had no serial run.
    pub speedup: Option<f64>,
    /// Speedup divided by workers.
    pub efficiency: Option<f64>,
    /// Bytes and messages that crossed worker pipes in one repetition
    /// (the median one); 0 for serial and threads.
    pub ipc: IpcTotals,
    /// Resident memory of the run's processes after the median repetition.
    #[serde(default)]
    pub memory: MemoryRecord,
    /// Checksum of the task values in task order, as hex: equal across
    /// models, worker counts and schedules for the same workload.
    pub checksum: String,
    /// Every measured repetition, in order.
    pub repetitions: Vec<RepetitionRecord>,
    /// Task spans of the median repetition.
    pub spans: Vec<SpanRecord>,
    /// gil-threads: the intervals each worker held the global lock in the
    /// median repetition (empty for other models). They never overlap.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gil_holds: Vec<SpanRecord>,
    /// gil-threads: the switch interval in seconds (absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub switch_interval_seconds: Option<f64>,
    /// Worker processes started by the whole run, warm-ups included: the
    /// pool's size for processes, one per task for process-per-task.
    #[serde(default)]
    pub processes_started: u64,
    /// Per-core CPU usage sampled while the run was live (every run's
    /// repetitions, warm-ups included), timed from the start of the median
    /// repetition: samples before it have negative times.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cpu_samples: Vec<CpuSample>,
    /// Resident memory of the run's processes, sampled with `cpu_samples`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub memory_samples: Vec<MemorySample>,
    /// CPython's process models: how the workers were started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_method: Option<StartMethod>,
    /// The processes model with echo payloads: how they travelled (absent:
    /// through the pipe).
    #[serde(default, skip_serializing_if = "is_pipe")]
    pub transport: crate::spec::Transport,
    /// The python models: the interpreter's version (e.g. `3.11.7`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub python_version: Option<String>,
    /// The async models: the runtime's threads (1: current-thread; absent
    /// for the other models).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime_threads: Option<u32>,
    /// The MPI models: the library, the hostfile, whether ranks outnumbered
    /// cores, and each rank's host and traffic (boxed: most runs have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mpi: Option<Box<MpiRecord>>,
    /// `mixed`: percent of each task spent blocked (absent: 0).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub io_percent: u8,
    /// Tasks kept in flight per worker process.
    #[serde(default = "default_in_flight")]
    pub in_flight: u32,
    /// A 95 % confidence interval of the median wall time (bootstrap over
    /// the repetitions); absent with fewer than two repetitions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wall_ci: Option<Interval>,
    /// A 95 % confidence interval of the speedup (bootstrap over this
    /// run's and its baseline's repetitions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speedup_ci: Option<Interval>,
    /// Other programs' use of the machine while this run's repetitions ran
    /// (boxed: most records are passed around without looking at it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load: Option<Box<LoadReading>>,
    /// What makes this run's figures doubtful; empty when nothing was
    /// flagged.
    #[serde(default)]
    pub warnings: Vec<Warning>,
    /// `counter`: how the workers shared the counter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sharing: Option<Sharing>,
    /// `counter`: the increments of one repetition, tasks × size: the total
    /// every repetition should reach.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_total: Option<u64>,
    /// `counter`: the total the main process read after the median
    /// repetition (its shared counter, or the sum of the partial sums).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    /// `counter`: `expected_total − total`: increments the main process
    /// never saw, overwritten by a race or counted in another process's
    /// memory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lost_updates: Option<u64>,
    /// `counter`: where the increments were counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counted_in: Option<CountedIn>,
    /// The python models: the interpreter that ran them, as found (a name
    /// on PATH or a path; python-threads-nogil may find another than the
    /// configured one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub python_interpreter: Option<String>,
    /// The python models: whether the GIL was on (`sys._is_gil_enabled()`;
    /// off only on a free-threaded CPython).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gil_enabled: Option<bool>,
    /// `--code`: the function, and the digest of what it returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<Box<CodeRecord>>,
    /// `--command`: the shell command each task ran (`{}` its index).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
}

fn is_pipe(transport: &crate::spec::Transport) -> bool {
    *transport == crate::spec::Transport::Pipe
}

fn is_zero(value: &u8) -> bool {
    *value == 0
}

fn default_in_flight() -> u32 {
    DEFAULT_IN_FLIGHT
}

/// A range a figure lies in with 95 % confidence.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}

impl Interval {
    /// The interval scaled by `factor` (a speedup's into an efficiency's).
    pub fn scaled(self, factor: f64) -> Interval {
        Interval {
            low: self.low * factor,
            high: self.high * factor,
        }
    }
}

/// How much other programs used the machine over a stretch of time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LoadReading {
    /// Other programs' CPU use, on average, in cores' worth (1.0 = one
    /// core fully busy): every core's use minus corescope's own.
    pub other_cpu_cores: f64,
    /// The most any one sample saw, in cores' worth.
    pub peak_other_cpu_cores: f64,
    /// The system's 1-minute load average at the end of the stretch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_average: Option<f64>,
    /// How many samples the figures come from.
    pub samples: u32,
}

/// Why a figure should not be trusted as it stands, and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    /// A stable name, e.g. `busy-machine` (the book's list:
    /// `docs/src/reference/noise-guard.md`).
    pub code: String,
    /// What was seen, as a sentence.
    pub message: String,
    /// What to do about it, e.g. "close other programs, then re-run".
    #[serde(default)]
    pub remedy: String,
}

impl RunRecord {
    /// Whether two records measured the same work (so one can be the
    /// other's serial baseline): workload, size, tasks and payload.
    pub fn same_workload(&self, other: &RunRecord) -> bool {
        (
            self.workload,
            self.size,
            self.tasks,
            self.payload_bytes,
            self.sharing,
        ) == (
            other.workload,
            other.size,
            other.tasks,
            other.payload_bytes,
            other.sharing,
        )
    }

    /// Tasks given to each worker under weak scaling; all tasks otherwise.
    pub fn base_tasks(&self) -> u32 {
        match self.scaling {
            Scaling::Strong => self.tasks,
            Scaling::Weak => self.tasks / self.workers.max(1),
        }
    }

    /// Whether two records belong on one scaling curve (so one can be the
    /// other's serial baseline): [`Self::same_workload`] under strong
    /// scaling; under weak scaling, the same work per worker.
    pub fn same_problem(&self, other: &RunRecord) -> bool {
        (
            self.workload,
            self.size,
            self.base_tasks(),
            self.payload_bytes,
            self.scaling,
            self.sharing,
        ) == (
            other.workload,
            other.size,
            other.base_tasks(),
            other.payload_bytes,
            other.scaling,
            other.sharing,
        )
    }

    /// A short label such as `processes ×4`.
    pub fn label(&self) -> String {
        if self.model.uses_workers() {
            format!("{} ×{}", self.model, self.workers)
        } else {
            self.model.to_string()
        }
    }

    /// The fields of the record that come straight from its spec.
    pub fn from_spec(spec: &RunSpec) -> RunRecord {
        RunRecord {
            workload: spec.workload.workload,
            model: spec.model,
            workers: spec.workers,
            schedule: spec.schedule,
            chunk: spec.chunk,
            tasks: spec.workload.tasks,
            size: spec.workload.size,
            payload_bytes: spec.workload.payload_bytes,
            repeats: spec.repeats,
            warmup: spec.warmup,
            codec: spec.codec,
            scaling: spec.scaling,
            wall_seconds: Summary::default(),
            spawn_seconds: 0.0,
            compute_seconds: Summary::default(),
            cpu_seconds: Summary::default(),
            speedup: None,
            efficiency: None,
            ipc: IpcTotals::default(),
            memory: MemoryRecord::default(),
            checksum: String::new(),
            repetitions: Vec::new(),
            spans: Vec::new(),
            gil_holds: Vec::new(),
            switch_interval_seconds: (spec.model.info().has_knob(Knob::SwitchInterval))
                .then(|| f64::from(spec.switch_interval_us) / 1e6),
            processes_started: 0,
            cpu_samples: Vec::new(),
            memory_samples: Vec::new(),
            start_method: spec.model.uses_start_method().then_some(spec.start_method),
            // Only where the model moves payloads between processes.
            transport: if spec.model.info().has_knob(Knob::Transport) {
                spec.transport
            } else {
                crate::spec::Transport::Pipe
            },
            python_version: None,
            runtime_threads: (spec.model.info().has_knob(Knob::RuntimeThreads))
                .then_some(spec.runtime_threads),
            io_percent: spec.workload.io_percent,
            in_flight: spec.in_flight,
            wall_ci: None,
            speedup_ci: None,
            load: None,
            warnings: Vec::new(),
            mpi: None,
            sharing: (spec.workload.workload == Workload::Counter).then_some(spec.workload.sharing),
            expected_total: None,
            total: None,
            lost_updates: None,
            counted_in: None,
            python_interpreter: None,
            gil_enabled: None,
            code: None,
            command: spec.workload.command.map(|c| c.text().to_string()),
        }
    }
}

impl RunRecord {
    /// The run that measures this record again (the inverse of
    /// [`RunRecord::from_spec`]; knobs a file did not record take their
    /// defaults).
    pub fn to_spec(&self) -> RunSpec {
        let workload = crate::spec::WorkloadSpec {
            workload: self.workload,
            size: self.size,
            tasks: self.tasks,
            payload_bytes: self.payload_bytes,
            io_percent: self.io_percent,
            sharing: self.sharing.unwrap_or_default(),
            code: self
                .code
                .as_ref()
                .map(|c| CodeRef::intern(c.target.clone())),
            command: self.command.clone().map(CommandRef::intern),
        };
        RunSpec {
            schedule: self.schedule,
            chunk: self.chunk,
            repeats: self.repeats,
            warmup: self.warmup,
            in_flight: self.in_flight,
            switch_interval_us: self
                .switch_interval_seconds
                .map_or(crate::spec::DEFAULT_SWITCH_INTERVAL_US, |s| {
                    (s * 1e6).round() as u32
                }),
            codec: self.codec,
            scaling: self.scaling,
            start_method: self.start_method.unwrap_or_default(),
            runtime_threads: self.runtime_threads.unwrap_or(1),
            transport: self.transport,
            ..RunSpec::new(workload, self.model, self.workers)
        }
    }

    /// Whether MPI ranks outnumbered the cores of a host in this run.
    pub fn oversubscribed(&self) -> bool {
        self.mpi.as_ref().is_some_and(|m| m.oversubscribed)
    }
}

/// Records with made-up timings, for exact tests of analysis and charts.
#[cfg(test)]
pub(crate) mod testing {
    use super::{RunRecord, SpanRecord};
    use crate::measure::stats::Summary;
    use crate::spec::{Model, RunSpec, WorkloadSpec};
    use crate::workload::Workload;

    /// A group of `tasks` tasks from `task`, without IPC stamps.
    pub fn group(worker: u32, task: u32, tasks: u32, start: f64, end: f64) -> SpanRecord {
        SpanRecord {
            tasks,
            ..span(worker, task, start, end)
        }
    }

    /// A task span without IPC stamps.
    pub fn span(worker: u32, task: u32, start: f64, end: f64) -> SpanRecord {
        SpanRecord {
            worker,
            task,
            tasks: 1,
            start_seconds: start,
            end_seconds: end,
            ipc: None,
            members: None,
        }
    }

    /// A sqrt-sum run of `model` at `workers` whose repetitions took
    /// `walls` seconds each, summarised as measured.
    pub fn measured(model: Model, workers: u32, walls: &[f64]) -> RunRecord {
        let mut sorted = walls.to_vec();
        sorted.sort_by(f64::total_cmp);
        let mut r = record(model, workers, sorted[sorted.len() / 2]);
        r.wall_seconds.min = sorted[0];
        r.wall_seconds.max = sorted[sorted.len() - 1];
        r.repeats = u32::try_from(walls.len()).unwrap_or(u32::MAX);
        r.repetitions = walls
            .iter()
            .map(|&w| super::RepetitionRecord {
                wall_seconds: w,
                compute_seconds: 0.0,
                cpu_seconds: 0.0,
                ipc: Default::default(),
                sequence: None,
                total: None,
            })
            .collect();
        r.wall_ci = crate::analysis::wall_interval(&r);
        r
    }

    /// A sqrt-sum run of `model` at `workers` whose repetitions took
    /// `wall` seconds, spread ±10 %.
    pub fn record(model: Model, workers: u32, wall: f64) -> RunRecord {
        let workload = WorkloadSpec {
            workload: Workload::SqrtSum,
            size: 10,
            tasks: 4,
            payload_bytes: 0,
            io_percent: 0,
            sharing: crate::workload::Sharing::Isolated,
            code: None,
            command: None,
        };
        let mut r = RunRecord::from_spec(&RunSpec {
            chunk: 1,
            repeats: 1,
            warmup: 0,
            ..RunSpec::new(workload, model, workers)
        });
        r.wall_seconds = Summary {
            median: wall,
            min: wall * 0.9,
            max: wall * 1.1,
        };
        r
    }
}

#[cfg(test)]
mod tests {
    use super::testing::record;
    use super::*;

    #[test]
    fn a_span_holds_only_what_its_model_records() {
        // Worker processes' IPC stamps and a scattered group's tasks are
        // boxed: a thread's span carries no room for stamps (it took 88
        // bytes before).
        assert_eq!(std::mem::size_of::<SpanRecord>(), 48);
    }

    #[test]
    fn a_sweep_is_one_workload_at_several_payloads() {
        let mut set = ResultSet::new(MachineInfo::default());
        for workers in [1, 2] {
            set.runs.push(record(Model::Processes, workers, 1.0));
        }
        assert!(!set.sweeps_payloads());
        // Another workload with its own payload compares workloads.
        let mut net = record(Model::Processes, 1, 1.0);
        net.workload = Workload::Net;
        net.payload_bytes = 4096;
        set.runs.push(net);
        assert!(!set.sweeps_payloads());
        let mut bigger = record(Model::Processes, 2, 1.0);
        bigger.payload_bytes = 1024;
        set.runs.push(bigger);
        assert!(set.sweeps_payloads());
    }
}
