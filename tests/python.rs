//! The python models against the real CPython on PATH: the same checksums as
//! corescope's own workloads, the bytes multiprocessing pickles, and clean
//! failures that leave no process behind; threads that overlap without the
//! GIL and take turns under it. Skipped, saying so, where no python3 (3.8 or
//! newer) or no free-threaded CPython exists, and failed there where the
//! part is required (`common::require`; CI requires both).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::gui::app;
use common::{
    alive, exe, require_free_threaded, require_python, run_on, run_spec, stderr, wait_for,
};
use corescope::results::SpanRecord;
use corescope::spec::{Model, RunSpec, Schedule, StartMethod};
use corescope::workload::Workload;

/// Small sizes: CPython is tens of times slower than Rust.
fn small(workload: Workload) -> u64 {
    match workload {
        Workload::SqrtSum => 20_000,
        Workload::Primes => 3_000,
        Workload::Mandelbrot => 40,
        Workload::Sleep | Workload::Net => 1,
        Workload::Mixed => 1,
        Workload::Echo => 2,
        Workload::Counter => 1_000,
        Workload::Code | Workload::Command => 0,
    }
}

#[test]
fn every_workload_gives_rusts_checksum_in_cpython() {
    let Some(python) = require_python() else {
        return;
    };
    for workload in Workload::ALL {
        let size = small(workload);
        let rust = run_on(
            &run_spec(Model::Serial, workload)
                .size(size)
                .tasks(5)
                .payload(3000)
                .io_percent(50)
                .repeats(2)
                .build(),
            &python,
        );
        let cpython = run_on(
            &run_spec(Model::PythonSerial, workload)
                .size(size)
                .tasks(5)
                .payload(3000)
                .io_percent(50)
                .repeats(2)
                .build(),
            &python,
        );
        assert_eq!(cpython.checksum, rust.checksum, "{workload}");
        assert!(cpython.python_version.is_some());
        // Every task has one span, on the repetition's own timeline.
        assert_eq!(cpython.spans.len(), 5, "{workload}");
        let wall = cpython.repetitions.iter().map(|r| r.wall_seconds);
        let longest = wall.fold(0.0, f64::max);
        for span in &cpython.spans {
            assert!(span.start_seconds <= span.end_seconds, "{span:?}");
            assert!(span.end_seconds <= longest + 1.0, "{span:?}");
        }
    }
}

#[test]
fn every_python_pool_computes_the_same_as_rust() {
    let Some(python) = require_python() else {
        return;
    };
    // Mandelbrot's bands differ in cost and index: a wrong order or a lost
    // task changes the checksum.
    let rust = run_on(
        &run_spec(Model::Serial, Workload::Mandelbrot)
            .size(40)
            .tasks(6)
            .repeats(2)
            .build(),
        &python,
    );
    let mut runs = Vec::new();
    for model in [
        Model::PythonThreads,
        Model::PythonProcesses,
        Model::PythonExecutor,
        Model::PythonQueue,
    ] {
        for schedule in [Schedule::Queue, Schedule::Static] {
            let s = run_spec(model, Workload::Mandelbrot)
                .size(40)
                .tasks(6)
                .workers(2)
                .repeats(2)
                .schedule(schedule)
                .build();
            runs.push(s);
        }
    }
    let spawned = run_spec(Model::PythonProcesses, Workload::Mandelbrot)
        .size(40)
        .tasks(6)
        .workers(2)
        .repeats(2)
        .start_method(StartMethod::Spawn)
        .build();
    runs.push(spawned);
    for s in runs {
        let record = run_on(&s, &python);
        assert_eq!(record.checksum, rust.checksum, "{}", s.label());
        assert!(record.spawn_seconds > 0.0, "{}", s.label());
        let workers: std::collections::BTreeSet<u32> =
            record.spans.iter().map(|sp| sp.worker).collect();
        assert!(workers.iter().all(|&w| w < 2), "{}: {workers:?}", s.label());
        if s.model.uses_processes() {
            assert_eq!(record.processes_started, 2, "{}", s.label());
            assert_eq!(record.start_method, Some(s.start_method));
        }
    }
}

#[test]
fn python_processes_report_the_bytes_they_pickle() {
    let Some(python) = require_python() else {
        return;
    };
    let tasks = 4u64;
    let mut s = run_spec(Model::PythonProcesses, Workload::Echo)
        .size(1)
        .tasks(tasks as u32)
        .workers(2)
        .payload(20_000)
        .repeats(2)
        .build();
    let record = run_on(&s, &python);
    let payloads = tasks * 20_000;
    // Each task's payload goes out and its transformed copy comes back,
    // pickled, plus a little framing and the call's own bytes.
    for (what, bytes) in [
        ("to", record.ipc.bytes_to_workers),
        ("from", record.ipc.bytes_from_workers),
    ] {
        assert!(
            bytes >= payloads && bytes < payloads + tasks * 1024,
            "{what} workers: {bytes} B for {payloads} B of payloads"
        );
    }
    assert_eq!(record.ipc.messages, 2 * tasks);
    // Threads share memory: nothing is pickled.
    s.model = Model::PythonThreads;
    let threads = run_on(&s, &python);
    assert_eq!(
        threads.ipc.bytes_to_workers + threads.ipc.bytes_from_workers,
        0
    );
    assert_eq!(threads.checksum, record.checksum);
}

/// A stand-in interpreter: answers the probe with the real python3, and
/// fails as the harness would, writing its pid to `pid_file` first.
fn failing_python(dir: &Path, pid_file: &Path) -> PathBuf {
    let path = dir.join("python-that-fails");
    std::fs::write(
        &path,
        format!(
            "#!/bin/sh\nif [ \"$1\" = -c ]; then exec python3 \"$@\"; fi\n\
             echo $$ > {}\necho 'Traceback: ModuleNotFoundError: no module named boom' >&2\nexit 1\n",
            pid_file.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[test]
fn a_failing_harness_is_a_clean_error_with_its_stderr() {
    if require_python().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("pid");
    let python = failing_python(dir.path(), &pid_file);
    let out = common::corescope(&[
        "run",
        "--model",
        "python-threads",
        "--workers",
        "2",
        "--python",
        python.to_str().unwrap(),
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("python-threads failed in CPython")
            && err.contains("exited with code 1")
            && err.contains("no module named boom"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    let pid: u32 = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(!alive(pid));
}

#[test]
fn an_interpreter_that_cannot_run_is_refused_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("python-broken");
    std::fs::write(&path, "#!/bin/sh\necho 'cannot start' >&2\nexit 1\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = common::corescope(&[
        "sweep",
        "--models",
        "serial,python-serial",
        "--python",
        path.to_str().unwrap(),
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.starts_with("error: --models: python-serial needs python: ")
            && err.contains("exited with code 1: cannot start"),
        "{err}"
    );
    let out = common::corescope(&[
        "run",
        "--model",
        "python-serial",
        "--python",
        "corescope-no-such-python",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("corescope-no-such-python not found on PATH (set --python)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_crashed_harness_fails_the_run_and_takes_its_pool_along() {
    let Some(_) = require_python() else {
        return;
    };
    let child = Command::new(exe())
        .args([
            "run",
            "--model",
            "python-processes",
            "--workers",
            "2",
            "--workload",
            "sleep",
            "--size",
            "100",
            "--tasks",
            "200",
            "--repeats",
            "1",
            "--warmup",
            "0",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The harness is corescope's child; its pool workers are the harness's.
    let (harness, pool) = wait_for(Duration::from_secs(30), || {
        let harness = *corescope::platform::child_pids(child.id()).first()?;
        let pool = corescope::platform::child_pids(harness);
        (pool.len() >= 2).then_some((harness, pool))
    })
    .expect("the harness starts its pool");
    common::signal(harness, rustix::process::Signal::KILL);
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("python-processes failed in CPython") && err.contains("signal 9"),
        "{err}"
    );
    for pid in pool {
        assert!(
            wait_for(Duration::from_secs(5), || (!alive(pid)).then_some(())).is_some(),
            "pool worker {pid} outlived its harness"
        );
    }
}

/// Two sqrt-sum tasks of ~0.2 s in CPython, one per thread, with a switch
/// interval so long that a thread holding the GIL keeps it for its whole
/// task: under the GIL the spans cannot overlap; without it they must (the
/// kernel starts both threads, on one core or two, long before either ends).
fn two_long_tasks(model: Model) -> RunSpec {
    run_spec(model, Workload::SqrtSum)
        .size(3_000_000)
        .tasks(2)
        .workers(2)
        .schedule(Schedule::Static)
        .chunk(1)
        .switch_interval_us(10_000_000)
        .build()
}

/// Whether two spans share an instant.
fn overlap(a: &SpanRecord, b: &SpanRecord) -> bool {
    a.start_seconds.max(b.start_seconds) < a.end_seconds.min(b.end_seconds)
}

#[test]
fn free_threaded_threads_run_at_once_and_compute_the_same() {
    let test = "free_threaded_threads_run_at_once_and_compute_the_same";
    let Some(python) = require_free_threaded() else {
        return;
    };
    let rust = run_on(&two_long_tasks(Model::Serial), &python);
    let serial = run_on(&two_long_tasks(Model::PythonSerial), &python);
    let nogil = run_on(&two_long_tasks(Model::PythonThreadsNogil), &python);
    assert_eq!(serial.checksum, rust.checksum);
    assert_eq!(nogil.checksum, rust.checksum);
    assert_eq!(nogil.gil_enabled, Some(false), "sys._is_gil_enabled()");
    assert_eq!(
        nogil.python_interpreter.as_deref(),
        Some(python.to_string_lossy().as_ref())
    );
    let [a, b] = nogil.spans.as_slice() else {
        panic!("two spans expected: {:?}", nogil.spans);
    };
    assert_ne!(a.worker, b.worker, "one task per thread: {a:?} {b:?}");
    assert!(
        overlap(a, b),
        "without a GIL both threads compute at once: {a:?} {b:?}"
    );
    eprintln!(
        "{test}: {python:?}: python-serial {:.3} s, python-threads-nogil ×2 {:.3} s",
        serial.wall_seconds.median, nogil.wall_seconds.median
    );
}

#[test]
fn python_threads_under_the_gil_take_turns() {
    // python3 (with a GIL, unless it is a free-threaded build), and a
    // free-threaded build, where corescope turns the GIL back on for
    // python-threads: then the lesson compares them on one interpreter.
    let interpreters = [require_python(), require_free_threaded()];
    for python in interpreters.into_iter().flatten() {
        let threads = run_on(&two_long_tasks(Model::PythonThreads), &python);
        assert_eq!(threads.gil_enabled, Some(true), "{python:?}");
        let [a, b] = threads.spans.as_slice() else {
            panic!("two spans expected: {:?}", threads.spans);
        };
        assert!(
            !overlap(a, b),
            "{python:?}: the GIL lets one thread compute at a time: {a:?} {b:?}"
        );
    }
}

#[test]
fn without_python_the_window_greys_the_python_models_and_says_why() {
    use egui_kittest::kittest::{NodeT, Queryable};
    let data = tempfile::tempdir().unwrap();
    let mut harness = app(data.path())
        .setup(|app| app.settings.python = "corescope-no-such-python".to_string())
        .build();
    harness
        .get_by_label("CPython models (the real GIL)")
        .click();
    harness.run_steps(4);
    let node = harness.get_by_label("python-threads");
    assert!(node.accesskit_node().is_disabled());
    assert!(
        !harness
            .get_by_label("threads")
            .accesskit_node()
            .is_disabled()
    );
    // A python model ticked before (a restored form) is refused with the
    // reason (folded again, so Run is on screen).
    harness
        .get_by_label("CPython models (the real GIL)")
        .click();
    harness.run_steps(4);
    harness
        .state_mut()
        .settings
        .form
        .set_model(Model::PythonThreads, true);
    harness.get_by_label("▶ Run").click();
    harness.run_steps(4);
    assert!(!harness.state().is_running());
    harness.get_by_label_contains(
        "Models: python-threads needs python: corescope-no-such-python not found on PATH (set the Python field",
    );
}

#[test]
fn a_python_exception_mid_run_is_reported_with_its_traceback() {
    if require_python().is_none() {
        return;
    }
    // CPython under a 300 MB address-space limit: ten 40 MiB echo results
    // kept for the repetition cannot fit, and Python raises MemoryError.
    let dir = tempfile::tempdir().unwrap();
    let python = dir.path().join("python-with-little-memory");
    std::fs::write(
        &python,
        "#!/bin/sh\nulimit -v 300000\nexec python3 \"$@\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&python, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = common::corescope(&[
        "run",
        "--model",
        "python-serial",
        "--workload",
        "echo",
        "--payload",
        "40MiB",
        "--size",
        "1",
        "--tasks",
        "10",
        "--repeats",
        "1",
        "--warmup",
        "0",
        "--python",
        python.to_str().unwrap(),
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("python-serial failed in CPython")
            && err.contains("during a repetition: MemoryError")
            && err.contains("the harness exited with code 1")
            && err.contains("in run_task"),
        "{err}"
    );
}

#[test]
fn python_asyncio_computes_what_corescope_computes() {
    let Some(python) = require_python() else {
        return;
    };
    // The async models do not run the counter workload (their descriptors
    // offer no sharing mode).
    for workload in Workload::ALL
        .into_iter()
        .filter(|&w| w != Workload::Counter)
    {
        let size = small(workload);
        let rust = run_on(
            &run_spec(Model::Serial, workload)
                .size(size)
                .tasks(5)
                .payload(3000)
                .io_percent(50)
                .repeats(2)
                .build(),
            &python,
        );
        for model in [Model::PythonAsyncio, Model::PythonAsyncioProcesses] {
            for schedule in [Schedule::Queue, Schedule::Static] {
                let s = run_spec(model, workload)
                    .size(size)
                    .tasks(5)
                    .workers(3)
                    .payload(3000)
                    .io_percent(50)
                    .repeats(2)
                    .schedule(schedule)
                    .build();
                let record = run_on(&s, &python);
                assert_eq!(record.checksum, rust.checksum, "{workload}: {}", s.label());
                assert_eq!(record.spans.len(), 5, "{workload}: {}", s.label());
                assert!(record.spans.iter().all(|sp| sp.worker < 3));
                // Waits are awaited in the event loop: only computing
                // crosses to the pool.
                let shipped = record.ipc.bytes_to_workers > 0;
                let computes = !matches!(workload, Workload::Sleep | Workload::Net);
                assert_eq!(
                    shipped,
                    computes && model == Model::PythonAsyncioProcesses,
                    "{workload}: {}",
                    s.label()
                );
            }
        }
    }
}

/// CPython's shared-memory segments (`multiprocessing.shared_memory`).
fn python_shared_segments() -> Vec<String> {
    std::fs::read_dir("/dev/shm")
        .map(|dir| {
            dir.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|name| name.starts_with("psm_"))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn python_processes_share_payloads_through_shared_memory_under_shm() {
    let Some(python) = require_python() else {
        return;
    };
    let before = python_shared_segments();
    let (tasks, payload) = (6u64, 50_000u64);
    let mut s = run_spec(Model::PythonProcesses, Workload::Echo)
        .size(2)
        .tasks(tasks as u32)
        .workers(2)
        .payload(payload)
        .repeats(2)
        .build();
    let piped = run_on(&s, &python);
    s.transport = corescope::spec::Transport::Shm;
    let shared = run_on(&s, &python);
    assert_eq!(shared.checksum, piped.checksum);
    assert_eq!(shared.transport, corescope::spec::Transport::Shm);
    let moved = tasks * payload;
    assert_eq!(shared.ipc.bytes_shared_to_workers, moved);
    assert_eq!(shared.ipc.bytes_shared_from_workers, moved);
    // Only the task indices and the values are pickled.
    assert!(
        shared.ipc.bytes_to_workers + shared.ipc.bytes_from_workers < tasks * 2 * 1024,
        "{:?}",
        shared.ipc
    );
    assert!(piped.ipc.bytes_to_workers >= moved);
    // Rust's own checksum, computed without CPython, is the same.
    s.model = Model::Serial;
    assert_eq!(run_on(&s, &python).checksum, shared.checksum);
    let leaked: Vec<String> = python_shared_segments()
        .into_iter()
        .filter(|name| !before.contains(name))
        .collect();
    assert!(leaked.is_empty(), "segments left behind: {leaked:?}");
}
