//! Helpers for the GUI tests: the real app in an egui_kittest harness,
//! driven by clicks and typing.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::{Duration, Instant};

use corescope::gui::{AppConfig, CorescopeApp};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// A change to the app's state before its first frame.
type Setup = Box<dyn FnOnce(&mut CorescopeApp)>;

/// The app in an egui_kittest harness, set up as a test needs: [`app`]
/// with the folder it keeps its data in, then [`AppHarness::size`] and
/// [`AppHarness::setup`] as wanted, then [`AppHarness::build`].
#[must_use]
pub struct AppHarness {
    config: AppConfig,
    size: egui::Vec2,
    setups: Vec<Setup>,
}

/// The app at 1440×900 keeping its data in `data_dir`, with the binary
/// under test as its worker.
pub fn app(data_dir: &Path) -> AppHarness {
    AppHarness {
        config: AppConfig {
            worker_exe: super::run_spec::worker_exe(),
            data_dir: Some(data_dir.to_path_buf()),
            present: None,
            notice: None,
        },
        size: egui::vec2(1440.0, 900.0),
        setups: Vec::new(),
    }
}

impl AppHarness {
    /// The window's size in points.
    pub fn size(mut self, width: f32, height: f32) -> Self {
        self.size = egui::vec2(width, height);
        self
    }

    /// Runs workers from `exe` (a link to the binary under test tells a
    /// test's own workers from those of tests beside it).
    pub fn worker_exe(mut self, exe: &Path) -> Self {
        self.config.worker_exe = exe.to_path_buf();
        self
    }

    /// Changes the app's state before its first frame (a setting, a
    /// stored experiment).
    pub fn setup(mut self, change: impl FnOnce(&mut CorescopeApp) + 'static) -> Self {
        self.setups.push(Box::new(change));
        self
    }

    /// The harness, its first frames drawn.
    pub fn build(self) -> Harness<'static, CorescopeApp> {
        let config = self.config;
        let mut harness = Harness::builder()
            .with_size(self.size)
            .build_eframe(move |cc| CorescopeApp::new(cc, config));
        for change in self.setups {
            change(harness.state_mut());
        }
        harness.run_steps(2);
        harness
    }
}

/// The app as most tests want it: [`app`] with nothing changed.
pub fn app_harness(data_dir: &Path) -> Harness<'static, CorescopeApp> {
    app(data_dir).build()
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
