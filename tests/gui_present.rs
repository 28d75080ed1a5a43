//! Presentation mode and the lesson flow, driven headless with
//! egui_kittest at a projector's 1280×720: the charts take most of the
//! window, the arrow keys step through the lessons, Esc brings the layout
//! back; clicking a lesson fills the form; the workshop deck holds every
//! lesson's chart.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::gui::{app, click, wait_until_idle};
use corescope::gui::CorescopeApp;
use corescope::spec::{Model, Setting};
use corescope::workload::Workload;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// A real measured sweep, opened and marked as lesson `lesson`.
fn measured_lesson(harness: &mut Harness<'_, CorescopeApp>, dir: &std::path::Path, lesson: &str) {
    let json = common::saved_sweep(dir, lesson, &["--models", "serial,processes"]);
    let session = &mut harness.state_mut().session;
    assert!(session.open_file(&json));
    let set = session.results.experiments.last_mut().unwrap();
    set.preset = Some(lesson.to_string());
    set.source = None;
    harness.run_steps(2);
}

fn key(harness: &mut Harness<'_, CorescopeApp>, key: egui::Key) {
    harness.key_press(key);
    harness.run_steps(3);
}

fn lesson(harness: &Harness<'_, CorescopeApp>) -> Option<String> {
    harness.state().settings.form.lesson.clone()
}

#[test]
fn presentation_gives_the_charts_the_window_and_the_keys_step_through_lessons() {
    let data = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let mut harness = app(data.path()).size(1280.0, 720.0).build();
    measured_lesson(&mut harness, files.path(), "cpu-parallelism");
    harness.get_by_label("Lessons");
    click(&mut harness, "⛶ Present");
    assert!(harness.state().presenting);
    // The shown experiment's lesson is presented.
    assert_eq!(lesson(&harness).as_deref(), Some("cpu-parallelism"));
    harness.run_steps(3);
    let charts = harness.state().presented_charts.expect("charts drawn");
    let window = 1280.0 * 720.0;
    // (Under a title, claim, verdict and key hints sized for a projector,
    // and within the screen, which cannot scroll.)
    assert!(charts.bottom() <= 720.0, "{charts:?}");
    assert!(
        charts.width() * charts.height() > 0.5 * window,
        "the charts take {charts:?} of 1280×720"
    );
    assert!(
        charts.width() > 1100.0 && charts.height() > 380.0,
        "{charts:?}"
    );
    // The side panel, the table and the top bar are gone; the claim and
    // the verdict are there.
    assert!(harness.query_by_label("Lessons").is_none());
    assert!(harness.query_by_label_contains("Results").is_none());
    harness.get_by_label_contains("Processes run on separate cores");
    // The verdict line: this machine's figures, or why there is none.
    let app = harness.state();
    let set = app.session.lesson_set("cpu-parallelism").unwrap();
    let preset = corescope::presets::find("cpu-parallelism").unwrap();
    let verdict = corescope::presets::verdict(&preset, set);
    assert!(
        verdict.sentence.contains("processes") || verdict.sentence.contains("No verdict"),
        "{}",
        verdict.sentence
    );
    harness.get_by_label(&verdict.sentence);

    key(&mut harness, egui::Key::ArrowRight);
    assert_eq!(lesson(&harness).as_deref(), Some("ipc-cost"));
    harness.get_by_label_contains("Not measured yet on this machine");
    key(&mut harness, egui::Key::ArrowLeft);
    key(&mut harness, egui::Key::ArrowLeft);
    assert_eq!(lesson(&harness).as_deref(), Some("why-processes"));
    key(&mut harness, egui::Key::ArrowLeft);
    let all = corescope::presets::all().unwrap();
    assert_eq!(lesson(&harness).as_deref(), Some(all[0].name.as_str()));
    // Before the first lesson comes the last.
    key(&mut harness, egui::Key::ArrowLeft);
    let last = all.last().unwrap();
    assert_eq!(lesson(&harness).as_deref(), Some(last.name.as_str()));

    key(&mut harness, egui::Key::Escape);
    assert!(!harness.state().presenting);
    harness.get_by_label("Lessons");
    harness.get_by_label_contains("Results");
    // F11 goes back in.
    key(&mut harness, egui::Key::F11);
    assert!(harness.state().presenting);
}

#[test]
fn clicking_a_lesson_fills_the_form_until_it_is_tweaked() {
    let data = tempfile::tempdir().unwrap();
    let mut harness = app(data.path()).size(1280.0, 720.0).build();
    click(&mut harness, "3 cpu-parallelism");
    let form = &harness.state().settings.form;
    assert_eq!(form.lesson.as_deref(), Some("cpu-parallelism"));
    assert_eq!(form.workload, Workload::SqrtSum);
    // The lesson as sized for this machine.
    let preset = corescope::presets::find("cpu-parallelism").unwrap();
    assert_eq!(
        (form.text(Setting::Size), form.text(Setting::Tasks)),
        (
            preset.experiment.get(Setting::Size).unwrap(),
            preset.experiment.get(Setting::Tasks).unwrap()
        )
    );
    assert_eq!(form.models, [Model::Serial, Model::Processes]);
    assert_eq!(form.text(Setting::Repeats), "5");
    wait_until_idle(&mut harness);
    let set = harness.state().session.results.experiments.last().unwrap();
    assert_eq!(set.preset.as_deref(), Some("cpu-parallelism"));
    // The header names the lesson shown.
    harness.get_by_label("Lesson: True CPU parallelism: the seed's exercise");
    click(&mut harness, "✏ Tweak this lesson");
    let form = &harness.state().settings.form;
    assert_eq!(form.lesson, None);
    assert_eq!(
        form.text(Setting::Tasks),
        preset.experiment.get(Setting::Tasks).unwrap(),
        "tweaking keeps the lesson's values"
    );
}

#[test]
fn the_workshop_deck_holds_every_lessons_chart_and_the_machine() {
    let data = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let exports = tempfile::tempdir().unwrap();
    let mut harness = app(data.path()).size(1280.0, 720.0).build();
    harness.state_mut().settings.export.folder = exports.path().display().to_string();
    let all = corescope::presets::all().unwrap();
    for preset in all {
        measured_lesson(&mut harness, files.path(), &preset.name);
    }
    harness.get_by_label_contains("File").click();
    harness.run_steps(3);
    click(
        &mut harness,
        "Workshop deck (HTML: every lesson's chart and verdict)",
    );
    harness.run_steps(3);
    let app = harness.state();
    assert!(
        app.session.messages.error.is_none(),
        "{:?}",
        app.session.messages.error
    );
    let deck = std::fs::read_dir(exports.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "html"))
        .expect("the deck is written");
    let page = std::fs::read_to_string(deck).unwrap();
    // Each lesson's two main charts.
    assert_eq!(page.matches("<svg").count(), 2 * all.len());
    for preset in all {
        assert!(page.contains(&format!("id=\"{}\"", preset.name)));
    }
    assert!(page.contains(&format!(
        "Measured on {}",
        app.session.machine.cpu_model.replace('&', "&amp;")
    )));
}
