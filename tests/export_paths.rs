//! Export paths that used to lose work or fail late, with the real binary:
//! two formats into one file, a path that names a folder, a report whose
//! `--out` is a file, compared sets whose names become one folder name,
//! and labels as long as a whole path.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use common::{corescope, stderr};

/// A sweep small enough to take a moment, with extra flags.
fn sweep(extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "sweep",
        "--workload",
        "sqrt-sum",
        "--size",
        "1000",
        "--tasks",
        "2",
        "--models",
        "serial",
        "--repeats",
        "1",
        "--warmup",
        "0",
    ];
    args.extend_from_slice(extra);
    corescope(&args)
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn two_formats_into_one_file_are_refused_before_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.data");
    let file = file.to_str().unwrap();
    let out = sweep(&["--export-json", file, "--export-csv", file]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("also the --export-json file"),
        "{}",
        stderr(&out)
    );
    assert!(entries(dir.path()).is_empty(), "nothing was written");
}

#[test]
fn a_path_that_names_a_folder_is_refused_before_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let folder = format!("{}/new/", dir.path().display());
    let out = sweep(&["--export-json", &folder]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("ends in '/'"), "{}", stderr(&out));
    assert!(entries(dir.path()).is_empty());
}

#[test]
fn a_report_out_that_is_a_file_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let saved = common::saved_sweep(dir.path(), "set", &[]);
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "mine").unwrap();
    let out = corescope(&[
        "report",
        saved.to_str().unwrap(),
        "--out",
        file.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("a report is a folder"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine");
}

#[test]
fn compared_sets_whose_names_meet_keep_their_own_folders() {
    let dir = tempfile::tempdir().unwrap();
    let first = common::saved_sweep(dir.path(), "a.b", &[]);
    let second = common::saved_sweep(dir.path(), "a_b", &[]);
    // A label as long as a whole path: the two stems are the same.
    let deep = dir.path().join("d".repeat(120)).join("e".repeat(120));
    std::fs::create_dir_all(&deep).unwrap();
    let third = common::saved_sweep(&deep, "a_b", &[]);

    // `a.b` and `a_b` are told apart by the file system, not by safe names.
    let pair = dir.path().join("pair");
    let out = corescope(&[
        "report",
        first.to_str().unwrap(),
        second.to_str().unwrap(),
        "--out",
        pair.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(entries(&pair.join("runs")), ["a_b", "a_b-2"]);

    let out_dir = dir.path().join("report");
    let out = corescope(&[
        "report",
        first.to_str().unwrap(),
        second.to_str().unwrap(),
        third.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let runs = entries(&out_dir.join("runs"));
    assert_eq!(runs.len(), 3, "one folder per set: {runs:?}");
    assert!(runs.iter().all(|name| name.len() <= 70), "{runs:?}");
    let results: Vec<String> = entries(&out_dir)
        .into_iter()
        .filter(|name| name.starts_with("results-"))
        .collect();
    assert_eq!(results.len(), 3, "{results:?}");
}

#[test]
fn a_sweep_too_large_to_read_back_is_refused_before_it_runs() {
    // 5 models × 1024 worker counts × 2 schedules: 10,240 runs, past the
    // 10,000 a saved set may hold.
    let out = corescope(&[
        "sweep",
        "--models",
        "threads,gil-threads,processes,process-per-task,async",
        "--workers",
        "1..1024",
        "--schedule",
        "static,queue",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("10240 runs"), "{}", stderr(&out));
}
