//! The app's persisted state: [`Settings`] live through eframe storage
//! (the last experiment's form, theme, UI scale, the chosen tab, chart and
//! export settings). Results and the run in progress belong to the
//! [`crate::session::Session`]; what only lasts a frame stays in the widgets.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::chart::{ChartKind, ChartOptions};
use crate::remedy::Setting;
pub use crate::session::export::{ExportSettings, ExportTheme};
use crate::spec::{Codec, Model, Order, RawExperiment, Scaling, Schedule, StartMethod, Transport};
use crate::workload::{Sharing, Workload};

/// The window's names for the settings an error's way out changes: the
/// form fields that hold them.
pub fn field_of(setting: Setting) -> &'static str {
    match setting {
        Setting::Python => "the Python field under CPython models",
        Setting::Hostfile => "the Hostfile field under the models",
    }
}

/// What persists across restarts besides results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub form: ExperimentForm,
    pub dark: bool,
    /// egui zoom factor: scales text and charts alike.
    pub zoom: f32,
    pub charts: ChartSettings,
    pub export: ExportSettings,
    /// The CPython interpreter of the python models, as typed; blank means
    /// `python3` on PATH.
    pub python: String,
    /// The MPI models' hostfile, as typed; blank means this machine only.
    pub hostfile: String,
    /// The central area's tab.
    pub view: View,
    /// The results table is folded to its heading.
    pub table_folded: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            form: ExperimentForm::default(),
            dark: true,
            zoom: 1.0,
            charts: ChartSettings::default(),
            export: ExportSettings::default(),
            python: String::new(),
            hostfile: String::new(),
            view: View::default(),
            table_folded: false,
        }
    }
}

/// How the charts are laid out and what they predict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChartSettings {
    /// Continue fitted scaling laws to this many workers (0: off).
    pub predict_to: u32,
    /// The chart in the grid's fourth cell: IPC bytes or the overhead bars.
    pub fourth: ChartKind,
}

impl ChartSettings {
    /// The options charts are built with.
    pub fn options(&self) -> ChartOptions {
        ChartOptions {
            predict_to: self.predict_to,
        }
    }
}

impl Default for ChartSettings {
    fn default() -> Self {
        ChartSettings {
            predict_to: ChartOptions::DEFAULT_PREDICT_TO,
            fourth: ChartKind::IpcBytes,
        }
    }
}

impl Settings {
    /// The interpreter the python models run.
    pub fn python(&self) -> PathBuf {
        python_path(&self.python)
    }

    /// The hostfile the MPI models hand to `mpirun`, if one is set.
    pub fn hostfile(&self) -> Option<PathBuf> {
        match self.hostfile.trim() {
            "" => None,
            typed => Some(PathBuf::from(typed)),
        }
    }

    /// What every chart drawn or exported is built with.
    pub fn chart_options(&self) -> ChartOptions {
        self.charts.options()
    }
}

/// The interpreter named by the Python field (blank: `python3` on PATH).
pub fn python_path(typed: &str) -> PathBuf {
    match typed.trim() {
        "" => PathBuf::from(crate::python::DEFAULT_INTERPRETER),
        typed => PathBuf::from(typed),
    }
}

/// The tabs of the central area.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum View {
    #[default]
    Scaling,
    Timeline,
    CpuMemory,
}

impl View {
    pub const ALL: [View; 3] = [View::Scaling, View::Timeline, View::CpuMemory];

    /// The tab's title.
    pub fn label(self) -> &'static str {
        match self {
            View::Scaling => "Scaling",
            View::Timeline => "Timeline",
            View::CpuMemory => "CPU & memory",
        }
    }
}

/// The experiment form, as typed: text fields stay text until Run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExperimentForm {
    pub workload: Workload,
    pub size: String,
    pub tasks: String,
    pub payload: String,
    /// The models ticked.
    pub models: Vec<Model>,
    /// gil-threads' switch interval, as typed.
    pub switch_interval: String,
    /// mixed: percent of each task spent blocked, as typed.
    pub io_percent: String,
    /// counter: the sharing modes ticked (none ticked: isolated).
    pub sharing: Vec<Sharing>,
    /// How process models encode their messages.
    pub codec: Codec,
    /// How echo payloads reach worker processes (processes, python-processes).
    pub transport: Transport,
    /// Strong (fixed tasks) or weak (tasks per worker) scaling.
    pub scaling: Scaling,
    /// How CPython's process models start their workers.
    pub start_method: StartMethod,
    /// The async models' runtime threads, as typed (1: current-thread).
    pub runtime_threads: String,
    /// Sweep a range of worker counts (else one count).
    pub sweep: bool,
    pub workers: String,
    pub sweep_from: String,
    /// Blank means the logical core count.
    pub sweep_to: String,
    pub schedule: Schedule,
    /// Blank means the schedule's default.
    pub chunk: String,
    pub repeats: String,
    pub warmup: String,
    /// Per run, as typed (`30s`, `2m`); blank: no limit.
    pub time_limit: String,
    /// Interleaved (default) or sequential repetitions.
    pub order: Order,
    /// The lesson the form shows, locked until "Tweak this lesson": Run
    /// runs the lesson's own experiment.
    pub lesson: Option<String>,
}

impl Default for ExperimentForm {
    fn default() -> Self {
        let workload = Workload::SqrtSum;
        ExperimentForm {
            workload,
            size: workload.default_size().to_string(),
            // Half the CLI's default: the first click shows a curve in seconds.
            tasks: "16".to_string(),
            payload: "64KiB".to_string(),
            models: vec![Model::Serial, Model::Threads, Model::Processes],
            switch_interval: "5ms".to_string(),
            io_percent: "50".to_string(),
            sharing: Sharing::ALL.to_vec(),
            codec: Codec::Bincode,
            transport: Transport::Pipe,
            scaling: Scaling::Strong,
            start_method: StartMethod::Fork,
            runtime_threads: "1".to_string(),
            sweep: true,
            workers: "2".to_string(),
            sweep_from: "1".to_string(),
            sweep_to: String::new(),
            schedule: Schedule::Queue,
            chunk: String::new(),
            repeats: "3".to_string(),
            warmup: "1".to_string(),
            time_limit: String::new(),
            order: Order::default(),
            lesson: None,
        }
    }
}

impl ExperimentForm {
    /// Switches workload and resets size and tasks to its defaults.
    pub fn set_workload(&mut self, workload: Workload) {
        if workload != self.workload {
            self.workload = workload;
            self.size = workload.default_size().to_string();
            self.tasks = (workload.default_tasks() / 2).max(1).to_string();
        }
    }

    /// The models ticked, in menu order.
    pub fn models(&self) -> Vec<Model> {
        Model::ALL
            .into_iter()
            .filter(|m| self.models.contains(m))
            .collect()
    }

    /// Ticks or unticks a model.
    pub fn set_model(&mut self, model: Model, ticked: bool) {
        self.models.retain(|&m| m != model);
        if ticked {
            self.models.push(model);
        }
    }

    /// The form filled from a raw experiment (a lesson's): each value as
    /// typed there; what it leaves out gets the form's default. A list of
    /// workloads (or schedules) shows its first (the lesson itself runs them all until
    /// it is tweaked); a range of workers becomes the sweep's ends, a list
    /// stays a list.
    pub fn from_raw(raw: &RawExperiment) -> ExperimentForm {
        fn parsed<T: std::str::FromStr>(text: Option<&str>, default: T) -> T {
            text.and_then(|t| t.parse().ok()).unwrap_or(default)
        }
        let defaults = ExperimentForm::default();
        let workload = parsed(raw.workload.split(',').next(), defaults.workload);
        let text = |value: &Option<String>, default: String| value.clone().unwrap_or(default);
        let mut form = ExperimentForm {
            workload,
            size: text(&raw.size, workload.default_size().to_string()),
            tasks: text(&raw.tasks, workload.default_tasks().to_string()),
            // Blank: the workload's own default (64 KiB for echo, 1 KiB
            // replies for net), as the lesson meant.
            payload: raw.payload.clone().unwrap_or_default(),
            models: raw
                .models
                .split(',')
                .filter_map(|m| m.parse().ok())
                .collect(),
            switch_interval: text(&raw.switch_interval, defaults.switch_interval.clone()),
            io_percent: text(&raw.io_percent, defaults.io_percent.clone()),
            codec: parsed(raw.codec.as_deref(), defaults.codec),
            transport: parsed(raw.transport.as_deref(), defaults.transport),
            scaling: parsed(raw.scaling.as_deref(), defaults.scaling),
            start_method: parsed(raw.start_method.as_deref(), defaults.start_method),
            schedule: parsed(raw.schedule.split(',').next(), defaults.schedule),
            chunk: raw.chunk.clone().unwrap_or_default(),
            repeats: raw.repeats.clone(),
            warmup: raw.warmup.clone(),
            time_limit: raw.time_limit.clone().unwrap_or_default(),
            order: parsed(raw.order.as_deref(), defaults.order),
            ..defaults
        };
        match raw.workers.as_deref().map(str::trim) {
            None => {
                form.sweep = true;
                form.sweep_from = "1".to_string();
                form.sweep_to = String::new();
            }
            Some(workers) => match workers.split_once("..") {
                Some((from, to)) if !workers.contains(',') => {
                    form.sweep = true;
                    form.sweep_from = from.to_string();
                    form.sweep_to = to.trim_start_matches('=').to_string();
                }
                _ => {
                    form.sweep = false;
                    form.workers = workers.to_string();
                }
            },
        }
        form
    }

    /// Shows lesson `name`'s experiment, locked to it.
    pub fn load_lesson(&mut self, name: &str, raw: &RawExperiment) {
        *self = ExperimentForm {
            lesson: Some(name.to_string()),
            ..ExperimentForm::from_raw(raw)
        };
    }

    /// The form as a raw experiment for [`RawExperiment::validate`].
    pub fn raw(&self, logical_cores: u32) -> RawExperiment {
        let optional = |s: &str| {
            let s = s.trim();
            (!s.is_empty()).then(|| s.to_string())
        };
        let workers = if self.sweep {
            let to = optional(&self.sweep_to).unwrap_or_else(|| logical_cores.to_string());
            format!("{}..{}", self.sweep_from.trim(), to)
        } else {
            self.workers.trim().to_string()
        };
        RawExperiment {
            workload: self.workload.name().to_string(),
            size: optional(&self.size),
            tasks: optional(&self.tasks),
            payload: optional(&self.payload),
            models: self
                .models()
                .iter()
                .map(|m| m.name())
                .collect::<Vec<_>>()
                .join(","),
            workers: Some(workers),
            schedule: self.schedule.name().to_string(),
            chunk: optional(&self.chunk),
            repeats: self.repeats.trim().to_string(),
            warmup: self.warmup.trim().to_string(),
            in_flight: None,
            switch_interval: optional(&self.switch_interval),
            io_percent: optional(&self.io_percent),
            codec: Some(self.codec.name().to_string()),
            scaling: Some(self.scaling.name().to_string()),
            start_method: Some(self.start_method.name().to_string()),
            runtime_threads: optional(&self.runtime_threads),
            transport: Some(self.transport.name().to_string()),
            time_limit: optional(&self.time_limit),
            order: Some(self.order.name().to_string()),
            sharing: (!self.sharing.is_empty()).then(|| {
                Sharing::ALL
                    .into_iter()
                    .filter(|s| self.sharing.contains(s))
                    .map(Sharing::name)
                    .collect::<Vec<_>>()
                    .join(",")
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_form_validates_to_a_sweep_of_every_model() {
        let spec = ExperimentForm::default().raw(4).validate(&[4]).unwrap();
        assert_eq!(spec.workers, vec![1, 2, 3, 4]);
        assert_eq!(spec.models.len(), 3);
    }

    #[test]
    fn every_lesson_fills_the_form_with_its_own_experiment() {
        for preset in crate::presets::all().unwrap() {
            let form = ExperimentForm::from_raw(&preset.experiment);
            let (ours, theirs) = (
                form.raw(4).validate(&[1, 2, 3, 4]).unwrap(),
                preset.experiment.validate(&[1, 2, 3, 4]).unwrap(),
            );
            let sorted = |mut models: Vec<Model>| {
                models.sort();
                models
            };
            assert_eq!(
                sorted(ours.models),
                sorted(theirs.models),
                "{}",
                preset.name
            );
            assert_eq!(ours.workers, theirs.workers, "{}", preset.name);
            assert_eq!(ours.schedules[0], theirs.schedules[0], "{}", preset.name);
            assert_eq!(ours.repeats, theirs.repeats, "{}", preset.name);
            assert_eq!(ours.workloads[0], theirs.workloads[0], "{}", preset.name);
        }
    }
}
