//! `corescope report`: a saved result set becomes charts, a CSV and a
//! Markdown report; bad files are refused with their name.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{corescope, stderr};

#[test]
fn a_saved_sweep_becomes_a_report_folder() {
    let dir = tempfile::tempdir().unwrap();
    let json = common::saved_sweep(dir.path(), "r", &[]);
    let folder = dir.path().join("report");
    let out = corescope(&[
        "report",
        json.to_str().unwrap(),
        "--out",
        folder.to_str().unwrap(),
        "--width",
        "800",
        "--height",
        "450",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    for stem in ["wall-time", "speedup", "efficiency", "ipc-bytes"] {
        let svg = std::fs::read_to_string(folder.join(format!("{stem}.svg"))).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.contains("workers"),
            "{stem}.svg"
        );
        let png = std::fs::read(folder.join(format!("{stem}.png"))).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), 800);
    }
    let report = std::fs::read_to_string(folder.join("report.md")).unwrap();
    assert!(
        report.contains("| `processes` |") && report.contains("Serial fraction"),
        "{report}"
    );
    assert!(report.contains("![Speedup](speedup.svg)"));
    assert_eq!(
        std::fs::read_to_string(folder.join("results.csv"))
            .unwrap()
            .lines()
            .count(),
        6
    );
}

#[test]
fn a_counter_sweep_reports_its_lost_updates() {
    let dir = tempfile::tempdir().unwrap();
    let json = common::saved_sweep(
        dir.path(),
        "c",
        &[
            "--workload",
            "counter",
            "--sharing",
            "racy,isolated",
            "--models",
            "threads,processes",
        ],
    );
    let folder = dir.path().join("report");
    let out = corescope(&[
        "report",
        json.to_str().unwrap(),
        "--out",
        folder.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lost = std::fs::read_to_string(folder.join("lost-updates.svg")).unwrap();
    assert!(
        lost.contains("own copies"),
        "processes racy: the parent's copy"
    );
    assert!(folder.join("increment-cost.png").exists());
    let csv = std::fs::read_to_string(folder.join("results.csv")).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(
        header.ends_with("sharing,expected_total,total,lost_updates,counted_in,warnings"),
        "{header}"
    );
    // processes racy ×2: nothing reached the main process.
    assert!(
        csv.lines()
            .any(|l| l.contains(",racy,400000,0,400000,worker-copies,")),
        "{csv}"
    );
    let report = std::fs::read_to_string(folder.join("report.md")).unwrap();
    assert!(report.contains("| lost updates |"), "{report}");
    // A sweep that did not count has no counter charts.
    let plain = common::saved_sweep(dir.path(), "p", &[]);
    let folder = dir.path().join("plain");
    let out = corescope(&[
        "report",
        plain.to_str().unwrap(),
        "--out",
        folder.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!folder.join("lost-updates.svg").exists());
}

#[test]
fn corrupt_or_foreign_files_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("report");
    for (name, text) in [
        ("truncated.json", "{\"schema_version\": 1, \"runs\": ["),
        ("foreign.json", "{\"hello\": 1}"),
        ("notes.txt", "hi"),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let out = corescope(&[
            "report",
            path.to_str().unwrap(),
            "--out",
            folder.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        let err = stderr(&out);
        assert!(
            err.contains(name) && err.contains("not a corescope result set"),
            "{err}"
        );
        assert!(!folder.exists(), "nothing is written for {name}");
    }
    let out = corescope(&[
        "report",
        "/nonexistent/r.json",
        "--out",
        folder.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("/nonexistent/r.json"));
}

#[test]
fn a_saved_set_round_trips_through_json() {
    let dir = tempfile::tempdir().unwrap();
    let json = common::saved_sweep(
        dir.path(),
        "first",
        &["--workload", "echo", "--size", "1", "--payload", "4KiB"],
    );
    let set = corescope::results::ResultSet::load(&json).unwrap();
    assert!(
        set.runs
            .iter()
            .filter(|r| r.model == corescope::spec::Model::Processes)
            .all(|r| r.spans.iter().all(|s| s.ipc.is_some())),
        "process spans carry their stamps"
    );
    let again = dir.path().join("again.json");
    corescope::export::data::write(corescope::export::data::DataFormat::Json, &set, &again)
        .unwrap();
    assert_eq!(corescope::results::ResultSet::load(&again).unwrap(), set);
}

#[test]
fn two_sets_share_every_chart_and_weak_scaling_reads_gustafson() {
    let dir = tempfile::tempdir().unwrap();
    // Three worker counts: a scaling law is fitted to no fewer.
    let strong = common::saved_sweep(dir.path(), "strong", &["--workers", "1..3"]);
    let weak = common::saved_sweep(
        dir.path(),
        "weak",
        &["--scaling", "weak", "--workers", "1..3"],
    );
    let set = corescope::results::ResultSet::load(&weak).unwrap();
    let tasks: Vec<(u32, u32)> = set.runs.iter().map(|r| (r.workers, r.tasks)).collect();
    assert_eq!(
        tasks,
        [(1, 4), (1, 4), (2, 8), (3, 12), (1, 4), (2, 8), (3, 12)],
        "tasks grow with the workers"
    );
    // Laws are fitted from worker counts that had a core each: as if this
    // machine had 4, all three do, whatever machine runs the test.
    for path in [&strong, &weak] {
        let mut json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        json["machine"]["logical_cores"] = serde_json::json!(4);
        std::fs::write(path, json.to_string()).unwrap();
    }
    let folder = dir.path().join("compare");
    let out = corescope(&[
        "report",
        weak.to_str().unwrap(),
        strong.to_str().unwrap(),
        "--out",
        folder.to_str().unwrap(),
        "--dark",
        "--predict-to",
        "16",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    for stem in [
        "wall-time",
        "speedup",
        "efficiency",
        "ipc-bytes",
        "overhead",
    ] {
        for extension in ["svg", "png"] {
            assert!(
                folder.join(format!("{stem}.{extension}")).is_file(),
                "{stem}.{extension}"
            );
        }
    }
    let wall = std::fs::read_to_string(folder.join("wall-time.svg")).unwrap();
    assert!(wall.contains("weak: processes") && wall.contains("strong: processes"));
    let speedup = std::fs::read_to_string(folder.join("speedup.svg")).unwrap();
    assert!(speedup.contains("Scaled speedup (weak scaling)"));
    assert!(
        speedup.contains("Gustafson fit: ") && speedup.contains("Fitted laws, to 16 workers"),
        "the weak set's prediction, in its own panel"
    );
    let overhead = std::fs::read_to_string(folder.join("overhead.svg")).unwrap();
    for text in [
        "Where the time went",
        "compute",
        "serialization",
        "transfer",
        "waiting",
    ] {
        assert!(overhead.contains(text), "{text}");
    }
    let report = std::fs::read_to_string(folder.join("report.md")).unwrap();
    assert!(
        report.contains("Comparing **weak** and **strong**"),
        "{report}"
    );
    assert!(report.contains("| `processes` | Gustafson |"), "{report}");
    assert!(report.contains("| `processes` | Amdahl |"), "{report}");
    assert!(
        folder.join("results-weak.csv").is_file() && folder.join("results-strong.csv").is_file()
    );
}

#[test]
fn a_report_that_cannot_be_written_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let json = common::saved_sweep(dir.path(), "r", &[]);
    let out = corescope(&[
        "report",
        json.to_str().unwrap(),
        "--out",
        "/proc/corescope-report",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("/proc/corescope-report") && err.contains("report was not written"),
        "{err}"
    );
    let out = corescope(&[
        "report",
        json.to_str().unwrap(),
        "--out",
        "x",
        "--predict-to",
        "lots",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--predict-to"), "{}", stderr(&out));
}
