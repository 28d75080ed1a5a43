//! `mpi`: the workloads as MPI ranks of this binary under `mpirun`.
//!
//! An [`MpiExecutor`] starts `mpirun` with one rank per worker plus a
//! coordinating rank 0 (`crate::mpi::launch`), all running corescope's
//! hidden `__mpi-rank` subcommand (`crate::mpi::rank`), and talks to rank 0
//! over `mpirun`'s stdin and stdout in the worker protocol's frames: the
//! run spec down, `Ready` with every rank's host, pid and clock back; per
//! repetition `Rep` down and batches of finished tasks plus the
//! repetition's figures back. Rank 0 stamps on its own monotonic clock: one
//! `Ping` round trip checks that it reads corescope's, a few more align it
//! where it does not (another host, which a hostfile can put it on, or a
//! time namespace of its own). A reader thread turns `mpirun`'s stdout
//! into messages, another keeps the end of its stderr (where Open MPI says
//! which rank died and how) for error messages.
//!
//! `mpirun` runs in a process group of its own and puts each rank in one of
//! its own; the executor's `Drop` asks a healthy job to stop and otherwise
//! (and after a grace period) kills `mpirun` and every descendant, then
//! reaps `mpirun`: on success, failure and cancel alike. The ranks also
//! die with their parent (`PR_SET_PDEATHSIG`).

use std::ffi::OsStr;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ExitStatus};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};

use super::child::{StderrTail, end_job, spawn_named, take_pipes};
use super::contract::{
    EngineConfig, Executor, IpcStamps, Repetition, RepetitionInput, RepetitionLog,
};
use super::error::EngineError;
use super::failure::{Ended, Fault, MpiFailure, Phase};
use crate::cancel::CancelToken;
use crate::measure::clock::monotonic_ns;
use crate::measure::sampler::PidBoard;
use crate::mpi::clock::{self, ClockOffset, RoundTrip};
use crate::mpi::protocol::{
    FromCoordinator, JobInfo, MPI_PROTOCOL_VERSION, RankTraffic, RepEnd, TaskReport, ToCoordinator,
};
use crate::mpi::{RANK_SUBCOMMAND, add_traffic, launch, local_pids};
use crate::results::MpiRecord;
use crate::spec::RunSpec;
use crate::worker::codec::Codec;
use crate::worker::process::PipeSnapshot;
use crate::worker::protocol::{PIPE_BUFFER_BYTES, ProtocolError, read_frame, write_frame};

/// How long a job may take to start every rank and say ready.
pub(crate) const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How often a waiting executor looks at the cancel flag.
const POLL: Duration = Duration::from_millis(20);
/// How long a healthy job gets to stop its ranks and exit.
pub(crate) const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);
/// How long a job whose coordinator reported an error gets to abort.
const ERROR_EXIT_GRACE: Duration = Duration::from_secs(3);

/// What the stdout reader thread forwards.
#[derive(Debug)]
enum Incoming {
    Message(FromCoordinator),
    /// stdout carried something that is no frame.
    Failed(ProtocolError),
    /// stdout closed: `mpirun` exited (or closed it).
    Closed,
}

/// A running MPI job: the model's pool, started once per run.
pub(crate) struct MpiExecutor {
    child: Child,
    pid: u32,
    stdin: Option<BufWriter<ChildStdin>>,
    codec: Codec,
    incoming: Receiver<Incoming>,
    reader: Option<JoinHandle<()>>,
    stderr: StderrTail,
    job: JobInfo,
    /// The coordinator's clock against corescope's (zero on one host).
    clock: ClockOffset,
    /// Bytes per worker rank over the whole run.
    traffic: Vec<RankTraffic>,
    hostfile: Option<PathBuf>,
    spawn_ns: u64,
    /// False once anything went wrong: then `Drop` kills without waiting.
    healthy: bool,
    exit_status: Option<ExitStatus>,
    /// The ranks' shared-memory segments (unlinked once every rank is
    /// ready) and Open MPI's session folder; removed after `Drop` ended
    /// the job (fields drop after it).
    folders: launch::JobFolders,
}

impl std::fmt::Debug for MpiExecutor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MpiExecutor")
            .field("pid", &self.pid)
            .field("ranks", &self.job.ranks.len())
            .finish_non_exhaustive()
    }
}

impl MpiExecutor {
    /// Starts `mpirun` with `spec.workers` worker ranks and a coordinating
    /// rank, and waits until every rank is ready.
    pub fn start(
        spec: &RunSpec,
        config: &EngineConfig,
        cancel: &CancelToken,
        board: &PidBoard,
    ) -> Result<MpiExecutor, EngineError> {
        if let Some(hostfile) = &config.hostfile {
            launch::check_hostfile(hostfile).map_err(MpiFailure::from)?;
        }
        let launched = monotonic_ns();
        let codec = spec.codec.name();
        let args = [
            OsStr::new(RANK_SUBCOMMAND),
            OsStr::new("--codec"),
            OsStr::new(codec),
        ];
        let mut folders = launch::JobFolders::create();
        let mut child = launch::command(
            spec.workers + 1,
            config.hostfile.as_deref(),
            &folders,
            config.worker_exe.as_os_str(),
            &args,
        )
        .spawn()
        .map_err(|source| MpiFailure::Spawn {
            launcher: launch::MPIRUN,
            source,
        })?;
        let pid = child.id();
        folders.watch(pid);
        let Some((stdin, stdout, stderr)) = take_pipes(&mut child) else {
            let launcher = launch::MPIRUN;
            return Err(MpiFailure::Pipes { launcher }.into());
        };
        let (incoming_tx, incoming) = crossbeam_channel::unbounded();
        let mut executor = MpiExecutor {
            child,
            pid,
            stdin: Some(BufWriter::with_capacity(PIPE_BUFFER_BYTES, stdin)),
            codec: spec.codec,
            incoming,
            reader: None,
            stderr: StderrTail::default(),
            job: JobInfo::default(),
            clock: ClockOffset::default(),
            traffic: Vec::new(),
            hostfile: config.hostfile.clone(),
            spawn_ns: 0,
            healthy: false,
            exit_status: None,
            folders,
        };
        // If a thread fails to start, dropping `executor` cleans up.
        let frames = spec.codec;
        executor.reader = Some(spawn_named("corescope-mpi-rx", move || {
            read_frames(stdout, frames, &incoming_tx);
        })?);
        executor.stderr = StderrTail::keep("corescope-mpi-err", stderr)?;
        let start = ToCoordinator::Start {
            version: MPI_PROTOCOL_VERSION,
            spec: *spec,
        };
        executor.send(&start, Phase::StartUp)?;
        let deadline = Instant::now() + START_TIMEOUT;
        executor.job = match executor.next(cancel, Some(deadline), Phase::StartUp)? {
            FromCoordinator::Ready(job) => job,
            other => return Err(executor.unexpected(&other, Phase::StartUp)),
        };
        executor.check_job(spec)?;
        // Every rank has mapped its host's segments (each reported after
        // MPI_Init to rank 0, which says Ready only then).
        executor.folders.mapped();
        let same_kernel = clock::same_kernel(&executor.job.ranks[0].boot_id, &clock::boot_id());
        executor.clock = clock::align(same_kernel, || executor.clock_trip(cancel, deadline))?;
        executor.spawn_ns = monotonic_ns().saturating_sub(launched);
        // Workers first (by worker, like `processes`), then rank 0 and mpirun.
        let pids = local_pids(&executor.job);
        for (slot, &rank_pid) in pids.iter().skip(1).chain(pids.first()).enumerate() {
            board.set(slot, rank_pid);
        }
        board.set(pids.len(), pid);
        executor.healthy = true;
        Ok(executor)
    }

    /// Refuses a job that is not the one asked for.
    fn check_job(&mut self, spec: &RunSpec) -> Result<(), EngineError> {
        let problem = if self.job.version != MPI_PROTOCOL_VERSION {
            Some(Fault::ProtocolVersion {
                found: self.job.version,
                expected: MPI_PROTOCOL_VERSION,
            })
        } else if self.job.ranks.len() != spec.workers as usize + 1 {
            Some(Fault::WrongRanks {
                ranks: self.job.ranks.len(),
                asked: spec.workers + 1,
            })
        } else {
            None
        };
        match problem {
            Some(problem) => Err(self.failure(Phase::StartUp, Some(problem))),
            None => Ok(()),
        }
    }

    /// One round trip to the coordinator's clock.
    fn clock_trip(
        &mut self,
        cancel: &CancelToken,
        deadline: Instant,
    ) -> Result<RoundTrip, EngineError> {
        let sent_ns = monotonic_ns();
        self.send(&ToCoordinator::Ping, Phase::StartUp)?;
        match self.next(cancel, Some(deadline), Phase::StartUp)? {
            FromCoordinator::Pong { now_ns } => Ok(RoundTrip {
                sent_ns,
                remote_ns: now_ns,
                received_ns: monotonic_ns(),
            }),
            other => Err(self.unexpected(&other, Phase::StartUp)),
        }
    }

    /// Sends one frame to the coordinator.
    fn send(&mut self, message: &ToCoordinator, during: Phase) -> Result<(), EngineError> {
        let written = match self.stdin.as_mut() {
            Some(stdin) => write_frame(self.codec, stdin, message)
                .and_then(|_| stdin.flush().map_err(ProtocolError::from)),
            None => Err(ProtocolError::Io(std::io::Error::other("stdin closed"))),
        };
        match written {
            Ok(()) => Ok(()),
            // A closed pipe means mpirun is gone: say how it ended.
            Err(ProtocolError::Io(_)) => Err(self.failure(during, None)),
            Err(e) => Err(self.failure(during, Some(Fault::Protocol(e)))),
        }
    }

    /// The next message, waiting until `deadline` (if any) and stopping on
    /// cancel; an ended job or a coordinator's error is a failure.
    fn next(
        &mut self,
        cancel: &CancelToken,
        deadline: Option<Instant>,
        during: Phase,
    ) -> Result<FromCoordinator, EngineError> {
        loop {
            match self.incoming.recv_timeout(POLL) {
                Ok(Incoming::Message(FromCoordinator::Error { message })) => {
                    // The job aborts right after saying so: let it, so the
                    // error reads how mpirun ended, not our kill.
                    self.wait_for_exit(ERROR_EXIT_GRACE);
                    return Err(self.failure(during, Some(Fault::Raised(message))));
                }
                Ok(Incoming::Message(message)) => return Ok(message),
                Ok(Incoming::Failed(e)) => {
                    return Err(self.failure(during, Some(Fault::BrokeOff(e))));
                }
                Ok(Incoming::Closed) | Err(RecvTimeoutError::Disconnected) => {
                    self.wait_for_exit(ERROR_EXIT_GRACE);
                    return Err(self.failure(during, None));
                }
                Err(RecvTimeoutError::Timeout) => {
                    if let Ok(Some(status)) = self.child.try_wait() {
                        self.exit_status = Some(status);
                        return Err(self.failure(during, None));
                    }
                    if cancel.is_cancelled() {
                        self.healthy = false;
                        return Err(EngineError::Cancelled);
                    }
                    if deadline.is_some_and(|d| Instant::now() > d) {
                        let seconds = START_TIMEOUT.as_secs();
                        return Err(self.failure(during, Some(Fault::NoAnswer { seconds })));
                    }
                }
            }
        }
    }

    fn unexpected(&mut self, message: &FromCoordinator, during: Phase) -> EngineError {
        let what = match message {
            FromCoordinator::Ready(_) => "Ready",
            FromCoordinator::Pong { .. } => "Pong",
            FromCoordinator::Tasks(_) => "Tasks",
            FromCoordinator::RepEnd(_) => "RepEnd",
            FromCoordinator::Error { .. } => "Error",
        };
        self.failure(during, Some(Fault::Unexpected(what.to_string())))
    }

    /// Ends the job and describes the failure: what was said, how mpirun
    /// ended and the end of its stderr (Open MPI names the rank that died).
    fn failure(&mut self, during: Phase, fault: Option<Fault>) -> EngineError {
        self.healthy = false;
        self.kill_and_reap();
        let stderr = self.stderr.text();
        MpiFailure::Job(Ended {
            during,
            fault,
            who: launch::MPIRUN,
            exit: self.exit_status,
            stderr: crate::mpi::stderr_tail(&stderr, 4),
        })
        .into()
    }

    /// Waits up to `grace` for mpirun to exit by itself, reaping it.
    fn wait_for_exit(&mut self, grace: Duration) {
        crate::platform::wait_for_exit(&mut self.child, &mut self.exit_status, grace);
    }

    /// Kills mpirun and every rank and reaps mpirun, unless it was reaped
    /// already.
    fn kill_and_reap(&mut self) {
        self.stdin = None;
        end_job(&mut self.child, self.pid, &mut self.exit_status);
    }

    /// One repetition's reports, as a repetition on corescope's clock.
    fn assemble(
        &mut self,
        spec: &RunSpec,
        reports: &[TaskReport],
        end: &RepEnd,
    ) -> Result<Repetition, EngineError> {
        let clock = self.clock;
        let here = |t: u64| clock.to_local(t);
        let mut log = RepetitionLog::new(spec.workload.tasks, here(end.start_ns));
        for r in reports {
            let stamps = IpcStamps {
                spawned_ns: None,
                received_ns: here(r.received_ns),
                read_ns: here(r.read_ns),
                reply_ns: here(r.reply_ns),
                replied_ns: here(r.replied_ns),
                returned_ns: here(r.returned_ns),
            };
            let span = (here(r.start_ns), here(r.end_ns));
            if r.worker >= spec.workers
                || !log.record_with_ipc(r.worker, r.index, r.value, span, Some(stamps))
            {
                let said = format!(
                    "it reported task {} of worker {} twice or out of range",
                    r.index, r.worker
                );
                return Err(self.failure(Phase::Repetition, Some(Fault::Implausible(said))));
            }
        }
        if !log.is_complete() || end.traffic.len() != spec.workers as usize {
            let said = format!(
                "it reported {} of {} tasks and {} of {} ranks",
                reports.len(),
                spec.workload.tasks,
                end.traffic.len(),
                spec.workers
            );
            return Err(self.failure(Phase::Repetition, Some(Fault::Implausible(said))));
        }
        add_traffic(&mut self.traffic, &end.traffic);
        let ipc = traffic_snapshot(&end.traffic);
        Ok(log.finish(end.end_ns.saturating_sub(end.start_ns), end.cpu_ns, ipc))
    }
}

/// One repetition's traffic as the pipe models count theirs.
pub(crate) fn traffic_snapshot(traffic: &[RankTraffic]) -> PipeSnapshot {
    PipeSnapshot {
        bytes_to_worker: traffic.iter().map(|t| t.to_rank).sum(),
        bytes_from_worker: traffic.iter().map(|t| t.from_rank).sum(),
        messages: traffic.iter().map(|t| t.messages).sum(),
        ..PipeSnapshot::default()
    }
}

impl Executor for MpiExecutor {
    fn stamps_ipc(&self) -> bool {
        true
    }

    fn spawn_ns(&self) -> u64 {
        self.spawn_ns
    }

    fn processes_started(&self) -> u64 {
        self.job.ranks.len().saturating_sub(1) as u64
    }

    fn worker_pids(&self) -> Vec<u32> {
        local_pids(&self.job).into_iter().skip(1).collect()
    }

    fn mpi(&self) -> Option<MpiRecord> {
        Some(crate::mpi::record(
            &self.job,
            &self.traffic,
            self.hostfile.as_deref(),
        ))
    }

    fn run_repetition(&mut self, input: RepetitionInput<'_>) -> Result<Repetition, EngineError> {
        if input.cancel.is_cancelled() {
            return Err(EngineError::Cancelled);
        }
        self.send(&ToCoordinator::Rep, Phase::Repetition)?;
        let mut reports = Vec::with_capacity(input.spec.workload.tasks as usize);
        // A repetition has no time limit: it ends with its figures, the
        // job's end, or a cancel.
        let end = loop {
            match self.next(input.cancel, None, Phase::Repetition)? {
                FromCoordinator::Tasks(batch) => {
                    for _ in &batch {
                        (input.on_tasks_done)(1);
                    }
                    reports.extend(batch);
                }
                FromCoordinator::RepEnd(end) => break end,
                other => return Err(self.unexpected(&other, Phase::Repetition)),
            }
        };
        self.assemble(input.spec, &reports, &end)
    }
}

impl Drop for MpiExecutor {
    fn drop(&mut self) {
        if self.healthy {
            // Shutdown stops every rank; MPI_Finalize and mpirun follow.
            let _ = self.send(&ToCoordinator::Shutdown, Phase::Shutdown);
            self.stdin = None;
            self.wait_for_exit(SHUTDOWN_GRACE);
        }
        self.kill_and_reap();
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        self.stderr.join();
    }
}

fn read_frames(stdout: impl Read, codec: Codec, incoming: &Sender<Incoming>) {
    let mut reader = BufReader::with_capacity(PIPE_BUFFER_BYTES, stdout);
    loop {
        let next = match read_frame::<_, FromCoordinator>(codec, &mut reader) {
            Ok(Some(message)) => Incoming::Message(message),
            Ok(None) => Incoming::Closed,
            Err(e) => Incoming::Failed(e),
        };
        let last = !matches!(next, Incoming::Message(_));
        if incoming.send(next).is_err() || last {
            return;
        }
    }
}
