//! What the command line shows: the results table on stdout, progress and
//! notes on stderr (a progress bar only when stderr is a terminal).
#![allow(clippy::print_stdout, clippy::print_stderr)]

use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::format;
use crate::noise;
use crate::presets::Preset;
use crate::remedy::Setting;
use crate::results::ResultSet;
use crate::session::progress::{RunProgress, Step};
use crate::spec::Model;
use crate::table::{Align, ResultsTable};

/// The command line's names for the settings an error's way out changes:
/// its flags.
pub fn flag_of(setting: Setting) -> &'static str {
    setting.flag()
}

/// Longest error line printed, in characters: an argument of several KiB
/// quoted in a message is cut, not echoed whole.
const MAX_ERROR_CHARS: usize = 600;

/// Prints `error: message` on stderr, as [`printable`].
pub fn error_line(message: &str) {
    eprintln!("error: {}", printable(message, MAX_ERROR_CHARS));
}

/// `text` safe for a terminal: control characters (an escape sequence in a
/// file name or an argument) shown escaped rather than sent to the
/// terminal, and anything past `max` characters cut, saying how much.
pub fn printable(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    for c in chars.by_ref().take(max) {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    let rest = chars.count();
    if rest > 0 {
        out.push_str(&format!("… ({rest} more characters)"));
    }
    out
}

/// Prints a note on stderr.
pub fn note(message: &str) {
    eprintln!("{message}");
}

/// Prints a lesson's title, claim and what to look at, before it runs.
pub fn print_preset(preset: &Preset) {
    println!(
        "{}\n  claim: {}\n  look at: {}\n",
        preset.title, preset.claim, preset.look_at
    );
}

/// Prints every preset, one paragraph each.
pub fn print_preset_list(presets: &[Preset]) {
    for preset in presets {
        println!(
            "{:<16} {}\n{:<16} {}\n",
            preset.name, preset.title, "", preset.claim
        );
    }
    println!("run one with: corescope sweep --preset NAME");
}

/// Prints the noise guard's flags after the table, with what to do about
/// them: the re-run command for the JSON file being written, if any.
pub fn print_flags(set: &ResultSet, json: Option<&std::path::Path>) {
    let lines = noise::describe(set);
    if lines.is_empty() {
        return;
    }
    println!("\nFlagged (these figures may not be what the machine can do):");
    for line in lines {
        println!("  ⚠ {line}");
    }
    if !noise::flagged_runs(set).is_empty() {
        match json {
            Some(path) => println!(
                "  measure the flagged runs again with: corescope rerun {} --export-json {}",
                path.display(),
                path.display()
            ),
            None => println!(
                "  to measure the flagged runs again, save the set with --export-json FILE, then: corescope rerun FILE --export-json FILE"
            ),
        }
    }
}

/// Prints what the measurement says, after the table.
pub fn print_findings(findings: &[String]) {
    if !findings.is_empty() {
        println!("\nOn this machine:");
        for line in findings {
            println!("  - {line}");
        }
    }
}

/// The progress bar of an experiment: tasks done over tasks in all runs,
/// drawn from the [`RunProgress`] reducer the window shares.
#[derive(Debug)]
pub struct Progress {
    bar: ProgressBar,
    /// Redraws the spinner between events; none where no thread could be
    /// started (the bar then moves with events only).
    ticker: Option<Ticker>,
}

/// A named thread ticking the bar, stopped and joined on drop. It replaces
/// indicatif's steady tick, which panics when a thread cannot be started.
#[derive(Debug)]
struct Ticker {
    stop: Option<std::sync::mpsc::Sender<()>>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl Ticker {
    fn start(bar: ProgressBar) -> std::io::Result<Ticker> {
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let interval = std::time::Duration::from_millis(120);
        let handle = std::thread::Builder::new()
            .name("corescope-progress".to_string())
            .spawn(move || {
                while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                    stopped.recv_timeout(interval)
                {
                    bar.tick();
                }
            })?;
        Ok(Ticker {
            stop: Some(stop),
            handle: Some(handle),
        })
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        // Dropping the sender wakes the thread at once.
        self.stop = None;
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}

impl Progress {
    pub fn new() -> Progress {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "{spinner} {prefix} {msg:24} [{bar:30}] {percent:>3}%  {elapsed} elapsed, ~{eta} left",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        Progress { bar, ticker: None }
    }

    /// Shows what `step` changed in `state`; a finished run gets a line.
    pub fn show(&mut self, state: &RunProgress, step: &Step) {
        match step {
            Step::Started => {
                self.bar.set_length(state.total_tasks);
                self.ticker = Ticker::start(self.bar.clone()).ok();
            }
            Step::RunStarted(_) | Step::Turn(_) => {
                if let Some((index, spec)) = state.current_run() {
                    self.bar
                        .set_prefix(format!("run {}/{}", index + 1, state.runs.len()));
                    let message = match state.repetition {
                        Some(r) => format!(
                            "{} · repetition {}/{}",
                            spec.label(),
                            r + 1,
                            spec.warmup + spec.repeats
                        ),
                        None => format!("{} · starting", spec.label()),
                    };
                    self.bar.set_message(message);
                }
            }
            Step::Progress => self.bar.set_position(state.tasks_finished()),
            // Kept in the record; a terminal has no room to draw them live.
            Step::Sample | Step::Ended(_) => {}
            Step::Note => {
                // On stderr even where the bar is hidden (no terminal).
                if let Some(note) = &state.note {
                    self.bar.suspend(|| self::note(&format!("  {note}")));
                }
            }
            Step::RunFinished { record, .. } => {
                self.bar.set_position(state.tasks_finished());
                self.bar.println(format!(
                    "  {:<16} {:>9}  {}{}",
                    record.label(),
                    format::seconds(record.wall_seconds.median),
                    record
                        .speedup
                        .map_or(String::new(), |s| format!("{s:.2}× serial")),
                    if record.warnings.is_empty() {
                        String::new()
                    } else {
                        let names: Vec<&str> = record
                            .warnings
                            .iter()
                            .map(|w| noise::short_name(&w.code))
                            .collect();
                        format!("  ⚠ {}", names.join(", "))
                    },
                ));
            }
        }
    }

    pub fn finish(&mut self) {
        self.ticker = None;
        self.bar.finish_and_clear();
    }

    pub fn abandon(&mut self) {
        self.ticker = None;
        self.bar.abandon();
    }
}

impl Default for Progress {
    fn default() -> Self {
        Progress::new()
    }
}

/// Prints what was run, on what, and the results table, on stdout.
pub fn print_results(set: &ResultSet) {
    let Some(first) = set.runs.first() else {
        println!("no runs");
        return;
    };
    let m = &set.machine;
    println!(
        "{} × {} ({} {}{}), {}, median of {} after {} warm-up",
        first.tasks,
        first.workload,
        first.size,
        first.workload.size_meaning(),
        if first.payload_bytes > 0 {
            format!(", {} payload", format::bytes(first.payload_bytes))
        } else {
            String::new()
        },
        if set.varies_in_schedule() {
            "static and queue schedules".to_string()
        } else {
            format!("{} schedule", first.schedule)
        },
        first.repeats,
        first.warmup,
    );
    println!(
        "machine: {} — {} logical cores{}, {} memory, {}",
        m.cpu_model,
        m.logical_cores,
        m.physical_cores
            .map_or(String::new(), |p| format!(" ({p} physical)")),
        format::bytes(m.memory_bytes),
        m.os,
    );
    for line in interpreters(set) {
        println!("{line}");
    }
    println!("{}", results_table(set));
    println!(
        "(ranges, 95 % intervals, CPU time, IPC bytes and memory: --export-csv or --export-markdown)"
    );
    // Runs of the same workload (payloads differ in a payload sweep) must
    // all have computed the same thing.
    let disagree = set.runs.iter().any(|r| {
        set.runs
            .iter()
            .any(|o| r.same_workload(o) && r.checksum != o.checksum)
    });
    if disagree {
        println!(
            "warning: checksums differ between models of the same workload; see the JSON export"
        );
    } else if set.runs.iter().all(|r| r.same_workload(first)) {
        println!("checksum {} (identical in every run)", first.checksum);
    } else {
        println!("checksums identical across models for each workload size");
    }
    if set.runs.iter().all(|r| r.speedup.is_none()) {
        println!(
            "speedup needs a serial baseline: add serial (python-serial for the python models) to --models (sweep), or run --model serial"
        );
    }
}

/// Which CPython ran the python models, one line per interpreter (the
/// free-threaded one of python-threads-nogil is found apart from --python).
fn interpreters(set: &ResultSet) -> Vec<String> {
    let mut used: Vec<(String, String, bool, Vec<String>)> = Vec::new();
    for r in &set.runs {
        let (Some(interpreter), Some(version)) = (&r.python_interpreter, &r.python_version) else {
            continue;
        };
        let gil = r.gil_enabled.unwrap_or(true);
        let model = r.model.to_string();
        match used
            .iter_mut()
            .find(|(i, v, g, _)| (i, v, *g) == (interpreter, version, gil))
        {
            Some((_, _, _, models)) if models.contains(&model) => {}
            Some((_, _, _, models)) => models.push(model),
            None => used.push((interpreter.clone(), version.clone(), gil, vec![model])),
        }
    }
    let ran = |model: Model| {
        set.runs
            .iter()
            .find(|r| r.model == model)
            .and_then(|r| r.python_interpreter.clone())
    };
    // A model that finds its own free-threaded interpreter may run on
    // another one than its baseline.
    let own_interpreter = Model::ALL.into_iter().filter(|m| {
        m.info()
            .requires
            .contains(&crate::model::Requirement::FreeThreadedPython)
    });
    let mismatch = own_interpreter.filter_map(|model| match (ran(model), ran(model.baseline())) {
        (Some(own), Some(baseline)) if own != baseline => Some(format!(
            "note: {model}'s speedup is against {} on {baseline}, another interpreter; --python {own} runs every python model on one",
            model.baseline()
        )),
        _ => None,
    });
    used.into_iter()
        .map(|(interpreter, version, gil, models)| {
            format!(
                "python: {interpreter} (CPython {version}, GIL {}) ran {}",
                if gil { "on" } else { "off" },
                models.join(", ")
            )
        })
        .chain(mismatch)
        .collect()
}

/// The widest a table printed to a pipe or file gets (a terminal's own
/// width rules on a terminal).
const PRINT_WIDTH: u16 = 80;

/// The results table ([`crate::table`]'s terminal columns, with a payload
/// column for echo): it fits an 80-column terminal, and wraps to a
/// narrower one.
pub fn results_table(set: &ResultSet) -> Table {
    let model = ResultsTable::for_terminal(set);
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(model.headers());
    if !table.is_tty() || table.width().is_none_or(|w| w > PRINT_WIDTH) {
        table.set_width(PRINT_WIDTH);
    }
    for row in &model.rows {
        table.add_row(model.columns.iter().zip(&row.cells).map(|(column, cell)| {
            let alignment = match column.align() {
                Align::Left => CellAlignment::Left,
                Align::Right => CellAlignment::Right,
            };
            Cell::new(&cell.text).set_alignment(alignment)
        }));
    }
    table
}

/// Prints a lesson's verdict, after its findings: its outcome as the JSON
/// spells it, then its sentence.
pub fn print_verdict(outcome: &str, sentence: &str) {
    println!("\nVerdict ({outcome}): {sentence}");
}
