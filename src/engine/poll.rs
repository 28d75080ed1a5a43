//! One poll loop over every worker's pipes: the `processes` pool's
//! transport.
//!
//! A task hand-off between threads costs a few microseconds (a wake-up, a
//! context switch), and a pool with a writer and a reader thread per worker
//! paid several per task on top of the pipe itself. Here the dispatcher's
//! own thread does it all: it queues frames in each worker's [`Outbox`],
//! writes them when the loop next runs (everything queued for a worker in
//! one `write`), and `poll(2)`s every stdout, and every stdin with output
//! pending, in one call. Pipes are non-blocking, so a worker that is slow
//! to read never stalls the others, and a parent writing a large task while
//! the worker writes a large reply never deadlocks: it reads while it waits
//! to write.
//!
//! Bytes are counted at the pipe as before (before each write, what the
//! pipe did not take taken back). The loop owns the children: dropping a
//! [`Connection`] kills and reaps its process, and [`PipeLoop::shutdown`]
//! first closes every stdin and gives the workers a moment to exit.

use std::collections::VecDeque;
use std::io;
use std::os::fd::AsFd;
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::measure::clock::monotonic_ns;
use crate::platform::{PipeWatch, poll_pipes, set_nonblocking};
use crate::worker::codec::Codec;
use crate::worker::nonblocking::{Filled, Inbox, Outbox};
use crate::worker::process::{
    PipeSnapshot, WorkerEvent, WorkerEventKind, describe_exit, kill_and_reap, worker_command,
};
use crate::worker::protocol::{FrameTimes, FromWorker, ProtocolError};

/// One worker process and the state of its two pipes.
#[derive(Debug)]
struct Connection {
    pid: u32,
    child: Child,
    reaped: bool,
    /// `None` once closed (the worker's cue to exit) or broken.
    stdin: Option<ChildStdin>,
    /// `None` once it closed or carried garbage.
    stdout: Option<ChildStdout>,
    outbox: Outbox,
    inbox: Inbox,
    counts: PipeSnapshot,
}

impl Drop for Connection {
    fn drop(&mut self) {
        if !self.reaped {
            kill_and_reap(&mut self.child);
            self.reaped = true;
        }
    }
}

/// The worker processes of one pool, served from the calling thread.
#[derive(Debug)]
pub(crate) struct PipeLoop {
    codec: Codec,
    workers: Vec<Connection>,
    /// Events read but not yet handed out.
    ready: VecDeque<WorkerEvent>,
}

impl PipeLoop {
    pub fn new(codec: Codec) -> PipeLoop {
        PipeLoop {
            codec,
            workers: Vec::new(),
            ready: VecDeque::new(),
        }
    }

    /// Starts `exe __worker` (with `args` after the codec) as the next
    /// worker; returns its pid.
    pub fn spawn(&mut self, exe: &Path, args: &[String]) -> io::Result<u32> {
        let mut command = worker_command(exe, self.codec);
        command.args(args);
        let mut child = command.spawn()?;
        let pid = child.id();
        let connection = Connection {
            pid,
            stdin: child.stdin.take(),
            stdout: child.stdout.take(),
            child,
            reaped: false,
            outbox: Outbox::default(),
            inbox: Inbox::default(),
            counts: PipeSnapshot::default(),
        };
        // From here on, dropping `connection` kills and reaps the child.
        let (Some(stdin), Some(stdout)) = (&connection.stdin, &connection.stdout) else {
            return Err(io::Error::other("worker pipes were not created"));
        };
        crate::platform::enlarge_pipe(stdin);
        crate::platform::enlarge_pipe(stdout);
        set_nonblocking(stdin)?;
        set_nonblocking(stdout)?;
        self.workers.push(connection);
        Ok(pid)
    }

    pub fn len(&self) -> usize {
        self.workers.len()
    }

    pub fn pid(&self, worker: usize) -> u32 {
        self.workers.get(worker).map_or(0, |c| c.pid)
    }

    pub fn pids(&self) -> Vec<u32> {
        self.workers.iter().map(|c| c.pid).collect()
    }

    /// Bytes and frames through every worker's pipes so far.
    pub fn pipes(&self) -> PipeSnapshot {
        self.workers
            .iter()
            .fold(PipeSnapshot::default(), |total, c| total + c.counts)
    }

    /// Queues one frame for `worker`; it is written when the loop next
    /// runs. With bincode a `shared` payload is written from where it lies.
    /// A frame over the limit queues nothing and is an error; a frame for a
    /// worker whose stdin broke is dropped (its stdout reports how it
    /// ended).
    pub fn queue<M: Serialize>(
        &mut self,
        worker: usize,
        message: &M,
        shared: Option<&Arc<[u8]>>,
    ) -> Result<(), ProtocolError> {
        let codec = self.codec;
        let Some(connection) = self.workers.get_mut(worker) else {
            return Ok(());
        };
        if connection.stdin.is_some() {
            connection.outbox.push(codec, message, shared)?;
            connection.counts.messages += 1;
        }
        Ok(())
    }

    /// Counts payload bytes that `worker` reads from (`to`) or leaves in
    /// (`from`) shared memory instead of the pipe.
    pub fn count_shared(&mut self, worker: usize, to: u64, from: u64) {
        if let Some(c) = self.workers.get_mut(worker) {
            c.counts.shared_to_worker += to;
            c.counts.shared_from_worker += from;
        }
    }

    /// The next thing a worker said: a message, a failure or its close.
    /// Writes what is queued and waits up to `timeout` for something to
    /// read; `None` when nothing came in time.
    pub fn next_event(&mut self, timeout: Duration) -> io::Result<Option<WorkerEvent>> {
        if let Some(event) = self.ready.pop_front() {
            return Ok(Some(event));
        }
        for connection in &mut self.workers {
            write_pending(connection);
        }
        // The clock is read only once a poll came back empty-handed: a
        // reply that is there at the first wake-up costs no clock read.
        let mut deadline = None;
        loop {
            let wait = deadline.map_or(timeout, |d: Instant| {
                d.saturating_duration_since(Instant::now())
            });
            let woke = self.poll_once(wait)?;
            if let Some(event) = self.ready.pop_front() {
                return Ok(Some(event));
            }
            if !woke {
                // The whole wait passed.
                return Ok(None);
            }
            let deadline = *deadline.get_or_insert_with(|| Instant::now() + timeout);
            if Instant::now() >= deadline {
                return Ok(None);
            }
        }
    }

    /// One `poll` over every open pipe, then the writes and reads it
    /// allows; false when nothing woke it before `timeout`.
    fn poll_once(&mut self, timeout: Duration) -> io::Result<bool> {
        let mut watches = Vec::with_capacity(2 * self.workers.len());
        let mut owners = Vec::with_capacity(2 * self.workers.len());
        for (w, c) in self.workers.iter().enumerate() {
            if let Some(stdout) = &c.stdout {
                watches.push(watch(stdout.as_fd(), true));
                owners.push((w, true));
            }
            if let (Some(stdin), false) = (&c.stdin, c.outbox.is_empty()) {
                watches.push(watch(stdin.as_fd(), false));
                owners.push((w, false));
            }
        }
        if watches.is_empty() {
            // Nothing left to wait on: every worker closed its output.
            std::thread::sleep(timeout);
            return Ok(false);
        }
        if poll_pipes(&mut watches, timeout)? == 0 {
            return Ok(false);
        }
        let ready: Vec<(usize, bool)> = watches
            .iter()
            .zip(owners)
            .filter(|(watch, _)| watch.ready)
            .map(|(_, owner)| owner)
            .collect();
        for (w, reading) in ready {
            if reading {
                self.read_from(w);
            } else {
                write_pending(&mut self.workers[w]);
            }
        }
        Ok(true)
    }

    /// Reads what worker `w` sent and turns every whole frame into an event.
    fn read_from(&mut self, w: usize) {
        let codec = self.codec;
        let connection = &mut self.workers[w];
        let Some(stdout) = connection.stdout.as_mut() else {
            return;
        };
        // Some(how) once the stream is over: closed (None) or broken.
        let mut over = match connection
            .inbox
            .fill_from(stdout, &mut connection.counts.bytes_from_worker)
        {
            Ok(Filled::Bytes(_)) => None,
            Ok(Filled::Closed) => Some(None),
            Err(e) => Some(Some(e)),
        };
        loop {
            let frame = connection.inbox.next_frame(|body| {
                codec
                    .decode_borrowed::<FromWorker<'_>>(body)
                    .map(FromWorker::without_payload)
            });
            let kind = match frame {
                Ok(Some((message, arrived))) => {
                    connection.counts.messages += 1;
                    self.ready.push_back(WorkerEvent {
                        worker: w,
                        received_ns: monotonic_ns(),
                        arrived,
                        kind: WorkerEventKind::Message(message),
                    });
                    continue;
                }
                Ok(None) => match over.take() {
                    None => return,
                    Some(None) if connection.inbox.is_mid_frame() => {
                        WorkerEventKind::Failed(connection.inbox.truncation())
                    }
                    Some(None) => WorkerEventKind::Closed,
                    Some(Some(e)) => WorkerEventKind::Failed(ProtocolError::Io(e)),
                },
                Err(error) => WorkerEventKind::Failed(error),
            };
            // The stream is over: nothing after this is read.
            connection.stdout = None;
            self.ready.push_back(WorkerEvent {
                worker: w,
                received_ns: monotonic_ns(),
                arrived: FrameTimes::default(),
                kind,
            });
            return;
        }
    }

    /// How worker `w` ended, in words.
    pub fn describe_exit(&mut self, worker: usize) -> String {
        match self.workers.get_mut(worker) {
            Some(c) => describe_exit(&mut c.child, &mut c.reaped),
            None => "exited".to_string(),
        }
    }

    /// Ends every worker politely: writes what is queued, closes every
    /// stdin (their cue to exit, all in parallel), waits up to a second
    /// for them to exit, then kills and reaps whatever is left.
    pub fn shutdown(&mut self) {
        for connection in &mut self.workers {
            write_pending(connection);
            connection.stdin = None;
        }
        let deadline = Instant::now() + Duration::from_secs(1);
        for connection in &mut self.workers {
            while !connection.reaped && Instant::now() < deadline {
                match connection.child.try_wait() {
                    Ok(Some(_)) | Err(_) => connection.reaped = true,
                    Ok(None) => std::thread::sleep(Duration::from_millis(2)),
                }
            }
        }
        self.workers.clear();
    }
}

fn watch(fd: std::os::fd::BorrowedFd<'_>, read: bool) -> PipeWatch<'_> {
    PipeWatch {
        fd,
        read,
        write: !read,
        ready: false,
    }
}

/// Writes what the worker's stdin takes now. A broken pipe means the worker
/// is gone: its output is dropped, and its stdout's close says how it ended.
fn write_pending(connection: &mut Connection) {
    if connection.outbox.is_empty() {
        return;
    }
    let Some(stdin) = connection.stdin.as_mut() else {
        return;
    };
    if connection
        .outbox
        .write_to(stdin, &mut connection.counts.bytes_to_worker)
        .is_err()
    {
        connection.stdin = None;
        connection.outbox = Outbox::default();
    }
}
