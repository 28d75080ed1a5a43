//! What the command line shows: the results table on stdout, progress and
//! notes on stderr (a progress bar only when stderr is a terminal).
#![allow(clippy::print_stdout, clippy::print_stderr)]

use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::format;
use crate::presets::Preset;
use crate::results::{ResultSet, RunRecord};
use crate::spec::{Model, RunSpec};

/// Prints `error: message` on stderr.
pub fn error_line(message: &str) {
    eprintln!("error: {message}");
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

/// Prints what the measurement says, after the table.
pub fn print_findings(findings: &[String]) {
    if !findings.is_empty() {
        println!("\nOn this machine:");
        for line in findings {
            println!("  - {line}");
        }
    }
}

/// The progress bar of an experiment: tasks done over tasks in all runs.
#[derive(Debug)]
pub struct Progress {
    bar: ProgressBar,
    runs: usize,
    /// Tasks of the runs already finished.
    base: u64,
    current_total: u64,
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
        Progress {
            bar,
            runs: 0,
            base: 0,
            current_total: 0,
        }
    }

    pub fn start(&mut self, runs: usize, total_tasks: u64) {
        self.runs = runs;
        self.bar.set_length(total_tasks);
        self.bar
            .enable_steady_tick(std::time::Duration::from_millis(120));
    }

    pub fn run_started(&mut self, index: usize, spec: &RunSpec) {
        self.current_total = spec.total_tasks();
        self.bar
            .set_prefix(format!("run {}/{}", index + 1, self.runs));
        self.bar.set_message(spec.label());
    }

    pub fn tasks(&mut self, done: u64) {
        self.bar.set_position(self.base + done);
    }

    pub fn run_finished(&mut self, record: &RunRecord) {
        self.base += self.current_total;
        self.bar.set_position(self.base);
        self.bar.println(format!(
            "  {:<16} {:>9}  {}",
            record.label(),
            format::seconds(record.wall_seconds.median),
            record
                .speedup
                .map_or(String::new(), |s| format!("{s:.2}× serial")),
        ));
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }

    pub fn abandon(&self) {
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
        "{} × {} ({} {}{}), {} schedule, median of {} after {} warm-up",
        first.tasks,
        first.workload,
        first.size,
        first.workload.size_meaning(),
        if first.payload_bytes > 0 {
            format!(", {} payload", format::bytes(first.payload_bytes))
        } else {
            String::new()
        },
        first.schedule,
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
    let mismatch = match (ran(Model::PythonThreadsNogil), ran(Model::PythonSerial)) {
        (Some(nogil), Some(serial)) if nogil != serial => Some(format!(
            "note: python-threads-nogil's speedup is against python-serial on {serial}, another interpreter; --python {nogil} runs every python model on one"
        )),
        _ => None,
    };
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

/// The results table: one row per run (with a payload column for echo).
pub fn results_table(set: &ResultSet) -> Table {
    let show_payload = set.runs.iter().any(|r| r.payload_bytes > 0);
    let right = |text: String| Cell::new(text).set_alignment(CellAlignment::Right);
    let mut header = vec![
        "model",
        "workers",
        "wall (median)",
        "min … max",
        "speedup",
        "efficiency",
        "CPU time",
        "spawn",
        "IPC → workers",
        "IPC ← workers",
        "memory (RSS)",
    ];
    if show_payload {
        header.insert(0, "payload");
    }
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header);
    for r in &set.runs {
        let mut row = vec![
            Cell::new(r.model),
            right(r.workers.to_string()),
            right(format::seconds(r.wall_seconds.median)),
            right(format!(
                "{} … {}",
                format::seconds(r.wall_seconds.min),
                format::seconds(r.wall_seconds.max)
            )),
            right(r.speedup.map_or("—".to_string(), |s| format!("{s:.2}×"))),
            right(
                r.efficiency
                    .map_or("—".to_string(), |e| format!("{:.0} %", e * 100.0)),
            ),
            right(format::seconds(r.cpu_seconds.median)),
            right(if r.model.uses_workers() && r.spawn_seconds > 0.0 {
                format::seconds(r.spawn_seconds)
            } else {
                "—".to_string()
            }),
            right(format::bytes(r.ipc.bytes_to_workers)),
            right(format::bytes(r.ipc.bytes_from_workers)),
            right(format::bytes(r.memory.total_rss_bytes)),
        ];
        if show_payload {
            row.insert(0, right(format::bytes(r.payload_bytes)));
        }
        table.add_row(row);
    }
    table
}
