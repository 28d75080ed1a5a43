//! Writing results to files: the data formats of [`data`] (JSON, the
//! documented schema; CSV, one row per run; a Markdown table like
//! hyperfine's), charts as SVG/PNG and run timelines as Chrome traces.
//!
//! Every file is written to a temporary file beside its destination and
//! renamed into place, so a failed or interrupted export never leaves half a
//! file. [`check_writable`] lets front ends refuse a bad path before a long
//! run rather than after it.

pub mod activity;
pub mod csv;
pub mod data;
pub mod json;
pub mod markdown;
pub mod plot;
pub mod report;
pub mod trace;

use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot write {path}: {reason}")]
    Unwritable { path: String, reason: String },
    #[error("cannot write {path}: {source}")]
    Io { path: String, source: io::Error },
    #[error("cannot encode {path}: {reason}")]
    Encode { path: String, reason: String },
    #[error("cannot encode the results as {}: {reason}", format.info().name)]
    Serialize {
        format: data::DataFormat,
        reason: String,
    },
    #[error("cannot draw the chart: {reason}")]
    Render { reason: String },
}

fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Checks that `path` can be created or replaced, without touching it.
pub fn check_writable(path: &Path) -> Result<(), ExportError> {
    let unwritable = |reason: String| ExportError::Unwritable {
        path: path.display().to_string(),
        reason,
    };
    if path.as_os_str().is_empty() {
        return Err(unwritable("the path is empty".to_string()));
    }
    if path.is_dir() {
        return Err(unwritable("it is a folder".to_string()));
    }
    let folder = folder_of(path);
    if !folder.is_dir() {
        return Err(unwritable(format!(
            "the folder {} does not exist",
            folder.display()
        )));
    }
    // Creating (and at once deleting) a temporary file is the only check
    // that answers for permissions, read-only mounts and quotas alike.
    tempfile::NamedTempFile::new_in(&folder)
        .map(drop)
        .map_err(|e| {
            unwritable(format!(
                "the folder {} is not writable ({e})",
                folder.display()
            ))
        })
}

/// Writes a file atomically: `fill` writes into a temporary file in the same
/// folder, which then replaces `path`.
pub fn write_atomic(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> Result<(), ExportError>,
) -> Result<(), ExportError> {
    let io_error = |source: io::Error| ExportError::Io {
        path: path.display().to_string(),
        source,
    };
    check_writable(path)?;
    let mut temp = tempfile::NamedTempFile::new_in(folder_of(path)).map_err(io_error)?;
    {
        let mut writer = io::BufWriter::new(temp.as_file_mut());
        fill(&mut writer)?;
        writer.flush().map_err(io_error)?;
    }
    temp.as_file().sync_all().map_err(io_error)?;
    temp.persist(path).map_err(|e| io_error(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_leaves_nothing_on_failure() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        let result = write_atomic(&path, |_| {
            Err(ExportError::Encode {
                path: "out.txt".into(),
                reason: "on purpose".into(),
            })
        });
        assert!(result.is_err());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        write_atomic(&path, |w| {
            w.write_all(b"hi").map_err(|e| ExportError::Io {
                path: String::new(),
                source: e,
            })
        })
        .unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "hi");
    }

    #[test]
    fn unwritable_paths_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert!(check_writable(dir.path()).is_err());
        assert!(check_writable(&dir.path().join("missing/out.json")).is_err());
        assert!(check_writable(&dir.path().join("out.json")).is_ok());
    }
}
