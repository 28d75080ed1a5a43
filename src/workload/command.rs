//! `--command 'CMD {}'`: any program as the workload. Task i runs
//! `sh -c CMD` with every `{}` replaced by i (no `{}`: the same command
//! each time), one at a time under `serial` and N at once under the
//! thread models, as `xargs -P N` or `make -jN` would: each worker thread
//! starts its task's child and waits for it.
//!
//! A [`CommandRef`] is the command interned once per process, so runs
//! stay `Copy` (as `--code`'s target is). [`run`] owns each child: it is
//! the leader of a process group of its own, so on cancel (or a time
//! limit) the whole group is killed and the child reaped before `run`
//! returns; what remains of the group once the child has exited (a
//! background job it left) is killed too. Its output is read as it comes
//! and dropped past a bound, so a command that prints without end neither
//! blocks on a full pipe nor fills memory.

use std::collections::HashSet;
use std::io::Read;
use std::process::{Child, ChildStderr, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::TaskOutput;
use crate::cancel::CancelToken;

/// The longest `--command` text taken.
pub const MAX_COMMAND_TEXT: usize = 4096;

/// Bytes of a failing task's stderr quoted in its error.
const STDERR_QUOTED: usize = 200;

/// The longest wait between two looks at a running child: the most a
/// cancel waits, and the most a task's end is noticed late when its
/// output pipes are held open by something it left running.
const MAX_POLL: Duration = Duration::from_millis(5);

/// The first wait: short, so a command of a millisecond is not timed as
/// five.
const FIRST_POLL: Duration = Duration::from_micros(50);

/// A shell command as typed: trimmed, not empty, at most
/// [`MAX_COMMAND_TEXT`] bytes, without NUL (which no argument can hold).
pub fn parse(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("is empty; expected a shell command such as 'gzip -k data/{}.csv'".into());
    }
    if text.len() > MAX_COMMAND_TEXT {
        return Err(format!("longer than {MAX_COMMAND_TEXT} characters"));
    }
    if text.contains('\0') {
        return Err("holds a NUL character".into());
    }
    Ok(text.to_string())
}

/// A command interned for the life of the process: `Copy`, so the runs
/// that hold it stay `Copy`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CommandRef(&'static str);

impl CommandRef {
    /// The one interned copy of `text`.
    pub fn intern(text: String) -> CommandRef {
        static KNOWN: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
        let known = KNOWN.get_or_init(Mutex::default);
        let mut known = match known.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(&found) = known.get(text.as_str()) {
            return CommandRef(found);
        }
        let leaked: &'static str = Box::leak(text.into_boxed_str());
        known.insert(leaked);
        CommandRef(leaked)
    }

    /// The command as typed, `{}` included.
    pub fn text(self) -> &'static str {
        self.0
    }

    /// Task `index`'s command line: every `{}` replaced by the index.
    pub fn for_task(self, index: u32) -> String {
        self.0.replace("{}", &index.to_string())
    }
}

impl std::fmt::Debug for CommandRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for CommandRef {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for CommandRef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(CommandRef::intern)
    }
}

/// Runs task `index` of `command` to its end, or until `cancel` (checked
/// every few milliseconds) says stop: then its process group is killed
/// and it is reaped, and the output's value is unused. A non-zero exit is
/// the task's error, naming the task, its status and the start of its
/// stderr; the value of a task that succeeded is 0 (what a command prints
/// is not compared across models: it may hold times or process ids).
pub fn run(command: CommandRef, index: u32, cancel: Option<&CancelToken>) -> TaskOutput {
    let line = command.for_task(index);
    let mut shell = Command::new("sh");
    shell
        .arg("-c")
        .arg(&line)
        .env("CORESCOPE_TASK", index.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut shell, 0);
    let child = match shell.spawn() {
        Ok(child) => child,
        Err(e) => return failure(format!("task {index}: `{line}` could not start: {e}")),
    };
    let mut owned = Owned::new(child);
    let status = match owned.wait(cancel) {
        Ok(Some(status)) => status,
        // Cancelled: dropping `owned` kills the group and reaps the child.
        Ok(None) => return TaskOutput::default(),
        Err(e) => {
            return failure(format!(
                "task {index}: `{line}` could not be waited for: {e}"
            ));
        }
    };
    if status.success() {
        return TaskOutput::default();
    }
    let stderr = quoted(&owned.stderr_start);
    failure(format!(
        "task {index}: `{line}` {}{}",
        describe(status),
        if stderr.is_empty() {
            String::new()
        } else {
            format!(": {stderr}")
        }
    ))
}

fn failure(message: String) -> TaskOutput {
    TaskOutput {
        error: Some(message),
        ..TaskOutput::default()
    }
}

/// How a child ended, in words.
fn describe(status: ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return format!("was killed by signal {signal}");
        }
    }
    match status.code() {
        Some(code) => format!("exited with status {code}"),
        None => format!("ended: {status}"),
    }
}

/// The start of stderr on one line: its first non-empty line, cut at
/// [`STDERR_QUOTED`] bytes, control characters dropped.
fn quoted(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let line = text.lines().map(str::trim).find(|l| !l.is_empty());
    line.unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .take(STDERR_QUOTED)
        .collect()
}

/// A running child with its output pipes; dropping it kills its process
/// group and reaps it, on every path.
struct Owned {
    child: Child,
    reaped: bool,
    stdout: Option<ChildStdout>,
    stderr: Option<ChildStderr>,
    /// The first bytes of stderr (up to [`STDERR_QUOTED`] × 4).
    stderr_start: Vec<u8>,
}

impl Owned {
    fn new(mut child: Child) -> Owned {
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();
        #[cfg(unix)]
        for fd in [
            stdout.as_ref().map(std::os::fd::AsFd::as_fd),
            stderr.as_ref().map(std::os::fd::AsFd::as_fd),
        ]
        .into_iter()
        .flatten()
        {
            // A pipe that cannot be made non-blocking is closed instead
            // (below): the child then gets SIGPIPE rather than a hang.
            let _ = crate::platform::set_nonblocking(fd);
        }
        Owned {
            child,
            reaped: false,
            stdout,
            stderr,
            stderr_start: Vec::new(),
        }
    }

    /// Waits for the child's exit, reading its output meanwhile; `None`
    /// once cancelled.
    fn wait(&mut self, cancel: Option<&CancelToken>) -> std::io::Result<Option<ExitStatus>> {
        let mut pause = FIRST_POLL;
        loop {
            self.drain();
            if self.exited()? {
                // Whatever it left running in its group goes with it,
                // while the child's unreaped id still names the group.
                crate::platform::kill_process_group(self.child.id());
                let status = self.child.wait()?;
                self.reaped = true;
                self.drain();
                return Ok(Some(status));
            }
            if cancel.is_some_and(CancelToken::is_cancelled) {
                return Ok(None);
            }
            self.pause(pause);
            pause = (pause * 2).min(MAX_POLL);
        }
    }

    /// Whether the child has exited (on Linux left unreaped, so that its
    /// group can be killed first).
    fn exited(&mut self) -> std::io::Result<bool> {
        #[cfg(target_os = "linux")]
        {
            crate::platform::has_exited(self.child.id())
        }
        #[cfg(not(target_os = "linux"))]
        {
            match self.child.try_wait()? {
                Some(_) => {
                    self.reaped = true;
                    Ok(true)
                }
                None => Ok(false),
            }
        }
    }

    /// Reads what each pipe holds now: stdout dropped, the start of
    /// stderr kept. A pipe at its end (or broken) is closed.
    fn drain(&mut self) {
        let mut buffer = [0u8; 16 * 1024];
        if let Some(out) = self.stdout.as_mut()
            && !read_available(out, &mut buffer, &mut |_| {})
        {
            self.stdout = None;
        }
        let keep = &mut self.stderr_start;
        if let Some(err) = self.stderr.as_mut()
            && !read_available(err, &mut buffer, &mut |bytes| {
                let room = (STDERR_QUOTED * 4).saturating_sub(keep.len());
                keep.extend_from_slice(&bytes[..bytes.len().min(room)]);
            })
        {
            self.stderr = None;
        }
    }

    /// Sleeps up to `pause`, woken early by output (or a pipe's end, as
    /// when the child exits) where a pipe is open.
    fn pause(&self, pause: Duration) {
        #[cfg(unix)]
        {
            use crate::platform::{PipeWatch, poll_pipes};
            use std::os::fd::AsFd;
            let watch = |fd| PipeWatch {
                fd,
                read: true,
                write: false,
                ready: false,
            };
            let mut pipes: Vec<PipeWatch<'_>> = [
                self.stdout.as_ref().map(|p| watch(p.as_fd())),
                self.stderr.as_ref().map(|p| watch(p.as_fd())),
            ]
            .into_iter()
            .flatten()
            .collect();
            if !pipes.is_empty() && poll_pipes(&mut pipes, pause).is_ok() {
                return;
            }
        }
        std::thread::sleep(pause);
    }
}

/// Reads `pipe` until it would block, handing each chunk to `keep`;
/// false once it has ended or failed.
fn read_available(pipe: &mut impl Read, buffer: &mut [u8], keep: &mut dyn FnMut(&[u8])) -> bool {
    loop {
        match pipe.read(buffer) {
            Ok(0) => return false,
            Ok(n) => keep(&buffer[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return true,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
}

impl Drop for Owned {
    fn drop(&mut self) {
        if !self.reaped {
            crate::platform::kill_process_group(self.child.id());
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn command(text: &str) -> CommandRef {
        CommandRef::intern(parse(text).unwrap())
    }

    #[test]
    fn commands_parse_trimmed_and_not_empty() {
        assert_eq!(parse("  echo {} ").unwrap(), "echo {}");
        assert!(parse("   ").is_err());
        assert!(parse("a\0b").is_err());
        assert!(parse(&"x".repeat(MAX_COMMAND_TEXT + 1)).is_err());
        let c = command("echo {} {}");
        assert_eq!(c.for_task(7), "echo 7 7");
        assert_eq!(command("true").for_task(3), "true");
        assert!(std::ptr::eq(c.text(), command("echo {} {}").text()));
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(serde_json::from_str::<CommandRef>(&json).unwrap(), c);
    }

    #[test]
    fn a_task_sees_its_index_and_succeeds_with_value_zero() {
        let out = run(
            command("test {} = 5 && test \"$CORESCOPE_TASK\" = 5"),
            5,
            None,
        );
        assert_eq!(out, TaskOutput::default());
    }

    #[test]
    fn a_failing_task_names_itself_its_status_and_its_stderr() {
        let out = run(command("echo first >&2; echo second >&2; exit {}"), 3, None);
        let error = out.error.unwrap();
        assert_eq!(
            error,
            "task 3: `echo first >&2; echo second >&2; exit 3` exited with status 3: first"
        );
    }

    #[test]
    fn endless_output_is_read_and_dropped() {
        // 64 MiB through stdout and stderr: more than any pipe holds.
        let out = run(
            command("head -c 33554432 /dev/zero; head -c 33554432 /dev/zero >&2; exit 1"),
            0,
            None,
        );
        let error = out.error.unwrap();
        assert!(error.contains("exited with status 1"), "{error}");
        assert!(error.len() < 400, "{}", error.len());
    }

    #[test]
    fn a_cancelled_task_returns_at_once() {
        let cancel = CancelToken::new();
        let later = cancel.clone();
        let canceller = std::thread::Builder::new()
            .name("cancel-later".into())
            .spawn(move || {
                std::thread::sleep(Duration::from_millis(100));
                later.cancel();
            })
            .unwrap();
        let out = run(command("sleep 30 & sleep 30"), 0, Some(&cancel));
        canceller.join().unwrap();
        // Back within the poll's pause, not after 30 s; no error.
        assert_eq!(out, TaskOutput::default());
    }
}
