//! The report: every chart of a result set as SVG and PNG, its CSV, and a
//! Markdown page (machine, results table, charts, fitted serial fractions)
//! in one folder, ready for slides and write-ups.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::{ExportError, csv, markdown, plot, write_atomic};
use crate::analysis;
use crate::chart::{self, ChartKind};
use crate::format;
use crate::results::ResultSet;
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

/// Writes the report for `set` into `folder` (created if missing) and
/// returns the files written, in order.
pub fn write(
    set: &ResultSet,
    folder: &Path,
    style: &plot::PlotStyle,
) -> Result<Vec<PathBuf>, ExportError> {
    std::fs::create_dir_all(folder).map_err(|source| ExportError::Io {
        path: folder.display().to_string(),
        source,
    })?;
    let mut written = Vec::new();
    for kind in ChartKind::ALL {
        let chart = chart::build(kind, set);
        for extension in ["svg", "png"] {
            let path = folder.join(format!("{}.{extension}", chart_file_stem(kind)));
            plot::write(&chart, style, &path)?;
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
    out
}
