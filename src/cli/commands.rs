//! Executes the `run` and `sweep` commands: validate, check export paths,
//! start a [`Runner`], show progress, print the table, write the exports.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;

use super::outcome::{Outcome, follow};
use super::output;
use super::{Cli, Command, ExperimentArgs};
use crate::engine::EngineError;
use crate::engine::runner::Runner;
use crate::engine::{EngineConfig, Plan};
use crate::export;
use crate::export::data::{DataFormat, ExportManager};
use crate::measure::system_load::{self, Snapshot};
use crate::presets;
use crate::remedy::Remedied;
use crate::rerun;
use crate::results::{MachineInfo, ResultSet};
use crate::settings::{Setting, SettingNames};
use crate::spec::{RawExperiment, SpecError, default_sweep_workers};
use crate::worker;

/// Exit status of a run that failed (a worker crashed, an export failed).
pub const EXIT_FAILURE: u8 = 1;
/// Exit status of invalid input (the same as clap's usage errors).
pub const EXIT_USAGE: u8 = 2;
/// Exit status after Ctrl-C, by shell convention (128 + SIGINT).
pub const EXIT_INTERRUPTED: u8 = 130;

/// Runs a parsed command line and returns the process's exit code.
pub fn execute(cli: Cli) -> ExitCode {
    let outcome = match cli.command {
        Some(Command::Worker(args)) => match args.codec.parse() {
            Ok(codec) => match worker::worker_main(
                codec,
                args.shm_input.as_deref().zip(args.shm_output.as_deref()),
            ) {
                Ok(()) => Outcome::Done,
                Err(e) => Outcome::Failed(anyhow::Error::new(e).context("worker")),
            },
            Err(e) => Outcome::Usage(format!("--codec: {e}")),
        },
        Some(Command::NetService(args)) => {
            match crate::net_service::service_main(&args.bind, args.reply_bytes) {
                Ok(()) => Outcome::Done,
                Err(e @ crate::net_service::ServiceError::NotLoopback(_)) => {
                    Outcome::Usage(format!("--bind: {e}"))
                }
                Err(e) => Outcome::Failed(anyhow::Error::new(e).context("net service")),
            }
        }
        Some(Command::MpiRank(args)) => mpi_rank(&args.codec),
        Some(Command::Run(args)) => {
            let raw = args.raw();
            let cores = MachineInfo::detect().logical_cores;
            experiment(&raw, &args.experiment, &[cores], output::run_flag_of)
        }
        Some(Command::Sweep(args)) => {
            let cores = MachineInfo::detect().logical_cores;
            match &args.preset {
                Some(_) if !args.experiment.given.is_empty() => {
                    let flags: Vec<&str> = args.experiment.given.iter().map(|s| s.flag()).collect();
                    Outcome::Usage(format!(
                        "--preset: a preset sets the experiment; drop {} or the preset",
                        flags.join(", ")
                    ))
                }
                Some(name) => match presets::find(name) {
                    Ok(preset) => lesson(&preset, &args.experiment),
                    Err(e) => Outcome::Usage(format!("--preset: {e}")),
                },
                None => experiment(
                    &args.experiment.raw,
                    &args.experiment,
                    &default_sweep_workers(cores),
                    output::flag_of,
                ),
            }
        }
        Some(Command::Report(args)) => report(&args),
        Some(Command::Rerun(args)) => rerun(&args),
        Some(Command::Presets) => match presets::all() {
            Ok(all) => {
                output::print_preset_list(all);
                Outcome::Done
            }
            Err(e) => Outcome::Failed(e.into()),
        },
        Some(Command::Present(args)) => {
            match args.lesson.as_deref().map(presets::find).transpose() {
                Ok(lesson) => open_window(Some(lesson.map_or_else(String::new, |l| l.name))),
                Err(e) => Outcome::Usage(format!("LESSON: {e}")),
            }
        }
        Some(Command::Deck(args)) => super::deck::deck(&args),
        None => open_window(None),
    };
    match outcome {
        Outcome::Done => ExitCode::SUCCESS,
        Outcome::Usage(message) => {
            output::error_line(&message);
            // A flag's error points at the help; a file's says what is
            // wrong with the file, and the help would not mend it.
            if message.starts_with("--") {
                output::error_line("run with --help to see every flag and its values");
            }
            ExitCode::from(EXIT_USAGE)
        }
        Outcome::Failed(error) => {
            output::error_line(&format!("{error:#}"));
            ExitCode::from(EXIT_FAILURE)
        }
        Outcome::Interrupted => {
            output::error_line(
                "interrupted: every worker process was stopped; no file was written",
            );
            ExitCode::from(EXIT_INTERRUPTED)
        }
    }
}

/// Writes the report of a saved result set.
fn report(args: &super::ReportArgs) -> Outcome {
    let size = |flag: &'static str, text: &str| -> Result<u32, Outcome> {
        crate::spec::parse_number(text)
            .ok()
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| (64..=8192).contains(n))
            .ok_or_else(|| {
                Outcome::Usage(format!(
                    "{flag}: '{text}' is not a size from 64 to 8192 pixels"
                ))
            })
    };
    let (width, height) = match (size("--width", &args.width), size("--height", &args.height)) {
        (Ok(w), Ok(h)) => (w, h),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let predict_to = match crate::spec::parse_number(&args.predict_to)
        .ok()
        .and_then(|n| u32::try_from(n).ok())
        .filter(|&n| n <= crate::spec::MAX_WORKERS)
    {
        Some(n) => n,
        None => {
            return Outcome::Usage(format!(
                "--predict-to: '{}' is not a worker count from 0 to {}",
                args.predict_to,
                crate::spec::MAX_WORKERS
            ));
        }
    };
    // A report is a folder: an existing file there is a wrong path, said
    // before anything is read or drawn.
    if let Ok(meta) = std::fs::metadata(&args.out)
        && !meta.is_dir()
    {
        return Outcome::Usage(format!(
            "--out: {} is {}; a report is a folder (name a new or an existing folder)",
            args.out.display(),
            crate::platform::file_kind(meta.file_type())
        ));
    }
    let mut sets = Vec::new();
    for path in &args.results {
        match crate::results::ResultSet::load(path) {
            Ok(set) => sets.push(set),
            Err(e) => return Outcome::Usage(e.to_string()),
        }
    }
    let labels = source_labels(&args.results);
    let sources: Vec<export::report::Source<'_>> = labels
        .iter()
        .zip(&sets)
        .map(|(label, set)| export::report::Source { label, set })
        .collect();
    let style = export::plot::PlotStyle {
        width,
        height,
        dark: args.dark,
        text_px: None,
    };
    let options = crate::chart::ChartOptions { predict_to };
    let report = export::report::ReportOptions { traces: args.trace };
    match export::report::write_with(&sources, &args.out, &style, &options, report) {
        Ok(files) => {
            for file in files {
                output::note(&format!("wrote {}", file.display()));
            }
            Outcome::Done
        }
        Err(e) => Outcome::Failed(anyhow::Error::new(e).context("the report was not written")),
    }
}

/// A label per result file for compared charts: its file stem, or the
/// whole path where two stems are the same.
fn source_labels(paths: &[std::path::PathBuf]) -> Vec<String> {
    // Labels are drawn into SVG and Markdown: a control character in a
    // file name (an escape, say) would make them malformed.
    let visible = |text: String| -> String {
        text.chars()
            .map(|c| if c.is_control() { '?' } else { c })
            .collect()
    };
    let stem = |p: &std::path::PathBuf| {
        visible(p.file_stem().map_or_else(
            || p.display().to_string(),
            |s| s.to_string_lossy().into_owned(),
        ))
    };
    let stems: Vec<String> = paths.iter().map(stem).collect();
    paths
        .iter()
        .zip(&stems)
        .map(|(path, s)| {
            if stems.iter().filter(|o| *o == s).count() > 1 {
                visible(path.display().to_string())
            } else {
                s.clone()
            }
        })
        .collect()
}

/// Opens the desktop app; without a display, says what to run instead.
fn open_window(present: Option<String>) -> Outcome {
    let worker_exe =
        match std::env::current_exe().context("cannot find the corescope executable for workers") {
            Ok(path) => path,
            Err(e) => return Outcome::Failed(e),
        };
    match crate::gui::run(worker_exe, present) {
        Ok(()) => Outcome::Done,
        Err(e) => Outcome::Failed(anyhow::anyhow!(
            "cannot open the window ({}); without a display, run experiments headless with `corescope sweep` (see --help)",
            window_error(&e.to_string())
        )),
    }
}

/// The windowing library's error in a user's words: its first line,
/// without the source paths some of its messages carry.
fn window_error(message: &str) -> String {
    let first = message.lines().next().unwrap_or("").trim();
    let mut words: Vec<String> = Vec::new();
    for word in first.split_whitespace() {
        if word.contains(".rs:") || word.contains("/src/") {
            // "os error at PATH: why" reads "os error: why".
            if words.last().is_some_and(|w| w == "at") {
                words.pop();
                if let Some(last) = words.last_mut() {
                    last.push(':');
                }
            }
            continue;
        }
        words.push(word.to_string());
    }
    let text = words.join(" ");
    if text.is_empty() {
        "no display".to_string()
    } else {
        text
    }
}

/// `__mpi-rank`: this process is a rank of an MPI job.
fn mpi_rank(codec: &str) -> Outcome {
    let codec: crate::worker::codec::Codec = match codec.parse() {
        Ok(codec) => codec,
        Err(e) => return Outcome::Usage(format!("--codec: {e}")),
    };
    #[cfg(feature = "mpi")]
    {
        match crate::mpi::rank::rank_main(codec) {
            Ok(()) => Outcome::Done,
            Err(e) => Outcome::Failed(anyhow::Error::new(e).context("mpi rank")),
        }
    }
    #[cfg(not(feature = "mpi"))]
    {
        let _ = codec;
        Outcome::Failed(anyhow::anyhow!(
            "this corescope was built without MPI; build it with `--features mpi`"
        ))
    }
}

/// A setting's error, under the flag that `names` gives the setting (the
/// command typed: `run --model`, `sweep --models`).
fn usage(error: &SpecError, names: SettingNames) -> Outcome {
    Outcome::Usage(format!("{}: {}", names(error.setting), error.message))
}

/// Runs an experiment; its errors name its settings as `names` does.
fn experiment(
    raw: &RawExperiment,
    args: &ExperimentArgs,
    default_workers: &[u32],
    names: SettingNames,
) -> Outcome {
    let mut spec = match raw.validate(default_workers) {
        Ok(spec) => spec,
        Err(e) => return usage(&e, names),
    };
    if let Err(e) = crate::python::code::prepare(raw, &mut spec, &args.python) {
        return usage(&e, names);
    }
    if let Err(e) = crate::engine::check_budget(&spec) {
        return Outcome::Usage(format!("{}: {e}", names(Setting::Workers)));
    }
    let exports = &args.exports.manager;
    if let Err(e) = exports.check() {
        return Outcome::Usage(format!("{}: {}", e.format.flag(), e.source));
    }
    let paths = EnginePaths {
        python: &args.python,
        hostfile: args.hostfile.as_deref(),
        names,
    };
    measure(Plan::of(&spec), paths, exports, |set| set)
}

/// Measures the flagged runs of a saved result set again and writes the
/// merged set.
fn rerun(args: &super::RerunArgs) -> Outcome {
    let old = match ResultSet::load(&args.results) {
        Ok(set) => set,
        Err(e) => return Outcome::Usage(e.to_string()),
    };
    let exports = &args.exports.manager;
    if let Err(e) = exports.check() {
        return Outcome::Usage(format!("{}: {}", e.format.flag(), e.source));
    }
    let time_limit =
        match crate::spec::parse_duration(Setting::TimeLimit, args.time_limit.as_deref()) {
            Ok(limit) => limit,
            Err(e) => return Outcome::Usage(e.to_string()),
        };
    let Some(mut plan) = rerun::plan(&old) else {
        output::note(&format!(
            "{}: no run is flagged; nothing to measure again",
            args.results.display()
        ));
        return Outcome::Done;
    };
    output::note(&format!(
        "measuring {} run{} again (flagged, with their serial baselines)",
        plan.runs.len(),
        if plan.runs.len() == 1 { "" } else { "s" }
    ));
    let paths = EnginePaths {
        python: &args.python,
        hostfile: None,
        names: output::flag_of,
    };
    // A file may say anything a sweep could: a limit keeps it bounded.
    plan.time_limit = time_limit;
    measure(plan, paths, exports, |fresh| rerun::merge(&old, &fresh))
}

/// Runs a plan with a progress bar, then prints the set (`finish` turns
/// the measured set into the one shown and written), its flags and its
/// findings, and writes the exports.
/// The interpreter and hostfile a run's engine uses, and the command's
/// names for the settings its errors name.
#[derive(Debug, Clone, Copy)]
struct EnginePaths<'a> {
    python: &'a Path,
    hostfile: Option<&'a Path>,
    names: SettingNames,
}

fn measure(
    plan: Plan,
    paths: EnginePaths<'_>,
    exports: &ExportManager,
    finish: impl FnOnce(ResultSet) -> ResultSet,
) -> Outcome {
    let worker_exe =
        match std::env::current_exe().context("cannot find the corescope executable for workers") {
            Ok(path) => path,
            Err(e) => return Outcome::Failed(e),
        };
    let config = EngineConfig {
        worker_exe,
        python: paths.python.to_path_buf(),
        hostfile: paths.hostfile.map(Path::to_path_buf),
        instrument: true,
    };
    let runner = match Runner::start_plan(plan, config, Arc::new(|| {})) {
        Ok(runner) => runner,
        Err(EngineError::Unavailable(why)) => {
            let names = paths.names;
            return Outcome::Usage(format!("{}: {}", names(Setting::Models), why.worded(names)));
        }
        Err(e) => return Outcome::Failed(e.into()),
    };
    let token = runner.cancel_token();
    // Ctrl-C asks the engine to stop; the engine then kills and reaps its
    // workers (they sit in their own process group and never see the signal).
    if let Err(e) = ctrlc::set_handler(move || token.cancel()) {
        return Outcome::Failed(anyhow::Error::new(e).context("cannot install the Ctrl-C handler"));
    }
    let start = Snapshot::now();
    match follow(&runner) {
        Ok(set) => {
            let mut set = finish(set);
            set.load_during = start
                .zip(Snapshot::now())
                .and_then(|(a, b)| system_load::between(&a, &b))
                .map(Box::new);
            crate::noise::assess(&mut set);
            show_and_write(&set, exports)
        }
        Err(outcome) => outcome,
    }
}

/// `sweep --preset NAME`: the lesson's claim, its measurement (see
/// [`super::lesson`]), the table, flags, findings and verdict, and the
/// exports (the JSON with the verdict).
fn lesson(preset: &presets::Preset, args: &ExperimentArgs) -> Outcome {
    output::print_preset(preset);
    // The run's own limit applies to a lesson too.
    let mut raw = preset.experiment.clone();
    if let Some(text) = args.raw.get(Setting::TimeLimit) {
        raw.set(Setting::TimeLimit, Some(text.to_string()));
    }
    let exports = &args.exports.manager;
    if let Err(e) = exports.check() {
        return Outcome::Usage(format!("{}: {}", e.format.flag(), e.source));
    }
    let slot = match super::lesson::cancel_on_ctrl_c() {
        Ok(slot) => slot,
        Err(outcome) => return outcome,
    };
    let paths = super::lesson::Paths {
        python: &args.python,
        hostfile: args.hostfile.as_deref(),
    };
    match super::lesson::measure(preset, &raw, paths, &slot) {
        Ok(set) => {
            let outcome = show_and_write(&set, exports);
            let verdict = presets::verdict(preset, &set);
            output::print_verdict(outcome_word(verdict.outcome), &verdict.sentence);
            outcome
        }
        Err(outcome) => outcome,
    }
}

/// The verdict's outcome as its JSON spells it.
fn outcome_word(outcome: presets::Outcome) -> &'static str {
    match outcome {
        presets::Outcome::Holds => "holds",
        presets::Outcome::DoesNotHold => "does-not-hold",
        presets::Outcome::Withheld => "withheld",
    }
}

/// Prints the set (table, flags, findings) and writes its exports.
fn show_and_write(set: &ResultSet, exports: &ExportManager) -> Outcome {
    output::print_results(set);
    let json = exports
        .targets()
        .iter()
        .find(|(format, _)| *format == DataFormat::Json)
        .map(|(_, path)| path.as_path());
    output::print_flags(set, json);
    output::print_findings(set);
    super::outcome::print_isolation(set);
    super::outcome::print_recommendation(set);
    for run in &set.timed_out {
        output::note(&format!(
            "run {} ({}) timed out after {}: stopped, every process reaped",
            run.index + 1,
            run.label,
            crate::format::seconds(run.limit_seconds)
        ));
    }
    let written = |path: &Path| output::note(&format!("wrote {}", path.display()));
    match exports.write_all(set, written) {
        Ok(()) if set.timed_out.is_empty() => Outcome::Done,
        Ok(()) => Outcome::Failed(anyhow::anyhow!(
            "{} of the runs timed out (--time-limit); the others were kept",
            set.timed_out.len()
        )),
        Err(e) => Outcome::Failed(
            anyhow::Error::new(e.source).context(format!("{} failed", e.format.flag())),
        ),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_window_error_names_no_source_path() {
        let winit = "winit EventLoopError: os error at /root/.cargo/registry/src/x/winit-0.30/src/platform_impl/linux/mod.rs:785: neither WAYLAND_DISPLAY nor DISPLAY is set.";
        assert_eq!(
            super::window_error(winit),
            "winit EventLoopError: os error: neither WAYLAND_DISPLAY nor DISPLAY is set."
        );
    }
}
