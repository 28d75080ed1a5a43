//! The engine: runs experiments for real and measures them.
//!
//! [`run_experiment`] executes every run of an [`ExperimentSpec`] in order
//! on the calling thread and reports [`RunEvent`]s through a callback;
//! [`runner::Runner`] does the same on a named thread of its own, feeding a
//! crossbeam channel and calling a wake-up callback (the GUI's repaint). Each
//! model is an [`Executor`]: a pool started once per run and reused by every
//! repetition, so pool start-up is measured apart from wall time.
//!
//! The engine never prints and never imports a UI toolkit.

mod async_processes;
mod async_tasks;
pub mod availability;
mod budget;
mod channel_pool;
mod event;
pub mod failure;
mod gil;
pub mod interleave;
mod mpi;
mod per_task;
mod poll;
mod processes;
mod python;
pub mod runner;
pub mod schedule;
mod serial;
mod threads;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

pub use budget::check_budget;
pub use event::RunEvent;
pub use failure::{MpiFailure, PythonFailure};

use crate::analysis;
use crate::measure::clock::monotonic_ns;
use crate::measure::clock::ns_to_s;
use crate::measure::sampler::{PidBoard, Sample, SampleSink};
use crate::measure::stats::{Summary, median_index};
use crate::net_service::NetService;
use crate::noise;
use crate::remedy::{Remedied, Remedy};
use crate::results::{
    CpuSample, IpcTotals, MachineInfo, MemoryRecord, MemorySample, RepetitionRecord, ResultSet,
    RunRecord, SpanIpc, SpanRecord, TimedOutRun,
};
use crate::spec::{ExperimentSpec, Model, Order, RunSpec};
use crate::worker::process::PipeSnapshot;
use crate::worker::protocol::{FrameTimes, ProtocolError};
use crate::workload::{self, CountedIn, Task, Workload};

/// What the engine needs from its surroundings.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// The corescope executable that worker processes run (`current_exe()`
    /// in the app, `CARGO_BIN_EXE_corescope` in tests).
    pub worker_exe: PathBuf,
    /// The CPython interpreter the python models run (a name on PATH or a
    /// path; `--python`, or the GUI's setting).
    pub python: PathBuf,
    /// The MPI models' hostfile (`--hostfile`, or the GUI's setting): the
    /// hosts `mpirun` places ranks on; `None` runs them all here.
    pub hostfile: Option<PathBuf>,
    /// Keep each task's span and IPC stamps and run the system sampler
    /// (on by default). Off, the records keep their wall, CPU and byte
    /// figures but no spans and no samples: `benches/instrument.rs`
    /// measures what they cost. The clock reads that take the stamps stay
    /// (they are in the workers' protocol); the python, process-per-task
    /// and MPI models keep their spans either way.
    pub instrument: bool,
}

impl EngineConfig {
    /// Workers run `worker_exe`; python models `python3` on PATH.
    pub fn new(worker_exe: PathBuf) -> EngineConfig {
        EngineConfig {
            worker_exe,
            python: PathBuf::from(crate::python::DEFAULT_INTERPRETER),
            hostfile: None,
            instrument: true,
        }
    }
}

/// A shared flag that asks a run to stop as soon as it can; a token for
/// one run may also carry a deadline (`--time-limit`), after which it reads
/// as cancelled too.
#[derive(Debug, Clone, Default)]
pub struct CancelToken {
    flag: Arc<AtomicBool>,
    /// `CLOCK_MONOTONIC` nanoseconds after which the token counts as
    /// cancelled (a time limit); 0: none.
    deadline_ns: Arc<AtomicU64>,
}

impl CancelToken {
    pub fn new() -> CancelToken {
        CancelToken::default()
    }
    pub fn cancel(&self) {
        self.flag.store(true, Ordering::SeqCst);
    }
    pub fn is_cancelled(&self) -> bool {
        self.flag.load(Ordering::SeqCst) || self.timed_out()
    }
    /// A token cancelled with this one, with a deadline of its own (one
    /// run's, under the experiment's token).
    pub fn child(&self) -> CancelToken {
        CancelToken {
            flag: Arc::clone(&self.flag),
            deadline_ns: Arc::new(AtomicU64::new(0)),
        }
    }
    /// Counts as cancelled once `left` has passed from now (none: never).
    pub fn set_time_left(&self, left: Option<Duration>) {
        let deadline = left.map_or(0, |left| {
            let left = u64::try_from(left.as_nanos()).unwrap_or(u64::MAX);
            monotonic_ns().saturating_add(left).max(1)
        });
        self.deadline_ns.store(deadline, Ordering::SeqCst);
    }
    /// Whether the deadline (not a cancel) stopped it.
    pub fn timed_out(&self) -> bool {
        let deadline = self.deadline_ns.load(Ordering::SeqCst);
        deadline != 0 && monotonic_ns() >= deadline
    }
}

/// Why a run did not finish.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("could not start worker {worker}: {source}")]
    Spawn {
        worker: usize,
        source: std::io::Error,
    },
    #[error("could not start thread {name}: {source}")]
    Thread {
        name: String,
        source: std::io::Error,
    },
    #[error("worker {worker} (pid {pid}) {how} while running {tasks}")]
    WorkerDied {
        worker: usize,
        pid: u32,
        how: String,
        tasks: String,
    },
    #[error("worker {worker} (pid {pid}) broke the protocol: {source}")]
    Protocol {
        worker: usize,
        pid: u32,
        source: ProtocolError,
    },
    #[error("worker {worker} (pid {pid}) sent a result for task {task}, which it was not running")]
    UnexpectedResult { worker: usize, pid: u32, task: u32 },
    #[error("worker {worker} did not say hello within {seconds} s")]
    StartTimeout { worker: usize, seconds: u64 },
    #[error("a thread of the {model} model stopped unexpectedly")]
    ThreadLost { model: Model },
    #[error("repetition {rep} gave checksum {found}, the first gave {expected}")]
    Nondeterministic {
        rep: usize,
        expected: String,
        found: String,
    },
    /// A python model failed: no interpreter for it, or the harness could
    /// not start, raised, crashed or broke its protocol.
    #[error(transparent)]
    Python(Box<PythonFailure>),
    /// An MPI model failed: an unusable hostfile, mpirun could not start,
    /// or a rank died or broke the protocol.
    #[error(transparent)]
    Mpi(Box<MpiFailure>),
    /// A model cannot run on this machine (refused before anything runs).
    #[error(transparent)]
    Unavailable(#[from] availability::Unavailable),
    /// The `net` workload's service could not be started.
    #[error(transparent)]
    Service(#[from] crate::net_service::ServiceError),
    /// A task could not be done (net: the service did not answer).
    #[error("{0}")]
    Task(String),
    #[error("cancelled")]
    Cancelled,
    #[error("not enough memory for {what} ({bytes} bytes)")]
    OutOfMemory { what: &'static str, bytes: u64 },
    /// The run outgrew the process's limits before it started.
    #[error("{0}")]
    Limits(String),
}

// Boxed: a failure carries its ending, which would make every engine
// result as large.
impl From<PythonFailure> for EngineError {
    fn from(failure: PythonFailure) -> Self {
        EngineError::Python(Box::new(failure))
    }
}

impl From<MpiFailure> for EngineError {
    fn from(failure: MpiFailure) -> Self {
        EngineError::Mpi(Box::new(failure))
    }
}

impl Remedied for EngineError {
    /// Another interpreter or hostfile may get past a failure of the
    /// python or MPI models; nothing else is a setting's to fix.
    fn remedy(&self) -> Option<Remedy> {
        match self {
            EngineError::Python(failure) => failure.remedy(),
            EngineError::Mpi(failure) => failure.remedy(),
            EngineError::Unavailable(why) => why.remedy(),
            _ => None,
        }
    }
}

/// One task's compute span, relative to its repetition's start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub worker: u32,
    pub task: u32,
    pub start_ns: u64,
    pub end_ns: u64,
    /// Worker-process models: how the task and its result travelled.
    pub ipc: Option<IpcStamps>,
}

/// The instants a worker-process task passed through, besides its compute
/// span, on the shared monotonic clock (relative to the repetition's start
/// once recorded). They split the task's life into start-up, transfer,
/// decoding and encoding for the timeline and the overhead breakdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct IpcStamps {
    /// process-per-task: when the task's process was started.
    pub spawned_ns: Option<u64>,
    /// The task frame's header was read by the worker.
    pub received_ns: u64,
    /// The task frame's body was read (decoding starts; compute starts
    /// right after).
    pub read_ns: u64,
    /// The result frame's header was read by the parent.
    pub reply_ns: u64,
    /// The result frame's body was read by the parent.
    pub replied_ns: u64,
    /// The parent had decoded the result.
    pub returned_ns: u64,
}

impl IpcStamps {
    /// The stamps of a task whose `Done` the parent read: the worker's own
    /// (`received_ns`, `read_ns`), then when the reply's frame `arrived` and
    /// when it was decoded (`returned_ns`).
    pub fn of_reply(
        spawned_ns: Option<u64>,
        (received_ns, read_ns): (u64, u64),
        arrived: FrameTimes,
        returned_ns: u64,
    ) -> IpcStamps {
        IpcStamps {
            spawned_ns,
            received_ns,
            read_ns,
            reply_ns: arrived.header_ns,
            replied_ns: arrived.body_ns,
            returned_ns,
        }
    }

    fn relative_to(self, origin: u64) -> IpcStamps {
        let rel = |t: u64| t.saturating_sub(origin);
        IpcStamps {
            spawned_ns: self.spawned_ns.map(rel),
            received_ns: rel(self.received_ns),
            read_ns: rel(self.read_ns),
            reply_ns: rel(self.reply_ns),
            replied_ns: rel(self.replied_ns),
            returned_ns: rel(self.returned_ns),
        }
    }
}

/// What one repetition measured, before summarising.
#[derive(Debug, Default)]
pub(crate) struct Repetition {
    /// When it started, on the shared monotonic clock.
    pub start_ns: u64,
    pub wall_ns: u64,
    pub cpu_ns: u64,
    pub spans: Vec<Span>,
    /// Task values by task index.
    pub values: Vec<u64>,
    pub ipc: PipeSnapshot,
    /// gil-threads: intervals the lock was held, relative to the start.
    pub holds: Vec<Span>,
    /// Resident set size of the corescope process after the repetition.
    pub parent_rss: u64,
    /// Resident set size of each worker process, by worker (or slot).
    pub worker_rss: Vec<u64>,
    /// Its place in the experiment's measuring order (warm-ups counted).
    pub sequence: u64,
    /// `counter`: the main process's shared counter after the repetition.
    /// Executors whose workers count in memory of their own never touch
    /// it, so it stays 0 there, as the parent's global does.
    pub counter: u64,
}

thread_local! {
    /// A span buffer readied before a repetition's clock starts
    /// ([`RepetitionLog::prepare`]), its memory already written: a run of
    /// many short tasks would otherwise take a page fault every few dozen
    /// spans inside the measured time.
    static READY_SPANS: std::cell::RefCell<Vec<Span>> = const {
        std::cell::RefCell::new(Vec::new())
    };
}

/// A task as the thread that ran it noted it during the measured time:
/// executors that build their [`RepetitionLog`] only once the clock has
/// stopped (serial, threads) keep these, so keeping spans or not
/// (instrumentation on or off) cannot change what they measure.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Finished {
    pub task: u32,
    pub value: u64,
    pub start_ns: u64,
    pub end_ns: u64,
}

/// Now on the shared clock when a run keeps spans, 0 when it does not:
/// with instrumentation off, serial and threads read no clock per task,
/// since two reads (20–30 ns each) are most of what timing a tiny task
/// costs and belong to the instrumentation being measured.
pub(crate) fn span_stamp(instrument: bool) -> u64 {
    if instrument { monotonic_ns() } else { 0 }
}

/// An empty vector with room for `capacity` items whose memory is already
/// written: filled while the clock runs, it takes no page faults.
pub(crate) fn written_buffer<T: Copy + Default>(capacity: usize) -> Vec<T> {
    let mut buffer = vec![T::default(); capacity];
    buffer.clear();
    buffer
}

/// Collects the results of one repetition as they arrive, in any order.
#[derive(Debug)]
pub(crate) struct RepetitionLog {
    start_ns: u64,
    values: Vec<Option<u64>>,
    spans: Vec<Span>,
    holds: Vec<Span>,
    done: u32,
    /// Spans, stamps and lock holds are kept (instrumentation on).
    keep_spans: bool,
}

impl RepetitionLog {
    /// A log that keeps every span, stamp and lock hold.
    pub fn new(tasks: u32, start_ns: u64) -> RepetitionLog {
        RepetitionLog::keeping(tasks, start_ns, true)
    }

    /// `keep_spans` false: only the task values are kept (instrumentation
    /// off).
    fn keeping(tasks: u32, start_ns: u64, keep_spans: bool) -> RepetitionLog {
        let spans = if keep_spans {
            READY_SPANS.with_borrow_mut(|ready| {
                if ready.capacity() >= tasks as usize {
                    std::mem::take(ready)
                } else {
                    Vec::with_capacity(tasks as usize)
                }
            })
        } else {
            Vec::new()
        };
        RepetitionLog {
            start_ns,
            values: vec![None; tasks as usize],
            spans,
            holds: Vec::new(),
            done: 0,
            keep_spans,
        }
    }

    /// Readies the span buffer of this thread's next log for `tasks`
    /// spans: called before a repetition's clock starts, on the thread
    /// that then runs it.
    pub(crate) fn prepare(tasks: u32) {
        const BLANK: Span = Span {
            worker: 0,
            task: 0,
            start_ns: 0,
            end_ns: 0,
            ipc: None,
        };
        READY_SPANS.with_borrow_mut(|ready| {
            ready.clear();
            // Written once over its length, so its pages are mapped now.
            ready.resize(tasks as usize, BLANK);
            ready.clear();
        });
    }

    /// Records a finished task; false if it was unknown or already done.
    pub fn record(
        &mut self,
        worker: u32,
        task: u32,
        value: u64,
        start_ns: u64,
        end_ns: u64,
    ) -> bool {
        self.record_with_ipc(worker, task, value, (start_ns, end_ns), None)
    }

    /// Records the tasks `worker` noted while the clock ran.
    pub fn record_finished(&mut self, worker: u32, finished: &[Finished]) {
        for done in finished {
            self.record(worker, done.task, done.value, done.start_ns, done.end_ns);
        }
    }

    /// [`Self::record`] for a task that crossed a pipe, with its stamps.
    pub fn record_with_ipc(
        &mut self,
        worker: u32,
        task: u32,
        value: u64,
        (start_ns, end_ns): (u64, u64),
        ipc: Option<IpcStamps>,
    ) -> bool {
        match self.values.get_mut(task as usize) {
            Some(slot @ None) => {
                *slot = Some(value);
                self.done += 1;
                if !self.keep_spans {
                    return true;
                }
                self.spans.push(Span {
                    worker,
                    task,
                    start_ns: start_ns.saturating_sub(self.start_ns),
                    end_ns: end_ns.saturating_sub(self.start_ns),
                    ipc: ipc.map(|stamps| stamps.relative_to(self.start_ns)),
                });
                true
            }
            _ => false,
        }
    }

    /// Records lock holds stamped on the shared clock.
    pub fn record_holds(&mut self, holds: Vec<Span>) {
        if !self.keep_spans {
            return;
        }
        let start = self.start_ns;
        self.holds.extend(holds.into_iter().map(|h| Span {
            start_ns: h.start_ns.saturating_sub(start),
            end_ns: h.end_ns.saturating_sub(start),
            ..h
        }));
    }

    pub fn is_complete(&self) -> bool {
        self.done as usize == self.values.len()
    }

    pub fn finish(self, wall_ns: u64, cpu_ns: u64, ipc: PipeSnapshot) -> Repetition {
        let mut spans = self.spans;
        spans.sort_by_key(|s| (s.worker, s.start_ns));
        Repetition {
            start_ns: self.start_ns,
            wall_ns,
            cpu_ns,
            spans,
            holds: self.holds,
            values: self
                .values
                .into_iter()
                .map(Option::unwrap_or_default)
                .collect(),
            ipc,
            parent_rss: 0,
            worker_rss: Vec::new(),
            sequence: 0,
            counter: 0,
        }
    }
}

/// What every repetition of a run shares.
pub(crate) struct RepetitionInput<'a> {
    pub spec: &'a RunSpec,
    /// The echo payload every task receives (empty for other workloads).
    pub payload: &'a Arc<[u8]>,
    pub cancel: &'a CancelToken,
    /// Called with how many more tasks have finished, from the thread
    /// running the repetition (per task, or per batch where the executor
    /// hears of its tasks in batches).
    pub on_tasks_done: &'a mut dyn FnMut(u32),
    /// `net`: the port of the run's service on 127.0.0.1 (0 otherwise).
    pub net_port: u16,
    /// Keep spans and stamps ([`EngineConfig::instrument`]).
    pub instrument: bool,
}

impl RepetitionInput<'_> {
    /// The log of this repetition, begun at `start_ns`: it keeps spans and
    /// stamps only when the run is instrumented.
    pub fn log(&self, start_ns: u64) -> RepetitionLog {
        RepetitionLog::keeping(self.spec.workload.tasks, start_ns, self.instrument)
    }

    pub fn task(&self, index: u32) -> Task {
        Task {
            workload: self.spec.workload.workload,
            size: self.spec.workload.size,
            index,
            tasks: self.spec.workload.tasks,
            io_percent: self.spec.workload.io_percent,
            port: self.net_port,
            sharing: self.spec.workload.sharing,
        }
    }
}

/// A model: a pool started once per run, then asked for repetitions.
pub(crate) trait Executor {
    /// Nanoseconds spent starting the pool.
    fn spawn_ns(&self) -> u64;
    /// Worker processes started so far.
    fn processes_started(&self) -> u64 {
        0
    }
    /// The pids of the worker processes alive between repetitions, by
    /// worker, for the memory reading that follows each one. An executor
    /// whose workers do not outlive a repetition fills
    /// [`Repetition::worker_rss`] itself.
    fn worker_pids(&self) -> Vec<u32> {
        Vec::new()
    }
    /// The python models: fills in which interpreter ran the run, its
    /// version and whether its GIL was on.
    fn describe_python(&self, _record: &mut RunRecord) {}
    /// The MPI models: where the ranks ran and what they exchanged.
    fn mpi(&self) -> Option<crate::results::MpiRecord> {
        None
    }
    /// Builds its [`RepetitionLog`] only after the clock stops (from
    /// [`Finished`] notes), so no span buffer need be readied before it.
    fn logs_after_clock(&self) -> bool {
        false
    }
    fn run_repetition(&mut self, input: RepetitionInput<'_>) -> Result<Repetition, EngineError>;
}

/// A run's pool and, for `net`, the service its tasks call. The executor
/// is declared first, so it is dropped (its workers killed and reaped)
/// before the service.
pub(crate) struct Pool {
    pub executor: Box<dyn Executor>,
    pub service: Option<NetService>,
}

impl Pool {
    /// The port of the run's `net` service on 127.0.0.1 (0: none).
    pub fn net_port(&self) -> u16 {
        self.service.as_ref().map_or(0, NetService::port)
    }
}

/// Starts the run's `net` service if its workload calls one, then its
/// executor.
fn start_pool(
    spec: &RunSpec,
    config: &EngineConfig,
    cancel: &CancelToken,
    board: &PidBoard,
) -> Result<Pool, EngineError> {
    let service = match spec.workload.workload {
        crate::workload::Workload::Net => Some(NetService::start(
            &config.worker_exe,
            spec.workload.payload_bytes,
        )?),
        _ => None,
    };
    let net_port = service.as_ref().map_or(0, NetService::port);
    let executor = start_executor(spec, config, cancel, board, net_port)?;
    Ok(Pool { executor, service })
}

fn start_executor(
    spec: &RunSpec,
    config: &EngineConfig,
    cancel: &CancelToken,
    board: &PidBoard,
    net_port: u16,
) -> Result<Box<dyn Executor>, EngineError> {
    if spec.model.uses_mpirun() && spec.workload.workload == crate::workload::Workload::Net {
        // The service listens on this machine's loopback only; ranks of a
        // hostfile run elsewhere and could not reach it.
        return Err(MpiFailure::NetWorkload { model: spec.model }.into());
    }
    Ok(match spec.model {
        Model::Serial => Box::new(serial::Serial),
        Model::Threads => Box::new(threads::ThreadPool::start(spec.workers, None)?),
        Model::GilThreads => Box::new(threads::ThreadPool::start(
            spec.workers,
            Some(gil::Gil::new(spec.switch_interval_us)),
        )?),
        Model::ProcessPerTask => Box::new(per_task::ProcessPerTask::new(
            &config.worker_exe,
            spec.workers,
            spec.codec,
            board.clone(),
        )),
        Model::Processes => Box::new(processes::ProcessPool::start(
            &config.worker_exe,
            spec,
            cancel,
            board,
        )?),
        Model::Async => Box::new(async_tasks::AsyncTasks::start(
            spec.workers,
            spec.runtime_threads,
        )?),
        Model::AsyncProcesses => Box::new(async_processes::AsyncProcesses::start(
            spec,
            &config.worker_exe,
            cancel,
            board,
        )?),
        Model::PythonSerial
        | Model::PythonThreads
        | Model::PythonThreadsNogil
        | Model::PythonProcesses
        | Model::PythonExecutor
        | Model::PythonQueue
        | Model::PythonAsyncio
        | Model::PythonAsyncioProcesses
        | Model::PythonMpi => Box::new(python::PythonExecutor::start(
            spec, config, cancel, board, net_port,
        )?),
        Model::Mpi => Box::new(mpi::MpiExecutor::start(spec, config, cancel, board)?),
    })
}

/// How often progress callbacks may fire: enough for a smooth bar.
const PROGRESS_INTERVAL: Duration = Duration::from_millis(50);

/// Runs one run (warm-ups, then repetitions) and summarises it.
///
/// `on_progress(done, total)` counts tasks over all repetitions, at most
/// every 50 ms and once at the end.
pub fn run_one(
    spec: &RunSpec,
    config: &EngineConfig,
    cancel: &CancelToken,
    on_progress: &mut dyn FnMut(u64, u64),
) -> Result<RunRecord, EngineError> {
    run_one_sampled(spec, config, cancel, on_progress, None)
}

/// [`run_one`], handing every system sample to `on_sample` as it is taken
/// (from the sampler's thread) besides keeping it in the record.
///
/// A sampler thread ([`SAMPLER_THREAD`]) watches the cores and the run's
/// processes from before the pool starts until the last repetition ends;
/// it is stopped and joined before this returns, whatever the outcome.
pub fn run_one_sampled(
    spec: &RunSpec,
    config: &EngineConfig,
    cancel: &CancelToken,
    on_progress: &mut dyn FnMut(u64, u64),
    on_sample: Option<SampleSink>,
) -> Result<RunRecord, EngineError> {
    let mut start = |spec: &RunSpec, board: &PidBoard, cancel: &CancelToken| {
        start_pool(spec, config, cancel, board)
    };
    let mut emit = |event: RunEvent| {
        if let RunEvent::Progress {
            tasks_done,
            tasks_total,
            ..
        } = event
        {
            on_progress(tasks_done, tasks_total);
        }
    };
    let records = interleave::measure_batch(
        &[(0, *spec)],
        &mut start,
        cancel,
        interleave::BatchIo {
            emit: &mut emit,
            on_sample,
            sequence: &mut 0,
            time_limit: None,
            instrument: config.instrument,
        },
    )?;
    records
        .records
        .into_iter()
        .next()
        .ok_or(EngineError::Cancelled)
}

/// A run's record from its repetitions: the figures over all of them, and
/// the spans, memory and samples of the typical (median wall time) one.
fn summarise(
    spec: &RunSpec,
    spawn_ns: u64,
    repetitions: &[Repetition],
    samples: &[Sample],
) -> Result<RunRecord, EngineError> {
    let checksum = agreed_checksum(repetitions)?;
    let walls: Vec<f64> = repetitions.iter().map(|r| ns_to_s(r.wall_ns)).collect();
    let records: Vec<RepetitionRecord> = repetitions
        .iter()
        .map(|r| repetition_record(spec, r))
        .collect();
    let typical = median_index(&walls).unwrap_or(0);
    let summary_of = |f: fn(&RepetitionRecord) -> f64| {
        Summary::of(&records.iter().map(f).collect::<Vec<f64>>()).unwrap_or_default()
    };
    let mut record = RunRecord::from_spec(spec);
    record.wall_seconds = Summary::of(&walls).unwrap_or_default();
    record.spawn_seconds = ns_to_s(spawn_ns);
    record.compute_seconds = summary_of(|r| r.compute_seconds);
    record.cpu_seconds = summary_of(|r| r.cpu_seconds);
    record.ipc = records.get(typical).map(|r| r.ipc).unwrap_or_default();
    record.checksum = checksum;
    if let Some(r) = repetitions.get(typical) {
        describe_typical(&mut record, r, samples);
    }
    if let Some(total) = records.get(typical).and_then(|r| r.total) {
        let expected = u64::from(spec.workload.tasks).saturating_mul(spec.workload.size);
        record.expected_total = Some(expected);
        record.total = Some(total);
        record.lost_updates = Some(expected.saturating_sub(total));
        record.counted_in = Some(CountedIn::of(
            spec.model.info().shared_counter,
            spec.workload.sharing,
        ));
    }
    record.repetitions = records;
    record.wall_ci = analysis::wall_interval(&record);
    if !spec.model.uses_workers() {
        let own_wall = record.wall_seconds.median;
        analysis::set_speedup(&mut record, own_wall);
    }
    Ok(record)
}

/// The checksum every repetition computed ("" without repetitions); a
/// repetition that computed another is an error.
fn agreed_checksum(repetitions: &[Repetition]) -> Result<String, EngineError> {
    let checksums: Vec<String> = repetitions
        .iter()
        .map(|r| format!("{:#018x}", workload::checksum(r.values.iter().copied())))
        .collect();
    if let Some((rep, found)) = checksums
        .iter()
        .enumerate()
        .find(|(_, c)| *c != &checksums[0])
    {
        return Err(EngineError::Nondeterministic {
            rep,
            expected: checksums[0].clone(),
            found: found.clone(),
        });
    }
    Ok(checksums.into_iter().next().unwrap_or_default())
}

/// One repetition's figures as stored.
fn repetition_record(spec: &RunSpec, r: &Repetition) -> RepetitionRecord {
    RepetitionRecord {
        wall_seconds: ns_to_s(r.wall_ns),
        compute_seconds: ns_to_s(
            r.spans
                .iter()
                .map(|s| s.end_ns.saturating_sub(s.start_ns))
                .sum(),
        ),
        cpu_seconds: ns_to_s(r.cpu_ns),
        ipc: IpcTotals {
            bytes_to_workers: r.ipc.bytes_to_worker,
            bytes_from_workers: r.ipc.bytes_from_worker,
            messages: r.ipc.messages,
            bytes_shared_to_workers: r.ipc.shared_to_worker,
            bytes_shared_from_workers: r.ipc.shared_from_worker,
        },
        sequence: Some(r.sequence),
        total: counter_total(spec, r),
    }
}

/// The typical repetition's spans, GIL holds and memory, and the system
/// samples timed from its start.
fn describe_typical(record: &mut RunRecord, r: &Repetition, samples: &[Sample]) {
    record.spans = span_records(&r.spans);
    record.gil_holds = span_records(&r.holds);
    record.memory = MemoryRecord {
        parent_rss_bytes: r.parent_rss,
        worker_rss_bytes: r.worker_rss.clone(),
        total_rss_bytes: r.parent_rss + r.worker_rss.iter().sum::<u64>(),
    };
    for sample in samples {
        let (cpu, memory) = sample_records(sample, r.start_ns);
        record.cpu_samples.push(cpu);
        record.memory_samples.push(memory);
    }
}

/// Spans in seconds from their repetition's start, as stored.
fn span_records(spans: &[Span]) -> Vec<SpanRecord> {
    spans
        .iter()
        .map(|s| SpanRecord {
            worker: s.worker,
            task: s.task,
            start_seconds: ns_to_s(s.start_ns),
            end_seconds: ns_to_s(s.end_ns),
            ipc: s.ipc.map(|i| SpanIpc {
                spawned_seconds: i.spawned_ns.map(ns_to_s),
                received_seconds: ns_to_s(i.received_ns),
                read_seconds: ns_to_s(i.read_ns),
                reply_seconds: ns_to_s(i.reply_ns),
                replied_seconds: ns_to_s(i.replied_ns),
                returned_seconds: ns_to_s(i.returned_ns),
            }),
        })
        .collect()
}

/// `counter`: the total the main process has after a repetition: the sum
/// of the partial sums (the task values) when isolated, else its shared
/// counter. `None` for other workloads.
fn counter_total(spec: &RunSpec, repetition: &Repetition) -> Option<u64> {
    if spec.workload.workload != Workload::Counter {
        return None;
    }
    Some(if spec.workload.sharing.is_shared() {
        repetition.counter
    } else {
        repetition
            .values
            .iter()
            .fold(0u64, |sum, &v| sum.saturating_add(v))
    })
}

/// A sample as the records keep it, timed in seconds from `origin_ns` (on
/// the shared monotonic clock; negative before it).
pub(crate) fn sample_records(sample: &Sample, origin_ns: u64) -> (CpuSample, MemorySample) {
    let t_seconds = (i128::from(sample.at_ns) - i128::from(origin_ns)) as f64 / 1e9;
    (
        CpuSample {
            t_seconds,
            per_core: sample.per_core.clone(),
            corescope_percent: sample.own_cpu,
        },
        MemorySample {
            t_seconds,
            parent_rss_bytes: sample.parent_rss,
            worker_rss_bytes: sample.worker_rss.clone(),
            total_rss_bytes: sample.parent_rss + sample.worker_rss.iter().sum::<u64>(),
        },
    )
}

/// Where live samples go: called from the sampler's thread with a
/// [`RunEvent::Sample`].
pub type LiveSink = Arc<dyn Fn(RunEvent) + Send + Sync>;

/// What an experiment measures: its runs (baselines first) and in which
/// order their repetitions are taken. An [`ExperimentSpec`] gives one;
/// re-running flagged runs gives another.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub runs: Vec<RunSpec>,
    pub order: Order,
    /// The lesson preset the runs come from, if any.
    pub preset: Option<String>,
    /// Stop a run still going after this long (`--time-limit`).
    pub time_limit: Option<Duration>,
}

impl Plan {
    /// The runs of `spec`, in its order.
    pub fn of(spec: &ExperimentSpec) -> Plan {
        Plan {
            runs: spec.runs(),
            order: spec.order,
            preset: spec.preset.clone(),
            time_limit: spec.time_limit,
        }
    }

    /// Every model the plan runs, once each.
    pub fn models(&self) -> Vec<Model> {
        let mut models: Vec<Model> = self.runs.iter().map(|r| r.model).collect();
        models.sort();
        models.dedup();
        models
    }
}

/// Runs every run of `spec` on this thread, reporting through `emit`, and
/// returns the result set. Speedups are filled in as soon as the serial
/// baseline (always the first run of its problem) is known.
pub fn run_experiment(
    spec: &ExperimentSpec,
    config: &EngineConfig,
    cancel: &CancelToken,
    emit: &mut dyn FnMut(RunEvent),
) -> Result<ResultSet, EngineError> {
    run_experiment_live(spec, config, cancel, emit, None)
}

/// [`run_experiment`], also sending each run's system samples to `live` as
/// [`RunEvent::Sample`]s while it runs.
pub fn run_experiment_live(
    spec: &ExperimentSpec,
    config: &EngineConfig,
    cancel: &CancelToken,
    emit: &mut dyn FnMut(RunEvent),
    live: Option<LiveSink>,
) -> Result<ResultSet, EngineError> {
    run_plan(&Plan::of(spec), config, cancel, emit, live)
}

/// Measures a [`Plan`]: first other programs' use of the machine, then
/// each batch of runs ([`interleave::batches`]), each run's speedup and
/// noise flags as it finishes, and the set's flags at the end.
pub fn run_plan(
    plan: &Plan,
    config: &EngineConfig,
    cancel: &CancelToken,
    emit: &mut dyn FnMut(RunEvent),
    live: Option<LiveSink>,
) -> Result<ResultSet, EngineError> {
    availability::check_all(&plan.models(), &config.python)?;
    budget::check_plan_budget(plan)?;
    let runs = plan.runs.clone();
    emit(RunEvent::Started {
        runs: runs.clone(),
        total_tasks: runs.iter().map(RunSpec::total_tasks).sum(),
    });
    let mut set = ResultSet::new(MachineInfo::detect());
    set.preset = plan.preset.clone();
    set.order = plan.order;
    set.load_before = noise::probe_before().map(Box::new);
    let mut sequence = 0u64;
    for batch in interleave::batches(&runs, plan.order) {
        let members: Vec<(usize, RunSpec)> = batch.iter().map(|&i| (i, runs[i])).collect();
        let mut start = |spec: &RunSpec, board: &PidBoard, cancel: &CancelToken| {
            start_pool(spec, config, cancel, board)
        };
        let outcome = interleave::measure_batch(
            &members,
            &mut start,
            cancel,
            interleave::BatchIo {
                emit: &mut *emit,
                on_sample: live_samples(&live, &batch),
                sequence: &mut sequence,
                time_limit: plan.time_limit,
                instrument: config.instrument,
            },
        )?;
        // Their executors have killed and reaped their processes.
        set.timed_out
            .extend(outcome.timed_out.iter().map(|&index| TimedOutRun {
                index,
                label: runs[index].label(),
                limit_seconds: plan.time_limit.map_or(0.0, |l| l.as_secs_f64()),
            }));
        let finished = batch
            .into_iter()
            .filter(|index| !outcome.timed_out.contains(index));
        for (index, mut record) in finished.zip(outcome.records) {
            if let Some(baseline) = analysis::baseline_run(&set.runs, &record) {
                let baseline = baseline.clone();
                analysis::set_speedup_against(&mut record, &baseline);
            }
            noise::assess_run(&mut record, &set);
            emit(RunEvent::RunFinished {
                index,
                record: Box::new(record.clone()),
            });
            set.runs.push(record);
        }
    }
    noise::assess(&mut set);
    Ok(set)
}

/// The sampler's sink for a batch: each sample goes to `live` as a
/// [`RunEvent::Sample`] of the run whose turn it was, timed from the
/// batch's start.
fn live_samples(live: &Option<LiveSink>, batch: &[usize]) -> Option<SampleSink> {
    let live = live.clone()?;
    let batch = batch.to_vec();
    let origin = monotonic_ns();
    Some(Arc::new(move |sample: &Sample| {
        let turn = sample.turn.unwrap_or(0);
        let Some(&index) = batch.get(turn) else {
            return;
        };
        let (cpu, memory) = sample_records(sample, origin);
        live(RunEvent::Sample { index, cpu, memory });
    }))
}
