//! What the command line shows: the results table on stdout, progress and
//! notes on stderr (a progress bar only when stderr is a terminal).
#![allow(clippy::print_stdout, clippy::print_stderr)]

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::format;
use crate::noise;
use crate::presets::Preset;
use crate::remedy::Setting;
use crate::results::ResultSet;
use crate::session::progress::{RunProgress, Step};
use crate::spec::Model;
use crate::table::Column;

mod layout;
use layout::{join_wrapped, text_width};
pub use layout::{print_width, results_table, wrap};

/// The command line's names for the settings an error's way out changes:
/// its flags.
pub fn flag_of(setting: Setting) -> &'static str {
    setting.flag()
}

/// `run`'s names for the settings: its one model is `--model`, every
/// other flag as [`flag_of`] names it.
pub fn run_flag_of(setting: Setting) -> &'static str {
    match setting {
        Setting::Models => "--model",
        other => flag_of(other),
    }
}

/// Longest error line printed, in characters: an argument of several KiB
/// quoted in a message is cut, not echoed whole.
const MAX_ERROR_CHARS: usize = 600;

/// Prints `error: message` on stderr, as [`printable`], in one write: worker
/// processes share the parent's stderr, and a line written in pieces (as
/// `eprintln!` does with its arguments) interleaves with theirs.
pub fn error_line(message: &str) {
    use std::io::Write as _;
    let line = format!("error: {}\n", printable(message, MAX_ERROR_CHARS));
    // Nothing more can be said when stderr itself is gone.
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
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

/// Prints a lesson's title, claim and what to look at, before it runs,
/// wrapped between words to the terminal.
pub fn print_preset(preset: &Preset) {
    let width = print_width();
    println!("{}", wrap(&preset.title, width).join("\n"));
    for (label, text) in [("claim", &preset.claim), ("look at", &preset.look_at)] {
        println!(
            "{}",
            indented(&format!("{label}: {text}"), width).join("\n")
        );
    }
    println!();
}

/// `text` wrapped between words to `width`, each line indented by two
/// spaces.
fn indented(text: &str, width: usize) -> Vec<String> {
    wrap(text, width.saturating_sub(2))
        .into_iter()
        .map(|line| format!("  {line}"))
        .collect()
}

/// Prints every preset, one paragraph each: its name, then its title and
/// claim beside it, wrapped between words to the terminal.
pub fn print_preset_list(presets: &[Preset]) {
    let width = print_width();
    let column = presets
        .iter()
        .map(|p| text_width(&p.name))
        .max()
        .unwrap_or(0)
        + 2;
    for preset in presets {
        let text = width.saturating_sub(column).max(20);
        let lines = wrap(&preset.title, text)
            .into_iter()
            .chain(wrap(&preset.claim, text));
        for (i, line) in lines.enumerate() {
            let name = if i == 0 { preset.name.as_str() } else { "" };
            println!("{name:<column$}{line}");
        }
        println!();
    }
    println!("run one with: corescope sweep --preset NAME");
}

/// Prints the noise guard's flags after the table, summed up in a few
/// lines ([`flags_summary`]).
pub fn print_flags(set: &ResultSet, json: Option<&std::path::Path>) {
    let lines = flags_summary(set, json, print_width());
    if !lines.is_empty() {
        println!("\n{}", lines.join("\n"));
    }
}

/// The noise guard's flags summed up in a few lines of at most `width`
/// characters: how many runs are flagged and why (each kind with its mark
/// in the table's ⚠ column and how many runs have it), what to do about
/// them, the command that shows every flag with its remedy, and the one
/// that measures the flagged runs again (for the JSON file being
/// written, if any). None when nothing is flagged.
pub fn flags_summary(set: &ResultSet, json: Option<&std::path::Path>, width: usize) -> Vec<String> {
    let kinds = crate::table::flag_kinds(set);
    if kinds.is_empty() {
        return Vec::new();
    }
    let flagged = noise::flagged_runs(set).len();
    let mut why: Vec<String> = kinds
        .iter()
        .map(|(mark, name, runs)| match runs {
            0 => format!("{mark} {name} (the whole set)"),
            n => format!("{mark} {name} ({n})"),
        })
        .collect();
    let head = if flagged > 0 {
        format!("⚠ Flagged: {flagged} of {} runs:", set.runs.len())
    } else {
        "⚠ Flagged:".to_string()
    };
    why[0] = format!("{head} {}", why[0]);
    let mut lines = join_wrapped(&why, ", ", width.saturating_sub(2));
    for line in lines.iter_mut().skip(1) {
        line.insert_str(0, "  ");
    }
    // What to do, each remedy once; measuring flagged runs again has its
    // own line.
    let mut remedies: Vec<&str> = Vec::new();
    for w in set
        .warnings
        .iter()
        .chain(set.runs.iter().flat_map(|r| &r.warnings))
    {
        let remedy = w.remedy.as_str();
        if w.code != noise::code::BASELINE_FLAGGED
            && w.code != noise::code::FLAGGED_RUNS
            && !remedies.contains(&remedy)
        {
            remedies.push(remedy);
        }
    }
    if !remedies.is_empty() {
        lines.extend(indented(
            &format!("what to do: {}", remedies.join("; ")),
            width,
        ));
    }
    // Commands stay whole on their line, to be copied.
    let count = noise::flag_count(set);
    match json {
        Some(path) => {
            let report = path.with_extension("").display().to_string() + "-report";
            lines.push(format!(
                "  all {count} flags: corescope report {} --out {report}",
                path.display()
            ));
            if flagged > 0 {
                lines.push(format!(
                    "  measure them again: corescope rerun {} --export-json {}",
                    path.display(),
                    path.display()
                ));
            }
        }
        None => lines.extend(indented(
            &format!(
                "all {count} flags: --export-markdown FILE; to measure the flagged runs again: --export-json FILE, then corescope rerun FILE --export-json FILE"
            ),
            width,
        )),
    }
    lines
}

/// Prints what the measurement says, after the table and its flags, each
/// finding wrapped between words ([`findings`]).
pub fn print_findings(set: &ResultSet) {
    let findings = findings(set);
    if !findings.is_empty() {
        let width = print_width();
        println!("\nOn this machine:");
        for line in findings {
            let mut lines = indented(&line, width.saturating_sub(2)).into_iter();
            if let Some(first) = lines.next() {
                println!("  - {}", first.trim_start());
            }
            for rest in lines {
                println!("  {rest}");
            }
        }
    }
}

/// What the measurement says ([`crate::presets::findings`]), read from
/// its runs the noise guard did not flag only: no figure or claim comes
/// from a flagged run (nor from one measured against a flagged baseline,
/// which is flagged too). A last line says how many were left out.
pub fn findings(set: &ResultSet) -> Vec<String> {
    let flagged = noise::flagged_runs(set).len();
    if flagged == 0 || noise::busy(set) {
        return crate::presets::findings(set);
    }
    if flagged == set.runs.len() {
        return vec![
            "No findings: every run is flagged (see above); measure them again for figures to trust."
                .to_string(),
        ];
    }
    let mut clean = set.clone();
    clean.runs.retain(|r| r.warnings.is_empty());
    let mut findings = crate::presets::findings(&clean);
    findings.push(format!(
        "{flagged} flagged run{} left out of these findings; measure them again for the rest.",
        if flagged == 1 { " is" } else { "s are" }
    ));
    findings
}

/// The line a finished run leaves above the progress bar: its label, its
/// median wall time, its speedup, and its flags as the table marks them
/// (under 60 characters with the longest model name).
fn finished_line(record: &crate::results::RunRecord) -> String {
    let marks = Column::FlagMarks.cell(record).text;
    format!(
        "  {:<16} {:>9}  {}{}",
        record.label(),
        format::seconds(record.wall_seconds.median),
        record.speedup.map_or(String::new(), |s| format!("{s:.2}×")),
        if marks.is_empty() {
            String::new()
        } else {
            format!("  ⚠ {marks}")
        },
    )
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
        Progress::drawn_to(ProgressDrawTarget::stderr())
    }

    /// A bar drawn to `target`. Its line fits the terminal's width: what
    /// runs now (the only part that varies much) gets the room the bar,
    /// the share done and the time left do not take, and is cut there.
    fn drawn_to(target: ProgressDrawTarget) -> Progress {
        let bar = ProgressBar::with_draw_target(Some(0), target);
        let style = ProgressStyle::with_template(
            "{spinner} {prefix} {wide_msg} [{bar:16}] {percent:>3}% ~{eta}",
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
                        Some(r) => {
                            format!("{} {}/{}", spec.label(), r + 1, spec.warmup + spec.repeats)
                        }
                        None => format!("{} starting", spec.label()),
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
                self.bar.println(finished_line(record));
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
    let width = print_width();
    let mut workloads: Vec<&str> = Vec::new();
    for r in &set.runs {
        if !workloads.contains(&r.workload.name()) {
            workloads.push(r.workload.name());
        }
    }
    let what = if workloads.len() > 1 {
        format!("{} tasks of each of {}", first.tasks, workloads.join(", "))
    } else if let Some(command) = &first.command {
        format!("{} tasks, each `{command}`", first.tasks)
    } else if let Some(code) = &first.code {
        code.call(first.tasks)
    } else {
        format!(
            "{} × {} ({} {}{})",
            first.tasks,
            first.workload,
            first.size,
            first.workload.size_meaning(),
            if first.payload_bytes > 0 {
                format!(", {} payload", format::bytes(first.payload_bytes))
            } else {
                String::new()
            },
        )
    };
    let schedule = if set.varies_in_schedule() {
        "static and queue schedules".to_string()
    } else {
        format!("{} schedule", first.schedule)
    };
    let headline = format!(
        "{what}, {schedule}, median of {} after {} warm-up",
        first.repeats, first.warmup
    );
    let machine = format!(
        "machine: {} — {} logical cores{}, {} memory, {}",
        m.cpu_model,
        m.logical_cores,
        m.physical_cores
            .map_or(String::new(), |p| format!(" ({p} physical)")),
        format::bytes(m.memory_bytes),
        m.os,
    );
    for line in [headline, machine].into_iter().chain(interpreters(set)) {
        println!("{}", wrap(&line, width).join("\n"));
    }
    println!("{}", results_table(set, width));
    // Runs of the same workload (payloads differ in a payload sweep) must
    // all have computed the same thing.
    let disagree = set.runs.iter().any(|r| {
        set.runs
            .iter()
            .any(|o| r.same_workload(o) && r.checksum != o.checksum)
    });
    if disagree {
        let warning =
            "warning: checksums differ between models of the same workload; see the JSON export";
        println!("{}", wrap(warning, width).join("\n"));
    } else if set.runs.iter().all(|r| r.same_workload(first)) {
        println!("checksum {} (identical in every run)", first.checksum);
    } else {
        println!("checksums identical across models for each workload size");
    }
    if set.runs.iter().all(|r| r.speedup.is_none()) {
        let why = "speedup needs a serial baseline: add serial (python-serial for the python models) to --models (sweep), or run --model serial";
        println!("{}", wrap(why, width).join("\n"));
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

/// Prints a lesson's verdict, last, after its findings: its outcome as
/// the JSON spells it, then its sentence, wrapped between words.
pub fn print_verdict(outcome: &str, sentence: &str) {
    println!(
        "\n{}",
        verdict_lines(outcome, sentence, print_width()).join("\n")
    );
}

/// The verdict's lines, at most `width` characters each.
pub fn verdict_lines(outcome: &str, sentence: &str, width: usize) -> Vec<String> {
    wrap(&format!("Verdict ({outcome}): {sentence}"), width)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::noise::code;
    use crate::results::testing::record;
    use crate::results::{MachineInfo, Warning};
    use std::sync::{Arc, Mutex};

    /// 40 runs, each flagged by a busy machine, most for their baseline
    /// and a few for a wide spread: 80-odd flags.
    fn flagged_set() -> ResultSet {
        let mut set = ResultSet::new(MachineInfo::default());
        for i in 0..40 {
            let mut run = record(Model::Processes, 1 + i % 8, 1.0);
            let mut codes = vec![code::BUSY_MACHINE, code::BASELINE_FLAGGED];
            if i % 10 == 0 {
                codes.push(code::WIDE_SPREAD);
            }
            for code in codes {
                run.warnings.push(Warning {
                    code: code.to_string(),
                    message: format!("{code}: a sentence about run {i}"),
                    remedy: match code {
                        code::WIDE_SPREAD => "more repeats, or re-run on a quieter machine",
                        code::BASELINE_FLAGGED => "re-run flagged runs",
                        _ => "close other programs, then re-run",
                    }
                    .to_string(),
                });
            }
            set.runs.push(run);
        }
        set
    }

    #[test]
    fn flags_are_summed_up_in_a_few_lines_with_the_commands_for_all() {
        let set = flagged_set();
        let json = std::path::Path::new("r.json");
        let lines = flags_summary(&set, Some(json), 80);
        // How many and why in at most four lines, then the two commands.
        assert!(lines.len() <= 6, "{lines:#?}");
        assert_eq!(
            lines[0],
            "⚠ Flagged: 40 of 40 runs: B busy machine (40), F baseline flagged (40)"
        );
        assert_eq!(lines[1], "  S wide spread (4)");
        assert!(lines[2].starts_with("  what to do: close other programs, then re-run; more"));
        assert!(lines.iter().all(|l| text_width(l) <= 80), "{lines:#?}");
        assert!(
            lines.contains(&"  all 84 flags: corescope report r.json --out r-report".to_string())
        );
        assert!(lines.contains(
            &"  measure them again: corescope rerun r.json --export-json r.json".to_string()
        ));
        // Not a line per flag: no run's own sentence.
        assert!(!lines.iter().any(|l| l.contains("a sentence about")));
        assert!(flags_summary(&ResultSet::new(MachineInfo::default()), None, 80).is_empty());
    }

    #[test]
    fn the_verdict_wraps_between_words() {
        let sentence = "processes: no verdict — 1 of its 2 runs are flagged (over 100 %); re-run flagged runs for one.";
        for width in [80, 60] {
            let lines = verdict_lines("withheld", sentence, width);
            assert!(lines.len() > 1);
            assert!(lines.iter().all(|l| text_width(l) <= width));
            assert_eq!(lines.join(" "), format!("Verdict (withheld): {sentence}"));
        }
    }

    /// A terminal of a given width that keeps what is drawn on it.
    #[derive(Debug, Clone)]
    struct Screen {
        width: u16,
        lines: Arc<Mutex<Vec<String>>>,
    }

    impl indicatif::TermLike for Screen {
        fn width(&self) -> u16 {
            self.width
        }
        fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> std::io::Result<()> {
            self.write_str(s)
        }
        fn write_str(&self, s: &str) -> std::io::Result<()> {
            if let Ok(mut lines) = self.lines.lock() {
                lines.extend(s.lines().map(String::from));
            }
            Ok(())
        }
        fn clear_line(&self) -> std::io::Result<()> {
            Ok(())
        }
        fn flush(&self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_progress_bar_and_a_finished_run_s_line_fit_80_columns() {
        for width in [80, 60] {
            let screen = Screen {
                width,
                lines: Arc::default(),
            };
            let progress =
                Progress::drawn_to(ProgressDrawTarget::term_like(Box::new(screen.clone())));
            progress.bar.set_length(1_000_000);
            progress.bar.set_prefix("run 120/240");
            progress
                .bar
                .set_message("python-asyncio+processes ×16 12/13");
            progress.bar.set_position(456_789);
            let mut run = record(Model::PythonAsyncioProcesses, 16, 123.4);
            run.speedup = Some(12.34);
            for code in [
                code::BUSY_MACHINE,
                code::WIDE_SPREAD,
                code::EFFICIENCY_OVER_100,
            ] {
                run.warnings.push(Warning {
                    code: code.to_string(),
                    message: String::new(),
                    remedy: String::new(),
                });
            }
            progress.bar.println(finished_line(&run));
            progress.bar.tick();
            let lines = screen.lines.lock().unwrap().clone();
            assert!(lines.iter().any(|l| l.contains('[')), "{lines:#?}");
            assert!(lines.iter().any(|l| l.contains("⚠ BSE")), "{lines:#?}");
            for line in &lines {
                let shown = console_width(line);
                assert!(shown <= usize::from(width), "{line:?}: {shown}");
            }
        }
    }

    /// How wide a line drawn by the bar is, its colour codes left out.
    fn console_width(line: &str) -> usize {
        let mut width = 0;
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            if c == '\u{1b}' {
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            } else {
                width += 1;
            }
        }
        width
    }

    #[test]
    fn findings_come_from_runs_nothing_flagged() {
        let mut set = ResultSet::new(MachineInfo::default());
        set.runs = vec![
            record(Model::Serial, 1, 1.0),
            record(Model::Processes, 2, 0.5),
            record(Model::Threads, 2, 0.25),
        ];
        crate::analysis::fill_speedups(&mut set);
        let all = findings(&set);
        assert!(all.iter().any(|f| f.contains("4.00×")), "{all:#?}");
        set.runs[2].warnings.push(Warning {
            code: code::EFFICIENCY_OVER_100.to_string(),
            message: String::new(),
            remedy: String::new(),
        });
        let trusted = findings(&set);
        assert!(
            !trusted.iter().any(|f| f.contains("threads")),
            "{trusted:#?}"
        );
        assert!(trusted.iter().any(|f| f.contains("2.00×")), "{trusted:#?}");
        assert_eq!(
            trusted.last().unwrap(),
            "1 flagged run is left out of these findings; measure them again for the rest."
        );
        let flags = set.runs[2].warnings.clone();
        for run in &mut set.runs {
            run.warnings = flags.clone();
        }
        assert!(findings(&set)[0].starts_with("No findings: every run is flagged"));
    }
}
