//! The window as a room sees it: at 1280×720 and 1024×600, in both themes
//! and at 150 % UI scale, a lesson's two main charts keep a readable
//! height, chart text keeps its least size, and no control leaves the
//! window; presentation mode shows each lesson's own charts with text
//! grown for a projector, and a lesson this machine cannot run says why
//! and what to run.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::gui::{app, drop_file};
use corescope::chart::ChartKind;
use corescope::chart::theme::{MIN_PLOT_HEIGHT, WINDOW_TEXT};
use corescope::gui::CorescopeApp;
use corescope::gui::chart_view;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

/// A small counter sweep saved as `shared-state`'s measurement.
fn shared_state(dir: &std::path::Path) -> std::path::PathBuf {
    common::saved_sweep(
        dir,
        "shared-state",
        &[
            "--workload",
            "counter",
            "--size",
            "200000",
            "--tasks",
            "2",
            "--sharing",
            "racy,locked,isolated",
            "--models",
            "threads,processes",
        ],
    )
}

/// The app at `width` × `height` with the sweep at `saved` shown as the
/// `shared-state` lesson, in the theme and UI scale asked for.
fn window(
    data: &std::path::Path,
    saved: &std::path::Path,
    (width, height): (f32, f32),
    dark: bool,
    zoom: f32,
) -> Harness<'static, CorescopeApp> {
    let mut harness = app(data)
        .size(width, height)
        .setup(move |app| app.settings.dark = dark)
        .build();
    harness.ctx.set_zoom_factor(zoom);
    corescope::gui::theme::apply(&harness.ctx, dark);
    drop_file(&mut harness, saved);
    let app = harness.state_mut();
    app.session.results.experiments[0].preset = Some("shared-state".to_string());
    app.settings.form.lesson = Some("shared-state".to_string());
    harness.run_steps(4);
    harness
}

/// The plot of the chart of `kind` as last drawn: its frame inside the
/// axes.
fn frame_of(harness: &Harness<'_, CorescopeApp>, kind: ChartKind) -> egui::Rect {
    let title = harness.state().chart(kind).expect("a chart").title;
    chart_view::drawn(&harness.ctx, &title)
        .and_then(|d| d.frame)
        .unwrap_or_else(|| panic!("{kind:?} was not drawn"))
}

/// Every control (button, menu, choice, field, check box) lies inside
/// the window, or inside a scroll area's view that reaches it.
fn controls_inside(harness: &Harness<'_, CorescopeApp>, what: &str) {
    let window = harness.ctx.content_rect().expand(1.0);
    let roles = [
        Role::Button,
        Role::ComboBox,
        Role::CheckBox,
        Role::TextInput,
        Role::SpinButton,
    ];
    // The results table scrolls sideways under its heading: its header
    // buttons beyond the right edge are reachable.
    let table_top = harness
        .query_by_label_contains("Results")
        .map_or(f32::INFINITY, |n| n.rect().bottom());
    let mut outside = Vec::new();
    for node in harness.query_all_by(|n| roles.contains(&n.role())) {
        let rect = node.rect();
        if rect.top() > table_top {
            continue;
        }
        let label = node.accesskit_node().label().unwrap_or_default();
        // Scrolled out of view: reachable by scrolling, as long as it
        // lies within the window across.
        let across = rect.left() >= window.left() && rect.right() <= window.right();
        if !across || (rect.top() < window.top() && rect.bottom() > window.top()) {
            outside.push(format!("{label} at {rect:?}"));
        }
    }
    assert!(
        outside.is_empty(),
        "{what}: outside {window:?}: {outside:?}"
    );
}

#[test]
fn the_main_charts_keep_their_height_and_every_control_stays_in_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let saved = shared_state(dir.path());
    for (size, zoom) in [
        ((1280.0, 720.0), 1.0),
        ((1024.0, 600.0), 1.0),
        ((1280.0, 720.0), 1.5),
        ((1920.0, 1080.0), 1.2),
    ] {
        for dark in [true, false] {
            let what = format!("{size:?} at {zoom}×, dark {dark}");
            let data = tempfile::tempdir().unwrap();
            let harness = window(data.path(), &saved, size, dark, zoom);
            // shared-state's point: lost updates and time per increment.
            for kind in [ChartKind::LostUpdates, ChartKind::IncrementCost] {
                let frame = frame_of(&harness, kind);
                // The plot with its axes is at least MIN_PLOT_HEIGHT; the
                // axes (two-line bar labels) take up to 80 points of it.
                assert!(
                    frame.height() >= MIN_PLOT_HEIGHT - 80.0,
                    "{what}: {kind:?} plot {frame:?}"
                );
            }
            assert!(chart_view::text_sizes(&harness.ctx).tick >= 14.0, "{what}");
            let style = harness.ctx.global_style();
            for (name, font) in &style.text_styles {
                assert!(font.size >= 14.0, "{what}: {name:?} text {}", font.size);
            }
            // The verdict is on screen, not in a folded or scrolled box.
            let app = harness.state();
            let preset = corescope::presets::find("shared-state").unwrap();
            let verdict = corescope::presets::verdict(&preset, &app.session.results.experiments[0]);
            let line = harness.get_by_label(&verdict.sentence).rect();
            assert!(
                harness.ctx.content_rect().contains_rect(line),
                "{what}: {line:?}"
            );
            controls_inside(&harness, &what);
        }
    }
}

#[test]
fn presentation_shows_each_lessons_own_charts_in_projector_text() {
    let dir = tempfile::tempdir().unwrap();
    let saved = shared_state(dir.path());
    for dark in [true, false] {
        let data = tempfile::tempdir().unwrap();
        let mut harness = window(data.path(), &saved, (1280.0, 720.0), dark, 1.0);
        harness.key_press(egui::Key::F11);
        harness.run_steps(4);
        assert!(harness.state().presenting);
        let presented = harness.state().presented_charts.expect("charts");
        // Nothing runs past the screen's edge: it cannot scroll.
        let screen = harness.ctx.content_rect().expand(1.0);
        assert!(
            screen.contains_rect(presented),
            "{presented:?} in {screen:?}"
        );
        for kind in [ChartKind::LostUpdates, ChartKind::IncrementCost] {
            let frame = frame_of(&harness, kind);
            assert!(presented.contains_rect(frame), "{kind:?} {frame:?}");
            // Under a projector-sized title, claim and verdict, over
            // the legend.
            assert!(frame.height() >= 160.0, "{kind:?} {frame:?}");
            let title = harness.state().chart(kind).expect("a chart").title;
            let drawn = chart_view::drawn(&harness.ctx, &title).expect("drawn");
            for entry in &drawn.legend {
                let shown = harness
                    .query_all_by_label(entry)
                    .any(|n| presented.contains_rect(n.rect()));
                assert!(shown, "{kind:?}'s legend entry {entry} is not on screen");
            }
        }
        let factor = corescope::gui::present::text_factor(720.0);
        assert!(WINDOW_TEXT.scaled(factor).tick >= 20.0, "{factor}");
        assert!(WINDOW_TEXT.scaled(factor).legend >= 20.0, "{factor}");
        controls_inside(&harness, "presentation");
    }
}

#[test]
fn a_lesson_this_machine_cannot_run_says_why_and_what_to_run_on_its_own_screen() {
    let python = std::path::Path::new(corescope::python::DEFAULT_INTERPRETER);
    for name in ["gil-removed", "beyond-one-machine"] {
        let preset = corescope::presets::find(name).unwrap();
        let Some(lack) = corescope::export::deck::missing(&preset, python) else {
            eprintln!("{name} can run here: nothing to check");
            continue;
        };
        for presenting in [false, true] {
            let data = tempfile::tempdir().unwrap();
            let lesson = name.to_string();
            let mut harness = app(data.path())
                .size(1280.0, 720.0)
                .setup(move |app| {
                    app.settings.form.lesson = Some(lesson);
                })
                .build();
            if presenting {
                harness.key_press(egui::Key::F11);
                harness.run_steps(4);
            }
            harness.get_by_label(&lack.command);
            harness.get_by_label_contains("This machine cannot run this lesson");
            // Running it anyway starts nothing and keeps the reason up.
            harness.key_press(egui::Key::Space);
            harness.run_steps(3);
            assert!(!harness.state().is_running(), "{name}");
            harness.get_by_label(&lack.command);
        }
    }
}

#[test]
fn a_lesson_waits_for_a_busy_machine_to_calm_down_and_says_so() {
    if corescope::measure::system_load::Snapshot::now().is_none() {
        common::require::skipped("no kernel counters (/proc/stat) here");
        return;
    }
    let _busy: Vec<common::Busy> = (0..2).map(|_| common::Busy::start()).collect();
    let data = tempfile::tempdir().unwrap();
    let mut harness = app(data.path()).size(1280.0, 720.0).build();
    common::gui::click(&mut harness, "3 cpu-parallelism");
    assert!(harness.state().is_running());
    let said = common::wait_for(std::time::Duration::from_secs(30), || {
        harness.run_steps(2);
        harness
            .query_by_label_contains("waiting up to 5 s for it to calm down")
            .map(|_| ())
    });
    assert!(said.is_some(), "the window never said it was waiting");
    // Dropping the window cancels the lesson and reaps its workers.
}

#[test]
fn the_main_charts_legends_are_on_screen_above_the_results() {
    let dir = tempfile::tempdir().unwrap();
    let saved = shared_state(dir.path());
    // Shorter than 720, the first row itself scrolls (the test above).
    for (size, zoom) in [((1280.0, 720.0), 1.0), ((1920.0, 1080.0), 1.2)] {
        let what = format!("{size:?} at {zoom}×");
        let data = tempfile::tempdir().unwrap();
        let harness = window(data.path(), &saved, size, true, zoom);
        let table_top = harness
            .query_by_label_contains("Results")
            .map_or(harness.ctx.content_rect().bottom(), |n| n.rect().top());
        for kind in [ChartKind::LostUpdates, ChartKind::IncrementCost] {
            let title = harness.state().chart(kind).expect("a chart").title;
            let drawn = chart_view::drawn(&harness.ctx, &title).expect("drawn");
            let frame = drawn.frame.expect("a frame");
            assert!(!drawn.legend.is_empty(), "{what}: {kind:?} has no legend");
            for entry in &drawn.legend {
                // This chart's entry: the first under its plot's top (the
                // charts of the second row share names).
                let bottom = harness
                    .query_all_by_label(entry)
                    .map(|n| n.rect())
                    .filter(|r| r.top() >= frame.top())
                    .map(|r| r.bottom())
                    .reduce(f32::min)
                    .unwrap_or_else(|| panic!("{what}: {kind:?}'s legend entry {entry} not drawn"));
                assert!(
                    bottom <= table_top,
                    "{what}: {kind:?}'s legend entry {entry} ends at {bottom}, under the results table at {table_top}"
                );
            }
        }
    }
}
