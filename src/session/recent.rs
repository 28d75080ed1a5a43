//! [`RecentFiles`]: the result sets opened or saved lately, newest first,
//! kept in `recent.json` in the app's data folder so that the File menu
//! lists them after a restart. Only paths are kept; whether each file is
//! still there is asked when the list is shown, so a file moved or deleted
//! since reads as missing, with the reason, rather than vanishing.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::store::save_json;

/// How many result sets the list keeps.
pub const MAX_RECENT: usize = 8;

/// Longest path kept: the kernel's `PATH_MAX`.
const MAX_PATH_BYTES: usize = 4096;

/// Largest list read: eight paths of the longest length, each character
/// escaped, still fit.
const MAX_LIST_BYTES: u64 = 256 * 1024;

/// The result sets opened or saved lately, newest first.
#[derive(Debug, Default)]
pub struct RecentFiles {
    /// Where the list is kept; `None`: in memory only.
    path: Option<PathBuf>,
    files: Vec<PathBuf>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct StoredRecent {
    files: Vec<PathBuf>,
}

/// One entry of the list as the File menu shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecentEntry {
    pub path: PathBuf,
    /// Why it cannot be opened now (moved, deleted, unreadable), if so.
    pub problem: Option<String>,
}

impl RecentEntry {
    /// The file's name, then its folder: what the menu reads.
    pub fn label(&self) -> String {
        let name = self.path.file_name().map_or_else(
            || self.path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        match self.path.parent() {
            Some(folder) if !folder.as_os_str().is_empty() => {
                format!("{name} — {}", folder.display())
            }
            _ => name,
        }
    }
}

impl RecentFiles {
    /// Reads the list kept in `folder` (none: in memory only). A list that
    /// cannot be read starts empty; it is a convenience, never worth an
    /// error on start-up.
    pub fn open(folder: Option<&Path>) -> RecentFiles {
        let Some(folder) = folder else {
            return RecentFiles::default();
        };
        let path = folder.join("recent.json");
        // Untrusted like any file in the data folder: a regular file of a
        // few KiB (eight paths), or nothing.
        let mut files = crate::untrusted::read_regular(&path, MAX_LIST_BYTES)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<StoredRecent>(&bytes).ok())
            .map(|stored| stored.files)
            .unwrap_or_default();
        // Validated at the edge: a hand-edited list is cut to size.
        files.retain(|f| f.is_absolute() && f.as_os_str().len() <= MAX_PATH_BYTES);
        files.dedup();
        files.truncate(MAX_RECENT);
        RecentFiles {
            path: Some(path),
            files,
        }
    }

    /// Puts `file` first (once), keeps the list to [`MAX_RECENT`] and
    /// writes it; an error says why it was not kept.
    pub fn add(&mut self, file: &Path) -> Result<(), String> {
        let file = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
        self.files.retain(|f| *f != file);
        self.files.insert(0, file);
        self.files.truncate(MAX_RECENT);
        self.save()
    }

    /// Empties the list.
    pub fn clear(&mut self) -> Result<(), String> {
        self.files.clear();
        self.save()
    }

    /// The paths, newest first.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// Each file with what stands in the way of opening it now (read from
    /// the file system on each call: call it while the list is shown).
    pub fn entries(&self) -> Vec<RecentEntry> {
        self.files
            .iter()
            .map(|path| RecentEntry {
                path: path.clone(),
                problem: problem(path),
            })
            .collect()
    }

    fn save(&self) -> Result<(), String> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let stored = StoredRecent {
            files: self.files.clone(),
        };
        save_json(path, &stored).map_err(|e| format!("the recent files list was not saved: {e}"))
    }
}

/// Why `path` cannot be opened now, if it cannot.
fn problem(path: &Path) -> Option<String> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => Some("it is a folder now".to_string()),
        Ok(_) => None,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Some("the file is gone (moved or deleted)".to_string())
        }
        Err(e) => Some(format!("cannot be read: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_keeps_the_newest_first_survives_a_restart_and_names_missing_files() {
        let data = tempfile::tempdir().unwrap();
        let files = tempfile::tempdir().unwrap();
        let mut recent = RecentFiles::open(Some(data.path()));
        assert!(recent.files().is_empty());
        let paths: Vec<PathBuf> = (0..MAX_RECENT + 2)
            .map(|i| files.path().join(format!("set-{i}.json")))
            .collect();
        for path in &paths {
            std::fs::write(path, "{}").unwrap();
            recent.add(path).unwrap();
        }
        // Opening one again moves it to the top rather than repeating it.
        recent.add(&paths[MAX_RECENT]).unwrap();
        let again = RecentFiles::open(Some(data.path()));
        assert_eq!(again.files().len(), MAX_RECENT);
        assert_eq!(again.files()[0], paths[MAX_RECENT]);
        assert_eq!(again.files()[1], paths[MAX_RECENT + 1]);
        assert!(!again.files().contains(&paths[0]), "the oldest fell off");

        std::fs::remove_file(&paths[MAX_RECENT + 1]).unwrap();
        let entries = again.entries();
        assert_eq!(entries[0].problem, None);
        assert!(entries[1].problem.as_deref().unwrap().contains("gone"));
        assert!(
            entries[0]
                .label()
                .starts_with(&format!("set-{MAX_RECENT}.json — "))
        );
    }

    #[test]
    fn an_unreadable_list_starts_empty() {
        let data = tempfile::tempdir().unwrap();
        std::fs::write(data.path().join("recent.json"), "[ nope").unwrap();
        assert!(RecentFiles::open(Some(data.path())).files().is_empty());
    }

    #[test]
    fn a_fifo_or_endless_file_in_its_place_starts_empty_at_once() {
        let data = tempfile::tempdir().unwrap();
        let list = data.path().join("recent.json");
        std::os::unix::fs::symlink("/dev/zero", &list).unwrap();
        assert!(RecentFiles::open(Some(data.path())).files().is_empty());
        std::fs::remove_file(&list).unwrap();
        let made = std::process::Command::new("mkfifo").arg(&list).status();
        assert!(made.unwrap().success());
        // Read without blocking: a FIFO with no writer would hang a plain read.
        assert!(RecentFiles::open(Some(data.path())).files().is_empty());
        let long = format!("/{}", "d".repeat(5000));
        let text = format!(r#"{{"files": ["{long}", "/kept.json", "relative.json"]}}"#);
        std::fs::remove_file(&list).unwrap();
        std::fs::write(&list, text).unwrap();
        let recent = RecentFiles::open(Some(data.path()));
        assert_eq!(recent.files(), [PathBuf::from("/kept.json")]);
    }
}
