//! `corescope report`: a saved result set becomes charts, a CSV and a
//! Markdown report; bad files are refused with their name.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{corescope, stderr};

#[test]
fn a_saved_sweep_becomes_a_report_folder() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let out = corescope(&[
        "sweep",
        "--workload",
        "sqrt-sum",
        "--size",
        "100000",
        "--tasks",
        "4",
        "--workers",
        "1..2",
        "--repeats",
        "1",
        "--warmup",
        "0",
        "--export-json",
        json.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
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
