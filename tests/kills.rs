//! Killed, stopped and stopping: a worker of any process model killed
//! (SIGKILL, SIGTERM) or stopped (SIGSTOP) mid-run, corescope stopped by
//! Ctrl-C or a time limit, and corescope itself SIGKILLed. Every run ends
//! with a named error, and nothing it started stays running, mapped or on
//! disk. Bounds on time are generous: they only tell a hang from an end.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::{MarkedRun as Run, alive, marked, signal, wait_for};
use corescope::spec::Model;
use rustix::process::Signal;

/// python3 can run the harness; else the test is skipped saying so (or
/// fails, where CPython is required).
fn have_python() -> bool {
    common::require_python().is_some()
}

/// A run of slow sleep tasks: `tasks` × `ms` on two workers, far longer
/// than [`common::marked::ENDS_WITHIN`].
fn slow_args<'a>(model: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "run",
        "--model",
        model,
        "--workload",
        "sleep",
        "--size",
        "500",
        "--tasks",
        "600",
        "--workers",
        "2",
        "--repeats",
        "1",
        "--warmup",
        "0",
    ];
    args.extend_from_slice(extra);
    args
}

#[test]
fn a_killed_or_terminated_cpython_worker_ends_the_run_naming_it() {
    if !have_python() {
        return;
    }
    let models = ["python-processes", "python-queue", "python-executor"];
    for model in models {
        for (sig, name) in [(Signal::KILL, "SIGKILL"), (Signal::TERM, "SIGTERM")] {
            let label = format!("{model}-{name}");
            let run = Run::start(&label, &slow_args(model, &[]), &[]);
            let (_, workers) = run.python_workers(2);
            std::thread::sleep(Duration::from_millis(300));
            signal(workers[1], sig);
            let out = run.output(&label);
            let err = common::stderr(&out);
            assert_eq!(out.status.code(), Some(1), "{label}: {err}");
            // ProcessPoolExecutor terminates the rest of a broken pool
            // itself, so a sibling may be seen first: it names one of the
            // workers and how it ended.
            // Its own BrokenProcessPool may also be first to say so: a clean,
            // named failure either way.
            let named = if model == "python-executor" {
                err.contains("BrokenProcessPool")
                    || workers
                        .iter()
                        .any(|pid| err.contains(&format!("(pid {pid}) was killed by SIG")))
            } else {
                err.contains(&format!(
                    "(pid {}) was killed by {name} mid-run",
                    workers[1]
                ))
            };
            assert!(named, "{label}: {err}");
            if !err.contains("BrokenProcessPool") {
                assert!(err.contains("corescope ended the run"), "{label}: {err}");
            }
            run.assert_nothing_left(&label);
        }
    }
}

#[test]
fn every_process_model_ends_cleanly_when_a_worker_is_killed_terminated_or_stopped() {
    // The MPI models' ranks are hit in tests/mpi.rs, with mpirun and more.
    let models = Model::ALL
        .into_iter()
        .filter(|m| m.uses_processes() && !m.uses_mpirun());
    for model in models {
        if model.is_python() && !common::require_model(model) {
            continue;
        }
        for (sig, name) in [
            (Signal::KILL, "SIGKILL"),
            (Signal::TERM, "SIGTERM"),
            (Signal::STOP, "SIGSTOP"),
        ] {
            let label = format!("{}-any-{name}", model.name());
            // Each worker sits in one two-minute task: only the signal can
            // end the run soon (or, for SIGSTOP, the time limit).
            let mut args = vec!["run", "--model", model.name(), "--workload", "sleep"];
            args.extend(["--size", "120000", "--tasks", "4", "--workers", "2"]);
            args.extend(["--repeats", "1", "--warmup", "0"]);
            if sig == Signal::STOP {
                args.extend(["--time-limit", "10s"]);
            }
            let run = Run::start(&label, &args, &[]);
            let worker = run.any_worker(model.is_python());
            std::thread::sleep(Duration::from_millis(300));
            assert!(alive(worker), "{label}: the worker ended by itself");
            signal(worker, sig);
            let out = run.output(&label);
            let err = common::stderr(&out);
            assert_eq!(out.status.code(), Some(1), "{label}: {err}");
            assert!(!err.contains("panicked"), "{label}: {err}");
            if sig == Signal::STOP {
                assert!(err.contains("timed out after 10"), "{label}: {err}");
            } else {
                // Named: the worker and how it ended (ProcessPoolExecutor
                // may end its other workers first and say so itself).
                let named = err.contains(&format!("(pid {worker}) was killed by {name}"))
                    || err.contains(&format!("(pid {worker}) was killed by signal"))
                    || err.contains("BrokenProcessPool");
                assert!(named, "{label}: {err}");
            }
            run.assert_nothing_left(&label);
        }
    }
}

#[test]
fn a_stopped_worker_ends_the_run_at_the_time_limit() {
    let mut models = vec!["processes", "process-per-task"];
    if have_python() {
        models.extend(["python-processes", "python-queue"]);
    }
    for model in models {
        let label = format!("{model}-SIGSTOP");
        let run = Run::start(&label, &slow_args(model, &["--time-limit", "3s"]), &[]);
        // process-per-task: whichever task's process runs now.
        let worker = if model.starts_with("python") {
            run.python_workers(2).1[0]
        } else {
            run.own_workers(2)[0]
        };
        signal(worker, Signal::STOP);
        let out = run.output(&label);
        let err = common::stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{label}: {err}");
        assert!(err.contains("timed out after 3.00 s"), "{label}: {err}");
        run.assert_nothing_left(&label);
    }
}

/// The shared-memory segments `pid` has mapped (multiprocessing's
/// `psm_*`), whether or not their names are still there.
fn segments_of(pid: u32) -> Vec<PathBuf> {
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).unwrap_or_default();
    let mut found: Vec<PathBuf> = maps
        .lines()
        .filter_map(|line| line.split_whitespace().nth(5))
        .filter(|path| path.starts_with("/dev/shm/psm_"))
        .map(PathBuf::from)
        .collect();
    found.dedup();
    found
}

#[test]
fn no_shared_memory_stays_however_a_python_shm_run_ends() {
    if !have_python() {
        return;
    }
    let ends = ["worker-SIGKILL", "SIGINT", "SIGTERM"];
    for end in ends {
        let label = format!("python-processes-shm-{end}");
        let args = [
            "run",
            "--model",
            "python-processes",
            "--transport",
            "shm",
            "--workload",
            "echo",
            "--payload",
            "4MiB",
            "--size",
            "100000",
            "--tasks",
            "8",
            "--workers",
            "2",
            "--repeats",
            "1",
            "--warmup",
            "0",
        ];
        let run = Run::start(&label, &args, &[]);
        let (harness, workers) = run.python_workers(2);
        let segments = wait_for(Duration::from_secs(30), || {
            let found = segments_of(harness);
            (!found.is_empty()).then_some(found)
        })
        .expect("the harness maps its payload");
        std::thread::sleep(Duration::from_millis(300));
        match end {
            "worker-SIGKILL" => signal(workers[0], Signal::KILL),
            "SIGINT" => signal(run.pid, Signal::INT),
            _ => signal(run.pid, Signal::TERM),
        }
        let out = run.output(&label);
        assert_ne!(out.status.code(), Some(0), "{label}");
        run.assert_nothing_left(&label);
        for segment in segments {
            let segment = segment.to_string_lossy().replace(" (deleted)", "");
            assert!(
                !Path::new(&segment).exists(),
                "{label}: {segment} stayed in /dev/shm"
            );
        }
    }
}

#[test]
fn a_sigkilled_corescope_leaves_no_harness_script_and_no_worker() {
    if !have_python() {
        return;
    }
    for model in ["python-processes", "python-threads"] {
        let label = format!("{model}-corescope-SIGKILL");
        let run = Run::start(&label, &slow_args(model, &[]), &[]);
        let harness = run.harness();
        if model == "python-processes" {
            run.python_workers(2);
        }
        std::thread::sleep(Duration::from_millis(300));
        assert!(alive(harness), "{label}");
        signal(run.pid, Signal::KILL);
        let out = run.output(&label);
        assert_eq!(out.status.code(), None, "{label}: killed by a signal");
        run.assert_nothing_left(&label);
    }
}

/// A stand-in for CPython: the probe goes to the real `python3`; the
/// harness says ready, then floods valid task lines forever.
const FLOODING_PYTHON: &str = r#"#!/bin/sh
if [ "$1" = "-c" ]; then exec python3 "$@"; fi
read spec
echo '{"type":"ready","spawn_ns":1,"version":"3.11.0","worker_pids":[]}'
read rep
yes '{"type":"task","index":0}'
"#;

#[test]
fn a_harness_flooding_task_lines_cannot_outrun_the_time_limit() {
    if !have_python() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("flooding-python");
    std::fs::write(&fake, FLOODING_PYTHON).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let args = [
        "run",
        "--model",
        "python-threads",
        "--workers",
        "2",
        "--tasks",
        "1",
        "--repeats",
        "1",
        "--warmup",
        "0",
        "--time-limit",
        "1s",
        "--python",
        fake.to_str().unwrap(),
    ];
    let run = Run::start("flood", &args, &[]);
    let out = run.output("flood");
    let err = common::stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("timed out after 1.00 s"), "{err}");
    run.assert_nothing_left("flood");
}

/// One task far longer than [`common::marked::ENDS_WITHIN`] of `model` (in corescope's own
/// process: nothing can kill it), with `extra` flags.
fn endless_args<'a>(model: &'a str, workload: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    // An hour of sleep, or the most sqrt terms a task takes (seconds of
    // work, far past the limit).
    let size = if workload == "sleep" {
        "3600000"
    } else {
        "4000000000"
    };
    let mut args = vec![
        "run",
        "--model",
        model,
        "--workload",
        workload,
        "--size",
        size,
        "--tasks",
        "2",
        "--workers",
        if model.ends_with("serial") { "1" } else { "2" },
        "--repeats",
        "1",
        "--warmup",
        "0",
    ];
    args.extend_from_slice(extra);
    args
}

#[test]
fn an_in_process_task_stops_at_the_time_limit() {
    for model in ["serial", "threads", "gil-threads"] {
        for workload in ["sleep", "sqrt-sum"] {
            let label = format!("{model}-{workload}-time-limit");
            let args = endless_args(model, workload, &["--time-limit", "1s"]);
            let run = Run::start(&label, &args, &[]);
            let out = run.output(&label);
            let err = common::stderr(&out);
            assert_eq!(out.status.code(), Some(1), "{label}: {err}");
            assert!(err.contains("timed out after 1.00 s"), "{label}: {err}");
            run.assert_nothing_left(&label);
        }
    }
}

#[test]
fn ctrl_c_stops_an_in_process_task() {
    for model in ["serial", "threads", "gil-threads"] {
        let label = format!("{model}-ctrl-c");
        let run = Run::start(&label, &endless_args(model, "sleep", &[]), &[]);
        // Inside its task once the clock runs; the signal may come sooner,
        // which stops it as well.
        std::thread::sleep(Duration::from_millis(1500));
        signal(run.pid, Signal::INT);
        let out = run.output(&label);
        let err = common::stderr(&out);
        assert_eq!(out.status.code(), Some(130), "{label}: {err}");
        assert!(err.contains("interrupted"), "{label}: {err}");
    }
}

#[test]
fn an_address_space_limit_fails_a_large_echo_run_without_aborting() {
    // From too little to start a worker to enough for the whole run: each
    // limit ends in an exit code, never in an abort.
    for kib in [250_000, 300_000, 350_000, 400_000, 600_000] {
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "ulimit -v {kib}; exec \"$0\" run --model processes --workers 2 --workload echo \
                 --payload 16MiB --size 1 --tasks 2 --repeats 1 --warmup 0"
            ))
            .arg(common::exe())
            .output()
            .unwrap();
        let err = common::stderr(&out);
        assert!(
            matches!(out.status.code(), Some(0..=2)),
            "ulimit -v {kib}: {:?}: {err}",
            out.status
        );
        assert!(!err.contains("panicked"), "ulimit -v {kib}: {err}");
    }
}

/// A wrapper around `python3` that leaves a background child holding the
/// output it shares: the interpreter's probe must not wait for it.
const WRAPPING_PYTHON: &str = r#"#!/bin/sh
sleep 120 &
exec python3 "$@"
"#;

#[test]
fn a_python_wrapper_s_background_child_does_not_hang_the_probe() {
    if !have_python() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let wrapper = dir.path().join("wrapping-python");
    std::fs::write(&wrapper, WRAPPING_PYTHON).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let args = [
        "run",
        "--model",
        "python-threads",
        "--workers",
        "2",
        "--tasks",
        "2",
        "--size",
        "1000",
        "--repeats",
        "1",
        "--warmup",
        "0",
        "--python",
        wrapper.to_str().unwrap(),
    ];
    let run = Run::start("wrapper", &args, &[]);
    // Ended long before the background child (120 s) lets go of the pipe.
    let out = run.output("wrapper");
    let err = common::stderr(&out);
    for pid in marked(&run.mark) {
        signal(pid, Signal::KILL);
    }
    assert_eq!(out.status.code(), Some(0), "{err}");
}

/// Whether process `pid` has a thread named `name`.
fn has_thread(pid: u32, name: &str) -> bool {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .map(|tasks| {
            tasks.flatten().any(|task| {
                std::fs::read_to_string(task.path().join("comm"))
                    .is_ok_and(|comm| comm.trim() == name)
            })
        })
        .unwrap_or(false)
}

/// How long one task of [`an_async_run_stops_long_before_its_task_would_end`] takes: each
/// stop must come long before it. The longest wait the net service takes,
/// so that a machine loaded by other tests (a debug binary starting under
/// load takes seconds) cannot pass for a stop that waited for the task.
const LONG_TASK: Duration = Duration::from_secs(60);

#[test]
fn an_async_run_stops_long_before_its_task_would_end() {
    // Tokio cannot interrupt a computation on its thread, nor does an
    // aborted future stop a blocked read by itself: each stop must still
    // end the run within a fraction of one task's length.
    let wait_ms = LONG_TASK.as_millis().to_string();
    for model in ["async", "async+processes"] {
        // A 60 s sleep, a net request the service answers after 60 s (a
        // blocked socket read), and a computation of at least 60 s (a
        // debug build's 4 billion terms).
        for (workload, size) in [
            ("sleep", wait_ms.as_str()),
            ("net", wait_ms.as_str()),
            ("sqrt-sum", "4000000000"),
        ] {
            for threads in ["1", "2"] {
                for stop in ["ctrl-c", "time-limit"] {
                    let label = format!("{model}-{workload}-rt{threads}-{stop}");
                    let mut args = vec![
                        "run",
                        "--model",
                        model,
                        "--workload",
                        workload,
                        "--size",
                        size,
                        "--tasks",
                        "2",
                        "--workers",
                        "2",
                        "--runtime-threads",
                        threads,
                        "--repeats",
                        "1",
                        "--warmup",
                        "0",
                    ];
                    if stop == "time-limit" {
                        args.extend(["--time-limit", "1s"]);
                    }
                    let began = std::time::Instant::now();
                    let run = Run::start(&label, &args, &[]);
                    if stop == "ctrl-c" {
                        // Once corescope handles Ctrl-C (before that the
                        // signal ends it unhandled, on a busy machine too).
                        wait_for(Duration::from_secs(30), || {
                            has_thread(run.pid, "ctrl-c").then_some(())
                        })
                        .expect("corescope handles Ctrl-C");
                        std::thread::sleep(Duration::from_millis(500));
                        signal(run.pid, Signal::INT);
                    }
                    let out = run.output(&label);
                    let took = began.elapsed();
                    let err = common::stderr(&out);
                    let code = if stop == "ctrl-c" { 130 } else { 1 };
                    assert_eq!(out.status.code(), Some(code), "{label}: {err}");
                    assert!(
                        took < LONG_TASK / 2,
                        "{label}: took {took:?}, a task lasts {LONG_TASK:?}: {err}"
                    );
                    run.assert_nothing_left(&label);
                }
            }
        }
    }
}

/// How a run is stopped in [`every_model_stops_and_leaves_nothing`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    CtrlC,
    TimeLimit,
    /// corescope itself SIGKILLed.
    Killed,
}

#[test]
fn every_model_stops_and_leaves_nothing() {
    // Every model this machine can run (each missing one skipped saying
    // why, or failing where its part is required), each with two tasks of
    // an hour's sleep: Ctrl-C and a one-second time limit end the run long
    // before a task would, and neither they nor a SIGKILL of corescope
    // itself leave a process, a temporary file or a name in /dev/shm.
    for model in Model::ALL {
        if !common::require_model(model) {
            continue;
        }
        for stop in [Stop::CtrlC, Stop::TimeLimit, Stop::Killed] {
            let label = format!("{}-{stop:?}", model.name());
            let extra: &[&str] = if stop == Stop::TimeLimit {
                &["--time-limit", "1s"]
            } else {
                &[]
            };
            let run = Run::start(&label, &endless_args(model.name(), "sleep", extra), &[]);
            if stop != Stop::TimeLimit {
                // Once corescope handles Ctrl-C, and its workers are up.
                wait_for(Duration::from_secs(30), || {
                    has_thread(run.pid, "ctrl-c").then_some(())
                })
                .expect("corescope handles Ctrl-C");
                std::thread::sleep(Duration::from_millis(1500));
                let sig = if stop == Stop::CtrlC {
                    Signal::INT
                } else {
                    Signal::KILL
                };
                signal(run.pid, sig);
            }
            let out = run.output(&label);
            let err = common::stderr(&out);
            match stop {
                Stop::CtrlC => assert_eq!(out.status.code(), Some(130), "{label}: {err}"),
                Stop::TimeLimit => {
                    assert_eq!(out.status.code(), Some(1), "{label}: {err}");
                    assert!(err.contains("timed out after 1"), "{label}: {err}");
                }
                Stop::Killed => assert_eq!(out.status.code(), None, "{label}: {err}"),
            }
            run.assert_nothing_left(&label);
            let shm: Vec<String> = std::fs::read_dir("/dev/shm")
                .map(|dir| {
                    dir.flatten()
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .filter(|name| name.contains(&format!("-{}-", run.pid)))
                        .collect()
                })
                .unwrap_or_default();
            assert!(shm.is_empty(), "{label}: left in /dev/shm: {shm:?}");
        }
    }
}
