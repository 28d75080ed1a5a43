//! [`ResultsStore`]: every finished experiment, kept in `results.json` in
//! the app's data folder so that nothing is lost on restart. A file that
//! cannot be read is reported and moved aside, never overwritten.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::export;
use crate::results::{ResultSet, RunRecord};

/// Every finished experiment, newest last, kept in `results.json` in the
/// app's data folder so that nothing is lost on restart.
#[derive(Debug, Default)]
pub struct ResultsStore {
    path: Option<PathBuf>,
    pub experiments: Vec<ResultSet>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct StoredResults {
    experiments: Vec<ResultSet>,
}

impl ResultsStore {
    /// Loads the store from `folder` (none: kept in memory only). A file
    /// that cannot be read is reported, and moved aside rather than lost.
    pub fn open(folder: Option<&Path>) -> (ResultsStore, Option<String>) {
        let Some(folder) = folder else {
            return (ResultsStore::default(), None);
        };
        let path = folder.join("results.json");
        let mut store = ResultsStore {
            path: Some(path.clone()),
            experiments: Vec::new(),
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (store, None),
            Err(e) => {
                return (
                    store,
                    Some(format!("cannot read saved results {}: {e}", path.display())),
                );
            }
        };
        match serde_json::from_str::<StoredResults>(&text) {
            Ok(stored) => {
                store.experiments = stored.experiments;
                (store, None)
            }
            Err(e) => {
                let aside = path.with_extension("json.unreadable");
                let _ = std::fs::rename(&path, &aside);
                let message = format!(
                    "saved results in {} could not be read ({e}); the file was kept as {}",
                    path.display(),
                    aside.display()
                );
                (store, Some(message))
            }
        }
    }

    /// Writes the store (atomically); an error says why.
    pub fn save(&self) -> Result<(), String> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder)
                .map_err(|e| format!("cannot create the data folder {}: {e}", folder.display()))?;
        }
        let stored = StoredResults {
            experiments: self.experiments.clone(),
        };
        export::write_atomic(path, |w| {
            serde_json::to_writer(w, &stored).map_err(|e| export::ExportError::Encode {
                path: path.display().to_string(),
                reason: e.to_string(),
            })
        })
        .map_err(|e| format!("results were not saved: {e}"))
    }

    /// Every run of every experiment, with its experiment's index.
    pub fn runs(&self) -> impl Iterator<Item = (usize, &RunRecord)> {
        self.experiments
            .iter()
            .enumerate()
            .flat_map(|(i, set)| set.runs.iter().map(move |r| (i, r)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_round_trips_and_survives_a_corrupt_file() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, error) = ResultsStore::open(Some(dir.path()));
        assert!(error.is_none());
        store
            .experiments
            .push(ResultSet::new(crate::results::MachineInfo::detect()));
        store.save().unwrap();
        let (again, _) = ResultsStore::open(Some(dir.path()));
        assert_eq!(again.experiments.len(), 1);
        std::fs::write(dir.path().join("results.json"), "{ not json").unwrap();
        let (broken, error) = ResultsStore::open(Some(dir.path()));
        assert!(broken.experiments.is_empty());
        assert!(error.unwrap().contains("could not be read"));
        assert!(dir.path().join("results.json.unreadable").exists());
    }
}
