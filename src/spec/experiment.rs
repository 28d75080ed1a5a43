//! The validated experiment ([`ExperimentSpec`]) and the runs it expands
//! to ([`RunSpec`]): what the engine is handed, every value checked.
//!
//! A setting's typed value is read here, by its [`Setting`], from the
//! experiment as typed (`ExperimentSpec::read`), then handed to each run
//! ([`ExperimentSpec::runs`]); [`RunSpec::new`] gives it its default.

use serde::{Deserialize, Serialize};

use crate::limits::{DEFAULT_IN_FLIGHT, DEFAULT_SWITCH_INTERVAL_US, MAX_WORKERS};
use crate::model::Model;
use crate::settings::Setting;
use crate::settings::values::{Order, Scaling, Schedule, StartMethod};
use crate::worker::codec::Codec;
use crate::worker::shm::Transport;
use crate::workload::{CodeRef, CommandRef, Sharing, Workload};

use super::parse::SpecError;
use super::raw::RawExperiment;

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
    /// `code`: the Python file and function each task calls. Always
    /// written (no `skip_serializing_if`): MPI ranks get the spec in
    /// bincode, which has no field names to skip by.
    #[serde(default)]
    pub code: Option<CodeRef>,
    /// `command`: the shell command each task runs (`{}` its index).
    /// Always written, as `code` is.
    #[serde(default)]
    pub command: Option<CommandRef>,
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
    /// A run of `workload` under `model` with `workers`, every other
    /// setting at its default (the catalogue's fallback; the chunk its
    /// schedule's): what a record that did not note a setting ran with.
    /// Front ends validate a [`super::RawExperiment`] instead.
    pub fn new(workload: WorkloadSpec, model: Model, workers: u32) -> RunSpec {
        let schedule = Schedule::Queue;
        RunSpec {
            workload,
            model,
            workers,
            schedule,
            chunk: schedule.default_chunk(workload.tasks, workers),
            repeats: 3,
            warmup: 1,
            in_flight: DEFAULT_IN_FLIGHT,
            switch_interval_us: DEFAULT_SWITCH_INTERVAL_US,
            codec: Codec::default(),
            scaling: Scaling::default(),
            start_method: StartMethod::default(),
            runtime_threads: 1,
            transport: Transport::default(),
        }
    }

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
    /// The experiment's settings read from `raw` as typed values (each
    /// its fallback when absent), around what validation has worked out:
    /// the workloads, models, worker counts and schedules.
    pub(super) fn read(
        raw: &RawExperiment,
        workloads: Vec<WorkloadPlan>,
        models: Vec<Model>,
        workers: Vec<u32>,
        schedules: Vec<Schedule>,
    ) -> Result<ExperimentSpec, SpecError> {
        Ok(ExperimentSpec {
            workloads,
            models,
            workers,
            schedules,
            chunk: raw.count(Setting::Chunk)?.map(|c| c as u32),
            repeats: raw.count_u32(Setting::Repeats)?,
            warmup: raw.count_u32(Setting::Warmup)?,
            in_flight: raw.count_u32(Setting::InFlight)?,
            switch_interval_us: raw.interval_us(Setting::SwitchInterval)?,
            codec: raw.choice(Setting::Codec)?,
            scaling: raw.choice(Setting::Scaling)?,
            start_method: raw.choice(Setting::StartMethod)?,
            runtime_threads: raw.count_u32(Setting::RuntimeThreads)?,
            transport: raw.choice(Setting::Transport)?,
            order: raw.choice(Setting::Order)?,
            preset: None,
            time_limit: raw.duration(Setting::TimeLimit)?,
        })
    }

    /// How many runs [`ExperimentSpec::runs`] makes, counted without making
    /// them (a sweep too large to hold is refused by this count).
    pub fn run_count(&self) -> usize {
        let mut models = self.models.clone();
        models.sort();
        models.dedup();
        let mut count = 0usize;
        for workload in self.workloads.iter().flat_map(WorkloadPlan::points) {
            for &model in models.iter().filter(|&&m| runs_at(&workload, m)) {
                let here = self
                    .schedules_of(model)
                    .len()
                    .saturating_mul(self.worker_counts(model).len());
                count = count.saturating_add(here);
            }
        }
        count
    }

    /// The worker counts a model runs at: the sweep's, or one for a model
    /// without workers.
    fn worker_counts(&self, model: Model) -> &[u32] {
        if model.uses_workers() {
            &self.workers
        } else {
            &[1]
        }
    }

    /// The schedules a model runs: the sweep's, or the first alone for a
    /// model without workers (serial ignores the schedule: it runs once).
    fn schedules_of(&self, model: Model) -> &[Schedule] {
        if model.uses_workers() {
            &self.schedules
        } else {
            &self.schedules[..self.schedules.len().min(1)]
        }
    }

    /// The runs, serial first (it is every speedup's baseline) and run once
    /// with one worker, then each other model at each worker count.
    pub fn runs(&self) -> Vec<RunSpec> {
        let mut models = self.models.clone();
        models.sort();
        models.dedup();
        let mut runs = Vec::new();
        let points = self.workloads.iter().flat_map(WorkloadPlan::points);
        for workload in points {
            for &model in models.iter().filter(|&&m| runs_at(&workload, m)) {
                for &schedule in self.schedules_of(model) {
                    for &workers in self.worker_counts(model) {
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

/// Whether `model` runs at this point of the sweep: a model runs only the
/// sharing modes it has (CPython has no atomic integer; validate made sure
/// each has one).
fn runs_at(workload: &WorkloadSpec, model: Model) -> bool {
    workload.workload != Workload::Counter || model.info().sharing.contains(&workload.sharing)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::RunSpec;
    use crate::spec::raw::tests::raw;

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
    fn default_sweeps_stay_short() {
        assert_eq!(default_sweep_workers(2), [1, 2]);
        assert_eq!(default_sweep_workers(16), [1, 2, 4, 8, 16]);
        assert_eq!(default_sweep_workers(12), [1, 2, 4, 8, 12]);
    }

    #[test]
    fn a_new_run_has_the_defaults_an_experiment_validates_to() {
        let mut r = raw().with(Setting::Models, "processes");
        for default in [Setting::Repeats, Setting::Warmup, Setting::Schedule] {
            r.set(default, None);
        }
        let runs = r.validate(&[3]).unwrap().runs();
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0], RunSpec::new(runs[0].workload, Model::Processes, 3));
    }
}
