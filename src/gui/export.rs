//! The menus and dialogs that get charts and data out of the app, and
//! result sets in.
//!
//! Each chart has an Export menu (SVG, PNG, copy as an image, save as a
//! chosen file; the timeline also a Chrome trace); the File menu opens a
//! saved result set (or a recent one), saves the shown one's data as a
//! chosen file or exports it as JSON, CSV or Markdown, writes a whole
//! report folder, and undoes a Clear. They only push [`Command`]s; the
//! file dialogs are [`super::dialogs`], and the session writes the files
//! ([`crate::session::export`]), quick exports into the export folder set
//! in the File menu. A result set dropped on the window opens like one
//! chosen in the File menu.

use std::path::PathBuf;

use eframe::egui::{self, RichText};

use super::command::Command;
use super::shortcuts::{self, Action};
use super::state::{ExportSettings, ExportTheme};
use crate::export::activity::ActivityChart;
use crate::export::plot;
pub use crate::session::export::{DataFormat, ExportTarget, set_label};
use crate::session::recent::RecentFiles;

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
        if ui
            .button("Save as…")
            .on_hover_text("Choose the file: .svg or .png")
            .clicked()
        {
            commands.push(Command::AskExportChart(Some(target)));
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

/// What the File menu shows besides the export settings.
#[derive(Debug, Clone, Copy)]
pub struct FileMenu<'a> {
    /// An experiment is shown, so its data can be exported.
    pub has_data: bool,
    pub recent: &'a RecentFiles,
    /// How many cleared experiments Undo would bring back.
    pub restorable: usize,
}

/// The File menu: open (and open recent), save and export, undo a Clear,
/// and the export settings. Entries with a shortcut show its keys.
pub fn file_menu_ui(
    ui: &mut egui::Ui,
    menu: &FileMenu<'_>,
    export: &mut ExportSettings,
    commands: &mut Vec<Command>,
) {
    ui.menu_button("File", |ui| {
        shortcuts::menu_item_ui(ui, Action::Open, true, commands);
        ui.menu_button("Open recent", |ui| {
            recent_menu_ui(ui, menu.recent, commands)
        });
        ui.label(
            RichText::new("or drop a .json file on the window")
                .small()
                .weak(),
        );
        ui.separator();
        shortcuts::menu_item_ui(ui, Action::SaveData, menu.has_data, commands);
        shortcuts::menu_item_ui(ui, Action::ExportChart, menu.has_data, commands);
        ui.label(
            RichText::new("Quick export, into the export folder")
                .small()
                .weak(),
        );
        for format in DataFormat::ALL {
            if ui
                .add_enabled(menu.has_data, egui::Button::new(format.info().menu_text))
                .clicked()
            {
                commands.push(Command::ExportData(format));
            }
        }
        if ui
            .add_enabled(
                menu.has_data,
                egui::Button::new("Report folder (every chart, CSV, Markdown)"),
            )
            .clicked()
        {
            commands.push(Command::ExportReport);
        }
        if ui
            .button("Workshop deck (HTML: every lesson's chart and verdict)")
            .on_hover_text(
                "Measures the lessons not measured yet, then writes one page with every \
                 lesson's claim, main chart and verdict into the export folder",
            )
            .clicked()
        {
            commands.push(Command::WriteDeck);
        }
        ui.separator();
        shortcuts::menu_item_ui(ui, Action::UndoClear, menu.restorable > 0, commands);
        ui.separator();
        export_settings_ui(ui, export, commands);
    });
}

/// The recent result sets, newest first; one that cannot be opened now is
/// greyed out and says why on hover.
fn recent_menu_ui(ui: &mut egui::Ui, recent: &RecentFiles, commands: &mut Vec<Command>) {
    // Asked of the file system only while this submenu is drawn.
    let entries = recent.entries();
    if entries.is_empty() {
        ui.label(RichText::new("nothing opened or saved yet").weak());
        return;
    }
    for entry in entries {
        let response = ui.add_enabled(entry.problem.is_none(), egui::Button::new(entry.label()));
        match &entry.problem {
            Some(problem) => {
                response.on_disabled_hover_text(format!(
                    "{}
{problem}",
                    entry.path.display()
                ));
            }
            None => {
                if response
                    .on_hover_text(entry.path.display().to_string())
                    .clicked()
                {
                    commands.push(Command::OpenFile(entry.path.clone()));
                }
            }
        }
    }
    ui.separator();
    if ui.button("Clear this list").clicked() {
        commands.push(Command::ClearRecent);
    }
}

/// The export folder (typed or chosen), image size and theme.
fn export_settings_ui(ui: &mut egui::Ui, export: &mut ExportSettings, commands: &mut Vec<Command>) {
    let label = ui.label(RichText::new("Export folder").strong());
    ui.horizontal(|ui| {
        ui.add(egui::TextEdit::singleline(&mut export.folder).desired_width(300.0))
            .labelled_by(label.id)
            .on_hover_text("Created if missing");
        if ui.button("Choose…").clicked() {
            commands.push(Command::AskExportFolder);
        }
    });
    ui.horizontal(|ui| {
        ui.label("Images");
        ui.add(egui::TextEdit::singleline(&mut export.width).desired_width(48.0))
            .on_hover_text("Width of exported images, in pixels");
        ui.label("×");
        ui.add(egui::TextEdit::singleline(&mut export.height).desired_width(48.0))
            .on_hover_text("Height of exported images, in pixels");
        ui.label("px");
    });
    ui.horizontal(|ui| {
        ui.label("Theme");
        for theme in ExportTheme::ALL {
            ui.radio_value(&mut export.theme, theme, theme.name());
        }
    });
}
