//! Helpers for the GUI tests: the real app in an egui_kittest harness,
//! driven by clicks and typing.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use corescope::gui::{AppConfig, CorescopeApp};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// The app at 1440×900, keeping its data in `data_dir`.
pub fn app_harness(data_dir: &std::path::Path) -> Harness<'static, CorescopeApp> {
    app_harness_sized(data_dir, egui::vec2(1440.0, 900.0))
}

/// The app in a window of `size`, keeping its data in `data_dir`.
pub fn app_harness_sized(
    data_dir: &std::path::Path,
    size: egui::Vec2,
) -> Harness<'static, CorescopeApp> {
    let config = AppConfig {
        worker_exe: super::exe(),
        data_dir: Some(data_dir.to_path_buf()),
        present: None,
        notice: None,
    };
    let mut harness = Harness::builder()
        .with_size(size)
        .build_eframe(move |cc| CorescopeApp::new(cc, config));
    harness.run_steps(2);
    harness
}

/// Replaces the text of the field labelled `label`, as a user would.
pub fn type_into(harness: &mut Harness<'_, CorescopeApp>, label: &str, text: &str) {
    let field = harness.get_by_role_and_label(Role::TextInput, label);
    field.click();
    harness.run_steps(1);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness
        .get_by_role_and_label(Role::TextInput, label)
        .type_text(text);
    harness.run_steps(2);
}

pub fn click(harness: &mut Harness<'_, CorescopeApp>, label: &str) {
    harness.get_by_label(label).click();
    // New windows (a modal) take a sizing frame before they show.
    harness.run_steps(4);
}

/// Steps the app until the experiment ends (or fails the test after a minute).
pub fn wait_until_idle(harness: &mut Harness<'_, CorescopeApp>) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while harness.state().is_running() {
        assert!(Instant::now() < deadline, "the experiment did not finish");
        harness.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    harness.run_steps(2);
}

/// Steps the app until `done` holds (or fails the test after two minutes).
pub fn step_until(harness: &mut Harness<'_, CorescopeApp>, done: impl Fn(&CorescopeApp) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !done(harness.state()) {
        assert!(Instant::now() < deadline, "gave up waiting");
        harness.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    harness.run_steps(2);
}

/// A file dropped on the window.
#[derive(Debug)]
pub struct DroppedPath(pub std::path::PathBuf);

impl egui::DroppedFile for DroppedPath {
    fn path(&self) -> &std::path::Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

/// Drops the file at `path` on the window, as a user would.
pub fn drop_file(harness: &mut Harness<'_, CorescopeApp>, path: &std::path::Path) {
    harness
        .input_mut()
        .dropped_files
        .push(std::sync::Arc::new(DroppedPath(path.to_path_buf())));
    harness.run_steps(3);
}
