//! The python models: the same workloads run by CPython, GIL and all.
//!
//! A [`HarnessExecutor`] starts the embedded harness (its modules joined
//! into one script, [`python::HARNESS`], handed over as a nameless file in
//! memory, `/dev/fd/N`, so no copy outlives the run however corescope ends,
//! and `spawn` workers still import it by path) under the run's interpreter, in
//! a process group of its own, and hands it the run spec as one JSON line.
//! The harness starts its pool (a `ThreadPoolExecutor`, a
//! `multiprocessing.Pool`, a `ProcessPoolExecutor` or `Process` workers on a
//! `Queue`) and says `ready` with the start-up time; each repetition is one
//! `rep` line down and a `task` line per finished task plus one `rep` line
//! back, with spans on `CLOCK_MONOTONIC` (the clock corescope stamps on),
//! CPU time and the bytes multiprocessing pickled through the pool. A named
//! thread reads stdout into a channel and another keeps the tail of stderr
//! for error messages. Dropping the executor ends the harness politely when
//! it is healthy, and otherwise kills its whole process group (pool workers
//! included) and reaps it: on success, failure and cancel alike.

use std::io::Write;
use std::path::Path;
use std::process::{Child, ChildStderr, ChildStdin, ChildStdout, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError};

mod lines;

use super::child::{StderrTail, end_job, spawn_named, take_pipes};
use super::contract::{EngineConfig, Executor, Repetition, RepetitionInput};
use super::error::EngineError;
use super::failure::{Ended, Fault, MpiFailure, Phase, PythonFailure};
use crate::cancel::CancelToken;
use crate::measure::clock::monotonic_ns;
use crate::measure::sampler::PidBoard;
use crate::model::Requirement;
use crate::mpi::protocol::{JobInfo, RankTraffic};
use crate::mpi::{add_traffic, launch, local_pids};
use crate::python::{self, HARNESS, last_lines};
use crate::results::CodeRecord;
use crate::results::MpiRecord;
use crate::results::RunRecord;
use crate::spec::{Model, RunSpec};
use crate::worker::process::PipeSnapshot;
use crate::workload::CodeRef;
use crate::workload::Workload;
use lines::{
    CODE_QUOTE_CHARS, CodeReady, HarnessMessage, Line, check_rep, quote, quote_upto, read_lines,
};

/// How long the harness may take to start its pool (spawn imports a fresh
/// interpreter per worker).
const START_TIMEOUT: Duration = Duration::from_secs(120);
/// How often a waiting executor looks at the cancel flag.
const POLL: Duration = Duration::from_millis(20);
/// How long a healthy harness gets to shut its pool down and exit.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);
/// How long a harness that reported an error gets to exit by itself.
const ERROR_EXIT_GRACE: Duration = Duration::from_secs(2);

/// A running harness: the model's pool, started once per run.
pub(crate) struct HarnessExecutor {
    model: Model,
    interpreter: String,
    version: String,
    /// `sys._is_gil_enabled()` as the harness reported it.
    gil_enabled: bool,
    child: Child,
    pid: u32,
    stdin: Option<ChildStdin>,
    lines: Receiver<Line>,
    reader: Option<JoinHandle<()>>,
    stderr: StderrTail,
    spawn_ns: u64,
    worker_pids: Vec<u32>,
    /// python-mpi: the job, its bytes per worker rank so far, its hostfile.
    job: Option<JobInfo>,
    traffic: Vec<RankTraffic>,
    hostfile: Option<std::path::PathBuf>,
    /// `--code`: the function, what the harness found in its file, the
    /// first repetition's digest and whether every later one matched.
    code: Option<(CodeRef, CodeReady)>,
    digest: Option<String>,
    stable: bool,
    /// False once anything went wrong: then `Drop` kills without waiting.
    healthy: bool,
    /// How the harness ended, once reaped.
    exit_status: Option<std::process::ExitStatus>,
    /// The harness script; closed when the executor is dropped, after the
    /// harness and its workers are gone.
    _script: Script,
    /// python-mpi: the ranks' shared-memory segments (unlinked once every
    /// rank is ready) and Open MPI's session folder, removed after them.
    folders: launch::JobFolders,
}

impl std::fmt::Debug for HarnessExecutor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HarnessExecutor")
            .field("model", &self.model)
            .field("interpreter", &self.interpreter)
            .field("pid", &self.pid)
            .finish_non_exhaustive()
    }
}

impl HarnessExecutor {
    /// Starts the harness for `spec` under the configured interpreter (or,
    /// for `python-threads-nogil`, a free-threaded one; for `python-mpi`
    /// one with mpi4py, as ranks under `mpirun`) and waits until its pool
    /// is up. The harness, then each pool worker, goes on `board` for the
    /// sampler.
    pub fn start(
        spec: &RunSpec,
        config: &EngineConfig,
        cancel: &CancelToken,
        board: &PidBoard,
        net_port: u16,
    ) -> Result<HarnessExecutor, EngineError> {
        let model = spec.model;
        let info = python::interpreter_for(model, &config.python)
            .map_err(|source| PythonFailure::Interpreter { model, source })?;
        let interpreter = info.interpreter.display().to_string();
        let mpi = model.uses_mpirun();
        if let Some(hostfile) = config.hostfile.as_deref().filter(|_| mpi) {
            launch::check_hostfile(hostfile).map_err(MpiFailure::from)?;
        }
        let (script_path, script) = write_harness(model)?;
        let mut folders = if mpi {
            launch::JobFolders::create()
        } else {
            launch::JobFolders::default()
        };
        let launched = monotonic_ns();
        let mut child = harness_command(spec, &info, &script_path, &folders, config)
            .spawn()
            .map_err(|source| {
                let program = if mpi { launch::MPIRUN } else { &interpreter };
                PythonFailure::Spawn {
                    model,
                    program: program.to_string(),
                    source,
                }
            })?;
        let pid = child.id();
        if mpi {
            folders.watch(pid);
        }
        board.set(0, pid);
        let Some((stdin, stdout, stderr)) = take_pipes(&mut child) else {
            return Err(PythonFailure::Pipes.into());
        };
        let mut executor = HarnessExecutor {
            model,
            interpreter,
            version: info.version,
            gil_enabled: !info.free_threaded,
            child,
            pid,
            stdin: Some(stdin),
            lines: crossbeam_channel::never(),
            reader: None,
            stderr: StderrTail::default(),
            spawn_ns: 0,
            worker_pids: Vec::new(),
            job: None,
            traffic: Vec::new(),
            hostfile: config.hostfile.clone().filter(|_| mpi),
            code: spec.workload.code.map(|code| (code, CodeReady::default())),
            digest: None,
            stable: true,
            healthy: false,
            exit_status: None,
            _script: script,
            folders,
        };
        // If a thread fails to start, dropping `executor` cleans up.
        executor.start_readers(stdout, stderr, lines::max_line(spec.workload.tasks))?;
        executor.send(&spec_line(spec, net_port)?, Phase::StartUp)?;
        executor.await_ready(spec, cancel, board)?;
        if mpi {
            // From starting mpirun: its ranks' interpreters and MPI start
            // before the harness's own clock could see them.
            executor.spawn_ns = monotonic_ns().saturating_sub(launched);
        }
        executor.healthy = true;
        Ok(executor)
    }

    /// Starts the threads that read the harness's stdout into `lines` and
    /// keep the tail of its stderr.
    fn start_readers(
        &mut self,
        stdout: ChildStdout,
        stderr: ChildStderr,
        max_line: usize,
    ) -> Result<(), EngineError> {
        let (lines_tx, lines) = crossbeam_channel::unbounded();
        self.lines = lines;
        self.reader = Some(spawn_named("corescope-py-rx", move || {
            read_lines(stdout, &lines_tx, max_line);
        })?);
        self.stderr = StderrTail::keep("corescope-py-err", stderr)?;
        Ok(())
    }

    /// Waits for the harness's `ready` and takes in what it says.
    fn await_ready(
        &mut self,
        spec: &RunSpec,
        cancel: &CancelToken,
        board: &PidBoard,
    ) -> Result<(), EngineError> {
        let deadline = Instant::now() + START_TIMEOUT;
        match self.next_line(cancel, deadline, Phase::StartUp)? {
            HarnessMessage::Ready {
                gil_enabled: true, ..
            } if wants_no_gil(spec.model) => {
                // A free-threaded build can turn the GIL back on: then this
                // would be python-threads under another name.
                Err(self.failure(Phase::StartUp, Some(Fault::GilEnabled)))
            }
            HarnessMessage::Ready { worker_pids, .. }
                if worker_pids.len() > spec.workers as usize =>
            {
                let fault = Fault::TooManyWorkers {
                    reported: worker_pids.len(),
                    workers: spec.workers,
                };
                Err(self.failure(Phase::StartUp, Some(fault)))
            }
            HarnessMessage::Ready {
                spawn_ns,
                version,
                gil_enabled,
                worker_pids,
                mpi,
                code,
            } => {
                if let (Some((_, ready)), Some(found)) = (self.code.as_mut(), code) {
                    *ready = found;
                }
                self.spawn_ns = spawn_ns;
                self.version = version;
                self.gil_enabled = gil_enabled;
                self.worker_pids = worker_pids;
                if let Some(job) = mpi {
                    if job.ranks.len() != spec.workers as usize + 1 {
                        let fault = Fault::WrongRanks {
                            ranks: job.ranks.len(),
                            asked: spec.workers + 1,
                        };
                        return Err(self.failure(Phase::StartUp, Some(fault)));
                    }
                    // Rank 0 (the harness) first, then the worker ranks;
                    // mpirun after them.
                    self.worker_pids = local_pids(&job);
                    board.set(self.worker_pids.len(), self.pid);
                    self.job = Some(job);
                    // Every rank has mapped its host's segments (each
                    // reported after MPI_Init to rank 0, which says ready
                    // only then).
                    self.folders.mapped();
                }
                let first = usize::from(self.job.is_none());
                for (slot, &worker) in self.worker_pids.iter().enumerate() {
                    board.set(slot + first, worker);
                }
                Ok(())
            }
            other => Err(self.unexpected(&other, Phase::StartUp)),
        }
    }

    /// Sends one line to the harness.
    fn send(&mut self, line: &str, during: Phase) -> Result<(), EngineError> {
        let written = match self.stdin.as_mut() {
            Some(stdin) => stdin
                .write_all(line.as_bytes())
                .and_then(|()| stdin.write_all(b"\n"))
                .and_then(|()| stdin.flush()),
            None => Err(std::io::Error::other("stdin closed")),
        };
        match written {
            Ok(()) => Ok(()),
            // A closed pipe means the harness is gone: say how it ended.
            Err(_) => Err(self.failure(during, None)),
        }
    }

    /// The next message, waiting at most until `deadline` and stopping on
    /// cancel; an ended harness or a Python error is a failure.
    fn next_line(
        &mut self,
        cancel: &CancelToken,
        deadline: Instant,
        during: Phase,
    ) -> Result<HarnessMessage, EngineError> {
        loop {
            // Before every line, not only when none comes: a harness that
            // floods task lines cannot outrun a cancel or a time limit.
            if cancel.is_cancelled() {
                self.healthy = false;
                return Err(EngineError::Cancelled);
            }
            match self.lines.recv_timeout(POLL) {
                Ok(Line::Message(HarnessMessage::Error { message, code })) => {
                    // The harness exits right after saying so: let it, so
                    // the error reads "exited with code 1", not our kill.
                    self.wait_for_exit(ERROR_EXIT_GRACE);
                    return Err(self.raised(during, &message, code));
                }
                Ok(Line::Message(message)) => return Ok(message),
                Ok(Line::Garbage(text)) => {
                    return Err(self.failure(during, Some(Fault::Garbage(quote(&text)))));
                }
                Ok(Line::TooLong { limit }) => {
                    return Err(self.failure(during, Some(Fault::TooLong { limit })));
                }
                Ok(Line::Closed) | Err(RecvTimeoutError::Disconnected) => {
                    return Err(self.failure(during, None));
                }
                Err(RecvTimeoutError::Timeout) => {
                    // Pool workers share the harness's stdout, so it may not
                    // close when the harness dies: look at the harness itself.
                    if let Ok(Some(status)) = self.child.try_wait() {
                        self.exit_status = Some(status);
                        let said = self.last_words();
                        return Err(self.failure(during, said));
                    }
                    if Instant::now() > deadline {
                        let seconds = START_TIMEOUT.as_secs();
                        return Err(self.failure(during, Some(Fault::NoAnswer { seconds })));
                    }
                }
            }
        }
    }

    /// The error the harness reported before it exited, if any: its lines
    /// still in flight are read for a moment.
    fn last_words(&self) -> Option<Fault> {
        let deadline = Instant::now() + Duration::from_millis(200);
        loop {
            match self.lines.recv_deadline(deadline) {
                Ok(Line::Message(HarnessMessage::Error { message, .. })) => {
                    return Some(Fault::Raised(quote(&message)));
                }
                Ok(Line::Message(_) | Line::Garbage(_)) => {}
                Ok(Line::Closed | Line::TooLong { .. }) | Err(_) => return None,
            }
        }
    }

    /// What the harness raised: a problem of `--code`'s function is said
    /// whole, without the traceback's tail.
    fn raised(&mut self, during: Phase, message: &str, code: bool) -> EngineError {
        if !code {
            return self.failure(during, Some(Fault::Raised(quote(message))));
        }
        let fault = Fault::Raised(quote_upto(message, CODE_QUOTE_CHARS));
        let mut error = self.failure(during, Some(fault));
        if let EngineError::Python(failure) = &mut error
            && let PythonFailure::Harness { ended, .. } = failure.as_mut()
        {
            ended.stderr.clear();
        }
        error
    }

    fn unexpected(&mut self, message: &HarnessMessage, during: Phase) -> EngineError {
        self.failure(during, Some(Fault::Unexpected(format!("{message:?}"))))
    }

    /// Ends the harness (its whole group) and describes the failure: what
    /// it said, how it ended and the end of its stderr.
    fn failure(&mut self, during: Phase, fault: Option<Fault>) -> EngineError {
        self.healthy = false;
        self.kill_and_reap();
        let stderr = self.stderr.text();
        let (who, stderr) = if self.model.uses_mpirun() {
            (launch::MPIRUN, crate::mpi::stderr_tail(&stderr, 4))
        } else {
            ("the harness", last_lines(&stderr, 4))
        };
        PythonFailure::Harness {
            model: self.model,
            interpreter: self.interpreter.clone(),
            ended: Ended {
                during,
                fault,
                who,
                exit: self.exit_status,
                stderr,
            },
        }
        .into()
    }

    /// Waits up to `grace` for the harness to exit by itself, reaping it.
    fn wait_for_exit(&mut self, grace: Duration) {
        crate::platform::wait_for_exit(&mut self.child, &mut self.exit_status, grace);
    }

    /// Kills the harness's process group and every descendant (pool
    /// workers; for python-mpi, mpirun's ranks in their own groups) and
    /// reaps the harness, unless it was reaped already.
    fn kill_and_reap(&mut self) {
        self.stdin = None;
        end_job(&mut self.child, self.pid, &mut self.exit_status);
    }
}

impl HarnessExecutor {
    /// A `counter` run's shared counter as the harness reported it: present,
    /// and no more than the increments made (updates can be lost, never
    /// invented). 0 for other workloads.
    fn checked_counter(
        &mut self,
        spec: &RunSpec,
        counter: Option<u64>,
    ) -> Result<u64, EngineError> {
        if spec.workload.workload != Workload::Counter {
            return Ok(0);
        }
        let most = u64::from(spec.workload.tasks).saturating_mul(spec.workload.size);
        match counter {
            Some(total) if total <= most => Ok(total),
            Some(total) => Err(self.failure(
                Phase::Repetition,
                Some(Fault::Implausible(format!(
                    "it counted {total}, more than the {most} increments made"
                ))),
            )),
            None => Err(self.failure(
                Phase::Repetition,
                Some(Fault::Implausible(
                    "it reported no counter total".to_string(),
                )),
            )),
        }
    }
}

impl HarnessExecutor {
    /// `--code`: keeps the first repetition's digest (the first calls, in
    /// fresh processes) and notes whether a later one differs.
    fn note_digest(&mut self, digest: Option<String>) -> Result<(), EngineError> {
        if self.code.is_none() {
            return Ok(());
        }
        let Some(digest) = digest.filter(|d| d.len() == 64) else {
            let why = "it reported no digest of the results".to_string();
            return Err(self.failure(Phase::Repetition, Some(Fault::Implausible(why))));
        };
        match &self.digest {
            None => self.digest = Some(digest),
            Some(first) if *first != digest => self.stable = false,
            Some(_) => {}
        }
        Ok(())
    }
}

impl Executor for HarnessExecutor {
    fn spawn_ns(&self) -> u64 {
        self.spawn_ns
    }

    fn describe_python(&self, record: &mut RunRecord) {
        record.python_interpreter = Some(self.interpreter.clone());
        record.python_version = Some(self.version.clone());
        record.gil_enabled = Some(self.gil_enabled);
        if let Some((code, ready)) = &self.code {
            record.code = Some(Box::new(CodeRecord {
                target: code.target().clone(),
                is_async: ready.is_async,
                inputs: ready.inputs,
                digest: self.digest.clone().unwrap_or_default(),
                stable: self.stable,
                reimport: ready.note.clone(),
            }));
        }
    }

    fn processes_started(&self) -> u64 {
        if self.job.is_some() {
            // Rank 0 is the harness.
            self.worker_pids.len().saturating_sub(1) as u64
        } else if self.model.uses_processes() {
            self.worker_pids.len() as u64
        } else {
            0
        }
    }

    fn worker_pids(&self) -> Vec<u32> {
        if self.job.is_some() {
            // Rank 0 (the harness), then each worker rank.
            return self.worker_pids.clone();
        }
        // The harness first (the python models' "main process"), then each
        // pool worker process.
        let mut pids = vec![self.pid];
        pids.extend(&self.worker_pids);
        pids
    }

    fn mpi(&self) -> Option<MpiRecord> {
        let job = self.job.as_ref()?;
        Some(crate::mpi::record(
            job,
            &self.traffic,
            self.hostfile.as_deref(),
        ))
    }

    fn run_repetition(&mut self, input: RepetitionInput<'_>) -> Result<Repetition, EngineError> {
        if input.cancel.is_cancelled() {
            return Err(EngineError::Cancelled);
        }
        self.send("rep", Phase::Repetition)?;
        // A repetition has no time limit (CPython may take minutes): it
        // ends with its result, the harness's exit, or a cancel.
        let no_deadline = Instant::now() + Duration::from_secs(365 * 24 * 3600);
        let rep = loop {
            match self.next_line(input.cancel, no_deadline, Phase::Repetition)? {
                HarnessMessage::Task { index } if index < input.spec.workload.tasks => {
                    (input.on_tasks_done)(1);
                }
                HarnessMessage::Rep(rep) => break rep,
                other => return Err(self.unexpected(&other, Phase::Repetition)),
            }
        };
        if let Err(why) = check_rep(&rep, input.spec) {
            return Err(self.failure(Phase::Repetition, Some(Fault::Implausible(why))));
        }
        let tasks = input.spec.workload.tasks;
        let mut log = input.log(rep.start_ns);
        for &(task, worker, value, start_ns, end_ns) in &rep.tasks {
            if !log.record(worker, task, value, start_ns, end_ns) {
                let why = format!("it reported task {task} twice or out of range");
                return Err(self.failure(Phase::Repetition, Some(Fault::Implausible(why))));
            }
        }
        if !log.is_complete() {
            let why = format!("it reported {} of {tasks} tasks", rep.tasks.len());
            return Err(self.failure(Phase::Repetition, Some(Fault::Implausible(why))));
        }
        if self.job.is_some() {
            add_traffic(&mut self.traffic, &rep.traffic);
        }
        let counter = self.checked_counter(input.spec, rep.counter)?;
        self.note_digest(rep.digest)?;
        let mut repetition = log.finish(
            rep.end_ns.saturating_sub(rep.start_ns),
            rep.cpu_ns,
            PipeSnapshot {
                bytes_to_worker: rep.bytes_to_workers,
                bytes_from_worker: rep.bytes_from_workers,
                messages: rep.messages,
                shared_to_worker: rep.bytes_shared_to_workers,
                shared_from_worker: rep.bytes_shared_from_workers,
            },
        );
        repetition.counter = counter;
        Ok(repetition)
    }
}

impl Drop for HarnessExecutor {
    fn drop(&mut self) {
        if self.healthy {
            // Closing stdin asks the harness to shut its pool down and exit.
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

/// Whether `model` is the one python model that promises threads without
/// a GIL (it needs a free-threaded interpreter): its harness must run with
/// the GIL off, and a harness that reports it on is refused.
fn wants_no_gil(model: Model) -> bool {
    model
        .info()
        .requires
        .contains(&Requirement::FreeThreadedPython)
}

/// The harness's command: the interpreter running the script, or for
/// python-mpi `mpirun` running the interpreter on the harness's source as
/// `-c` (so hosts of a hostfile need no copy of the script).
fn harness_command(
    spec: &RunSpec,
    info: &python::PythonInfo,
    script: &Path,
    folders: &launch::JobFolders,
    config: &EngineConfig,
) -> Command {
    let interpreter = info.interpreter.as_path();
    let mut command = if spec.model.uses_mpirun() {
        let args = [
            std::ffi::OsStr::new("-c"),
            std::ffi::OsStr::new(HARNESS),
            std::ffi::OsStr::new("--mpi"),
        ];
        launch::command(
            spec.workers + 1,
            config.hostfile.as_deref(),
            folders,
            interpreter.as_os_str(),
            &args,
        )
    } else {
        Command::new(interpreter)
    };
    if spec.workload.code.is_some() {
        // Sets of strings pickle in hash order: one seed for every process
        // and run, so equal results digest alike.
        command.env("PYTHONHASHSEED", "0");
    }
    if spec.model.uses_mpirun() {
        return command;
    }
    command
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if info.free_threaded {
        // A free-threaded build runs without a GIL unless told otherwise:
        // every other python model keeps the GIL its name promises (so
        // they all compare on one interpreter), and python-threads-nogil
        // keeps it off even where an extension module would re-enable it.
        let gil = if wants_no_gil(spec.model) { "0" } else { "1" };
        command.env("PYTHON_GIL", gil);
    }
    #[cfg(unix)]
    {
        // Its own process group: a terminal's Ctrl-C reaches corescope
        // only, and one kill reaches the harness and every pool worker.
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    command
}

/// What keeps the harness script readable while the harness runs.
#[cfg(target_os = "linux")]
type Script = std::fs::File;
#[cfg(not(target_os = "linux"))]
type Script = tempfile::NamedTempFile;

/// The harness script (every module, joined) in a memfd: a file with no
/// name, gone with its last descriptor, so a killed corescope leaves no
/// copy. The interpreter inherits the descriptor and reads the script as
/// `/dev/fd/N`; the harness points `spawn` workers at its own descriptor.
#[cfg(target_os = "linux")]
fn write_harness(model: Model) -> Result<(std::path::PathBuf, Script), EngineError> {
    use std::os::fd::AsRawFd;
    let failed = |source| PythonFailure::Script { model, source };
    // Without CLOEXEC: the interpreter must inherit it.
    let fd = rustix::fs::memfd_create("corescope-harness", rustix::fs::MemfdFlags::empty())
        .map_err(|errno| failed(errno.into()))?;
    let mut script = std::fs::File::from(fd);
    script.write_all(HARNESS.as_bytes()).map_err(failed)?;
    let path = std::path::PathBuf::from(format!("/dev/fd/{}", script.as_raw_fd()));
    Ok((path, script))
}

/// The harness script (every module, joined), written to a temporary file
/// (so `spawn` workers can import it as their main module). Named like
/// every temporary file of corescope, so a copy left by a killed corescope
/// is swept by the next one.
#[cfg(not(target_os = "linux"))]
fn write_harness(model: Model) -> Result<(std::path::PathBuf, Script), EngineError> {
    let temp_folder = std::env::temp_dir();
    crate::export::sweep_stale(&temp_folder);
    let prefix = format!("{}harness-", crate::export::temp_prefix());
    let failed = |source| PythonFailure::Script { model, source };
    let mut script = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".py")
        .tempfile_in(&temp_folder)
        .map_err(failed)?;
    script
        .write_all(HARNESS.as_bytes())
        .and_then(|()| script.flush())
        .map_err(failed)?;
    Ok((script.path().to_path_buf(), script))
}

/// The run spec as the harness's first line, with where net tasks find the
/// run's service.
fn spec_line(spec: &RunSpec, net_port: u16) -> Result<String, EngineError> {
    let mut value = serde_json::to_value(spec).map_err(PythonFailure::EncodeSpec)?;
    value["net_port"] = serde_json::json!(net_port);
    Ok(value.to_string())
}
