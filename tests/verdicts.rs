//! Lesson verdicts end to end: the real binary measures a lesson with real
//! worker processes, the JSON export carries its verdict, a lesson missing
//! an optional part runs what it can, and a machine loaded on purpose (by
//! a busy loop this test starts and kills) withholds every verdict.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Busy, corescope, read_json, stderr, stdout};
use corescope::measure::system_load::{self, Snapshot};
use corescope::presets;

const OUTCOMES: [&str; 3] = ["holds", "does-not-hold", "withheld"];

/// A lesson measured into `json` from a data folder of its own.
fn lesson(name: &str, extra: &[&str], json: &std::path::Path) -> std::process::Output {
    let mut args = vec!["sweep", "--preset", name, "--export-json"];
    let path = json.to_str().unwrap();
    args.push(path);
    args.extend_from_slice(extra);
    corescope(&args)
}

#[test]
fn a_lesson_s_json_carries_its_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("cpu.json");
    let out = lesson("cpu-parallelism", &[], &json);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Verdict ("), "{}", stdout(&out));
    let set = read_json(&json);
    let verdict = &set["verdict"];
    let outcome = verdict["outcome"].as_str().unwrap();
    assert!(OUTCOMES.contains(&outcome), "{verdict}");
    assert!(!verdict["sentence"].as_str().unwrap().is_empty());
    assert_eq!(verdict["models"], serde_json::json!(["processes"]));
    assert!(set["load_during"]["other_cpu_cores"].is_number(), "{set}");
    // "does not hold" only when nothing at all was flagged.
    if outcome == "does-not-hold" {
        assert_eq!(set["warnings"], serde_json::json!([]));
    }
    // Sized on this machine: the serial run is long enough to be sampled.
    let serial = set["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["model"] == "serial")
        .unwrap();
    let wall = serial["wall_seconds"]["median"].as_f64().unwrap();
    assert!(wall >= 0.1, "serial lasted {wall} s");
    // The file reads back.
    corescope::results::ResultSet::load(&json).unwrap();
}

#[test]
fn a_lesson_without_its_optional_part_runs_what_it_can() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("gil.json");
    let out = lesson("gil-real", &["--python", "/nonexistent/python3"], &json);
    assert!(out.status.success(), "{}", stderr(&out));
    let set = read_json(&json);
    assert_eq!(set["verdict"]["outcome"], "withheld", "{}", set["verdict"]);
    let sentence = set["verdict"]["sentence"].as_str().unwrap();
    assert!(sentence.contains("not measured here"), "{sentence}");
    let missing = set["not_measured"].as_array().unwrap();
    assert_eq!(missing.len(), 3, "{missing:?}");
    assert!(
        missing[0].as_str().unwrap().contains("python"),
        "{missing:?}"
    );
    let models: Vec<&str> = set["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["model"].as_str().unwrap())
        .collect();
    assert!(models.contains(&"serial") && models.contains(&"processes"));
}

#[test]
fn a_busy_machine_withholds_the_verdict_and_the_findings() {
    let Some(_) = Snapshot::now() else {
        return; // no kernel counters here
    };
    let _busy: Vec<Busy> = (0..2).map(|_| Busy::start()).collect();
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("busy.json");
    let out = lesson("cpu-parallelism", &[], &json);
    assert!(out.status.success(), "{}", stderr(&out));
    let set = read_json(&json);
    assert_eq!(set["verdict"]["outcome"], "withheld", "{}", set["verdict"]);
    let text = stdout(&out);
    assert!(
        text.contains("No findings: other programs were busy"),
        "{text}"
    );
    assert!(
        stderr(&out).contains("waiting up to 5 s for it to calm down"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_kernel_counters_see_a_busy_loop() {
    let Some(start) = Snapshot::now() else {
        return;
    };
    let busy = Busy::start();
    std::thread::sleep(std::time::Duration::from_millis(600));
    let reading = system_load::between(&start, &Snapshot::now().unwrap()).unwrap();
    drop(busy);
    assert!(reading.other_cpu_cores > 0.5, "{reading:?}");
}

#[test]
fn every_lesson_judges_its_claim() {
    let presets = presets::all().unwrap();
    let unjudged: Vec<&str> = presets
        .iter()
        .filter(|p| p.judge.is_empty())
        .map(|p| p.name.as_str())
        .collect();
    assert!(unjudged.is_empty(), "{unjudged:?}");
    // Written for this machine: no preset speaks of four cores.
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let cpu = presets::find("cpu-parallelism").unwrap();
    assert!(
        cpu.claim.contains(&format!("{cores} cores")),
        "{}",
        cpu.claim
    );
    assert!(!cpu.claim.contains("four cores"));
}
