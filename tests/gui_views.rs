//! The central area's views, driven headless with egui_kittest on real
//! runs: the CPU & memory view follows live samples while an experiment
//! runs, and the timeline shows the chosen run's lanes afterwards.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::gui::{app_harness, click, step_until, type_into};
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;

#[test]
fn cpu_view_goes_live_and_the_timeline_shows_each_run() {
    let data = tempfile::tempdir().unwrap();
    let mut harness = app_harness(data.path());
    harness
        .get_by_role_and_label(Role::ComboBox, "Workload")
        .click();
    harness.run_steps(2);
    click(&mut harness, "sleep");
    type_into(&mut harness, "Size", "40");
    type_into(&mut harness, "Tasks", "12");
    type_into(&mut harness, "From", "2");
    type_into(&mut harness, "To", "2");
    type_into(&mut harness, "Repeats", "2");
    type_into(&mut harness, "Warm-ups", "0");
    click(&mut harness, "CPU & memory");
    click(&mut harness, "▶ Run");
    // Live samples arrive while the experiment runs, and the view says so.
    step_until(&mut harness, |app| {
        app.session
            .live
            .as_ref()
            .is_some_and(|l| !l.progress.samples.cpu.is_empty())
            || !app.is_running()
    });
    assert!(
        harness.state().is_running(),
        "the run ended before a sample"
    );
    let cores = harness.state().session.machine.logical_cores as usize;
    let live = harness.state().session.live.as_ref().unwrap();
    assert!(live.progress.samples.cpu[0].per_core.len() >= cores);
    assert!(
        harness.query_by_label_contains("LIVE · run").is_some(),
        "the view names the live run"
    );
    step_until(&mut harness, |app| !app.is_running());
    let app = harness.state();
    assert!(
        app.session.messages.error.is_none(),
        "{:?}",
        app.session.messages.error
    );
    let set = app.shown().unwrap().clone();
    assert!(set.runs.iter().all(|r| !r.cpu_samples.is_empty()));
    // Stored samples of the last run, with a picker for the others.
    assert!(harness.query_by_label_contains("CPU per core —").is_some());
    assert!(
        harness
            .query_by_label_contains("Memory (RSS) by run")
            .is_some()
    );

    click(&mut harness, "Timeline");
    let last = set.runs.last().unwrap();
    let title = corescope::activity::timeline(last).title;
    assert!(harness.query_by_label(&title).is_some(), "{title}");
    // Its Export menu saves the run as a trace and the timeline as an image.
    let exports = tempfile::tempdir().unwrap();
    harness.state_mut().settings.export.folder = exports.path().display().to_string();
    for item in ["Save as Chrome trace (JSON)", "Save as PNG"] {
        harness.get_by_label("Export").click();
        harness.run_steps(2);
        click(&mut harness, item);
        assert!(
            harness.state().session.messages.error.is_none(),
            "{:?}",
            harness.state().session.messages.error
        );
    }
    let mut names: Vec<String> = std::fs::read_dir(exports.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(
        names[0].contains("-timeline-") && names[0].ends_with(".png"),
        "{names:?}"
    );
    assert!(
        names[1].contains("-trace-") && names[1].ends_with(".json"),
        "{names:?}"
    );
    let trace: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(exports.path().join(&names[1])).unwrap())
            .unwrap();
    assert!(
        trace["traceEvents"]
            .as_array()
            .is_some_and(|e| !e.is_empty())
    );
}
