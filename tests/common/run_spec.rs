//! One way the tests and benches write a run and run it: [`run_spec`] takes
//! the model and the workload, gives it one worker, four tasks, one
//! repetition and no warm-up, every other setting its default from
//! [`RunSpec::new`] (a queue of one task per chunk, bincode over pipes, one
//! runtime thread …), and a test chains
//! setters for what it is about, so the spec reads as the test's subject:
//!
//! ```ignore
//! let spec = run_spec(Model::Processes, Workload::Echo).workers(2).payload(10_000).build();
//! let record = run(&spec);
//! ```
//!
//! The chunk follows the schedule's default for the tasks and workers
//! unless [`RunSpecBuilder::chunk`] sets it. [`run`] runs a spec on the
//! engine with the real corescope binary as its worker.
//!
//! Benches include this file on its own (`#[path]`), so it names nothing
//! else of the tests' common module.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use corescope::engine::{CancelToken, EngineConfig, EngineError, run_one};
use corescope::results::RunRecord;
use corescope::spec::{
    Codec, Model, RunSpec, Scaling, Schedule, StartMethod, Transport, WorkloadSpec,
};
use corescope::workload::{Sharing, Workload};

/// A run's spec under construction; [`RunSpecBuilder::build`] gives it.
#[derive(Debug, Clone, Copy)]
#[must_use]
pub struct RunSpecBuilder {
    spec: RunSpec,
    /// Set explicitly; else the schedule's default at build time.
    chunk: Option<u32>,
}

/// `workload` under `model` with the defaults above; chain setters, then
/// [`RunSpecBuilder::build`].
pub fn run_spec(model: Model, workload: Workload) -> RunSpecBuilder {
    let workload = WorkloadSpec {
        workload,
        size: workload.default_size(),
        tasks: 4,
        payload_bytes: 0,
        io_percent: 0,
        sharing: Sharing::Isolated,
        code: None,
        command: None,
    };
    RunSpecBuilder {
        // Every setting not named here at its catalogue default, so a new
        // setting needs nothing in the tests.
        spec: RunSpec {
            repeats: 1,
            warmup: 0,
            ..RunSpec::new(workload, model, 1)
        },
        chunk: None,
    }
}

impl RunSpecBuilder {
    /// The workload's size (iterations, milliseconds, points: its unit).
    pub fn size(mut self, size: u64) -> Self {
        self.spec.workload.size = size;
        self
    }

    pub fn tasks(mut self, tasks: u32) -> Self {
        self.spec.workload.tasks = tasks;
        self
    }

    /// Echo payload per task, or the net service's reply, in bytes; other
    /// workloads keep none, as a validated spec has (so a test looping over
    /// workloads sets it once).
    pub fn payload(mut self, bytes: u64) -> Self {
        self.spec.workload.payload_bytes = bytes;
        self
    }

    /// `mixed`: percent of each task spent blocked; other workloads keep 0,
    /// as a validated spec has.
    pub fn io_percent(mut self, percent: u8) -> Self {
        self.spec.workload.io_percent = percent;
        self
    }

    /// `counter`: how the workers share the counter.
    pub fn sharing(mut self, sharing: Sharing) -> Self {
        self.spec.workload.sharing = sharing;
        self
    }

    pub fn workers(mut self, workers: u32) -> Self {
        self.spec.workers = workers;
        self
    }

    pub fn schedule(mut self, schedule: Schedule) -> Self {
        self.spec.schedule = schedule;
        self
    }

    /// Tasks per chunk, instead of the schedule's default.
    pub fn chunk(mut self, chunk: u32) -> Self {
        self.chunk = Some(chunk);
        self
    }

    pub fn repeats(mut self, repeats: u32) -> Self {
        self.spec.repeats = repeats;
        self
    }

    pub fn warmup(mut self, warmup: u32) -> Self {
        self.spec.warmup = warmup;
        self
    }

    pub fn in_flight(mut self, in_flight: u32) -> Self {
        self.spec.in_flight = in_flight;
        self
    }

    pub fn switch_interval_us(mut self, us: u32) -> Self {
        self.spec.switch_interval_us = us;
        self
    }

    pub fn codec(mut self, codec: Codec) -> Self {
        self.spec.codec = codec;
        self
    }

    pub fn scaling(mut self, scaling: Scaling) -> Self {
        self.spec.scaling = scaling;
        self
    }

    pub fn start_method(mut self, start_method: StartMethod) -> Self {
        self.spec.start_method = start_method;
        self
    }

    pub fn runtime_threads(mut self, threads: u32) -> Self {
        self.spec.runtime_threads = threads;
        self
    }

    pub fn transport(mut self, transport: Transport) -> Self {
        self.spec.transport = transport;
        self
    }

    /// The spec, its chunk resolved, and the payload and I/O share kept
    /// only by the workloads they mean something to.
    pub fn build(self) -> RunSpec {
        let mut spec = self.spec;
        spec.chunk = self.chunk.unwrap_or_else(|| {
            spec.schedule
                .default_chunk(spec.workload.tasks, spec.workers)
        });
        let workload = spec.workload.workload;
        if !workload.takes_payload() {
            spec.workload.payload_bytes = 0;
        }
        if workload != Workload::Mixed {
            spec.workload.io_percent = 0;
        }
        spec
    }
}

/// The corescope binary under test, which the engine starts as its worker
/// processes.
pub fn worker_exe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_corescope"))
}

/// The engine's settings with the binary under test as its worker.
pub fn engine_config() -> EngineConfig {
    EngineConfig::new(worker_exe())
}

/// Runs `spec` under `config`, as it went.
pub fn try_run_with(spec: &RunSpec, config: &EngineConfig) -> Result<RunRecord, EngineError> {
    run_one(spec, config, &CancelToken::new(), &mut |_, _| {})
}

/// Runs `spec` under `config`; a failure fails the test, naming the run.
pub fn run_with(spec: &RunSpec, config: &EngineConfig) -> RunRecord {
    try_run_with(spec, config).unwrap_or_else(|e| panic!("{} failed: {e}", spec.label()))
}

/// Runs `spec` with `python` as the python models' interpreter.
pub fn run_on(spec: &RunSpec, python: &Path) -> RunRecord {
    let config = EngineConfig {
        python: python.to_path_buf(),
        ..engine_config()
    };
    run_with(spec, &config)
}

/// Runs `spec` under the default engine settings.
pub fn run(spec: &RunSpec) -> RunRecord {
    run_with(spec, &engine_config())
}
