//! Hostile paths and untrusted files, with the real binary: exports aimed
//! at a device node (made with `mknod` in a temporary folder, never the
//! machine's own), a FIFO, a symlink, a name too long; a report killed
//! part-way; result files edited to lie.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::fs;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::Path;
use std::process::Command;

use common::require::{Part, require_that};
use common::{corescope, stderr};

/// A quick run exporting JSON to `path`.
fn run_exporting(path: &Path) -> std::process::Output {
    corescope(&[
        "run",
        "--model",
        "serial",
        "--tasks",
        "2",
        "--size",
        "1000",
        "--repeats",
        "1",
        "--warmup",
        "0",
        "--export-json",
        path.to_str().unwrap(),
    ])
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_device_node_is_refused_before_the_run_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let device = dir.path().join("null");
    // The same device as /dev/null, but ours: a bug here breaks nothing.
    let made = Command::new("mknod")
        .arg(&device)
        .args(["c", "1", "3"])
        .status()
        .unwrap();
    // mknod needs CAP_MKNOD (root): the FIFO test covers the rest.
    if !require_that(Part::Root, made.success(), "mknod is not permitted here") {
        return;
    }
    let out = run_exporting(&device);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--export-json") && err.contains("character device"),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "the run went ahead: {err}");
    assert!(fs::metadata(&device).unwrap().file_type().is_char_device());
    // Through a symlink, the same.
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&device, &link).unwrap();
    let out = run_exporting(&link);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(fs::metadata(&device).unwrap().file_type().is_char_device());
    assert_eq!(names(dir.path()), ["link.json", "null"]);
}

#[test]
fn a_fifo_is_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("results.json");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let out = run_exporting(&fifo);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("FIFO"), "{err}");
    assert!(fs::metadata(&fifo).unwrap().file_type().is_fifo());
    // And as a result file to read: refused, not read until it closes.
    let out = corescope(&["report", fifo.to_str().unwrap(), "--out", "unused"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("FIFO"), "{err}");
    assert_eq!(names(dir.path()), ["results.json"]);
}

#[test]
fn a_symlink_is_followed_and_an_existing_file_keeps_its_mode() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("kept.json");
    fs::write(&target, "old").unwrap();
    fs::set_permissions(&target, fs::Permissions::from_mode(0o644)).unwrap();
    let link = dir.path().join("latest.json");
    std::os::unix::fs::symlink("kept.json", &link).unwrap();
    let out = run_exporting(&link);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let meta = fs::metadata(&target).unwrap();
    assert_eq!(meta.permissions().mode() & 0o7777, 0o644);
    assert!(common::read_json(&target)["runs"].is_array());
    assert_eq!(names(dir.path()), ["kept.json", "latest.json"]);
}

#[test]
fn a_name_too_long_is_refused_before_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let long = dir.path().join(format!("{}.json", "r".repeat(300)));
    let out = run_exporting(&long);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("too long"), "{err}");
    assert!(out.stdout.is_empty(), "the run went ahead: {err}");
    assert!(names(dir.path()).is_empty());
}

#[test]
fn a_report_killed_part_way_leaves_no_folder_and_its_leftovers_are_swept() {
    let dir = tempfile::tempdir().unwrap();
    let json = common::saved_sweep(dir.path(), "set", &["--models", "serial"]);
    let out_dir = dir.path().join("report");
    // A file size limit kills the report (SIGXFSZ) at its first large
    // image: a process that runs no clean-up at all.
    let killed = Command::new("sh")
        .arg("-c")
        .arg("ulimit -f 64; exec \"$0\" report \"$1\" --out \"$2\"")
        .arg(common::exe())
        .arg(&json)
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(!killed.status.success(), "{}", stderr(&killed));
    assert!(!out_dir.exists(), "a half report was left");
    let stale: Vec<String> = names(dir.path())
        .into_iter()
        .filter(|n| n.starts_with(corescope::export::TEMP_PREFIX))
        .collect();
    assert_eq!(stale.len(), 1, "{:?}", names(dir.path()));
    // The next report sweeps what the killed one left.
    let out = corescope(&[
        "report",
        json.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(names(dir.path()), ["report", "set.json"]);
    assert!(out_dir.join("report.md").is_file());
}

/// `report` on `path`: exit code and stderr.
fn report_of(path: &Path, out: &Path) -> (Option<i32>, String) {
    let out = corescope(&[
        "report",
        path.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    (out.status.code(), stderr(&out))
}

#[test]
fn an_edited_result_file_is_refused_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let json = common::saved_sweep(dir.path(), "set", &["--models", "serial,processes"]);
    let good = common::read_json(&json);
    let out = dir.path().join("report");
    // (pointer, value, the field the error must name)
    let edits: [(&str, serde_json::Value, &str); 8] = [
        (
            "/runs/2/spans/0/worker",
            4_000_000_000u32.into(),
            "runs[2].spans[0].worker",
        ),
        ("/runs/1/workers", 0.into(), "runs[1].workers"),
        ("/runs/1/tasks", 4_000_000_000u32.into(), "runs[1].tasks"),
        ("/runs/2/speedup", 1e308.into(), "runs[2].speedup"),
        (
            "/runs/0/spans/0/end_seconds",
            (-1.0).into(),
            "runs[0].spans[0].end_seconds",
        ),
        (
            "/runs/0/wall_seconds/median",
            (-0.5).into(),
            "runs[0].wall_seconds.median",
        ),
        (
            "/runs/2/memory/total_rss_bytes",
            1.into(),
            "runs[2].memory.total_rss_bytes",
        ),
        ("/machine/logical_cores", 0.into(), "machine.logical_cores"),
    ];
    for (pointer, value, field) in edits {
        let mut edited = good.clone();
        *edited
            .pointer_mut(pointer)
            .unwrap_or_else(|| panic!("{pointer}")) = value;
        let path = dir.path().join("edited.json");
        fs::write(&path, serde_json::to_vec(&edited).unwrap()).unwrap();
        let (code, err) = report_of(&path, &out);
        assert_eq!(code, Some(2), "{pointer}: {err}");
        assert!(err.contains(field), "{pointer}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    // An end before its start (both in range).
    let mut edited = good.clone();
    let span = edited.pointer_mut("/runs/0/spans/0").unwrap();
    span["end_seconds"] = (span["start_seconds"].as_f64().unwrap() / 2.0 - 1e-3)
        .max(0.0)
        .into();
    span["start_seconds"] = 1.0.into();
    let path = dir.path().join("edited.json");
    fs::write(&path, serde_json::to_vec(&edited).unwrap()).unwrap();
    let (code, err) = report_of(&path, &out);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("runs[0].spans[0].end_seconds") && err.contains("before the start"));
    assert!(!out.exists());
    // The untouched file still makes a report.
    assert_eq!(report_of(&json, &out).0, Some(0));
}

#[test]
fn only_a_regular_file_of_bounded_size_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    // A sparse file past the cap: refused from its size, never read.
    let big = dir.path().join("big.json");
    fs::File::create(&big)
        .unwrap()
        .set_len(corescope::results::MAX_FILE_BYTES + 1)
        .unwrap();
    let (code, err) = report_of(&big, &out);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("larger than"), "{err}");
    let (code, err) = report_of(dir.path(), &out);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("folder"), "{err}");
    // A device that never ends (like /dev/urandom), made here.
    let urandom = dir.path().join("urandom");
    let made = Command::new("mknod")
        .arg(&urandom)
        .args(["c", "1", "9"])
        .status()
        .unwrap();
    // The device case needs root (mknod); the rest of the test runs anyway.
    if require_that(
        Part::Root,
        made.success(),
        "mknod is not permitted here (the device case)",
    ) {
        let (code, err) = report_of(&urandom, &out);
        assert_eq!(code, Some(2), "{err}");
        assert!(err.contains("character device"), "{err}");
    }
    assert!(!out.exists());
}

#[test]
fn a_large_file_of_zeros_is_refused_within_memory_of_its_size() {
    // 400 MB of zeros (sparse: no disk), refused by the JSON reader. Once
    // it took 1.9 GB before it was refused; here the address space stops
    // at about 1 GB, so anything past the file's own size aborts.
    let dir = tempfile::tempdir().unwrap();
    let zeros = dir.path().join("zeros.json");
    fs::File::create(&zeros)
        .unwrap()
        .set_len(400_000_000)
        .unwrap();
    let out = Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 1000000; exec \"$0\" report \"$1\" --out \"$2\"")
        .arg(common::exe())
        .arg(&zeros)
        .arg(dir.path().join("report"))
        .output()
        .unwrap();
    let err = common::stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("not a corescope result set"), "{err}");
}
