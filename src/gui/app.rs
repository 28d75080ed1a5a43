//! [`CorescopeApp`]: the eframe app. `logic` drains engine events within a
//! time budget and keeps settings in step; `ui` draws the panels, which hand
//! back [`Command`]s applied after the frame is drawn.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::TryRecvError;
use eframe::egui;

use super::export::{self, DataFormat, ExportTarget};
use super::state::{LiveRun, ResultsStore, Settings};
use super::{panels, plots, theme, views};
use crate::chart::ChartKind;
use crate::engine::runner::Runner;
use crate::engine::{EngineConfig, EngineError, RunEvent};
use crate::export::plot::ImageFormat;
use crate::presets;
use crate::results::{MachineInfo, ResultSet};
use crate::spec::{RawExperiment, SpecError, default_sweep_workers};

/// Where the app finds its worker executable and keeps its data.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// The corescope executable run as worker processes.
    pub worker_exe: PathBuf,
    /// Folder of `results.json`; `None` keeps results in memory only.
    pub data_dir: Option<PathBuf>,
}

/// What the panels ask the app to do once the frame is drawn.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Run,
    /// Run the lesson preset of this name.
    RunPreset(String),
    Cancel,
    AskClear,
    ConfirmClear,
    DismissClear,
    /// Show this experiment (index into the store) in the charts.
    Select(usize),
    DismissError,
    SetDark(bool),
    SetZoom(f32),
    ExportImage(ExportTarget, ImageFormat),
    CopyImage(ExportTarget),
    /// Save run `index` of the shown experiment as a Chrome trace.
    ExportTrace(usize),
    ExportData(DataFormat),
    ExportReport,
    ShowOpen,
    CloseOpen,
    OpenFile(PathBuf),
    /// Compare the shown experiment with this stored one (none: stop).
    Compare(Option<usize>),
    /// Show one chart over the whole central area (none: the grid).
    Focus(Option<ChartKind>),
}

/// Repaint interval while an experiment runs and the live CPU view is
/// shown: it follows samples taken every 200 ms.
const REPAINT_LIVE: Duration = Duration::from_millis(250);

/// Repaint interval while an experiment runs on the other views: the
/// progress bar and the charts need no more, and every redraw takes CPU
/// from the run being measured (much of it where the window is drawn in
/// software).
const REPAINT_QUIET: Duration = Duration::from_millis(1000);

/// How long `logic` may spend draining events per frame.
const EVENT_BUDGET: Duration = Duration::from_millis(8);

/// The corescope desktop app.
#[derive(Debug)]
pub struct CorescopeApp {
    pub(super) config: AppConfig,
    pub settings: Settings,
    pub machine: MachineInfo,
    pub results: ResultsStore,
    /// The experiment shown when none is running; `None`: the newest.
    pub selected: Option<usize>,
    pub live: Option<LiveRun>,
    /// Runs of the experiment in progress, filled as they finish.
    pub current: Option<ResultSet>,
    /// The last error, shown until dismissed or the next run.
    pub error: Option<String>,
    /// A value of the form that failed validation.
    pub form_error: Option<SpecError>,
    /// A note on how the last experiment ended (cancelled, saved, …).
    pub notice: Option<String>,
    pub confirm_clear: bool,
    pub table_sort: panels::TableSort,
    /// The stored experiment drawn beside the shown one, if any.
    pub compare_with: Option<usize>,
    /// The chart enlarged over the central area, if any.
    pub focused: Option<ChartKind>,
    /// The Open dialog, while it is open.
    pub open_dialog: Option<export::OpenDialog>,
    /// The repaint interval while running, in ms, shared with the engine's
    /// wake-up callback.
    repaint_ms: Arc<AtomicU64>,
    wake: Option<egui::Context>,
}

impl CorescopeApp {
    /// Builds the app from eframe's creation context (restoring settings).
    pub fn new(cc: &eframe::CreationContext<'_>, config: AppConfig) -> CorescopeApp {
        let settings: Settings = cc
            .storage
            .and_then(|storage| eframe::get_value(storage, eframe::APP_KEY))
            .unwrap_or_default();
        theme::apply(&cc.egui_ctx, settings.dark);
        cc.egui_ctx.set_zoom_factor(settings.zoom.clamp(0.5, 3.0));
        let (results, error) = ResultsStore::open(config.data_dir.as_deref());
        CorescopeApp {
            config,
            settings,
            machine: MachineInfo::detect(),
            results,
            selected: None,
            live: None,
            current: None,
            error,
            form_error: None,
            notice: None,
            confirm_clear: false,
            table_sort: panels::TableSort::default(),
            compare_with: None,
            focused: None,
            open_dialog: None,
            repaint_ms: Arc::new(AtomicU64::new(REPAINT_QUIET.as_millis() as u64)),
            wake: Some(cc.egui_ctx.clone()),
        }
    }

    /// Whether an experiment is running.
    pub fn is_running(&self) -> bool {
        self.live.is_some()
    }

    /// The result set the charts show: the running experiment, else the
    /// selected one, else the newest.
    pub fn shown(&self) -> Option<&ResultSet> {
        if let Some(current) = &self.current {
            return Some(current);
        }
        match self.selected {
            Some(i) => self.results.experiments.get(i),
            None => self.results.experiments.last(),
        }
    }

    /// Index of the experiment the charts show, if it is a stored one.
    pub fn shown_index(&self) -> Option<usize> {
        if self.current.is_some() {
            return None;
        }
        self.selected
            .or_else(|| self.results.experiments.len().checked_sub(1))
    }

    /// Runs a lesson preset: its own experiment, swept over 1 … cores.
    fn start_preset(&mut self, name: &str) {
        match presets::find(name) {
            Ok(preset) => {
                let workers = default_sweep_workers(self.machine.logical_cores);
                self.start_run(&preset.experiment, &workers, Some(preset.name));
            }
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    fn start_run(&mut self, raw: &RawExperiment, default_workers: &[u32], preset: Option<String>) {
        if self.live.is_some() {
            return;
        }
        self.error = None;
        self.notice = None;
        let mut spec = match raw.validate(default_workers) {
            Ok(spec) => spec,
            Err(e) => {
                self.form_error = Some(e);
                return;
            }
        };
        spec.preset = preset.clone();
        self.form_error = None;
        let wake = self.wake.clone();
        let repaint_ms = Arc::clone(&self.repaint_ms);
        let python = self.settings.python();
        let config = EngineConfig {
            worker_exe: self.config.worker_exe.clone(),
            python,
        };
        match Runner::start(
            spec,
            config,
            Arc::new(move || {
                if let Some(ctx) = &wake {
                    // Coalesced: at most a few repaints a second, so drawing
                    // the window takes little CPU from the measurement.
                    let every = repaint_ms.load(Ordering::Relaxed);
                    ctx.request_repaint_after(Duration::from_millis(every));
                }
            }),
        ) {
            Ok(runner) => {
                self.live = Some(LiveRun::new(runner));
                let mut current = ResultSet::new(self.machine.clone());
                current.preset = preset;
                self.current = Some(current);
            }
            Err(EngineError::Unavailable(why)) => {
                self.form_error = Some(SpecError {
                    flag: "--models",
                    message: why.to_string(),
                });
            }
            Err(e) => self.error = Some(format!("could not start the run: {e}")),
        }
    }

    /// Applies engine events until the channel is empty or the budget is spent.
    pub fn drain_events(&mut self) {
        let deadline = Instant::now() + EVENT_BUDGET;
        while Instant::now() < deadline {
            let Some(live) = &mut self.live else {
                return;
            };
            let event = match live.runner.events().try_recv() {
                Ok(event) => event,
                Err(TryRecvError::Empty) => return,
                Err(TryRecvError::Disconnected) => {
                    self.finish_experiment(
                        None,
                        Some("the engine stopped without a result".to_string()),
                    );
                    return;
                }
            };
            match event {
                RunEvent::Started { runs, total_tasks } => {
                    live.runs = runs;
                    live.total_tasks = total_tasks;
                }
                RunEvent::RunStarted { index, .. } => {
                    live.current = Some(index);
                    live.tasks_done = 0;
                }
                RunEvent::Progress { tasks_done, .. } => live.tasks_done = tasks_done,
                RunEvent::Sample { index, cpu, memory } => live.samples.push(index, cpu, memory),
                RunEvent::RunFinished { index, record } => {
                    live.tasks_before += live.runs.get(index).map_or(0, |r| r.total_tasks());
                    live.tasks_done = 0;
                    if let Some(current) = &mut self.current {
                        current.runs.push(record);
                    }
                }
                RunEvent::Finished(set) => self.finish_experiment(Some(set), None),
                RunEvent::Failed(error) => {
                    self.finish_experiment(None, Some(format!("the run failed: {error}")))
                }
                RunEvent::Cancelled => {
                    self.finish_experiment(None, None);
                    self.notice = Some("cancelled; every worker process was stopped".to_string());
                }
            }
        }
    }

    /// Ends the live experiment; whatever runs finished are kept.
    fn finish_experiment(&mut self, complete: Option<ResultSet>, error: Option<String>) {
        self.live = None;
        let set = complete.or_else(|| self.current.take().filter(|s| !s.runs.is_empty()));
        self.current = None;
        if let Some(set) = set {
            self.results.experiments.push(set);
            self.selected = None;
            if let Err(e) = self.results.save() {
                self.error = Some(e);
            }
        }
        if error.is_some() {
            self.error = error;
        }
    }

    /// Applies one command from the panels.
    pub fn apply(&mut self, command: Command, ctx: &egui::Context) {
        match command {
            Command::Run => {
                let raw = self.settings.form.raw(self.machine.logical_cores);
                self.start_run(&raw, &[self.machine.logical_cores], None);
            }
            Command::RunPreset(name) => self.start_preset(&name),
            Command::Cancel => {
                if let Some(live) = &mut self.live {
                    live.runner.cancel();
                    live.cancelling = true;
                }
            }
            Command::AskClear => self.confirm_clear = true,
            Command::DismissClear => self.confirm_clear = false,
            Command::ConfirmClear => {
                self.confirm_clear = false;
                self.results.experiments.clear();
                self.selected = None;
                self.compare_with = None;
                if let Err(e) = self.results.save() {
                    self.error = Some(e);
                }
            }
            Command::Select(index) => self.selected = Some(index),
            Command::DismissError => {
                self.error = None;
                self.notice = None;
            }
            Command::SetDark(dark) => {
                self.settings.dark = dark;
                theme::apply(ctx, dark);
            }
            Command::SetZoom(zoom) => ctx.set_zoom_factor(zoom.clamp(0.5, 3.0)),
            Command::ExportImage(target, format) => self.export_image(target, format),
            Command::CopyImage(target) => self.copy_image(target, ctx),
            Command::ExportTrace(index) => self.export_trace(index),
            Command::ExportData(format) => self.export_data(format),
            Command::ExportReport => self.export_report(),
            Command::ShowOpen => {
                if self.open_dialog.is_none() {
                    self.open_dialog = Some(export::OpenDialog::new(&self.settings.export.folder));
                }
            }
            Command::CloseOpen => self.open_dialog = None,
            Command::OpenFile(path) => self.open_file(&path),
            Command::Compare(other) => self.compare_with = other,
            Command::Focus(kind) => self.focused = kind,
        }
    }
}

impl eframe::App for CorescopeApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.drain_events();
        self.open_dropped(ctx);
        // Ctrl +/−/0 zoom is egui's own; remember where the user left it.
        self.settings.zoom = ctx.zoom_factor();
        if self.live.is_some() {
            let every = if super::views::state(ctx).view == super::views::View::CpuMemory {
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
        let mut commands = Vec::new();
        egui::Panel::top("top_bar").show(ui, |ui| panels::top_bar_ui(self, ui, &mut commands));
        egui::Panel::left("experiment")
            .resizable(false)
            .exact_size(350.0)
            .show(ui, |ui| panels::experiment_ui(self, ui, &mut commands));
        // The results table gives way before the charts do: its panel is
        // capped to what the charts leave, and the table scrolls within it.
        let table_room = (ui.ctx().content_rect().height() - views::CENTRAL_MIN_HEIGHT).max(100.0);
        egui::Panel::bottom("results")
            .resizable(true)
            .default_size(190.0_f32.min(table_room))
            .min_size(100.0)
            .max_size(table_room)
            .show(ui, |ui| panels::results_table_ui(self, ui, &mut commands));
        egui::CentralPanel::default().show(ui, |ui| views::central_ui(self, ui, &mut commands));
        if self.confirm_clear {
            panels::confirm_clear_ui(self, ui.ctx(), &mut commands);
        }
        export::open_dialog_ui(self, &ui.ctx().clone(), &mut commands);
        plots::drop_hint_ui(ui.ctx());
        let ctx = ui.ctx().clone();
        for command in commands {
            self.apply(command, &ctx);
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, &self.settings);
    }
}
