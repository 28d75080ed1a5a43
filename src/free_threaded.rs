//! Building the free-threaded CPython without leaving the window: the
//! project's own build script (`scripts/build-free-threaded-python.sh`,
//! compiled into the binary, so it runs wherever corescope is installed),
//! started in a process group of its own, its output read line by line on
//! a named thread and turned into the step it is at. The [`Build`] owns
//! the script. [`Build::stop`] (the window's Stop) returns at once: a named
//! thread of the build's sends TERM to the whole group, then KILL a moment
//! later to whatever ignored it, while the reading thread reaps the script;
//! the owner drops the build once both threads are done
//! ([`Build::ended`]), so joining them never holds the window. Dropping a
//! build still running (the window closing) stops it the same way and
//! waits for both threads.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;

/// The build script, as in the repository.
pub const SCRIPT: &str = include_str!("../scripts/build-free-threaded-python.sh");

/// About how long the build takes on two cores (the CPython compile
/// itself is most of it): the progress bar's scale, not a promise.
pub const TYPICAL: Duration = Duration::from_secs(200);

/// Longest output line kept; the script's lines are short, a compiler's
/// need not be.
const MAX_LINE: usize = 240;

/// Output lines kept for the window (the last ones).
const KEPT_LINES: usize = 12;

/// Where the script is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    Starting,
    /// Installing the C toolchain and headers (root or sudo).
    Dependencies,
    /// Downloading Debian's CPython 3.13 source.
    Fetching,
    /// Configuring and compiling CPython with `--disable-gil`.
    Compiling,
    /// Finished: built now, or already there.
    Done,
}

impl Step {
    /// What the window says the build is doing.
    pub fn describe(self) -> &'static str {
        match self {
            Step::Starting => "starting the build",
            Step::Dependencies => "installing the C compiler and headers it needs",
            Step::Fetching => "downloading CPython 3.13's source",
            Step::Compiling => "compiling CPython without a GIL (the longest step)",
            Step::Done => "built",
        }
    }

    /// The step a line of the script's own output starts, if any.
    fn announced_by(line: &str) -> Option<Step> {
        [
            ("installing build dependencies", Step::Dependencies),
            ("fetching ", Step::Fetching),
            ("building CPython", Step::Compiling),
            ("built ", Step::Done),
            ("free-threaded CPython already built", Step::Done),
        ]
        .into_iter()
        .find(|(start, _)| line.starts_with(start))
        .map(|(_, step)| step)
    }
}

/// What the reading thread reports.
#[derive(Debug)]
enum Event {
    Line(String),
    /// The script exited: its status, described where it failed.
    Exited(Result<(), String>),
}

/// A build in progress (or ended, until it is dropped).
#[derive(Debug)]
pub struct Build {
    pid: u32,
    events: Receiver<Event>,
    reader: Option<JoinHandle<()>>,
    /// Started by [`Build::stop`]: TERM, then KILL, to the script's group.
    stopper: Option<JoinHandle<()>>,
    /// Whether [`Build::stop`] was called.
    stopping: bool,
    started: Instant,
    /// The step it is at.
    pub step: Step,
    /// Its last lines of output, oldest first.
    pub lines: Vec<String>,
    /// How it ended; `None` while it runs.
    pub outcome: Option<Result<(), String>>,
}

impl Build {
    /// Starts the script with `bash`, its stderr folded into its stdout,
    /// building into `dir` (`None`: the cache folder corescope looks in).
    pub fn start(dir: Option<&std::path::Path>) -> std::io::Result<Build> {
        Build::run_script(SCRIPT, dir)
    }

    /// Starts `script` as [`Build::start`] starts the build script.
    fn run_script(script: &str, dir: Option<&std::path::Path>) -> std::io::Result<Build> {
        let mut command = Command::new("bash");
        if let Some(dir) = dir {
            command.env(crate::python::FREE_THREADED_DIR_VAR, dir);
        }
        command
            .arg("-c")
            .arg(format!("exec 2>&1\n{script}"))
            .arg("corescope-free-threaded-build")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        {
            use std::os::unix::process::CommandExt;
            // One signal stops the script and everything it started.
            command.process_group(0);
        }
        let mut child = command.spawn()?;
        let pid = child.id();
        let (tx, events) = crossbeam_channel::unbounded();
        let reader = std::thread::Builder::new()
            .name("corescope-python-build".to_string())
            .spawn(move || read_until_exit(&mut child, &tx));
        let reader = match reader {
            Ok(reader) => reader,
            Err(e) => {
                // The child is gone with the closure that would have read
                // it; its group goes at once (nothing is left to wait for).
                crate::platform::kill_process_group(pid);
                return Err(e);
            }
        };
        Ok(Build {
            pid,
            events,
            reader: Some(reader),
            stopper: None,
            stopping: false,
            started: Instant::now(),
            step: Step::Starting,
            lines: Vec::new(),
            outcome: None,
        })
    }

    /// Takes the reading thread's news; true when anything changed.
    pub fn poll(&mut self) -> bool {
        let mut changed = false;
        while let Ok(event) = self.events.try_recv() {
            changed = true;
            match event {
                Event::Line(line) => {
                    if let Some(step) = Step::announced_by(&line) {
                        self.step = step;
                    }
                    if self.lines.len() == KEPT_LINES {
                        self.lines.remove(0);
                    }
                    self.lines.push(line);
                }
                Event::Exited(outcome) => {
                    if outcome.is_ok() {
                        self.step = Step::Done;
                    }
                    self.outcome = Some(outcome);
                }
            }
        }
        changed
    }

    /// How long it has run.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// How far along it is, roughly: by [`TYPICAL`], never full before it
    /// is done.
    pub fn fraction(&self) -> f32 {
        if self.step == Step::Done {
            return 1.0;
        }
        (self.elapsed().as_secs_f32() / TYPICAL.as_secs_f32()).min(0.95)
    }

    /// Stops the script and everything it started, without waiting: the
    /// build's own thread sends the signals, the reading thread reaps the
    /// script and reports how it ended. Nothing once it has ended or is
    /// stopping.
    pub fn stop(&mut self) {
        if self.stopping || self.outcome.is_some() {
            return;
        }
        self.stopping = true;
        let pid = self.pid;
        let stopper = std::thread::Builder::new()
            .name("corescope-python-build-stop".to_string())
            .spawn(move || stop_group(pid));
        match stopper {
            Ok(stopper) => self.stopper = Some(stopper),
            // No thread for the grace period: no grace.
            Err(_) => crate::platform::kill_process_group(pid),
        }
    }

    /// Whether [`Build::stop`] was called.
    pub fn stopping(&self) -> bool {
        self.stopping
    }

    /// Whether the script has ended and been reaped, and the build's
    /// threads are done: dropping it now waits for nothing.
    pub fn ended(&self) -> bool {
        let done =
            |thread: &Option<JoinHandle<()>>| thread.as_ref().is_none_or(|t| t.is_finished());
        self.outcome.is_some() && done(&self.reader) && done(&self.stopper)
    }
}

impl Drop for Build {
    fn drop(&mut self) {
        if self.outcome.is_none() {
            self.stop();
        }
        // The reader waits for the script, which the group's kill ends.
        for thread in [self.stopper.take(), self.reader.take()]
            .into_iter()
            .flatten()
        {
            let _ = thread.join();
        }
    }
}

/// Sends every line of `child`'s output, then how it exited (reaping it).
fn read_until_exit(child: &mut Child, tx: &crossbeam_channel::Sender<Event>) {
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).split(b'\n') {
            let Ok(bytes) = line else {
                break;
            };
            let text = String::from_utf8_lossy(&bytes);
            let text: String = text.trim_end().chars().take(MAX_LINE).collect();
            if !text.is_empty() && tx.send(Event::Line(text)).is_err() {
                break;
            }
        }
    }
    let outcome = match child.wait() {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(format!(
            "the build {}",
            crate::worker::process::describe_status(status)
        )),
        Err(e) => Err(format!("the build could not be waited for: {e}")),
    };
    let _ = tx.send(Event::Exited(outcome));
}

/// How long the script's group has to end after TERM before KILL.
const STOP_GRACE: Duration = Duration::from_millis(200);

/// Stops the script's process group: TERM, then KILL once [`STOP_GRACE`]
/// is over for whatever ignored it (at once where nothing is left).
fn stop_group(pid: u32) {
    use rustix::process::{Pid, Signal, kill_process_group, test_kill_process_group};
    let Some(group) = i32::try_from(pid).ok().and_then(Pid::from_raw) else {
        return;
    };
    let _ = kill_process_group(group, Signal::TERM);
    let deadline = Instant::now() + STOP_GRACE;
    while Instant::now() < deadline {
        if test_kill_process_group(group).is_err() {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = kill_process_group(group, Signal::KILL);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopping_returns_at_once_and_the_build_s_thread_ends_the_group() {
        // A group that ignores TERM: only the KILL after the grace ends it.
        let script = "trap '' TERM; echo building CPython; exec sleep 60";
        let mut build = Build::run_script(script, None).unwrap();
        let started = (0..500).any(|_| {
            build.poll();
            std::thread::sleep(Duration::from_millis(10));
            build.step == Step::Compiling
        });
        assert!(started, "{:?}", build.lines);
        build.stop();
        // Stop did not wait for the grace: the group still runs.
        assert!(crate::platform::process_exists(build.pid));
        assert!(build.stopping() && !build.ended());
        let ended = (0..1000).any(|_| {
            build.poll();
            std::thread::sleep(Duration::from_millis(10));
            build.ended()
        });
        assert!(ended);
        assert!(
            matches!(&build.outcome, Some(Err(why)) if why.contains("SIGKILL")),
            "{:?}",
            build.outcome
        );
        assert!(!crate::platform::process_exists(build.pid));
    }

    #[test]
    fn the_scripts_own_lines_mark_its_steps() {
        assert_eq!(
            Step::announced_by("fetching Debian trixie's python3.13 source"),
            Some(Step::Fetching)
        );
        assert_eq!(
            Step::announced_by("building CPython --disable-gil into /x (make -j2)"),
            Some(Step::Compiling)
        );
        assert_eq!(Step::announced_by("checking for gcc... yes"), None);
        // Every step the script announces is one it really prints.
        for start in [
            "installing build dependencies",
            "fetching ",
            "building CPython",
        ] {
            assert!(SCRIPT.contains(&format!("echo \"{start}")), "{start}");
        }
    }
}
