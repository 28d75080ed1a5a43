//! `threads`: a pool of named OS threads sharing the process's memory.
//!
//! The pool starts once per run; each repetition hands every thread the same
//! [`Job`] and collects results on a channel. Threads share the payload by
//! reference, so nothing is copied and no IPC bytes move.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};

use super::gil::{Gil, GilHold};
use super::schedule::{Cursor, TaskSource};
use super::{EngineError, Executor, Repetition, RepetitionInput, Span};
use crate::measure::clock::{monotonic_ns, process_cpu_ns};
use crate::spec::Model;
use crate::worker::process::PipeSnapshot;
use crate::workload::{NoCheckpoint, SharedCounter, Task, run_task_with};

/// One repetition's work, shared by every thread of the pool.
struct Job {
    tasks: Vec<Task>,
    source: TaskSource,
    payload: Arc<[u8]>,
    /// The counter a `counter` run's threads share: one per repetition,
    /// in the memory of the process they all belong to.
    counter: SharedCounter,
    stop: AtomicBool,
}

enum Report {
    Ready,
    Done {
        worker: u32,
        task: u32,
        value: u64,
        start_ns: u64,
        end_ns: u64,
        /// gil-threads: when the lock was held during the task.
        holds: Vec<Span>,
        /// Why the task failed (net: no answer from the service).
        error: Option<String>,
    },
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
        let mut cursor = Cursor::default();
        while !job.stop.load(Ordering::Relaxed) {
            let Some(index) = job.source.claim(worker, &mut cursor) else {
                break;
            };
            let task = job.tasks[index as usize];
            let start_ns = monotonic_ns();
            let (out, holds) = match gil {
                None => (
                    run_task_with(&task, &job.payload, &job.counter, &mut NoCheckpoint),
                    Vec::new(),
                ),
                Some(gil) => {
                    // The span runs from asking for the lock to giving it
                    // back: waiting for the GIL is part of a task's time.
                    let mut hold = GilHold::take(gil, worker, index);
                    let out = run_task_with(&task, &job.payload, &job.counter, &mut hold);
                    (out, hold.finish())
                }
            };
            let end_ns = monotonic_ns();
            let report = Report::Done {
                worker,
                task: index,
                value: out.value,
                start_ns,
                end_ns,
                holds,
                error: out.error,
            };
            if reports.send(report).is_err() {
                return;
            }
        }
        if reports.send(Report::Idle).is_err() {
            return;
        }
    }
}

impl Executor for ThreadPool {
    fn spawn_ns(&self) -> u64 {
        self.spawn_ns
    }

    fn run_repetition(&mut self, input: RepetitionInput<'_>) -> Result<Repetition, EngineError> {
        let spec = input.spec;
        let workers = self.jobs.len() as u32;
        let job = Arc::new(Job {
            tasks: (0..spec.workload.tasks).map(|i| input.task(i)).collect(),
            source: TaskSource::new(spec.schedule, spec.workload.tasks, spec.chunk, workers),
            payload: Arc::clone(input.payload),
            counter: SharedCounter::default(),
            stop: AtomicBool::new(false),
        });
        let cpu_before = process_cpu_ns();
        let start = monotonic_ns();
        let mut log = input.log(start);
        for jobs in &self.jobs {
            if jobs.send(Arc::clone(&job)).is_err() {
                return Err(EngineError::ThreadLost { model: self.model });
            }
        }
        let mut idle = 0;
        let mut failure = None;
        while idle < workers {
            match self.reports.recv_timeout(Duration::from_millis(20)) {
                Ok(Report::Done {
                    worker,
                    task,
                    value,
                    start_ns,
                    end_ns,
                    holds,
                    error,
                }) => {
                    if let Some(error) = error {
                        // The others stop at their next task; the first
                        // failure is the run's.
                        job.stop.store(true, Ordering::Relaxed);
                        failure.get_or_insert(error);
                        continue;
                    }
                    log.record(worker, task, value, start_ns, end_ns);
                    log.record_holds(holds);
                    (input.on_task_done)();
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
        }
        let wall = monotonic_ns() - start;
        if let Some(error) = failure {
            return Err(EngineError::Task(error));
        }
        if input.cancel.is_cancelled() {
            return Err(EngineError::Cancelled);
        }
        let mut repetition =
            log.finish(wall, process_cpu_ns() - cpu_before, PipeSnapshot::default());
        // Every thread reported Idle: none writes the counter any more.
        repetition.counter = job.counter.total();
        Ok(repetition)
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
