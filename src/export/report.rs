//! The report: every chart of a result set as SVG and PNG, its CSV, and a
//! Markdown page (machine, results table, charts, fitted serial fractions)
//! in one folder, ready for slides and write-ups. Each run also gets a
//! folder under `runs/` with its timeline, per-core CPU and memory charts
//! and, when asked, its Chrome trace (`trace.json`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::activity::ActivityChart;
use super::{ExportError, activity, csv, markdown, plot, trace, write_atomic};
use crate::analysis;
use crate::chart::{self, ChartKind};
use crate::format;
use crate::results::{ResultSet, RunRecord};
use crate::spec::Model;

/// The file stem of each chart kind in a report folder.
pub fn chart_file_stem(kind: ChartKind) -> &'static str {
    match kind {
        ChartKind::WallTime => "wall-time",
        ChartKind::Speedup => "speedup",
        ChartKind::Efficiency => "efficiency",
        ChartKind::IpcBytes => "ipc-bytes",
    }
}

/// The folder of run `index` (from 0) in a report: `runs/01-serial-sqrt-sum`.
pub fn run_folder(index: usize, run: &RunRecord) -> PathBuf {
    Path::new("runs").join(run_stem(index, run))
}

/// A run's name in file names: `03-processes-x4-sqrt-sum` for the third
/// run of a set.
pub fn run_stem(index: usize, run: &RunRecord) -> String {
    let mut stem = format!("{:02}-{}", index + 1, run.model);
    if run.model.uses_workers() {
        stem.push_str(&format!("-x{}", run.workers));
    }
    stem.push_str(&format!("-{}", run.workload));
    if run.payload_bytes > 0 {
        stem.push_str(&format!("-{}", format::bytes(run.payload_bytes)));
    }
    if run.model.uses_workers() {
        stem.push_str(&format!("-{}", run.schedule));
    }
    stem.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

fn create_folder(folder: &Path) -> Result<(), ExportError> {
    std::fs::create_dir_all(folder).map_err(|source| ExportError::Io {
        path: folder.display().to_string(),
        source,
    })
}

/// What a report holds besides the scaling charts, CSV and Markdown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReportOptions {
    /// Write each run's timeline as a Chrome trace too.
    pub traces: bool,
}

/// Writes the report for `set` into `folder` (created if missing) and
/// returns the files written, in order.
pub fn write(
    set: &ResultSet,
    folder: &Path,
    style: &plot::PlotStyle,
) -> Result<Vec<PathBuf>, ExportError> {
    write_with(set, folder, style, ReportOptions::default())
}

/// [`write`], with the run folders' traces when `options` asks.
pub fn write_with(
    set: &ResultSet,
    folder: &Path,
    style: &plot::PlotStyle,
    options: ReportOptions,
) -> Result<Vec<PathBuf>, ExportError> {
    create_folder(folder)?;
    let mut written = Vec::new();
    for kind in ChartKind::ALL {
        let chart = chart::build(kind, set);
        for extension in ["svg", "png"] {
            let path = folder.join(format!("{}.{extension}", chart_file_stem(kind)));
            plot::write(&chart, style, &path)?;
            written.push(path);
        }
    }
    for (index, run) in set.runs.iter().enumerate() {
        let run_folder = folder.join(run_folder(index, run));
        create_folder(&run_folder)?;
        for kind in ActivityChart::ALL {
            for extension in ["svg", "png"] {
                let path = run_folder.join(format!("{}.{extension}", kind.file_stem()));
                activity::write(kind, run, style, &path)?;
                written.push(path);
            }
        }
        if options.traces {
            let path = run_folder.join(trace::FILE_NAME);
            trace::write(run, &path)?;
            written.push(path);
        }
    }
    let csv_path = folder.join("results.csv");
    csv::write(set, &csv_path)?;
    written.push(csv_path);
    let report_path = folder.join("report.md");
    let text = markdown_report(set);
    write_atomic(&report_path, |w| {
        w.write_all(text.as_bytes())
            .map_err(|source| ExportError::Io {
                path: report_path.display().to_string(),
                source,
            })
    })?;
    written.push(report_path);
    Ok(written)
}

/// The Markdown page of a report.
pub fn markdown_report(set: &ResultSet) -> String {
    let mut out = String::new();
    let m = &set.machine;
    let _ = writeln!(out, "# corescope report\n");
    if let Some(preset) = &set.preset {
        let _ = writeln!(out, "Lesson preset: `{preset}`.\n");
    }
    let _ = writeln!(
        out,
        "Measured {} with corescope {} on **{}** ({} logical cores{}, {} memory, {} {}).\n",
        set.created,
        set.corescope_version,
        m.cpu_model,
        m.logical_cores,
        m.physical_cores
            .map_or(String::new(), |p| format!(", {p} physical")),
        format::bytes(m.memory_bytes),
        m.os,
        m.arch
    );
    let _ = writeln!(out, "## Results\n\n{}", markdown::table(set));
    let _ = writeln!(out, "## Charts\n");
    for kind in ChartKind::ALL {
        let chart = chart::build(kind, set);
        let _ = writeln!(out, "![{}]({}.svg)\n", chart.title, chart_file_stem(kind));
    }
    let _ = writeln!(out, "## Scaling laws\n");
    let _ = writeln!(
        out,
        "Amdahl's law fitted to each model's speedups, S(p) = 1 / (f + (1 − f)/p): f is the \
         fraction of the work that stayed serial. Karp–Flatt gives the same fraction from each \
         run alone; a value that grows with p points to overhead that grows with the workers.\n"
    );
    let _ = writeln!(
        out,
        "| Model | Serial fraction f | Limit 1/f | Fit RMS error | Karp–Flatt by workers |"
    );
    let _ = writeln!(out, "|:---|---:|---:|---:|:---|");
    let mut models: Vec<Model> = set
        .runs
        .iter()
        .map(|r| r.model)
        .filter(|m| m.uses_workers())
        .collect();
    models.sort();
    models.dedup();
    for model in models {
        let karp_flatt: Vec<String> = set
            .runs
            .iter()
            .filter(|r| r.model == model)
            .filter_map(|r| {
                r.speedup
                    .and_then(|s| analysis::karp_flatt(s, r.workers))
                    .map(|e| format!("{}: {e:.3}", r.workers))
            })
            .collect();
        match analysis::fit_for_model(set, model) {
            Some(fit) => {
                let limit = if fit.serial_fraction > 0.0 {
                    format!("{:.1}×", 1.0 / fit.serial_fraction)
                } else {
                    "∞".to_string()
                };
                let _ = writeln!(
                    out,
                    "| `{model}` | {:.3} | {limit} | {:.3} | {} |",
                    fit.serial_fraction,
                    fit.rms_error,
                    karp_flatt.join(", ")
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "| `{model}` | — (too few runs) | — | — | {} |",
                    karp_flatt.join(", ")
                );
            }
        }
    }
    let _ = writeln!(out, "## Runs\n");
    let _ = writeln!(
        out,
        "Each run's median repetition as a timeline (one lane per worker, one bar per task), \
         and the cores and memory while it ran; `trace.json`, where written, opens in \
         Perfetto UI or chrome://tracing.\n"
    );
    for (index, run) in set.runs.iter().enumerate() {
        let dir = run_folder(index, run);
        let dir = dir.to_string_lossy().replace('\\', "/");
        let _ = writeln!(out, "### {}\n", crate::activity::run_title(run));
        for kind in ActivityChart::ALL {
            let _ = writeln!(
                out,
                "![{}]({dir}/{}.svg)",
                kind.file_stem(),
                kind.file_stem()
            );
        }
        let _ = writeln!(out);
    }
    out
}
