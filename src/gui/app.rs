//! [`CorescopeApp`]: the eframe app. Like egui_demo_app's `WrapApp`, it
//! keeps the persisted [`Settings`] apart from the runtime state: the
//! UI-free [`Session`] (results, the run in progress, the status line) and
//! a few fields that only the window needs (dialogs, sort order, the
//! enlarged chart, the help overlay, the title). `logic` drains engine
//! events within a time budget; `ui` turns the keyboard shortcuts pressed
//! into [`Command`]s, hands each panel the narrow state it draws, and
//! applies the commands they push after the frame is drawn.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use eframe::egui;

use super::code_probe::CodeProbe;
use super::command::Command;
use super::dialogs::{self, FileDialogs, Purpose};
use super::export;
use super::panels::{self, RunPanel, TableSort};
use super::state::{Settings, View};
use super::{plots, present, shortcuts, theme, views, widgets};
use crate::chart::{Chart, ChartKind};
use crate::engine::EngineConfig;
use crate::engine::runner::Wake;
use crate::export::activity::ActivityChart;
use crate::presets;
use crate::results::ResultSet;
use crate::session::Session;
use crate::session::export::{ExportConfig, ExportTarget};
use crate::spec::{RawExperiment, default_sweep_workers};

/// Where the app finds its worker executable and keeps its data.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// The corescope executable run as worker processes.
    pub worker_exe: PathBuf,
    /// Folder of `results.json`; `None` keeps results in memory only.
    pub data_dir: Option<PathBuf>,
    /// Open in presentation mode on this lesson (blank: the first).
    pub present: Option<String>,
    /// What went wrong with the settings file before the window opened.
    pub notice: Option<String>,
}

/// Repaint interval while an experiment runs and the live CPU view is
/// shown: it follows samples taken every 200 ms.
const REPAINT_LIVE: Duration = Duration::from_millis(250);

/// Repaint interval while an experiment runs on the other views: the
/// progress bar and the charts need no more, and every redraw takes CPU
/// from the run being measured (much of it where the window is drawn in
/// software).
const REPAINT_QUIET: Duration = Duration::from_millis(1000);

/// How often the report's progress is looked at while it is written.
const REPORT_POLL: Duration = Duration::from_millis(150);

/// Settings that changed are written at most this often.
const SAVE_EVERY: Duration = Duration::from_secs(1);

/// How long `logic` may spend draining events per frame.
const EVENT_BUDGET: Duration = Duration::from_millis(8);

/// The corescope desktop app.
#[derive(Debug)]
pub struct CorescopeApp {
    config: AppConfig,
    /// What persists across restarts.
    pub settings: Settings,
    /// Results, the run in progress and the status line.
    pub session: Session,
    /// The Clear confirmation is open.
    pub confirm_clear: bool,
    pub table_sort: TableSort,
    /// The chart enlarged over the central area, if any.
    pub focused: Option<ChartKind>,
    /// The file dialog, while one is open.
    pub dialogs: FileDialogs,
    /// The keyboard shortcuts overlay is shown.
    pub help_open: bool,
    /// The window's title as last set.
    pub title: String,
    /// The repaint interval while running, in ms, shared with the engine's
    /// wake-up callback.
    repaint_ms: Arc<AtomicU64>,
    wake: Option<egui::Context>,
    /// Presentation mode is on (the lesson is the form's).
    pub presenting: bool,
    /// Where the presentation's charts went in the last frame.
    pub presented_charts: Option<egui::Rect>,
    /// The lessons still to measure before the workshop deck is written,
    /// while one is asked for.
    pub deck_queue: Option<Vec<String>>,
    /// What the interpreter said of the "Your code" file.
    pub code_probe: CodeProbe,
    /// The settings as last written to storage, and when.
    saved: Option<Settings>,
    saved_at: Option<std::time::Instant>,
}

/// The zoom factor within what the window supports; anything else (NaN,
/// infinite, far out of range) is the default.
pub fn sane_zoom(zoom: f32) -> f32 {
    if zoom.is_finite() && zoom > 0.0 {
        zoom.clamp(0.5, 3.0)
    } else {
        1.0
    }
}

impl CorescopeApp {
    /// Builds the app from eframe's creation context (restoring settings).
    pub fn new(cc: &eframe::CreationContext<'_>, config: AppConfig) -> CorescopeApp {
        let settings: Settings = cc
            .storage
            .and_then(|storage| eframe::get_value(storage, eframe::APP_KEY))
            .unwrap_or_default();
        let mut settings = settings;
        // Read from a file anyone may have edited: a NaN zoom panics egui.
        settings.zoom = sane_zoom(settings.zoom);
        theme::apply(&cc.egui_ctx, settings.dark);
        cc.egui_ctx.set_zoom_factor(settings.zoom);
        // Zoom keys are in the app's own shortcut table (and its help).
        cc.egui_ctx.options_mut(|o| o.zoom_with_keyboard = false);
        let mut session = Session::open(config.data_dir.as_deref(), super::state::field_of);
        if let Some(notice) = &config.notice {
            let error = session.messages.error.take();
            session.messages.error =
                Some(error.map_or_else(|| notice.clone(), |e| format!("{notice}; {e}")));
        }
        let present = config.present.clone();
        let mut app = CorescopeApp {
            config,
            settings,
            session,
            confirm_clear: false,
            table_sort: TableSort::default(),
            focused: None,
            dialogs: FileDialogs::default(),
            help_open: false,
            title: String::new(),
            repaint_ms: Arc::new(AtomicU64::new(REPAINT_QUIET.as_millis() as u64)),
            wake: Some(cc.egui_ctx.clone()),
            saved: None,
            saved_at: None,
            presenting: false,
            presented_charts: None,
            deck_queue: None,
            code_probe: CodeProbe::default(),
        };
        if let Some(lesson) = present {
            app.present(true, Some(lesson.trim()).filter(|l| !l.is_empty()));
        }
        app
    }

    /// Enters presentation mode on `lesson` (else the form's lesson, the
    /// shown experiment's, or the first), or leaves it.
    fn present(&mut self, on: bool, lesson: Option<&str>) {
        self.presenting = on;
        self.presented_charts = None;
        if !on {
            return;
        }
        let lesson = lesson
            .map(str::to_string)
            .or_else(|| self.settings.form.lesson.clone())
            .or_else(|| self.shown().and_then(|s| s.preset.clone()))
            .or_else(|| presets::all().ok()?.first().map(|p| p.name.clone()));
        if let Some(name) = lesson {
            self.show_lesson(&name);
        }
    }

    /// Loads lesson `name` into the form (locked to it) and shows its
    /// newest measurement, without running it.
    fn show_lesson(&mut self, name: &str) {
        match presets::find(name) {
            Ok(preset) => {
                self.settings
                    .form
                    .load_lesson(&preset.name, &preset.experiment);
                if let Some(index) = self.session.lesson_index(&preset.name) {
                    self.session.selected = Some(index);
                }
                self.session.compare_with = None;
            }
            Err(e) => self.session.messages.error = Some(e.to_string()),
        }
    }

    /// The lesson `steps` after the form's (before, when negative), in a
    /// ring: after the last comes the first.
    fn step_lesson(&mut self, steps: i32) {
        let Ok(all) = presets::all() else {
            return;
        };
        let current = self
            .settings
            .form
            .lesson
            .as_deref()
            .and_then(|name| all.iter().position(|p| p.name == name));
        let count = all.len() as i64;
        let next = match current {
            Some(i) => (i as i64 + i64::from(steps)).rem_euclid(count),
            None => 0,
        };
        if let Some(preset) = all.get(next as usize) {
            let name = preset.name.clone();
            self.show_lesson(&name);
        }
    }

    /// Measures the next lesson the deck waits for, or once none is left,
    /// writes the deck.
    fn advance_deck(&mut self) {
        if self.session.is_running() {
            return;
        }
        let Some(queue) = &mut self.deck_queue else {
            return;
        };
        if queue.is_empty() {
            self.deck_queue = None;
            let how = ExportConfig {
                settings: &self.settings.export,
                app_dark: self.settings.dark,
                charts: self.settings.chart_options(),
            };
            self.session.export_deck(&how);
            return;
        }
        let name = queue.remove(0);
        self.start_preset(&name);
        if !self.session.is_running() {
            // It could not start (a model unavailable here): the deck
            // says it was not measured.
            self.session.messages.error = None;
        }
    }

    /// Whether an experiment is running.
    pub fn is_running(&self) -> bool {
        self.session.is_running()
    }

    /// The result set the charts show (see [`Session::shown`]).
    pub fn shown(&self) -> Option<&ResultSet> {
        self.session.shown()
    }

    /// Index of the experiment the charts show, if it is a stored one.
    pub fn shown_index(&self) -> Option<usize> {
        self.session.shown_index()
    }

    /// The chart of `kind` as drawn now.
    pub fn chart(&self, kind: ChartKind) -> Option<Chart> {
        self.session.chart(kind, &self.settings.chart_options())
    }

    /// Loads a lesson into the form and runs it: its own experiment,
    /// swept over 1 … cores.
    fn run_lesson(&mut self, name: &str) {
        if self.session.is_running() {
            return;
        }
        self.show_lesson(name);
        self.start_preset(name);
    }

    /// Runs a lesson preset: its own experiment, swept over 1 … cores.
    fn start_preset(&mut self, name: &str) {
        match presets::find(name) {
            Ok(preset) => {
                if self.session.is_running() {
                    return;
                }
                let workers = default_sweep_workers(self.session.machine.logical_cores);
                let messages = &mut self.session.messages;
                messages.error = None;
                messages.notice = None;
                messages.form_error = None;
                let config = self.engine_config();
                let wake = self.wake_up();
                self.session.start_lesson(&preset, &workers, config, wake);
            }
            Err(e) => self.session.messages.error = Some(e.to_string()),
        }
    }

    fn start_run(&mut self, raw: &RawExperiment, default_workers: &[u32]) {
        if self.session.is_running() {
            return;
        }
        let messages = &mut self.session.messages;
        messages.error = None;
        messages.notice = None;
        let mut spec = match raw.validate(default_workers) {
            Ok(spec) => spec,
            Err(e) => {
                messages.form_error = Some(e);
                return;
            }
        };
        // Your code's file read as the command line reads it (`ast`, and
        // `inputs()` counted): a short call of the interpreter.
        if let Err(e) = crate::python::code::prepare(raw, &mut spec, &self.settings.python()) {
            messages.form_error = Some(e);
            return;
        }
        messages.form_error = None;
        let config = self.engine_config();
        let wake = self.wake_up();
        self.session.start(spec, config, wake);
    }

    /// The engine's paths as the settings give them.
    fn engine_config(&self) -> EngineConfig {
        EngineConfig {
            worker_exe: self.config.worker_exe.clone(),
            python: self.settings.python(),
            hostfile: self.settings.hostfile(),
            instrument: true,
        }
    }

    /// Measures the shown experiment's flagged runs again.
    fn rerun_flagged(&mut self) {
        let messages = &mut self.session.messages;
        messages.error = None;
        messages.notice = None;
        let config = self.engine_config();
        let wake = self.wake_up();
        self.session.rerun_flagged(config, wake);
    }

    /// The engine's wake-up callback: a coalesced repaint request.
    fn wake_up(&self) -> Wake {
        let wake = self.wake.clone();
        let repaint_ms = Arc::clone(&self.repaint_ms);
        Arc::new(move || {
            if let Some(ctx) = &wake {
                // Coalesced: at most a few repaints a second, so drawing
                // the window takes little CPU from the measurement.
                let every = repaint_ms.load(Ordering::Relaxed);
                ctx.request_repaint_after(Duration::from_millis(every));
            }
        })
    }

    /// Applies engine events until the channel is empty or the budget is spent.
    pub fn drain_events(&mut self) {
        self.session.drain_events(EVENT_BUDGET);
    }

    /// Opens every result set dropped on the window.
    fn open_dropped(&mut self, ctx: &egui::Context) {
        for path in export::dropped_files(ctx) {
            self.session.open_file(&path);
        }
    }

    /// Runs the lesson after the one shown, or the first.
    fn next_lesson(&mut self) {
        let Ok(all) = presets::all() else {
            return;
        };
        let shown = self.shown().and_then(|set| set.preset.as_deref());
        let next = match shown.and_then(|name| all.iter().position(|p| p.name == name)) {
            Some(i) => (i + 1) % all.len(),
            None => 0,
        };
        if let Some(preset) = all.get(next) {
            let name = preset.name.clone();
            self.run_lesson(&name);
        }
    }

    /// The chart shown now, as an export target: the enlarged chart, else
    /// the first of the Scaling grid, else the chosen run's timeline or
    /// CPU chart.
    fn shown_chart(&self, ctx: &egui::Context) -> Option<ExportTarget> {
        let set = self.shown()?;
        let run = || widgets::chosen_run(set, &widgets::state(ctx)).map(|(i, _)| i);
        match self.settings.view {
            View::Scaling => Some(ExportTarget::Chart(
                self.focused.unwrap_or(ChartKind::WallTime),
            )),
            View::Timeline => Some(ExportTarget::Run(ActivityChart::Timeline, run()?)),
            View::CpuMemory => Some(ExportTarget::Run(ActivityChart::Cpu, run()?)),
        }
    }

    /// Where a file dialog starts: for Open, the folder of the newest
    /// recent file; else the export folder (or the folder above it).
    fn dialog_folder(&self, purpose: Purpose) -> PathBuf {
        let export = PathBuf::from(self.settings.export.folder.trim());
        let recent = match purpose {
            Purpose::Open => self.session.recent.files().first().and_then(|f| f.parent()),
            _ => None,
        };
        let code_folder = self.settings.form.code_folder();
        let recent = match purpose {
            Purpose::OpenCode => code_folder.as_deref(),
            _ => recent,
        };
        let candidates: Vec<PathBuf> = recent
            .into_iter()
            .chain([export.as_path()])
            .chain(export.parent())
            .map(Path::to_path_buf)
            .collect();
        dialogs::first_folder(&candidates)
    }

    /// Opens the file dialog for `purpose` (nothing to save: an error).
    fn ask(&mut self, purpose: Purpose) {
        let how = crate::export::plot::ImageFormat::Svg;
        let name = match purpose {
            Purpose::Open | Purpose::ExportFolder | Purpose::OpenCode => None,
            Purpose::SaveData => self
                .session
                .suggested_data_name(crate::export::data::DataFormat::Json),
            Purpose::ExportChart(target) => self.session.suggested_image_name(target, how),
        };
        let needs_data = matches!(purpose, Purpose::SaveData | Purpose::ExportChart(_));
        if needs_data && name.is_none() {
            self.session.messages.error = Some("there is nothing to save yet".to_string());
            return;
        }
        let folder = self.dialog_folder(purpose);
        self.dialogs.show(purpose, &folder, name);
    }

    /// Applies a command of the file dialogs and the File menu.
    fn apply_file(&mut self, command: Command, ctx: &egui::Context) {
        let how = ExportConfig {
            settings: &self.settings.export,
            app_dark: self.settings.dark,
            charts: self.settings.chart_options(),
        };
        let session = &mut self.session;
        // A choice that worked closes its dialog; one that did not opens
        // it again where it was.
        let worked = match command {
            Command::ShowOpen => {
                self.ask(Purpose::Open);
                return;
            }
            Command::AskSaveData => {
                self.ask(Purpose::SaveData);
                return;
            }
            Command::AskExportChart(target) => {
                match target.or_else(|| self.shown_chart(ctx)) {
                    Some(target) => self.ask(Purpose::ExportChart(target)),
                    None => {
                        self.session.messages.error = Some("there is no chart to export yet".into())
                    }
                }
                return;
            }
            Command::AskExportFolder => {
                self.ask(Purpose::ExportFolder);
                return;
            }
            Command::AskCodeFile => {
                self.ask(Purpose::OpenCode);
                return;
            }
            Command::SetCodeFile(path) => {
                self.settings.form.set_code_file(&path);
                // Chosen again, it is read again: it may have changed.
                self.code_probe.forget();
                true
            }
            Command::OpenChosen(path) => session.open_file(&path),
            Command::SaveDataAs(path) => session.export_data_as(&path),
            Command::ExportChartAs(target, path) => session.export_image_as(target, &path, &how),
            Command::SetExportFolder(path) => {
                self.settings.export.folder = path.display().to_string();
                true
            }
            Command::OpenFile(path) => {
                session.open_file(&path);
                return;
            }
            Command::ClearRecent => {
                if let Err(e) = session.recent.clear() {
                    session.messages.error = Some(e);
                }
                return;
            }
            _ => return,
        };
        if worked {
            self.dialogs.close();
        } else {
            self.dialogs.reopen();
        }
    }

    /// Applies one command from the panels or the shortcuts.
    pub fn apply(&mut self, command: Command, ctx: &egui::Context) {
        let how = ExportConfig {
            settings: &self.settings.export,
            app_dark: self.settings.dark,
            charts: self.settings.chart_options(),
        };
        let session = &mut self.session;
        match command {
            Command::Run => match self.settings.form.lesson.clone() {
                // A lesson not tweaked runs exactly as the lesson says.
                Some(lesson) => self.run_lesson(&lesson),
                None => {
                    let cores = session.machine.logical_cores;
                    let raw = self.settings.form.raw(cores);
                    self.start_run(&raw, &[cores]);
                }
            },
            Command::RunPreset(name) => self.run_lesson(&name),
            Command::TweakLesson => self.settings.form.lesson = None,
            Command::ShowLesson(name) => self.show_lesson(&name),
            Command::Present(on) => self.present(on, None),
            Command::TogglePresent => self.present(!self.presenting, None),
            Command::StepLesson(steps) => self.step_lesson(steps),
            Command::RunLesson => {
                let lesson = self
                    .settings
                    .form
                    .lesson
                    .clone()
                    .or_else(|| presets::all().ok()?.first().map(|p| p.name.clone()));
                if let Some(lesson) = lesson {
                    self.run_lesson(&lesson);
                }
            }
            Command::WriteDeck => {
                self.deck_queue = Some(self.session.unmeasured_lessons());
                self.advance_deck();
            }
            Command::RerunFlagged => self.rerun_flagged(),
            Command::BuildFreeThreaded => self.session.start_python_build(),
            Command::CancelBuild => self.session.cancel_python_build(),
            Command::Cancel => session.cancel(),
            Command::AskClear => self.confirm_clear = true,
            Command::DismissClear => self.confirm_clear = false,
            Command::ConfirmClear => {
                self.confirm_clear = false;
                session.clear_results();
            }
            Command::Select(index) => session.selected = Some(index),
            Command::DismissError => session.messages.dismiss(),
            Command::SetDark(dark) => {
                self.settings.dark = dark;
                theme::apply(ctx, dark);
            }
            Command::SetZoom(zoom) => ctx.set_zoom_factor(sane_zoom(zoom)),
            Command::ExportImage(target, format) => session.export_image(target, format, &how),
            Command::CopyImage(target) => session.copy_image(target, &how, |size, rgb| {
                ctx.copy_image(egui::ColorImage::from_rgb(size, rgb));
            }),
            Command::ExportTrace(index) => session.export_trace(index, &how),
            Command::ExportData(format) => session.export_data(format, &how),
            Command::ExportReport => session.export_report(&how),
            Command::CloseDialog => self.dialogs.close(),
            Command::Compare(other) => session.compare_with = other,
            Command::Focus(kind) => self.focused = kind,
            Command::UndoClear => session.undo_clear(),
            Command::SetView(view) => self.settings.view = view,
            Command::ToggleEnlarge => {
                self.settings.view = View::Scaling;
                self.focused = match self.focused {
                    Some(_) => None,
                    None => Some(ChartKind::WallTime),
                };
            }
            Command::NextLesson => self.next_lesson(),
            Command::ShowHelp(show) => self.help_open = show,
            Command::ShowOpen
            | Command::OpenFile(_)
            | Command::OpenChosen(_)
            | Command::AskSaveData
            | Command::SaveDataAs(_)
            | Command::AskExportChart(_)
            | Command::ExportChartAs(..)
            | Command::AskExportFolder
            | Command::SetExportFolder(_)
            | Command::AskCodeFile
            | Command::SetCodeFile(_)
            | Command::ClearRecent => self.apply_file(command, ctx),
        }
    }

    /// Draws every panel; returns what they asked for.
    fn panels_ui(&mut self, ui: &mut egui::Ui) -> Vec<Command> {
        let mut commands = Vec::new();
        let session = &self.session;
        let settings = &mut self.settings;
        egui::Panel::top("top_bar").show(ui, |ui| {
            let can_clear = !session.results.experiments.is_empty() && !session.is_running();
            let has_data = session.shown().is_some();
            let bar = panels::TopBar {
                machine: &session.machine,
                can_clear,
                dark: settings.dark,
                has_data,
                running: session.is_running(),
                recent: &session.recent,
                restorable: session.results.restorable(),
            };
            panels::top_bar_ui(ui, &bar, &mut settings.export, &mut commands);
        });
        egui::Panel::left("experiment")
            .resizable(false)
            .exact_size(350.0)
            .show(ui, |ui| {
                let run = RunPanel {
                    cores: session.machine.logical_cores,
                    dark: settings.dark,
                    live: session.live.as_ref(),
                    messages: &session.messages,
                    restorable: session.results.restorable(),
                    report: session.report.as_ref().map(|job| job.progress),
                };
                let form = &mut settings.form;
                let typed = panels::TypedPaths {
                    python: &mut settings.python,
                    hostfile: &mut settings.hostfile,
                };
                let probe = &mut self.code_probe;
                panels::experiment_ui(ui, form, typed, probe, &run, &mut commands);
            });
        // Nothing to list before the first result: the first-run view
        // takes the whole central area.
        let first_run = session.results.experiments.is_empty() && !session.is_running();
        if !first_run {
            // The results table gives way before the charts do: its panel
            // is capped to what the charts leave, and the table scrolls
            // within it; folded, only its heading shows.
            let table_room =
                (ui.ctx().content_rect().height() - views::CENTRAL_MIN_HEIGHT).max(70.0);
            let folded = settings.table_folded;
            let panel = egui::Panel::bottom("results");
            let panel = if folded {
                panel.resizable(false)
            } else {
                panel
                    .resizable(true)
                    .default_size(190.0_f32.min(table_room))
                    .min_size(70.0)
                    .max_size(table_room)
            };
            panel.show(ui, |ui| {
                let sort = &mut self.table_sort;
                let (results, shown) = (&session.results, session.shown_index());
                let dark = settings.dark;
                let folded = &mut settings.table_folded;
                panels::results_table_ui(ui, results, shown, sort, folded, dark, &mut commands);
            });
        }
        egui::CentralPanel::default().show(ui, |ui| {
            let lesson = views::LessonShown {
                name: settings.form.lesson.clone(),
                python: settings.python(),
            };
            let view = &mut settings.view;
            let charts = &mut settings.charts;
            views::central_ui(
                ui,
                view,
                session,
                charts,
                self.focused,
                &lesson,
                &mut commands,
            );
        });
        self.overlays_ui(ui.ctx(), &mut commands);
        commands
    }

    /// Presentation mode: the lesson over the whole window.
    fn presentation_ui(&mut self, ui: &mut egui::Ui) -> Vec<Command> {
        let mut commands = Vec::new();
        let lesson = self.settings.form.lesson.clone().unwrap_or_default();
        let options = self.settings.chart_options();
        let python = self.settings.python();
        let session = &self.session;
        let frame = egui::Frame::central_panel(ui.style()).inner_margin(24.0);
        let rect = egui::CentralPanel::default()
            .frame(frame)
            .show(ui, |ui| {
                present::presentation_ui(ui, session, &lesson, &options, &python, &mut commands)
            })
            .inner;
        self.presented_charts = rect;
        if self.help_open {
            shortcuts::help_ui(ui.ctx(), &mut commands);
        }
        commands
    }

    /// What is drawn over the panels: the Clear confirmation, the file
    /// dialog, the shortcuts and the drop hint.
    fn overlays_ui(&mut self, ctx: &egui::Context, commands: &mut Vec<Command>) {
        if self.confirm_clear {
            let restorable = self.session.results.restorable();
            panels::confirm_clear_ui(ctx, &self.session.results, restorable, commands);
        }
        dialogs::dialogs_ui(ctx, &mut self.dialogs, commands);
        if self.help_open {
            shortcuts::help_ui(ctx, commands);
        }
        plots::drop_hint_ui(ctx);
    }

    /// Writes the settings to eframe's storage once they differ from the
    /// copy last written (at most every [`SAVE_EVERY`]), so a window
    /// closed by Ctrl-C or a crash keeps them, not only a clean close.
    fn save_if_changed(&mut self, ctx: &egui::Context, frame: &mut eframe::Frame) {
        if self.saved.as_ref() == Some(&self.settings) {
            return;
        }
        let now = std::time::Instant::now();
        if let Some(last) = self.saved_at {
            let wait = SAVE_EVERY.saturating_sub(now - last);
            if !wait.is_zero() {
                ctx.request_repaint_after(wait);
                return;
            }
        }
        if let Some(storage) = frame.storage_mut() {
            eframe::set_value(storage, eframe::APP_KEY, &self.settings);
            storage.flush();
        }
        self.saved = Some(self.settings.clone());
        self.saved_at = Some(now);
    }

    /// Names the shown experiment or lesson in the window's title (only
    /// when it changed).
    fn update_title(&mut self, ctx: &egui::Context) {
        let title = self.session.title();
        if title != self.title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }
    }
}

impl eframe::App for CorescopeApp {
    fn logic(&mut self, ctx: &egui::Context, frame: &mut eframe::Frame) {
        self.drain_events();
        self.advance_deck();
        self.session.drain_report();
        self.session.drain_python_build();
        if self.session.report.is_some() || self.session.python_building() {
            ctx.request_repaint_after(REPORT_POLL);
        }
        self.open_dropped(ctx);
        // Remember where the user left the UI scale.
        self.settings.zoom = ctx.zoom_factor();
        self.save_if_changed(ctx, frame);
        if self.session.is_running() {
            let every = if self.settings.view == View::CpuMemory {
                REPAINT_LIVE
            } else {
                REPAINT_QUIET
            };
            self.repaint_ms
                .store(every.as_millis() as u64, Ordering::Relaxed);
            // Keeps the time-left estimate moving between engine events.
            ctx.request_repaint_after(every);
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        // Taken before the widgets see the keys; a file dialog or the
        // Clear question keeps the keyboard to itself.
        let mut commands = if self.dialogs.purpose().is_none() && !self.confirm_clear {
            shortcuts::pressed(&ctx, self.help_open, self.presenting && !self.help_open)
        } else {
            Vec::new()
        };
        if self.presenting {
            commands.extend(self.presentation_ui(ui));
        } else {
            commands.extend(self.panels_ui(ui));
        }
        self.update_title(&ctx);
        for command in commands {
            self.apply(command, &ctx);
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, &self.settings);
        self.saved = Some(self.settings.clone());
    }
}
