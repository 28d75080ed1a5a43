//! The command line: clap types (the raw layer) and the headless front end
//! that runs experiments with a progress bar and prints a table.
//!
//! Arguments stay text here; [`crate::spec::RawExperiment::validate`] turns
//! them into an experiment, so the CLI and the GUI accept exactly the same
//! values and report bad ones with the same words.

pub mod commands;
pub mod deck;
pub mod output;

use std::path::PathBuf;

use clap::parser::ValueSource;
use clap::{Args, CommandFactory as _, FromArgMatches as _, Parser, Subcommand};

use crate::export::data::{DataFormat, ExportManager};
use crate::spec::RawExperiment;

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

/// Knobs shared by `run` and `sweep`.
#[derive(Debug, Args)]
pub struct ExperimentArgs {
    // Help from the workload list, so it never misses a workload.
    #[arg(long, value_name = "NAME", default_value = "sqrt-sum",
          help = format!("What each task computes, and what --size means for it: {}", crate::workload::Workload::help_list()))]
    pub workload: String,
    /// Work per task, in the workload's unit (see --workload); accepts
    /// 1_000_000 or 1M. Default: a size that takes ~10-30 ms.
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub size: Option<String>,
    /// Number of tasks per repetition.
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub tasks: Option<String>,
    /// Echo payload per task (net: each reply's bytes), e.g. 512, 64KiB,
    /// 1MiB (at most 64MiB); a list
    /// (1KiB,1MiB) or a range stepping ×4 (1KiB..64MiB) sweeps payloads.
    #[arg(long, value_name = "BYTES", allow_hyphen_values = true)]
    pub payload: Option<String>,
    /// static: chunks assigned up front; queue: free workers take the next chunk.
    #[arg(long, value_name = "static|queue", default_value = "queue")]
    pub schedule: String,
    /// Tasks per chunk (default: one block per worker for static, 1 for queue).
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub chunk: Option<String>,
    /// Measured repetitions per run (the median is reported).
    #[arg(
        long,
        value_name = "N",
        default_value = "3",
        allow_hyphen_values = true
    )]
    pub repeats: String,
    /// Unmeasured warm-up repetitions before them.
    #[arg(
        long,
        value_name = "N",
        default_value = "1",
        allow_hyphen_values = true
    )]
    pub warmup: String,
    /// Tasks queued per worker process (1 = strict request/response).
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub in_flight: Option<String>,
    /// gil-threads: how long a thread may hold the lock while others wait
    /// (CPython's sys.getswitchinterval()), e.g. 5ms, 0.5ms, 200us.
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub switch_interval: Option<String>,
    /// mixed: percent of each task spent blocked (I/O), 0 to 100.
    #[arg(long, value_name = "PERCENT", allow_hyphen_values = true)]
    pub io_percent: Option<String>,
    /// How frames to and from worker processes are encoded: bincode
    /// (compact binary) or json (text: shows what serialization costs; for
    /// echo payloads up to a few MiB). Default: bincode.
    #[arg(long, value_name = "bincode|json", allow_hyphen_values = true)]
    pub codec: Option<String>,
    /// strong: the same tasks at every worker count (read against Amdahl's
    /// law); weak: --tasks per worker, so the work grows with the workers
    /// (read against Gustafson's law). Default: strong.
    #[arg(long, value_name = "strong|weak", allow_hyphen_values = true)]
    pub scaling: Option<String>,
    /// counter: how workers share the counter, one mode or several to
    /// compare: racy (no synchronisation), locked (a mutex), atomic (an
    /// atomic add; not in CPython), isolated (partial sums; the default).
    #[arg(long, value_name = "MODES", allow_hyphen_values = true)]
    pub sharing: Option<String>,
    /// python-processes, python-executor, python-queue: how CPython starts
    /// its worker processes, fork (default) or spawn.
    #[arg(long, value_name = "fork|spawn", allow_hyphen_values = true)]
    pub start_method: Option<String>,
    /// async, async+processes: threads of the tokio runtime; 1 (default)
    /// is a current-thread runtime, every task on one thread.
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub runtime_threads: Option<String>,
    /// processes, python-processes: how echo payloads reach the workers,
    /// pipe (copied through the pipe both ways) or shm (memory shared with
    /// the workers; only the task and its result cross the pipe; CPython
    /// uses multiprocessing.shared_memory). Default: pipe.
    #[arg(long, value_name = "pipe|shm", allow_hyphen_values = true)]
    pub transport: Option<String>,
    /// interleaved: the runs of one problem take turns, one repetition
    /// each, so a change in the machine's speed reaches every model alike;
    /// sequential: each run's repetitions back to back. Default:
    /// interleaved.
    #[arg(
        long,
        value_name = "interleaved|sequential",
        allow_hyphen_values = true
    )]
    pub order: Option<String>,
    /// The CPython interpreter the python-* models run: a name on PATH or a
    /// path.
    #[arg(long, value_name = "PATH", default_value = crate::python::DEFAULT_INTERPRETER)]
    pub python: PathBuf,
    /// Stop any run still going after TIME (e.g. 30s, 2m): its processes
    /// are killed and reaped, it is listed as timed out, the other runs go
    /// on, the exports are written, and corescope exits with status 1.
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub time_limit: Option<String>,
    /// mpi, python-mpi: an Open MPI hostfile for mpirun (a host per line,
    /// e.g. `node1 slots=4`); without one every rank runs on this machine.
    #[arg(long, value_name = "FILE")]
    pub hostfile: Option<PathBuf>,
    /// `--export-json FILE` and the other data formats' flags.
    #[command(flatten)]
    pub exports: ExportArgs,
}

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
                        .help(info.flag_help),
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
    /// The CPython interpreter the python-* models run: a name on PATH or a
    /// path.
    #[arg(long, value_name = "PATH", default_value = crate::python::DEFAULT_INTERPRETER)]
    pub python: PathBuf,
}

#[derive(Debug, Args)]
pub struct RerunArgs {
    /// A result set written by --export-json (or saved from the app).
    #[arg(value_name = "RESULTS.json")]
    pub results: PathBuf,
    /// The CPython interpreter the python-* models run: a name on PATH or a
    /// path.
    #[arg(long, value_name = "PATH", default_value = crate::python::DEFAULT_INTERPRETER)]
    pub python: PathBuf,
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
    #[arg(long, value_name = "NAME", default_value = "processes",
          help = format!("Execution model: {}", crate::model::help_list()))]
    pub model: String,
    /// Worker count, 1 to 1024 (default: the logical core count).
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub workers: Option<String>,
}

#[derive(Debug, Args)]
pub struct SweepArgs {
    #[command(flatten)]
    pub experiment: ExperimentArgs,
    // Help from the model catalogue, so it never misses a model.
    #[arg(long, value_name = "LIST", default_value = "serial,threads,processes",
          help = format!("Models to compare, comma-separated: {}", crate::model::help_list()))]
    pub models: String,
    /// Worker counts: a range such as 1..8 or a list such as 1,2,4,8
    /// (default: 1 to the logical core count).
    #[arg(long, value_name = "RANGE", allow_hyphen_values = true)]
    pub workers: Option<String>,
    /// Run a lesson preset (see `corescope presets`) instead of the
    /// experiment flags, which it refuses; --python, --time-limit and the
    /// export flags still apply.
    #[arg(long, value_name = "NAME")]
    pub preset: Option<String>,
    /// The experiment flags given on the command line (filled by [`parse`]),
    /// which a preset refuses rather than silently ignores.
    #[arg(skip)]
    pub experiment_flags_given: Vec<String>,
}

/// The arguments that describe an experiment (and that a preset sets).
const EXPERIMENT_IDS: [&str; 17] = [
    "workload",
    "size",
    "tasks",
    "payload",
    "schedule",
    "chunk",
    "repeats",
    "warmup",
    "in_flight",
    "switch_interval",
    "io_percent",
    "codec",
    "scaling",
    "start_method",
    "transport",
    "models",
    "workers",
];

/// Parses the process's command line (exiting on a usage error, like
/// clap), noting which experiment flags a `sweep` got explicitly.
pub fn parse() -> Cli {
    let matches = Cli::command().get_matches();
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    if let (Some(Command::Sweep(args)), Some(("sweep", sub))) =
        (&mut cli.command, matches.subcommand())
    {
        args.experiment_flags_given = EXPERIMENT_IDS
            .iter()
            .filter(|id| sub.value_source(id) == Some(ValueSource::CommandLine))
            .map(|id| format!("--{}", id.replace('_', "-")))
            .collect();
    }
    cli
}

impl ExperimentArgs {
    /// The raw experiment these arguments describe, models and workers aside.
    pub fn raw(&self, models: &str, workers: Option<&String>) -> RawExperiment {
        RawExperiment {
            workload: self.workload.clone(),
            size: self.size.clone(),
            tasks: self.tasks.clone(),
            payload: self.payload.clone(),
            models: models.to_string(),
            workers: workers.cloned(),
            schedule: self.schedule.clone(),
            chunk: self.chunk.clone(),
            repeats: self.repeats.clone(),
            warmup: self.warmup.clone(),
            in_flight: self.in_flight.clone(),
            switch_interval: self.switch_interval.clone(),
            io_percent: self.io_percent.clone(),
            codec: self.codec.clone(),
            scaling: self.scaling.clone(),
            start_method: self.start_method.clone(),
            runtime_threads: self.runtime_threads.clone(),
            transport: self.transport.clone(),
            time_limit: self.time_limit.clone(),
            order: self.order.clone(),
            sharing: self.sharing.clone(),
        }
    }
}
