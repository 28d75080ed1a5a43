//! Writing results to files: the data formats of [`data`] (JSON, the
//! documented schema; CSV, one row per run; a Markdown table like
//! hyperfine's), charts as SVG/PNG and run timelines as Chrome traces.
//!
//! Every file is written to a temporary file beside its destination and
//! renamed into place, so a failed or interrupted export never leaves half a
//! file; only regular files are ever replaced (`atomic.rs`).
//! [`check_writable`] lets front ends refuse a bad path before a long run
//! rather than after it.

pub mod activity;
mod atomic;
pub mod csv;
pub mod data;
pub mod deck;
#[cfg(unix)]
mod held_folder;
pub mod json;
pub mod markdown;
pub mod plot;
mod plot_frame;
mod plot_image;
mod plot_legend;
mod plot_parts;
mod plot_text;
pub mod report;
pub mod trace;

use std::io;

pub use atomic::{
    TEMP_PREFIX, check_writable, resolve, sweep_stale, temp_prefix, write_atomic,
    write_folder_atomic,
};

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
