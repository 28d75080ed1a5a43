//! The executor contract: what every model's [`Executor`] is given and what
//! it hands back.
//!
//! A model is a pool started once per run and then asked for repetitions.
//! Each repetition gets a [`RepetitionInput`] (the run, its payload, the
//! cancel token, a progress callback) and fills a [`RepetitionLog`] with
//! its tasks' values, [`Span`]s and [`IpcStamps`] as they finish, which
//! becomes the [`Repetition`] that `super::record` turns into a stored
//! record. [`EngineConfig`] is what starting any pool may need from the
//! surroundings; a [`Pool`] is a started executor with the `net` service
//! its tasks call.

use std::path::PathBuf;
use std::sync::Arc;

use super::error::EngineError;
use crate::cancel::CancelToken;
use crate::measure::clock::monotonic_ns;
use crate::net_service::NetService;
use crate::results::{MpiRecord, RunRecord};
use crate::spec::RunSpec;
use crate::worker::process::PipeSnapshot;
use crate::worker::protocol::FrameTimes;
use crate::workload::Task;

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
/// The compute span of one task, or of a group of tasks one worker ran
/// one after another (`task .. task + tasks`, or those listed from
/// `members_at`; see [`super::grouping`]), relative to its repetition's
/// start: 32 bytes. A worker-process task's IPC stamps are
/// kept beside it ([`Repetition::stamps`]), so the models that have none
/// (serial, threads, …) hold none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub worker: u32,
    pub task: u32,
    /// Tasks it covers (1: one task).
    pub tasks: u32,
    /// Where a group's tasks are not `task .. task + tasks`: where they
    /// are listed in [`Repetition::members`] ([`CONSECUTIVE`]: they are).
    pub members_at: u32,
    pub start_ns: u64,
    pub end_ns: u64,
}

/// [`Span::members_at`] of a span whose tasks are consecutive.
pub(crate) const CONSECUTIVE: u32 = u32::MAX;

impl Default for Span {
    fn default() -> Span {
        Span {
            worker: 0,
            task: 0,
            tasks: 1,
            members_at: CONSECUTIVE,
            start_ns: 0,
            end_ns: 0,
        }
    }
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
    /// The workers' time inside tasks: the sum of the spans (kept when
    /// the spans are dropped).
    pub compute_ns: u64,
    pub spans: Vec<Span>,
    /// Worker-process models: each span's IPC stamps, by span (empty for
    /// the models that take none).
    pub stamps: Vec<IpcStamps>,
    /// The tasks of the groups whose tasks are not consecutive, each
    /// group's from its span's `members_at`.
    pub members: Vec<u32>,
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
    /// The IPC stamps' buffer, readied alike for the models that take them.
    static READY_STAMPS: std::cell::RefCell<Vec<IpcStamps>> = const {
        std::cell::RefCell::new(Vec::new())
    };
}

/// This thread's readied buffer if it has room for `tasks`, else a new one.
fn ready_buffer<T>(
    ready: &'static std::thread::LocalKey<std::cell::RefCell<Vec<T>>>,
    tasks: u32,
) -> Vec<T> {
    ready.with_borrow_mut(|ready| {
        if ready.capacity() >= tasks as usize {
            std::mem::take(ready)
        } else {
            Vec::with_capacity(tasks as usize)
        }
    })
}

/// Writes `ready` over `tasks` items once, so its pages are mapped.
fn ready_written<T: Copy + Default>(ready: &mut Vec<T>, tasks: u32) {
    ready.clear();
    ready.resize(tasks as usize, T::default());
    ready.clear();
}

/// A task as the thread that ran it noted it during the measured time:
/// executors that build their [`RepetitionLog`] only once the clock has
/// stopped (serial, threads) keep these, so keeping spans or not
/// (instrumentation on or off) cannot change what they measure.
///
/// The first task of a span carries the span: `tasks` (how many tasks from
/// it the span covers), `start_ns` and `end_ns`; the other tasks of a
/// group have `tasks` 0 and only their value (32 bytes either way).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Finished {
    pub task: u32,
    pub tasks: u32,
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
    /// The spans' IPC stamps, where every span has them.
    stamps: Vec<IpcStamps>,
    /// Groups' tasks where they are not consecutive.
    members: Vec<u32>,
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
            ready_buffer(&READY_SPANS, tasks)
        } else {
            Vec::new()
        };
        RepetitionLog {
            start_ns,
            values: vec![None; tasks as usize],
            spans,
            // Taken on the first stamped span (`push_span`).
            stamps: Vec::new(),
            members: Vec::new(),
            holds: Vec::new(),
            done: 0,
            keep_spans,
        }
    }

    /// Readies the span buffer of this thread's next log for `tasks`
    /// spans, and with `stamps` the buffer of their IPC stamps: called
    /// before a repetition's clock starts, on the thread that then runs it.
    pub(crate) fn prepare(tasks: u32, stamps: bool) {
        READY_SPANS.with_borrow_mut(|ready| ready_written(ready, tasks));
        if stamps {
            READY_STAMPS.with_borrow_mut(|ready| ready_written(ready, tasks));
        }
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

    /// Records the tasks `worker` noted while the clock ran, one span per
    /// group (its tasks listed where they are not consecutive).
    pub fn record_finished(&mut self, worker: u32, finished: &[Finished]) {
        for (i, done) in finished.iter().enumerate() {
            if !self.record_value(done.task, done.value) || done.tasks == 0 {
                continue;
            }
            self.push_span(
                worker,
                (done.task, done.tasks),
                (done.start_ns, done.end_ns),
                None,
            );
            let group = finished.get(i..i + done.tasks as usize).unwrap_or_default();
            let consecutive = group
                .iter()
                .zip(done.task..)
                .all(|(member, task)| member.task == task);
            if let (false, true, Some(span)) = (consecutive, self.keep_spans, self.spans.last_mut())
            {
                span.members_at = u32::try_from(self.members.len()).unwrap_or(CONSECUTIVE);
                self.members.extend(group.iter().map(|member| member.task));
            }
        }
    }

    /// Keeps a task's value; false if it was unknown or already done.
    fn record_value(&mut self, task: u32, value: u64) -> bool {
        match self.values.get_mut(task as usize) {
            Some(slot @ None) => {
                *slot = Some(value);
                self.done += 1;
                true
            }
            _ => false,
        }
    }

    /// Keeps the span of `tasks` tasks from `task` (when spans are kept).
    fn push_span(
        &mut self,
        worker: u32,
        (task, tasks): (u32, u32),
        (start_ns, end_ns): (u64, u64),
        ipc: Option<IpcStamps>,
    ) {
        if !self.keep_spans {
            return;
        }
        if let Some(stamps) = ipc {
            if self.stamps.capacity() == 0 {
                self.stamps = ready_buffer(&READY_STAMPS, self.values.len() as u32);
            }
            self.stamps.push(stamps.relative_to(self.start_ns));
        }
        self.spans.push(Span {
            worker,
            task,
            tasks,
            members_at: CONSECUTIVE,
            start_ns: start_ns.saturating_sub(self.start_ns),
            end_ns: end_ns.saturating_sub(self.start_ns),
        });
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
        if !self.record_value(task, value) {
            return false;
        }
        self.push_span(worker, (task, 1), (start_ns, end_ns), ipc);
        true
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
        let (spans, stamps) = in_worker_order(self.spans, self.stamps);
        Repetition {
            start_ns: self.start_ns,
            wall_ns,
            cpu_ns,
            compute_ns: spans
                .iter()
                .map(|s| s.end_ns.saturating_sub(s.start_ns))
                .sum(),
            spans,
            stamps,
            members: self.members,
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

/// Spans (and their stamps, where every span has them) sorted by worker
/// and start, in memory of their own size: a run of grouped spans keeps
/// far fewer than its buffer had room for.
fn in_worker_order(spans: Vec<Span>, stamps: Vec<IpcStamps>) -> (Vec<Span>, Vec<IpcStamps>) {
    let mut order: Vec<usize> = (0..spans.len()).collect();
    order.sort_by_key(|&i| (spans[i].worker, spans[i].start_ns));
    let sorted_spans = order.iter().map(|&i| spans[i]).collect();
    let sorted_stamps = if stamps.len() == spans.len() {
        order.iter().map(|&i| stamps[i]).collect()
    } else {
        Vec::new()
    };
    (sorted_spans, sorted_stamps)
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
    /// Serial and threads: at most how many consecutive tasks one span
    /// covers (1: a span per task), decided per run by
    /// [`super::grouping::group_size`].
    pub group: u32,
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
    fn mpi(&self) -> Option<MpiRecord> {
        None
    }
    /// Builds its [`RepetitionLog`] only after the clock stops (from
    /// [`Finished`] notes), so no span buffer need be readied before it.
    fn logs_after_clock(&self) -> bool {
        false
    }
    /// Its tasks cross a pipe and carry IPC stamps (worker processes), so
    /// their buffer is readied before the clock too.
    fn stamps_ipc(&self) -> bool {
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
