//! Getting charts and data out of a session, and result sets in.
//!
//! Files land in the export folder, named after the chart and the
//! experiment, and are written by [`crate::export`] (a temporary file, then
//! a rename), so a failed export leaves nothing behind; the status line
//! says where each file went, or why it was not written. A file dialog
//! may name the file instead (`*_as`): its extension picks the format. A
//! result set opened from a file joins the stored experiments and is
//! shown, and the file joins the recent files.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Session;
use crate::chart::{ChartKind, ChartOptions};
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

/// Where and how charts and data are exported (persisted with the app's
/// settings).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExportSettings {
    /// The folder files are written to, as typed.
    pub folder: String,
    /// Image size in pixels, as typed.
    pub width: String,
    pub height: String,
    /// The images' theme.
    pub theme: ExportTheme,
}

impl Default for ExportSettings {
    fn default() -> Self {
        let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from);
        ExportSettings {
            folder: home.join("corescope-exports").display().to_string(),
            width: "1920".to_string(),
            height: "1080".to_string(),
            theme: ExportTheme::SameAsApp,
        }
    }
}

/// The background exported charts are drawn for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExportTheme {
    SameAsApp,
    Light,
    Dark,
}

impl ExportTheme {
    pub const ALL: [ExportTheme; 3] = [
        ExportTheme::SameAsApp,
        ExportTheme::Light,
        ExportTheme::Dark,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ExportTheme::SameAsApp => "as the app",
            ExportTheme::Light => "light",
            ExportTheme::Dark => "dark",
        }
    }
}

/// Everything an export needs besides the session: the export settings,
/// the app's theme (for "as the app") and the chart options.
#[derive(Debug, Clone, Copy)]
pub struct ExportConfig<'a> {
    pub settings: &'a ExportSettings,
    pub app_dark: bool,
    pub charts: ChartOptions,
}

impl ExportConfig<'_> {
    /// The image size and theme set in the File menu.
    fn style(&self) -> Result<plot::PlotStyle, String> {
        let export = self.settings;
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
                ExportTheme::SameAsApp => self.app_dark,
                ExportTheme::Light => false,
                ExportTheme::Dark => true,
            },
            text_px: None,
        })
    }

    /// The export folder, created if missing.
    fn folder(&self) -> Result<PathBuf, String> {
        let text = self.settings.folder.trim();
        if text.is_empty() {
            return Err("set an export folder in the File menu first".to_string());
        }
        let folder = PathBuf::from(text);
        std::fs::create_dir_all(&folder)
            .map_err(|e| format!("cannot create the export folder {}: {e}", folder.display()))?;
        Ok(folder)
    }
}

/// The label of a stored experiment on compared charts and in the
/// Compare menu: the file it was opened from, else its number, its lesson
/// (or its workloads) and its time: `#3 cpu-parallelism 14:02`.
pub fn set_label(set: &ResultSet, index: usize) -> String {
    if let Some(source) = &set.source {
        return source.clone();
    }
    let what = match &set.preset {
        Some(lesson) => lesson.clone(),
        None => {
            let mut workloads: Vec<&str> = Vec::new();
            for run in &set.runs {
                if !workloads.contains(&run.workload.name()) {
                    workloads.push(run.workload.name());
                }
            }
            workloads.join("+")
        }
    };
    // RFC 3339: the time is characters 11..16 (HH:MM).
    let time = set.created.get(11..16).unwrap_or("");
    let label = format!("#{} {what} {time}", index + 1);
    label.split_whitespace().collect::<Vec<_>>().join(" ")
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

impl Session {
    /// The name of a file about the shown experiment:
    /// `{what}-{created}.{ext}` (`-compared` when another one is drawn).
    fn export_name(&self, what: &str, extension: &str) -> Result<String, String> {
        let set = self.shown().ok_or("there is no experiment to export yet")?;
        let compared = if self.shown_sources().len() > 1 {
            "-compared"
        } else {
            ""
        };
        Ok(format!("{what}{compared}-{}.{extension}", stamp(set)))
    }

    /// Where a file about the shown experiment goes in the export folder.
    fn export_path(
        &self,
        how: &ExportConfig<'_>,
        what: &str,
        extension: &str,
    ) -> Result<PathBuf, String> {
        let name = self.export_name(what, extension)?;
        Ok(how.folder()?.join(name))
    }

    /// What a chart's file is called, before the experiment's stamp.
    fn target_stem(&self, target: ExportTarget) -> Result<String, String> {
        match target {
            ExportTarget::Chart(kind) => Ok(kind.slug().to_string()),
            ExportTarget::Run(kind, index) => {
                let run = self.shown_run(index)?;
                Ok(format!(
                    "{}-{}",
                    export::report::run_stem(index, run),
                    kind.file_stem()
                ))
            }
        }
    }

    /// The file name a Save dialog offers for the chart `target`.
    pub fn suggested_image_name(
        &self,
        target: ExportTarget,
        format: plot::ImageFormat,
    ) -> Option<String> {
        let stem = self.target_stem(target).ok()?;
        self.export_name(&stem, format.extension()).ok()
    }

    /// The file name a Save dialog offers for the shown experiment's data.
    pub fn suggested_data_name(&self, format: DataFormat) -> Option<String> {
        let set = self.shown()?;
        Some(format!(
            "results-{}.{}",
            stamp(set),
            format.info().extension
        ))
    }

    /// Reports how an export went in the status line; returns whether
    /// it worked.
    fn report_export(&mut self, result: Result<PathBuf, String>) -> bool {
        match result {
            Ok(path) => {
                self.messages.error = None;
                self.messages.notice = Some(format!("saved {}", path.display()));
                true
            }
            Err(e) => {
                self.messages.error = Some(format!("not exported: {e}"));
                false
            }
        }
    }

    /// Run `index` of the shown experiment.
    fn shown_run(&self, index: usize) -> Result<&RunRecord, String> {
        self.shown()
            .and_then(|set| set.runs.get(index))
            .ok_or_else(|| "that run is no longer shown".to_string())
    }

    /// Writes the chart `target` as an image file in the export folder.
    pub fn export_image(
        &mut self,
        target: ExportTarget,
        format: plot::ImageFormat,
        how: &ExportConfig<'_>,
    ) {
        let result = (|| {
            let path = self.export_path(how, &self.target_stem(target)?, format.extension())?;
            self.write_image(target, &path, how)?;
            Ok(path)
        })();
        self.report_export(result);
    }

    /// Writes the chart `target` to `path`, in the format its extension
    /// names (`.svg` or `.png`).
    pub fn export_image_as(
        &mut self,
        target: ExportTarget,
        path: &Path,
        how: &ExportConfig<'_>,
    ) -> bool {
        let result = (|| {
            plot::ImageFormat::from_path(path)
                .ok_or("name the file .svg or .png to choose the image format")?;
            self.write_image(target, path, how)?;
            Ok(path.to_path_buf())
        })();
        self.report_export(result)
    }

    /// Draws `target` into `path`; its extension picks the format.
    fn write_image(
        &self,
        target: ExportTarget,
        path: &Path,
        how: &ExportConfig<'_>,
    ) -> Result<(), String> {
        let style = how.style()?;
        match target {
            ExportTarget::Chart(kind) => {
                let chart = self
                    .chart(kind, &how.charts)
                    .ok_or("there is no chart to export yet")?;
                plot::write(&chart, &style, path).map_err(|e| e.to_string())
            }
            ExportTarget::Run(kind, index) => {
                let run = self.shown_run(index)?;
                export::activity::write(kind, run, &style, path).map_err(|e| e.to_string())
            }
        }
    }

    /// Writes run `index` of the shown experiment as Chrome trace-event
    /// JSON, for Perfetto UI or chrome://tracing.
    pub fn export_trace(&mut self, index: usize, how: &ExportConfig<'_>) {
        let result = (|| {
            let run = self.shown_run(index)?;
            let what = format!("{}-trace", export::report::run_stem(index, run));
            let path = self.export_path(how, &what, "json")?;
            export::trace::write(run, &path).map_err(|e| e.to_string())?;
            Ok(path)
        })();
        self.report_export(result);
    }

    /// Draws the chart `target` as RGB pixels and hands them, with their
    /// size, to `put` (the window's clipboard).
    pub fn copy_image(
        &mut self,
        target: ExportTarget,
        how: &ExportConfig<'_>,
        put: impl FnOnce([usize; 2], &[u8]),
    ) {
        let result = (|| {
            let style = how.style()?;
            let (title, rgb) = match target {
                ExportTarget::Chart(kind) => {
                    let chart = self
                        .chart(kind, &how.charts)
                        .ok_or("there is no chart to copy yet")?;
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
            put([style.width as usize, style.height as usize], &rgb);
            Ok::<_, String>(format!(
                "copied the {title} chart ({}×{}) to the clipboard",
                style.width, style.height
            ))
        })();
        match result {
            Ok(note) => self.messages.notice = Some(note),
            Err(e) => self.messages.error = Some(format!("not copied: {e}")),
        }
    }

    /// Writes the shown experiment's data into the export folder.
    pub fn export_data(&mut self, format: DataFormat, how: &ExportConfig<'_>) {
        let result = (|| {
            let name = self
                .suggested_data_name(format)
                .ok_or("there is no experiment to export yet")?;
            let path = how.folder()?.join(name);
            self.write_data(format, &path)?;
            Ok(path)
        })();
        self.report_export(result);
    }

    /// Writes the shown experiment's data to `path`, in the format its
    /// extension names; a JSON file joins the recent files.
    pub fn export_data_as(&mut self, path: &Path) -> bool {
        let result = (|| {
            let format = DataFormat::from_path(path)
                .ok_or("name the file .json, .csv or .md to choose the format")?;
            self.write_data(format, path)?;
            if format == DataFormat::Json {
                self.recent.add(path)?;
            }
            Ok(path.to_path_buf())
        })();
        self.report_export(result)
    }

    fn write_data(&self, format: DataFormat, path: &Path) -> Result<(), String> {
        let set = self.shown().ok_or("there is no experiment to export yet")?;
        export::data::write(format, set, path).map_err(|e| e.to_string())
    }

    /// Starts writing every chart, the CSV and a Markdown report into a
    /// folder of its own inside the export folder, on a thread of its own
    /// (a report of many runs takes seconds); [`Session::drain_report`]
    /// follows it.
    pub fn export_report(&mut self, how: &ExportConfig<'_>) {
        if self.report.is_some() {
            return;
        }
        let started = (|| {
            let style = how.style()?;
            let folder = self.export_path(how, "report", "d")?.with_extension("");
            let sources: Vec<(String, ResultSet)> = self
                .shown_sources()
                .into_iter()
                .map(|(label, set)| (label, set.clone()))
                .collect();
            ReportJob::start(sources, folder, style, how.charts)
        })();
        match started {
            Ok(job) => {
                self.messages.error = None;
                self.messages.notice = None;
                self.report = Some(job);
            }
            Err(e) => {
                self.report_export(Err(e));
            }
        }
    }

    /// Takes the report thread's news; once it is done, joins it and says
    /// where the folder went (or why it was not written).
    pub fn drain_report(&mut self) {
        let Some(job) = &mut self.report else {
            return;
        };
        let mut ended = None;
        while let Ok(event) = job.events.try_recv() {
            match event {
                ReportEvent::Progress(done, total) => job.progress = (done, total),
                ReportEvent::Done(result) => ended = Some(result),
            }
        }
        if ended.is_none() && job.events.is_empty() && job.is_finished() {
            ended = Some(Err("the report thread ended without a word".to_string()));
        }
        if let Some(result) = ended {
            // Dropping the job joins its thread.
            self.report = None;
            self.report_export(result);
        }
    }

    /// The lessons with no stored measurement, in lesson order.
    pub fn unmeasured_lessons(&self) -> Vec<String> {
        crate::presets::all()
            .map(|all| {
                all.iter()
                    .filter(|p| self.lesson_index(&p.name).is_none())
                    .map(|p| p.name.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Writes the workshop deck (every lesson's claim, main chart and
    /// verdict, from its newest measurement) into the export folder.
    pub fn export_deck(&mut self, how: &ExportConfig<'_>) -> bool {
        let result = (|| {
            let all = crate::presets::all().map_err(|e| e.to_string())?;
            let folder = how.folder()?;
            let stamp = self
                .results
                .experiments
                .last()
                .map_or_else(|| "empty".to_string(), stamp);
            let path = folder.join(format!("workshop-deck-{stamp}.html"));
            let slides: Vec<export::deck::Slide<'_>> = all
                .iter()
                .map(|preset| export::deck::Slide {
                    preset,
                    set: self.lesson_set(&preset.name),
                })
                .collect();
            export::deck::write(&path, &slides, &self.machine, &how.charts)
                .map_err(|e| e.to_string())?;
            Ok(path)
        })();
        self.report_export(result)
    }

    /// Opens a saved result set: it joins the stored experiments and is
    /// shown. A file that is not one is reported by name. Returns whether
    /// it opened.
    pub fn open_file(&mut self, path: &Path) -> bool {
        match ResultSet::load(path) {
            Ok(mut set) => {
                set.source = path.file_stem().map(|s| s.to_string_lossy().into_owned());
                crate::analysis::fill_speedups(&mut set);
                let runs = set.runs.len();
                self.results.experiments.push(set);
                self.selected = Some(self.results.experiments.len() - 1);
                self.messages.error = None;
                self.messages.notice = Some(format!(
                    "opened {} ({runs} run{})",
                    path.display(),
                    if runs == 1 { "" } else { "s" }
                ));
                if let Err(e) = self.results.save().and_then(|()| self.recent.add(path)) {
                    self.messages.error = Some(e);
                }
                true
            }
            Err(e) => {
                self.messages.error = Some(format!("not opened: {e}"));
                false
            }
        }
    }
}

/// What the report thread tells the session.
#[derive(Debug)]
enum ReportEvent {
    /// Files written so far, of how many.
    Progress(usize, usize),
    /// The folder written, or why not.
    Done(Result<PathBuf, String>),
}

/// A report folder being written on the `corescope-report` thread, which
/// owns copies of the result sets; dropping the job joins the thread.
#[derive(Debug)]
pub struct ReportJob {
    thread: Option<std::thread::JoinHandle<()>>,
    events: crossbeam_channel::Receiver<ReportEvent>,
    /// Files written, of how many (0 of 0 until the first is).
    pub progress: (usize, usize),
    /// The folder it writes.
    pub folder: PathBuf,
}

impl ReportJob {
    fn start(
        sources: Vec<(String, ResultSet)>,
        folder: PathBuf,
        style: plot::PlotStyle,
        charts: ChartOptions,
    ) -> Result<ReportJob, String> {
        let (tx, events) = crossbeam_channel::unbounded();
        let target = folder.clone();
        let thread = std::thread::Builder::new()
            .name("corescope-report".to_string())
            .spawn(move || {
                let sources: Vec<export::report::Source<'_>> = sources
                    .iter()
                    .map(|(label, set)| export::report::Source { label, set })
                    .collect();
                let mut progress = |done, total| {
                    let _ = tx.send(ReportEvent::Progress(done, total));
                };
                let options = export::report::ReportOptions::default();
                let result = export::report::write_reporting(
                    &sources,
                    &target,
                    &style,
                    &charts,
                    options,
                    &mut progress,
                )
                .map(|_| target.clone())
                .map_err(|e| e.to_string());
                let _ = tx.send(ReportEvent::Done(result));
            })
            .map_err(|e| format!("could not start the report thread: {e}"))?;
        Ok(ReportJob {
            thread: Some(thread),
            events,
            progress: (0, 0),
            folder,
        })
    }

    fn is_finished(&self) -> bool {
        self.thread.as_ref().is_none_or(|t| t.is_finished())
    }

    /// Blocks until the report is written (tests and the command line).
    pub fn wait(&mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for ReportJob {
    fn drop(&mut self) {
        self.wait();
    }
}
