//! Markdown export: a results table in the style of hyperfine's
//! `--export-markdown`, ready to paste into a report.

use std::fmt::Write as _;
use std::path::Path;

use super::{ExportError, write_atomic};
use crate::results::ResultSet;

/// Renders the table as Markdown text.
pub fn table(set: &ResultSet) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| Model | Workers | Wall median [s] | Min [s] | Max [s] | Speedup | Efficiency | IPC to workers | IPC from workers |"
    );
    let _ = writeln!(out, "|:---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in &set.runs {
        let _ = writeln!(
            out,
            "| `{}` | {} | {:.4} | {:.4} | {:.4} | {} | {} | {} | {} |",
            r.model,
            r.workers,
            r.wall_seconds.median,
            r.wall_seconds.min,
            r.wall_seconds.max,
            r.speedup.map_or("—".to_string(), |s| format!("{s:.2}×")),
            r.efficiency
                .map_or("—".to_string(), |e| format!("{:.0} %", e * 100.0)),
            crate::format::bytes(r.ipc.bytes_to_workers),
            crate::format::bytes(r.ipc.bytes_from_workers),
        );
    }
    out
}

/// Writes the table, with a line naming the workload and machine, to `path`.
pub fn write(set: &ResultSet, path: &Path) -> Result<(), ExportError> {
    let mut text = String::new();
    if let Some(first) = set.runs.first() {
        let _ = writeln!(
            text,
            "Workload `{}` (size {}, {} tasks{}) on {} ({} logical cores), median of {} repetitions.\n",
            first.workload,
            first.size,
            first.tasks,
            if first.payload_bytes > 0 {
                format!(", {} payload", crate::format::bytes(first.payload_bytes))
            } else {
                String::new()
            },
            set.machine.cpu_model,
            set.machine.logical_cores,
            first.repeats,
        );
    }
    text.push_str(&table(set));
    write_atomic(path, |w| {
        w.write_all(text.as_bytes())
            .map_err(|source| ExportError::Io {
                path: path.display().to_string(),
                source,
            })
    })
}
