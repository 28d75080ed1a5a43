//! The parent's handle on one worker process.
//!
//! A [`WorkerProcess`] owns the child, a named writer thread that feeds its
//! stdin and a named reader thread that drains its stdout into the run's
//! event channel. Both directions count every byte at the pipe. Dropping the
//! handle kills and reaps the child and joins both threads, so no run —
//! finished, failed or cancelled — leaves a process or thread behind.
//!
//! With bincode neither thread copies an echo payload: the writer encodes a
//! task's frame straight into the pipe from the run's shared payload, and
//! the reader reads each frame into one reused buffer, decodes it in place
//! and forwards the result without its payload. With JSON the writer
//! encodes each frame into a buffer first and the reader parses payloads
//! into new ones: the text codec's cost, paid on these threads.

use std::borrow::Cow;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, TryRecvError};

use super::WORKER_SUBCOMMAND;
use super::codec::Codec;
use super::protocol::{
    FrameTimes, FromWorker, PIPE_BUFFER_BYTES, ProtocolError, ToWorker, read_frame_timed,
    write_frame,
};
use crate::measure::clock::monotonic_ns;
use crate::workload::Task;

/// Byte and message counts of one worker's pipes, updated as frames pass.
#[derive(Debug, Default)]
pub struct PipeCounters {
    pub bytes_to_worker: AtomicU64,
    pub bytes_from_worker: AtomicU64,
    pub messages: AtomicU64,
}

/// A snapshot of [`PipeCounters`], subtractable to get one repetition's share.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PipeSnapshot {
    pub bytes_to_worker: u64,
    pub bytes_from_worker: u64,
    pub messages: u64,
    /// Payload bytes shared rather than piped (`--transport shm`).
    pub shared_to_worker: u64,
    pub shared_from_worker: u64,
}

impl PipeCounters {
    pub fn snapshot(&self) -> PipeSnapshot {
        PipeSnapshot {
            bytes_to_worker: self.bytes_to_worker.load(Ordering::Relaxed),
            bytes_from_worker: self.bytes_from_worker.load(Ordering::Relaxed),
            messages: self.messages.load(Ordering::Relaxed),
            shared_to_worker: 0,
            shared_from_worker: 0,
        }
    }
}

impl std::ops::Sub for PipeSnapshot {
    type Output = PipeSnapshot;
    fn sub(self, earlier: PipeSnapshot) -> PipeSnapshot {
        PipeSnapshot {
            bytes_to_worker: self.bytes_to_worker.saturating_sub(earlier.bytes_to_worker),
            bytes_from_worker: self
                .bytes_from_worker
                .saturating_sub(earlier.bytes_from_worker),
            messages: self.messages.saturating_sub(earlier.messages),
            shared_to_worker: self
                .shared_to_worker
                .saturating_sub(earlier.shared_to_worker),
            shared_from_worker: self
                .shared_from_worker
                .saturating_sub(earlier.shared_from_worker),
        }
    }
}

impl std::ops::Add for PipeSnapshot {
    type Output = PipeSnapshot;
    fn add(self, other: PipeSnapshot) -> PipeSnapshot {
        PipeSnapshot {
            bytes_to_worker: self.bytes_to_worker + other.bytes_to_worker,
            bytes_from_worker: self.bytes_from_worker + other.bytes_from_worker,
            messages: self.messages + other.messages,
            shared_to_worker: self.shared_to_worker + other.shared_to_worker,
            shared_from_worker: self.shared_from_worker + other.shared_from_worker,
        }
    }
}

/// Something that happened on a worker's stdout.
#[derive(Debug)]
pub struct WorkerEvent {
    /// The worker's index in its pool.
    pub worker: usize,
    /// When the parent had the whole message, decoded, on the shared
    /// monotonic clock.
    pub received_ns: u64,
    /// When its header and body arrived (zero for a failure or a close).
    pub arrived: FrameTimes,
    pub kind: WorkerEventKind,
}

/// What a worker's reader thread saw.
#[derive(Debug)]
pub enum WorkerEventKind {
    /// A whole message. A `Done` arrives without its echo payload (see
    /// [`FromWorker::without_payload`]).
    Message(FromWorker<'static>),
    /// The stream broke or carried something that is not a valid frame.
    Failed(ProtocolError),
    /// stdout closed: the worker exited (or closed it).
    Closed,
}

/// What the writer thread sends down a worker's stdin.
#[derive(Debug)]
enum Outgoing {
    /// A complete frame, already encoded.
    Frame(Vec<u8>),
    /// A task, encoded by the writer straight into the pipe so the shared
    /// payload is never copied in this process.
    Task { task: Task, payload: Arc<[u8]> },
}

/// One running worker process and its two pipe threads.
#[derive(Debug)]
pub struct WorkerProcess {
    index: usize,
    pid: u32,
    child: Child,
    reaped: bool,
    frames: Option<Sender<Outgoing>>,
    writer: Option<JoinHandle<()>>,
    reader: Option<JoinHandle<()>>,
    counters: Arc<PipeCounters>,
}

impl WorkerProcess {
    /// Starts `exe __worker --codec <codec>` and its pipe threads; messages
    /// arrive on `events`, and so does a task the writer could not send.
    pub fn spawn(
        exe: &Path,
        index: usize,
        codec: Codec,
        events: Sender<WorkerEvent>,
    ) -> io::Result<WorkerProcess> {
        let mut child = worker_command(exe, codec).spawn()?;
        let pid = child.id();
        let (stdin, stdout) = match (child.stdin.take(), child.stdout.take()) {
            (Some(stdin), Some(stdout)) => (stdin, stdout),
            _ => {
                kill_and_reap(&mut child);
                return Err(io::Error::other("worker pipes were not created"));
            }
        };
        crate::platform::enlarge_pipe(&stdin);
        crate::platform::enlarge_pipe(&stdout);
        let counters = Arc::new(PipeCounters::default());
        let (frames, frame_rx) = crossbeam_channel::unbounded();
        let mut worker = WorkerProcess {
            index,
            pid,
            child,
            reaped: false,
            frames: Some(frames),
            writer: None,
            reader: None,
            counters: Arc::clone(&counters),
        };
        // If either thread fails to start, dropping `worker` cleans up.
        let writer_counters = Arc::clone(&counters);
        let writer_events = events.clone();
        worker.writer = Some(
            std::thread::Builder::new()
                .name(format!("corescope-w{index}-tx"))
                .spawn(move || {
                    write_loop(
                        index,
                        stdin,
                        codec,
                        &frame_rx,
                        &writer_events,
                        &writer_counters,
                    )
                })?,
        );
        worker.reader = Some(
            std::thread::Builder::new()
                .name(format!("corescope-w{index}-rx"))
                .spawn(move || read_loop(index, stdout, codec, &events, &counters))?,
        );
        Ok(worker)
    }

    /// The worker's process id.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// The worker's index in its pool.
    pub fn index(&self) -> usize {
        self.index
    }

    /// Byte counts of this worker's pipes so far.
    pub fn pipe_snapshot(&self) -> PipeSnapshot {
        self.counters.snapshot()
    }

    /// Queues a complete frame for the writer thread; false if it is gone.
    pub fn send(&self, frame: Vec<u8>) -> bool {
        self.queue(Outgoing::Frame(frame))
    }

    /// Queues a task for the writer thread, which encodes its frame (with
    /// bincode straight into the pipe); false if the writer is gone. A frame
    /// the writer cannot send (over the limit, say) arrives on the events
    /// channel as this worker's [`WorkerEventKind::Failed`], and the writer
    /// stops.
    pub fn send_task(&self, task: Task, payload: &Arc<[u8]>) -> bool {
        self.queue(Outgoing::Task {
            task,
            payload: Arc::clone(payload),
        })
    }

    fn queue(&self, outgoing: Outgoing) -> bool {
        self.frames
            .as_ref()
            .is_some_and(|tx| tx.send(outgoing).is_ok())
    }

    /// Describes how the worker ended, waiting briefly for it to finish
    /// exiting (its stdout closing comes just before its exit status).
    pub fn describe_exit(&mut self) -> String {
        describe_exit(&mut self.child, &mut self.reaped)
    }

    /// Closes the worker's stdin (after the frames already queued): its cue
    /// to exit.
    pub fn close_input(&mut self) {
        self.frames = None;
    }

    /// Ends the worker politely: closes its stdin, gives it a moment to
    /// exit, then kills whatever is left and joins the pipe threads.
    pub fn shutdown(&mut self) {
        self.frames = None;
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
        let deadline = Instant::now() + Duration::from_secs(1);
        while !self.reaped && Instant::now() < deadline {
            match self.child.try_wait() {
                Ok(Some(_)) | Err(_) => self.reaped = true,
                Ok(None) => std::thread::sleep(Duration::from_millis(2)),
            }
        }
        self.finish();
    }

    /// Kills (if still running), reaps and joins: the end of every path.
    fn finish(&mut self) {
        if !self.reaped {
            kill_and_reap(&mut self.child);
            self.reaped = true;
        }
        self.frames = None;
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        self.finish();
    }
}

/// `exe __worker --codec <codec>` with both pipes, in a process group of
/// its own: a terminal's Ctrl-C stays away from the worker, since the
/// parent decides when workers stop, and reaps them.
pub(crate) fn worker_command(exe: &Path, codec: Codec) -> Command {
    let mut command = Command::new(exe);
    command
        .arg(WORKER_SUBCOMMAND)
        .args(["--codec", codec.name()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    command
}

/// Describes how `child` ended, waiting briefly for it to finish exiting
/// (its stdout closing comes just before its exit status); sets `reaped`
/// once its status is collected.
pub(crate) fn describe_exit(child: &mut Child, reaped: &mut bool) -> String {
    let deadline = Instant::now() + Duration::from_millis(500);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                *reaped = true;
                return describe_status(status);
            }
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            Ok(None) => return "closed its output but is still running".to_string(),
            Err(e) => return format!("exit status unknown: {e}"),
        }
    }
}

pub(crate) fn kill_and_reap(child: &mut Child) {
    // kill fails only if the child already exited; wait reaps it either way.
    let _ = child.kill();
    let _ = child.wait();
}

/// How a child process ended, in words (`exited with code 1`, `was killed
/// by signal 9 (SIGKILL)`).
pub(crate) fn describe_status(status: std::process::ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            let name = match signal {
                6 => " (SIGABRT)",
                9 => " (SIGKILL)",
                11 => " (SIGSEGV)",
                15 => " (SIGTERM)",
                _ => "",
            };
            return format!("was killed by signal {signal}{name}");
        }
    }
    match status.code() {
        Some(code) => format!("exited with code {code}"),
        None => "exited".to_string(),
    }
}

fn write_loop(
    index: usize,
    stdin: ChildStdin,
    codec: Codec,
    frames: &Receiver<Outgoing>,
    events: &Sender<WorkerEvent>,
    counters: &PipeCounters,
) {
    let mut stdin = BufWriter::with_capacity(
        PIPE_BUFFER_BYTES,
        CountingWriter {
            inner: stdin,
            bytes: &counters.bytes_to_worker,
        },
    );
    loop {
        let outgoing = match frames.try_recv() {
            Ok(outgoing) => outgoing,
            Err(TryRecvError::Empty) => {
                // Nothing else queued: the worker gets what is buffered
                // before this thread waits.
                if stdin.flush().is_err() {
                    return;
                }
                match frames.recv() {
                    Ok(outgoing) => outgoing,
                    Err(_) => break,
                }
            }
            Err(TryRecvError::Disconnected) => break,
        };
        let written = match &outgoing {
            Outgoing::Frame(frame) => stdin.write_all(frame).map_err(ProtocolError::from),
            Outgoing::Task { task, payload } => write_frame(
                codec,
                &mut stdin,
                &ToWorker::Task {
                    task: *task,
                    payload: Cow::Borrowed(payload),
                },
            )
            .map(|_| ()),
        };
        match written {
            Ok(()) => {}
            // The worker is gone; its reader thread reports how.
            Err(ProtocolError::Io(_)) => return,
            // The frame could not be sent (over the limit: nothing of it
            // was written), and the run cannot go on without the task:
            // report it as this worker's failure. It is sent before stdin
            // closes, so it arrives before the reader's report of the
            // worker's exit.
            Err(error) => {
                let _ = events.send(WorkerEvent {
                    worker: index,
                    received_ns: monotonic_ns(),
                    arrived: FrameTimes::default(),
                    kind: WorkerEventKind::Failed(error),
                });
                return;
            }
        }
        counters.messages.fetch_add(1, Ordering::Relaxed);
    }
    // Flushing, then dropping stdin here closes the pipe: the worker's cue
    // to exit.
    let _ = stdin.flush();
}

fn read_loop(
    index: usize,
    stdout: ChildStdout,
    codec: Codec,
    events: &Sender<WorkerEvent>,
    counters: &PipeCounters,
) {
    let mut reader = BufReader::with_capacity(
        PIPE_BUFFER_BYTES,
        CountingReader {
            inner: stdout,
            bytes: &counters.bytes_from_worker,
        },
    );
    // Reused for every frame; an echo payload is decoded in place and left
    // here, never copied out.
    let mut frame = Vec::new();
    loop {
        let read = read_frame_timed(&mut reader, &mut frame, |body| {
            codec
                .decode_borrowed::<FromWorker<'_>>(body)
                .map(FromWorker::without_payload)
        });
        let (kind, arrived) = match read {
            Ok(Some((message, arrived))) => {
                counters.messages.fetch_add(1, Ordering::Relaxed);
                (WorkerEventKind::Message(message), arrived)
            }
            Ok(None) => (WorkerEventKind::Closed, FrameTimes::default()),
            Err(e) => (WorkerEventKind::Failed(e), FrameTimes::default()),
        };
        let last = !matches!(kind, WorkerEventKind::Message(_));
        let event = WorkerEvent {
            worker: index,
            received_ns: monotonic_ns(),
            arrived,
            kind,
        };
        if events.send(event).is_err() || last {
            return;
        }
    }
}

/// Counts bytes written through it.
struct CountingWriter<'a, W> {
    inner: W,
    bytes: &'a AtomicU64,
}

impl<W: Write> Write for CountingWriter<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // Counted before the write: once the bytes are in the pipe the
        // worker may answer, and the repetition end, before this thread runs
        // again. What was not written is taken back (a partial write leaves
        // the frame incomplete, so nothing can answer it meanwhile).
        let offered = buf.len() as u64;
        self.bytes.fetch_add(offered, Ordering::Relaxed);
        let written = self.inner.write(buf);
        let kept = written.as_ref().map_or(0, |&n| n as u64);
        self.bytes.fetch_sub(offered - kept, Ordering::Relaxed);
        written
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Counts bytes read through it.
struct CountingReader<'a, R> {
    inner: R,
    bytes: &'a AtomicU64,
}

impl<R: Read> Read for CountingReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}
