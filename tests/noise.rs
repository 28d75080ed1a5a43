//! The noise guard and the measuring order, end to end: a machine loaded
//! on purpose by busy processes this test starts (and kills), real worker
//! processes, result files read back.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::{Child, Command};
use std::sync::Arc;

use corescope::engine::runner::Runner;
use corescope::engine::{EngineConfig, RunEvent};
use corescope::noise::code;
use corescope::results::ResultSet;
use corescope::spec::{RawExperiment, Setting};

/// Busy loops in shell processes that take other programs' share of the
/// cores; killed and reaped when dropped.
struct Busy(Vec<Child>);

impl Busy {
    fn start(count: usize) -> Busy {
        Busy(
            (0..count)
                .map(|_| {
                    Command::new("sh")
                        .args(["-c", "while :; do :; done"])
                        .spawn()
                        .expect("sh starts")
                })
                .collect(),
        )
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn codes(warnings: &serde_json::Value) -> Vec<String> {
    warnings
        .as_array()
        .expect("a warnings list")
        .iter()
        .map(|w| w["code"].as_str().unwrap().to_string())
        .collect()
}

/// Sequence numbers of a run's measured repetitions in a JSON set.
fn sequences(run: &serde_json::Value) -> Vec<u64> {
    run["repetitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["sequence"].as_u64().unwrap())
        .collect()
}

#[test]
fn a_machine_loaded_on_purpose_is_flagged_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("busy.json");
    let csv = dir.path().join("busy.csv");
    let _busy = Busy::start(2);
    // Sleeping tasks leave the cores to the busy loops: what the sampler
    // sees besides corescope is theirs.
    let out = common::corescope(&[
        "sweep",
        "--workload",
        "sleep",
        "--size",
        "60",
        "--tasks",
        "4",
        "--models",
        "serial,processes",
        "--workers",
        "2",
        "--repeats",
        "3",
        "--export-json",
        json.to_str().unwrap(),
        "--export-csv",
        csv.to_str().unwrap(),
    ]);
    let stdout = common::stdout(&out);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let set = common::read_json(&json);
    assert!(
        codes(&set["warnings"]).contains(&code::BUSY_BEFORE.to_string()),
        "{}",
        set["warnings"]
    );
    for run in set["runs"].as_array().unwrap() {
        assert!(
            codes(&run["warnings"]).contains(&code::BUSY_MACHINE.to_string()),
            "{}",
            run["warnings"]
        );
        assert!(run["load"]["other_cpu_cores"].as_f64().unwrap() >= 0.5);
        let warning = &run["warnings"][0];
        assert!(!warning["message"].as_str().unwrap().is_empty());
        assert_eq!(warning["remedy"], "close other programs, then re-run");
    }
    // The terminal: the flags with their remedy, and no verdict.
    assert!(stdout.contains("Flagged"), "{stdout}");
    assert!(stdout.contains("close other programs"), "{stdout}");
    assert!(stdout.contains("corescope rerun"), "{stdout}");
    assert!(
        stdout.contains("No findings: other programs were busy"),
        "{stdout}"
    );
    assert!(!stdout.contains("processes: best"), "{stdout}");
    // The CSV: the codes in the last column.
    let csv = std::fs::read_to_string(&csv).unwrap();
    assert!(csv.lines().next().unwrap().ends_with(",warnings"));
    assert!(
        csv.lines().skip(1).all(|l| l.contains(code::BUSY_MACHINE)),
        "{csv}"
    );
}

#[test]
fn interleaved_runs_take_turns_and_a_slowdown_reaches_every_model() {
    let raw = RawExperiment::of([
        (Setting::Workload, "sleep"),
        (Setting::Size, "100"),
        (Setting::Tasks, "4"),
        (Setting::Models, "serial,processes"),
        (Setting::Workers, "2"),
        (Setting::Schedule, "queue"),
        (Setting::Repeats, "4"),
        (Setting::Warmup, "1"),
    ]);
    let spec = raw.validate(&[2]).unwrap();
    let config = EngineConfig::new(common::exe());
    let runner = Runner::start(spec, config, Arc::new(|| {})).unwrap();
    let mut busy = None;
    let mut turns = Vec::new();
    let set = loop {
        match runner.events().recv().unwrap() {
            RunEvent::Turn { index, repetition } => {
                turns.push((index, repetition));
                // The machine slows down once the first round is done.
                if repetition == 1 && busy.is_none() {
                    busy = Some(Busy::start(2));
                }
            }
            RunEvent::Finished(set) => break set,
            RunEvent::Failed(e) => panic!("{e}"),
            RunEvent::Cancelled => panic!("cancelled"),
            _ => {}
        }
    };
    drop(busy);
    // A B A B …: both pools alive, taking turns.
    let expected: Vec<(usize, u32)> = (0..5).flat_map(|r| [(0, r), (1, r)]).collect();
    assert_eq!(turns, expected);
    let seq = |i: usize| -> Vec<u64> {
        set.runs[i]
            .repetitions
            .iter()
            .filter_map(|r| r.sequence)
            .collect()
    };
    assert_eq!(seq(0), [2, 4, 6, 8]);
    assert_eq!(seq(1), [3, 5, 7, 9]);
    assert_eq!(set.order, corescope::spec::Order::Interleaved);
    // The slowdown came while both were measuring: both are flagged.
    for run in &set.runs {
        assert!(
            run.warnings.iter().any(|w| w.code == code::BUSY_MACHINE),
            "{}: {:?} {:?}",
            run.label(),
            run.load,
            run.warnings
        );
        assert_eq!(run.checksum, set.runs[0].checksum);
    }
}

#[test]
fn the_order_is_recorded_and_sequential_stays_available() {
    let dir = tempfile::tempdir().unwrap();
    let run = |order: &str| {
        let json = dir.path().join(format!("{order}.json"));
        let out = common::corescope(&[
            "sweep",
            "--workload",
            "sqrt-sum",
            "--size",
            "1000",
            "--tasks",
            "4",
            "--models",
            "serial,threads,processes",
            "--workers",
            "2",
            "--repeats",
            "3",
            "--order",
            order,
            "--export-json",
            json.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", common::stderr(&out));
        common::read_json(&json)
    };
    let interleaved = run("interleaved");
    assert_eq!(interleaved["order"], "interleaved");
    let runs = interleaved["runs"].as_array().unwrap();
    // One warm-up round (0, 1, 2), then three rounds of three turns.
    assert_eq!(sequences(&runs[0]), [3, 6, 9]);
    assert_eq!(sequences(&runs[1]), [4, 7, 10]);
    assert_eq!(sequences(&runs[2]), [5, 8, 11]);
    let sequential = run("sequential");
    assert_eq!(sequential["order"], "sequential");
    let runs = sequential["runs"].as_array().unwrap();
    assert_eq!(sequences(&runs[0]), [1, 2, 3]);
    assert_eq!(sequences(&runs[2]), [9, 10, 11]);
    // Intervals for wall time and speedup, in the file.
    let ci = &runs[2]["wall_ci"];
    assert!(ci["low"].as_f64().unwrap() <= ci["high"].as_f64().unwrap());
    assert!(runs[2]["speedup_ci"]["low"].is_number());

    let out = common::corescope(&["sweep", "--order", "shuffled"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        common::stderr(&out)
            .contains("--order: unknown order 'shuffled'; expected interleaved or sequential"),
        "{}",
        common::stderr(&out)
    );
}

#[test]
fn rerun_measures_the_flagged_runs_again_beside_their_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("set.json");
    let out = common::corescope(&[
        "sweep",
        "--size",
        "1000",
        "--tasks",
        "4",
        "--models",
        "serial,threads,processes",
        "--workers",
        "2",
        "--repeats",
        "3",
        "--export-json",
        json.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    // Flag processes ×2 by hand (the shared machine decides the rest).
    let mut set: ResultSet =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    for run in &mut set.runs {
        run.warnings.clear();
    }
    set.warnings.clear();
    set.runs[2].warnings.push(corescope::results::Warning {
        code: code::WIDE_SPREAD.to_string(),
        message: "flagged by the test".to_string(),
        remedy: "re-run".to_string(),
    });
    std::fs::write(&json, serde_json::to_string(&set).unwrap()).unwrap();
    let fresh = dir.path().join("fresh.json");
    let out = common::corescope(&[
        "rerun",
        json.to_str().unwrap(),
        "--export-json",
        fresh.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert!(
        common::stderr(&out).contains("measuring 2 runs again"),
        "{}",
        common::stderr(&out)
    );
    let merged = common::read_json(&fresh);
    let runs = merged["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 3);
    // serial and processes were measured again, interleaved as a pair;
    // threads kept its figures from the first set.
    assert_eq!(sequences(&runs[0]), [2, 4, 6]);
    assert_eq!(sequences(&runs[2]), [3, 5, 7]);
    assert_eq!(sequences(&runs[1]), [4, 7, 10]);
    assert_ne!(runs[2]["warnings"][0]["message"], "flagged by the test");

    // A clean set has nothing to measure.
    let out = common::corescope(&["rerun", fresh.to_str().unwrap()]);
    assert!(out.status.success());
}

#[test]
fn files_from_before_the_noise_guard_still_load() {
    let dir = tempfile::tempdir().unwrap();
    let mut set = ResultSet::new(corescope::results::MachineInfo::detect());
    set.runs.push(corescope::results::RunRecord::from_spec(
        &RawExperiment::of([
            (Setting::Workload, "sqrt-sum"),
            (Setting::Models, "serial"),
            (Setting::Schedule, "queue"),
            (Setting::Repeats, "1"),
            (Setting::Warmup, "0"),
        ])
        .validate(&[1])
        .unwrap()
        .runs()[0],
    ));
    let mut value = serde_json::to_value(&set).unwrap();
    for key in ["order", "warnings", "load_before"] {
        value.as_object_mut().unwrap().remove(key);
    }
    for key in [
        "warnings",
        "in_flight",
        "wall_ci",
        "speedup_ci",
        "load",
        "io_percent",
    ] {
        value["runs"][0].as_object_mut().unwrap().remove(key);
    }
    let path = dir.path().join("old.json");
    std::fs::write(&path, value.to_string()).unwrap();
    let loaded = ResultSet::load(&path).unwrap();
    assert_eq!(loaded.order, corescope::spec::Order::Sequential);
    assert!(loaded.warnings.is_empty() && loaded.runs[0].warnings.is_empty());
    assert_eq!(loaded.runs[0].in_flight, 2);
}
