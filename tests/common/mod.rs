//! Helpers shared by the integration tests: run the real corescope binary.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod gui;
pub mod run_spec;

// Each test uses part of them.
#[allow(unused_imports)]
pub use run_spec::{RunSpecBuilder, engine_config, run, run_on, run_spec, run_with, try_run_with};

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// The corescope binary under test (never the test binary itself).
pub fn exe() -> PathBuf {
    run_spec::worker_exe()
}

/// Runs corescope with `args` and returns its output.
pub fn corescope(args: &[&str]) -> Output {
    Command::new(exe())
        .args(args)
        .output()
        .expect("corescope runs")
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Reads a JSON file written by `--export-json`.
pub fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).expect("json file exists");
    serde_json::from_str(&text).expect("valid json")
}

/// Polls `check` until it returns Some or `timeout` passes.
pub fn wait_for<T>(timeout: Duration, mut check: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = check() {
            return Some(value);
        }
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Whether a process is still alive (a zombie counts as gone: it runs nothing).
pub fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => {
            // The state follows the command name in parentheses.
            let state = stat
                .rsplit(')')
                .next()
                .and_then(|rest| rest.split_whitespace().next());
            state != Some("Z")
        }
        Err(_) => false,
    }
}

/// Runs a small, quick sweep with the real binary and saves it as
/// `dir/name.json`: sqrt-sum, 4 tasks, serial, threads and processes at 1
/// and 2 workers, one repetition, unless `extra` (flag, value, …) says
/// otherwise.
pub fn saved_sweep(dir: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let json = dir.join(format!("{name}.json"));
    let defaults = [
        ("--workload", "sqrt-sum"),
        ("--size", "100000"),
        ("--tasks", "4"),
        ("--models", "serial,threads,processes"),
        ("--workers", "1..2"),
        ("--repeats", "1"),
        ("--warmup", "0"),
    ];
    let mut args = vec!["sweep"];
    for (flag, value) in defaults {
        if !extra.contains(&flag) {
            args.extend([flag, value]);
        }
    }
    args.extend_from_slice(extra);
    args.extend(["--export-json", json.to_str().unwrap()]);
    let out = corescope(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    json
}
