//! The data formats a result set is written in, and the one place that
//! writes them (after hyperfine's `Exporter` and `ExportManager`).
//!
//! Each format turns a [`ResultSet`] into bytes through its [`Exporter`];
//! [`DataFormat`] is the registry: one descriptor per format, reached
//! through one exhaustive `match`, which the command line's `--export-*`
//! flags, the app's File menu and the report folder all read. Files are
//! written only by [`write`], atomically.

use std::path::{Path, PathBuf};

use super::{ExportError, csv, json, markdown, write_atomic};
use crate::results::ResultSet;

/// Turns a result set into the bytes of one file format.
pub trait Exporter {
    fn serialize(&self, set: &ResultSet) -> Result<Vec<u8>, ExportError>;
}

/// A data format a result set can be exported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataFormat {
    Json,
    Csv,
    Markdown,
}

/// What every front end needs to know about a data format.
#[derive(Clone, Copy)]
pub struct FormatInfo {
    /// The format's name in messages: `JSON`.
    pub name: &'static str,
    /// File name extension, without the dot.
    pub extension: &'static str,
    /// The command line's flag, without its dashes: `export-json`.
    pub flag: &'static str,
    /// The flag's help line (its value is FILE).
    pub flag_help: &'static str,
    /// The File menu's entry.
    pub menu_text: &'static str,
    /// Whether a report folder holds the results in this format too.
    pub in_report: bool,
    pub exporter: &'static dyn Exporter,
}

impl std::fmt::Debug for FormatInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FormatInfo")
            .field("name", &self.name)
            .field("extension", &self.extension)
            .finish_non_exhaustive()
    }
}

impl DataFormat {
    /// Every format, in the order flags and menu entries list them.
    pub const ALL: [DataFormat; 3] = [DataFormat::Json, DataFormat::Csv, DataFormat::Markdown];

    /// The format's descriptor.
    pub fn info(self) -> FormatInfo {
        match self {
            DataFormat::Json => FormatInfo {
                name: "JSON",
                extension: "json",
                flag: "export-json",
                flag_help: "Write the result set as JSON to FILE",
                menu_text: "Data as JSON (the full result set)",
                in_report: false,
                exporter: &json::Json,
            },
            DataFormat::Csv => FormatInfo {
                name: "CSV",
                extension: "csv",
                flag: "export-csv",
                flag_help: "Write one CSV row per run to FILE",
                menu_text: "Data as CSV (a row per run)",
                in_report: true,
                exporter: &csv::Csv,
            },
            DataFormat::Markdown => FormatInfo {
                name: "Markdown",
                extension: "md",
                flag: "export-markdown",
                flag_help: "Write a Markdown results table to FILE",
                menu_text: "Table as Markdown",
                in_report: false,
                exporter: &markdown::Markdown,
            },
        }
    }

    /// The format a file name asks for by its extension, in any case.
    pub fn from_path(path: &Path) -> Option<DataFormat> {
        let extension = path.extension()?.to_str()?;
        DataFormat::ALL
            .into_iter()
            .find(|f| f.info().extension.eq_ignore_ascii_case(extension))
    }

    /// The command line flag as typed: `--export-json`.
    pub fn flag(self) -> String {
        format!("--{}", self.info().flag)
    }

    /// `set` in this format.
    pub fn serialize(self, set: &ResultSet) -> Result<Vec<u8>, ExportError> {
        self.info().exporter.serialize(set)
    }
}

/// Writes `set` in `format` to `path`, atomically.
pub fn write(format: DataFormat, set: &ResultSet, path: &Path) -> Result<(), ExportError> {
    let bytes = format.serialize(set)?;
    write_bytes(path, &bytes)
}

/// Writes `bytes` to `path`, atomically.
pub fn write_bytes(path: &Path, bytes: &[u8]) -> Result<(), ExportError> {
    write_atomic(path, |w| {
        w.write_all(bytes).map_err(|source| ExportError::Io {
            path: path.display().to_string(),
            source,
        })
    })
}

/// Whether two export paths name one file once links are followed.
fn same_file(a: &Path, b: &Path) -> bool {
    let resolved = |p: &Path| {
        let target = super::atomic::resolve(p).unwrap_or_else(|_| p.to_path_buf());
        std::path::absolute(&target).unwrap_or(target)
    };
    resolved(a) == resolved(b)
}

/// An export of one format that could not be made.
#[derive(Debug, thiserror::Error)]
#[error("the {} export failed", format.info().name)]
pub struct FormatError {
    pub format: DataFormat,
    #[source]
    pub source: ExportError,
}

/// The files a finished experiment is to be written to, each in its
/// format: checked before a long run, written after it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportManager {
    targets: Vec<(DataFormat, PathBuf)>,
}

impl ExportManager {
    pub fn new() -> ExportManager {
        ExportManager::default()
    }

    /// Adds a file to write `format` to.
    pub fn add(&mut self, format: DataFormat, path: PathBuf) {
        self.targets.push((format, path));
    }

    /// The files to write, in the order added.
    pub fn targets(&self) -> &[(DataFormat, PathBuf)] {
        &self.targets
    }

    /// Refuses the first file that could not be written, without touching
    /// any.
    pub fn check(&self) -> Result<(), FormatError> {
        for (i, (format, path)) in self.targets.iter().enumerate() {
            super::check_writable(path).map_err(|source| FormatError {
                format: *format,
                source,
            })?;
            // Two formats into one file: the second would silently replace
            // the first after the run.
            let same = self.targets[..i]
                .iter()
                .find(|(_, earlier)| same_file(earlier, path));
            if let Some((earlier, _)) = same {
                return Err(FormatError {
                    format: *format,
                    source: ExportError::Unwritable {
                        path: path.display().to_string(),
                        reason: format!(
                            "it is also the --{} file; give each export its own file",
                            earlier.info().flag
                        ),
                    },
                });
            }
        }
        Ok(())
    }

    /// Writes `set` to every file in order, telling `written` after each;
    /// stops at the first that fails.
    pub fn write_all(
        &self,
        set: &ResultSet,
        mut written: impl FnMut(&Path),
    ) -> Result<(), FormatError> {
        for (format, path) in &self.targets {
            write(*format, set, path).map_err(|source| FormatError {
                format: *format,
                source,
            })?;
            written(path);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::testing::record;
    use crate::results::{MachineInfo, ResultSet};
    use crate::spec::Model;

    fn set() -> ResultSet {
        let mut set = ResultSet::new(MachineInfo::detect());
        set.runs.push(record(Model::Serial, 1, 1.0));
        set.runs.push(record(Model::Processes, 2, 0.5));
        crate::analysis::fill_speedups(&mut set);
        set
    }

    #[test]
    fn every_format_has_its_own_extension_flag_and_menu_entry() {
        let infos: Vec<FormatInfo> = DataFormat::ALL.iter().map(|f| f.info()).collect();
        for (i, a) in infos.iter().enumerate() {
            for b in &infos[i + 1..] {
                assert_ne!(a.extension, b.extension);
                assert_ne!(a.flag, b.flag);
                assert_ne!(a.menu_text, b.menu_text);
                assert_ne!(a.name, b.name);
            }
        }
        assert_eq!(DataFormat::Json.flag(), "--export-json");
        assert_eq!(DataFormat::Markdown.info().extension, "md");
        // The report holds the CSV, as it always has.
        let in_report: Vec<DataFormat> = DataFormat::ALL
            .into_iter()
            .filter(|f| f.info().in_report)
            .collect();
        assert_eq!(in_report, [DataFormat::Csv]);
    }

    #[test]
    fn each_format_serializes_what_it_promises() {
        let set = set();
        let json = DataFormat::Json.serialize(&set).unwrap();
        let back: ResultSet = serde_json::from_slice(&json).unwrap();
        assert_eq!(back.runs.len(), 2);
        assert!(json.ends_with(b"}\n"));
        let csv = String::from_utf8(DataFormat::Csv.serialize(&set).unwrap()).unwrap();
        assert_eq!(csv.lines().count(), 3);
        assert!(csv.starts_with(&csv::COLUMNS.join(",")));
        let md = String::from_utf8(DataFormat::Markdown.serialize(&set).unwrap()).unwrap();
        assert!(md.contains("| `processes` | 2 |"), "{md}");
    }

    #[test]
    fn the_manager_checks_every_file_first_and_writes_them_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let set = set();
        let mut manager = ExportManager::new();
        for format in DataFormat::ALL {
            let name = format!("r.{}", format.info().extension);
            manager.add(format, dir.path().join(name));
        }
        manager.check().unwrap();
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        let mut written = Vec::new();
        manager
            .write_all(&set, |p| written.push(p.to_path_buf()))
            .unwrap();
        let expected: Vec<PathBuf> = manager.targets().iter().map(|t| t.1.clone()).collect();
        assert_eq!(written, expected);
        for (format, path) in manager.targets() {
            let bytes = std::fs::read(path).unwrap();
            assert_eq!(bytes, format.serialize(&set).unwrap(), "{format:?}");
        }

        let mut bad = manager.clone();
        bad.add(DataFormat::Csv, dir.path().join("missing/r.csv"));
        let error = bad.check().unwrap_err();
        assert_eq!(error.format, DataFormat::Csv);
        assert!(matches!(error.source, ExportError::Unwritable { .. }));
        let error = bad.write_all(&set, |_| {}).unwrap_err();
        assert_eq!(error.to_string(), "the CSV export failed");
    }
}
