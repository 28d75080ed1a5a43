//! The counter workload for real: racy threads lose updates, locks, atomics
//! and partial sums lose none, worker processes count in memory of their
//! own, and CPython reports its figures the same way (skipped, saying so,
//! where no python3 exists and CPython is not required). No exact loss is ever asserted: races depend
//! on the machine and its load.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

mod common;

use common::{run, run_on, run_spec};
use corescope::results::RunRecord;
use corescope::spec::Model;
use corescope::workload::{CountedIn, Sharing, Workload};

/// The figures every counter run reports, consistent with each other.
fn figures(record: &RunRecord) -> (u64, u64, u64) {
    let expected = record.expected_total.expect("expected_total");
    let total = record.total.expect("total");
    let lost = record.lost_updates.expect("lost_updates");
    assert_eq!(expected, 4 * record.size, "{}", record.label());
    assert_eq!(lost, expected - total, "{}", record.label());
    assert!(record.sharing.is_some());
    (expected, total, lost)
}

#[test]
fn racy_threads_lose_updates() {
    // Two threads hammering one counter lose updates whenever they run at
    // once; on a busy machine one attempt may be unlucky, so a few are
    // allowed, and no figure is asserted beyond "some".
    let racy = run_spec(Model::Threads, Workload::Counter)
        .size(5_000_000)
        .workers(2)
        .sharing(Sharing::Racy)
        .repeats(2)
        .build();
    let lost: Vec<u64> = (0..5)
        .map(|_| figures(&run(&racy)).2)
        .take_while(|&lost| lost == 0)
        .collect();
    assert!(
        lost.len() < 5,
        "racy threads ×2 lost no update in 5 attempts of 20M increments"
    );
}

#[test]
fn locked_atomic_and_isolated_lose_nothing() {
    for model in [Model::Serial, Model::Threads, Model::GilThreads] {
        for sharing in [Sharing::Locked, Sharing::Atomic, Sharing::Isolated] {
            let record = run(&run_spec(model, Workload::Counter)
                .size(200_000)
                .workers(2)
                .sharing(sharing)
                .repeats(2)
                .build());
            let (expected, total, lost) = figures(&record);
            assert_eq!((total, lost), (expected, 0), "{} {sharing}", record.label());
            let counted = if sharing == Sharing::Isolated {
                CountedIn::PartialSums
            } else {
                CountedIn::SharedCounter
            };
            assert_eq!(record.counted_in, Some(counted));
            // Every repetition, not just the median one.
            assert!(record.repetitions.iter().all(|r| r.total == Some(expected)));
        }
    }
}

#[test]
fn worker_processes_count_in_their_own_copies() {
    for model in [Model::Processes, Model::ProcessPerTask] {
        for sharing in [Sharing::Racy, Sharing::Locked, Sharing::Atomic] {
            let record = run(&run_spec(model, Workload::Counter)
                .size(100_000)
                .workers(2)
                .sharing(sharing)
                .repeats(2)
                .build());
            let (expected, total, lost) = figures(&record);
            // The main process's counter never moved.
            assert_eq!((total, lost), (0, expected), "{} {sharing}", record.label());
            assert_eq!(record.counted_in, Some(CountedIn::WorkerCopies));
        }
        let isolated = run(&run_spec(model, Workload::Counter)
            .size(100_000)
            .workers(2)
            .sharing(Sharing::Isolated)
            .repeats(2)
            .build());
        let (expected, total, _) = figures(&isolated);
        assert_eq!(total, expected, "{}", isolated.label());
        assert_eq!(isolated.counted_in, Some(CountedIn::PartialSums));
    }
}

#[test]
fn the_checksum_ignores_how_the_counter_was_shared() {
    let checksums: Vec<String> = [Sharing::Racy, Sharing::Locked, Sharing::Isolated]
        .into_iter()
        .map(|sharing| {
            run(&run_spec(Model::Threads, Workload::Counter)
                .size(50_000)
                .workers(2)
                .sharing(sharing)
                .repeats(2)
                .build())
            .checksum
        })
        .collect();
    assert!(
        checksums.iter().all(|c| *c == checksums[0]),
        "{checksums:?}"
    );
}

#[test]
fn cpython_reports_its_counter_figures() {
    let Some(python) = common::require_python() else {
        return;
    };
    // Locks and partial sums are exact in CPython too.
    for model in [
        Model::PythonSerial,
        Model::PythonThreads,
        Model::PythonProcesses,
        Model::PythonExecutor,
        Model::PythonQueue,
    ] {
        for sharing in [Sharing::Locked, Sharing::Isolated] {
            let record = run_on(
                &run_spec(model, Workload::Counter)
                    .size(5_000)
                    .workers(2)
                    .sharing(sharing)
                    .repeats(2)
                    .build(),
                &python.clone(),
            );
            let (expected, total, _) = figures(&record);
            assert_eq!(total, expected, "{} {sharing}", record.label());
        }
    }
    // Racy: a global += under the GIL, and Value.value += 1 across
    // processes. What they lose depends on the interpreter and the
    // machine: reported, never asserted beyond the totals' consistency.
    for model in [Model::PythonThreads, Model::PythonProcesses] {
        let record = run_on(
            &run_spec(model, Workload::Counter)
                .size(50_000)
                .workers(2)
                .sharing(Sharing::Racy)
                .repeats(2)
                .build(),
            &python.clone(),
        );
        let (expected, total, lost) = figures(&record);
        assert!(total <= expected);
        assert_eq!(record.counted_in, Some(CountedIn::SharedCounter));
        eprintln!(
            "{} racy: lost {lost} of {expected} ({})",
            record.label(),
            record.python_version.unwrap_or_default()
        );
    }
}
