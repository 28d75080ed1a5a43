//! `processes`: a pool of persistent worker processes of this binary.
//!
//! The pool starts once per run (the `spawn` figure: from the first spawn to
//! the last worker's hello) and serves every repetition. Each worker keeps up
//! to `in_flight` tasks queued, so the next task already waits in its pipe
//! when one finishes: a strict request/response round trip would leave it
//! idle for tens of microseconds per task. The dispatcher serves every
//! worker's pipes itself, from one poll loop ([`super::poll::PipeLoop`]):
//! no thread hand-off stands between a reply and the next task. A worker
//! that dies or sends garbage fails the run with its index, pid and the
//! tasks it held, and the pool's `Drop` kills and reaps every worker.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::path::Path;
use std::time::{Duration, Instant};

use super::contract::{Executor, IpcStamps, Repetition, RepetitionInput};
use super::error::EngineError;
use super::poll::PipeLoop;
use super::schedule::{Cursor, TaskSource};
use crate::cancel::CancelToken;
use crate::measure::clock::{monotonic_ns, process_cpu_ns};
use crate::measure::sampler::PidBoard;
use crate::spec::{RunSpec, Transport};
use crate::worker::process::{WorkerEvent, WorkerEventKind};
use crate::worker::protocol::{FromWorker, PROTOCOL_VERSION, ProtocolError, ToWorker};
use crate::worker::shm::SharedFile;

/// How long a worker may take to start and say hello.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// How often a waiting dispatcher looks at the cancel flag.
pub(crate) const POLL: Duration = Duration::from_millis(20);

/// The running pool.
pub(crate) struct ProcessPool {
    workers: PipeLoop,
    /// Each worker's CPU time at its last report.
    cpu_ns: Vec<u64>,
    spawn_ns: u64,
    /// False once anything went wrong: then `Drop` kills without waiting.
    healthy: bool,
    /// `--transport shm` with echo payloads: the memory shared with the workers.
    shared: Option<SharedPayloads>,
}

/// The shm transport's memory files: the run's input payload (written once,
/// before the first repetition's clock starts) and each worker's output.
struct SharedPayloads {
    input: SharedFile,
    /// Kept open while the workers live; the parent never reads them.
    _outputs: Vec<SharedFile>,
    written: bool,
}

impl SharedPayloads {
    /// The files for `count` workers and payloads of `len` bytes, and each
    /// worker's arguments naming its pair.
    fn create(count: u32, len: usize) -> std::io::Result<(SharedPayloads, Vec<Vec<String>>)> {
        let input = SharedFile::create(len)?;
        let mut outputs = Vec::with_capacity(count as usize);
        let mut args = Vec::with_capacity(count as usize);
        for _ in 0..count {
            let output = SharedFile::create(len)?;
            args.push(vec![
                "--shm-input".to_string(),
                input.path_for_children(),
                "--shm-output".to_string(),
                output.path_for_children(),
            ]);
            outputs.push(output);
        }
        let shared = SharedPayloads {
            input,
            _outputs: outputs,
            written: false,
        };
        Ok((shared, args))
    }
}

impl ProcessPool {
    /// Tops up worker `w` to `depth` queued tasks (at most) from the task
    /// source; past its first it takes a task only where that starves no
    /// other worker. The frames go out when the loop next runs, all of
    /// them in one write; with bincode the payload is written from the
    /// run's shared copy.
    fn fill(
        &mut self,
        w: usize,
        depth: usize,
        input: &RepetitionInput<'_>,
        source: &TaskSource,
        cursor: &mut Cursor,
        queued: &mut VecDeque<u32>,
    ) -> Result<(), EngineError> {
        while queued.len() < depth && (queued.is_empty() || source.may_claim_ahead(cursor)) {
            let Some(index) = source.claim(w as u32, cursor) else {
                return Ok(());
            };
            let task = input.task(index);
            let queued_frame = if self.shared.is_some() {
                let len = input.payload.len() as u64;
                self.workers.count_shared(w, len, 0);
                self.workers
                    .queue(w, &ToWorker::TaskShared { task, len }, None)
            } else {
                let message = ToWorker::Task {
                    task,
                    payload: Cow::Borrowed(&input.payload[..]),
                };
                // A frame over the limit is refused before anything is written.
                self.workers.queue(w, &message, Some(input.payload))
            };
            queued_frame.map_err(|e| self.protocol_error(w, e))?;
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
        if let Some(shared) = self.shared.as_mut().filter(|s| !s.written) {
            // Once per run, before the clock starts: the input lives in
            // shared memory from then on, as a producer would have put it.
            let written = shared.input.write_start(input.payload);
            shared.written = written.is_ok();
            written.map_err(|e| self.protocol_error(0, ProtocolError::Io(e)))?;
        }
        let cpu_before = process_cpu_ns();
        let workers_cpu_before: u64 = self.cpu_ns.iter().sum();
        let pipes_before = self.workers.pipes();
        let start = monotonic_ns();
        let mut log = input.log(start);
        // In rounds, a task to each worker before any gets a second: the
        // first worker must not take every task of a short repetition.
        let depth = spec.in_flight.max(1) as usize;
        for round in 1..=depth {
            for w in 0..count {
                self.fill(w, round, &input, &source, &mut cursors[w], &mut queued[w])?;
            }
        }
        while !log.is_complete() {
            let Some(event) = self.next_event()? else {
                if input.cancel.is_cancelled() {
                    return Err(EngineError::Cancelled);
                }
                continue;
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
                            pid: self.workers.pid(w),
                            task: index,
                        });
                    }
                    queued[w].pop_front();
                    if self.shared.is_some() {
                        self.workers.count_shared(w, 0, input.payload.len() as u64);
                    }
                    self.note_cpu(w, cpu_ns);
                    (input.on_tasks_done)(1);
                    self.fill(w, depth, &input, &source, &mut cursors[w], &mut queued[w])?;
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
        let ipc = self.workers.pipes() - pipes_before;
        Ok(log.finish(wall, cpu, ipc))
    }
}

/// What a dispatcher needs of a pool of worker processes: their events,
/// one at a time, and what it takes to word a failure. Both pools (this
/// one's poll loop, and the event channel of [`super::channel_pool`])
/// implement it, so the handshake and the failure reports are written once.
pub(crate) trait WorkerEvents {
    /// The next event of any worker, `None` after a quiet poll interval.
    fn next_event(&mut self) -> Result<Option<WorkerEvent>, EngineError>;
    /// Worker `worker`'s process id (0 if there is no such worker).
    fn pid(&self, worker: usize) -> u32;
    /// How worker `worker` ended, once its output closed.
    fn describe_exit(&mut self, worker: usize) -> String;
    /// Notes worker `worker`'s CPU time from its latest report.
    fn note_cpu(&mut self, worker: usize, cpu_ns: u64);

    fn protocol_error(&self, worker: usize, source: ProtocolError) -> EngineError {
        EngineError::Protocol {
            worker,
            pid: self.pid(worker),
            source,
        }
    }

    /// Turns a failure seen on a worker's output into the run's error.
    fn failure(&mut self, worker: usize, kind: WorkerEventKind, doing: &str) -> EngineError {
        match kind {
            WorkerEventKind::Failed(source) => self.protocol_error(worker, source),
            WorkerEventKind::Closed => EngineError::WorkerDied {
                worker,
                pid: self.pid(worker),
                how: self.describe_exit(worker),
                tasks: doing.to_string(),
            },
            WorkerEventKind::Message(_) => self.protocol_error(
                worker,
                ProtocolError::Decode(
                    "a message that does not fit this point of the conversation".to_string(),
                ),
            ),
        }
    }
}

/// Waits until each of `count` workers has said hello in this protocol's
/// version, within [`START_TIMEOUT`]; a cancel, a failure or a worker that
/// says anything else first ends the wait with the run's error.
pub(crate) fn await_hellos(
    pool: &mut impl WorkerEvents,
    count: usize,
    cancel: &CancelToken,
) -> Result<(), EngineError> {
    let mut greeted = vec![false; count];
    let mut waiting = count;
    let deadline = Instant::now() + START_TIMEOUT;
    while waiting > 0 {
        let Some(event) = pool.next_event()? else {
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
            continue;
        };
        let worker = event.worker;
        match event.kind {
            WorkerEventKind::Message(FromWorker::Hello {
                version, cpu_ns, ..
            }) => {
                if version != PROTOCOL_VERSION {
                    let mismatch = ProtocolError::VersionMismatch {
                        found: version,
                        expected: PROTOCOL_VERSION,
                    };
                    return Err(pool.failure(
                        worker,
                        WorkerEventKind::Failed(mismatch),
                        "start-up",
                    ));
                }
                pool.note_cpu(worker, cpu_ns);
                if let Some(seen) = greeted.get_mut(worker) {
                    if !std::mem::replace(seen, true) {
                        waiting -= 1;
                    }
                }
            }
            other => return Err(pool.failure(worker, other, "start-up")),
        }
    }
    Ok(())
}

impl ProcessPool {
    pub fn start(
        exe: &Path,
        spec: &RunSpec,
        cancel: &CancelToken,
        board: &PidBoard,
    ) -> Result<ProcessPool, EngineError> {
        let count = spec.workers;
        let start = monotonic_ns();
        let mut pool = ProcessPool {
            workers: PipeLoop::new(spec.codec),
            cpu_ns: vec![0; count as usize],
            spawn_ns: 0,
            healthy: false,
            shared: None,
        };
        let payload = usize::try_from(spec.workload.payload_bytes).unwrap_or(usize::MAX);
        let mut args = vec![Vec::new(); count as usize];
        if spec.transport == Transport::Shm && spec.workload.workload.uses_payload() && payload > 0
        {
            let (shared, shm_args) = SharedPayloads::create(count, payload)
                .map_err(|source| EngineError::Spawn { worker: 0, source })?;
            pool.shared = Some(shared);
            args = shm_args;
        }
        for (index, args) in args.iter().enumerate() {
            let pid = pool
                .workers
                .spawn(exe, args)
                .map_err(|source| EngineError::Spawn {
                    worker: index,
                    source,
                })?;
            board.set(index, pid);
        }
        await_hellos(&mut pool, count as usize, cancel)?;
        pool.spawn_ns = monotonic_ns() - start;
        pool.healthy = true;
        Ok(pool)
    }
}

impl WorkerEvents for ProcessPool {
    fn next_event(&mut self) -> Result<Option<WorkerEvent>, EngineError> {
        self.workers
            .next_event(POLL)
            .map_err(|source| self.protocol_error(0, ProtocolError::Io(source)))
    }

    fn pid(&self, worker: usize) -> u32 {
        self.workers.pid(worker)
    }

    fn describe_exit(&mut self, worker: usize) -> String {
        self.workers.describe_exit(worker)
    }

    fn note_cpu(&mut self, worker: usize, cpu_ns: u64) {
        // 0: the worker did not read it (more tasks were waiting).
        if let Some(slot) = self.cpu_ns.get_mut(worker).filter(|_| cpu_ns > 0) {
            *slot = cpu_ns;
        }
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
    fn stamps_ipc(&self) -> bool {
        true
    }

    fn spawn_ns(&self) -> u64 {
        self.spawn_ns
    }

    fn processes_started(&self) -> u64 {
        self.workers.len() as u64
    }

    fn worker_pids(&self) -> Vec<u32> {
        self.workers.pids()
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
            self.workers.shutdown();
        }
        // Whatever is left is killed and reaped as the loop drops.
    }
}
