//! The recommendation with a real interpreter: `sweep --code` writes a
//! top-level `recommendation` object and prints it after the table, the
//! window shows it as a card (and a file without it still reads); `rerun`
//! decides the isolation finding again from its new runs; `run`'s errors
//! name its own flags.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use common::gui::{app, drop_file};
use common::{corescope, read_json, require_python, stderr, stdout};
use egui_kittest::kittest::Queryable;

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
        .display()
        .to_string()
}

/// `sweep --code` of `code` at 2 workers, `repeats` repetitions, its JSON
/// in `dir`; its stdout.
fn sweep(dir: &Path, code: &str, models: &str, repeats: &str, extra: &[&str]) -> (PathBuf, String) {
    let json = dir.join("set.json");
    let mut args = vec![
        "sweep",
        "--code",
        code,
        "--models",
        models,
        "--workers",
        "2",
        "--repeats",
        repeats,
        "--warmup",
        "0",
        "--export-json",
        json.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = corescope(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    (json, stdout(&out))
}

#[test]
fn a_code_sweep_writes_and_prints_its_recommendation() {
    if require_python().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (json, out) = sweep(
        dir.path(),
        &example("hashing.py:digest"),
        "python-serial,python-threads,python-processes",
        "3",
        &["--tasks", "8"],
    );
    let set = read_json(&json);
    let r = &set["recommendation"];
    let sentence = r["sentence"].as_str().unwrap();
    // A model and workers where settled, neither where not: never a guess.
    match r["model"].as_str() {
        Some(model) => {
            assert!(sentence.starts_with(&format!("use {model}")), "{sentence}");
            assert!(r["workers"].as_u64().unwrap() >= 1, "{r}");
        }
        None => {
            assert!(sentence.starts_with("not settled: "), "{sentence}");
            assert!(r["workers"].is_null(), "{r}");
        }
    }
    let models: Vec<&str> = r["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["model"].as_str().unwrap())
        .collect();
    assert_eq!(models, ["python-threads", "python-processes"], "{r}");
    assert!(r["models"][0]["speedup"].as_f64().unwrap() > 0.0);
    assert!(r["models"][0]["interval"]["low"].is_number(), "{r}");
    // What the processes paid: a start-up, and pickled bytes each task.
    let cost = &r["costs"][0];
    assert_eq!(cost["model"], "python-processes");
    assert!(cost["startup_seconds"].as_f64().unwrap() > 0.0, "{cost}");
    assert!(cost["ipc_bytes_per_task"].as_f64().unwrap() > 0.0, "{cost}");
    assert!(
        r["threshold"]["sentence"]
            .as_str()
            .unwrap()
            .contains("not known from this sweep"),
        "{r}"
    );
    // After the table, and the headline names the call, not a size.
    assert!(
        out.contains(&format!("Recommendation: {}", &sentence[..20])),
        "{out}"
    );
    assert!(
        out.starts_with("digest(i) for i in range(8) in hashing.py"),
        "{out}"
    );
    assert!(!out.contains("unused"), "{out}");
    // Every line of it fits 80 columns (stdout is a pipe here).
    let block: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.starts_with("Recommendation: "))
        .take_while(|l| !l.is_empty())
        .collect();
    assert!(block.len() >= 4, "{out}");
    let long: Vec<&&str> = block.iter().filter(|l| l.chars().count() > 80).collect();
    assert!(long.is_empty(), "{long:?}");
}

#[test]
fn one_repetition_is_never_a_recommendation() {
    if require_python().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (json, out) = sweep(
        dir.path(),
        &example("pure_python.py:work"),
        "python-serial,python-processes",
        "1",
        &["--tasks", "4"],
    );
    let r = &read_json(&json)["recommendation"];
    assert!(r["model"].is_null() && r["workers"].is_null(), "{r}");
    let sentence = r["sentence"].as_str().unwrap();
    assert!(sentence.starts_with("not settled: "), "{sentence}");
    assert!(out.contains("Recommendation: not settled: "), "{out}");
}

#[test]
fn the_window_shows_the_recommendation_as_a_card_old_files_too() {
    if require_python().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (json, _) = sweep(
        dir.path(),
        &example("shared_counter.py:count"),
        "python-serial,python-threads,python-processes",
        "1",
        &["--tasks", "6"],
    );
    let set = read_json(&json);
    let sentence = set["recommendation"]["sentence"]
        .as_str()
        .unwrap()
        .to_string();
    let isolation = set["isolation"]["sentence"].as_str().unwrap().to_string();
    // A file written before recommendations were kept.
    let mut old = set.clone();
    old.as_object_mut().unwrap().remove("recommendation");
    let old_path = dir.path().join("old.json");
    std::fs::write(&old_path, serde_json::to_vec(&old).unwrap()).unwrap();
    for path in [&json, &old_path] {
        let data = tempfile::tempdir().unwrap();
        let mut harness = app(data.path()).size(1280.0, 720.0).build();
        drop_file(&mut harness, path);
        harness.run_steps(3);
        assert_eq!(harness.state().session.results.experiments.len(), 1);
        let card = format!("Recommendation: {sentence}");
        assert!(
            harness.query_by_label(&card).is_some(),
            "{}: no card '{card}'",
            path.display()
        );
        assert!(harness.query_by_label(&isolation).is_some(), "{isolation}");
    }
}

#[test]
fn rerun_decides_the_isolation_finding_again() {
    if require_python().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (json, _) = sweep(
        dir.path(),
        &example("shared_counter.py:count"),
        "python-serial,python-threads,python-processes",
        "1",
        &["--tasks", "12"],
    );
    // An old finding that the runs do not support, and a flag that makes
    // the processes run (and its baseline) be measured again.
    let mut set = read_json(&json);
    assert_eq!(set["isolation"]["results_differ"], true);
    set["isolation"] = serde_json::json!({
        "results_differ": false,
        "sentence": "every model returned the same results (digest 000000000000)",
        "groups": [],
    });
    set["runs"][2]["warnings"] = serde_json::json!([
        {"code": "wide-spread", "message": "made up", "remedy": "re-run"}
    ]);
    std::fs::write(&json, serde_json::to_vec(&set).unwrap()).unwrap();
    let merged = dir.path().join("merged.json");
    let out = corescope(&[
        "rerun",
        json.to_str().unwrap(),
        "--export-json",
        merged.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let merged = read_json(&merged);
    assert_eq!(
        merged["isolation"]["results_differ"], true,
        "{}",
        merged["isolation"]
    );
    assert!(
        stdout(&out).contains("results differ between python-threads and python-processes"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn run_names_its_own_flag_and_runs_python_by_default() {
    if require_python().is_none() {
        return;
    }
    let code = example("hashing.py:digest");
    let out = corescope(&["run", "--code", &code, "--model", "threads"]);
    assert_eq!(out.status.code(), Some(2));
    let first = stderr(&out).lines().next().unwrap_or("").to_string();
    assert!(
        first.starts_with("error: --model: threads cannot run a Python function"),
        "{first}"
    );
    // sweep's flag stays --models.
    let out = corescope(&["sweep", "--code", &code, "--models", "threads"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("error: --models: threads cannot run"),
        "{}",
        stderr(&out)
    );
    // Without --model, run calls the function in python-processes.
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("run.json");
    let out = corescope(&[
        "run",
        "--code",
        &code,
        "--workers",
        "1",
        "--tasks",
        "2",
        "--repeats",
        "1",
        "--warmup",
        "0",
        "--export-json",
        json.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(read_json(&json)["runs"][0]["model"], "python-processes");
}
