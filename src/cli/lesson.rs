//! Measuring one lesson from the command line (`sweep --preset`, `deck`):
//! the Ctrl-C handler and the progress bar around
//! [`crate::presets::measure`], which takes the steps that make a verdict
//! one a room can trust.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::Context as _;

use super::outcome::{Outcome, follow};
use super::output;
use crate::engine::runner::Runner;
use crate::engine::{CancelToken, EngineConfig, availability};
use crate::presets::Preset;
use crate::presets::measure as lesson;
use crate::remedy::Remedied;
use crate::results::{MachineInfo, ResultSet};
use crate::spec::default_sweep_workers;

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
/// set its verdict is read from ([`crate::presets::measure`] does the
/// steps, on the runner's thread).
pub fn measure(
    preset: &Preset,
    raw: &crate::spec::RawExperiment,
    paths: Paths<'_>,
    slot: &CancelSlot,
) -> Result<ResultSet, Outcome> {
    let machine = MachineInfo::detect();
    let (plan, not_measured) = lesson::lesson_plan(
        preset,
        raw,
        paths.python,
        &default_sweep_workers(machine.logical_cores),
        output::flag_of,
    )
    .map_err(|e| Outcome::Usage(e.to_string()))?;
    for why in &not_measured {
        output::note(&format!("  not measured here: {why}"));
    }
    if let Err(e) = crate::engine::check_plan_budget(&plan) {
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
    availability::check_all(&plan.models(), &config.python)
        .map_err(|why| Outcome::Usage(format!("--models: {}", why.worded(output::flag_of))))?;
    let job = lesson::lesson_job(plan, preset.name.clone(), not_measured);
    let runner =
        Runner::start_job(config, Arc::new(|| {}), job).map_err(|e| Outcome::Failed(e.into()))?;
    slot.set(Some(runner.cancel_token()));
    if slot.interrupted() {
        runner.cancel();
    }
    let set = follow(&runner);
    slot.set(None);
    set
}
