//! The model catalogue: every execution model's facts in one descriptor.
//!
//! A [`ModelInfo`] holds a model's name, one-line description, family,
//! runtime, speedup baseline, colours, marker, how its lanes, threads and
//! processes are named, what it needs to run and which knobs apply to it.
//! [`Model::info`] is one exhaustive `match`: a new variant that is not
//! described does not compile. Help text, the GUI's model list, the charts,
//! the timeline, the trace and the exports read the catalogue; nothing else
//! lists models. Whether a model can run on this machine is decided from
//! its [`Requirement`]s by `engine::availability`.

use serde::{Deserialize, Serialize};

use crate::palette::{Marker, Rgb, ThemedColor};
use crate::settings::Uses;
use crate::workload::{CountedIn, Sharing};

/// How tasks are executed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Model {
    /// One thread, tasks in order: the baseline of every speedup.
    Serial,
    /// A pool of real OS threads sharing memory.
    Threads,
    /// Threads that must hold one global lock to compute, handing it over
    /// every switch interval and releasing it while blocked: CPython's GIL.
    GilThreads,
    /// A pool of persistent worker processes of this binary, over pipes.
    Processes,
    /// A fresh worker process for every task: what a pool saves.
    ProcessPerTask,
    /// Ranks of this binary under MPI (`mpirun`): a coordinating rank hands
    /// tasks to worker ranks, on this machine or on the hosts of a hostfile.
    Mpi,
    /// CPython (the harness in assets/python): tasks in order, one thread;
    /// the baseline of the other python models' speedups.
    PythonSerial,
    /// CPython threads (a `ThreadPoolExecutor`), GIL and all.
    PythonThreads,
    /// CPython threads on a free-threaded interpreter (3.13t or newer): no GIL.
    PythonThreadsNogil,
    /// CPython `multiprocessing.Pool`, start method fork or spawn.
    PythonProcesses,
    /// CPython `concurrent.futures.ProcessPoolExecutor`.
    PythonExecutor,
    /// CPython `multiprocessing.Process` workers fed by a `Queue` (the seed's
    /// producer–consumer pattern).
    PythonQueue,
    /// Tasks as futures on a tokio runtime (current-thread by default):
    /// "workers" are tasks in flight.
    Async,
    /// An async coordinator that awaits each task's I/O itself and ships
    /// its CPU part to a pool of worker processes.
    #[serde(rename = "async+processes")]
    AsyncProcesses,
    /// CPython coroutines on one asyncio event loop.
    PythonAsyncio,
    /// CPython asyncio, computing through `run_in_executor` on a
    /// `ProcessPoolExecutor`.
    #[serde(rename = "python-asyncio+processes")]
    PythonAsyncioProcesses,
    /// CPython ranks under MPI through mpi4py: the `mpi` model in Python.
    PythonMpi,
}

/// What runs the tasks: corescope's own code or CPython through the harness.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Runtime {
    Corescope,
    Cpython,
}

/// How a model's workers relate: one sequence, threads sharing one memory,
/// or processes each with their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// One worker, tasks in order: a baseline.
    Serial,
    /// Threads of one process, sharing memory.
    Threads,
    /// Separate processes: tasks and results cross a process boundary.
    Processes,
    /// Tasks as futures on an event loop: a worker is a task in flight, not
    /// a thread; waits overlap, computing blocks the loop.
    Async,
    /// An event loop whose tasks await their I/O and ship their computing
    /// to worker processes: workers are tasks in flight, and CPU parts
    /// cross a process boundary.
    AsyncProcesses,
}

/// Something a model needs on this machine before it can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requirement {
    /// A CPython interpreter (the configured one).
    Python,
    /// A free-threaded CPython (3.13t or newer): the configured one if it
    /// is, else one found on PATH.
    FreeThreadedPython,
    /// A launcher program on PATH (such as `mpirun`).
    Launcher(&'static str),
    /// A cargo feature of corescope's build; `built` is `cfg!(feature)`.
    Feature { name: &'static str, built: bool },
    /// A CPython that can import this module: the configured interpreter
    /// if it can, else the first `python3` on PATH that can.
    PythonModule(&'static str),
}

/// A setting a model reads beyond those every model has: a name of the
/// settings catalogue, which describes it (flag, label, help, bounds).
pub use crate::settings::Setting as Knob;

/// How a model's workers are named: on the timeline's lanes, and as
/// threads and processes in a Chrome trace. In each template `{lane}` is
/// the lane number, `{rank}` the MPI rank of the lane's worker (the lane
/// number plus one: rank 0 coordinates), `{model}` the model's name and
/// `{lane_name}` the lane's filled name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Naming {
    /// A timeline lane: what the worker is to the operating system.
    pub lane: &'static str,
    /// The worker's thread in a trace.
    pub thread: &'static str,
    /// The worker's process in a trace, for models whose workers are
    /// processes of their own.
    pub worker_process: Option<&'static str>,
    /// The process that runs the tasks when workers are not processes
    /// (corescope itself, or CPython's harness).
    pub host_process: &'static str,
}

impl Naming {
    /// A template filled for one lane of one model.
    pub fn fill(template: &str, model: Model, lane: u32) -> String {
        let rank = u64::from(lane) + 1;
        let lane_name = model
            .info()
            .naming
            .lane
            .replace("{lane}", &lane.to_string())
            .replace("{rank}", &rank.to_string());
        template
            .replace("{lane_name}", &lane_name)
            .replace("{model}", model.name())
            .replace("{lane}", &lane.to_string())
            .replace("{rank}", &rank.to_string())
    }
}

/// Everything corescope knows about one model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelInfo {
    /// The name on the command line and in result files.
    pub name: &'static str,
    /// One line on what the model is, for menus and help.
    pub description: &'static str,
    pub runtime: Runtime,
    pub family: Family,
    /// The model whose runs are this one's speedup baseline (CPython
    /// against CPython, corescope against corescope).
    pub baseline: Model,
    /// The model's colour on every chart, from the Okabe–Ito palette.
    pub color: ThemedColor,
    /// The model's point marker on every chart.
    pub marker: Marker,
    pub naming: Naming,
    /// What it needs on this machine to run.
    pub requires: &'static [Requirement],
    /// The settings that apply to it.
    pub knobs: &'static [Knob],
    /// The `counter` workload's sharing modes it can run.
    pub sharing: &'static [Sharing],
    /// Where its workers' shared counter lives: memory the main process
    /// reads, or a copy in each worker process's own memory.
    pub shared_counter: CountedIn,
}

impl ModelInfo {
    /// Whether setting `knob` means something for the model: every model
    /// has the common settings; the others it lists in `knobs`.
    pub fn has_knob(&self, knob: Knob) -> bool {
        match knob.info().uses {
            Uses::Every => true,
            Uses::Listed => self.knobs.contains(&knob),
            Uses::Like(other) => self.has_knob(other),
        }
    }
}

const fn themed(dark: Rgb, light: Rgb) -> ThemedColor {
    ThemedColor { dark, light }
}

const POOL_KNOBS: &[Knob] = &[Knob::Workers, Knob::Schedule];
const PROCESS_KNOBS: &[Knob] = &[
    Knob::Workers,
    Knob::Schedule,
    Knob::InFlight,
    Knob::Codec,
    Knob::Transport,
];
const PYTHON_POOL_KNOBS: &[Knob] = &[Knob::Workers, Knob::Schedule, Knob::Python];
const PYTHON_PROCESS_KNOBS: &[Knob] = &[
    Knob::Workers,
    Knob::Schedule,
    Knob::Python,
    Knob::StartMethod,
];
const PYTHON_POOL_MAP_KNOBS: &[Knob] = &[
    Knob::Workers,
    Knob::Schedule,
    Knob::Python,
    Knob::StartMethod,
    Knob::Transport,
];

/// Every sharing mode: corescope has atomics.
const ALL_SHARING: &[Sharing] = &Sharing::ALL;
/// CPython has no atomic integer: racy, locked or isolated.
const PYTHON_SHARING: &[Sharing] = &[Sharing::Racy, Sharing::Locked, Sharing::Isolated];

/// Corescope's worker processes, as named in a trace.
const RUST_WORKER: Naming = Naming {
    lane: "process {lane}",
    thread: "{lane_name} (main thread)",
    worker_process: Some("corescope worker {lane}"),
    host_process: "corescope",
};

/// CPython's worker processes, as named in a trace.
const PYTHON_WORKER: Naming = Naming {
    lane: "python process {lane}",
    thread: "{lane_name} (main thread)",
    worker_process: Some("python {model} worker {lane}"),
    host_process: "python harness",
};

const PYTHON_THREAD: Naming = Naming {
    lane: "python thread {lane}",
    thread: "python thread {lane}",
    worker_process: None,
    host_process: "python harness",
};

const RUST_THREAD: Naming = Naming {
    lane: "thread {lane}",
    thread: "corescope-{model}-{lane}",
    worker_process: None,
    host_process: "corescope",
};

/// MPI ranks, as named in a trace: a worker rank is a process of its own
/// (on this host or another).
const MPI_RANK: Naming = Naming {
    lane: "rank {rank}",
    thread: "{lane_name} (main thread)",
    worker_process: Some("{model} rank {rank}"),
    host_process: "mpirun",
};

// Colours: a python model takes its Rust counterpart's hue family, shifted
// (threads: sky blue → indigo; processes: orange → vermilion and red), so
// the pairs read as related but never the same line.
const SERIAL: ModelInfo = ModelInfo {
    name: "serial",
    description: "one thread, tasks in order: the baseline",
    runtime: Runtime::Corescope,
    family: Family::Serial,
    baseline: Model::Serial,
    color: themed(Rgb(0x9a, 0x9a, 0x9a), Rgb(0x5c, 0x5c, 0x5c)),
    marker: Marker::Circle,
    naming: Naming {
        lane: "runner thread",
        thread: "corescope-runner",
        worker_process: None,
        host_process: "corescope",
    },
    requires: &[],
    knobs: &[],
    sharing: ALL_SHARING,
    shared_counter: CountedIn::SharedCounter,
};

const THREADS: ModelInfo = ModelInfo {
    name: "threads",
    description: "OS threads sharing memory (Rust: no GIL)",
    runtime: Runtime::Corescope,
    family: Family::Threads,
    baseline: Model::Serial,
    color: themed(Rgb(0x56, 0xb4, 0xe9), Rgb(0x00, 0x72, 0xb2)),
    marker: Marker::Square,
    naming: RUST_THREAD,
    requires: &[],
    knobs: POOL_KNOBS,
    sharing: ALL_SHARING,
    shared_counter: CountedIn::SharedCounter,
};

const GIL_THREADS: ModelInfo = ModelInfo {
    name: "gil-threads",
    description: "threads that take turns holding one global lock, like CPython's GIL",
    runtime: Runtime::Corescope,
    family: Family::Threads,
    baseline: Model::Serial,
    color: themed(Rgb(0xcc, 0x79, 0xa7), Rgb(0xa8, 0x3c, 0x7e)),
    marker: Marker::Diamond,
    naming: RUST_THREAD,
    requires: &[],
    knobs: &[Knob::Workers, Knob::Schedule, Knob::SwitchInterval],
    sharing: ALL_SHARING,
    shared_counter: CountedIn::SharedCounter,
};

const PROCESSES: ModelInfo = ModelInfo {
    name: "processes",
    description: "a pool of worker processes, started once, fed over pipes",
    runtime: Runtime::Corescope,
    family: Family::Processes,
    baseline: Model::Serial,
    color: themed(Rgb(0xe6, 0x9f, 0x00), Rgb(0xc2, 0x74, 0x00)),
    marker: Marker::Up,
    naming: RUST_WORKER,
    requires: &[],
    knobs: PROCESS_KNOBS,
    sharing: ALL_SHARING,
    shared_counter: CountedIn::WorkerCopies,
};

const PROCESS_PER_TASK: ModelInfo = ModelInfo {
    name: "process-per-task",
    description: "a fresh worker process for every task",
    runtime: Runtime::Corescope,
    family: Family::Processes,
    baseline: Model::Serial,
    color: themed(Rgb(0xf0, 0xe4, 0x42), Rgb(0x8a, 0x7d, 0x00)),
    marker: Marker::Down,
    naming: Naming {
        lane: "slot {lane}",
        worker_process: Some("corescope workers of slot {lane} (a process per task)"),
        ..RUST_WORKER
    },
    requires: &[],
    knobs: &[Knob::Workers, Knob::Schedule, Knob::Codec],
    sharing: ALL_SHARING,
    shared_counter: CountedIn::WorkerCopies,
};

// MPI: a bluish green (Okabe–Ito) unused by the others; python-mpi a
// darker teal of it.
const MPI: ModelInfo = ModelInfo {
    name: "mpi",
    description: "MPI ranks of corescope under mpirun: one coordinating rank, a worker rank per worker",
    runtime: Runtime::Corescope,
    family: Family::Processes,
    baseline: Model::Serial,
    // Raspberry: clear of the reference lines' bluish green and the cores.
    color: themed(Rgb(0xc0, 0x6c, 0x84), Rgb(0x8e, 0x24, 0x4a)),
    marker: Marker::Square,
    naming: MPI_RANK,
    requires: &[
        Requirement::Feature {
            name: "mpi",
            built: cfg!(feature = "mpi"),
        },
        Requirement::Launcher("mpirun"),
    ],
    knobs: &[Knob::Workers, Knob::Schedule, Knob::Codec, Knob::Hostfile],
    sharing: ALL_SHARING,
    shared_counter: CountedIn::WorkerCopies,
};

const PYTHON_SERIAL: ModelInfo = ModelInfo {
    name: "python-serial",
    description: "CPython: tasks in order, one thread: the python baseline",
    runtime: Runtime::Cpython,
    family: Family::Serial,
    baseline: Model::PythonSerial,
    color: themed(Rgb(0xe0, 0xe0, 0xe0), Rgb(0x22, 0x22, 0x22)),
    marker: Marker::Plus,
    naming: Naming {
        lane: "python main thread",
        thread: "python MainThread",
        worker_process: None,
        host_process: "python harness",
    },
    requires: &[Requirement::Python],
    knobs: &[Knob::Python],
    sharing: PYTHON_SHARING,
    shared_counter: CountedIn::SharedCounter,
};

const PYTHON_THREADS: ModelInfo = ModelInfo {
    name: "python-threads",
    description: "CPython threads (ThreadPoolExecutor), GIL and all",
    runtime: Runtime::Cpython,
    family: Family::Threads,
    baseline: Model::PythonSerial,
    color: themed(Rgb(0x8c, 0x9e, 0xff), Rgb(0x3f, 0x51, 0xb5)),
    marker: Marker::Cross,
    naming: PYTHON_THREAD,
    requires: &[Requirement::Python],
    knobs: PYTHON_POOL_KNOBS,
    sharing: PYTHON_SHARING,
    shared_counter: CountedIn::SharedCounter,
};

const PYTHON_THREADS_NOGIL: ModelInfo = ModelInfo {
    name: "python-threads-nogil",
    description: "CPython threads on a free-threaded interpreter (3.13t or newer): no GIL",
    runtime: Runtime::Cpython,
    family: Family::Threads,
    baseline: Model::PythonSerial,
    color: themed(Rgb(0x4d, 0xd0, 0xe1), Rgb(0x00, 0x83, 0x8f)),
    marker: Marker::Asterisk,
    naming: PYTHON_THREAD,
    requires: &[Requirement::FreeThreadedPython],
    knobs: PYTHON_POOL_KNOBS,
    sharing: PYTHON_SHARING,
    shared_counter: CountedIn::SharedCounter,
};

const PYTHON_PROCESSES: ModelInfo = ModelInfo {
    name: "python-processes",
    description: "CPython multiprocessing.Pool (start method fork or spawn)",
    runtime: Runtime::Cpython,
    family: Family::Processes,
    baseline: Model::PythonSerial,
    color: themed(Rgb(0xff, 0x6e, 0x40), Rgb(0xd8, 0x43, 0x15)),
    marker: Marker::Right,
    naming: PYTHON_WORKER,
    requires: &[Requirement::Python],
    knobs: PYTHON_POOL_MAP_KNOBS,
    sharing: PYTHON_SHARING,
    shared_counter: CountedIn::SharedCounter,
};

const PYTHON_EXECUTOR: ModelInfo = ModelInfo {
    name: "python-executor",
    description: "CPython concurrent.futures.ProcessPoolExecutor",
    runtime: Runtime::Cpython,
    family: Family::Processes,
    baseline: Model::PythonSerial,
    color: themed(Rgb(0xff, 0xab, 0x91), Rgb(0x9e, 0x4a, 0x2a)),
    marker: Marker::Left,
    naming: PYTHON_WORKER,
    requires: &[Requirement::Python],
    knobs: PYTHON_PROCESS_KNOBS,
    sharing: PYTHON_SHARING,
    shared_counter: CountedIn::SharedCounter,
};

const PYTHON_QUEUE: ModelInfo = ModelInfo {
    name: "python-queue",
    description: "CPython Process workers fed by a multiprocessing.Queue",
    runtime: Runtime::Cpython,
    family: Family::Processes,
    baseline: Model::PythonSerial,
    color: themed(Rgb(0xd5, 0x5e, 0x00), Rgb(0xa3, 0x3b, 0x00)),
    marker: Marker::Down,
    naming: PYTHON_WORKER,
    requires: &[Requirement::Python],
    knobs: PYTHON_PROCESS_KNOBS,
    sharing: PYTHON_SHARING,
    shared_counter: CountedIn::SharedCounter,
};

const PYTHON_MPI: ModelInfo = ModelInfo {
    name: "python-mpi",
    description: "CPython ranks under mpirun through mpi4py: one coordinating rank, a worker rank per worker",
    runtime: Runtime::Cpython,
    family: Family::Processes,
    baseline: Model::PythonSerial,
    // mpi's raspberry, muted: the pair reads as related.
    color: themed(Rgb(0xb0, 0x7a, 0xa1), Rgb(0x6d, 0x2e, 0x5b)),
    marker: Marker::Circle,
    naming: MPI_RANK,
    requires: &[
        Requirement::Launcher("mpirun"),
        Requirement::Python,
        Requirement::PythonModule("mpi4py"),
    ],
    knobs: &[Knob::Workers, Knob::Schedule, Knob::Python, Knob::Hostfile],
    sharing: &[],
    shared_counter: CountedIn::WorkerCopies,
};

/// Tasks in flight on a tokio runtime, as named in a trace: every slot runs
/// on the runtime's thread(s).
const ASYNC_SLOT: Naming = Naming {
    lane: "task slot {lane}",
    thread: "{lane_name} (async task)",
    worker_process: None,
    host_process: "corescope",
};

// Async models take greens (not the bluish green of the charts' reference
// lines); async+processes mixes async's green with processes' orange into
// a brown.
const ASYNC: ModelInfo = ModelInfo {
    name: "async",
    description: "futures on a tokio runtime (one thread by default): workers are tasks in flight",
    runtime: Runtime::Corescope,
    family: Family::Async,
    baseline: Model::Serial,
    color: themed(Rgb(0x8b, 0xd3, 0x46), Rgb(0x3d, 0x8b, 0x1e)),
    marker: Marker::Circle,
    naming: ASYNC_SLOT,
    requires: &[],
    knobs: &[Knob::Workers, Knob::Schedule, Knob::RuntimeThreads],
    // The counter workload is not one of the async models' lessons.
    sharing: &[],
    shared_counter: CountedIn::SharedCounter,
};

const ASYNC_PROCESSES: ModelInfo = ModelInfo {
    name: "async+processes",
    description: "an async event loop that awaits I/O itself and ships computing to a process pool",
    runtime: Runtime::Corescope,
    family: Family::AsyncProcesses,
    baseline: Model::Serial,
    color: themed(Rgb(0xe0, 0x8e, 0x45), Rgb(0x7b, 0x5a, 0x17)),
    marker: Marker::Square,
    naming: ASYNC_SLOT,
    requires: &[],
    knobs: &[
        Knob::Workers,
        Knob::Schedule,
        Knob::RuntimeThreads,
        Knob::InFlight,
        Knob::Codec,
    ],
    // The counter workload is not one of the async models' lessons.
    sharing: &[],
    shared_counter: CountedIn::SharedCounter,
};

const PYTHON_ASYNC_SLOT: Naming = Naming {
    lane: "python task slot {lane}",
    thread: "{lane_name} (asyncio task)",
    worker_process: None,
    host_process: "python harness",
};

const PYTHON_ASYNCIO: ModelInfo = ModelInfo {
    name: "python-asyncio",
    description: "CPython coroutines on one asyncio event loop: workers are tasks in flight",
    runtime: Runtime::Cpython,
    family: Family::Async,
    baseline: Model::PythonSerial,
    // Pink: clear of the per-core colours (greens and teals).
    color: themed(Rgb(0xf4, 0x8f, 0xb1), Rgb(0xad, 0x14, 0x57)),
    marker: Marker::Diamond,
    naming: PYTHON_ASYNC_SLOT,
    requires: &[Requirement::Python],
    knobs: PYTHON_POOL_KNOBS,
    // The counter workload is not one of the async models' lessons.
    sharing: &[],
    shared_counter: CountedIn::SharedCounter,
};

const PYTHON_ASYNCIO_PROCESSES: ModelInfo = ModelInfo {
    name: "python-asyncio+processes",
    description: "CPython asyncio awaiting I/O, computing via run_in_executor on a ProcessPoolExecutor",
    runtime: Runtime::Cpython,
    family: Family::AsyncProcesses,
    baseline: Model::PythonSerial,
    color: themed(Rgb(0xc8, 0xa2, 0x8e), Rgb(0x5d, 0x40, 0x37)),
    marker: Marker::Up,
    naming: PYTHON_ASYNC_SLOT,
    requires: &[Requirement::Python],
    knobs: PYTHON_PROCESS_KNOBS,
    // The counter workload is not one of the async models' lessons.
    sharing: &[],
    shared_counter: CountedIn::SharedCounter,
};

impl Model {
    /// Every model, in the order menus and sweeps list them.
    pub const ALL: [Model; 17] = [
        Model::Serial,
        Model::Threads,
        Model::GilThreads,
        Model::Processes,
        Model::ProcessPerTask,
        Model::Async,
        Model::AsyncProcesses,
        Model::Mpi,
        Model::PythonSerial,
        Model::PythonThreads,
        Model::PythonThreadsNogil,
        Model::PythonProcesses,
        Model::PythonExecutor,
        Model::PythonQueue,
        Model::PythonAsyncio,
        Model::PythonAsyncioProcesses,
        Model::PythonMpi,
    ];

    /// The model's descriptor: the one place its facts live.
    pub const fn info(self) -> &'static ModelInfo {
        match self {
            Model::Serial => &SERIAL,
            Model::Threads => &THREADS,
            Model::GilThreads => &GIL_THREADS,
            Model::Processes => &PROCESSES,
            Model::ProcessPerTask => &PROCESS_PER_TASK,
            Model::PythonSerial => &PYTHON_SERIAL,
            Model::PythonThreads => &PYTHON_THREADS,
            Model::PythonThreadsNogil => &PYTHON_THREADS_NOGIL,
            Model::PythonProcesses => &PYTHON_PROCESSES,
            Model::PythonExecutor => &PYTHON_EXECUTOR,
            Model::PythonQueue => &PYTHON_QUEUE,
            Model::Async => &ASYNC,
            Model::AsyncProcesses => &ASYNC_PROCESSES,
            Model::PythonAsyncio => &PYTHON_ASYNCIO,
            Model::PythonAsyncioProcesses => &PYTHON_ASYNCIO_PROCESSES,
            Model::Mpi => &MPI,
            Model::PythonMpi => &PYTHON_MPI,
        }
    }

    /// The name used on the command line and in result files.
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// One line on what the model is, for menus and help.
    pub fn describe(self) -> &'static str {
        self.info().description
    }

    /// Whether the worker count means anything (serial always runs one).
    pub fn uses_workers(self) -> bool {
        self.info().family != Family::Serial
    }

    /// Whether tasks cross a process boundary (and so move IPC bytes).
    pub fn uses_processes(self) -> bool {
        matches!(
            self.info().family,
            Family::Processes | Family::AsyncProcesses
        )
    }

    /// Whether CPython runs the tasks (through the harness).
    pub fn is_python(self) -> bool {
        self.info().runtime == Runtime::Cpython
    }

    /// Whether a "worker" is a task in flight on an event loop rather than
    /// a thread or a process.
    pub fn workers_are_tasks(self) -> bool {
        matches!(self.info().family, Family::Async | Family::AsyncProcesses)
    }

    /// Whether CPython's process start method applies.
    pub fn uses_start_method(self) -> bool {
        self.info().has_knob(Knob::StartMethod)
    }

    /// Whether the model runs as ranks under `mpirun` (and so takes a
    /// hostfile).
    pub fn uses_mpirun(self) -> bool {
        self.info()
            .requires
            .contains(&Requirement::Launcher("mpirun"))
    }

    /// The model whose runs are this model's speedup baseline.
    pub fn baseline(self) -> Model {
        self.info().baseline
    }

    /// The model's colour on a dark or a light background.
    pub fn color(self, dark: bool) -> Rgb {
        self.info().color.on(dark)
    }

    /// The models of one runtime, in menu order.
    pub fn of_runtime(runtime: Runtime) -> impl Iterator<Item = Model> {
        Model::ALL
            .into_iter()
            .filter(move |m| m.info().runtime == runtime)
    }
}

impl_named!(Model, "model");

/// The model names for `--help`: corescope's own, then CPython's.
pub fn help_list() -> String {
    let names = |runtime| {
        Model::of_runtime(runtime)
            .map(Model::name)
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "{}, or CPython's {}",
        names(Runtime::Corescope),
        names(Runtime::Cpython)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_model_is_listed_once_with_a_unique_name_and_look() {
        let names: HashSet<_> = Model::ALL.iter().map(|m| m.name()).collect();
        assert_eq!(names.len(), Model::ALL.len());
        for model in Model::ALL {
            assert_eq!(model.name().parse::<Model>(), Ok(model));
            // Result files spell it as the command line does.
            let json = serde_json::to_string(&model).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", model.name()));
            // A baseline is a serial model of the same runtime.
            let baseline = model.baseline().info();
            assert_eq!(baseline.family, Family::Serial);
            assert_eq!(baseline.runtime, model.info().runtime);
        }
        // Colour and marker together tell every pair of models apart.
        let looks: HashSet<_> = Model::ALL
            .iter()
            .map(|m| (m.info().color.dark, m.info().marker))
            .collect();
        assert_eq!(looks.len(), Model::ALL.len());
    }

    #[test]
    fn lane_and_thread_names_are_filled_from_the_templates() {
        let fill = |m: Model, t: &str| Naming::fill(t, m, 3);
        let threads = Model::Threads.info().naming;
        assert_eq!(fill(Model::Threads, threads.lane), "thread 3");
        assert_eq!(
            fill(Model::GilThreads, threads.thread),
            "corescope-gil-threads-3"
        );
        let worker = Model::Processes.info().naming;
        assert_eq!(
            fill(Model::Processes, worker.thread),
            "process 3 (main thread)"
        );
        let mpi = Model::Mpi.info().naming;
        assert_eq!(fill(Model::Mpi, mpi.lane), "rank 4");
        assert_eq!(
            fill(Model::PythonMpi, mpi.worker_process.unwrap_or_default()),
            "python-mpi rank 4"
        );
        let python = Model::PythonQueue.info().naming;
        assert_eq!(
            fill(
                Model::PythonQueue,
                python.worker_process.unwrap_or_default()
            ),
            "python python-queue worker 3"
        );
    }

    #[test]
    fn help_lists_every_model() {
        let help = help_list();
        for model in Model::ALL {
            assert!(help.contains(model.name()), "{help}");
        }
    }
}
