//! `process-per-task`: a fresh worker process for every task.
//!
//! What `multiprocessing.Process(target=…)` per item costs next to a pool:
//! each task pays for starting a process (exec, loading the binary, the
//! hello), and for stopping and reaping it, inside the wall time. Up to
//! `workers` processes run at once; each slot takes its next task from the
//! same static or queue schedule as the other models.
//!
//! Its workers never outlive a repetition, so their memory cannot be read
//! after it like the pool's: each one's resident set is read just before it
//! is shut down, and each slot reports the largest of its processes. That
//! read (sysinfo's `/proc` visit, ~45 µs on a 2-core VM) falls inside the
//! wall time, beside the milliseconds each process start costs.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};

use super::schedule::{Cursor, TaskSource};
use super::{EngineError, Executor, IpcStamps, Repetition, RepetitionInput, RepetitionLog};
use crate::measure::clock::{monotonic_ns, process_cpu_ns};
use crate::measure::memory::MemoryProbe;
use crate::measure::sampler::PidBoard;
use crate::worker::codec::Codec;
use crate::worker::process::{PipeSnapshot, WorkerEvent, WorkerEventKind, WorkerProcess};
use crate::worker::protocol::{FromWorker, PROTOCOL_VERSION, ProtocolError};

/// How often a waiting dispatcher looks at the cancel flag.
const POLL: Duration = Duration::from_millis(20);

/// The model: no pool, only a count of processes started.
#[derive(Debug)]
pub(crate) struct ProcessPerTask {
    exe: PathBuf,
    slots: u32,
    codec: Codec,
    started: u64,
    /// Each slot's live process, for the sampler.
    board: PidBoard,
}

/// The process running one slot's current task.
#[derive(Debug)]
struct Running {
    id: usize,
    task: u32,
    /// When the process was asked for, on the shared monotonic clock.
    spawned_ns: u64,
    process: WorkerProcess,
}

impl ProcessPerTask {
    pub fn new(exe: &Path, slots: u32, codec: Codec, board: PidBoard) -> ProcessPerTask {
        ProcessPerTask {
            exe: exe.to_path_buf(),
            slots,
            codec,
            started: 0,
            board,
        }
    }

    /// Starts a process for slot `slot`'s next task, if it has one.
    fn launch(
        &mut self,
        slot: usize,
        input: &RepetitionInput<'_>,
        source: &TaskSource,
        cursor: &mut Cursor,
        events: &Sender<WorkerEvent>,
    ) -> Result<Option<Running>, EngineError> {
        let Some(index) = source.claim(slot as u32, cursor) else {
            return Ok(None);
        };
        // Ids are unique within the run, so a late event from a finished
        // process is never taken for its slot's successor.
        let id = usize::try_from(self.started).unwrap_or(usize::MAX);
        let spawned_ns = monotonic_ns();
        let process =
            WorkerProcess::spawn(&self.exe, id, self.codec, events.clone()).map_err(|source| {
                EngineError::Spawn {
                    worker: slot,
                    source,
                }
            })?;
        self.started += 1;
        self.board.set(slot, process.pid());
        // The task waits in the pipe while the process starts.
        process.send_task(input.task(index), input.payload);
        Ok(Some(Running {
            id,
            task: index,
            spawned_ns,
            process,
        }))
    }
}

impl Executor for ProcessPerTask {
    fn spawn_ns(&self) -> u64 {
        0
    }

    fn processes_started(&self) -> u64 {
        self.started
    }

    fn run_repetition(&mut self, input: RepetitionInput<'_>) -> Result<Repetition, EngineError> {
        let spec = input.spec;
        let slots = self.slots as usize;
        let source = TaskSource::new(spec.schedule, spec.workload.tasks, spec.chunk, self.slots);
        let mut cursors = vec![Cursor::default(); slots];
        let (events_tx, events): (Sender<WorkerEvent>, Receiver<WorkerEvent>) =
            crossbeam_channel::unbounded();
        let cpu_before = process_cpu_ns();
        let mut workers_cpu = 0u64;
        let mut ipc = PipeSnapshot::default();
        // Made before the clock starts; it keeps only this repetition's pids.
        let mut memory = MemoryProbe::new();
        let mut worker_rss = vec![0u64; slots];
        let start = monotonic_ns();
        let mut log = RepetitionLog::new(spec.workload.tasks, start);
        // Dropping `running` on any early return kills and reaps its processes.
        let mut running: Vec<Option<Running>> = Vec::with_capacity(slots);
        for (slot, cursor) in cursors.iter_mut().enumerate() {
            let next = self.launch(slot, &input, &source, cursor, &events_tx)?;
            running.push(next);
        }
        while !log.is_complete() {
            let event = match events.recv_timeout(POLL) {
                Ok(event) => event,
                Err(RecvTimeoutError::Timeout) => {
                    if input.cancel.is_cancelled() {
                        return Err(EngineError::Cancelled);
                    }
                    continue;
                }
                // The dispatcher holds a sender, so the channel never closes.
                Err(RecvTimeoutError::Disconnected) => return Err(EngineError::Cancelled),
            };
            let Some(slot) = running
                .iter()
                .position(|r| r.as_ref().is_some_and(|r| r.id == event.worker))
            else {
                continue; // the end of an already reaped process
            };
            let Some(current) = running[slot].as_mut() else {
                continue;
            };
            match event.kind {
                WorkerEventKind::Message(FromWorker::Hello { version, .. }) => {
                    if version != PROTOCOL_VERSION {
                        return Err(EngineError::Protocol {
                            worker: slot,
                            pid: current.process.pid(),
                            source: ProtocolError::VersionMismatch {
                                found: version,
                                expected: PROTOCOL_VERSION,
                            },
                        });
                    }
                }
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
                    let stamps = IpcStamps::of_reply(
                        Some(current.spawned_ns),
                        (received_ns, read_ns),
                        event.arrived,
                        event.received_ns,
                    );
                    if index != current.task
                        || !log.record_with_ipc(
                            slot as u32,
                            index,
                            value,
                            (start_ns, end_ns),
                            Some(stamps),
                        )
                    {
                        return Err(EngineError::UnexpectedResult {
                            worker: slot,
                            pid: current.process.pid(),
                            task: index,
                        });
                    }
                    // The whole life of the process counts: start-up too.
                    workers_cpu += cpu_ns;
                    (input.on_task_done)();
                    if let Some(mut done) = running[slot].take() {
                        // The last moment the process exists (see the top).
                        let rss = memory.rss_of(done.process.pid());
                        worker_rss[slot] = worker_rss[slot].max(rss);
                        done.process.shutdown();
                        self.board.clear(slot);
                        ipc = ipc + done.process.pipe_snapshot();
                    }
                    running[slot] =
                        self.launch(slot, &input, &source, &mut cursors[slot], &events_tx)?;
                }
                WorkerEventKind::Failed(source) => {
                    return Err(EngineError::Protocol {
                        worker: slot,
                        pid: current.process.pid(),
                        source,
                    });
                }
                WorkerEventKind::Closed => {
                    return Err(EngineError::WorkerDied {
                        worker: slot,
                        pid: current.process.pid(),
                        how: current.process.describe_exit(),
                        tasks: format!("task {}", current.task),
                    });
                }
            }
        }
        let wall = monotonic_ns() - start;
        let cpu = (process_cpu_ns() - cpu_before) + workers_cpu;
        let mut repetition = log.finish(wall, cpu, ipc);
        repetition.worker_rss = worker_rss;
        Ok(repetition)
    }
}
