//! `sweep --code FILE.py:FUNCTION` with a real interpreter: every example
//! under the CPython models that can run here, the same results (digests)
//! everywhere but for the shared counter, whose difference is reported;
//! and each bad input answered in one line, with its exit status, leaving
//! no process and no temporary file behind.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{read_json, require_model, require_python, stdout};
use corescope::spec::Model;

/// The CPython models, in the order a sweep lists them.
const CPYTHON: [Model; 9] = [
    Model::PythonSerial,
    Model::PythonThreads,
    Model::PythonThreadsNogil,
    Model::PythonProcesses,
    Model::PythonExecutor,
    Model::PythonQueue,
    Model::PythonAsyncio,
    Model::PythonAsyncioProcesses,
    Model::PythonMpi,
];

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
        .display()
        .to_string()
}

/// Runs corescope marked, in a temporary folder of its own; checks that no
/// process it started survives it and that it left no temporary file.
fn run_marked(label: &str, args: &[&str]) -> Output {
    common::run_marked(label, args, &[])
}

/// A sweep of `code` under `models` at 2 workers, one repetition; its JSON.
fn sweep(label: &str, code: &str, models: &[Model], extra: &[&str]) -> (Output, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("set.json");
    let names: Vec<&str> = models.iter().map(|m| m.name()).collect();
    let names = names.join(",");
    let mut args = vec![
        "sweep",
        "--code",
        code,
        "--models",
        &names,
        "--workers",
        "2",
        "--repeats",
        "1",
        "--warmup",
        "0",
        "--export-json",
        json.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = run_marked(label, &args);
    assert!(
        out.status.success(),
        "{label}: {}",
        common::error_line(&out)
    );
    (out, read_json(&json))
}

/// The CPython models that can run here (each missing one skipped, or
/// failing where its part is required).
fn runnable() -> Vec<Model> {
    CPYTHON.into_iter().filter(|&m| require_model(m)).collect()
}

/// Each run's model and digest.
fn digests(set: &serde_json::Value) -> Vec<(String, String)> {
    set["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["model"].as_str().unwrap().to_string(),
                r["code"]["digest"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn every_example_returns_the_same_results_under_every_cpython_model() {
    if require_python().is_none() {
        return;
    }
    let models = runnable();
    let examples = [
        ("pure_python.py:work", &["--tasks", "4"][..]),
        ("hashing.py:digest", &["--tasks", "4"][..]),
        ("json_roundtrip.py:roundtrip", &["--tasks", "4"][..]),
        ("compress.py:squeeze", &[][..]),
        ("async_fetch.py:fetch", &["--tasks", "4"][..]),
    ];
    for (code, extra) in examples {
        let (out, set) = sweep(code, &example(code), &models, extra);
        let runs = digests(&set);
        assert_eq!(runs.len(), models.len(), "{code}");
        assert!(
            runs.iter().all(|(_, d)| d.len() == 64 && *d == runs[0].1),
            "{code}: {runs:?}"
        );
        assert_eq!(set["isolation"]["results_differ"], false, "{code}");
        assert!(
            stdout(&out).contains("every model returned the same results"),
            "{code}: {}",
            stdout(&out)
        );
        // Arguments and results cross to the process models' workers.
        for run in set["runs"].as_array().unwrap() {
            let model: Model = run["model"].as_str().unwrap().parse().unwrap();
            let crossed = run["ipc"]["bytes_to_workers"].as_u64().unwrap();
            let crosses = model.uses_processes() || model.uses_mpirun();
            let awaited = code.starts_with("async") && model.workers_are_tasks();
            assert_eq!(crossed > 0, crosses && !awaited, "{code} {model}");
        }
    }
    // inputs() sets the task count, and the records say so.
    let (_, set) = sweep(
        "inputs",
        &example("compress.py:squeeze"),
        &[Model::PythonSerial],
        &[],
    );
    assert_eq!(set["runs"][0]["tasks"], 8);
    assert_eq!(set["runs"][0]["code"]["inputs"], true);
}

#[test]
fn a_shared_counter_returns_other_results_under_processes_and_it_is_said() {
    if require_python().is_none() {
        return;
    }
    let models = [
        Model::PythonSerial,
        Model::PythonThreads,
        Model::PythonProcesses,
    ];
    let code = example("shared_counter.py:count");
    let (out, set) = sweep("counter", &code, &models, &["--tasks", "12"]);
    let isolation = &set["isolation"];
    assert_eq!(isolation["results_differ"], true, "{isolation}");
    let sentence = "results differ between python-threads and python-processes: \
                    this function depends on state shared between tasks";
    assert_eq!(isolation["sentence"], sentence);
    assert!(stdout(&out).contains(sentence), "{}", stdout(&out));
    // Threads share the serial run's results; the processes' differ.
    let runs = digests(&set);
    assert_eq!(runs[0].1, runs[1].1, "{runs:?}");
    assert_ne!(runs[1].1, runs[2].1, "{runs:?}");
}

/// A file of `source` in a fresh folder.
fn file(dir: &Path, name: &str, source: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, source).unwrap();
    path
}

/// `sweep --code` on a bad input: its exit status and its error line.
fn refused(label: &str, code: &str, extra: &[&str]) -> (i32, String) {
    let mut args = vec![
        "sweep",
        "--code",
        code,
        "--workers",
        "2",
        "--repeats",
        "1",
        "--warmup",
        "0",
    ];
    args.extend_from_slice(extra);
    let out = run_marked(label, &args);
    (out.status.code().unwrap_or(-1), common::error_line(&out))
}

#[test]
fn bad_files_and_names_are_refused_before_anything_runs() {
    if require_python().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str, function: &str| format!("{}:{function}", dir.path().join(name).display());
    file(dir.path(), "syntax.py", b"def f(i):\n    return i +\n");
    file(
        dir.path(),
        "binary.py",
        &[0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 0xff],
    );
    file(
        dir.path(),
        "names.py",
        b"def a(i):\n    return i\n\nasync def b(i):\n    return i\n",
    );
    file(dir.path(), "noarg.py", b"def f():\n    return 1\n");
    let cases = [
        ("missing", at("missing.py", "f"), "missing.py: no such file"),
        (
            "syntax",
            at("syntax.py", "f"),
            "syntax.py is not valid Python: line 2",
        ),
        (
            "binary",
            at("binary.py", "f"),
            "binary.py is not a Python file",
        ),
        (
            "names",
            at("names.py", "c"),
            "names.py has no function c(); it defines a, b",
        ),
        ("noarg", at("noarg.py", "f"), "f() must take one argument"),
        (
            "format",
            "nofunction.py".to_string(),
            "expected FILE.py:FUNCTION",
        ),
    ];
    for (label, code, said) in cases {
        let (status, line) = refused(label, &code, &[]);
        assert_eq!(status, 2, "{label}: {line}");
        assert!(
            line.starts_with("error: --code: ") && line.contains(said),
            "{label}: {line}"
        );
    }
    // corescope's own models cannot call Python.
    let (status, line) = refused(
        "rust-models",
        &example("hashing.py:digest"),
        &["--models", "serial,python-threads,processes"],
    );
    assert_eq!(status, 2, "{line}");
    assert!(
        line.contains("serial, processes cannot run a Python function")
            && line.contains("python-serial, python-threads"),
        "{line}"
    );
}

#[test]
fn failures_inside_the_function_end_the_run_in_one_line() {
    if require_python().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| format!("{}:f", dir.path().join(name).display());
    file(
        dir.path(),
        "raises.py",
        b"def f(i):\n    return 10 // (i - 2)\n",
    );
    file(
        dir.path(),
        "result.py",
        b"import threading\ndef f(i):\n    return threading.Lock()\n",
    );
    file(
        dir.path(),
        "argument.py",
        b"def inputs():\n    return [1, lambda: 2]\ndef f(x):\n    return 1\n",
    );
    file(
        dir.path(),
        "forever.py",
        b"import time\ndef f(i):\n    while True:\n        time.sleep(0.05)\n",
    );
    // Reading stdin finds nothing: corescope's own lines stay apart.
    file(dir.path(), "reads.py", b"def f(i):\n    return input()\n");
    let processes = ["--models", "python-processes"];
    let cases = [
        (
            "raises",
            at("raises.py"),
            &["--models", "python-threads"][..],
            "task 2: f(2) raised ZeroDivisionError: integer division or modulo by zero \
             (raises.py, line 2)",
        ),
        (
            "raises-in-a-worker",
            at("raises.py"),
            &processes[..],
            "task 2: f(2) raised ZeroDivisionError",
        ),
        (
            "reads",
            at("reads.py"),
            &["--models", "python-serial"][..],
            "task 0: f(0) raised EOFError: EOF when reading a line (reads.py, line 2)",
        ),
        (
            "result",
            at("result.py"),
            &processes[..],
            "a result cannot be pickled (TypeError: cannot pickle '_thread.lock' object): \
             under python-processes each result crosses back from a worker process as a \
             pickle, the price of isolation",
        ),
        (
            "argument",
            at("argument.py"),
            &processes[..],
            "the argument of task 1 (<function inputs.<locals>.<lambda>",
        ),
        (
            "forever",
            at("forever.py"),
            &["--models", "python-processes", "--time-limit", "2s"][..],
            "1 of the runs timed out (--time-limit)",
        ),
    ];
    for (label, code, extra, said) in cases {
        let (status, line) = refused(label, &code, extra);
        assert_eq!(status, 1, "{label}: {line}");
        assert!(line.contains(said), "{label}: {line}");
        assert_eq!(line.lines().count(), 1, "{label}: {line}");
    }
}

#[test]
fn prints_are_kept_apart_and_module_code_run_again_is_said() {
    if require_python().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // Megabytes of prints: they go to stderr, whose tail alone is kept,
    // and never into corescope's conversation with the harness.
    file(
        dir.path(),
        "chatty.py",
        b"def f(i):\n    for _ in range(20000):\n        print('spam ' * 20)\n    return i\n",
    );
    file(
        dir.path(),
        "loading.py",
        b"print('loading the model...')\n\ndef f(i):\n    return i\n",
    );
    let chatty = format!("{}:f", dir.path().join("chatty.py").display());
    let models = [Model::PythonSerial, Model::PythonProcesses];
    let (_, set) = sweep("chatty", &chatty, &models, &["--tasks", "4"]);
    assert_eq!(set["isolation"]["results_differ"], false);
    let loading = format!("{}:f", dir.path().join("loading.py").display());
    let (out, set) = sweep(
        "loading",
        &loading,
        &models,
        &["--tasks", "4", "--start-method", "spawn"],
    );
    let said = "runs again in every spawned worker (it printed)";
    assert!(stdout(&out).contains(said), "{}", stdout(&out));
    let note = set["runs"][1]["code"]["reimport"].as_str().unwrap_or("");
    assert!(note.contains(said), "{note}");
    // fork copies the imported module: nothing runs again.
    let (out, _) = sweep("loading-fork", &loading, &models, &["--tasks", "4"]);
    assert!(!stdout(&out).contains(said), "{}", stdout(&out));
    // Every MPI rank is a fresh interpreter.
    if require_model(Model::PythonMpi) {
        let (out, _) = sweep(
            "loading-mpi",
            &loading,
            &[Model::PythonMpi],
            &["--tasks", "4"],
        );
        assert!(stdout(&out).contains(said), "{}", stdout(&out));
    }
}
