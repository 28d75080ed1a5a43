//! JSON export: the whole [`ResultSet`], pretty-printed.

use std::path::Path;

use super::{ExportError, write_atomic};
use crate::results::ResultSet;

/// Writes `set` as JSON to `path`, atomically.
pub fn write(set: &ResultSet, path: &Path) -> Result<(), ExportError> {
    write_atomic(path, |w| {
        serde_json::to_writer_pretty(&mut *w, set).map_err(|e| ExportError::Encode {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        w.write_all(b"\n").map_err(|source| ExportError::Io {
            path: path.display().to_string(),
            source,
        })
    })
}
