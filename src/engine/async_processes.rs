//! `async+processes`: an async coordinator that awaits each task's I/O part
//! itself and ships its CPU part to a pool of worker processes, so waiting
//! overlaps with computing on every core: the rule of thumb's answer to
//! mixed work.
//!
//! Like `async`, "workers" are task slots on a tokio runtime (the tasks in
//! flight; current-thread unless `--runtime-threads` says more). A slot
//! splits each task with [`workload::compute_part`]: `sleep` and `net` are
//! all I/O and are awaited in the slot, never leaving the process; `mixed`
//! sends its sqrt-sum part to a worker and awaits its own wait; a CPU-bound
//! task goes to a worker whole. So IPC bytes move for CPU parts only.
//!
//! The pool is a [`ChannelPool`] (the `processes` model's worker protocol,
//! handshake, failure reports and kill-and-reap on `Drop`), one
//! process per core (fewer with fewer tasks in flight), each kept
//! `--in-flight` parts deep. Its workers' events are forwarded from their
//! reader threads to the runtime by a named thread (`corescope-async-rx`),
//! so the repetition's future can await pipes, slots and the cancel flag
//! together: it hands each CPU part to the least-loaded worker (or queues
//! it), answers the slot that asked when the part's result arrives, and
//! records each task as its slot reports it.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::runtime::Runtime;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use tokio::sync::oneshot;

use super::async_tasks::{TaskDone, build_runtime, cancelled_or_done, run_slot};
use super::channel_pool::ChannelPool;
use super::contract::{Executor, Repetition, RepetitionInput, RepetitionLog};
use super::error::EngineError;
use super::processes::WorkerEvents;
use super::schedule::TaskSource;
use crate::cancel::CancelToken;
use crate::measure::clock::{monotonic_ns, process_cpu_ns};
use crate::measure::sampler::PidBoard;
use crate::spec::RunSpec;
use crate::worker::codec::Codec;
use crate::worker::process::{WorkerEvent, WorkerEventKind};
use crate::worker::protocol::{FromWorker, ToWorker, frame_len};
use crate::workload::{self, Task, TaskOutput, run_task_async};

/// How often the repetition's future looks at the cancel flag.
const POLL: Duration = Duration::from_millis(20);
/// How long dropping the executor waits for runtime threads to finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// The thread that forwards worker events to the runtime.
const FORWARDER: &str = "corescope-async-rx";

/// A slot's CPU part, waiting for a worker: the part and where its value goes.
struct CpuRequest {
    task: Task,
    reply: oneshot::Sender<u64>,
}

/// The running model: runtime, pool and the thread between them.
pub(crate) struct AsyncProcesses {
    runtime: Option<Runtime>,
    pool: Option<ChannelPool>,
    events: UnboundedReceiver<WorkerEvent>,
    forwarder: Option<JoinHandle<()>>,
    slots: u32,
    spawn_ns: u64,
}

impl AsyncProcesses {
    /// Starts the runtime and the pool (one process per core, at most one
    /// per slot); both count as start-up.
    pub fn start(
        spec: &RunSpec,
        exe: &Path,
        cancel: &CancelToken,
        board: &PidBoard,
    ) -> Result<AsyncProcesses, EngineError> {
        let start = monotonic_ns();
        let runtime = build_runtime(spec.runtime_threads, "async+processes")?;
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get() as u32);
        let pool = ChannelPool::start(
            exe,
            spec.workers.min(cores).max(1),
            spec.codec,
            cancel,
            board,
        )?;
        let (tx, events) = tokio::sync::mpsc::unbounded_channel();
        let rx = pool.events();
        // Ends once every worker's pipe threads are gone (the pool dropped).
        let forwarder = std::thread::Builder::new()
            .name(FORWARDER.to_string())
            .spawn(move || {
                for event in rx {
                    if tx.send(event).is_err() {
                        return;
                    }
                }
            })
            .map_err(|source| EngineError::Thread {
                name: FORWARDER.to_string(),
                source,
            })?;
        Ok(AsyncProcesses {
            runtime: Some(runtime),
            pool: Some(pool),
            events,
            forwarder: Some(forwarder),
            slots: spec.workers,
            spawn_ns: monotonic_ns() - start,
        })
    }
}

/// A slot of this model: I/O awaited here, compute sent to the pool.
async fn slot_main(
    slot: u32,
    tasks: Arc<[Task]>,
    source: Arc<TaskSource>,
    payload: Arc<[u8]>,
    done: UnboundedSender<TaskDone>,
    cpu: UnboundedSender<CpuRequest>,
    cancel: CancelToken,
) {
    run_slot(slot, tasks, source, done, cancel.clone(), |task| {
        let payload = Arc::clone(&payload);
        let cpu = cpu.clone();
        let cancel = cancel.clone();
        async move {
            let Some((part, parts)) = workload::compute_part(&task) else {
                return Some(run_task_async(&task, &payload, &cancel).await);
            };
            let (reply, value) = oneshot::channel();
            cpu.send(CpuRequest { task: part, reply }).ok()?;
            // No answer means the repetition is over (failed or cancelled).
            let bits = value.await.ok()?;
            if parts.wait_us > 0 {
                tokio::time::sleep(Duration::from_micros(parts.wait_us)).await;
            }
            Some(TaskOutput {
                value: parts.value(bits),
                ..TaskOutput::default()
            })
        }
    })
    .await;
}

/// Hands CPU parts to workers and their results back to the slots.
struct Dispatcher<'a> {
    pool: &'a mut ChannelPool,
    payload: Arc<[u8]>,
    codec: Codec,
    in_flight: usize,
    /// Per worker, the parts it holds, in the order it was sent them.
    queued: Vec<VecDeque<(u32, oneshot::Sender<u64>)>>,
    /// Parts waiting for a worker with room.
    waiting: VecDeque<CpuRequest>,
}

impl Dispatcher<'_> {
    /// Sends `request` to the least-loaded worker with room, or queues it.
    fn assign(&mut self, request: CpuRequest) -> Result<(), EngineError> {
        let free = (0..self.queued.len())
            .filter(|&w| self.queued[w].len() < self.in_flight)
            .min_by_key(|&w| self.queued[w].len());
        match free {
            Some(w) => self.send(w, request),
            None => {
                self.waiting.push_back(request);
                Ok(())
            }
        }
    }

    fn send(&mut self, w: usize, request: CpuRequest) -> Result<(), EngineError> {
        // As the processes model does: bincode measures a frame without
        // encoding it, so an unsendable part fails the run here.
        if self.codec.measures_cheaply() {
            let frame = ToWorker::Task {
                task: request.task,
                payload: std::borrow::Cow::Borrowed(&self.payload[..]),
            };
            frame_len(self.codec, &frame).map_err(|e| self.pool.protocol_error(w, e))?;
        }
        // A send to a dead writer is reported by the reader as Closed.
        self.pool.workers()[w].send_task(request.task, &self.payload);
        self.queued[w].push_back((request.task.index, request.reply));
        Ok(())
    }

    /// A worker's event: a part's result goes to its slot, and the worker
    /// gets the next waiting part; anything else fails the run.
    fn on_event(&mut self, event: WorkerEvent) -> Result<(), EngineError> {
        let w = event.worker;
        match event.kind {
            WorkerEventKind::Message(FromWorker::Done {
                index,
                value,
                cpu_ns,
                ..
            }) => {
                // Workers answer in the order they were sent parts.
                let Some((expected, reply)) = self.queued.get_mut(w).and_then(VecDeque::pop_front)
                else {
                    return Err(self.unexpected(w, index));
                };
                if expected != index {
                    return Err(self.unexpected(w, index));
                }
                self.pool.note_cpu(w, cpu_ns);
                // A slot that stopped waiting no longer needs the value.
                let _ = reply.send(value);
                while self.queued[w].len() < self.in_flight {
                    let Some(next) = self.waiting.pop_front() else {
                        break;
                    };
                    self.send(w, next)?;
                }
                Ok(())
            }
            other => {
                let doing = match self.queued.get(w).and_then(VecDeque::front) {
                    Some((index, _)) => format!("the compute part of task {index}"),
                    None => "no task".to_string(),
                };
                Err(self.pool.failure(w, other, &doing))
            }
        }
    }

    fn unexpected(&self, w: usize, task: u32) -> EngineError {
        EngineError::UnexpectedResult {
            worker: w,
            pid: self.pool.pid(w),
            task,
        }
    }
}

/// The channels a repetition's future listens on.
struct Inbox<'a> {
    done: UnboundedReceiver<TaskDone>,
    cpu: UnboundedReceiver<CpuRequest>,
    events: &'a mut UnboundedReceiver<WorkerEvent>,
}

/// Runs the repetition's coordinator until every slot is done, a task or
/// worker fails, or the run is cancelled.
async fn coordinate(
    mut inbox: Inbox<'_>,
    dispatcher: &mut Dispatcher<'_>,
    log: &mut RepetitionLog,
    input: &mut RepetitionInput<'_>,
) -> Result<(), EngineError> {
    let mut poll = tokio::time::interval(POLL);
    loop {
        tokio::select! {
            report = inbox.done.recv() => match report {
                Some(TaskDone { error: Some(error), .. }) => return Err(EngineError::Task(error)),
                Some(r) => {
                    log.record(r.slot, r.task, r.value, r.start_ns, r.end_ns);
                    (input.on_tasks_done)(1);
                }
                None => return cancelled_or_done(input.cancel),
            },
            Some(request) = inbox.cpu.recv() => dispatcher.assign(request)?,
            event = inbox.events.recv() => match event {
                Some(event) => dispatcher.on_event(event)?,
                None => {
                    return Err(dispatcher.pool.failure(0, WorkerEventKind::Closed, "its tasks"));
                }
            },
            _ = poll.tick() => {
                if input.cancel.is_cancelled() {
                    return Err(EngineError::Cancelled);
                }
            }
        }
    }
}

impl Executor for AsyncProcesses {
    fn spawn_ns(&self) -> u64 {
        self.spawn_ns
    }

    fn processes_started(&self) -> u64 {
        self.pool.as_ref().map_or(0, |p| p.workers().len() as u64)
    }

    fn worker_pids(&self) -> Vec<u32> {
        self.pool
            .as_ref()
            .map(|p| p.workers().iter().map(|w| w.pid()).collect())
            .unwrap_or_default()
    }

    fn run_repetition(
        &mut self,
        mut input: RepetitionInput<'_>,
    ) -> Result<Repetition, EngineError> {
        let (Some(runtime), Some(pool)) = (&self.runtime, &mut self.pool) else {
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
        let (done_tx, done) = tokio::sync::mpsc::unbounded_channel();
        let (cpu_tx, cpu) = tokio::sync::mpsc::unbounded_channel();
        let workers = pool.workers().len();
        let mut dispatcher = Dispatcher {
            pool,
            payload: Arc::clone(input.payload),
            codec: spec.codec,
            in_flight: spec.in_flight.max(1) as usize,
            queued: (0..workers).map(|_| VecDeque::new()).collect(),
            waiting: VecDeque::new(),
        };
        let cpu_before = process_cpu_ns();
        let workers_cpu_before = dispatcher.pool.workers_cpu_ns();
        let pipes_before = dispatcher.pool.pipes();
        let start = monotonic_ns();
        let mut log = input.log(start);
        let slots = self.slots;
        let inbox = Inbox {
            done,
            cpu,
            events: &mut self.events,
        };
        let outcome = runtime.block_on(async {
            let handles: Vec<_> = (0..slots)
                .map(|slot| {
                    tokio::spawn(slot_main(
                        slot,
                        Arc::clone(&tasks),
                        Arc::clone(&source),
                        Arc::clone(input.payload),
                        done_tx.clone(),
                        cpu_tx.clone(),
                        input.cancel.clone(),
                    ))
                })
                .collect();
            drop((done_tx, cpu_tx));
            let outcome = coordinate(inbox, &mut dispatcher, &mut log, &mut input).await;
            for handle in &handles {
                handle.abort();
            }
            outcome
        });
        let pool = dispatcher.pool;
        if let Err(error) = outcome {
            pool.mark_unhealthy();
            return Err(error);
        }
        let wall = monotonic_ns() - start;
        let workers_cpu = pool.workers_cpu_ns().saturating_sub(workers_cpu_before);
        let cpu = (process_cpu_ns() - cpu_before) + workers_cpu;
        Ok(log.finish(wall, cpu, pool.pipes() - pipes_before))
    }
}

impl Drop for AsyncProcesses {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_timeout(SHUTDOWN_GRACE);
        }
        // The pool kills and reaps its workers and joins their pipe
        // threads; with their senders gone the forwarder ends.
        self.pool = None;
        if let Some(forwarder) = self.forwarder.take() {
            let _ = forwarder.join();
        }
    }
}
