//! A process-count limit (`ulimit -u`) reached while a run starts: the
//! async models' runtimes could not start their threads. Tokio panics when
//! the system refuses its first worker thread, and the panic then waits
//! forever for the workers that did start; corescope must instead end
//! with a named error and exit 1, whichever thread or process is refused.
//!
//! The limit is checked up front against what a run needs, so the room is
//! taken by other processes of the same user, as on a shared machine. The
//! kernel does not enforce `RLIMIT_NPROC` for root, so the test drops to
//! `nobody` (`setpriv --reuid 65534`) for both the filler processes and
//! corescope, and needs root to do so (CI runs as root).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::require::{Part, is_root, require_that};

/// The user the test runs as, whose processes count against the limit.
const NOBODY: &str = "65534";
/// Processes of that user that hold the room.
const FILLERS: usize = 30;
/// How long a run may take before it counts as hung: far more than one
/// that ends needs.
const HUNG: Duration = Duration::from_secs(60);

/// `program args…` as `nobody`.
fn as_nobody(program: &Path) -> Command {
    let mut command = Command::new("setpriv");
    command
        .args(["--reuid", NOBODY, "--regid", NOBODY, "--clear-groups"])
        .arg(program);
    command
}

/// Every task (process or thread) of `nobody` on the machine.
fn nobody_tasks() -> usize {
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return 0;
    };
    procs
        .flatten()
        .filter(|entry| entry.file_name().to_string_lossy().parse::<u32>().is_ok())
        .filter_map(|entry| std::fs::read_to_string(entry.path().join("status")).ok())
        .filter(|status| {
            status
                .lines()
                .find(|line| line.starts_with("Uid:"))
                .is_some_and(|line| line.split_whitespace().nth(1) == Some(NOBODY))
        })
        .map(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("Threads:"))
                .and_then(|n| n.trim().parse().ok())
                .unwrap_or(1)
        })
        .sum()
}

/// The filler processes, killed and reaped when dropped.
struct Fillers(Vec<Child>);

impl Drop for Fillers {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// corescope where `nobody` may run it: the build's own binary, or a copy
/// in a folder anyone can read where the build's folder is private.
fn binary_for_nobody(dir: &Path) -> PathBuf {
    let exe = common::exe();
    let runs = as_nobody(&exe)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if runs {
        return exe;
    }
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let copy = dir.join("corescope");
    std::fs::copy(&exe, &copy).unwrap();
    copy
}

/// One run of `model` under a limit of `limit` tasks: its exit code and
/// standard error; panics if it does not end.
fn run_under(exe: &Path, tmp: &Path, model: &str, limit: usize) -> (Option<i32>, String) {
    let mut child = Command::new("prlimit")
        .arg(format!("--nproc={limit}"))
        .args([
            "setpriv",
            "--reuid",
            NOBODY,
            "--regid",
            NOBODY,
            "--clear-groups",
        ])
        .arg(exe)
        .args([
            "run",
            "--model",
            model,
            "--workload",
            "sleep",
            "--size",
            "10",
        ])
        .args(["--tasks", "8", "--workers", "4", "--runtime-threads", "4"])
        .args(["--repeats", "1", "--warmup", "0"])
        .env("TMPDIR", tmp)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let began = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            use std::io::Read;
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            return (status.code(), err);
        }
        if began.elapsed() > HUNG {
            let _ = child.kill();
            let _ = child.wait();
            // Whatever it started as nobody goes with the fillers' check.
            panic!("{model} under a limit of {limit}: still running after {HUNG:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_process_limit_reached_ends_an_async_run_with_a_named_error() {
    let have_tools = ["setpriv", "prlimit"].iter().all(|tool| {
        Command::new(tool)
            .arg("--version")
            .output()
            .is_ok_and(|out| out.status.success())
    });
    if !require_that(
        Part::Root,
        is_root() && have_tools,
        "needs root with setpriv and prlimit: the kernel does not hold root to RLIMIT_NPROC, \
         so the test drops to nobody",
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let exe = binary_for_nobody(dir.path());
    let tmp = dir.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o1777)).unwrap();
    let fillers = Fillers(
        (0..FILLERS)
            .map(|_| {
                as_nobody(Path::new("sleep"))
                    .arg("600")
                    .stdin(Stdio::null())
                    .spawn()
                    .unwrap()
            })
            .collect(),
    );
    let taken = wait_for_fillers();
    let mut runtime_refused = 0;
    for model in ["async", "async+processes"] {
        // From room for little more than the main thread to room for
        // the whole run: each limit refuses a different thread or process.
        for limit in taken + 2..taken + 24 {
            let (code, err) = run_under(&exe, &tmp, model, limit);
            let label = format!("{model}, limit {limit} with {taken} taken");
            assert!(!err.contains("panicked"), "{label}: {err}");
            match code {
                Some(0) => {}
                Some(1) => assert!(err.contains("error: "), "{label}: {err}"),
                // Refused up front: the limit itself is too low for the run.
                Some(2) => assert!(err.contains("ulimit -u"), "{label}: {err}"),
                other => panic!("{label}: exit {other:?}: {err}"),
            }
            if err.contains("runtime: ") && err.contains("ulimit -u") {
                runtime_refused += 1;
            }
        }
    }
    drop(fillers);
    assert!(
        runtime_refused > 0,
        "no limit tried refused a runtime's threads: the test did not reach its case"
    );
}

/// Waits until every filler runs, and says how many tasks `nobody` has.
fn wait_for_fillers() -> usize {
    let began = Instant::now();
    loop {
        let tasks = nobody_tasks();
        if tasks >= FILLERS || began.elapsed() > Duration::from_secs(10) {
            return tasks;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
