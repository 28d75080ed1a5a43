//! `async`: every task a future on a tokio runtime.
//!
//! The runtime is started once per run: a current-thread runtime by
//! default (every task on the engine's own thread), or a multi-thread one
//! with `--runtime-threads N` (threads `corescope-async-i`). "Workers" are
//! task slots: each is one future that claims tasks from the run's
//! [`TaskSource`] (so both schedules apply) and runs them one after the
//! other, so the worker count is the number of tasks in flight. A task's
//! waits (`sleep`, `net`, the wait of `mixed`) suspend its future and let
//! the others run: thousands of waits overlap on one thread. Its
//! computation runs inside the future and blocks the thread until done, so
//! CPU-bound tasks on a current-thread runtime never overlap and gain
//! nothing. A computation looks at the cancel flag as it goes (as the
//! in-process models' tasks do), so a stop is not held up by a thread
//! nobody can interrupt. A slot yields after each task, as an event loop
//! interleaves ready tasks.
//!
//! A task's span is its slot's time on it, waits included (as a thread's
//! span includes its blocking wait). Results come back on a channel to the
//! repetition's own future, which records them, reports progress and looks
//! at the cancel flag every 20 ms; cancelling aborts every slot, and
//! dropping the executor shuts the runtime down and joins its threads.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use tokio::runtime::Runtime;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use tokio::task::JoinHandle;

use super::contract::{Executor, Repetition, RepetitionInput, RepetitionLog};
use super::error::EngineError;
use super::schedule::{Cursor, TaskSource};
use crate::cancel::CancelToken;
use crate::measure::clock::{monotonic_ns, process_cpu_ns};
use crate::worker::process::PipeSnapshot;
use crate::workload::{Task, TaskOutput, run_task_async};

/// How often the repetition's future looks at the cancel flag.
const POLL: Duration = Duration::from_millis(20);
/// How long dropping the executor waits for runtime threads still inside a
/// computation (a blocked thread cannot be interrupted).
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// What a slot reports for each task it ran.
#[derive(Debug)]
pub(crate) struct TaskDone {
    pub slot: u32,
    pub task: u32,
    pub value: u64,
    pub start_ns: u64,
    pub end_ns: u64,
    pub error: Option<String>,
}

/// Builds the runtime of an async model: current-thread for one thread,
/// else a multi-thread runtime with `threads` named workers.
pub(crate) fn build_runtime(threads: u32, model: &str) -> Result<Runtime, EngineError> {
    let refused = |source| EngineError::Thread {
        name: format!("the {model} runtime"),
        source,
    };
    if threads <= 1 {
        return tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()
            .map_err(refused);
    }
    // Tokio panics when the system refuses its first worker thread (a
    // process-count limit reached: `ulimit -u`), and the panic then waits
    // forever for the workers that did start; it silently runs with fewer
    // when it refuses a later one. So the threads are first taken (and
    // given back) here, where a refusal is an error; counting the workers
    // that did start catches what is taken meanwhile.
    reserve_threads(threads, model).map_err(|e| refused(limit_reached(e)))?;
    let started = Arc::new(AtomicU32::new(0));
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    let prefix = format!("corescope-{model}");
    let counter = AtomicU32::new(0);
    let on_start = Arc::clone(&started);
    builder
        .worker_threads(threads as usize)
        .thread_name_fn(move || {
            let i = counter.fetch_add(1, Ordering::Relaxed);
            format!("{prefix}-{i}")
        })
        .on_thread_start(move || {
            on_start.fetch_add(1, Ordering::SeqCst);
        })
        .enable_io()
        .enable_time();
    let runtime = builder.build().map_err(refused)?;
    let deadline = std::time::Instant::now() + THREADS_START;
    while started.load(Ordering::SeqCst) < threads {
        if std::time::Instant::now() >= deadline {
            let had = started.load(Ordering::SeqCst);
            runtime.shutdown_background();
            return Err(refused(limit_reached(std::io::Error::new(
                std::io::ErrorKind::WouldBlock,
                format!("only {had} of its {threads} threads started"),
            ))));
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    Ok(runtime)
}

/// How long a multi-thread runtime's workers may take to start.
const THREADS_START: Duration = Duration::from_secs(2);

/// Starts `threads` threads that wait, then ends and joins them, and waits
/// until the system has counted them out again (a joined thread is counted
/// against the limit a moment longer): a thread refused here is an error,
/// not a panic inside tokio.
fn reserve_threads(threads: u32, model: &str) -> std::io::Result<()> {
    let before = own_threads();
    let (release, wait) = crossbeam_channel::bounded::<()>(0);
    let mut held = Vec::with_capacity(threads as usize);
    let mut refused = None;
    for i in 0..threads {
        let wait = wait.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("corescope-{model}-hold-{i}"))
            .spawn(move || {
                // Ends when the sender goes.
                let _ = wait.recv();
            });
        match spawned {
            Ok(handle) => held.push(handle),
            Err(error) => {
                refused = Some(error);
                break;
            }
        }
    }
    drop(release);
    for handle in held {
        let _ = handle.join();
    }
    let deadline = std::time::Instant::now() + THREADS_START;
    while own_threads() > before && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    refused.map_or(Ok(()), Err)
}

/// This process's threads as the system counts them (0 where unknown).
fn own_threads() -> usize {
    std::fs::read_dir("/proc/self/task").map_or(0, Iterator::count)
}

/// A refused thread, with the likely reason where the system gave none.
fn limit_reached(error: std::io::Error) -> std::io::Error {
    if error.kind() == std::io::ErrorKind::WouldBlock {
        std::io::Error::new(
            error.kind(),
            format!(
                "{error}: the limit on processes and threads (`ulimit -u`) is reached; \
                 raise it, or use fewer --runtime-threads"
            ),
        )
    } else {
        error
    }
}

/// The async model: a runtime, started once per run.
pub(crate) struct AsyncTasks {
    runtime: Option<Runtime>,
    slots: u32,
    spawn_ns: u64,
}

impl AsyncTasks {
    /// Starts the runtime for `slots` tasks in flight.
    pub fn start(slots: u32, runtime_threads: u32) -> Result<AsyncTasks, EngineError> {
        let start = monotonic_ns();
        let runtime = build_runtime(runtime_threads, "async")?;
        Ok(AsyncTasks {
            runtime: Some(runtime),
            slots,
            spawn_ns: monotonic_ns() - start,
        })
    }
}

/// One slot: runs the tasks it claims, one at a time, each through `run`
/// (a future per task), and reports each; stops early when `run` gives
/// nothing (the repetition is over: failed or cancelled) or the run is
/// cancelled (a computation cut short has no value to report).
pub(crate) async fn run_slot<F, Fut>(
    slot: u32,
    tasks: Arc<[Task]>,
    source: Arc<TaskSource>,
    done: UnboundedSender<TaskDone>,
    cancel: CancelToken,
    run: F,
) where
    F: Fn(Task) -> Fut,
    Fut: Future<Output = Option<TaskOutput>>,
{
    let mut cursor = Cursor::default();
    while let Some(index) = source.claim(slot, &mut cursor) {
        let task = tasks[index as usize];
        let start_ns = monotonic_ns();
        let Some(out) = run(task).await else {
            return;
        };
        if cancel.is_cancelled() {
            return;
        }
        let report = TaskDone {
            slot,
            task: index,
            value: out.value,
            start_ns,
            end_ns: monotonic_ns(),
            error: out.error,
        };
        if done.send(report).is_err() {
            return;
        }
        // Let the other ready slots run, as an event loop does between
        // callbacks (a computation never yields by itself).
        tokio::task::yield_now().await;
    }
}

/// The async model's slot: every part of every task right here.
async fn slot_main(
    slot: u32,
    tasks: Arc<[Task]>,
    source: Arc<TaskSource>,
    payload: Arc<[u8]>,
    done: UnboundedSender<TaskDone>,
    cancel: CancelToken,
) {
    run_slot(slot, tasks, source, done, cancel.clone(), |task| {
        let payload = Arc::clone(&payload);
        let cancel = cancel.clone();
        async move { Some(run_task_async(&task, &payload, &cancel).await) }
    })
    .await;
}

/// Collects the slots' reports into `log` until every slot is done, the
/// run is cancelled or a task fails; aborts the slots on the way out.
pub(crate) async fn collect(
    mut reports: UnboundedReceiver<TaskDone>,
    slots: Vec<JoinHandle<()>>,
    log: &mut RepetitionLog,
    input: &mut RepetitionInput<'_>,
) -> Result<(), EngineError> {
    let mut poll = tokio::time::interval(POLL);
    let outcome = loop {
        tokio::select! {
            report = reports.recv() => match report {
                Some(TaskDone { error: Some(error), .. }) => break Err(EngineError::Task(error)),
                Some(r) => {
                    log.record(r.slot, r.task, r.value, r.start_ns, r.end_ns);
                    (input.on_tasks_done)(1);
                }
                // Every slot is done, or stopped by a cancel.
                None => break cancelled_or_done(input.cancel),
            },
            _ = poll.tick() => {
                if input.cancel.is_cancelled() {
                    break Err(EngineError::Cancelled);
                }
            }
        }
    };
    for slot in &slots {
        slot.abort();
    }
    outcome
}

/// How a repetition whose slots have all ended went: slots stop without a
/// word when the run is cancelled, so their end is not the run's success.
pub(crate) fn cancelled_or_done(cancel: &CancelToken) -> Result<(), EngineError> {
    if cancel.is_cancelled() {
        Err(EngineError::Cancelled)
    } else {
        Ok(())
    }
}

impl Executor for AsyncTasks {
    fn spawn_ns(&self) -> u64 {
        self.spawn_ns
    }

    fn run_repetition(
        &mut self,
        mut input: RepetitionInput<'_>,
    ) -> Result<Repetition, EngineError> {
        let Some(runtime) = &self.runtime else {
            return Err(EngineError::ThreadLost {
                model: input.spec.model,
            });
        };
        let spec = input.spec;
        let tasks: Arc<[Task]> = (0..spec.workload.tasks).map(|i| input.task(i)).collect();
        let source = Arc::new(TaskSource::new(
            spec.schedule,
            spec.workload.tasks,
            spec.chunk,
            self.slots,
        ));
        let (done_tx, done_rx) = tokio::sync::mpsc::unbounded_channel();
        let cpu_before = process_cpu_ns();
        let start = monotonic_ns();
        let mut log = input.log(start);
        let slots = self.slots;
        runtime.block_on(async {
            let handles = (0..slots)
                .map(|slot| {
                    tokio::spawn(slot_main(
                        slot,
                        Arc::clone(&tasks),
                        Arc::clone(&source),
                        Arc::clone(input.payload),
                        done_tx.clone(),
                        input.cancel.clone(),
                    ))
                })
                .collect();
            drop(done_tx);
            collect(done_rx, handles, &mut log, &mut input).await
        })?;
        let wall = monotonic_ns() - start;
        Ok(log.finish(wall, process_cpu_ns() - cpu_before, PipeSnapshot::default()))
    }
}

impl Drop for AsyncTasks {
    fn drop(&mut self) {
        // Aborted slots are dropped at their next await; a runtime thread
        // inside a computation is waited for, a little while.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_timeout(SHUTDOWN_GRACE);
        }
    }
}
