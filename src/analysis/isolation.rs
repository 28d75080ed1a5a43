//! Isolation made visible: whether a `--code` function returned the same
//! results under every model ([`find`]).
//!
//! Threads share a module's globals; worker processes each have their own
//! copy. A function that updates module-level state therefore returns
//! other results under the process models than under threads: the module's
//! first lesson, found in the user's own code. Each run records a digest of
//! its first repetition's results (`crate::results::CodeRecord`); here the
//! runs are grouped by digest and, where there are several groups, two runs
//! are named in one sentence: a run whose tasks share memory against one
//! whose tasks do not where there is such a pair, as that is the usual
//! cause.

use crate::results::{DigestGroup, Isolation, ResultSet, RunRecord};

/// The finding over the set's `--code` runs; `None` without any.
pub fn find(runs: &[RunRecord]) -> Option<Isolation> {
    let coded: Vec<(&RunRecord, &str)> = runs
        .iter()
        .filter_map(|r| r.code.as_ref().map(|c| (r, c.digest.as_str())))
        .collect();
    if coded.is_empty() {
        return None;
    }
    let mut groups: Vec<DigestGroup> = Vec::new();
    for (run, digest) in &coded {
        match groups.iter_mut().find(|g| g.digest == *digest) {
            Some(group) => group.runs.push(run.label()),
            None => groups.push(DigestGroup {
                digest: digest.to_string(),
                runs: vec![run.label()],
            }),
        }
    }
    // Stable: the largest first, ties in the set's order.
    groups.sort_by_key(|g| std::cmp::Reverse(g.runs.len()));
    let changed_between_repetitions = coded
        .iter()
        .filter(|(r, _)| r.code.as_ref().is_some_and(|c| !c.stable))
        .map(|(r, _)| r.label())
        .collect();
    let pair = differing_pair(&coded);
    let sentence = match pair {
        Some((a, b)) => differ_sentence(a, b),
        None => format!(
            "every model returned the same results (digest {})",
            short(&groups[0].digest)
        ),
    };
    Some(Isolation {
        results_differ: pair.is_some(),
        between: pair.map(|(a, b)| [a.label(), b.label()]),
        sentence,
        groups,
        changed_between_repetitions,
    })
}

/// The set's isolation sentence, and one about a function whose results
/// changed between repetitions: what the command line prints after the
/// table.
pub fn lines(set: &ResultSet) -> Vec<String> {
    let Some(isolation) = &set.isolation else {
        return Vec::new();
    };
    let mut lines = vec![isolation.sentence.clone()];
    if let Some(first) = isolation.changed_between_repetitions.first() {
        lines.push(format!(
            "results changed between repetitions of {first}: this function keeps state \
             between calls (each run's digest is its first repetition's)"
        ));
    }
    let notes = set
        .runs
        .iter()
        .filter_map(|r| r.code.as_ref()?.reimport.as_deref());
    if let Some(note) = notes.into_iter().next() {
        lines.push(note.to_string());
    }
    lines
}

/// Whether the run's tasks share one process's memory (threads, an event
/// loop, one after another) rather than each worker its own.
fn shares_memory(run: &RunRecord) -> bool {
    !run.model.uses_processes() && !run.model.uses_mpirun()
}

/// Two runs with different digests: where possible one that shares memory
/// and one that does not, the first not the baseline; else the first two.
fn differing_pair<'a>(coded: &[(&'a RunRecord, &str)]) -> Option<(&'a RunRecord, &'a RunRecord)> {
    let mut best: Option<(u8, &RunRecord, &RunRecord)> = None;
    for (i, (a, da)) in coded.iter().enumerate() {
        for (b, db) in &coded[i + 1..] {
            if da == db {
                continue;
            }
            let (a, b) = if shares_memory(b) && !shares_memory(a) {
                (*b, *a)
            } else {
                (*a, *b)
            };
            let score = 2 * u8::from(shares_memory(a) && !shares_memory(b))
                + u8::from(a.model.uses_workers());
            if best.is_none_or(|(s, _, _)| score > s) {
                best = Some((score, a, b));
            }
        }
    }
    best.map(|(_, a, b)| (a, b))
}

/// "results differ between A and B: …", by model name where the two are
/// different models.
fn differ_sentence(a: &RunRecord, b: &RunRecord) -> String {
    let (first, second) = if a.model == b.model {
        (a.label(), b.label())
    } else {
        (a.model.to_string(), b.model.to_string())
    };
    let why = if shares_memory(a) && !shares_memory(b) {
        "this function depends on state shared between tasks"
    } else {
        "this function depends on state kept between calls, the order of calls or chance"
    };
    format!("results differ between {first} and {second}: {why}")
}

/// The first 12 hex digits of a digest.
fn short(digest: &str) -> &str {
    digest.get(..12).unwrap_or(digest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::CodeRecord;
    use crate::spec::Model;
    use crate::workload::CodeTarget;

    fn run(model: Model, workers: u32, digest: &str) -> RunRecord {
        let mut r = crate::results::testing::record(model, workers, 1.0);
        r.code = Some(Box::new(CodeRecord {
            target: CodeTarget::parse("a.py:f").unwrap(),
            is_async: false,
            inputs: false,
            digest: digest.to_string(),
            stable: true,
            reimport: None,
        }));
        r
    }

    #[test]
    fn the_same_results_everywhere_say_so() {
        let runs = [
            run(Model::PythonSerial, 1, "aaaaaaaaaaaaaaaa"),
            run(Model::PythonProcesses, 2, "aaaaaaaaaaaaaaaa"),
        ];
        let found = find(&runs).unwrap();
        assert!(!found.results_differ);
        assert_eq!(found.groups.len(), 1);
        assert!(
            found.sentence.contains("aaaaaaaaaaaa)"),
            "{}",
            found.sentence
        );
        assert!(find(&[crate::results::testing::record(Model::Serial, 1, 1.0)]).is_none());
    }

    #[test]
    fn threads_against_processes_is_the_pair_named() {
        let runs = [
            run(Model::PythonSerial, 1, "a"),
            run(Model::PythonThreads, 2, "a"),
            run(Model::PythonProcesses, 1, "a"),
            run(Model::PythonProcesses, 2, "b"),
        ];
        let found = find(&runs).unwrap();
        assert!(found.results_differ);
        assert_eq!(
            found.sentence,
            "results differ between python-threads and python-processes: this function \
             depends on state shared between tasks"
        );
        assert_eq!(
            found.between,
            Some([
                "python-threads ×2".to_string(),
                "python-processes ×2".to_string()
            ])
        );
        assert_eq!(found.groups[0].runs.len(), 3);
    }
}
