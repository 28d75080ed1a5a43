//! The desktop app: point-and-click experiments with live charts.
//!
//! [`app::CorescopeApp`] is the `eframe::App`: it draws a UI-free
//! [`crate::session::Session`] (results, the run in progress, exports) and
//! the persisted [`state::Settings`]. Its `logic` drains the engine's events
//! within a time budget; its `ui` only draws: each panel takes the narrow
//! state it shows and pushes [`command::Command`]s, applied after drawing.
//! No panel imports the app. Keyboard shortcuts come from one table
//! ([`shortcuts`]) that also feeds the menus and the help overlay; file
//! dialogs are drawn in the window ([`dialogs`]); with no results yet the
//! central area shows the first-run view ([`welcome`]). Settings persist through eframe's storage;
//! results persist in a JSON file in the app's data folder
//! ([`crate::session::store::ResultsStore`]).

pub mod app;
mod chart_legend;
pub mod chart_view;
pub mod code_probe;
pub mod command;
pub mod dialogs;
pub mod export;
pub mod flags;
pub mod live;
pub mod panels;
pub mod plots;
pub mod present;
pub mod recommendation;
pub mod shortcuts;
pub mod startup;
pub mod state;
pub mod theme;
pub mod timeline;
pub mod views;
pub mod welcome;
pub mod widgets;

use std::path::PathBuf;

pub use app::{AppConfig, CorescopeApp};

/// The application id: names the settings and data folder.
pub const APP_ID: &str = "corescope";

/// The file eframe keeps the window's settings in, in the data folder.
pub const SETTINGS_FILE: &str = "app.ron";

/// Largest settings file eframe is let read: the window's settings take a
/// few KiB.
const MAX_SETTINGS_BYTES: u64 = 1 << 20;

/// Moves the settings file aside when it is not a regular file of bounded
/// size, before eframe reads it; returns what the window should say.
/// Values inside it are checked where they are used (the zoom, for one).
pub fn guard_settings_file(path: &std::path::Path) -> Option<String> {
    let problem = match crate::untrusted::read_regular(path, MAX_SETTINGS_BYTES) {
        Ok(_) => return None,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => e,
    };
    let kept = match crate::untrusted::move_aside(path) {
        Ok(aside) => format!("it was kept as {}", aside.display()),
        Err(e) => format!("it could not be moved aside ({e})"),
    };
    Some(format!(
        "the window's settings in {} could not be read ({problem}); {kept} and the defaults are used",
        path.display()
    ))
}

/// Opens the window and runs until it is closed; `present` opens it in
/// presentation mode on that lesson (blank: the first).
pub fn run(worker_exe: PathBuf, present: Option<String>) -> Result<(), eframe::Error> {
    let options = eframe::NativeOptions {
        viewport: eframe::egui::ViewportBuilder::default()
            .with_title("corescope — parallelism, measured")
            .with_app_id(APP_ID)
            .with_inner_size([1440.0, 900.0])
            .with_min_inner_size([960.0, 640.0]),
        persist_window: true,
        ..Default::default()
    };
    let data_dir = eframe::storage_dir(APP_ID);
    // eframe reads its settings file itself, before the app exists: a FIFO
    // there would hang the start, a link to /dev/zero fill the memory.
    let notice = data_dir
        .as_deref()
        .and_then(|dir| guard_settings_file(&dir.join(SETTINGS_FILE)));
    let config = AppConfig {
        worker_exe,
        data_dir,
        present,
        notice,
    };
    let since = std::time::Instant::now();
    let probe = std::env::var_os(startup::EXIT_AFTER_FIRST_FRAME).is_some();
    eframe::run_native(
        APP_ID,
        options,
        Box::new(move |cc| {
            let app = CorescopeApp::new(cc, config);
            Ok(if probe {
                Box::new(startup::FirstFrameProbe::new(app, since))
            } else {
                Box::new(app)
            })
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_settings_file_that_is_no_regular_file_is_moved_aside_before_eframe_reads_it() {
        let data = tempfile::tempdir().unwrap();
        let settings = data.path().join(SETTINGS_FILE);
        assert_eq!(guard_settings_file(&settings), None, "none yet is fine");
        std::fs::write(&settings, "(zoom: 1.0)").unwrap();
        assert_eq!(guard_settings_file(&settings), None);
        std::fs::remove_file(&settings).unwrap();
        let made = std::process::Command::new("mkfifo").arg(&settings).status();
        assert!(made.unwrap().success());
        let notice = guard_settings_file(&settings).unwrap();
        assert!(notice.contains("FIFO"), "{notice}");
        assert!(!settings.exists());
        assert!(data.path().join("app.ron.unreadable").exists());
        std::os::unix::fs::symlink("/dev/zero", &settings).unwrap();
        let notice = guard_settings_file(&settings).unwrap();
        assert!(notice.contains("app.ron.unreadable.2"), "{notice}");
    }

    #[test]
    fn a_zoom_read_from_a_file_is_always_one_the_window_can_use() {
        assert_eq!(app::sane_zoom(f32::NAN), 1.0);
        assert_eq!(app::sane_zoom(f32::INFINITY), 1.0);
        assert_eq!(app::sane_zoom(-2.0), 1.0);
        assert_eq!(app::sane_zoom(40.0), 3.0);
        assert_eq!(app::sane_zoom(1.25), 1.25);
    }
}
