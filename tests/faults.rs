//! Faults from outside: a worker killed mid-run, and Ctrl-C. Either way the
//! command ends promptly with a clear message and no worker survives it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{alive, wait_for};

/// Starts a slow processes run (sleep tasks) and waits for its two workers.
fn start_slow_run() -> (Child, Vec<u32>) {
    let child = Command::new(common::exe())
        .args([
            "run",
            "--workload",
            "sleep",
            "--size",
            "200",
            "--tasks",
            "40",
            "--model",
            "processes",
            "--workers",
            "2",
            "--repeats",
            "1",
            "--warmup",
            "0",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let workers = wait_for(Duration::from_secs(20), || {
        let kids = corescope::platform::child_pids(pid);
        (kids.len() == 2).then_some(kids)
    });
    match workers {
        Some(workers) => (child, workers),
        None => {
            let out = child.wait_with_output().unwrap();
            panic!("no two workers appeared: {out:?}");
        }
    }
}

fn signal(pid: u32, signal: rustix::process::Signal) {
    let pid = rustix::process::Pid::from_raw(pid as i32).unwrap();
    rustix::process::kill_process(pid, signal).unwrap();
}

#[test]
fn a_killed_worker_fails_the_run_cleanly_and_leaves_no_process() {
    let (child, workers) = start_slow_run();
    // Let it get into its tasks.
    std::thread::sleep(Duration::from_millis(300));
    signal(workers[0], rustix::process::Signal::KILL);
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("worker 0 (pid {})", workers[0])),
        "{err}"
    );
    assert!(err.contains("SIGKILL") && err.contains("task"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    for pid in workers {
        assert!(!alive(pid), "worker {pid} survived");
    }
}

#[test]
fn ctrl_c_stops_the_run_and_every_worker() {
    let (child, workers) = start_slow_run();
    std::thread::sleep(Duration::from_millis(300));
    signal(child.id(), rustix::process::Signal::INT);
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted"), "{err}");
    for pid in workers {
        assert!(!alive(pid), "worker {pid} survived");
    }
}
