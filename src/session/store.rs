//! [`ResultsStore`]: every finished experiment, kept in `results.json` in
//! the app's data folder so that nothing is lost on restart. A file that
//! cannot be read is reported and moved aside, never overwritten. Clearing
//! moves the experiments to a pile kept in memory, from which they can be
//! restored until the app quits; the files they were opened from are
//! never touched.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::export;
use crate::results::{self, ResultSet, RunRecord};

/// Every finished experiment, newest last, kept in `results.json` in the
/// app's data folder so that nothing is lost on restart.
#[derive(Debug, Default)]
pub struct ResultsStore {
    path: Option<PathBuf>,
    pub experiments: Vec<ResultSet>,
    /// Experiments cleared in this session, oldest first: restorable
    /// until the app quits.
    cleared: Vec<ResultSet>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct StoredResults {
    experiments: Vec<ResultSet>,
}

impl ResultsStore {
    /// Loads the store from `folder` (none: kept in memory only). The file
    /// is untrusted input like any result set: a regular file of bounded
    /// size, each experiment checked whole as `report` checks a saved set.
    /// A file that cannot be read is reported and moved aside rather than
    /// lost; experiments that fail their checks are left out (they stay in
    /// the copy moved aside), the others load.
    pub fn open(folder: Option<&Path>) -> (ResultsStore, Option<String>) {
        let Some(folder) = folder else {
            return (ResultsStore::default(), None);
        };
        let path = folder.join("results.json");
        let mut store = ResultsStore {
            path: Some(path.clone()),
            ..ResultsStore::default()
        };
        let problem = match crate::untrusted::read_regular(&path, results::MAX_FILE_BYTES) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (store, None),
            Err(e) => e.to_string(),
            Ok(bytes) => match serde_json::from_slice::<StoredResults>(&bytes) {
                Err(e) => e.to_string(),
                Ok(stored) => {
                    let (valid, refused) = checked(stored.experiments);
                    store.experiments = valid;
                    match refused {
                        None => return (store, None),
                        Some(why) => why,
                    }
                }
            },
        };
        let kept = match crate::untrusted::move_aside(&path) {
            Ok(aside) => format!("the file was kept as {}", aside.display()),
            Err(e) => format!("it could not be moved aside ({e}) and was left as it is"),
        };
        let message = format!(
            "saved results in {} could not be read ({problem}); {kept}",
            path.display()
        );
        (store, Some(message))
    }

    /// Writes the store (atomically); an error says why.
    pub fn save(&self) -> Result<(), String> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let stored = StoredResults {
            experiments: self.experiments.clone(),
        };
        save_json(path, &stored).map_err(|e| format!("results were not saved: {e}"))
    }

    /// Moves every experiment to the cleared pile (nothing is deleted
    /// until the app quits); returns how many moved.
    pub fn clear(&mut self) -> usize {
        let count = self.experiments.len();
        self.cleared.append(&mut self.experiments);
        count
    }

    /// How many cleared experiments can be restored.
    pub fn restorable(&self) -> usize {
        self.cleared.len()
    }

    /// Puts every cleared experiment back, before those measured since
    /// (they are older); returns how many came back.
    pub fn restore(&mut self) -> usize {
        let count = self.cleared.len();
        let newer = std::mem::take(&mut self.experiments);
        self.experiments = std::mem::take(&mut self.cleared);
        self.experiments.extend(newer);
        count
    }

    /// Every run of every experiment, with its experiment's index.
    pub fn runs(&self) -> impl Iterator<Item = (usize, &RunRecord)> {
        self.experiments
            .iter()
            .enumerate()
            .flat_map(|(i, set)| set.runs.iter().map(move |r| (i, r)))
    }
}

/// Splits stored experiments into those that pass a saved set's checks
/// and, if any fail, why the first did.
fn checked(experiments: Vec<ResultSet>) -> (Vec<ResultSet>, Option<String>) {
    let mut refused = None;
    let valid = experiments
        .into_iter()
        .enumerate()
        .filter_map(|(i, set)| {
            let problem = if !results::schema_readable(set.schema_version) {
                Some(format!("schema version {}", set.schema_version))
            } else {
                set.validate()
                    .err()
                    .map(|results::Invalid { field, reason }| format!("{field}: {reason}"))
            };
            match problem {
                None => Some(set),
                Some(problem) => {
                    refused.get_or_insert(format!("experiment {}: {problem}", i + 1));
                    None
                }
            }
        })
        .collect();
    (valid, refused)
}

/// Writes `value` as JSON to `path` (atomically), creating its folder;
/// an error says why.
pub(super) fn save_json(path: &Path, value: &impl Serialize) -> Result<(), String> {
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder)
            .map_err(|e| format!("cannot create the data folder {}: {e}", folder.display()))?;
    }
    export::write_atomic(path, |w| {
        serde_json::to_writer(w, value).map_err(|e| export::ExportError::Encode {
            path: path.display().to_string(),
            reason: e.to_string(),
        })
    })
    .map_err(|e| e.to_string())
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

    #[test]
    fn cleared_experiments_come_back_before_newer_ones() {
        let machine = crate::results::MachineInfo::detect();
        let mut store = ResultsStore::default();
        let mut first = ResultSet::new(machine.clone());
        first.created = "first".to_string();
        store.experiments.push(first);
        assert_eq!(store.clear(), 1);
        assert!(store.experiments.is_empty());
        let mut newer = ResultSet::new(machine);
        newer.created = "newer".to_string();
        store.experiments.push(newer);
        assert_eq!(store.restorable(), 1);
        assert_eq!(store.restore(), 1);
        let order: Vec<&str> = store
            .experiments
            .iter()
            .map(|s| s.created.as_str())
            .collect();
        assert_eq!(order, ["first", "newer"]);
        assert_eq!(store.restorable(), 0);
    }
}
