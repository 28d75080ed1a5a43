//! The app's persisted state: [`Settings`] live through eframe storage
//! (the last experiment's form, theme, UI scale, the chosen tab, chart and
//! export settings). Results and the run in progress belong to the
//! [`crate::session::Session`]; what only lasts a frame stays in the widgets.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::chart::{ChartKind, ChartOptions};
pub use crate::session::export::{ExportSettings, ExportTheme};
use crate::spec::{Codec, Model, Order, RawExperiment, Scaling, Schedule, StartMethod};
use crate::workload::Workload;

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
    /// The central area's tab.
    pub view: View,
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
            view: View::default(),
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
    /// How process models encode their messages.
    pub codec: Codec,
    /// Strong (fixed tasks) or weak (tasks per worker) scaling.
    pub scaling: Scaling,
    /// How CPython's process models start their workers.
    pub start_method: StartMethod,
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
            codec: Codec::Bincode,
            scaling: Scaling::Strong,
            start_method: StartMethod::Fork,
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
            transport: None,
            time_limit: optional(&self.time_limit),
            order: Some(self.order.name().to_string()),
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
}
