//! `corescope deck`: the workshop deck from the command line. Lessons the
//! app has measured on this machine (its stored results) are reused;
//! the others (with `--all`, every one) are measured here, headless, with
//! a progress bar each; then the page is written through the export layer.

use std::sync::{Arc, Mutex};

use anyhow::Context as _;

use super::DeckArgs;
use super::outcome::{Outcome, follow};
use super::output;
use crate::engine::CancelToken;
use crate::engine::runner::Runner;
use crate::engine::{EngineConfig, EngineError, Plan};
use crate::export::deck::{self, Slide};
use crate::presets::{self, Preset};
use crate::remedy::Remedied;
use crate::results::{MachineInfo, ResultSet};
use crate::session::store::ResultsStore;
use crate::spec::default_sweep_workers;

/// Measures what is missing and writes the deck.
pub fn deck(args: &DeckArgs) -> Outcome {
    if let Err(e) = crate::export::check_writable(&args.out) {
        return Outcome::Usage(format!("--out: {e}"));
    }
    let all = match presets::all() {
        Ok(all) => all,
        Err(e) => return Outcome::Failed(e.into()),
    };
    let stored = if args.all {
        None
    } else {
        eframe::storage_dir(crate::gui::APP_ID)
    };
    let (store, _) = ResultsStore::open(stored.as_deref());
    let machine = MachineInfo::detect();
    // Ctrl-C cancels whichever lesson is measuring (one handler per
    // process, so it reaches the runner through this slot).
    let current: Arc<Mutex<Option<CancelToken>>> = Arc::new(Mutex::new(None));
    let slot = Arc::clone(&current);
    let handler = ctrlc::set_handler(move || {
        if let Ok(token) = slot.lock()
            && let Some(token) = token.as_ref()
        {
            token.cancel();
        }
    });
    if let Err(e) = handler {
        return Outcome::Failed(anyhow::Error::new(e).context("cannot install the Ctrl-C handler"));
    }
    let mut measured: Vec<Option<ResultSet>> = Vec::new();
    for (i, preset) in all.iter().enumerate() {
        let newest = store
            .experiments
            .iter()
            .rev()
            .find(|set| set.preset.as_deref() == Some(preset.name.as_str()));
        if let Some(set) = newest {
            output::note(&format!(
                "lesson {} {}: measured before",
                i + 1,
                preset.name
            ));
            measured.push(Some(set.clone()));
            continue;
        }
        output::note(&format!("lesson {} {}: measuring", i + 1, preset.name));
        match measure(preset, &machine, &args.python, &current) {
            Ok(set) => measured.push(set),
            Err(outcome) => return outcome,
        }
    }
    let slides: Vec<Slide<'_>> = all
        .iter()
        .zip(&measured)
        .map(|(preset, set)| Slide {
            preset,
            set: set.as_ref(),
        })
        .collect();
    match deck::write(&args.out, &slides, &machine, &Default::default()) {
        Ok(()) => {
            output::note(&format!("wrote {}", args.out.display()));
            Outcome::Done
        }
        Err(e) => Outcome::Failed(anyhow::Error::new(e).context("the deck was not written")),
    }
}

/// Measures one lesson; `Ok(None)` when it cannot run here (a model it
/// needs is unavailable), which the deck then says.
fn measure(
    preset: &Preset,
    machine: &MachineInfo,
    python: &std::path::Path,
    current: &Mutex<Option<CancelToken>>,
) -> Result<Option<ResultSet>, Outcome> {
    let mut spec = preset
        .experiment
        .validate(&default_sweep_workers(machine.logical_cores))
        .map_err(|e| Outcome::Failed(anyhow::anyhow!("lesson {}: {e}", preset.name)))?;
    spec.preset = Some(preset.name.clone());
    let worker_exe = std::env::current_exe()
        .context("cannot find the corescope executable for workers")
        .map_err(Outcome::Failed)?;
    let config = EngineConfig {
        worker_exe,
        python: python.to_path_buf(),
        hostfile: None,
        instrument: true,
    };
    if let Err(e) = crate::engine::check_budget(&spec) {
        output::note(&format!("  not measured: {e}"));
        return Ok(None);
    }
    let runner = match Runner::start_plan(Plan::of(&spec), config, Arc::new(|| {})) {
        Ok(runner) => runner,
        Err(EngineError::Unavailable(why)) => {
            output::note(&format!(
                "  not measured here: {}",
                why.worded(output::flag_of)
            ));
            return Ok(None);
        }
        Err(e) => return Err(Outcome::Failed(e.into())),
    };
    if let Ok(mut slot) = current.lock() {
        *slot = Some(runner.cancel_token());
    }
    let set = follow(&runner);
    if let Ok(mut slot) = current.lock() {
        *slot = None;
    }
    set.map(Some)
}
