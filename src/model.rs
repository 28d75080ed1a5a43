//! The model catalogue: every execution model's facts in one descriptor.
//!
//! A [`ModelInfo`] holds a model's name, one-line description, family,
//! runtime (whose serial model is its speedup baseline), colours, marker,
//! how its lanes, threads and processes are named, what it needs to run,
//! which knobs apply to it, which processes a run watches besides its
//! workers, what a run holds against the process's limits and the kind of
//! work the rule of thumb names it for. The descriptors themselves are in
//! `model/catalogue.rs`. [`Model::info`] is one exhaustive `match`: a new
//! variant that is not described does not compile. Help text, the GUI's model list, the charts,
//! the timeline, the trace and the exports read the catalogue; nothing else
//! lists models. Whether a model can run on this machine is decided from
//! its [`Requirement`]s by `engine::availability`.

use serde::{Deserialize, Serialize};

use crate::palette::{Marker, Rgb, ThemedColor};
use crate::settings::Uses;
use crate::workload::{CountedIn, Sharing};

mod catalogue;

use catalogue::{
    ASYNC, ASYNC_PROCESSES, GIL_THREADS, MPI, PROCESS_PER_TASK, PROCESSES, PYTHON_ASYNCIO,
    PYTHON_ASYNCIO_PROCESSES, PYTHON_EXECUTOR, PYTHON_MPI, PYTHON_PROCESSES, PYTHON_QUEUE,
    PYTHON_SERIAL, PYTHON_THREADS, PYTHON_THREADS_NOGIL, SERIAL, THREADS,
};

/// How tasks are executed.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Model {
    /// One thread, tasks in order: the baseline of every speedup (and the
    /// model a chart draws when it has none to go by).
    #[default]
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

impl Runtime {
    /// The serial model of this runtime: the speedup baseline of every
    /// model it runs (CPython against CPython, corescope against
    /// corescope).
    pub const fn baseline(self) -> Model {
        match self {
            Runtime::Corescope => Model::Serial,
            Runtime::Cpython => Model::PythonSerial,
        }
    }
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

/// Which process runs or coordinates a model's workers, and so which
/// processes a run watches besides them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Host {
    /// Corescope itself: its threads, its event loop, or its pipes to
    /// worker processes of its own.
    Corescope,
    /// CPython's harness, a child process of corescope: its memory is read
    /// in a slot of its own, before the workers'.
    Harness,
    /// An MPI job: `mpirun` and the coordinating rank 0 (for python-mpi the
    /// harness) are watched besides the worker ranks.
    MpiJob,
}

impl Host {
    /// Processes whose memory a run reads besides its workers' (each a
    /// `worker_rss_bytes` entry of the saved record and its samples).
    pub const fn watched_besides_workers(self) -> u32 {
        match self {
            Host::Corescope => 0,
            Host::Harness => 1,
            // Rank 0 and mpirun.
            Host::MpiJob => 2,
        }
    }
}

/// What one run of a model holds at once against the process's limits
/// (which its child processes inherit): open files and tasks (processes
/// plus threads), per worker and besides them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub files_per_worker: u64,
    pub files: u64,
    pub tasks_per_worker: u64,
    pub tasks: u64,
    /// Whether the async runtime's threads (`--runtime-threads`) count too.
    pub runtime_threads: bool,
}

impl Budget {
    /// Open files and tasks for a run of `workers` on `runtime_threads`.
    pub fn needs(&self, workers: u32, runtime_threads: u32) -> (u64, u64) {
        let workers = u64::from(workers);
        let runtime = if self.runtime_threads {
            u64::from(runtime_threads)
        } else {
            0
        };
        (
            self.files_per_worker * workers + self.files,
            self.tasks_per_worker * workers + self.tasks + runtime,
        )
    }
}

/// The kinds of work the rule of thumb tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Work {
    /// Mostly waiting (sleep, net).
    Io,
    /// Mostly computing.
    Cpu,
    /// Both in one task.
    Mixed,
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
    /// The process that runs or coordinates its workers.
    pub host: Host,
    /// What a run holds against the process's limits.
    pub budget: Budget,
    /// The kind of work the rule of thumb names it for, if any.
    pub suited_to: Option<Work>,
    /// Whether a new experiment (the CLI's default, the form's first
    /// state) runs it.
    pub picked_by_default: bool,
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
        self.info().runtime.baseline()
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

    /// The models a new experiment runs (the CLI's default, the form's
    /// first state), in menu order.
    pub fn default_picks() -> impl Iterator<Item = Model> {
        Model::ALL
            .into_iter()
            .filter(|m| m.info().picked_by_default)
    }

    /// The process that runs or coordinates the model's workers.
    pub fn host(self) -> Host {
        self.info().host
    }

    /// Most `worker_rss_bytes` entries a saved run of `workers` holds, in
    /// its memory record and in each memory sample: one per worker, plus
    /// the harness, or rank 0 and `mpirun`, where the model has them.
    pub fn memory_slots(self, workers: u32) -> usize {
        workers as usize + self.host().watched_besides_workers() as usize
    }

    /// The ranks of a run's MPI job at `workers`: the coordinating rank 0
    /// and a rank per worker; `None` for a model that runs no MPI job.
    pub fn mpi_ranks(self, workers: u32) -> Option<u32> {
        (self.host() == Host::MpiJob).then(|| workers.saturating_add(1))
    }

    /// Whether the model records the emulated GIL's holds.
    pub fn records_gil_holds(self) -> bool {
        self.info().has_knob(Knob::SwitchInterval)
    }

    /// Whether the model needs a free-threaded CPython (so its baseline,
    /// python-serial, may have run on another interpreter).
    pub fn needs_free_threading(self) -> bool {
        self.info()
            .requires
            .contains(&Requirement::FreeThreadedPython)
    }

    /// The kind of work the rule of thumb names the model for, if any.
    pub fn suited_to(self) -> Option<Work> {
        self.info().suited_to
    }

    /// The colour of corescope's own process (all its threads) on the
    /// memory charts: serial's, the model that is nothing else.
    pub fn corescope_color(dark: bool) -> Rgb {
        SERIAL.color.on(dark)
    }

    /// The colour of worker processes taken together on the memory
    /// charts: processes'.
    pub fn worker_processes_color(dark: bool) -> Rgb {
        PROCESSES.color.on(dark)
    }

    /// Whether the model can run a shell command per task (`--command`):
    /// the ones that run tasks on corescope's own threads, each waiting
    /// for its task's child as `xargs -P` does. Worker processes would
    /// only add a process between corescope and the child; an event loop
    /// would block on it; CPython runs its own code.
    pub fn runs_commands(self) -> bool {
        match self {
            Model::Serial | Model::Threads | Model::GilThreads => true,
            Model::Processes
            | Model::ProcessPerTask
            | Model::Async
            | Model::AsyncProcesses
            | Model::Mpi
            | Model::PythonSerial
            | Model::PythonThreads
            | Model::PythonThreadsNogil
            | Model::PythonProcesses
            | Model::PythonExecutor
            | Model::PythonQueue
            | Model::PythonAsyncio
            | Model::PythonAsyncioProcesses
            | Model::PythonMpi => false,
        }
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
    fn hosts_and_budgets_agree_with_what_the_models_run() {
        for model in Model::ALL {
            let info = model.info();
            assert_eq!(model.uses_mpirun(), info.host == Host::MpiJob, "{model}");
            if info.host == Host::Corescope {
                assert!(!model.is_python(), "{model}");
            }
            // A worker process (or rank) holds pipes, whoever starts it.
            if model.uses_processes() {
                assert!(info.budget.files_per_worker > 0, "{model}");
            }
            // A worker that is a thread or a process is a task of its own.
            let (_, tasks) = info.budget.needs(4, 1);
            if model.uses_workers() && !model.workers_are_tasks() {
                assert!(tasks >= 4, "{model}");
            }
        }
        assert_eq!(Model::PythonMpi.memory_slots(2), 4);
        assert_eq!(Model::PythonAsyncioProcesses.memory_slots(2), 3);
        assert_eq!(Model::Processes.memory_slots(2), 2);
        assert_eq!(Model::Mpi.mpi_ranks(2), Some(3));
        assert_eq!(Model::PythonProcesses.mpi_ranks(2), None);
        let picks: Vec<_> = Model::default_picks().collect();
        assert_eq!(picks, [Model::Serial, Model::Threads, Model::Processes]);
    }

    #[test]
    fn help_lists_every_model() {
        let help = help_list();
        for model in Model::ALL {
            assert!(help.contains(model.name()), "{help}");
        }
    }
}
