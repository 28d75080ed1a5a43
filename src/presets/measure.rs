//! Measuring one lesson, the same way from the command line (`sweep
//! --preset`, `deck`) and from the window: the steps that make its verdict
//! one a room can trust.
//!
//! Models this machine cannot run are left out, each with why and what
//! gets it (the lesson runs the others and its verdict says what is
//! missing); the machine is given a few seconds to calm down, saying so;
//! the kernel's CPU counters are read at the measurement's start and end,
//! so a busy machine is seen whatever a run's length; and runs the noise
//! guard flags are measured once more, beside their baselines, before the
//! lesson gives up on them.

use std::path::Path;
use std::time::Duration;

use crate::engine::runner::Job;
use crate::engine::{EngineError, Plan, RunEvent, availability, run_plan};
use crate::measure::system_load::{self, Snapshot};
use crate::noise;
use crate::presets::Preset;
use crate::remedy::{Remedied, SettingNames};
use crate::rerun;
use crate::results::ResultSet;
use crate::settings::Setting;
use crate::spec::{Model, RawExperiment, SpecError};

/// How long a lesson waits for other programs to calm down before it
/// measures anyway (and then gives no verdict if they stayed busy).
pub const CALM_WAIT: Duration = Duration::from_secs(5);

/// `raw` without the models this machine cannot run (with the interpreter
/// `python`), and for each left out, why and what gets it (a setting named
/// as `names` says).
pub fn runnable(
    raw: &RawExperiment,
    python: &Path,
    names: SettingNames,
) -> (RawExperiment, Vec<String>) {
    let mut kept = Vec::new();
    let mut missing = Vec::new();
    for name in raw
        .get(Setting::Models)
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
    {
        let Ok(model) = name.parse::<Model>() else {
            kept.push(name);
            continue;
        };
        match availability::check(model, python) {
            Ok(()) => kept.push(name),
            Err(why) => missing.push(missing_part(&why, names)),
        }
    }
    let raw = raw.clone().with(Setting::Models, kept.join(","));
    (raw, missing)
}

/// Lesson `preset`'s plan as `raw` gives its experiment, over
/// `default_workers` where it names none: the runs of the models this
/// machine can run (none, when it can run none of them), and why each
/// other was left out (see [`runnable`]).
pub fn lesson_plan(
    preset: &Preset,
    raw: &RawExperiment,
    python: &Path,
    default_workers: &[u32],
    names: SettingNames,
) -> Result<(Plan, Vec<String>), SpecError> {
    let (raw, not_measured) = runnable(raw, python, names);
    if raw.get(Setting::Models).is_none() {
        let plan = Plan {
            runs: Vec::new(),
            order: crate::spec::Order::default(),
            preset: Some(preset.name.clone()),
            time_limit: None,
        };
        return Ok((plan, not_measured));
    }
    let mut spec = raw.validate(default_workers)?;
    spec.preset = Some(preset.name.clone());
    Ok((Plan::of(&spec), not_measured))
}

/// Why a model is missing, with the command or setting that gets it.
fn missing_part(why: &availability::Unavailable, names: SettingNames) -> String {
    match why {
        availability::Unavailable::Feature { feature, .. } => {
            format!("{why}: cargo build --release --features {feature}")
        }
        availability::Unavailable::Launcher { launcher, .. } => format!(
            "{why}: install Open MPI or MPICH (e.g. apt install openmpi-bin) so that {launcher} is found"
        ),
        availability::Unavailable::Python { .. } => why.worded(names),
    }
}

/// The runner's job for lesson `preset`: `plan` (its runnable models), the
/// parts `not_measured` said why; see the module's steps. An empty plan
/// gives a set with no runs, so the lesson still says what it lacks.
pub fn lesson_job(plan: Plan, preset: String, not_measured: Vec<String>) -> Job {
    Box::new(move |config, cancel, emit, live| {
        let mut set = if plan.runs.is_empty() {
            let mut set = ResultSet::new(crate::results::MachineInfo::detect());
            set.preset = Some(preset);
            set
        } else {
            noise::wait_for_calm(CALM_WAIT, |load| {
                emit(RunEvent::Calming {
                    other_cpu_cores: load.other_cpu_cores,
                });
                !cancel.is_cancelled()
            });
            if cancel.is_cancelled() {
                return Err(EngineError::Cancelled);
            }
            let start = Snapshot::now();
            let mut set = run_plan(&plan, config, cancel, emit, Some(live.clone()))?;
            let busy_so_far = start
                .zip(Snapshot::now())
                .and_then(|(a, b)| system_load::between(&a, &b))
                .is_some_and(|l| l.other_cpu_cores >= noise::OTHER_CPU_LIMIT);
            // One more try for flagged runs, unless the machine was busy
            // (then the lesson gives no verdict however often it is measured).
            if let Some(again) = rerun::plan(&set).filter(|_| !busy_so_far) {
                emit(RunEvent::Remeasuring {
                    runs: again.runs.len(),
                });
                let fresh = run_plan(&again, config, cancel, emit, Some(live))?;
                set = rerun::merge(&set, &fresh);
                set.preset = Some(preset);
            }
            set.load_during = start
                .zip(Snapshot::now())
                .and_then(|(a, b)| system_load::between(&a, &b))
                .map(Box::new);
            set
        };
        set.not_measured = not_measured;
        noise::assess(&mut set);
        Ok(set)
    })
}
