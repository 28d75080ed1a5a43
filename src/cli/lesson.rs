//! Measuring one lesson from the command line (`sweep --preset`, `deck`):
//! the steps that make its verdict one a room can trust.
//!
//! Models this machine cannot run are left out, each with why and what
//! gets it (the lesson runs the others and its verdict says what is
//! missing); the machine is given a few seconds to calm down, saying so;
//! the kernel's CPU counters are read at the measurement's start and end,
//! so a busy machine is seen whatever a run's length; and runs the noise
//! guard flags are measured once more, beside their baselines, before
//! the lesson gives up on them.

use crate::settings::Setting;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context as _;

use super::outcome::{Outcome, follow};
use super::output;
use crate::engine::runner::Runner;
use crate::engine::{CancelToken, EngineConfig, EngineError, Plan, availability};
use crate::measure::system_load::{self, Snapshot};
use crate::noise;
use crate::presets::Preset;
use crate::remedy::Remedied;
use crate::rerun;
use crate::results::{MachineInfo, ResultSet};
use crate::spec::{Model, default_sweep_workers};

/// How long a lesson waits for other programs to calm down before it
/// measures anyway (and then gives no verdict if they stayed busy).
pub const CALM_WAIT: Duration = Duration::from_secs(5);

/// Where Ctrl-C finds whatever is measuring now (one handler per process,
/// several runners per lesson), and whether it was pressed while nothing
/// was (waiting for the machine to calm down).
#[derive(Debug, Default)]
pub struct Cancel {
    token: Mutex<Option<CancelToken>>,
    interrupted: AtomicBool,
}

/// The [`Cancel`] the Ctrl-C handler reaches.
pub type CancelSlot = Arc<Cancel>;

impl Cancel {
    fn interrupted(&self) -> bool {
        self.interrupted.load(Ordering::SeqCst)
    }

    fn set(&self, token: Option<CancelToken>) {
        if let Ok(mut current) = self.token.lock() {
            *current = token;
        }
    }
}

/// Installs the Ctrl-C handler that cancels the runner in the slot.
pub fn cancel_on_ctrl_c() -> Result<CancelSlot, Outcome> {
    let current: CancelSlot = Arc::new(Cancel::default());
    let slot = Arc::clone(&current);
    ctrlc::set_handler(move || {
        slot.interrupted.store(true, Ordering::SeqCst);
        if let Ok(token) = slot.token.lock()
            && let Some(token) = token.as_ref()
        {
            token.cancel();
        }
    })
    .map_err(|e| {
        Outcome::Failed(anyhow::Error::new(e).context("cannot install the Ctrl-C handler"))
    })?;
    Ok(current)
}

/// The engine's paths for a lesson.
#[derive(Debug, Clone, Copy)]
pub struct Paths<'a> {
    pub python: &'a Path,
    pub hostfile: Option<&'a Path>,
}

/// Measures `preset` (its experiment as `raw` gives it) and returns the
/// set its verdict is read from.
pub fn measure(
    preset: &Preset,
    raw: &crate::spec::RawExperiment,
    paths: Paths<'_>,
    slot: &CancelSlot,
) -> Result<ResultSet, Outcome> {
    let machine = MachineInfo::detect();
    let (raw, not_measured) = runnable(raw, paths.python);
    for why in &not_measured {
        output::note(&format!("  not measured here: {why}"));
    }
    if raw.get(Setting::Models).is_none() {
        let mut set = ResultSet::new(machine);
        set.preset = Some(preset.name.clone());
        set.not_measured = not_measured;
        return Ok(set);
    }
    let mut spec = raw
        .validate(&default_sweep_workers(machine.logical_cores))
        .map_err(|e| Outcome::Usage(e.to_string()))?;
    spec.preset = Some(preset.name.clone());
    if let Err(e) = crate::engine::check_budget(&spec) {
        return Err(Outcome::Usage(format!("--workers: {e}")));
    }
    let config = EngineConfig {
        worker_exe: std::env::current_exe()
            .context("cannot find the corescope executable for workers")
            .map_err(Outcome::Failed)?,
        python: paths.python.to_path_buf(),
        hostfile: paths.hostfile.map(Path::to_path_buf),
        instrument: true,
    };
    noise::wait_for_calm(CALM_WAIT, |load| {
        output::note(&format!(
            "  busy: other programs use {:.1} cores; waiting up to {} s for it to calm down",
            load.other_cpu_cores,
            CALM_WAIT.as_secs()
        ));
        !slot.interrupted()
    });
    if slot.interrupted() {
        return Err(Outcome::Interrupted);
    }
    let start = Snapshot::now();
    let mut set = run(Plan::of(&spec), &config, slot)?;
    let busy_so_far = start
        .zip(Snapshot::now())
        .and_then(|(a, b)| system_load::between(&a, &b))
        .is_some_and(|l| l.other_cpu_cores >= noise::OTHER_CPU_LIMIT);
    // One more try for flagged runs, unless the machine was busy (then
    // the lesson gives no verdict however often it is measured).
    if let Some(plan) = rerun::plan(&set).filter(|_| !busy_so_far) {
        output::note(&format!(
            "  measuring {} flagged run{} once more, with their baselines",
            plan.runs.len(),
            if plan.runs.len() == 1 { "" } else { "s" }
        ));
        let fresh = run(plan, &config, slot)?;
        set = rerun::merge(&set, &fresh);
        set.preset = Some(preset.name.clone());
    }
    set.load_during = start
        .zip(Snapshot::now())
        .and_then(|(a, b)| system_load::between(&a, &b))
        .map(Box::new);
    set.not_measured = not_measured;
    noise::assess(&mut set);
    Ok(set)
}

/// `raw` without the models this machine cannot run, and for each left
/// out, why and what gets it.
fn runnable(
    raw: &crate::spec::RawExperiment,
    python: &Path,
) -> (crate::spec::RawExperiment, Vec<String>) {
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
            Err(why) => missing.push(missing_part(&why)),
        }
    }
    let raw = raw.clone().with(Setting::Models, kept.join(","));
    (raw, missing)
}

/// Why a model is missing, with the command or flag that gets it.
fn missing_part(why: &availability::Unavailable) -> String {
    match why {
        availability::Unavailable::Feature { feature, .. } => {
            format!("{why}: cargo build --release --features {feature}")
        }
        availability::Unavailable::Launcher { launcher, .. } => format!(
            "{why}: install Open MPI or MPICH (e.g. apt install openmpi-bin) so that {launcher} is found"
        ),
        availability::Unavailable::Python { .. } => why.worded(output::flag_of),
    }
}

/// Runs one plan with a progress bar, cancellable through `slot`.
fn run(plan: Plan, config: &EngineConfig, slot: &CancelSlot) -> Result<ResultSet, Outcome> {
    let runner = match Runner::start_plan(plan, config.clone(), Arc::new(|| {})) {
        Ok(runner) => runner,
        Err(EngineError::Unavailable(why)) => {
            return Err(Outcome::Usage(format!(
                "--models: {}",
                why.worded(output::flag_of)
            )));
        }
        Err(e) => return Err(Outcome::Failed(e.into())),
    };
    slot.set(Some(runner.cancel_token()));
    if slot.interrupted() {
        runner.cancel();
    }
    let set = follow(&runner);
    slot.set(None);
    set
}
