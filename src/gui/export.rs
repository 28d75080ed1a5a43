//! The menus and dialogs that get charts and data out of the app, and
//! result sets in.
//!
//! Each chart has an Export menu (SVG, PNG, copy as an image; the timeline
//! also a Chrome trace); the File
//! menu opens a saved result set, exports the shown one as JSON, CSV or
//! Markdown, or writes a whole report folder. They only push [`Command`]s;
//! the session writes the files ([`crate::session::export`]) into the
//! export folder set in the File menu. A result set dropped on the window
//! opens like one chosen in the File menu.

use std::path::PathBuf;

use eframe::egui::{self, RichText};

use super::command::Command;
use super::state::{ExportSettings, ExportTheme};
use crate::export::activity::ActivityChart;
use crate::export::plot;
pub use crate::session::export::{DataFormat, ExportTarget, set_label};

/// Every result set dropped on the window this frame.
pub fn dropped_files(ctx: &egui::Context) -> Vec<PathBuf> {
    ctx.input(|i| {
        i.raw
            .dropped_files
            .iter()
            .map(|f| f.path().to_path_buf())
            .filter(|p| !p.as_os_str().is_empty())
            .collect()
    })
}

/// The Export menu of one chart.
pub fn chart_menu_ui(ui: &mut egui::Ui, target: ExportTarget, commands: &mut Vec<Command>) {
    ui.menu_button("Export", |ui| {
        if ui
            .button("Save as SVG (slides, print)")
            .on_hover_text("Into the export folder (File menu), at the image size set there")
            .clicked()
        {
            commands.push(Command::ExportImage(target, plot::ImageFormat::Svg));
        }
        if ui.button("Save as PNG").clicked() {
            commands.push(Command::ExportImage(target, plot::ImageFormat::Png));
        }
        if ui.button("Copy as image").clicked() {
            commands.push(Command::CopyImage(target));
        }
        if let ExportTarget::Run(ActivityChart::Timeline, index) = target {
            if ui
                .button("Save as Chrome trace (JSON)")
                .on_hover_text("Trace-event JSON: open it in ui.perfetto.dev or chrome://tracing")
                .clicked()
            {
                commands.push(Command::ExportTrace(index));
            }
        }
    })
    .response
    .on_hover_text("Save this chart as an image, or copy it");
}

/// The File menu: open, export data and report, and the export settings.
pub fn file_menu_ui(
    ui: &mut egui::Ui,
    has_data: bool,
    export: &mut ExportSettings,
    commands: &mut Vec<Command>,
) {
    ui.menu_button("File", |ui| {
        if ui.button("Open result set…").clicked() {
            commands.push(Command::ShowOpen);
        }
        ui.label(
            RichText::new("or drop a .json file on the window")
                .small()
                .weak(),
        );
        ui.separator();
        for format in DataFormat::ALL {
            if ui
                .add_enabled(has_data, egui::Button::new(format.info().menu_text))
                .clicked()
            {
                commands.push(Command::ExportData(format));
            }
        }
        if ui
            .add_enabled(
                has_data,
                egui::Button::new("Report folder (every chart, CSV, Markdown)"),
            )
            .clicked()
        {
            commands.push(Command::ExportReport);
        }
        ui.separator();
        let label = ui.label(RichText::new("Export folder").strong());
        ui.add(egui::TextEdit::singleline(&mut export.folder).desired_width(300.0))
            .labelled_by(label.id)
            .on_hover_text("Created if missing");
        ui.horizontal(|ui| {
            ui.label("Images");
            ui.add(egui::TextEdit::singleline(&mut export.width).desired_width(48.0));
            ui.label("×");
            ui.add(egui::TextEdit::singleline(&mut export.height).desired_width(48.0));
            ui.label("px");
        });
        ui.horizontal(|ui| {
            ui.label("Theme");
            for theme in ExportTheme::ALL {
                ui.radio_value(&mut export.theme, theme, theme.name());
            }
        });
    });
}

/// The Open dialog's state while it is open.
#[derive(Debug, Clone, Default)]
pub struct OpenDialog {
    /// The path field, as typed.
    pub path: String,
    /// Result files found when the dialog opened (not re-read every frame).
    found: Vec<PathBuf>,
}

impl OpenDialog {
    /// A dialog listing the `.json` files in `export_folder` and the
    /// working folder.
    pub fn new(export_folder: &str) -> OpenDialog {
        OpenDialog {
            path: String::new(),
            found: result_files(&[PathBuf::from(export_folder.trim()), PathBuf::from(".")]),
        }
    }
}

/// The Open dialog: a path to type (or paste), and the result sets found
/// in the export folder and the current folder to click.
pub fn open_dialog_ui(ctx: &egui::Context, dialog: &mut OpenDialog, commands: &mut Vec<Command>) {
    let OpenDialog { path, found } = dialog;
    let mut open = true;
    egui::Window::new("Open a result set")
        .collapsible(false)
        .resizable(false)
        .open(&mut open)
        .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
        .show(ctx, |ui| {
            ui.label("A JSON file saved by corescope (--export-json, or File: Data as JSON).");
            let field = ui
                .horizontal(|ui| {
                    let label = ui.label("Result file");
                    ui.add(
                        egui::TextEdit::singleline(path)
                            .hint_text("/path/to/results.json")
                            .desired_width(380.0),
                    )
                    .labelled_by(label.id)
                })
                .inner;
            let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            ui.horizontal(|ui| {
                if ui.button("Open").clicked() || entered {
                    commands.push(Command::OpenFile(PathBuf::from(path.trim())));
                }
                if ui.button("Cancel").clicked() {
                    commands.push(Command::CloseOpen);
                }
            });
            if !found.is_empty() {
                ui.separator();
                ui.label(RichText::new("Found nearby").strong());
                egui::ScrollArea::vertical()
                    .max_height(200.0)
                    .show(ui, |ui| {
                        for file in found.iter() {
                            if ui.link(file.display().to_string()).clicked() {
                                commands.push(Command::OpenFile(file.clone()));
                            }
                        }
                    });
            }
        });
    if !open {
        commands.push(Command::CloseOpen);
    }
}

/// The `.json` files directly in `folders`, newest first (at most 20).
fn result_files(folders: &[PathBuf]) -> Vec<PathBuf> {
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = Vec::new();
    for folder in folders {
        let Ok(entries) = std::fs::read_dir(folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "json") {
                let modified = entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .unwrap_or(std::time::UNIX_EPOCH);
                files.push((modified, path));
            }
        }
    }
    // The same file may be found through both folders.
    files.sort_by(|a, b| a.1.cmp(&b.1));
    files.dedup_by(|a, b| a.1 == b.1);
    files.sort_by_key(|f| std::cmp::Reverse(f.0));
    files.into_iter().take(20).map(|(_, p)| p).collect()
}
