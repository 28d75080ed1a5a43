//! `threads`: a pool of named OS threads sharing the process's memory.
//!
//! The pool starts once per run; each repetition hands every thread the same
//! [`Job`]. Threads share the payload by reference, so nothing is copied and
//! no IPC bytes move.
//!
//! What the threads note while the clock runs is kept apart from what is
//! measured: each notes its finished tasks in a batch of its own, in
//! memory written before the clock started, and hands a batch over only
//! when it is full (a run of 100 ns tasks wakes the coordinating thread
//! once per 2,048 tasks, not once per task). The coordinator builds the
//! repetition's log from the batches after the clock stops, so the spans
//! the charts draw cost the measured time nothing.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};

use super::contract::{Executor, Finished, Repetition, RepetitionInput, Span, written_buffer};
use super::error::EngineError;
use super::gil::{Gil, GilHold};
use super::grouping::SpanGroup;
use super::schedule::{Cursor, TaskSource};
use crate::cancel::CancelToken;
use crate::measure::clock::{monotonic_ns, process_cpu_ns};
use crate::spec::Model;
use crate::worker::process::PipeSnapshot;
use crate::workload::{Cancellable, CommandRef, SharedCounter, Task, run_task_here};

/// Most tasks in one batch.
const BATCH_TASKS: u32 = 2_048;

/// One repetition's work, shared by every thread of the pool.
struct Job {
    tasks: Vec<Task>,
    source: TaskSource,
    payload: Arc<[u8]>,
    /// The counter a `counter` run's threads share: one per repetition,
    /// in the memory of the process they all belong to.
    counter: SharedCounter,
    /// `--command`: the shell command each task runs as a child.
    command: Option<CommandRef>,
    stop: AtomicBool,
    /// The run's cancel: a task running when it comes stops short, as
    /// nothing can interrupt a thread (its value is then never used).
    cancel: CancelToken,
    /// Empty batches, written before the clock started: enough for every
    /// worker's full batches and its last part-filled one.
    spare: Receiver<Vec<Finished>>,
    /// How many tasks each worker has finished, read for progress.
    progress: Vec<Progress>,
    /// Stamp each group's span (instrumentation on).
    stamp: bool,
    /// Most tasks in one span ([`RepetitionInput::group`]).
    group: u32,
}

impl Job {
    /// An empty batch to fill; a fresh one only if the spares ran out.
    fn spare_batch(&self) -> Vec<Finished> {
        self.spare
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(batch_capacity(self.tasks.len() as u32)))
    }
}

/// Tasks one batch holds: at most [`BATCH_TASKS`], fewer for a smaller job.
fn batch_capacity(tasks: u32) -> usize {
    tasks.min(BATCH_TASKS) as usize
}

/// Batches a job of `tasks` can fill: every worker's full ones, plus its
/// last part-filled one.
fn batches_needed(tasks: u32, workers: u32) -> usize {
    tasks.div_ceil(batch_capacity(tasks) as u32) as usize + workers as usize
}

/// One worker's count of finished tasks, on a cache line of its own: its
/// worker writes it after every task, and no other worker's line moves.
#[derive(Default)]
#[repr(align(64))]
struct Progress(AtomicU32);

/// What a worker reports.
enum Report {
    Ready,
    /// A full batch, or a worker's last one of the job.
    Done {
        worker: u32,
        finished: Vec<Finished>,
        /// gil-threads: when the lock was held during those tasks.
        holds: Vec<Span>,
    },
    /// Why a task failed (net: no answer from the service); the worker
    /// has already told the others to stop.
    Failed(String),
    Idle,
}

/// The running pool; dropping it stops and joins every thread.
pub(crate) struct ThreadPool {
    jobs: Vec<Sender<Arc<Job>>>,
    handles: Vec<JoinHandle<()>>,
    reports: Receiver<Report>,
    spawn_ns: u64,
    /// `threads` or `gil-threads`, for error messages.
    model: Model,
}

impl ThreadPool {
    /// Starts `workers` threads; with a `gil`, they compute only while
    /// holding it (the gil-threads model).
    pub fn start(workers: u32, gil: Option<Gil>) -> Result<ThreadPool, EngineError> {
        let start = monotonic_ns();
        let (report_tx, reports) = crossbeam_channel::unbounded();
        let model = if gil.is_some() {
            Model::GilThreads
        } else {
            Model::Threads
        };
        let gil = gil.map(Arc::new);
        let mut pool = ThreadPool {
            jobs: Vec::new(),
            handles: Vec::new(),
            reports,
            spawn_ns: 0,
            model,
        };
        for worker in 0..workers {
            let (job_tx, job_rx) = crossbeam_channel::unbounded::<Arc<Job>>();
            let reports = report_tx.clone();
            let name = format!("corescope-{model}-{worker}");
            let gil = gil.clone();
            let handle = std::thread::Builder::new()
                .name(name.clone())
                .spawn(move || thread_main(worker, &job_rx, &reports, gil.as_deref()))
                .map_err(|source| EngineError::Thread { name, source })?;
            pool.jobs.push(job_tx);
            pool.handles.push(handle);
        }
        drop(report_tx);
        for _ in 0..workers {
            match pool.reports.recv() {
                Ok(Report::Ready) => {}
                _ => {
                    return Err(EngineError::ThreadLost { model });
                }
            }
        }
        pool.spawn_ns = monotonic_ns() - start;
        Ok(pool)
    }
}

fn thread_main(
    worker: u32,
    jobs: &Receiver<Arc<Job>>,
    reports: &Sender<Report>,
    gil: Option<&Gil>,
) {
    if reports.send(Report::Ready).is_err() {
        return;
    }
    for job in jobs {
        if run_job(worker, &job, reports, gil).is_err() || reports.send(Report::Idle).is_err() {
            return;
        }
    }
}

/// Runs tasks of `job` until none is left or the job is stopped, handing
/// over each full batch and then the last; an error means the coordinator
/// has gone.
fn run_job(
    worker: u32,
    job: &Job,
    reports: &Sender<Report>,
    gil: Option<&Gil>,
) -> Result<(), crossbeam_channel::SendError<Report>> {
    let mut finished = job.spare_batch();
    let mut holds = Vec::new();
    let mut cursor = Cursor::default();
    let progress = &job.progress[worker as usize].0;
    let mut count = 0;
    // gil-threads time each task: its span includes its waits for the lock.
    let mut group = SpanGroup::new(if gil.is_some() { 1 } else { job.group }, job.stamp);
    while !job.stop.load(Ordering::Relaxed) {
        let Some(index) = job.source.claim(worker, &mut cursor) else {
            break;
        };
        let task = job.tasks[index as usize];
        group.begin(&mut finished, index);
        let out = match gil {
            None => run_task_here(
                &task,
                &job.payload,
                &job.counter,
                &mut Cancellable(&job.cancel),
                job.command,
            ),
            Some(gil) => {
                // The span runs from asking for the lock to giving it
                // back: waiting for the GIL is part of a task's time.
                let mut hold = GilHold::take(gil, worker, index, &job.cancel);
                let out = run_task_here(&task, &job.payload, &job.counter, &mut hold, job.command);
                holds.extend(hold.finish());
                out
            }
        };
        if let Some(error) = out.error {
            // The others stop at their next task; the first failure the
            // coordinator hears of is the run's.
            job.stop.store(true, Ordering::Relaxed);
            return reports.send(Report::Failed(error));
        }
        // A group ends with the batch it is noted in.
        let full = finished.len() == finished.capacity();
        group.end(&mut finished, out.value, full);
        count += 1;
        progress.store(count, Ordering::Relaxed);
        if full {
            let full = std::mem::replace(&mut finished, job.spare_batch());
            reports.send(Report::Done {
                worker,
                finished: full,
                holds: std::mem::take(&mut holds),
            })?;
        }
    }
    group.close(&mut finished);
    reports.send(Report::Done {
        worker,
        finished,
        holds,
    })
}

impl Executor for ThreadPool {
    fn spawn_ns(&self) -> u64 {
        self.spawn_ns
    }

    fn logs_after_clock(&self) -> bool {
        true
    }

    fn run_repetition(
        &mut self,
        mut input: RepetitionInput<'_>,
    ) -> Result<Repetition, EngineError> {
        let job = Arc::new(self.job(&input));
        let cpu_before = process_cpu_ns();
        let start = monotonic_ns();
        for jobs in &self.jobs {
            if jobs.send(Arc::clone(&job)).is_err() {
                return Err(EngineError::ThreadLost { model: self.model });
            }
        }
        let batches = self.collect(&job, &mut input)?;
        let wall = monotonic_ns() - start;
        let cpu = process_cpu_ns() - cpu_before;
        let mut log = input.log(start);
        for batch in batches {
            log.record_finished(batch.worker, &batch.finished);
            log.record_holds(batch.holds);
        }
        let mut repetition = log.finish(wall, cpu, PipeSnapshot::default());
        // Every thread reported Idle: none writes the counter any more.
        repetition.counter = job.counter.total();
        Ok(repetition)
    }
}

/// A batch as the coordinator keeps it until the clock stops.
struct Batch {
    worker: u32,
    finished: Vec<Finished>,
    holds: Vec<Span>,
}

impl ThreadPool {
    /// The repetition's job, its spare batches written before the clock.
    fn job(&self, input: &RepetitionInput<'_>) -> Job {
        let spec = input.spec;
        let workers = self.jobs.len() as u32;
        let tasks = spec.workload.tasks;
        let batches = batches_needed(tasks, workers);
        let (spares, spare) = crossbeam_channel::bounded(batches);
        for _ in 0..batches {
            // The channel holds exactly this many, so it cannot be full.
            let _ = spares.try_send(written_buffer(batch_capacity(tasks)));
        }
        Job {
            tasks: (0..tasks).map(|i| input.task(i)).collect(),
            source: TaskSource::new(spec.schedule, tasks, spec.chunk, workers),
            payload: Arc::clone(input.payload),
            counter: SharedCounter::default(),
            command: input.spec.workload.command,
            stop: AtomicBool::new(false),
            cancel: input.cancel.clone(),
            spare,
            progress: (0..workers).map(|_| Progress::default()).collect(),
            stamp: input.instrument,
            group: input.group,
        }
    }

    /// Waits until every worker is idle, keeping their batches and
    /// reporting progress; a failed task or a cancel stops the job.
    fn collect(
        &self,
        job: &Job,
        input: &mut RepetitionInput<'_>,
    ) -> Result<Vec<Batch>, EngineError> {
        let workers = self.jobs.len();
        let mut batches =
            Vec::with_capacity(batches_needed(job.tasks.len() as u32, workers as u32));
        let (mut idle, mut failure, mut reported) = (0, None, 0u32);
        while idle < workers {
            match self.reports.recv_timeout(Duration::from_millis(20)) {
                Ok(Report::Done {
                    worker,
                    finished,
                    holds,
                }) => batches.push(Batch {
                    worker,
                    finished,
                    holds,
                }),
                Ok(Report::Failed(error)) => {
                    failure.get_or_insert(error);
                }
                Ok(Report::Idle) => idle += 1,
                Ok(Report::Ready) => {}
                Err(RecvTimeoutError::Timeout) => {
                    if input.cancel.is_cancelled() {
                        job.stop.store(true, Ordering::Relaxed);
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(EngineError::ThreadLost { model: self.model });
                }
            }
            let finished: u32 = job
                .progress
                .iter()
                .map(|p| p.0.load(Ordering::Relaxed))
                .sum();
            if finished > reported {
                (input.on_tasks_done)(finished - reported);
                reported = finished;
            }
        }
        if let Some(error) = failure {
            return Err(EngineError::Task(error));
        }
        if input.cancel.is_cancelled() {
            return Err(EngineError::Cancelled);
        }
        Ok(batches)
    }
}

impl Drop for ThreadPool {
    fn drop(&mut self) {
        // Closing the job channels ends each thread's loop once its current
        // job (if any) is done; cancelled jobs stop at the next task.
        self.jobs.clear();
        for handle in self.handles.drain(..) {
            let _ = handle.join();
        }
    }
}
