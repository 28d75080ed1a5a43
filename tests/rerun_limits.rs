//! `rerun` measures what a file says, so a file is bounded like a sweep:
//! `--time-limit` stops a run the file made endless (a sleep of a minute
//! per task), the run keeps its old figures and the limit is reported; a
//! file's in-flight of 0, which would never send a task, is refused.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{corescope, exe, stderr};

/// A saved processes run of sleep tasks, edited by `edit` and flagged so
/// that `rerun` measures it again.
fn flagged_set(dir: &Path, edit: impl Fn(&mut serde_json::Value)) -> std::path::PathBuf {
    let saved = common::saved_sweep(
        dir,
        "set",
        &[
            "--workload",
            "sleep",
            "--size",
            "5",
            "--tasks",
            "2",
            "--models",
            "processes",
            "--workers",
            "1",
        ],
    );
    let mut set = common::read_json(&saved);
    for run in set["runs"].as_array_mut().unwrap() {
        edit(run);
        run["warnings"] = serde_json::json!([
            { "code": "wide-spread", "message": "by the test", "remedy": "more repeats" }
        ]);
    }
    let flagged = dir.join("flagged.json");
    std::fs::write(&flagged, set.to_string()).unwrap();
    flagged
}

#[test]
fn a_time_limit_stops_a_run_the_file_made_endless() {
    let dir = tempfile::tempdir().unwrap();
    let flagged = flagged_set(dir.path(), |run| run["size"] = serde_json::json!(60_000));
    let mut child = Command::new(exe())
        .args(["rerun", flagged.to_str().unwrap(), "--time-limit", "1s"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Each task sleeps a minute: ending long before that is the limit.
    let ended = common::wait_for(Duration::from_secs(45), || child.try_wait().unwrap());
    if ended.is_none() {
        let _ = child.kill();
        let _ = child.wait();
        panic!("rerun ran past its time limit");
    }
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert!(err.contains("timed out"), "{err}");
}

#[test]
fn a_file_whose_run_never_sends_a_task_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let flagged = flagged_set(dir.path(), |run| run["in_flight"] = serde_json::json!(0));
    let out = corescope(&["rerun", flagged.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("in_flight"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("--help"), "{}", stderr(&out));
}

#[test]
fn a_file_whose_size_the_command_line_refuses_is_refused() {
    // A sleep of 10^12 ms per task: the command line stops at 2^32 - 1.
    let dir = tempfile::tempdir().unwrap();
    let flagged = flagged_set(dir.path(), |run| {
        run["size"] = serde_json::json!(1_000_000_000_000_u64)
    });
    for command in ["rerun", "report"] {
        let mut args = vec![command, flagged.to_str().unwrap()];
        let out_dir = dir.path().join("report");
        if command == "report" {
            args.extend(["--out", out_dir.to_str().unwrap()]);
        }
        let out = corescope(&args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{command}: {err}");
        assert!(err.contains("runs[0].size"), "{command}: {err}");
    }
}
