//! A corescope run the tests end or break from outside: started with a
//! mark in its environment (`CORESCOPE_TEST_MARK`, which every process it
//! starts inherits) and a temporary folder of its own (`TMPDIR`), so that
//! afterwards [`MarkedRun::assert_nothing_left`] can find any process it
//! left (read from `/proc`) and any file it left in that folder. Signals
//! go through [`signal`]; the run's worker processes are found by
//! [`MarkedRun::own_workers`], [`MarkedRun::harness`] and
//! [`MarkedRun::python_workers`].
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use rustix::process::Signal;

use super::{exe, marked, stderr, wait_for};

/// How long a run may take to end once it should: far more than it needs,
/// far less than the work it was given.
pub const ENDS_WITHIN: Duration = Duration::from_secs(60);

/// How long what a run started may take to go once the run has ended.
const LEFT_WITHIN: Duration = Duration::from_secs(10);

/// Sends `signal` to process `pid`; one already gone is left alone.
pub fn signal(pid: u32, signal: Signal) {
    let pid = rustix::process::Pid::from_raw(pid as i32).unwrap();
    let _ = rustix::process::kill_process(pid, signal);
}

/// Process `pid`'s command line, its arguments NUL-separated (empty once
/// it is gone).
pub fn cmdline(pid: u32) -> Vec<u8> {
    std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default()
}

/// Whether process `pid` runs a CPython interpreter (its executable's name
/// says python).
fn runs_python(pid: u32) -> bool {
    std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| {
        exe.file_name()
            .is_some_and(|name| name.to_string_lossy().contains("python"))
    })
}

/// One corescope run under test: marked, in a temporary folder of its own.
pub struct MarkedRun {
    pub pid: u32,
    pub mark: String,
    tmp: tempfile::TempDir,
    output: mpsc::Receiver<Output>,
}

impl MarkedRun {
    /// Starts corescope with `args` and `env` (stdin closed, output kept);
    /// `label` names the run in the mark and in failures.
    pub fn start(label: &str, args: &[&str], env: &[(&str, &str)]) -> MarkedRun {
        let tmp = tempfile::tempdir().unwrap();
        let mark = format!("{}-{label}", std::process::id());
        let mut command = Command::new(exe());
        command
            .args(args)
            .env("TMPDIR", tmp.path())
            .env("CORESCOPE_TEST_MARK", &mark)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, value) in env {
            command.env(key, value);
        }
        let child = command.spawn().unwrap();
        let pid = child.id();
        let (tx, output) = mpsc::channel();
        std::thread::Builder::new()
            .name(format!("wait-{label}"))
            .spawn(move || {
                let _ = tx.send(child.wait_with_output().unwrap());
            })
            .unwrap();
        MarkedRun {
            pid,
            mark,
            tmp,
            output,
        }
    }

    /// The run's temporary folder (its `TMPDIR`).
    pub fn tmp(&self) -> &Path {
        self.tmp.path()
    }

    /// The run's output once it ends; a run still going after
    /// [`ENDS_WITHIN`] hung: it is killed, with all it started.
    pub fn output(&self, label: &str) -> Output {
        match self.output.recv_timeout(ENDS_WITHIN) {
            Ok(out) => out,
            Err(_) => {
                for pid in marked(&self.mark) {
                    signal(pid, Signal::KILL);
                }
                let out = self.output.recv().unwrap();
                panic!(
                    "{label}: still running after {} s: {}",
                    ENDS_WITHIN.as_secs(),
                    stderr(&out)
                );
            }
        }
    }

    /// The run's output once it ends, however long it takes.
    pub fn wait(&self) -> Output {
        self.output.recv().unwrap()
    }

    /// Checks that nothing the run started survives it and no file of it
    /// stays in its temporary folder.
    pub fn assert_nothing_left(&self, label: &str) {
        let gone = wait_for(LEFT_WITHIN, || marked(&self.mark).is_empty().then_some(()));
        assert!(
            gone.is_some(),
            "{label}: processes left: {:?}",
            marked(&self.mark)
        );
        let files: Vec<PathBuf> = std::fs::read_dir(self.tmp())
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        assert!(files.is_empty(), "{label}: files left: {files:?}");
    }

    /// corescope's own worker processes (`processes`: its children), once
    /// `workers` of them are up.
    pub fn own_workers(&self, workers: usize) -> Vec<u32> {
        wait_for(Duration::from_secs(30), || {
            let kids = corescope::platform::child_pids(self.pid);
            (kids.len() == workers).then_some(kids)
        })
        .expect("the workers started")
    }

    /// A worker process of the run, whatever its model: a process without
    /// children of its own (a pool worker, a task's process) that is not
    /// multiprocessing's resource tracker — for a CPython model one below
    /// the harness (corescope's own children then are the interpreter's
    /// probes and the harness).
    pub fn any_worker(&self, python: bool) -> u32 {
        wait_for(Duration::from_secs(60), || {
            let below = if python {
                corescope::platform::descendants(self.harness())
            } else {
                corescope::platform::child_pids(self.pid)
            };
            below.into_iter().find(|&pid| {
                corescope::platform::child_pids(pid).is_empty()
                    && !String::from_utf8_lossy(&cmdline(pid)).contains("resource_tracker")
                    // Not a launcher's helper (pyenv's shim runs a few
                    // before it becomes the interpreter).
                    && (!python || runs_python(pid))
            })
        })
        .expect("a worker started")
    }

    /// The CPython harness (corescope's python child), once it is up.
    pub fn harness(&self) -> u32 {
        wait_for(Duration::from_secs(30), || {
            corescope::platform::child_pids(self.pid)
                .into_iter()
                // Its script is a descriptor (a launcher such as pyenv's
                // shim has it too, and becomes the interpreter).
                .find(|&pid| String::from_utf8_lossy(&cmdline(pid)).contains("/dev/fd/"))
        })
        .expect("the harness started")
    }

    /// The harness and its `workers` pool workers (forked: the harness's
    /// own command line, unlike multiprocessing's resource tracker).
    pub fn python_workers(&self, workers: usize) -> (u32, Vec<u32>) {
        let harness = self.harness();
        let found = wait_for(Duration::from_secs(30), || {
            // Read each time: a launcher (pyenv's shim) execs the
            // interpreter under the same pid.
            let own = cmdline(harness);
            let kids: Vec<u32> = corescope::platform::child_pids(harness)
                .into_iter()
                .filter(|&pid| cmdline(pid) == own)
                .collect();
            (kids.len() == workers).then_some(kids)
        });
        (harness, found.expect("the pool's workers started"))
    }
}

/// Runs corescope with `args` and `env`, marked, in a temporary folder of
/// its own, to its end however long it takes; returns its output after
/// checking that no process it started survives and no file stays.
pub fn run_marked(label: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let run = MarkedRun::start(label, args, env);
    let out = run.wait();
    run.assert_nothing_left(label);
    out
}
