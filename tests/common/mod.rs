//! Helpers shared by the integration tests: run the real corescope binary.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod gui;
pub mod marked;
pub mod require;
pub mod run_spec;

// Each test uses part of them.
#[allow(unused_imports)]
pub use marked::{MarkedRun, run_marked, signal};
#[allow(unused_imports)]
pub use run_spec::{RunSpecBuilder, engine_config, run, run_on, run_spec, run_with, try_run_with};

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use corescope::model::Requirement;
use corescope::spec::Model;
use require::{Part, require};

/// Another program keeping a core busy (a shell busy loop), killed and
/// reaped when dropped.
pub struct Busy(std::process::Child);

impl Busy {
    pub fn start() -> Busy {
        Busy(
            Command::new("sh")
                .args(["-c", "while :; do :; done"])
                .spawn()
                .unwrap(),
        )
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

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

/// The `error:` lines of a run, the help's pointer left out.
pub fn error_line(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.starts_with("error:") && !l.contains("--help"))
        .collect::<Vec<_>>()
        .join("\n")
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

/// The part a model needs of this machine; `None` where it needs a cargo
/// feature this build lacks (a build's choice, never required).
pub fn model_part(model: Model) -> Option<Part> {
    let mut part = Part::Python;
    for requirement in model.info().requires {
        match requirement {
            Requirement::Feature { built: false, .. } => return None,
            Requirement::Feature { built: true, .. } | Requirement::Python => {}
            Requirement::FreeThreadedPython => part = Part::FreeThreaded,
            Requirement::Launcher(_) | Requirement::PythonModule(_) => part = Part::Mpi,
        }
    }
    Some(part)
}

/// Whether `model` can run here (with the CLI's default interpreter, as a
/// run finds it); if not, the test is skipped saying why, or fails where
/// the model's part is required.
pub fn require_model(model: Model) -> bool {
    let found = corescope::engine::availability::check(model, Path::new("python3"));
    match model_part(model) {
        Some(part) => require(part, found).is_some(),
        None => {
            if let Err(why) = &found {
                require::skipped(why);
            }
            found.is_ok()
        }
    }
}

/// python3 when it can run the harness; else the test is skipped (or, where
/// CPython is required, fails).
pub fn require_python() -> Option<PathBuf> {
    let python = PathBuf::from("python3");
    require(Part::Python, corescope::python::probe(&python)).map(|_| python)
}

/// The free-threaded CPython that python-threads-nogil finds (on PATH or
/// where scripts/build-free-threaded-python.sh builds it); else the test is
/// skipped (or, where one is required, fails).
pub fn require_free_threaded() -> Option<PathBuf> {
    let found = corescope::python::interpreter_for(Model::PythonThreadsNogil, Path::new("python3"));
    require(Part::FreeThreaded, found).map(|info| info.interpreter)
}

/// Processes whose environment holds `mark`: what a run started and left.
pub fn marked(mark: &str) -> Vec<u32> {
    let needle = format!("CORESCOPE_TEST_MARK={mark}");
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/environ"))
                .is_ok_and(|env| env.split(|&b| b == 0).any(|v| v == needle.as_bytes()))
        })
        .filter(|&pid| alive(pid))
        .collect()
}
