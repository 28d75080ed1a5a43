//! Experiment specifications: the one validated description of what to run.
//!
//! Front ends collect raw text (clap arguments, the window's form, lesson
//! presets) into a [`RawExperiment`]; [`RawExperiment::validate`] checks
//! every value once and returns an [`ExperimentSpec`] or a [`SpecError`]
//! naming the [`Setting`] (its flag and its form label) and what it accepts.
//! Everything past this point can trust its input.
//!
//! The settings themselves are described in [`crate::settings`]; this
//! module holds what they become: [`raw`] the text as typed, keyed by
//! setting, and read back by each setting's kind of value; [`parse`] the
//! parsers of each kind; [`validate`] the rules between settings; and
//! [`experiment`] the validated experiment, the typed value each setting
//! gives it and the runs it expands to.

pub mod experiment;
pub mod parse;
pub mod raw;
pub mod validate;

use crate::workload::Workload;

pub use crate::limits::{
    DEFAULT_IN_FLIGHT, DEFAULT_SWITCH_INTERVAL_US, MAX_IN_FLIGHT, MAX_JSON_PAYLOAD_BYTES,
    MAX_PAYLOAD_BYTES, MAX_REPEATS, MAX_RUNTIME_THREADS, MAX_TASKS, MAX_WORKERS,
};
pub use crate::model::Model;
pub use crate::settings::values::{Order, Scaling, Schedule, StartMethod};
pub use crate::settings::{Setting, SettingInfo};
use crate::settings::{Uses, ValueKind};
pub use crate::worker::codec::Codec;
pub use crate::worker::shm::Transport;
pub use experiment::{ExperimentSpec, RunSpec, WorkloadPlan, WorkloadSpec, default_sweep_workers};
pub use parse::{
    SpecError, parse_bytes, parse_code, parse_command, parse_count, parse_duration,
    parse_interval_us, parse_number, parse_payloads, parse_workers,
};
pub use raw::RawExperiment;

/// A setting's help as `--help` and the form's hover show it: which
/// models use it (where only a few do), what it changes, and the names it
/// takes from the workload and model catalogues.
pub fn describe(setting: Setting) -> String {
    let info = setting.info();
    let users: Vec<&str> = Model::ALL
        .into_iter()
        .filter(|m| m.info().has_knob(setting))
        .map(Model::name)
        .collect();
    let mut text = info.help.to_string();
    if info.uses != Uses::Every && users.len() <= 4 {
        // "processes, python-processes: how echo payloads …"
        let mut chars = info.help.chars();
        let first = chars.next().map(|c| c.to_lowercase().to_string());
        text = format!(
            "{}: {}{}",
            users.join(", "),
            first.unwrap_or_default(),
            chars.as_str()
        );
    }
    match info.kind {
        ValueKind::Workloads => text = format!("{text}: {}", Workload::help_list()),
        ValueKind::Models => text = format!("{text}: {}", crate::model::help_list()),
        _ => {}
    }
    text
}
