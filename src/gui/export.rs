//! Getting charts and data out of the app, and result sets in.
//!
//! Each chart has an Export menu (SVG, PNG, copy as an image; the timeline
//! also a Chrome trace); the File
//! menu opens a saved result set, exports the shown one as JSON, CSV or
//! Markdown, or writes a whole report folder. Files land in the export
//! folder set in the File menu, named after the chart and the experiment,
//! and are written by [`crate::export`] (a temporary file, then a rename), so
//! a failed export leaves nothing behind; the status line says where each
//! file went, or why it was not written. A result set dropped on the window
//! opens like one chosen in the File menu.

use std::path::{Path, PathBuf};

use eframe::egui::{self, RichText};

use super::app::{Command, CorescopeApp};
use super::state::ExportTheme;
use crate::chart::{self, Chart, ChartKind, ChartOptions};
use crate::export::activity::ActivityChart;
use crate::export::{self, plot};
use crate::results::{ResultSet, RunRecord};

/// What an Export menu exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportTarget {
    /// A scaling chart of the shown experiment (and the compared one).
    Chart(ChartKind),
    /// A chart of one run (by index) of the shown experiment.
    Run(ActivityChart, usize),
}

/// The data formats of the File menu: the export registry's.
pub use crate::export::data::DataFormat;

/// The label of a stored experiment on compared charts: the file it was
/// opened from, else its number and time.
pub fn set_label(set: &ResultSet, index: usize) -> String {
    if let Some(source) = &set.source {
        return source.clone();
    }
    // RFC 3339: the time is characters 11..16 (HH:MM).
    let time = set.created.get(11..16).unwrap_or("");
    format!("#{} {time}", index + 1)
}

/// A file name stem safe on every system: `created` without colons.
fn stamp(set: &ResultSet) -> String {
    set.created
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

impl CorescopeApp {
    /// The result sets the charts show, labelled: the shown experiment and,
    /// when one is chosen, the one compared with it.
    pub fn shown_sources(&self) -> Vec<(String, &ResultSet)> {
        let Some(shown) = self.shown() else {
            return Vec::new();
        };
        let shown_label = match self.shown_index() {
            Some(i) => set_label(shown, i),
            None => "this run".to_string(),
        };
        let mut sources = vec![(shown_label, shown)];
        if let Some((i, other)) = self.compared() {
            sources.push((set_label(other, i), other));
        }
        sources
    }

    /// The stored experiment compared with the shown one, with its index
    /// (none when it is the shown one itself).
    pub fn compared(&self) -> Option<(usize, &ResultSet)> {
        let i = self
            .compare_with
            .filter(|&i| Some(i) != self.shown_index())?;
        self.results.experiments.get(i).map(|set| (i, set))
    }

    /// Options of every chart drawn or exported.
    pub fn chart_options(&self) -> ChartOptions {
        ChartOptions {
            predict_to: self.settings.charts.predict_to,
        }
    }

    /// The chart of `kind` for what is shown (compared, if chosen).
    pub fn chart(&self, kind: ChartKind) -> Option<Chart> {
        let sources = self.shown_sources();
        if sources.is_empty() {
            return None;
        }
        let labelled: Vec<(&str, &ResultSet)> =
            sources.iter().map(|(l, s)| (l.as_str(), *s)).collect();
        Some(chart::build_compared(
            kind,
            &labelled,
            &self.chart_options(),
        ))
    }

    /// The image size and theme set in the File menu.
    fn export_style(&self) -> Result<plot::PlotStyle, String> {
        let export = &self.settings.export;
        let side = |name: &str, text: &str| {
            text.trim()
                .parse::<u32>()
                .ok()
                .filter(|v| (64..=plot::MAX_SIDE).contains(v))
                .ok_or_else(|| {
                    format!(
                        "image {name} '{}' is not a size from 64 to {} pixels",
                        text.trim(),
                        plot::MAX_SIDE
                    )
                })
        };
        Ok(plot::PlotStyle {
            width: side("width", &export.width)?,
            height: side("height", &export.height)?,
            dark: match export.theme {
                ExportTheme::SameAsApp => self.settings.dark,
                ExportTheme::Light => false,
                ExportTheme::Dark => true,
            },
        })
    }

    /// The export folder, created if missing.
    fn export_folder(&self) -> Result<PathBuf, String> {
        let text = self.settings.export.folder.trim();
        if text.is_empty() {
            return Err("set an export folder in the File menu first".to_string());
        }
        let folder = PathBuf::from(text);
        std::fs::create_dir_all(&folder)
            .map_err(|e| format!("cannot create the export folder {}: {e}", folder.display()))?;
        Ok(folder)
    }

    /// Where a file about the shown experiment goes: `{what}-{created}.{ext}`.
    fn export_path(&self, what: &str, extension: &str) -> Result<PathBuf, String> {
        let set = self.shown().ok_or("there is no experiment to export yet")?;
        let compared = if self.shown_sources().len() > 1 {
            "-compared"
        } else {
            ""
        };
        Ok(self
            .export_folder()?
            .join(format!("{what}{compared}-{}.{extension}", stamp(set))))
    }

    /// Reports how an export went in the status line.
    fn report_export(&mut self, result: Result<PathBuf, String>) {
        match result {
            Ok(path) => {
                self.error = None;
                self.notice = Some(format!("saved {}", path.display()));
            }
            Err(e) => self.error = Some(format!("not exported: {e}")),
        }
    }

    /// Run `index` of the shown experiment.
    fn shown_run(&self, index: usize) -> Result<&RunRecord, String> {
        self.shown()
            .and_then(|set| set.runs.get(index))
            .ok_or_else(|| "that run is no longer shown".to_string())
    }

    /// Writes the chart `target` as an image file.
    pub(super) fn export_image(&mut self, target: ExportTarget, format: plot::ImageFormat) {
        let result = (|| {
            let style = self.export_style()?;
            match target {
                ExportTarget::Chart(kind) => {
                    let chart = self.chart(kind).ok_or("there is no chart to export yet")?;
                    let path = self.export_path(kind.slug(), format.extension())?;
                    plot::write(&chart, &style, &path).map_err(|e| e.to_string())?;
                    Ok(path)
                }
                ExportTarget::Run(kind, index) => {
                    let run = self.shown_run(index)?;
                    let what = format!(
                        "{}-{}",
                        export::report::run_stem(index, run),
                        kind.file_stem()
                    );
                    let path = self.export_path(&what, format.extension())?;
                    export::activity::write(kind, run, &style, &path).map_err(|e| e.to_string())?;
                    Ok(path)
                }
            }
        })();
        self.report_export(result);
    }

    /// Writes run `index` of the shown experiment as Chrome trace-event
    /// JSON, for Perfetto UI or chrome://tracing.
    pub(super) fn export_trace(&mut self, index: usize) {
        let result = (|| {
            let run = self.shown_run(index)?;
            let what = format!("{}-trace", export::report::run_stem(index, run));
            let path = self.export_path(&what, "json")?;
            export::trace::write(run, &path).map_err(|e| e.to_string())?;
            Ok(path)
        })();
        self.report_export(result);
    }

    /// Puts the chart `target` on the clipboard as an image.
    pub(super) fn copy_image(&mut self, target: ExportTarget, ctx: &egui::Context) {
        let result = (|| {
            let style = self.export_style()?;
            let (title, rgb) = match target {
                ExportTarget::Chart(kind) => {
                    let chart = self.chart(kind).ok_or("there is no chart to copy yet")?;
                    let rgb = plot::render_rgb(&chart, &style).map_err(|e| e.to_string())?;
                    (chart.title, rgb)
                }
                ExportTarget::Run(kind, index) => {
                    let run = self.shown_run(index)?;
                    let rgb = export::activity::render_rgb(kind, run, &style)
                        .map_err(|e| e.to_string())?;
                    (kind.file_stem().to_string(), rgb)
                }
            };
            let size = [style.width as usize, style.height as usize];
            ctx.copy_image(egui::ColorImage::from_rgb(size, &rgb));
            Ok::<_, String>(format!(
                "copied the {title} chart ({}×{}) to the clipboard",
                style.width, style.height
            ))
        })();
        match result {
            Ok(note) => self.notice = Some(note),
            Err(e) => self.error = Some(format!("not copied: {e}")),
        }
    }

    /// Writes the shown experiment's data.
    pub(super) fn export_data(&mut self, format: DataFormat) {
        let result = (|| {
            let set = self.shown().ok_or("there is no experiment to export yet")?;
            let path = self.export_folder()?.join(format!(
                "results-{}.{}",
                stamp(set),
                format.info().extension
            ));
            export::data::write(format, set, &path).map_err(|e| e.to_string())?;
            Ok(path)
        })();
        self.report_export(result);
    }

    /// Writes every chart, the CSV and a Markdown report into a folder of
    /// its own inside the export folder.
    pub(super) fn export_report(&mut self) {
        let result = (|| {
            let style = self.export_style()?;
            let folder = self.export_path("report", "d")?.with_extension("");
            let sources = self.shown_sources();
            let sources: Vec<export::report::Source<'_>> = sources
                .iter()
                .map(|(label, set)| export::report::Source { label, set })
                .collect();
            export::report::write(&sources, &folder, &style, &self.chart_options())
                .map_err(|e| e.to_string())?;
            Ok(folder)
        })();
        self.report_export(result);
    }

    /// Opens a saved result set: it joins the stored experiments and is
    /// shown. A file that is not one is reported by name.
    pub(super) fn open_file(&mut self, path: &Path) {
        match ResultSet::load(path) {
            Ok(mut set) => {
                set.source = path.file_stem().map(|s| s.to_string_lossy().into_owned());
                crate::analysis::fill_speedups(&mut set);
                let runs = set.runs.len();
                self.results.experiments.push(set);
                self.selected = Some(self.results.experiments.len() - 1);
                self.open_dialog = None;
                self.error = None;
                self.notice = Some(format!(
                    "opened {} ({runs} run{})",
                    path.display(),
                    if runs == 1 { "" } else { "s" }
                ));
                if let Err(e) = self.results.save() {
                    self.error = Some(e);
                }
            }
            Err(e) => self.error = Some(format!("not opened: {e}")),
        }
    }

    /// Opens every result set dropped on the window.
    pub(super) fn open_dropped(&mut self, ctx: &egui::Context) {
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        });
        for path in dropped {
            self.open_file(&path);
        }
    }
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
pub fn file_menu_ui(app: &mut CorescopeApp, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
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
        let has_data = app.shown().is_some();
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
        let export = &mut app.settings.export;
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
pub fn open_dialog_ui(app: &mut CorescopeApp, ctx: &egui::Context, commands: &mut Vec<Command>) {
    let Some(OpenDialog { path, found }) = app.open_dialog.as_mut() else {
        return;
    };
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
