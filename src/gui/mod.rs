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
pub mod chart_view;
pub mod command;
pub mod dialogs;
pub mod export;
pub mod flags;
pub mod live;
pub mod panels;
pub mod plots;
pub mod present;
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
    let config = AppConfig {
        worker_exe,
        data_dir: eframe::storage_dir(APP_ID),
        present,
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
