//! The descriptors themselves: one [`ModelInfo`] per model, and the
//! knob sets, sharing modes, namings and budgets they share. Kept apart
//! from the types in `model.rs` so each file reads in one sitting; the
//! exhaustive match in [`Model::info`] picks from here.

use super::{Budget, Family, Host, Knob, ModelInfo, Naming, Requirement, Runtime, Work};
use crate::palette::{Marker, Rgb, ThemedColor};
use crate::workload::{CountedIn, Sharing};

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
const PYTHON_POOL_KNOBS: &[Knob] = &[Knob::Workers, Knob::Schedule, Knob::Interpreter];
const PYTHON_PROCESS_KNOBS: &[Knob] = &[
    Knob::Workers,
    Knob::Schedule,
    Knob::Interpreter,
    Knob::StartMethod,
];
const PYTHON_POOL_MAP_KNOBS: &[Knob] = &[
    Knob::Workers,
    Knob::Schedule,
    Knob::Interpreter,
    Knob::StartMethod,
    Knob::Transport,
];

/// Serial: one thread, nothing else held.
const NO_BUDGET: Budget = Budget {
    files_per_worker: 0,
    files: 0,
    tasks_per_worker: 0,
    tasks: 0,
    runtime_threads: false,
};

/// A thread per worker.
const THREAD_BUDGET: Budget = Budget {
    tasks_per_worker: 1,
    ..NO_BUDGET
};

/// Per worker process: the process, a reader and a writer thread; two
/// pipe ends held, and up to six while it starts.
const WORKER_PROCESS_BUDGET: Budget = Budget {
    files_per_worker: 6,
    tasks_per_worker: 3,
    ..NO_BUDGET
};

/// CPython's harness with threads (or coroutines) of its own: a few pipes
/// to corescope, a thread per worker.
const HARNESS_BUDGET: Budget = Budget {
    files_per_worker: 0,
    files: 8,
    tasks_per_worker: 1,
    tasks: 4,
    runtime_threads: false,
};

/// A child (CPython's harness, or `mpirun`) holding a few pipes per worker
/// process: it inherits the limits.
const CHILD_POOL_BUDGET: Budget = Budget {
    files_per_worker: 8,
    ..HARNESS_BUDGET
};

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
pub(super) const SERIAL: ModelInfo = ModelInfo {
    name: "serial",
    description: "one thread, tasks in order: the baseline",
    runtime: Runtime::Corescope,
    family: Family::Serial,
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
    host: Host::Corescope,
    budget: NO_BUDGET,
    suited_to: None,
    picked_by_default: true,
};

pub(super) const THREADS: ModelInfo = ModelInfo {
    name: "threads",
    description: "OS threads sharing memory (Rust: no GIL)",
    runtime: Runtime::Corescope,
    family: Family::Threads,
    color: themed(Rgb(0x56, 0xb4, 0xe9), Rgb(0x00, 0x72, 0xb2)),
    marker: Marker::Square,
    naming: RUST_THREAD,
    requires: &[],
    knobs: POOL_KNOBS,
    sharing: ALL_SHARING,
    shared_counter: CountedIn::SharedCounter,
    host: Host::Corescope,
    budget: THREAD_BUDGET,
    suited_to: Some(Work::Io),
    picked_by_default: true,
};

pub(super) const GIL_THREADS: ModelInfo = ModelInfo {
    name: "gil-threads",
    description: "threads that take turns holding one global lock, like CPython's GIL",
    runtime: Runtime::Corescope,
    family: Family::Threads,
    color: themed(Rgb(0xcc, 0x79, 0xa7), Rgb(0xa8, 0x3c, 0x7e)),
    marker: Marker::Diamond,
    naming: RUST_THREAD,
    requires: &[],
    knobs: &[Knob::Workers, Knob::Schedule, Knob::SwitchInterval],
    sharing: ALL_SHARING,
    shared_counter: CountedIn::SharedCounter,
    host: Host::Corescope,
    budget: THREAD_BUDGET,
    suited_to: Some(Work::Io),
    picked_by_default: false,
};

pub(super) const PROCESSES: ModelInfo = ModelInfo {
    name: "processes",
    description: "a pool of worker processes, started once, fed over pipes",
    runtime: Runtime::Corescope,
    family: Family::Processes,
    color: themed(Rgb(0xe6, 0x9f, 0x00), Rgb(0xc2, 0x74, 0x00)),
    marker: Marker::Up,
    naming: RUST_WORKER,
    requires: &[],
    knobs: PROCESS_KNOBS,
    sharing: ALL_SHARING,
    shared_counter: CountedIn::WorkerCopies,
    host: Host::Corescope,
    budget: WORKER_PROCESS_BUDGET,
    suited_to: Some(Work::Cpu),
    picked_by_default: true,
};

pub(super) const PROCESS_PER_TASK: ModelInfo = ModelInfo {
    name: "process-per-task",
    description: "a fresh worker process for every task",
    runtime: Runtime::Corescope,
    family: Family::Processes,
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
    host: Host::Corescope,
    budget: WORKER_PROCESS_BUDGET,
    suited_to: None,
    picked_by_default: false,
};

// MPI: a bluish green (Okabe–Ito) unused by the others; python-mpi a
// darker teal of it.
pub(super) const MPI: ModelInfo = ModelInfo {
    name: "mpi",
    description: "MPI ranks of corescope under mpirun: one coordinating rank, a worker rank per worker",
    runtime: Runtime::Corescope,
    family: Family::Processes,
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
    host: Host::MpiJob,
    budget: CHILD_POOL_BUDGET,
    suited_to: None,
    picked_by_default: false,
};

pub(super) const PYTHON_SERIAL: ModelInfo = ModelInfo {
    name: "python-serial",
    description: "CPython: tasks in order, one thread: the python baseline",
    runtime: Runtime::Cpython,
    family: Family::Serial,
    color: themed(Rgb(0xe0, 0xe0, 0xe0), Rgb(0x22, 0x22, 0x22)),
    marker: Marker::Plus,
    naming: Naming {
        lane: "python main thread",
        thread: "python MainThread",
        worker_process: None,
        host_process: "python harness",
    },
    requires: &[Requirement::Python],
    knobs: &[Knob::Interpreter],
    sharing: PYTHON_SHARING,
    shared_counter: CountedIn::SharedCounter,
    host: Host::Harness,
    budget: HARNESS_BUDGET,
    suited_to: None,
    picked_by_default: false,
};

pub(super) const PYTHON_THREADS: ModelInfo = ModelInfo {
    name: "python-threads",
    description: "CPython threads (ThreadPoolExecutor), GIL and all",
    runtime: Runtime::Cpython,
    family: Family::Threads,
    color: themed(Rgb(0x8c, 0x9e, 0xff), Rgb(0x3f, 0x51, 0xb5)),
    marker: Marker::Cross,
    naming: PYTHON_THREAD,
    requires: &[Requirement::Python],
    knobs: PYTHON_POOL_KNOBS,
    sharing: PYTHON_SHARING,
    shared_counter: CountedIn::SharedCounter,
    host: Host::Harness,
    budget: HARNESS_BUDGET,
    suited_to: None,
    picked_by_default: false,
};

pub(super) const PYTHON_THREADS_NOGIL: ModelInfo = ModelInfo {
    name: "python-threads-nogil",
    description: "CPython threads on a free-threaded interpreter (3.13t or newer): no GIL",
    runtime: Runtime::Cpython,
    family: Family::Threads,
    color: themed(Rgb(0x4d, 0xd0, 0xe1), Rgb(0x00, 0x83, 0x8f)),
    marker: Marker::Asterisk,
    naming: PYTHON_THREAD,
    requires: &[Requirement::FreeThreadedPython],
    knobs: PYTHON_POOL_KNOBS,
    sharing: PYTHON_SHARING,
    shared_counter: CountedIn::SharedCounter,
    host: Host::Harness,
    budget: HARNESS_BUDGET,
    suited_to: None,
    picked_by_default: false,
};

pub(super) const PYTHON_PROCESSES: ModelInfo = ModelInfo {
    name: "python-processes",
    description: "CPython multiprocessing.Pool (start method fork or spawn)",
    runtime: Runtime::Cpython,
    family: Family::Processes,
    color: themed(Rgb(0xff, 0x6e, 0x40), Rgb(0xd8, 0x43, 0x15)),
    marker: Marker::Right,
    naming: PYTHON_WORKER,
    requires: &[Requirement::Python],
    knobs: PYTHON_POOL_MAP_KNOBS,
    sharing: PYTHON_SHARING,
    shared_counter: CountedIn::SharedCounter,
    host: Host::Harness,
    budget: CHILD_POOL_BUDGET,
    suited_to: None,
    picked_by_default: false,
};

pub(super) const PYTHON_EXECUTOR: ModelInfo = ModelInfo {
    name: "python-executor",
    description: "CPython concurrent.futures.ProcessPoolExecutor",
    runtime: Runtime::Cpython,
    family: Family::Processes,
    color: themed(Rgb(0xff, 0xab, 0x91), Rgb(0x9e, 0x4a, 0x2a)),
    marker: Marker::Left,
    naming: PYTHON_WORKER,
    requires: &[Requirement::Python],
    knobs: PYTHON_PROCESS_KNOBS,
    sharing: PYTHON_SHARING,
    shared_counter: CountedIn::SharedCounter,
    host: Host::Harness,
    budget: CHILD_POOL_BUDGET,
    suited_to: None,
    picked_by_default: false,
};

pub(super) const PYTHON_QUEUE: ModelInfo = ModelInfo {
    name: "python-queue",
    description: "CPython Process workers fed by a multiprocessing.Queue",
    runtime: Runtime::Cpython,
    family: Family::Processes,
    color: themed(Rgb(0xd5, 0x5e, 0x00), Rgb(0xa3, 0x3b, 0x00)),
    marker: Marker::Down,
    naming: PYTHON_WORKER,
    requires: &[Requirement::Python],
    knobs: PYTHON_PROCESS_KNOBS,
    sharing: PYTHON_SHARING,
    shared_counter: CountedIn::SharedCounter,
    host: Host::Harness,
    budget: CHILD_POOL_BUDGET,
    suited_to: None,
    picked_by_default: false,
};

pub(super) const PYTHON_MPI: ModelInfo = ModelInfo {
    name: "python-mpi",
    description: "CPython ranks under mpirun through mpi4py: one coordinating rank, a worker rank per worker",
    runtime: Runtime::Cpython,
    family: Family::Processes,
    // mpi's raspberry, muted: the pair reads as related.
    color: themed(Rgb(0xb0, 0x7a, 0xa1), Rgb(0x6d, 0x2e, 0x5b)),
    marker: Marker::Circle,
    naming: MPI_RANK,
    requires: &[
        Requirement::Launcher("mpirun"),
        Requirement::Python,
        Requirement::PythonModule("mpi4py"),
    ],
    knobs: &[
        Knob::Workers,
        Knob::Schedule,
        Knob::Interpreter,
        Knob::Hostfile,
    ],
    sharing: &[],
    shared_counter: CountedIn::WorkerCopies,
    host: Host::MpiJob,
    budget: CHILD_POOL_BUDGET,
    suited_to: None,
    picked_by_default: false,
};

/// Tasks in flight on a tokio runtime, as named in a trace: every slot runs
/// on the runtime's thread(s).
const ASYNC_SLOT: Naming = Naming {
    lane: "task slot {lane}",
    thread: "{lane_name} (async task)",
    worker_process: None,
    host_process: "corescope",
};

/// Each task slot in flight may hold a socket (`net`); the slots are
/// futures on the runtime's threads, not threads of their own.
const ASYNC_BUDGET: Budget = Budget {
    files_per_worker: 1,
    files: 8,
    tasks_per_worker: 0,
    tasks: 0,
    runtime_threads: true,
};

/// async's runtime with a pool of worker processes (at most one per slot)
/// and the thread that forwards their events to it.
const ASYNC_POOL_BUDGET: Budget = Budget {
    tasks: 1,
    runtime_threads: true,
    ..WORKER_PROCESS_BUDGET
};

// Async models take greens (not the bluish green of the charts' reference
// lines); async+processes mixes async's green with processes' orange into
// a brown.
pub(super) const ASYNC: ModelInfo = ModelInfo {
    name: "async",
    description: "futures on a tokio runtime (one thread by default): workers are tasks in flight",
    runtime: Runtime::Corescope,
    family: Family::Async,
    color: themed(Rgb(0x8b, 0xd3, 0x46), Rgb(0x3d, 0x8b, 0x1e)),
    marker: Marker::Circle,
    naming: ASYNC_SLOT,
    requires: &[],
    knobs: &[Knob::Workers, Knob::Schedule, Knob::RuntimeThreads],
    // The counter workload is not one of the async models' lessons.
    sharing: &[],
    shared_counter: CountedIn::SharedCounter,
    host: Host::Corescope,
    budget: ASYNC_BUDGET,
    suited_to: Some(Work::Io),
    picked_by_default: false,
};

pub(super) const ASYNC_PROCESSES: ModelInfo = ModelInfo {
    name: "async+processes",
    description: "an async event loop that awaits I/O itself and ships computing to a process pool",
    runtime: Runtime::Corescope,
    family: Family::AsyncProcesses,
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
    host: Host::Corescope,
    budget: ASYNC_POOL_BUDGET,
    suited_to: Some(Work::Mixed),
    picked_by_default: false,
};

const PYTHON_ASYNC_SLOT: Naming = Naming {
    lane: "python task slot {lane}",
    thread: "{lane_name} (asyncio task)",
    worker_process: None,
    host_process: "python harness",
};

pub(super) const PYTHON_ASYNCIO: ModelInfo = ModelInfo {
    name: "python-asyncio",
    description: "CPython coroutines on one asyncio event loop: workers are tasks in flight",
    runtime: Runtime::Cpython,
    family: Family::Async,
    // Pink: clear of the per-core colours (greens and teals).
    color: themed(Rgb(0xf4, 0x8f, 0xb1), Rgb(0xad, 0x14, 0x57)),
    marker: Marker::Diamond,
    naming: PYTHON_ASYNC_SLOT,
    requires: &[Requirement::Python],
    knobs: PYTHON_POOL_KNOBS,
    // The counter workload is not one of the async models' lessons.
    sharing: &[],
    shared_counter: CountedIn::SharedCounter,
    host: Host::Harness,
    budget: HARNESS_BUDGET,
    suited_to: None,
    picked_by_default: false,
};

pub(super) const PYTHON_ASYNCIO_PROCESSES: ModelInfo = ModelInfo {
    name: "python-asyncio+processes",
    description: "CPython asyncio awaiting I/O, computing via run_in_executor on a ProcessPoolExecutor",
    runtime: Runtime::Cpython,
    family: Family::AsyncProcesses,
    color: themed(Rgb(0xc8, 0xa2, 0x8e), Rgb(0x5d, 0x40, 0x37)),
    marker: Marker::Up,
    naming: PYTHON_ASYNC_SLOT,
    requires: &[Requirement::Python],
    knobs: PYTHON_PROCESS_KNOBS,
    // The counter workload is not one of the async models' lessons.
    sharing: &[],
    shared_counter: CountedIn::SharedCounter,
    host: Host::Harness,
    budget: CHILD_POOL_BUDGET,
    suited_to: None,
    picked_by_default: false,
};
