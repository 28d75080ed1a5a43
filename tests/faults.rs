//! Faults from outside: a worker killed mid-run, and Ctrl-C. Either way the
//! command ends promptly with a clear message and no worker survives it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Command;
use std::time::Duration;

use common::{MarkedRun, alive, run_marked, signal};
use rustix::process::Signal;

/// Starts a slow processes run (sleep tasks), marked, and waits for its
/// two workers.
fn start_slow_run(label: &str) -> (MarkedRun, Vec<u32>) {
    let args = [
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
    ];
    let run = MarkedRun::start(label, &args, &[]);
    let workers = run.own_workers(2);
    (run, workers)
}

#[test]
fn a_killed_worker_fails_the_run_cleanly_and_leaves_no_process() {
    let (run, workers) = start_slow_run("worker-SIGKILL");
    // Let it get into its tasks.
    std::thread::sleep(Duration::from_millis(300));
    signal(workers[0], Signal::KILL);
    let out = run.output("worker-SIGKILL");
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
    run.assert_nothing_left("worker-SIGKILL");
}

#[test]
fn ctrl_c_stops_the_run_and_every_worker() {
    let (run, workers) = start_slow_run("ctrl-c");
    std::thread::sleep(Duration::from_millis(300));
    signal(run.pid, Signal::INT);
    let out = run.output("ctrl-c");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted"), "{err}");
    for pid in workers {
        assert!(!alive(pid), "worker {pid} survived");
    }
    run.assert_nothing_left("ctrl-c");
}

/// The parent's `error:` lines of a run (a worker whose pipe broke says so
/// on the stderr it shares).
fn error_lines(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.starts_with("error:") && !l.starts_with("error: worker:"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_worker_fault_fails_its_run_cleanly_under_every_process_model() {
    let faults = [
        ("panic", "code 101"),
        ("abort", "SIGABRT"),
        ("exit:3", "code 3"),
        ("garbage", "broke the protocol"),
        ("huge-prefix", "broke the protocol"),
        ("early-close", "closed its output"),
        ("flood", "broke the protocol"),
    ];
    for model in ["processes", "process-per-task"] {
        for (fault, expected) in faults {
            let dir = tempfile::tempdir().unwrap();
            let json = dir.path().join("out.json");
            let args = [
                "run",
                "--model",
                model,
                "--workers",
                "2",
                "--tasks",
                "4",
                "--size",
                "1000",
                "--repeats",
                "1",
                "--warmup",
                "0",
                "--export-json",
                json.to_str().unwrap(),
            ];
            let label = format!("{model}-{fault}");
            let out = run_marked(&label, &args, &[("CORESCOPE_WORKER_FAULT", fault)]);
            let errors = error_lines(&out);
            assert_eq!(
                out.status.code(),
                Some(1),
                "{label}: {}",
                common::stderr(&out)
            );
            assert!(errors.contains("the run failed"), "{label}: {errors}");
            assert!(errors.contains(expected), "{label}: {errors}");
            assert!(!errors.contains("panicked"), "{label}: {errors}");
            assert_eq!(errors.lines().count(), 1, "{label}: {errors}");
            assert!(!json.exists(), "{label}: an export was written");
            assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "{label}");
        }
    }
}

#[test]
fn a_hung_worker_is_stopped_by_the_time_limit_and_recorded() {
    for model in ["processes", "process-per-task"] {
        let dir = tempfile::tempdir().unwrap();
        let json = dir.path().join("out.json");
        let models = format!("serial,{model}");
        let args = [
            "sweep",
            "--models",
            &models,
            "--workers",
            "2",
            "--tasks",
            "4",
            "--size",
            "1000",
            "--repeats",
            "1",
            "--warmup",
            "0",
            "--time-limit",
            "1s",
            "--export-json",
            json.to_str().unwrap(),
        ];
        let out = run_marked(model, &args, &[("CORESCOPE_WORKER_FAULT", "hang")]);
        let err = common::stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{model}: {err}");
        assert!(err.contains("timed out after 1.00 s"), "{model}: {err}");
        // The serial run is kept; the hung one is listed.
        let set = common::read_json(&json);
        assert_eq!(set["runs"].as_array().unwrap().len(), 1, "{set}");
        assert_eq!(set["timed_out"][0]["index"], 1, "{set}");
        assert_eq!(set["timed_out"][0]["limit_seconds"], 1.0, "{set}");
    }
}

/// A stand-in for CPython: the probe goes to the real `python3`; the
/// harness run misbehaves as `FAKE_PY` says.
const FAKE_PYTHON: &str = r#"#!/bin/sh
if [ "$1" = "-c" ]; then exec python3 "$@"; fi
read spec
ready='{"type":"ready","spawn_ns":1,"version":"3.11.0","worker_pids":[]}'
case "$FAKE_PY" in
  exit:*) exit "${FAKE_PY#exit:}" ;;
  garbage) printf 'hello \033[31mworld and a very long line\nsecond line\n'; sleep 1000 ;;
  huge) head -c 10000000 /dev/zero | tr '\0' x; sleep 1000 ;;
  early-close) exec 1>&-; sleep 1000 ;;
  hang) sleep 1000 ;;
  worker) echo "$ready"; read rep
    echo '{"type":"rep","start_ns":10,"end_ns":20,"cpu_ns":1,"tasks":[[0,99,1,11,12]],"bytes_to_workers":0,"bytes_from_workers":0,"messages":0}'
    sleep 1000 ;;
  backwards) echo "$ready"; read rep
    echo '{"type":"rep","start_ns":10,"end_ns":20,"cpu_ns":1,"tasks":[[0,0,1,15,12]],"bytes_to_workers":0,"bytes_from_workers":0,"messages":0}'
    sleep 1000 ;;
  negative) echo "$ready"; read rep
    echo '{"type":"rep","start_ns":-10,"end_ns":20,"cpu_ns":1,"tasks":[],"bytes_to_workers":0,"bytes_from_workers":0,"messages":0}'
    sleep 1000 ;;
  count) echo "$ready"; read rep
    echo '{"type":"rep","start_ns":10,"end_ns":20,"cpu_ns":1,"tasks":[],"bytes_to_workers":0,"bytes_from_workers":0,"messages":0}'
    sleep 1000 ;;
esac
"#;

#[test]
fn a_misbehaving_interpreter_fails_every_python_model_cleanly() {
    // The fake interpreter hands its probe to the real python3.
    if common::require_python().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("fake-python");
    std::fs::write(&fake, FAKE_PYTHON).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let faults = [
        ("exit:3", "exited with code 3"),
        (
            "garbage",
            "it printed 'hello \u{FFFD}[31mworld and a very long line',",
        ),
        ("huge", "longer than"),
        ("early-close", "failed in CPython"),
        ("hang", "timed out after 1.00 s"),
        ("worker", "worker 99"),
        ("backwards", "not inside the repetition"),
        ("negative", "not a harness message"),
        ("count", "0 of 1 tasks"),
    ];
    for model in ["python-serial", "python-threads", "python-processes"] {
        for (fault, expected) in faults {
            let workers = if model == "python-serial" { "1" } else { "2" };
            let args = [
                "run",
                "--model",
                model,
                "--workers",
                workers,
                "--tasks",
                "1",
                "--size",
                "1000",
                "--repeats",
                "1",
                "--warmup",
                "0",
                "--time-limit",
                "1s",
                "--python",
                fake.to_str().unwrap(),
            ];
            let label = format!("{model}-{fault}");
            let out = run_marked(&label, &args, &[("FAKE_PY", fault)]);
            let err = common::stderr(&out);
            assert_eq!(out.status.code(), Some(1), "{label}: {err}");
            assert!(err.contains(expected), "{label}: {err}");
            assert!(
                !err.contains('\u{1b}'),
                "{label}: an escape reached the terminal"
            );
            assert!(err.len() < 4000, "{label}: {} bytes of error", err.len());
        }
    }
}

#[test]
fn a_preset_refuses_experiment_flags_and_applies_the_time_limit() {
    for (flag, value) in [
        ("--workers", "2"),
        ("--order", "random"),
        ("--runtime-threads", "2"),
        ("--sharing", "atomic"),
    ] {
        let out = common::corescope(&["sweep", "--preset", "why-processes", flag, value]);
        let err = common::stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{flag}: {err}");
        assert!(err.contains("--preset") && err.contains(flag), "{err}");
    }
    // Applied, not ignored: every run of the lesson stops at it.
    let args = [
        "sweep",
        "--preset",
        "why-processes",
        "--time-limit",
        "100ms",
    ];
    let out = run_marked("preset-time-limit", &args, &[]);
    let err = common::stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("timed out after 100 ms"), "{err}");
}

#[test]
fn a_run_too_large_for_the_descriptor_limit_is_refused_up_front() {
    // `ulimit -n` in sh sets the hard limit too: nothing can raise it.
    let out = Command::new("sh")
        .arg("-c")
        .arg("ulimit -n 64; exec \"$0\" run --model processes --workers 64 --tasks 64")
        .arg(common::exe())
        .output()
        .unwrap();
    let err = common::stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("open files") && err.contains("limit is 64"),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "{err}");
}
