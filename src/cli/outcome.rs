//! How a command ends ([`Outcome`], mapped to an exit code at the edge),
//! and following a runner to its end with a progress bar: shared by the
//! experiment commands and the deck; what a `--code` set says about its
//! results across models, after the table ([`print_isolation`]), and what
//! the set recommends ([`print_recommendation`]).

use super::output::{self, Progress};
use crate::engine::runner::Runner;
use crate::results::ResultSet;
use crate::session::progress::{Ending, RunProgress, Step};

/// How a command ended, mapped to an exit code at the edge.
#[derive(Debug)]
pub enum Outcome {
    Done,
    Usage(String),
    Failed(anyhow::Error),
    Interrupted,
}

/// A `--code` set's isolation sentence (and what else the harness saw of
/// the user's function), one line each, on stdout with the results.
#[allow(clippy::print_stdout)]
pub fn print_isolation(set: &ResultSet) {
    for line in crate::analysis::isolation::lines(set) {
        println!("{}", output::printable(&line, 400));
    }
}

/// The set's recommendation ([`crate::analysis::recommendation`]) after
/// the table, wrapped to the terminal: its sentence, then its figures
/// indented. Lessons have their verdict instead.
#[allow(clippy::print_stdout)]
pub fn print_recommendation(set: &ResultSet) {
    let Some(recommendation) = set.recommendation.as_ref().filter(|_| set.preset.is_none()) else {
        return;
    };
    let width = output::print_width();
    let lines = crate::analysis::recommendation::lines(recommendation);
    println!();
    // The sentence flush left, each figure under it indented, a figure's
    // own continuation lines more.
    for (i, line) in lines.iter().enumerate() {
        let (first, rest) = if i == 0 { ("", "") } else { ("  ", "    ") };
        let line = output::printable(line, 400);
        for (j, part) in output::wrap(&line, width.saturating_sub(rest.len()))
            .iter()
            .enumerate()
        {
            println!("{}{part}", if j == 0 { first } else { rest });
        }
    }
}

/// Folds the runner's events into the progress bar until it ends.
pub fn follow(runner: &Runner) -> Result<ResultSet, Outcome> {
    let mut bar = Progress::new();
    let mut state = RunProgress::default();
    let ending = loop {
        let Ok(event) = runner.events().recv() else {
            break Ending::Lost;
        };
        match state.apply(event) {
            Step::Ended(ending) => break ending,
            step => bar.show(&state, &step),
        }
    };
    match ending {
        Ending::Finished(set) => {
            bar.finish();
            Ok(set)
        }
        Ending::Cancelled => {
            bar.abandon();
            Err(Outcome::Interrupted)
        }
        Ending::Failed(_) | Ending::Lost => {
            bar.abandon();
            let error = ending.error(output::flag_of).unwrap_or_default();
            Err(Outcome::Failed(anyhow::anyhow!(error)))
        }
    }
}
