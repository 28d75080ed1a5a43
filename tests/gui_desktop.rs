//! What makes the app feel like a desktop program, driven headless with
//! egui_kittest on the real app: each keyboard shortcut does what its menu
//! entry does, recent result sets survive a restart (a missing one says
//! why), a Clear can be undone and never touches an opened file, the
//! first-run view leads into the lessons, and the title names what is shown.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use common::gui::{app, app_harness, click, wait_until_idle};
use corescope::chart::ChartKind;
use corescope::gui::CorescopeApp;
use corescope::gui::dialogs::Purpose;
use corescope::gui::shortcuts::SHORTCUTS;
use corescope::gui::state::View;
use corescope::gui::welcome;
use corescope::spec::{Field, Model};
use corescope::workload::Workload;
use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

/// Presses `key` with Ctrl (Cmd on a Mac) and lets the app act on it.
fn ctrl(harness: &mut Harness<'_, CorescopeApp>, key: Key) {
    harness.key_press_modifiers(Modifiers::COMMAND, key);
    harness.run_steps(4);
}

fn press(harness: &mut Harness<'_, CorescopeApp>, key: Key) {
    harness.key_press(key);
    harness.run_steps(4);
}

/// A small saved result set, measured by the real binary.
fn saved(dir: &Path, name: &str) -> PathBuf {
    common::saved_sweep(
        dir,
        name,
        &["--models", "serial,threads", "--size", "20000"],
    )
}

/// Sets up a run that takes long enough to cancel: sleeping tasks on two
/// threads.
fn slow_form(harness: &mut Harness<'_, CorescopeApp>) {
    let form = &mut harness.state_mut().settings.form;
    form.set_workload(Workload::Sleep);
    form.size = "300".to_string();
    form.tasks = "40".to_string();
    form.models = vec![Model::Threads];
    form.sweep = false;
    form.workers = "2".to_string();
}

/// Cancels the run in progress with the keyboard and waits for it to end.
fn cancel_with_keys(harness: &mut Harness<'_, CorescopeApp>) {
    assert!(harness.state().is_running());
    ctrl(harness, Key::Period);
    wait_until_idle(harness);
    let notice = harness.state().session.messages.notice.clone();
    assert!(
        notice.as_deref().unwrap_or_default().contains("cancelled"),
        "{notice:?}"
    );
}

#[test]
fn help_tabs_zoom_and_dialogs_come_from_the_keyboard() {
    let data = tempfile::tempdir().unwrap();
    let exports = tempfile::tempdir().unwrap();
    let mut harness = app_harness(data.path());
    harness.state_mut().settings.export.folder = exports.path().display().to_string();

    // F1 shows every shortcut of the table; ? hides them again.
    press(&mut harness, Key::F1);
    assert!(harness.state().help_open);
    for shortcut in SHORTCUTS {
        harness.get_by_label(shortcut.what);
    }
    harness.get_by_label("Ctrl+R");
    press(&mut harness, Key::Questionmark);
    assert!(!harness.state().help_open);
    press(&mut harness, Key::Questionmark);
    assert!(harness.state().help_open);
    press(&mut harness, Key::Escape);
    assert!(!harness.state().help_open);

    // Tabs.
    for (key, view) in [
        (Key::Num2, View::Timeline),
        (Key::Num3, View::CpuMemory),
        (Key::Num1, View::Scaling),
    ] {
        ctrl(&mut harness, key);
        assert_eq!(harness.state().settings.view, view);
    }

    // The UI scale.
    ctrl(&mut harness, Key::Plus);
    ctrl(&mut harness, Key::Equals);
    assert!((harness.ctx.zoom_factor() - 1.2).abs() < 1e-3);
    ctrl(&mut harness, Key::Minus);
    assert!((harness.ctx.zoom_factor() - 1.1).abs() < 1e-3);
    ctrl(&mut harness, Key::Num0);
    assert!((harness.ctx.zoom_factor() - 1.0).abs() < 1e-3);

    // Open; Escape closes the dialog, and the keys rest while it is open.
    ctrl(&mut harness, Key::O);
    assert_eq!(harness.state().dialogs.purpose(), Some(Purpose::Open));
    ctrl(&mut harness, Key::Num2);
    assert_eq!(harness.state().settings.view, View::Scaling);
    press(&mut harness, Key::Escape);
    assert_eq!(harness.state().dialogs.purpose(), None);

    // Nothing to save yet: said, no dialog.
    ctrl(&mut harness, Key::S);
    assert_eq!(harness.state().dialogs.purpose(), None);
    assert!(harness.state().session.messages.error.is_some());

    // With a result set shown: Save data as and Export the shown chart,
    // each a Save dialog in the export folder with a name offered.
    let files = tempfile::tempdir().unwrap();
    let set = saved(files.path(), "laptop");
    assert!(harness.state_mut().session.open_file(&set));
    harness.run_steps(2);
    ctrl(&mut harness, Key::S);
    assert_eq!(harness.state().dialogs.purpose(), Some(Purpose::SaveData));
    click(&mut harness, "Save");
    let json = only_file(exports.path(), "results-", ".json");
    assert_eq!(
        harness.state().session.recent.files().first(),
        Some(&json),
        "a saved JSON file is a recent result set"
    );
    ctrl(&mut harness, Key::E);
    assert!(matches!(
        harness.state().dialogs.purpose(),
        Some(Purpose::ExportChart(_))
    ));
    click(&mut harness, "Save");
    let svg = only_file(exports.path(), "wall-time-", ".svg");
    assert!(std::fs::read_to_string(svg).unwrap().contains("Wall time"));
    assert_eq!(harness.state().dialogs.purpose(), None);

    // Enlarge and back.
    ctrl(&mut harness, Key::F);
    assert_eq!(harness.state().focused, Some(ChartKind::WallTime));
    harness.get_by_label("All charts");
    ctrl(&mut harness, Key::F);
    assert_eq!(harness.state().focused, None);
}

/// The one file in `folder` named `prefix…suffix`.
fn only_file(folder: &Path, prefix: &str, suffix: &str) -> PathBuf {
    let found: Vec<PathBuf> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with(prefix) && name.ends_with(suffix)
        })
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    found[0].clone()
}

#[test]
fn run_cancel_and_next_lesson_come_from_the_keyboard() {
    let data = tempfile::tempdir().unwrap();
    let mut harness = app_harness(data.path());
    slow_form(&mut harness);
    ctrl(&mut harness, Key::R);
    assert!(
        harness.state().is_running(),
        "{:?}",
        harness.state().session.messages
    );
    cancel_with_keys(&mut harness);

    // No lesson shown: the next lesson is the first.
    ctrl(&mut harness, Key::L);
    let preset = |app: &CorescopeApp| app.session.live.as_ref().unwrap().partial.preset.clone();
    assert_eq!(preset(harness.state()).as_deref(), Some("shared-state"));
    assert!(
        harness.state().title.contains("Why Python chose isolation"),
        "{}",
        harness.state().title
    );
    cancel_with_keys(&mut harness);

    // A lesson shown: the next one after it.
    let files = tempfile::tempdir().unwrap();
    let session = &mut harness.state_mut().session;
    assert!(session.open_file(&saved(files.path(), "lesson-one")));
    session.results.experiments.last_mut().unwrap().preset = Some("why-processes".to_string());
    ctrl(&mut harness, Key::L);
    assert_eq!(preset(harness.state()).as_deref(), Some("cpu-parallelism"));
    cancel_with_keys(&mut harness);
}

#[test]
fn recent_result_sets_survive_a_restart_and_a_missing_one_says_why() {
    let data = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let kept = saved(files.path(), "kept");
    let moved = saved(files.path(), "moved");
    {
        let mut harness = app_harness(data.path());
        for path in [&moved, &kept] {
            assert!(harness.state_mut().session.open_file(path));
        }
        harness.run_steps(2);
    }
    std::fs::rename(&moved, files.path().join("elsewhere.json")).unwrap();

    let mut harness = app_harness(data.path());
    assert_eq!(
        harness.state().session.recent.files(),
        [kept.clone(), moved.clone()]
    );
    click(&mut harness, "File");
    click(&mut harness, "Open recent");
    let missing = harness.get_by_label_contains("moved.json —");
    assert!(
        missing.accesskit_node().is_disabled(),
        "a missing file is greyed out"
    );
    missing.hover();
    harness.run_steps(4);
    harness.get_by_label_contains("the file is gone (moved or deleted)");
    let present = harness.get_by_label_contains("kept.json —");
    assert!(!present.accesskit_node().is_disabled());
    present.click();
    harness.run_steps(4);
    let app = harness.state();
    assert_eq!(app.session.results.experiments.len(), 3);
    assert_eq!(app.shown().unwrap().source.as_deref(), Some("kept"));
    assert_eq!(
        app.title,
        "corescope — kept.json · sqrt-sum · serial, threads"
    );
}

#[test]
fn a_clear_can_be_undone_and_never_deletes_an_opened_file() {
    let data = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let set = saved(files.path(), "opened");
    let before = std::fs::read(&set).unwrap();
    let mut harness = app_harness(data.path());
    assert!(harness.state_mut().session.open_file(&set));
    harness.run_steps(2);

    click(&mut harness, "Clear results…");
    harness.get_by_label_contains("Result files you opened are not touched");
    click(&mut harness, "Clear results");
    assert!(harness.state().session.results.experiments.is_empty());
    assert_eq!(
        std::fs::read(&set).unwrap(),
        before,
        "the opened file is untouched"
    );
    assert!(
        app_harness(data.path())
            .state()
            .session
            .results
            .experiments
            .is_empty()
    );

    // The status line offers Undo.
    harness.get_by_label("cleared 1 experiment");
    click(&mut harness, "Undo");
    assert_eq!(harness.state().session.results.experiments.len(), 1);
    assert_eq!(
        app_harness(data.path())
            .state()
            .session
            .results
            .experiments
            .len(),
        1
    );

    // Ctrl+Z too, with the menu entry greyed out once nothing is left.
    click(&mut harness, "Clear results…");
    click(&mut harness, "Clear results");
    assert!(harness.state().session.results.experiments.is_empty());
    ctrl(&mut harness, Key::Z);
    assert_eq!(harness.state().session.results.experiments.len(), 1);
    click(&mut harness, "File");
    let undo = harness.get_by_label_contains("Undo Clear results");
    assert!(undo.accesskit_node().is_disabled());
}

#[test]
fn the_first_run_view_leads_into_the_first_lesson_and_every_knob_explains_itself() {
    let data = tempfile::tempdir().unwrap();
    // Tall enough that the whole form is on screen, tooltips included.
    let mut harness = app(data.path()).size(1440.0, 1400.0).build();
    for sentence in welcome::ABOUT {
        harness.get_by_label(sentence);
    }
    for lesson in corescope::presets::all().unwrap() {
        harness.get_by_label(&lesson.title);
    }
    assert_eq!(harness.state().title, "corescope — parallelism, measured");

    // Every text field of the form says on hover what it changes and its unit.
    for (label, says) in [
        ("Tasks", Field::Tasks.help()),
        ("Repeats", Field::Repeats.help()),
        ("Warm-ups", Field::Warmup.help()),
        ("Chunk", Field::Chunk.help()),
        (
            "Size",
            "How much work one task does, in terms summed per task",
        ),
        ("To", "this machine's logical cores"),
    ] {
        harness
            .get_by_role_and_label(Role::TextInput, label)
            .hover();
        harness.run_steps(4);
        assert!(
            harness.query_all_by_label_contains(says).next().is_some(),
            "{label} does not explain itself"
        );
    }

    click(&mut harness, welcome::RUN_FIRST);
    let app = harness.state();
    let live = app.session.live.as_ref().expect("the lesson runs");
    assert_eq!(live.partial.preset.as_deref(), Some("shared-state"));
    assert!(
        app.title
            .starts_with("corescope — lesson: Why Python chose isolation")
            && app.title.ends_with("(running)"),
        "{}",
        app.title
    );
    assert!(
        harness.query_by_label(welcome::RUN_FIRST).is_none(),
        "the charts take over"
    );
    click(&mut harness, "■ Cancel");
    wait_until_idle(&mut harness);
}
