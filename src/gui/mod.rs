//! The desktop app: point-and-click experiments with live charts.
//!
//! [`app::CorescopeApp`] is the `eframe::App`. Its `logic` drains the
//! engine's events within a time budget; its `ui` only draws, and the panels
//! return [`app::Command`]s that are applied after drawing. Settings persist
//! through eframe's storage; results persist in a JSON file in the app's data
//! folder ([`state::ResultsStore`]).

pub mod app;
pub mod chart_view;
pub mod export;
pub mod live;
pub mod panels;
pub mod plots;
pub mod state;
pub mod theme;
pub mod timeline;
pub mod views;

use std::path::PathBuf;

pub use app::{AppConfig, CorescopeApp};

/// The application id: names the settings and data folder.
pub const APP_ID: &str = "corescope";

/// Opens the window and runs until it is closed.
pub fn run(worker_exe: PathBuf) -> Result<(), eframe::Error> {
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
    };
    eframe::run_native(
        APP_ID,
        options,
        Box::new(move |cc| Ok(Box::new(CorescopeApp::new(cc, config)))),
    )
}
