//! The command line as a user meets it: real runs of the real binary, bad
//! input on purpose, and the files it writes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{corescope, read_json, stderr, stdout};

/// Small, quick runs: the tests check what happened, not how fast.
const QUICK: &[&str] = &["--repeats", "1", "--warmup", "0"];

fn args<'a>(head: &[&'a str], tail: &[&'a str]) -> Vec<&'a str> {
    head.iter().chain(QUICK).chain(tail).copied().collect()
}

#[test]
fn bad_input_exits_2_with_one_clear_line_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("out.json");
    let json_arg = json.to_str().unwrap();
    let not_a_folder = dir.path().join("file");
    std::fs::write(&not_a_folder, "x").unwrap();
    let under_a_file = not_a_folder.join("out.json");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["run", "--workers", "0"], "--workers"),
        (vec!["run", "--workers", "1025"], "--workers"),
        (vec!["run", "--tasks", "0"], "--tasks"),
        (vec!["run", "--repeats", "0"], "--repeats"),
        (vec!["run", "--workload", "quicksort"], "--workload"),
        (vec!["run", "--model", "fibers"], "--model:"),
        (vec!["sweep", "--models", "serial,fibers"], "--models"),
        (vec!["run", "--size", "12QB"], "--size"),
        (vec!["run", "--size", "-5"], "--size"),
        (
            vec!["run", "--workload", "echo", "--payload", "12QB"],
            "--payload",
        ),
        (
            vec!["run", "--workload", "echo", "--payload", "-1KiB"],
            "--payload",
        ),
        (vec!["sweep", "--workers", "4..1"], "--workers"),
        (vec!["sweep", "--workers", "0..2"], "--workers"),
        (vec!["run", "--schedule", "random"], "--schedule"),
        (
            vec!["run", "--export-json", "/nonexistent-folder/out.json"],
            "--export-json",
        ),
        (
            vec!["run", "--export-csv", under_a_file.to_str().unwrap()],
            "--export-csv",
        ),
        (
            vec!["run", "--export-markdown", dir.path().to_str().unwrap()],
            "--export-markdown",
        ),
    ];
    for (case, flag) in cases {
        let mut full = case.clone();
        // A valid JSON export beside the bad value must not be written either.
        if !case.contains(&"--export-json") {
            full.extend(["--export-json", json_arg]);
        }
        let out = corescope(&full);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{case:?}: {err}");
        let first = err.lines().next().unwrap_or_default();
        assert!(
            first.starts_with(&format!("error: {flag}")),
            "{case:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{case:?}: {err}");
        assert!(stdout(&out).is_empty(), "{case:?}");
        assert!(!json.exists(), "{case:?} wrote a file");
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "only the file we made"
    );
}

#[test]
fn clap_errors_also_exit_2() {
    let out = corescope(&["run", "--no-such-flag"]);
    assert_eq!(out.status.code(), Some(2));
    let out = corescope(&["run", "--workers"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn sweep_prints_a_table_and_writes_every_export() {
    let dir = tempfile::tempdir().unwrap();
    let (json, csv, md) = (
        dir.path().join("r.json"),
        dir.path().join("r.csv"),
        dir.path().join("r.md"),
    );
    let out = corescope(&args(
        &[
            "sweep",
            "--workload",
            "sqrt-sum",
            "--size",
            "200000",
            "--tasks",
            "8",
        ],
        &[
            "--workers",
            "1..2",
            "--export-json",
            json.to_str().unwrap(),
            "--export-csv",
            csv.to_str().unwrap(),
            "--export-markdown",
            md.to_str().unwrap(),
        ],
    ));
    assert!(out.status.success(), "{}", stderr(&out));
    let table = stdout(&out);
    for word in [
        "serial",
        "threads",
        "processes",
        "speedup",
        "efficiency",
        "IPC",
    ] {
        assert!(table.contains(word), "{word} missing from\n{table}");
    }

    let set = read_json(&json);
    assert_eq!(set["schema_version"], corescope::results::SCHEMA_VERSION);
    for key in [
        "cpu_model",
        "logical_cores",
        "physical_cores",
        "memory_bytes",
        "os",
    ] {
        assert!(set["machine"].get(key).is_some(), "machine.{key}");
    }
    let runs = set["runs"].as_array().unwrap();
    // serial once, threads and processes at 1 and 2 workers.
    assert_eq!(runs.len(), 5);
    for run in runs {
        for key in [
            "workload",
            "model",
            "workers",
            "schedule",
            "tasks",
            "size",
            "payload_bytes",
            "spawn_seconds",
            "cpu_seconds",
            "speedup",
            "efficiency",
            "checksum",
            "spans",
            "repetitions",
        ] {
            assert!(run.get(key).is_some(), "runs[].{key}");
        }
        for key in ["median", "min", "max"] {
            assert!(run["wall_seconds"][key].as_f64().unwrap() > 0.0);
        }
        for key in ["bytes_to_workers", "bytes_from_workers", "messages"] {
            assert!(run["ipc"][key].is_u64());
        }
        assert!(run["speedup"].as_f64().unwrap() > 0.0);
        assert_eq!(run["checksum"], runs[0]["checksum"]);
    }
    let csv_text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(csv_text.lines().count(), 6);
    assert!(csv_text.starts_with("workload,model,workers"));
    let md_text = std::fs::read_to_string(&md).unwrap();
    assert!(md_text.contains("| `processes` | 2 |"), "{md_text}");
}

#[test]
fn a_run_without_serial_has_no_speedup_and_says_why() {
    let out = corescope(&args(
        &[
            "run",
            "--model",
            "threads",
            "--workers",
            "2",
            "--tasks",
            "4",
            "--size",
            "1000",
        ],
        &[],
    ));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("serial baseline"));
}

#[test]
fn sweep_output_keeps_to_80_columns_without_breaking_a_name() {
    // The longest Rust model names, async's workers in flight, and flags
    // wherever the machine is busy: printed to a pipe, laid out for 80.
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let out = corescope(&[
        "sweep",
        "--models",
        "serial,process-per-task,async+processes",
        "--workers",
        "1,2",
        "--tasks",
        "4",
        "--size",
        "1000",
        "--export-json",
        json.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for line in text.lines() {
        // A command to copy keeps its file's path whole, however long.
        if line.contains("corescope ") {
            continue;
        }
        assert!(line.chars().count() <= 80, "{line:?} is over 80:\n{text}");
    }
    for name in ["process-per-task", "async+processes", "2 in flight"] {
        assert!(text.contains(name), "{name} broken or missing:\n{text}");
    }
}
