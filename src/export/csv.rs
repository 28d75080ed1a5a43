//! CSV export: one row per run, flat columns, for spreadsheets.

use super::ExportError;
use super::data::{DataFormat, Exporter};
use crate::results::ResultSet;

/// The header row.
pub const COLUMNS: [&str; 33] = [
    "workload",
    "model",
    "workers",
    "schedule",
    "chunk",
    "tasks",
    "size",
    "payload_bytes",
    "repeats",
    "wall_median_s",
    "wall_min_s",
    "wall_max_s",
    "spawn_s",
    "compute_median_s",
    "cpu_median_s",
    "speedup",
    "efficiency",
    "karp_flatt",
    "ipc_bytes_to_workers",
    "ipc_bytes_from_workers",
    "ipc_messages",
    "checksum",
    "wall_ci_low_s",
    "wall_ci_high_s",
    "speedup_ci_low",
    "speedup_ci_high",
    "other_cpu_cores",
    "sharing",
    "expected_total",
    "total",
    "lost_updates",
    "counted_in",
    // Last, so a reader finds the flags at the end of each row.
    "warnings",
];

/// A text cell as a spreadsheet cannot run it: text from a result set
/// (a checksum, a warning code, read from a file anyone may have written)
/// that begins like a formula (`=`, `+`, `-`, `@`, a tab or a carriage
/// return) is quoted with a leading apostrophe, as OWASP advises for CSV
/// injection. Numbers are written by corescope itself and left as they are.
fn text(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell
    }
}

/// The CSV format: raw numbers (seconds to the microsecond), not the
/// rounded figures of the results table.
#[derive(Debug, Clone, Copy, Default)]
pub struct Csv;

impl Exporter for Csv {
    fn serialize(&self, set: &ResultSet) -> Result<Vec<u8>, ExportError> {
        let encode = |reason: String| ExportError::Serialize {
            format: DataFormat::Csv,
            reason,
        };
        let mut out = csv::Writer::from_writer(Vec::new());
        out.write_record(COLUMNS)
            .map_err(|e| encode(e.to_string()))?;
        let opt = |v: Option<f64>| v.map(|x| format!("{x:.6}")).unwrap_or_default();
        let count = |v: Option<u64>| v.map(|n| n.to_string()).unwrap_or_default();
        for r in &set.runs {
            out.write_record([
                text(r.workload.to_string()),
                text(r.model.to_string()),
                r.workers.to_string(),
                text(r.schedule.to_string()),
                r.chunk.to_string(),
                r.tasks.to_string(),
                r.size.to_string(),
                r.payload_bytes.to_string(),
                r.repeats.to_string(),
                format!("{:.6}", r.wall_seconds.median),
                format!("{:.6}", r.wall_seconds.min),
                format!("{:.6}", r.wall_seconds.max),
                format!("{:.6}", r.spawn_seconds),
                format!("{:.6}", r.compute_seconds.median),
                format!("{:.6}", r.cpu_seconds.median),
                opt(r.speedup),
                opt(r.efficiency),
                opt(crate::analysis::karp_flatt_of(r)),
                r.ipc.bytes_to_workers.to_string(),
                r.ipc.bytes_from_workers.to_string(),
                r.ipc.messages.to_string(),
                text(r.checksum.clone()),
                opt(r.wall_ci.map(|ci| ci.low)),
                opt(r.wall_ci.map(|ci| ci.high)),
                opt(r.speedup_ci.map(|ci| ci.low)),
                opt(r.speedup_ci.map(|ci| ci.high)),
                opt(r.load.as_deref().map(|l| l.other_cpu_cores)),
                text(r.sharing.map(|s| s.to_string()).unwrap_or_default()),
                count(r.expected_total),
                count(r.total),
                count(r.lost_updates),
                text(r.counted_in.map_or("", |c| c.name()).to_string()),
                // Codes only: the sentences are in the JSON.
                text(
                    r.warnings
                        .iter()
                        .map(|w| w.code.as_str())
                        .collect::<Vec<_>>()
                        .join(";"),
                ),
            ])
            .map_err(|e| encode(e.to_string()))?;
        }
        out.into_inner().map_err(|e| encode(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_begins_like_a_formula_is_defused_and_numbers_are_not() {
        assert_eq!(text("=HYPERLINK(\"x\")".into()), "'=HYPERLINK(\"x\")");
        for start in ["+1", "-1+2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(text(start.into()).starts_with('\''), "{start:?}");
        }
        assert_eq!(text("9f3a".into()), "9f3a");
        assert_eq!(
            text("wide-spread;over-cores".into()),
            "wide-spread;over-cores"
        );
        assert_eq!(text(String::new()), "");
    }
}
