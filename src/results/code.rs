//! What a `--code` run records about the user's function ([`CodeRecord`],
//! a run's `code` field) and what the set says about its results across
//! models ([`Isolation`], the set's top-level `isolation` field).
//!
//! The digest of a run is the SHA-256 of its tasks' digests sorted, each
//! the SHA-256 of `pickle.dumps(result, protocol=4)`, taken from the run's
//! first repetition (the first calls in fresh processes): the same results
//! in any order give the same digest, so models that interleave tasks
//! differently still agree on a pure function. Later repetitions are
//! compared with the first: a function that keeps state between calls is
//! `stable: false`.

use serde::{Deserialize, Serialize};

use crate::workload::CodeTarget;

/// A `--code` run's function and what its results were.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeRecord {
    /// The file and the function called.
    #[serde(flatten)]
    pub target: CodeTarget,
    /// `async def`: awaited on the asyncio models, run with
    /// `asyncio.run` per task on the others.
    #[serde(default)]
    pub is_async: bool,
    /// The arguments came from the file's `inputs()` (else task i got i).
    #[serde(default)]
    pub inputs: bool,
    /// The digest of the first repetition's results, as hex.
    pub digest: String,
    /// Every later repetition gave the same digest.
    #[serde(default = "yes")]
    pub stable: bool,
    /// The file's module-level code ran again in each spawned worker and
    /// printed or took long: what the harness saw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reimport: Option<String>,
}

impl CodeRecord {
    /// What its run called, in Python's words, for a headline:
    /// `digest(i) for i in range(16) in hashing.py`, or `squeeze(x) for the
    /// 8 x of inputs() in compress.py` (the function decides a task's size:
    /// there is none to quote).
    pub fn call(&self, tasks: u32) -> String {
        let target = &self.target;
        let file = target.file.file_name().map_or_else(
            || target.file.display().to_string(),
            |f| f.to_string_lossy().into_owned(),
        );
        let awaited = if self.is_async { "await " } else { "" };
        let function = &target.function;
        if self.inputs {
            format!("{awaited}{function}(x) for the {tasks} x of inputs() in {file}")
        } else {
            format!("{awaited}{function}(i) for i in range({tasks}) in {file}")
        }
    }
}

fn yes() -> bool {
    true
}

/// Whether every `--code` run returned the same results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Isolation {
    /// Two runs' digests differ.
    pub results_differ: bool,
    /// The two runs named in the sentence (labels, such as
    /// `python-threads ×2`), where results differ.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub between: Option<[String; 2]>,
    /// The finding in one sentence.
    pub sentence: String,
    /// The runs grouped by digest, the largest group first.
    pub groups: Vec<DigestGroup>,
    /// Runs whose later repetitions returned other results than the first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changed_between_repetitions: Vec<String>,
}

/// Runs that returned the same results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestGroup {
    pub digest: String,
    /// Their labels, in the set's order.
    pub runs: Vec<String>,
}
