//! The app's persisted state: [`Settings`] live through eframe storage
//! (the last experiment's form, theme, UI scale, the chosen tab, chart and
//! export settings). Results and the run in progress belong to the
//! [`crate::session::Session`]; what only lasts a frame stays in the widgets.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::chart::{ChartKind, ChartOptions};
pub use crate::session::export::{ExportSettings, ExportTheme};
use crate::settings::{Group, Section, Setting, ValueKind};
use crate::spec::{Model, RawExperiment};
use crate::workload::{Sharing, Workload};

/// The window's names for settings (an error's way out, a validation
/// error): the form fields that hold them, from the catalogue's labels.
pub fn field_of(setting: Setting) -> &'static str {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    let names = NAMES.get_or_init(|| Setting::ALL.map(field_name).to_vec());
    Setting::ALL
        .iter()
        .position(|&s| s == setting)
        .and_then(|i| names.get(i))
        .map_or("", String::as_str)
}

/// "the Python field under CPython models": a setting's field, and where
/// the form shows it.
fn field_name(setting: Setting) -> String {
    let info = setting.info();
    let under = match (info.group, info.section) {
        (Group::Interpreter, _) => " under CPython models",
        (_, Section::Models) => " under the models",
        _ => "",
    };
    format!("the {} field{under}", info.label)
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

/// The experiment form, as typed: text fields stay text until Run. The
/// workload, the models and the worker counts have widgets of their own;
/// every other setting of the catalogue is a text (or the names ticked)
/// in `values`, so a new setting needs no field here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExperimentForm {
    pub workload: Workload,
    /// The models ticked.
    pub models: Vec<Model>,
    /// Sweep a range of worker counts (else one count).
    pub sweep: bool,
    pub workers: String,
    pub sweep_from: String,
    /// Blank means the logical core count.
    pub sweep_to: String,
    /// The other settings as typed, by flag (without its dashes, so the
    /// stored form reads as the command line); blank or absent is the
    /// setting's fallback. A setting of several names holds them
    /// comma-separated.
    pub values: BTreeMap<String, String>,
    /// The lesson the form shows, locked until "Tweak this lesson": Run
    /// runs the lesson's own experiment.
    pub lesson: Option<String>,
}

impl Default for ExperimentForm {
    fn default() -> Self {
        let workload = Workload::SqrtSum;
        let models = Setting::Models.default_text().unwrap_or_default();
        let values = [
            (Setting::Size, workload.default_size().to_string()),
            // Half the CLI's default: the first click shows a curve in seconds.
            (Setting::Tasks, "16".to_string()),
            (Setting::Payload, "64KiB".to_string()),
            (Setting::Sharing, names_of(&Sharing::ALL.map(Sharing::name))),
        ];
        ExperimentForm {
            workload,
            models: models.split(',').filter_map(|m| m.parse().ok()).collect(),
            sweep: true,
            workers: "2".to_string(),
            sweep_from: "1".to_string(),
            sweep_to: String::new(),
            values: values
                .into_iter()
                .map(|(setting, text)| (key(setting), text))
                .collect(),
            lesson: None,
        }
    }
}

/// Names joined as a setting of several holds them.
fn names_of(names: &[&str]) -> String {
    names.join(",")
}

/// A setting's key in the form's `values`: its flag without the dashes.
fn key(setting: Setting) -> String {
    setting.flag().trim_start_matches('-').to_string()
}

/// The settings the form holds in `values`: every setting of the
/// experiment but those with widgets of their own.
pub fn form_settings() -> impl Iterator<Item = Setting> {
    Setting::ALL.into_iter().filter(|&s| {
        !s.is_machine() && !matches!(s, Setting::Workload | Setting::Models | Setting::Workers)
    })
}

impl ExperimentForm {
    /// Switches workload and resets size and tasks to its defaults; your
    /// code (a Python function) keeps the CPython models ticked, or ticks
    /// the ones a `--code` run compares by default.
    pub fn set_workload(&mut self, workload: Workload) {
        if workload != self.workload {
            self.workload = workload;
            if workload == Workload::Code {
                self.models.retain(|m| m.is_python());
                if self.models.is_empty() {
                    self.models = crate::spec::validate::CODE_MODELS.to_vec();
                }
            }
            self.set(Setting::Size, workload.default_size().to_string());
            self.set(
                Setting::Tasks,
                (workload.default_tasks() / 2).max(1).to_string(),
            );
        }
    }

    /// The text typed for `setting` (blank when none).
    pub fn text(&self, setting: Setting) -> &str {
        self.values.get(&key(setting)).map_or("", String::as_str)
    }

    /// Sets the text of `setting`.
    pub fn set(&mut self, setting: Setting, text: impl Into<String>) {
        self.values.insert(key(setting), text.into());
    }

    /// Your code's file and function, as typed (`FILE:FUNCTION`, the
    /// function blank until one is picked).
    pub fn code(&self) -> (String, String) {
        let text = self.text(Setting::Code).trim();
        match text.rsplit_once(':') {
            Some((file, function)) => (file.to_string(), function.trim().to_string()),
            None => (text.to_string(), String::new()),
        }
    }

    /// Sets your code's file and function.
    pub fn set_code(&mut self, file: &str, function: &str) {
        self.set(
            Setting::Code,
            format!("{}:{}", file.trim(), function.trim()),
        );
    }

    /// Chooses your code's file, keeping the function picked (the list
    /// of the new file's functions picks another where it has none).
    pub fn set_code_file(&mut self, file: &std::path::Path) {
        let (_, function) = self.code();
        self.set_code(&file.display().to_string(), &function);
    }

    /// The folder of your code's file, where its Open dialog starts.
    pub fn code_folder(&self) -> Option<PathBuf> {
        let (file, _) = self.code();
        let folder = std::path::Path::new(file.trim()).parent()?;
        (!folder.as_os_str().is_empty()).then(|| folder.to_path_buf())
    }

    /// The text field of `setting`, for a widget to edit.
    pub fn text_mut(&mut self, setting: Setting) -> &mut String {
        self.values.entry(key(setting)).or_default()
    }

    /// The names chosen for a choice setting: those typed, or its
    /// fallback when none are.
    pub fn chosen(&self, setting: Setting) -> Vec<String> {
        let text = self.text(setting).trim();
        let text = if text.is_empty() {
            setting.default_text().unwrap_or_default()
        } else {
            text
        };
        text.split(',')
            .map(|n| n.trim().to_ascii_lowercase())
            .filter(|n| !n.is_empty())
            .collect()
    }

    /// Chooses or unchooses one name of a choice setting: the only one,
    /// or (for a setting of several) one more, kept in the setting's own
    /// order.
    pub fn choose(&mut self, setting: Setting, name: &str, on: bool) {
        let ValueKind::Choice { names, many } = setting.info().kind else {
            return;
        };
        if !many {
            if on {
                self.set(setting, name);
            }
            return;
        }
        let mut chosen = self.chosen(setting);
        chosen.retain(|n| n != name);
        if on {
            chosen.push(name.to_string());
        }
        let ordered: Vec<&str> = names()
            .into_iter()
            .filter(|n| chosen.iter().any(|c| c == n))
            .collect();
        self.set(setting, names_of(&ordered));
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

    /// Whether the form shows `setting`: a ticked model uses it and it
    /// means something for the workload.
    pub fn shows(&self, setting: Setting) -> bool {
        setting.applies_to_workload(self.workload)
            && self.models.iter().any(|m| m.info().has_knob(setting))
    }

    /// The form filled from a raw experiment (a lesson's): each value as
    /// typed there; what it leaves out gets the form's default. A list of
    /// workloads shows its first (the lesson itself runs them all until
    /// it is tweaked); a range of workers becomes the sweep's ends, a list
    /// stays a list.
    pub fn from_raw(raw: &RawExperiment) -> ExperimentForm {
        let defaults = ExperimentForm::default();
        let workload = raw
            .get(Setting::Workload)
            .unwrap_or_default()
            .split(',')
            .next()
            .and_then(|w| w.parse().ok())
            .unwrap_or(defaults.workload);
        let workload = match raw.get(Setting::Code) {
            Some(_) => Workload::Code,
            None => workload,
        };
        let mut form = ExperimentForm {
            workload,
            models: raw
                .get(Setting::Models)
                .unwrap_or_default()
                .split(',')
                .filter_map(|m| m.parse().ok())
                .collect(),
            values: BTreeMap::new(),
            ..defaults
        };
        form.set(Setting::Size, workload.default_size().to_string());
        form.set(Setting::Tasks, workload.default_tasks().to_string());
        for setting in form_settings() {
            if let Some(text) = raw.get(setting) {
                form.set(setting, text);
            }
        }
        match raw.get(Setting::Workers).map(str::trim) {
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
        let models: Vec<&str> = self.models().iter().map(|m| m.name()).collect();
        let mut raw = RawExperiment::of([
            (Setting::Models, models.join(",")),
            (Setting::Workers, workers),
        ]);
        // Your code is the workload and has no size; the file chosen
        // stays in the form (remembered) while another workload runs.
        let code = self.workload == Workload::Code;
        if !code {
            raw.set(Setting::Workload, Some(self.workload.name().to_string()));
        }
        for setting in form_settings() {
            let text = match setting {
                Setting::Code if !code => None,
                Setting::Size if code => None,
                _ => optional(self.text(setting)),
            };
            raw.set(setting, text);
        }
        raw
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
