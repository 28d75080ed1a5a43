//! `processes`: a pool of persistent worker processes of this binary.
//!
//! The pool starts once per run (the `spawn` figure: from the first spawn to
//! the last worker's hello) and serves every repetition. Each worker keeps up
//! to `in_flight` tasks queued, so the next task already waits in its pipe
//! when one finishes: a strict request/response round trip would leave it
//! idle for tens of microseconds per task. Results and failures arrive on one
//! channel fed by the workers' reader threads; a worker that dies or sends
//! garbage fails the run with its index, pid and the tasks it held, and the
//! pool's `Drop` kills and reaps every worker.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::path::Path;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError};

use super::schedule::{Cursor, TaskSource};
use super::{
    CancelToken, EngineError, Executor, IpcStamps, Repetition, RepetitionInput, RepetitionLog,
};
use crate::measure::clock::{monotonic_ns, process_cpu_ns};
use crate::measure::sampler::PidBoard;
use crate::worker::codec::Codec;
use crate::worker::process::{PipeSnapshot, WorkerEvent, WorkerEventKind, WorkerProcess};
use crate::worker::protocol::{FromWorker, PROTOCOL_VERSION, ProtocolError, ToWorker, frame_len};

/// How long a worker may take to start and say hello.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// How often a waiting dispatcher looks at the cancel flag.
const POLL: Duration = Duration::from_millis(20);

/// The running pool.
pub(crate) struct ProcessPool {
    workers: Vec<WorkerProcess>,
    events: Receiver<WorkerEvent>,
    codec: Codec,
    /// Each worker's CPU time at its last report.
    cpu_ns: Vec<u64>,
    spawn_ns: u64,
    /// False once anything went wrong: then `Drop` kills without waiting.
    healthy: bool,
}

impl ProcessPool {
    pub fn start(
        exe: &Path,
        count: u32,
        codec: Codec,
        cancel: &CancelToken,
        board: &PidBoard,
    ) -> Result<ProcessPool, EngineError> {
        let start = monotonic_ns();
        let (events_tx, events) = crossbeam_channel::unbounded();
        let mut pool = ProcessPool {
            workers: Vec::with_capacity(count as usize),
            events,
            codec,
            cpu_ns: vec![0; count as usize],
            spawn_ns: 0,
            healthy: false,
        };
        for index in 0..count as usize {
            let worker =
                WorkerProcess::spawn(exe, index, codec, events_tx.clone()).map_err(|source| {
                    EngineError::Spawn {
                        worker: index,
                        source,
                    }
                })?;
            board.set(index, worker.pid());
            pool.workers.push(worker);
        }
        drop(events_tx);
        let mut greeted = vec![false; count as usize];
        let mut waiting = count as usize;
        let deadline = Instant::now() + START_TIMEOUT;
        while waiting > 0 {
            match pool.events.recv_timeout(POLL) {
                Ok(event) => {
                    let worker = event.worker;
                    match event.kind {
                        WorkerEventKind::Message(FromWorker::Hello {
                            version, cpu_ns, ..
                        }) => {
                            if version != PROTOCOL_VERSION {
                                return Err(pool.protocol_error(
                                    worker,
                                    ProtocolError::VersionMismatch {
                                        found: version,
                                        expected: PROTOCOL_VERSION,
                                    },
                                ));
                            }
                            pool.cpu_ns[worker] = cpu_ns;
                            if !std::mem::replace(&mut greeted[worker], true) {
                                waiting -= 1;
                            }
                        }
                        other => return Err(pool.failure(worker, other, "start-up")),
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    if cancel.is_cancelled() {
                        return Err(EngineError::Cancelled);
                    }
                    if Instant::now() > deadline {
                        let worker = greeted.iter().position(|g| !g).unwrap_or(0);
                        return Err(EngineError::StartTimeout {
                            worker,
                            seconds: START_TIMEOUT.as_secs(),
                        });
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    let worker = greeted.iter().position(|g| !g).unwrap_or(0);
                    return Err(pool.failure(worker, WorkerEventKind::Closed, "start-up"));
                }
            }
        }
        pool.spawn_ns = monotonic_ns() - start;
        pool.healthy = true;
        Ok(pool)
    }

    pub(crate) fn protocol_error(&self, worker: usize, source: ProtocolError) -> EngineError {
        EngineError::Protocol {
            worker,
            pid: self.workers.get(worker).map_or(0, WorkerProcess::pid),
            source,
        }
    }

    /// Turns a failure seen on a worker's output into the run's error.
    pub(crate) fn failure(
        &mut self,
        worker: usize,
        kind: WorkerEventKind,
        doing: &str,
    ) -> EngineError {
        match kind {
            WorkerEventKind::Failed(source) => self.protocol_error(worker, source),
            WorkerEventKind::Closed => {
                let (pid, how) = match self.workers.get_mut(worker) {
                    Some(w) => (w.pid(), w.describe_exit()),
                    None => (0, "exited".to_string()),
                };
                EngineError::WorkerDied {
                    worker,
                    pid,
                    how,
                    tasks: doing.to_string(),
                }
            }
            WorkerEventKind::Message(_) => self.protocol_error(
                worker,
                ProtocolError::Decode(
                    "a message that does not fit this point of the conversation".to_string(),
                ),
            ),
        }
    }

    /// Another receiver of the workers' events, for a dispatcher that runs
    /// elsewhere (async+processes forwards them to its runtime). Closed
    /// once every worker is gone.
    pub(crate) fn events(&self) -> Receiver<WorkerEvent> {
        self.events.clone()
    }

    /// The running workers, by index.
    pub(crate) fn workers(&self) -> &[WorkerProcess] {
        &self.workers
    }

    /// Notes worker `w`'s CPU time from its latest report.
    pub(crate) fn note_cpu(&mut self, w: usize, cpu_ns: u64) {
        if let Some(slot) = self.cpu_ns.get_mut(w) {
            *slot = cpu_ns;
        }
    }

    /// The workers' CPU time at their latest reports, together.
    pub(crate) fn workers_cpu_ns(&self) -> u64 {
        self.cpu_ns.iter().sum()
    }

    /// Something went wrong: `Drop` kills without waiting.
    pub(crate) fn mark_unhealthy(&mut self) {
        self.healthy = false;
    }

    pub(crate) fn pipes(&self) -> PipeSnapshot {
        self.workers
            .iter()
            .map(WorkerProcess::pipe_snapshot)
            .fold(PipeSnapshot::default(), |a, b| a + b)
    }

    /// Tops up worker `w` to the in-flight depth from the task source.
    fn fill(
        &self,
        w: usize,
        input: &RepetitionInput<'_>,
        source: &TaskSource,
        cursor: &mut Cursor,
        queued: &mut VecDeque<u32>,
    ) -> Result<(), EngineError> {
        while queued.len() < input.spec.in_flight as usize {
            let Some(index) = source.claim(w as u32, cursor) else {
                return Ok(());
            };
            let task = input.task(index);
            // Bincode measures a frame without encoding it, so an unsendable
            // task fails the run right here; the writer thread then encodes
            // the frame straight into the pipe, sharing the payload without
            // a copy. JSON would have to encode to measure: its writer
            // checks the frame it encodes and reports one over the limit as
            // this worker's failure.
            if self.codec.measures_cheaply() {
                frame_len(
                    self.codec,
                    &ToWorker::Task {
                        task,
                        payload: Cow::Borrowed(&input.payload[..]),
                    },
                )
                .map_err(|e| self.protocol_error(w, e))?;
            }
            // A send to a dead writer is reported by the reader as Closed.
            self.workers[w].send_task(task, input.payload);
            queued.push_back(index);
        }
        Ok(())
    }

    fn repetition(&mut self, input: RepetitionInput<'_>) -> Result<Repetition, EngineError> {
        let spec = input.spec;
        let count = self.workers.len();
        let source = TaskSource::new(spec.schedule, spec.workload.tasks, spec.chunk, count as u32);
        let mut cursors = vec![Cursor::default(); count];
        let mut queued: Vec<VecDeque<u32>> = vec![VecDeque::new(); count];
        let cpu_before = process_cpu_ns();
        let workers_cpu_before: u64 = self.cpu_ns.iter().sum();
        let pipes_before = self.pipes();
        let start = monotonic_ns();
        let mut log = RepetitionLog::new(spec.workload.tasks, start);
        for w in 0..count {
            self.fill(w, &input, &source, &mut cursors[w], &mut queued[w])?;
        }
        while !log.is_complete() {
            let event = match self.events.recv_timeout(POLL) {
                Ok(event) => event,
                Err(RecvTimeoutError::Timeout) => {
                    if input.cancel.is_cancelled() {
                        return Err(EngineError::Cancelled);
                    }
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(self.failure(0, WorkerEventKind::Closed, "its tasks"));
                }
            };
            let w = event.worker;
            match event.kind {
                WorkerEventKind::Message(FromWorker::Done {
                    index,
                    value,
                    received_ns,
                    read_ns,
                    start_ns,
                    end_ns,
                    cpu_ns,
                    ..
                }) => {
                    // Workers answer in the order they were sent tasks.
                    let stamps = IpcStamps::of_reply(
                        None,
                        (received_ns, read_ns),
                        event.arrived,
                        event.received_ns,
                    );
                    if queued[w].front() != Some(&index)
                        || !log.record_with_ipc(
                            w as u32,
                            index,
                            value,
                            (start_ns, end_ns),
                            Some(stamps),
                        )
                    {
                        return Err(EngineError::UnexpectedResult {
                            worker: w,
                            pid: self.workers[w].pid(),
                            task: index,
                        });
                    }
                    queued[w].pop_front();
                    self.cpu_ns[w] = cpu_ns;
                    (input.on_task_done)();
                    self.fill(w, &input, &source, &mut cursors[w], &mut queued[w])?;
                }
                other => {
                    let doing = describe_tasks(&queued[w]);
                    return Err(self.failure(w, other, &doing));
                }
            }
        }
        let wall = monotonic_ns() - start;
        let workers_cpu = self
            .cpu_ns
            .iter()
            .sum::<u64>()
            .saturating_sub(workers_cpu_before);
        let cpu = (process_cpu_ns() - cpu_before) + workers_cpu;
        let ipc = self.pipes() - pipes_before;
        Ok(log.finish(wall, cpu, ipc))
    }
}

fn describe_tasks(queued: &VecDeque<u32>) -> String {
    match queued.len() {
        0 => "no task".to_string(),
        1 => format!("task {}", queued[0]),
        _ => {
            let list: Vec<String> = queued.iter().map(u32::to_string).collect();
            format!("task {} (tasks {} queued)", queued[0], list.join(", "))
        }
    }
}

impl Executor for ProcessPool {
    fn spawn_ns(&self) -> u64 {
        self.spawn_ns
    }

    fn processes_started(&self) -> u64 {
        self.workers.len() as u64
    }

    fn worker_pids(&self) -> Vec<u32> {
        self.workers.iter().map(WorkerProcess::pid).collect()
    }

    fn run_repetition(&mut self, input: RepetitionInput<'_>) -> Result<Repetition, EngineError> {
        let result = self.repetition(input);
        if result.is_err() {
            self.healthy = false;
        }
        result
    }
}

impl Drop for ProcessPool {
    fn drop(&mut self) {
        if self.healthy {
            // Close every stdin first so the workers exit in parallel.
            for worker in &mut self.workers {
                worker.close_input();
            }
            for worker in &mut self.workers {
                worker.shutdown();
            }
        }
        // Whatever is left is killed and reaped by WorkerProcess::drop.
        self.workers.clear();
    }
}
