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

use super::contract::{Executor, IpcStamps, Repetition, RepetitionInput, RepetitionLog};
use super::error::EngineError;
use super::schedule::{Cursor, TaskSource};
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
        round: &mut Round,
    ) -> Result<Option<Running>, EngineError> {
        let Some(index) = round.source.claim(slot as u32, &mut round.cursors[slot]) else {
            return Ok(None);
        };
        // Ids are unique within the run, so a late event from a finished
        // process is never taken for its slot's successor.
        let id = usize::try_from(self.started).unwrap_or(usize::MAX);
        let spawned_ns = monotonic_ns();
        let process = WorkerProcess::spawn(&self.exe, id, self.codec, round.events.clone())
            .map_err(|source| EngineError::Spawn {
                worker: slot,
                source,
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

    /// Acts on one event of a slot's process: checks its hello, records its
    /// result (and starts the slot's next task), or fails the repetition
    /// for a broken or dead process.
    fn handle(
        &mut self,
        event: WorkerEvent,
        input: &mut RepetitionInput<'_>,
        log: &mut RepetitionLog,
        round: &mut Round,
    ) -> Result<(), EngineError> {
        let Some(slot) = round
            .running
            .iter()
            .position(|r| r.as_ref().is_some_and(|r| r.id == event.worker))
        else {
            return Ok(()); // the end of an already reaped process
        };
        let Some(current) = round.running[slot].as_mut() else {
            return Ok(());
        };
        let pid = current.process.pid();
        match event.kind {
            WorkerEventKind::Message(FromWorker::Hello { version, .. }) => {
                if version != PROTOCOL_VERSION {
                    return Err(EngineError::Protocol {
                        worker: slot,
                        pid,
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
                        pid,
                        task: index,
                    });
                }
                // The whole life of the process counts: start-up too.
                round.workers_cpu += cpu_ns;
                (input.on_tasks_done)(1);
                self.reap(slot, round);
                round.running[slot] = self.launch(slot, input, round)?;
            }
            WorkerEventKind::Failed(source) => {
                return Err(EngineError::Protocol {
                    worker: slot,
                    pid,
                    source,
                });
            }
            WorkerEventKind::Closed => {
                return Err(EngineError::WorkerDied {
                    worker: slot,
                    pid,
                    how: current.process.describe_exit(),
                    tasks: format!("task {}", current.task),
                });
            }
        }
        Ok(())
    }

    /// Shuts down slot `slot`'s process once its task is done, keeping its
    /// memory and pipe figures.
    fn reap(&mut self, slot: usize, round: &mut Round) {
        if let Some(mut done) = round.running[slot].take() {
            // The last moment the process exists (see the top).
            let rss = round.memory.rss_of(done.process.pid());
            round.worker_rss[slot] = round.worker_rss[slot].max(rss);
            done.process.shutdown();
            self.board.clear(slot);
            round.ipc = round.ipc + done.process.pipe_snapshot();
        }
    }
}

/// One repetition's dispatch: where each slot is in the schedule, its
/// running process, and what the finished processes left behind.
struct Round {
    source: TaskSource,
    cursors: Vec<Cursor>,
    /// Each process's events come back on this channel's receiver.
    events: Sender<WorkerEvent>,
    /// Dropping them on any early return kills and reaps the processes.
    running: Vec<Option<Running>>,
    workers_cpu: u64,
    ipc: PipeSnapshot,
    memory: MemoryProbe,
    worker_rss: Vec<u64>,
}

/// The next event of any process, looking at the cancel flag while none
/// comes.
fn next_event(
    events: &Receiver<WorkerEvent>,
    input: &RepetitionInput<'_>,
) -> Result<WorkerEvent, EngineError> {
    loop {
        match events.recv_timeout(POLL) {
            Ok(event) => return Ok(event),
            Err(RecvTimeoutError::Timeout) => {
                if input.cancel.is_cancelled() {
                    return Err(EngineError::Cancelled);
                }
            }
            // The dispatcher holds a sender, so the channel never closes.
            Err(RecvTimeoutError::Disconnected) => return Err(EngineError::Cancelled),
        }
    }
}

impl Executor for ProcessPerTask {
    fn stamps_ipc(&self) -> bool {
        true
    }

    fn spawn_ns(&self) -> u64 {
        0
    }

    fn processes_started(&self) -> u64 {
        self.started
    }

    fn run_repetition(
        &mut self,
        mut input: RepetitionInput<'_>,
    ) -> Result<Repetition, EngineError> {
        let spec = input.spec;
        let slots = self.slots as usize;
        let (events_tx, events): (Sender<WorkerEvent>, Receiver<WorkerEvent>) =
            crossbeam_channel::unbounded();
        let cpu_before = process_cpu_ns();
        let mut round = Round {
            source: TaskSource::new(spec.schedule, spec.workload.tasks, spec.chunk, self.slots),
            cursors: vec![Cursor::default(); slots],
            events: events_tx,
            running: Vec::with_capacity(slots),
            workers_cpu: 0,
            ipc: PipeSnapshot::default(),
            // Made before the clock starts; it keeps only this repetition's pids.
            memory: MemoryProbe::new(),
            worker_rss: vec![0u64; slots],
        };
        let start = monotonic_ns();
        let mut log = input.log(start);
        for slot in 0..slots {
            let next = self.launch(slot, &input, &mut round)?;
            round.running.push(next);
        }
        while !log.is_complete() {
            let event = next_event(&events, &input)?;
            self.handle(event, &mut input, &mut log, &mut round)?;
        }
        let wall = monotonic_ns() - start;
        let cpu = (process_cpu_ns() - cpu_before) + round.workers_cpu;
        let mut repetition = log.finish(wall, cpu, round.ipc);
        repetition.worker_rss = round.worker_rss;
        Ok(repetition)
    }
}
