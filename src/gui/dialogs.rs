//! The file dialogs: Open a result set, Save data as, Export a chart as,
//! and choose the export folder. They are drawn inside the window by
//! egui_file, so they need no desktop portal or GTK (they work on any
//! Linux desktop, over SSH and under Xvfb alike). One dialog is open at a
//! time; what it chose becomes a [`Command`], and the app closes it once
//! the choice worked, or opens it again where it was when it did not (a
//! file that is not a result set), the reason in the status line.

use std::path::{Path, PathBuf};

use eframe::egui;
use egui_file::{FileDialog, State};

use super::command::Command;
use crate::export::data::DataFormat;
use crate::export::plot::ImageFormat;
use crate::session::export::ExportTarget;

/// What a dialog is asking for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Open,
    SaveData,
    ExportChart(ExportTarget),
    ExportFolder,
    /// The Python file of the "Your code" workload.
    OpenCode,
}

impl Purpose {
    /// The dialog's title.
    pub fn title(self) -> &'static str {
        match self {
            Purpose::Open => "Open a result set (.json)",
            Purpose::SaveData => "Save data as (.json, .csv or .md)",
            Purpose::ExportChart(_) => "Export chart as (.svg or .png)",
            Purpose::ExportFolder => "Choose the export folder",
            Purpose::OpenCode => "Open your Python file (.py)",
        }
    }

    /// The command that carries out a choice of `path`.
    fn command(self, path: PathBuf) -> Command {
        match self {
            Purpose::Open => Command::OpenChosen(path),
            Purpose::SaveData => Command::SaveDataAs(path),
            Purpose::ExportChart(target) => Command::ExportChartAs(target, path),
            Purpose::ExportFolder => Command::SetExportFolder(path),
            Purpose::OpenCode => Command::SetCodeFile(path),
        }
    }
}

/// The open file dialog, if any.
#[derive(Debug, Default)]
pub struct FileDialogs {
    open: Option<Open>,
}

#[derive(Debug)]
struct Open {
    purpose: Purpose,
    dialog: FileDialog,
}

impl FileDialogs {
    /// What the open dialog asks for, if one is open.
    pub fn purpose(&self) -> Option<Purpose> {
        self.open.as_ref().map(|o| o.purpose)
    }

    /// Opens a dialog for `purpose` in `folder`, offering `file_name` (a
    /// Save dialog's suggestion). Replaces any open one.
    pub fn show(&mut self, purpose: Purpose, folder: &Path, file_name: Option<String>) {
        let mut dialog = build(purpose, folder, file_name);
        dialog.open();
        self.open = Some(Open { purpose, dialog });
    }

    /// Opens the dialog again in the folder it was in, with the name it
    /// had: a choice that did not work can be corrected.
    pub fn reopen(&mut self) {
        let Some(open) = &self.open else {
            return;
        };
        let folder = open.dialog.directory().to_path_buf();
        let name = open
            .dialog
            .path()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned());
        let purpose = open.purpose;
        let name = match purpose {
            Purpose::Open | Purpose::ExportFolder | Purpose::OpenCode => None,
            Purpose::SaveData | Purpose::ExportChart(_) => name,
        };
        self.show(purpose, &folder, name);
    }

    pub fn close(&mut self) {
        self.open = None;
    }
}

fn build(purpose: Purpose, folder: &Path, file_name: Option<String>) -> FileDialog {
    let dialog = match purpose {
        Purpose::Open => FileDialog::open_file()
            .show_files_filter(Box::new(|p: &Path| {
                DataFormat::from_path(p) == Some(DataFormat::Json)
            }))
            .show_new_folder(false),
        Purpose::SaveData => FileDialog::save_file()
            .show_files_filter(Box::new(|p: &Path| DataFormat::from_path(p).is_some()))
            .filename_filter(Box::new(|name: &str| {
                DataFormat::from_path(Path::new(name)).is_some()
            })),
        Purpose::ExportChart(_) => FileDialog::save_file()
            .show_files_filter(Box::new(|p: &Path| ImageFormat::from_path(p).is_some()))
            .filename_filter(Box::new(|name: &str| {
                ImageFormat::from_path(Path::new(name)).is_some()
            })),
        Purpose::ExportFolder => FileDialog::select_folder(),
        Purpose::OpenCode => FileDialog::open_file()
            .show_files_filter(Box::new(|p: &Path| {
                p.extension().is_some_and(|e| e.eq_ignore_ascii_case("py"))
            }))
            .show_new_folder(false),
    };
    let dialog = dialog
        .id(egui::Id::unique("corescope-file-dialog"))
        .title(purpose.title())
        .initial_path(folder)
        .default_size([640.0, 440.0])
        .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
        .keep_on_top(true)
        // Renaming the user's files is not this app's business.
        .show_rename(false);
    match file_name {
        Some(name) => dialog.default_filename(name),
        None => dialog,
    }
}

/// Draws the open dialog over a dimmed window; a choice or a cancel
/// becomes a command.
pub fn dialogs_ui(ctx: &egui::Context, dialogs: &mut FileDialogs, commands: &mut Vec<Command>) {
    let Some(open) = &mut dialogs.open else {
        return;
    };
    let _ = backdrop_ui(ctx);
    match open.dialog.show(ctx).state() {
        State::Open => {}
        State::Selected => match open.dialog.path() {
            Some(path) => commands.push(open.purpose.command(path.to_path_buf())),
            None => commands.push(Command::CloseDialog),
        },
        State::Cancelled | State::Closed => commands.push(Command::CloseDialog),
    }
}

/// Dims the window behind a dialog and takes its clicks and hovers, so
/// the dialog reads as modal (the dialog keeps itself on top of this
/// layer); returns the response to a click outside the dialog.
pub fn backdrop_ui(ctx: &egui::Context) -> egui::Response {
    let screen = ctx.content_rect();
    egui::Area::new(egui::Id::unique("corescope-dialog-backdrop"))
        .order(egui::Order::Middle)
        .fixed_pos(screen.min)
        .show(ctx, |ui| {
            let (rect, response) = ui.allocate_exact_size(screen.size(), egui::Sense::click());
            let dim = egui::Color32::from_black_alpha(150);
            ui.painter().rect_filled(rect, 0.0, dim);
            response
        })
        .inner
}

/// The first of `candidates` that is a folder, else the working folder.
pub fn first_folder(candidates: &[PathBuf]) -> PathBuf {
    candidates
        .iter()
        .find(|c| c.is_dir())
        .cloned()
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_existing_folder_is_chosen() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("not-here");
        assert_eq!(
            first_folder(&[missing, dir.path().to_path_buf()]),
            dir.path()
        );
    }
}
