//! The window's "Your code" workload driven headless with egui_kittest: a
//! Python file named in the File field (the Open dialog's choice lands in
//! the same field), its functions listed without running it, one call
//! timed off the UI thread, then the sweep under the CPython models; a
//! file that is missing or not Python said so in the window.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::gui::{app_harness, click, type_into, wait_until_idle};
use common::require_python;
use corescope::gui::CorescopeApp;
use corescope::gui::state::Settings;
use corescope::settings::Setting;
use corescope::spec::Model;
use corescope::workload::Workload;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// Steps the window until a label containing `text` shows (the
/// interpreter answers on a thread of its own), or fails after 30 s.
fn wait_for_label(harness: &mut Harness<'_, CorescopeApp>, text: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while harness.query_by_label_contains(text).is_none() {
        assert!(Instant::now() < deadline, "no '{text}' in the window");
        harness.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    harness.run_steps(2);
}

fn choose_your_code(harness: &mut Harness<'_, CorescopeApp>) {
    harness
        .get_by_role_and_label(Role::ComboBox, "Workload")
        .click();
    harness.run_steps(2);
    click(harness, "Your code");
}

#[test]
fn a_picked_function_is_listed_timed_once_and_swept() {
    if require_python().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mine.py");
    let source = "print('imported')\n\ndef helper():\n    pass\n\n\
                  def square(i):\n    return i * i\n\n\
                  async def later(i):\n    return i\n";
    std::fs::write(&file, source).unwrap();
    let data = tempfile::tempdir().unwrap();
    let mut harness = app_harness(data.path());
    choose_your_code(&mut harness);
    assert_eq!(harness.state().settings.form.workload, Workload::Code);
    // The CPython models a --code run compares, ticked for it.
    let models = harness.state().settings.form.models();
    assert!(models.iter().all(|m| m.is_python()), "{models:?}");
    type_into(&mut harness, "File", &file.display().to_string());
    // The first function that takes one argument is picked once the
    // interpreter has listed them.
    let deadline = Instant::now() + Duration::from_secs(30);
    while harness
        .query_by_role_and_label(Role::ComboBox, "Function")
        .is_none()
    {
        assert!(Instant::now() < deadline, "no function listed");
        harness.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    harness.run_steps(2);
    assert_eq!(
        harness.state().settings.form.text(Setting::Code),
        format!("{}:square", file.display())
    );
    harness
        .get_by_role_and_label(Role::ComboBox, "Function")
        .click();
    harness.run_steps(2);
    for listed in ["square (line 6)", "async later (line 9)", "helper (line 3)"] {
        harness.get_by_label(listed);
    }
    harness.key_press(egui::Key::Escape);
    harness.run_steps(2);
    // One call is timed as soon as the function is picked, and again on
    // request.
    wait_for_label(&mut harness, "square(…) took");
    click(&mut harness, "Time again");
    wait_for_label(&mut harness, "square(…) took");

    type_into(&mut harness, "Tasks", "4");
    type_into(&mut harness, "From", "1");
    type_into(&mut harness, "To", "2");
    type_into(&mut harness, "Repeats", "1");
    type_into(&mut harness, "Warm-ups", "0");
    click(&mut harness, "▶ Run");
    wait_until_idle(&mut harness);
    let app = harness.state();
    assert!(
        app.session.messages.error.is_none() && app.session.messages.form_error.is_none(),
        "{:?} {:?}",
        app.session.messages.error,
        app.session.messages.form_error
    );
    let labels: Vec<String> = app.session.results.runs().map(|(_, r)| r.label()).collect();
    assert_eq!(
        labels,
        [
            "python-serial",
            "python-threads ×1",
            "python-threads ×2",
            "python-processes ×1",
            "python-processes ×2"
        ]
    );
    let (_, run) = app.session.results.runs().next().unwrap();
    assert_eq!(run.code.as_ref().unwrap().target.function, "square");
    assert_eq!(run.model, Model::PythonSerial);

    // The choice is in the settings the window keeps across restarts.
    let kept: Settings =
        serde_json::from_str(&serde_json::to_string(&app.settings).unwrap()).unwrap();
    assert_eq!(kept.form.workload, Workload::Code);
    assert_eq!(
        kept.form.code(),
        (file.display().to_string(), "square".into())
    );
}

#[test]
fn a_missing_or_broken_file_is_said_in_the_window() {
    if require_python().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let mut harness = app_harness(data.path());
    choose_your_code(&mut harness);
    let missing = dir.path().join("gone.py");
    type_into(&mut harness, "File", &missing.display().to_string());
    wait_for_label(&mut harness, "cannot be read");
    let broken = dir.path().join("broken.py");
    std::fs::write(&broken, "x = 1\ndef f(:\n").unwrap();
    type_into(&mut harness, "File", &broken.display().to_string());
    wait_for_label(&mut harness, "is not valid Python: line 2");
    // Run says what is wrong rather than running.
    click(&mut harness, "▶ Run");
    harness.run_steps(2);
    assert!(!harness.state().is_running());
    let error = harness.state().session.messages.form_error.clone().unwrap();
    assert_eq!(error.setting, Setting::Code);
    assert!(harness.state().session.results.experiments.is_empty());
}
