//! The app's data folder read as untrusted input: `results.json` edited by
//! hand, swapped for a FIFO or a link to `/dev/zero`, holding a run that
//! claims four billion workers. Each is refused in bounded time and memory,
//! the valid experiments still load, and what is refused is kept aside
//! without overwriting an earlier copy.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::process::Command;

use corescope::session::store::ResultsStore;

/// A data folder whose `results.json` holds the given experiments.
fn store_of(data: &Path, experiments: &[serde_json::Value]) {
    let stored = serde_json::json!({ "experiments": experiments });
    std::fs::write(data.join("results.json"), stored.to_string()).unwrap();
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_run_claiming_four_billion_workers_is_left_out_and_kept_aside() {
    let work = tempfile::tempdir().unwrap();
    let saved = common::saved_sweep(work.path(), "set", &[]);
    let good = common::read_json(&saved);
    let mut bad = good.clone();
    bad["runs"][0]["workers"] = serde_json::json!(4_000_000_000u64);
    let data = tempfile::tempdir().unwrap();
    store_of(data.path(), &[good.clone(), bad]);

    let (store, message) = ResultsStore::open(Some(data.path()));
    assert_eq!(store.experiments.len(), 1, "the valid experiment loads");
    let message = message.expect("the refusal is reported");
    assert!(message.contains("experiment 2"), "{message}");
    assert!(message.contains("workers"), "{message}");
    assert!(message.contains("results.json.unreadable"), "{message}");
    assert_eq!(names(data.path()), ["results.json.unreadable"]);

    // Refused a second time: the first copy kept aside stays as it was.
    let first = std::fs::read(data.path().join("results.json.unreadable")).unwrap();
    store_of(data.path(), &[serde_json::json!({ "not": "a set" })]);
    let (store, message) = ResultsStore::open(Some(data.path()));
    assert!(store.experiments.is_empty());
    assert!(message.unwrap().contains("unreadable.2"));
    assert_eq!(
        names(data.path()),
        ["results.json.unreadable", "results.json.unreadable.2"]
    );
    assert_eq!(
        std::fs::read(data.path().join("results.json.unreadable")).unwrap(),
        first
    );
}

#[test]
fn a_fifo_or_a_link_to_dev_zero_is_refused_at_once() {
    let data = tempfile::tempdir().unwrap();
    let results = data.path().join("results.json");
    std::os::unix::fs::symlink("/dev/zero", &results).unwrap();
    let (store, message) = ResultsStore::open(Some(data.path()));
    assert!(store.experiments.is_empty());
    let message = message.unwrap();
    assert!(message.contains("not a regular file"), "{message}");
    // Moved aside as the link it is; /dev/zero is untouched.
    assert!(
        std::fs::symlink_metadata(data.path().join("results.json.unreadable"))
            .unwrap()
            .file_type()
            .is_symlink()
    );

    let made = Command::new("mkfifo").arg(&results).status().unwrap();
    assert!(made.success());
    let (store, message) = ResultsStore::open(Some(data.path()));
    assert!(store.experiments.is_empty());
    assert!(message.unwrap().contains("FIFO"));
}
