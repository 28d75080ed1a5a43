//! CSV export: one row per run, flat columns, for spreadsheets.

use std::path::Path;

use super::{ExportError, write_atomic};
use crate::results::ResultSet;

/// The header row.
pub const COLUMNS: [&str; 22] = [
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
];

/// Writes one row per run of `set` to `path`, atomically.
pub fn write(set: &ResultSet, path: &Path) -> Result<(), ExportError> {
    let encode = |e: csv::Error| ExportError::Encode {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    write_atomic(path, |w| {
        let mut out = csv::Writer::from_writer(w);
        out.write_record(COLUMNS).map_err(encode)?;
        let opt = |v: Option<f64>| v.map(|x| format!("{x:.6}")).unwrap_or_default();
        for r in &set.runs {
            out.write_record([
                r.workload.to_string(),
                r.model.to_string(),
                r.workers.to_string(),
                r.schedule.to_string(),
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
                r.checksum.clone(),
            ])
            .map_err(encode)?;
        }
        out.flush().map_err(|source| ExportError::Io {
            path: path.display().to_string(),
            source,
        })
    })
}
