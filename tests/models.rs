//! Every model this build supports saves a set that reads back: a small
//! sweep of the model through the real binary (`sweep --export-json`), then
//! the file read by `corescope report` and by the library's loader, which
//! checks it whole (a saved set the loader refuses is lost work).
//!
//! A model whose requirement is missing here (an interpreter, a launcher,
//! a cargo feature) is skipped with a line naming it and the reason, unless
//! its part is required (`common::require`, as CI requires every part; a
//! cargo feature this build lacks is never required): then it fails.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use common::require::Part;
use corescope::engine::availability;
use corescope::results::ResultSet;
use corescope::spec::Model;

/// The interpreter the python models are asked to run on, as the CLI's
/// default: availability falls back to another `python3` on PATH for a
/// module it lacks (mpi4py), as a run does.
const PYTHON: &str = "python3";

/// Sweeps `model` at 1 and 2 workers into `dir/<model>.json`. Sleep tasks
/// long enough for the sampler to take memory samples, so the saved
/// record holds both kinds of `worker_rss_bytes` list.
fn save(dir: &Path, model: Model) -> Result<std::path::PathBuf, String> {
    let json = dir.join(format!("{model}.json"));
    let out = common::corescope(&[
        "sweep",
        "--models",
        model.name(),
        "--workers",
        "1..2",
        "--workload",
        "sleep",
        "--size",
        "150",
        "--tasks",
        "4",
        "--repeats",
        "2",
        "--warmup",
        "0",
        "--python",
        PYTHON,
        "--export-json",
        json.to_str().unwrap(),
    ]);
    if out.status.success() {
        Ok(json)
    } else {
        Err(format!("sweep failed: {}", common::stderr(&out)))
    }
}

/// Reads `json` back through the loader and through `corescope report`.
fn read_back(dir: &Path, json: &Path, model: Model) -> Result<(), String> {
    let set = ResultSet::load(json).map_err(|e| format!("the loader refused it: {e}"))?;
    let counts: Vec<u32> = set
        .runs
        .iter()
        .filter(|r| r.model == model)
        .map(|r| r.workers)
        .collect();
    let expected: &[u32] = if model.uses_workers() { &[1, 2] } else { &[1] };
    if counts != expected {
        return Err(format!("runs at {counts:?} workers, not {expected:?}"));
    }
    let runs = || set.runs.iter().filter(|r| r.model == model);
    // The one-worker run sleeps 600 ms: the sampler reads it thrice.
    if !runs().any(|r| !r.memory_samples.is_empty()) {
        return Err("no run kept a memory sample".to_string());
    }
    for run in runs() {
        let slots = model.memory_slots(run.workers);
        let sampled = run.memory_samples.iter().map(|s| s.worker_rss_bytes.len());
        if let Some(most) = sampled.chain([run.memory.worker_rss_bytes.len()]).max() {
            assert!(most <= slots, "{model} ×{}: {most} > {slots}", run.workers);
        }
    }
    let out_dir = dir.join(format!("{model}-report"));
    let out = common::corescope(&[
        "report",
        json.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
        "--width",
        "640",
        "--height",
        "400",
    ]);
    if !out.status.success() {
        return Err(format!("report failed: {}", common::stderr(&out)));
    }
    Ok(())
}

/// What became of one model: read back, skipped (and why), or failed.
enum Outcome {
    ReadBack,
    Skipped(String),
    Failed(String),
}

fn try_model(dir: &Path, model: Model) -> Outcome {
    if let Err(why) = availability::check(model, Path::new(PYTHON)) {
        return Outcome::Skipped(why.to_string());
    }
    match save(dir, model).and_then(|json| read_back(dir, &json, model)) {
        Ok(()) => Outcome::ReadBack,
        Err(why) => Outcome::Failed(why),
    }
}

#[test]
fn every_model_saves_a_set_that_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    // The models side by side: their tasks sleep, and each run is small.
    let outcomes: Vec<(Model, Outcome)> = std::thread::scope(|scope| {
        let handles: Vec<_> = Model::ALL
            .into_iter()
            .map(|model| {
                let dir = dir.path();
                let handle = std::thread::Builder::new()
                    .name(format!("read-back-{model}"))
                    .spawn_scoped(scope, move || try_model(dir, model))
                    .unwrap();
                (model, handle)
            })
            .collect();
        handles
            .into_iter()
            .map(|(model, handle)| (model, handle.join().unwrap()))
            .collect()
    });
    let mut failed = Vec::new();
    let mut ran = Vec::new();
    for (model, outcome) in outcomes {
        match outcome {
            Outcome::ReadBack => ran.push(model.name()),
            Outcome::Skipped(why) if common::model_part(model).is_some_and(Part::required) => {
                failed.push(format!("{model}: not run ({why})"));
            }
            Outcome::Skipped(why) => common::require::skipped(format!("{model}: {why}")),
            Outcome::Failed(why) => failed.push(format!("{model}: {why}")),
        }
    }
    eprintln!("read back: {}", ran.join(", "));
    assert!(failed.is_empty(), "{}", failed.join("\n"));
    let sets: Vec<std::path::PathBuf> = ran
        .iter()
        .map(|m| dir.path().join(format!("{m}.json")))
        .collect();
    compared_and_opened(dir.path(), &sets);
}

/// Every model's set compared at once (`report A B …`) and opened in the
/// window (dropped on it), one experiment each.
fn compared_and_opened(dir: &Path, sets: &[std::path::PathBuf]) {
    let out_dir = dir.join("compared");
    let mut args = vec!["report", "--out", out_dir.to_str().unwrap()];
    args.extend(["--width", "640", "--height", "400"]);
    args.extend(sets.iter().map(|p| p.to_str().unwrap()));
    let out = common::corescope(&args);
    assert!(out.status.success(), "compare: {}", common::stderr(&out));
    let folders = std::fs::read_dir(out_dir.join("runs")).unwrap().count();
    assert_eq!(folders, sets.len(), "one runs/ folder per compared set");
    let data = tempfile::tempdir().unwrap();
    let mut harness = common::gui::app_harness(data.path());
    for set in sets {
        common::gui::drop_file(&mut harness, set);
    }
    let opened = harness.state().session.results.experiments.len();
    assert_eq!(opened, sets.len(), "the window opened {opened} of the sets");
}
