//! The report: every chart of a result set as SVG and PNG, its CSV, and a
//! Markdown page (machine, results table, charts, fitted serial fractions)
//! in one folder, ready for slides and write-ups. Each run also gets a
//! folder under `runs/` with its timeline, per-core CPU and memory charts
//! and, when asked, its Chrome trace (`trace.json`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::activity::ActivityChart;
use super::data::{self, DataFormat};
use super::{ExportError, activity, markdown, plot, trace};
use crate::analysis;
use crate::chart::{self, ChartKind, ChartOptions};
use crate::format;
use crate::results::{ResultSet, RunRecord};
use crate::spec::{Model, Scaling};

/// One result set of a report, with the label that names it on compared
/// charts (its file name, say).
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    pub label: &'a str,
    pub set: &'a ResultSet,
}

/// What a report holds besides its charts, CSV and Markdown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReportOptions {
    /// Write each run's timeline as a Chrome trace too.
    pub traces: bool,
}

/// A run's name in file names: `03-processes-x4-sqrt-sum-queue` for the
/// third run of a set.
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
    safe_name(&stem)
}

/// `name` with anything but letters, digits, `-` and `_` made `_`: safe
/// in a file name on every system.
fn safe_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Longest name a compared set's files and folder take from its label,
/// in characters: a label may be a whole path.
const MAX_SOURCE_NAME: usize = 64;

/// The name a compared set's folder and data file take: its label made
/// safe ([`safe_name`]) and cut to [`MAX_SOURCE_NAME`], with `-2`, `-3`, …
/// where an earlier set's name is the same (`a.b` and `a_b` both become
/// `a_b`; the second set must not write over the first's charts).
fn source_name(sources: &[Source<'_>], label: &str) -> String {
    let mut taken: Vec<String> = Vec::new();
    for source in sources {
        let base: String = safe_name(source.label)
            .chars()
            .take(MAX_SOURCE_NAME)
            .collect();
        let mut name = base.clone();
        let mut n = 1;
        while taken.contains(&name) {
            n += 1;
            name = format!("{base}-{n}");
        }
        if source.label == label {
            return name;
        }
        taken.push(name);
    }
    safe_name(label).chars().take(MAX_SOURCE_NAME).collect()
}

/// The folder of run `index` of a source, relative to the report:
/// `runs/01-serial-sqrt-sum`, or `runs/LABEL/01-…` when a report compares
/// sets.
pub fn run_folder(sources: &[Source<'_>], label: &str, index: usize, run: &RunRecord) -> PathBuf {
    let runs = Path::new("runs");
    let runs = if sources.len() > 1 {
        runs.join(source_name(sources, label))
    } else {
        runs.to_path_buf()
    };
    runs.join(run_stem(index, run))
}

/// Writes the report for `sources` into `folder` (created if missing;
/// see [`super::write_folder_atomic`] for what happens on failure) and
/// returns the files written, in order: every chart as SVG and PNG (several
/// sets share each chart), each run's charts, the data formats a report
/// holds (the CSV; one file per set when several) and `report.md`.
pub fn write(
    sources: &[Source<'_>],
    folder: &Path,
    style: &plot::PlotStyle,
    options: &ChartOptions,
) -> Result<Vec<PathBuf>, ExportError> {
    write_with(sources, folder, style, options, ReportOptions::default())
}

/// [`write`], with each run's Chrome trace when `report` asks.
pub fn write_with(
    sources: &[Source<'_>],
    folder: &Path,
    style: &plot::PlotStyle,
    options: &ChartOptions,
    report: ReportOptions,
) -> Result<Vec<PathBuf>, ExportError> {
    write_reporting(sources, folder, style, options, report, &mut |_, _| {})
}

/// How many files [`write_with`] writes for `sources`.
pub fn file_count(sources: &[Source<'_>], report: ReportOptions) -> usize {
    let runs: usize = sources.iter().map(|s| s.set.runs.len()).sum();
    let per_run = ActivityChart::ALL.len() * 2 + usize::from(report.traces);
    let formats = DataFormat::ALL
        .into_iter()
        .filter(|f| f.info().in_report)
        .count();
    ChartKind::ALL.len() * 2 + runs * per_run + formats * sources.len() + 1
}

/// [`write_with`], calling `progress(done, total)` after each file, so a
/// front end can show how far a long report got.
pub fn write_reporting(
    sources: &[Source<'_>],
    folder: &Path,
    style: &plot::PlotStyle,
    options: &ChartOptions,
    report: ReportOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Vec<PathBuf>, ExportError> {
    let total = file_count(sources, report);
    let mut done = |written: &Vec<PathBuf>| progress(written.len(), total);
    // Built in a temporary folder and moved into place whole: a report
    // that fails part-way leaves nothing behind.
    super::write_folder_atomic(folder, |staged| {
        write_into(sources, staged, style, options, report, &mut done)
    })
}

/// Writes every file of the report into `folder` (the staging folder).
fn write_into(
    sources: &[Source<'_>],
    folder: &Path,
    style: &plot::PlotStyle,
    options: &ChartOptions,
    report: ReportOptions,
    done: &mut dyn FnMut(&Vec<PathBuf>),
) -> Result<Vec<PathBuf>, ExportError> {
    let labelled: Vec<(&str, &ResultSet)> = sources.iter().map(|s| (s.label, s.set)).collect();
    let mut written = Vec::new();
    let sets: Vec<&ResultSet> = labelled.iter().map(|(_, set)| *set).collect();
    for kind in ChartKind::ALL.into_iter().filter(|k| k.shows_in(&sets)) {
        let chart = chart::build_compared(kind, &labelled, options);
        for extension in ["svg", "png"] {
            let path = folder.join(format!("{}.{extension}", kind.slug()));
            plot::write(&chart, style, &path)?;
            written.push(path);
            done(&written);
        }
    }
    for source in sources {
        for (index, run) in source.set.runs.iter().enumerate() {
            let run_folder = folder.join(run_folder(sources, source.label, index, run));
            create_folder(&run_folder)?;
            for kind in ActivityChart::ALL {
                for extension in ["svg", "png"] {
                    let path = run_folder.join(format!("{}.{extension}", kind.file_stem()));
                    activity::write(kind, run, style, &path)?;
                    written.push(path);
                    done(&written);
                }
            }
            if report.traces {
                let path = run_folder.join(trace::FILE_NAME);
                trace::write(run, &path)?;
                written.push(path);
                done(&written);
            }
        }
    }
    let formats = DataFormat::ALL.into_iter().filter(|f| f.info().in_report);
    for format in formats {
        for source in sources {
            let path = folder.join(data_name(sources, source.label, format));
            data::write(format, source.set, &path)?;
            written.push(path);
            done(&written);
        }
    }
    let report_path = folder.join("report.md");
    data::write_bytes(&report_path, markdown_report(sources, options).as_bytes())?;
    written.push(report_path);
    done(&written);
    Ok(written)
}

fn create_folder(folder: &Path) -> Result<(), ExportError> {
    std::fs::create_dir_all(folder).map_err(|source| ExportError::Io {
        path: folder.display().to_string(),
        source,
    })
}

/// `results.csv` (in `format`'s extension), or `results-LABEL.csv` when a
/// report compares sets.
fn data_name(sources: &[Source<'_>], label: &str, format: DataFormat) -> String {
    let extension = format.info().extension;
    if sources.len() == 1 {
        return format!("results.{extension}");
    }
    let safe = source_name(sources, label);
    format!("results-{safe}.{extension}")
}

/// The Markdown page of a report: the charts, then each set's machine,
/// table and fitted scaling laws.
pub fn markdown_report(sources: &[Source<'_>], options: &ChartOptions) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# corescope report\n");
    if sources.len() > 1 {
        let labels: Vec<String> = sources.iter().map(|s| format!("**{}**", s.label)).collect();
        let _ = writeln!(out, "Comparing {}.\n", labels.join(" and "));
    }
    let _ = writeln!(out, "## Charts\n");
    let labelled: Vec<(&str, &ResultSet)> = sources.iter().map(|s| (s.label, s.set)).collect();
    let sets: Vec<&ResultSet> = labelled.iter().map(|(_, set)| *set).collect();
    for kind in ChartKind::ALL.into_iter().filter(|k| k.shows_in(&sets)) {
        let chart = chart::build_compared(kind, &labelled, options);
        let _ = writeln!(out, "![{}]({}.svg)\n", chart.title, kind.slug());
    }
    let _ = writeln!(
        out,
        "The panel beside the speedup chart holds predictions: each curve's scaling law \
         (dashed, no markers), fitted to its measured points where it has three worker \
         counts or more, and continued to {} workers.\n",
        options.predict_to
    );
    for source in sources {
        set_section(&mut out, source, sources.len() > 1);
    }
    let _ = writeln!(out, "## Runs\n");
    let _ = writeln!(
        out,
        "Each run's median repetition as a timeline (one lane per worker, one bar per task), \
         and the cores and memory while it ran; `trace.json`, where written, opens in \
         Perfetto UI or chrome://tracing.\n"
    );
    for source in sources {
        for (index, run) in source.set.runs.iter().enumerate() {
            let dir = run_folder(sources, source.label, index, run);
            let dir = dir.to_string_lossy().replace('\\', "/");
            let title = crate::activity::run_title(run);
            if sources.len() > 1 {
                let _ = writeln!(out, "### {}: {title}\n", source.label);
            } else {
                let _ = writeln!(out, "### {title}\n");
            }
            for kind in ActivityChart::ALL {
                let stem = kind.file_stem();
                let _ = writeln!(out, "![{stem}]({dir}/{stem}.svg)");
            }
            let _ = writeln!(out);
        }
    }
    out
}

/// One set's machine, results table and scaling laws.
fn set_section(out: &mut String, source: &Source<'_>, titled: bool) {
    let set = source.set;
    if titled {
        let _ = writeln!(out, "## {}\n", source.label);
    }
    if let Some(preset) = &set.preset {
        let _ = writeln!(out, "Lesson preset: `{preset}`.\n");
    }
    machine_line(out, set);
    let heading = if titled { "###" } else { "##" };
    let _ = writeln!(out, "{heading} Results\n\n{}", markdown::table(set));
    let flags = markdown::warnings(set);
    if !flags.is_empty() {
        let _ = writeln!(out, "{heading} Flags\n\n{flags}");
    }
    let _ = writeln!(out, "{heading} Scaling laws\n");
    scaling_laws(out, set);
    let _ = writeln!(out);
}

/// When, with which corescope and on what machine the set was measured.
fn machine_line(out: &mut String, set: &ResultSet) {
    let m = &set.machine;
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
}

/// The law fitted to the set's speedups (Amdahl, or Gustafson for weak
/// scaling), explained, then a row per model with workers.
fn scaling_laws(out: &mut String, set: &ResultSet) {
    let weak = set.runs.iter().any(|r| r.scaling == Scaling::Weak);
    if weak {
        let _ = writeln!(
            out,
            "Weak scaling: each worker got the same tasks, so the work grew with the workers. \
             Gustafson's law fitted to each model's scaled speedups, S(p) = p − f·(p − 1): f is \
             the fraction of the parallel run's time that stayed serial.\n"
        );
    } else {
        let _ = writeln!(
            out,
            "Amdahl's law fitted to each model's speedups, S(p) = 1 / (f + (1 − f)/p): f is the \
             fraction of the work that stayed serial. Karp–Flatt gives the same fraction from \
             each run alone; a value that grows with p points to overhead that grows with the \
             workers.\n"
        );
    }
    let limit_title = if weak { "At 64 workers" } else { "Limit 1/f" };
    let _ = writeln!(
        out,
        "| Model | Law | Serial fraction f | {limit_title} | Fit RMS error | Karp–Flatt by workers |"
    );
    let _ = writeln!(out, "|:---|:---|---:|---:|---:|:---|");
    let mut models: Vec<Model> = set
        .runs
        .iter()
        .map(|r| r.model)
        .filter(|m| m.uses_workers())
        .collect();
    models.sort();
    models.dedup();
    for model in models {
        scaling_law_row(out, set, model);
    }
}

/// One model's fitted law, its limit and Karp–Flatt by workers.
fn scaling_law_row(out: &mut String, set: &ResultSet, model: Model) {
    // Karp–Flatt reads fixed-size speedups only.
    let karp_flatt: Vec<String> = set
        .runs
        .iter()
        .filter(|r| r.model == model)
        .filter_map(|r| analysis::karp_flatt_of(r).map(|e| format!("{}: {e:.3}", r.workers)))
        .collect();
    let karp_flatt = if karp_flatt.is_empty() {
        "—".to_string()
    } else {
        karp_flatt.join(", ")
    };
    match analysis::fit_for_model(set, model) {
        Some(fit) => {
            let limit = match fit.law {
                analysis::Law::Amdahl if fit.serial_fraction > 0.0 => {
                    format!("{:.1}×", 1.0 / fit.serial_fraction)
                }
                analysis::Law::Amdahl => "∞".to_string(),
                analysis::Law::Gustafson => {
                    format!("{:.1}×", fit.law.speedup(fit.serial_fraction, 64.0))
                }
            };
            let _ = writeln!(
                out,
                "| `{model}` | {} | {:.3} ± {:.3} | {limit} | {:.3} | {karp_flatt} |",
                fit.law.name(),
                fit.serial_fraction,
                fit.serial_fraction_error,
                fit.rms_error,
            );
        }
        None => {
            let _ = writeln!(
                out,
                "| `{model}` | — | — (fewer than three worker counts) | — | — | {karp_flatt} |"
            );
        }
    }
}
