//! The command line: clap types (the raw layer) and the headless front end
//! that runs experiments with a progress bar and prints a table.
//!
//! Arguments stay text here; [`crate::spec::RawExperiment::validate`] turns
//! them into an experiment, so the CLI and the GUI accept exactly the same
//! values and report bad ones with the same words.

pub mod commands;
pub mod deck;
mod help;
pub mod lesson;
pub mod outcome;
pub mod output;

use std::path::PathBuf;

use clap::parser::ValueSource;
use clap::{Args, CommandFactory as _, FromArgMatches as _, Parser, Subcommand};

use crate::export::data::{DataFormat, ExportManager};
use crate::settings::{Group, Setting, ValueKind};
use crate::spec::{self, RawExperiment};

/// corescope: see parallelism happen, and measure it.
#[derive(Debug, Parser)]
#[command(name = "corescope", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run one workload under one model and worker count.
    Run(RunArgs),
    /// Run one workload under several models and worker counts: the data
    /// behind a scaling curve, with speedup against serial.
    Sweep(SweepArgs),
    /// List the lesson presets (run one with `sweep --preset NAME`).
    Presets,
    /// Measure the flagged runs of a saved result set again (each beside
    /// its serial baseline, interleaved) and write the set with them
    /// replaced.
    Rerun(RerunArgs),
    /// Write every chart (SVG and PNG), each run's timeline, CPU and memory
    /// charts (and with --trace its Chrome trace), a CSV and a Markdown
    /// report of a saved result set (from --export-json) into a folder.
    Report(ReportArgs),
    /// Open the window in presentation mode on a lesson (default: the
    /// first): arrow keys step through the lessons, Space runs one, Esc
    /// leaves.
    Present(PresentArgs),
    /// Write the workshop deck: every lesson's claim, main chart (SVG) and
    /// this machine's verdict in one self-contained HTML page. Lessons the
    /// app has not measured yet are measured first (--all: every one).
    Deck(DeckArgs),
    /// Internal: serve tasks over stdin/stdout as a worker process.
    #[command(name = "__worker", hide = true)]
    Worker(WorkerArgs),
    /// Internal: an MPI rank under mpirun (the mpi model; needs the mpi
    /// cargo feature).
    #[command(name = "__mpi-rank", hide = true)]
    MpiRank(WorkerArgs),
    /// Internal: the slow loopback service that `net` tasks talk to.
    #[command(name = "__net-service", hide = true)]
    NetService(NetServiceArgs),
}

/// What the net service is told by its owner.
#[derive(Debug, Args)]
pub struct NetServiceArgs {
    /// Where to listen: 127.0.0.1 only (port 0 picks a free one).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub bind: String,
    /// Bytes of every reply (the run's --payload).
    #[arg(long, value_name = "BYTES", default_value = "1024")]
    pub reply_bytes: u64,
}

/// What a worker process is told by its parent.
#[derive(Debug, Args)]
pub struct WorkerArgs {
    /// Frame encoding, the parent's `--codec`.
    #[arg(long, value_name = "bincode|json", default_value = "bincode")]
    pub codec: String,
    /// `--transport shm`: the shared input payload the parent made.
    #[arg(long, value_name = "PATH", requires = "shm_output")]
    pub shm_input: Option<String>,
    /// `--transport shm`: this worker's shared output region.
    #[arg(long, value_name = "PATH", requires = "shm_input")]
    pub shm_output: Option<String>,
}

/// The experiment flags shared by `run` and `sweep`, one per setting of
/// the catalogue ([`crate::settings`]), models and workers aside (each
/// command words those its own way), with the machine's two and the
/// export flags. Built with clap's builder API from the descriptors, so a
/// new setting gets its flag, help and heading without a change here.
#[derive(Debug, Clone, Default)]
pub struct ExperimentArgs {
    /// The experiment as typed (models and workers set by the command).
    pub raw: RawExperiment,
    /// The CPython interpreter the python-* models run.
    pub python: PathBuf,
    /// The MPI models' hostfile, if one was given.
    pub hostfile: Option<PathBuf>,
    /// The settings a lesson preset sets that were given on the command
    /// line, which a preset refuses rather than silently ignores.
    pub given: Vec<Setting>,
    /// `--export-json FILE` and the other data formats' flags.
    pub exports: ExportArgs,
}

/// The settings with a flag of `ExperimentArgs`: every one but those each
/// command words its own way.
fn shared_settings() -> impl Iterator<Item = Setting> {
    Setting::ALL
        .into_iter()
        .filter(|s| !matches!(s, Setting::Models | Setting::Workers))
}

/// A setting's clap id: its flag without the dashes.
fn id_of(setting: Setting) -> &'static str {
    setting.flag().trim_start_matches('-')
}

/// A setting's argument, from its descriptor: flag, value name, help
/// (with its default) and heading. Values stay text: validation parses
/// them, so the window and the command line accept the same.
fn setting_arg(setting: Setting) -> clap::Arg {
    let info = setting.info();
    clap::Arg::new(id_of(setting))
        .long(id_of(setting))
        .value_name(info.value_name)
        .help(match setting.default_text() {
            Some(default) => format!("{} [default: {default}]", spec::describe(setting)),
            None => spec::describe(setting),
        })
        .help_heading(info.group.heading())
        .allow_hyphen_values(true)
}

/// Reads `settings` from `matches` into `raw`, noting in `given` those a
/// preset sets that the command line gave.
fn read_settings(
    matches: &mut clap::ArgMatches,
    settings: impl Iterator<Item = Setting>,
    raw: &mut RawExperiment,
    given: &mut Vec<Setting>,
) -> Result<(), clap::Error> {
    // The machine's settings are no experiment's: read apart.
    for setting in settings.filter(|s| !s.is_machine()) {
        let id = id_of(setting);
        if setting.info().preset_sets && matches.value_source(id) == Some(ValueSource::CommandLine)
        {
            given.push(setting);
        }
        let text = matches
            .try_remove_one::<String>(id)
            .map_err(|e| clap::Error::raw(clap::error::ErrorKind::InvalidValue, e))?;
        // A blank text is an absent setting to the experiment (an empty
        // field of the form); a blank command typed here is a mistake.
        if let (Some(blank), ValueKind::Command) = (&text, setting.info().kind)
            && blank.trim().is_empty()
        {
            let why = crate::spec::parse_command(setting, blank).err();
            let why = why.map(|e| e.to_string()).unwrap_or_default();
            return Err(clap::Error::raw(
                clap::error::ErrorKind::InvalidValue,
                format!("{why}\n"),
            ));
        }
        raw.set(setting, text);
    }
    Ok(())
}

impl clap::FromArgMatches for ExperimentArgs {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        Self::from_arg_matches_mut(&mut matches.clone())
    }

    fn from_arg_matches_mut(matches: &mut clap::ArgMatches) -> Result<Self, clap::Error> {
        let mut args = ExperimentArgs::default();
        read_settings(matches, shared_settings(), &mut args.raw, &mut args.given)?;
        let mut path = |setting: Setting| -> Result<Option<PathBuf>, clap::Error> {
            matches
                .try_remove_one::<String>(id_of(setting))
                .map(|text| text.map(PathBuf::from))
                .map_err(|e| clap::Error::raw(clap::error::ErrorKind::InvalidValue, e))
        };
        args.python = path(Setting::Python)?
            .unwrap_or_else(|| PathBuf::from(crate::python::DEFAULT_INTERPRETER));
        args.hostfile = path(Setting::Hostfile)?;
        args.exports = ExportArgs::from_arg_matches_mut(matches)?;
        Ok(args)
    }

    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl Args for ExperimentArgs {
    fn augment_args(command: clap::Command) -> clap::Command {
        let command = shared_settings().fold(command, |command, s| command.arg(setting_arg(s)));
        ExportArgs::augment_args(command)
    }

    fn augment_args_for_update(command: clap::Command) -> clap::Command {
        Self::augment_args(command)
    }
}

/// The heading of the export flags in `--help`.
const OUTPUT_HEADING: &str = "Output";

/// The `--export-*` flags, one per data format of the export registry
/// ([`DataFormat::ALL`]), so a new format gets its flag without a change
/// here.
#[derive(Debug, Clone, Default)]
pub struct ExportArgs {
    pub manager: ExportManager,
}

impl clap::FromArgMatches for ExportArgs {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        Self::from_arg_matches_mut(&mut matches.clone())
    }

    fn from_arg_matches_mut(matches: &mut clap::ArgMatches) -> Result<Self, clap::Error> {
        let mut exports = ExportManager::new();
        for format in DataFormat::ALL {
            let path = matches
                .try_remove_one::<PathBuf>(format.info().flag)
                .map_err(|e| clap::Error::raw(clap::error::ErrorKind::InvalidValue, e))?;
            if let Some(path) = path {
                exports.add(format, path);
            }
        }
        Ok(ExportArgs { manager: exports })
    }

    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl Args for ExportArgs {
    fn augment_args(command: clap::Command) -> clap::Command {
        DataFormat::ALL
            .into_iter()
            .fold(command, |command, format| {
                let info = format.info();
                command.arg(
                    clap::Arg::new(info.flag)
                        .long(info.flag)
                        .value_name("FILE")
                        .value_parser(clap::value_parser!(PathBuf))
                        .help(info.flag_help)
                        .help_heading(OUTPUT_HEADING),
                )
            })
    }

    fn augment_args_for_update(command: clap::Command) -> clap::Command {
        Self::augment_args(command)
    }
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A result set written by --export-json (or saved from the app); give
    /// two or more to compare them on the same charts (say, two machines).
    #[arg(value_name = "RESULTS.json", required = true, num_args = 1..)]
    pub results: Vec<PathBuf>,
    /// The folder to write into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Image width in pixels.
    #[arg(
        long,
        value_name = "PX",
        default_value = "1920",
        allow_hyphen_values = true
    )]
    pub width: String,
    /// Image height in pixels.
    #[arg(
        long,
        value_name = "PX",
        default_value = "1080",
        allow_hyphen_values = true
    )]
    pub height: String,
    /// Draw charts for a dark slide background.
    #[arg(long)]
    pub dark: bool,
    /// Continue each speedup curve's fitted scaling law (dashed) up to N
    /// workers; 0 draws no predictions.
    #[arg(
        long,
        value_name = "N",
        default_value = "64",
        allow_hyphen_values = true
    )]
    pub predict_to: String,
    /// Also write each run's timeline as Chrome trace-event JSON
    /// (runs/NN-…/trace.json), for Perfetto UI or chrome://tracing.
    #[arg(long)]
    pub trace: bool,
}

#[derive(Debug, Args)]
pub struct PresentArgs {
    /// The lesson to open on (see `corescope presets`).
    #[arg(value_name = "LESSON")]
    pub lesson: Option<String>,
}

#[derive(Debug, Args)]
pub struct DeckArgs {
    /// The HTML file to write.
    #[arg(long, value_name = "FILE.html")]
    pub out: PathBuf,
    /// Measure every lesson now, rather than reuse the app's stored
    /// measurements.
    #[arg(long)]
    pub all: bool,
    #[arg(long, value_name = "PATH", default_value = crate::python::DEFAULT_INTERPRETER,
          help = Setting::Python.help())]
    pub python: PathBuf,
}

#[derive(Debug, Args)]
pub struct RerunArgs {
    /// A result set written by --export-json (or saved from the app).
    #[arg(value_name = "RESULTS.json")]
    pub results: PathBuf,
    #[arg(long, value_name = "PATH", default_value = crate::python::DEFAULT_INTERPRETER,
          help = Setting::Python.help())]
    pub python: PathBuf,
    #[arg(long, value_name = "DURATION", help = Setting::TimeLimit.help())]
    pub time_limit: Option<String>,
    /// `--export-json FILE` and the other data formats' flags: where the
    /// merged set goes.
    #[command(flatten)]
    pub exports: ExportArgs,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub experiment: ExperimentArgs,
    // Help from the model catalogue, so it never misses a model.
    #[arg(long, value_name = "NAME",
          help_heading = Group::Experiment.heading(),
          help = format!(
              "Execution model: {} (default: processes; python-processes with --code, threads with --command)",
              crate::model::help_list()
          ))]
    pub model: Option<String>,
    /// Worker count, 1 to 1024 (default: the logical core count).
    #[arg(
        long,
        value_name = "N",
        allow_hyphen_values = true,
        help_heading = Group::Experiment.heading()
    )]
    pub workers: Option<String>,
}

impl RunArgs {
    /// The model run when none is named: `processes`, or for a Python
    /// function (`--code`) `python-processes`, which can call it, or for a
    /// command (`--command`) `threads`, which runs N children at once.
    pub const DEFAULT_MODEL: &'static str = "processes";
    pub const DEFAULT_CODE_MODEL: &'static str = "python-processes";
    pub const DEFAULT_COMMAND_MODEL: &'static str = "threads";

    /// The experiment these arguments describe.
    pub fn raw(&self) -> RawExperiment {
        let raw = &self.experiment.raw;
        let fallback = if raw.get(Setting::Code).is_some() {
            Self::DEFAULT_CODE_MODEL
        } else if raw.get(Setting::Command).is_some() {
            Self::DEFAULT_COMMAND_MODEL
        } else {
            Self::DEFAULT_MODEL
        };
        let model = self.model.as_deref().unwrap_or(fallback);
        let mut raw = self.experiment.raw.clone().with(Setting::Models, model);
        raw.set(Setting::Workers, self.workers.clone());
        raw
    }
}

/// `sweep`'s arguments: every experiment setting of the catalogue (models
/// and workers as lists), and a lesson preset.
#[derive(Debug, Clone, Default)]
pub struct SweepArgs {
    /// The experiment, models and workers included.
    pub experiment: ExperimentArgs,
    /// The lesson preset to run instead of the experiment flags.
    pub preset: Option<String>,
}

impl clap::FromArgMatches for SweepArgs {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        Self::from_arg_matches_mut(&mut matches.clone())
    }

    fn from_arg_matches_mut(matches: &mut clap::ArgMatches) -> Result<Self, clap::Error> {
        let mut experiment = ExperimentArgs::from_arg_matches_mut(matches)?;
        let own = [Setting::Models, Setting::Workers].into_iter();
        read_settings(matches, own, &mut experiment.raw, &mut experiment.given)?;
        // `--code` picks CPython models of its own, `--command` the serial
        // and thread ones (validation does).
        let code = [Setting::Code, Setting::Command]
            .iter()
            .any(|&s| experiment.raw.get(s).is_some());
        if experiment.raw.get(Setting::Models).is_none() && !code {
            let models = Setting::Models.default_text().map(str::to_string);
            experiment.raw.set(Setting::Models, models);
        }
        let preset = matches
            .try_remove_one::<String>("preset")
            .map_err(|e| clap::Error::raw(clap::error::ErrorKind::InvalidValue, e))?;
        Ok(SweepArgs { experiment, preset })
    }

    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl Args for SweepArgs {
    fn augment_args(command: clap::Command) -> clap::Command {
        let preset = clap::Arg::new("preset")
            .long("preset")
            .value_name("NAME")
            .help_heading(Group::Experiment.heading())
            .help(
                "Run a lesson preset (see `corescope presets`) instead of the experiment \
                 flags, which it refuses; --python, --hostfile, --time-limit and the \
                 export flags still apply",
            );
        // Every setting in catalogue order, models and workers among them.
        let command = Setting::ALL
            .into_iter()
            .fold(command, |command, s| command.arg(setting_arg(s)))
            .arg(preset);
        ExportArgs::augment_args(command)
    }

    fn augment_args_for_update(command: clap::Command) -> clap::Command {
        Self::augment_args(command)
    }
}

/// The whole command line, its help fitted to an 80-column terminal.
pub fn command() -> clap::Command {
    help::fit(Cli::command())
}

/// Parses the process's command line (exiting on a usage error, like
/// clap).
pub fn parse() -> Cli {
    let matches = command().get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_from(args: &[&str]) -> Cli {
        let matches = command().try_get_matches_from(args).unwrap();
        Cli::from_arg_matches(&matches).unwrap()
    }

    #[test]
    fn each_flag_reaches_its_setting_and_the_machines_reach_theirs() {
        let cli = parse_from(&[
            "corescope",
            "sweep",
            "--python",
            "python9",
            "--hostfile",
            "hosts",
            "--runtime-threads",
            "3",
            "--workers",
            "1..2",
        ]);
        let Some(Command::Sweep(args)) = cli.command else {
            panic!("not a sweep");
        };
        let experiment = &args.experiment;
        assert_eq!(experiment.python, PathBuf::from("python9"));
        assert_eq!(experiment.hostfile, Some(PathBuf::from("hosts")));
        assert_eq!(experiment.raw.get(Setting::RuntimeThreads), Some("3"));
        assert_eq!(experiment.raw.get(Setting::Workers), Some("1..2"));
        // Left out, the models are the catalogue's default.
        assert_eq!(
            experiment.raw.get(Setting::Models),
            Setting::Models.default_text()
        );
        // A preset would refuse what it sets, not the machine's settings.
        assert_eq!(
            experiment.given,
            [Setting::RuntimeThreads, Setting::Workers]
        );
    }

    #[test]
    fn run_takes_one_model_and_leaves_the_rest_to_validation() {
        let cli = parse_from(&["corescope", "run", "--model", "serial"]);
        let Some(Command::Run(args)) = cli.command else {
            panic!("not a run");
        };
        let raw = args.raw();
        assert_eq!(
            (raw.get(Setting::Models), raw.get(Setting::Workers)),
            (Some("serial"), None)
        );
        assert_eq!(raw.get(Setting::Repeats), None);
        assert_eq!(raw.validate(&[2]).unwrap().repeats, 3);
        // Left out: processes, or python-processes for a Python function.
        let model = |args: &[&str]| {
            let Some(Command::Run(args)) = parse_from(args).command else {
                panic!("not a run");
            };
            args.raw().get(Setting::Models).map(str::to_string)
        };
        assert_eq!(model(&["corescope", "run"]).as_deref(), Some("processes"));
        assert_eq!(
            model(&["corescope", "run", "--code", "a.py:f"]).as_deref(),
            Some("python-processes")
        );
        assert_eq!(
            model(&["corescope", "run", "--command", "true"]).as_deref(),
            Some("threads")
        );
    }
}
