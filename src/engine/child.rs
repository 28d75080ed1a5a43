//! What the executors that drive one child process over its pipes share:
//! the python models' harness and the MPI models' `mpirun`.
//!
//! The child gets its three pipes ([`take_pipes`]) or is killed and
//! reaped; named threads read its stdout ([`spawn_named`]) and keep the end
//! of its stderr for error messages ([`StderrTail`]); [`end_job`] kills it
//! with every descendant and reaps it, once.

use std::collections::VecDeque;
use std::io::Read;
use std::process::{Child, ChildStderr, ChildStdin, ChildStdout, ExitStatus};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use super::error::EngineError;

/// Bytes of stderr kept for error messages.
const STDERR_TAIL_BYTES: usize = 8 * 1024;

/// The child's three pipes; without them it is killed and reaped.
pub(super) fn take_pipes(child: &mut Child) -> Option<(ChildStdin, ChildStdout, ChildStderr)> {
    match (child.stdin.take(), child.stdout.take(), child.stderr.take()) {
        (Some(i), Some(o), Some(e)) => Some((i, o, e)),
        _ => {
            crate::platform::kill_tree(child.id());
            let _ = child.kill();
            let _ = child.wait();
            None
        }
    }
}

/// Starts a named thread running `body`.
pub(super) fn spawn_named(
    name: &str,
    body: impl FnOnce() + Send + 'static,
) -> Result<JoinHandle<()>, EngineError> {
    std::thread::Builder::new()
        .name(name.to_string())
        .spawn(body)
        .map_err(|source| EngineError::Thread {
            name: name.to_string(),
            source,
        })
}

/// The last [`STDERR_TAIL_BYTES`] of a child's stderr, kept by a named
/// thread of its own until the pipe closes (once every holder of it is
/// gone: the child and, for a pool, its workers).
#[derive(Debug, Default)]
pub(super) struct StderrTail {
    tail: Arc<Mutex<VecDeque<u8>>>,
    reader: Option<JoinHandle<()>>,
}

impl StderrTail {
    /// Starts the thread `name` keeping the tail of `stderr`.
    pub fn keep(name: &str, stderr: ChildStderr) -> Result<StderrTail, EngineError> {
        let tail = Arc::new(Mutex::new(VecDeque::new()));
        let kept = Arc::clone(&tail);
        let reader = spawn_named(name, move || keep_tail(stderr, &kept))?;
        Ok(StderrTail {
            tail,
            reader: Some(reader),
        })
    }

    /// The tail as text, once the reader has ended: call it after the
    /// child is dead, or it waits for the child to close its stderr.
    pub fn text(&mut self) -> String {
        self.join();
        self.tail
            .lock()
            .map(|mut tail| String::from_utf8_lossy(tail.make_contiguous()).into_owned())
            .unwrap_or_default()
    }

    /// Joins the reader (it ends when the pipe closes).
    pub fn join(&mut self) {
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}

/// Keeps the last bytes of a child's stderr in `tail` until it closes.
fn keep_tail(mut stderr: impl Read, tail: &Mutex<VecDeque<u8>>) {
    let mut buffer = [0u8; 4096];
    loop {
        match stderr.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if let Ok(mut tail) = tail.lock() {
                    tail.extend(&buffer[..n]);
                    let excess = tail.len().saturating_sub(STDERR_TAIL_BYTES);
                    tail.drain(..excess);
                }
            }
        }
    }
}

/// Kills a child that leads a process group — the harness or `mpirun`
/// (`pid`) — with every descendant (pool workers, ranks), and reaps it,
/// unless `exit_status` says it was reaped already (its ranks then die
/// with it: they were its children, with a parent-death signal; its group
/// id stays reserved while any member lives).
pub(super) fn end_job(child: &mut Child, pid: u32, exit_status: &mut Option<ExitStatus>) {
    if exit_status.is_some() {
        crate::platform::kill_process_group(pid);
        return;
    }
    crate::platform::kill_tree(pid);
    let _ = child.kill();
    *exit_status = child.wait().ok();
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::{Command, Stdio};

    fn sh(script: &str) -> Child {
        let mut command = Command::new("sh");
        command
            .args(["-c", script])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            command.process_group(0);
        }
        command.spawn().expect("sh starts")
    }

    #[test]
    fn the_tail_keeps_the_end_of_a_long_stderr() {
        // 20,000 bytes of 'a', then a last line.
        let mut child = sh("head -c 20000 /dev/zero | tr '\\0' a >&2; echo last words >&2");
        let (_stdin, _stdout, stderr) = take_pipes(&mut child).expect("three pipes");
        let mut tail = StderrTail::keep("corescope-test-err", stderr).expect("thread starts");
        let status = child.wait().expect("reaped");
        assert!(status.success());
        let text = tail.text();
        assert_eq!(text.len(), STDERR_TAIL_BYTES);
        assert!(text.ends_with("last words\n"), "{text:?}");
        assert!(text.starts_with('a'));
    }

    #[test]
    fn end_job_kills_and_reaps_once() {
        let mut child = sh("sleep 30 & sleep 30");
        let pid = child.id();
        let mut exit_status = None;
        end_job(&mut child, pid, &mut exit_status);
        let status = exit_status.expect("reaped");
        assert!(!status.success(), "killed, not finished: {status:?}");
        // Reaped already: a second end only signals the (empty) group.
        end_job(&mut child, pid, &mut exit_status);
        assert_eq!(exit_status, Some(status));
    }

    #[test]
    fn a_child_without_its_pipes_is_killed_and_reaped() {
        let mut child = Command::new("sh")
            .args(["-c", "sleep 30"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("sh starts");
        assert!(take_pipes(&mut child).is_none());
        assert!(child.try_wait().expect("waitable").is_some(), "reaped");
    }
}
