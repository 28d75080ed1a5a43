//! The app's state, split by lifetime: [`Settings`] persist through eframe
//! storage (the last experiment, theme, UI scale); [`ResultsStore`] keeps
//! every finished experiment in a JSON file in the data folder; [`LiveRun`]
//! lives only while an experiment runs.

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::chart::{ChartKind, ChartOptions};
use crate::engine::runner::Runner;
use crate::export;
use crate::results::{ResultSet, RunRecord};
use crate::spec::{Codec, Model, RawExperiment, RunSpec, Scaling, Schedule, StartMethod};
use crate::workload::{Sharing, Workload};

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

impl Default for ChartSettings {
    fn default() -> Self {
        ChartSettings {
            predict_to: ChartOptions::DEFAULT_PREDICT_TO,
            fourth: ChartKind::IpcBytes,
        }
    }
}

/// Where and how charts and data are exported.
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

impl Settings {
    /// The interpreter the python models run.
    pub fn python(&self) -> PathBuf {
        match self.python.trim() {
            "" => PathBuf::from(crate::python::DEFAULT_INTERPRETER),
            typed => PathBuf::from(typed),
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

/// Every finished experiment, newest last, kept in `results.json` in the
/// app's data folder so that nothing is lost on restart.
#[derive(Debug, Default)]
pub struct ResultsStore {
    path: Option<PathBuf>,
    pub experiments: Vec<ResultSet>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct StoredResults {
    experiments: Vec<ResultSet>,
}

impl ResultsStore {
    /// Loads the store from `folder` (none: kept in memory only). A file
    /// that cannot be read is reported, and moved aside rather than lost.
    pub fn open(folder: Option<&Path>) -> (ResultsStore, Option<String>) {
        let Some(folder) = folder else {
            return (ResultsStore::default(), None);
        };
        let path = folder.join("results.json");
        let mut store = ResultsStore {
            path: Some(path.clone()),
            experiments: Vec::new(),
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (store, None),
            Err(e) => {
                return (
                    store,
                    Some(format!("cannot read saved results {}: {e}", path.display())),
                );
            }
        };
        match serde_json::from_str::<StoredResults>(&text) {
            Ok(stored) => {
                store.experiments = stored.experiments;
                (store, None)
            }
            Err(e) => {
                let aside = path.with_extension("json.unreadable");
                let _ = std::fs::rename(&path, &aside);
                let message = format!(
                    "saved results in {} could not be read ({e}); the file was kept as {}",
                    path.display(),
                    aside.display()
                );
                (store, Some(message))
            }
        }
    }

    /// Writes the store (atomically); an error says why.
    pub fn save(&self) -> Result<(), String> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder)
                .map_err(|e| format!("cannot create the data folder {}: {e}", folder.display()))?;
        }
        let stored = StoredResults {
            experiments: self.experiments.clone(),
        };
        export::write_atomic(path, |w| {
            serde_json::to_writer(w, &stored).map_err(|e| export::ExportError::Encode {
                path: path.display().to_string(),
                reason: e.to_string(),
            })
        })
        .map_err(|e| format!("results were not saved: {e}"))
    }

    /// Every run of every experiment, with its experiment's index.
    pub fn runs(&self) -> impl Iterator<Item = (usize, &RunRecord)> {
        self.experiments
            .iter()
            .enumerate()
            .flat_map(|(i, set)| set.runs.iter().map(move |r| (i, r)))
    }
}

/// An experiment in progress.
#[derive(Debug)]
pub struct LiveRun {
    pub runner: Runner,
    pub started: Instant,
    pub runs: Vec<RunSpec>,
    pub total_tasks: u64,
    /// Tasks of runs already finished.
    pub tasks_before: u64,
    pub tasks_done: u64,
    pub current: Option<usize>,
    pub cancelling: bool,
    /// The live per-core and memory samples of the current run.
    pub samples: super::live::LiveSamples,
}

impl LiveRun {
    pub fn new(runner: Runner) -> LiveRun {
        LiveRun {
            runner,
            started: Instant::now(),
            runs: Vec::new(),
            total_tasks: 0,
            tasks_before: 0,
            tasks_done: 0,
            current: None,
            cancelling: false,
            samples: super::live::LiveSamples::default(),
        }
    }

    /// Fraction of all tasks done, 0 to 1.
    pub fn fraction(&self) -> f32 {
        if self.total_tasks == 0 {
            0.0
        } else {
            ((self.tasks_before + self.tasks_done) as f64 / self.total_tasks as f64).clamp(0.0, 1.0)
                as f32
        }
    }

    /// Seconds left, extrapolated from the fraction done so far.
    pub fn seconds_left(&self) -> Option<f64> {
        let fraction = f64::from(self.fraction());
        let elapsed = self.started.elapsed().as_secs_f64();
        (fraction > 0.02 && elapsed > 0.5).then(|| elapsed * (1.0 - fraction) / fraction)
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
    fn a_store_round_trips_and_survives_a_corrupt_file() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, error) = ResultsStore::open(Some(dir.path()));
        assert!(error.is_none());
        store
            .experiments
            .push(ResultSet::new(crate::results::MachineInfo::detect()));
        store.save().unwrap();
        let (again, _) = ResultsStore::open(Some(dir.path()));
        assert_eq!(again.experiments.len(), 1);
        std::fs::write(dir.path().join("results.json"), "{ not json").unwrap();
        let (broken, error) = ResultsStore::open(Some(dir.path()));
        assert!(broken.experiments.is_empty());
        assert!(error.unwrap().contains("could not be read"));
        assert!(dir.path().join("results.json.unreadable").exists());
    }
}
