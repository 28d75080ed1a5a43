//! `corescope deck`: the workshop deck from the command line. Lessons the
//! app has measured on this machine (its stored results) are reused;
//! the others (with `--all`, every one) are measured here, headless, with
//! a progress bar each, as `sweep --preset` measures them
//! ([`super::lesson`]); then the page is written through the export layer.

use super::DeckArgs;
use super::outcome::Outcome;
use super::output;
use crate::export::deck::{self, Slide};
use crate::presets::{self, Preset};
use crate::results::{MachineInfo, ResultSet};
use crate::session::store::ResultsStore;

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
    // Ctrl-C cancels whichever lesson is measuring.
    let current = match super::lesson::cancel_on_ctrl_c() {
        Ok(slot) => slot,
        Err(outcome) => return outcome,
    };
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
        match measure(preset, &args.python, &current) {
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

/// Measures one lesson as `sweep --preset` does ([`super::lesson`]):
/// a model it cannot run is left out, and its verdict says so.
fn measure(
    preset: &Preset,
    python: &std::path::Path,
    current: &super::lesson::CancelSlot,
) -> Result<Option<ResultSet>, Outcome> {
    let paths = super::lesson::Paths {
        python,
        hostfile: None,
    };
    match super::lesson::measure(preset, &preset.experiment, paths, current) {
        Ok(set) => {
            let verdict = presets::verdict(preset, &set);
            output::note(&format!("  {}", verdict.sentence));
            Ok(Some(set))
        }
        Err(Outcome::Usage(why)) => {
            output::note(&format!("  not measured: {why}"));
            Ok(None)
        }
        Err(outcome) => Err(outcome),
    }
}
