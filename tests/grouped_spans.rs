//! Grouped spans with real runs: where tasks are tiny, serial and thread
//! workers time groups of consecutive tasks, which still cover every task
//! exactly once and never overlap on a worker; a saved set with groups
//! reads back, and so does a file of the previous schema version (one
//! span per task, no `tasks` field).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use common::{run, run_spec};
use corescope::export::data::Exporter;
use corescope::export::json::Json;
use corescope::results::{MachineInfo, ResultSet, RunRecord, SCHEMA_VERSION};
use corescope::spec::{Model, Schedule};
use corescope::workload::Workload;

const TASKS: u32 = 20_000;

/// Tiny tasks (sqrt-sum of one number), a warm-up to judge them by.
fn tiny(model: Model, schedule: Schedule, chunk: Option<u32>) -> RunRecord {
    let mut spec = run_spec(model, Workload::SqrtSum)
        .size(1)
        .tasks(TASKS)
        .workers(2)
        .schedule(schedule)
        .repeats(3)
        .warmup(1);
    if let Some(chunk) = chunk {
        spec = spec.chunk(chunk);
    }
    run(&spec.build())
}

/// Every task once, inside the wall; on each worker, spans one after
/// another.
fn assert_covered_once_and_apart(record: &RunRecord, what: &str) {
    let mut covered: Vec<u32> = record.spans.iter().flat_map(|s| s.covered()).collect();
    covered.sort_unstable();
    assert_eq!(covered, (0..TASKS).collect::<Vec<_>>(), "{what}");
    let mut spans: Vec<_> = record.spans.iter().collect();
    spans.sort_by(|a, b| {
        (a.worker, a.start_seconds)
            .partial_cmp(&(b.worker, b.start_seconds))
            .unwrap()
    });
    for pair in spans.windows(2) {
        if pair[0].worker == pair[1].worker {
            assert!(
                pair[0].end_seconds <= pair[1].start_seconds,
                "{what}: {:?} overlaps {:?}",
                pair[0],
                pair[1]
            );
        }
    }
    assert!(spans.iter().all(|s| s.ipc.is_none()), "{what}");
}

#[test]
fn tiny_tasks_are_timed_in_groups_that_cover_each_task_once() {
    let runs = [
        (tiny(Model::Serial, Schedule::Static, None), "serial"),
        (
            tiny(Model::Threads, Schedule::Static, None),
            "threads static",
        ),
        (
            tiny(Model::Threads, Schedule::Queue, Some(500)),
            "threads queue 500",
        ),
    ];
    for (record, what) in &runs {
        assert_covered_once_and_apart(record, what);
        // Groups, far fewer spans than tasks.
        assert!(
            record.spans.len() * 4 < TASKS as usize,
            "{what}: {} spans for {TASKS} tasks",
            record.spans.len()
        );
        // Compute is the groups' time: inside the workers' wall time.
        let workers = f64::from(record.workers);
        assert!(record.compute_seconds.median <= record.wall_seconds.max * workers + 1e-3);
    }
    // A queue of chunk 1: each worker's tasks are scattered, so groups
    // list them; still each task once.
    let queue = tiny(Model::Threads, Schedule::Queue, Some(1));
    assert_covered_once_and_apart(&queue, "threads queue 1");
    assert!(
        queue.spans.len() * 4 < TASKS as usize,
        "{}",
        queue.spans.len()
    );
    for span in queue.spans.iter().filter(|s| s.members.is_some()) {
        assert!(
            !span.tasks_label().contains('\u{2013}'),
            "{}",
            span.tasks_label()
        );
    }
    // Long tasks keep a span each.
    let long = run(&run_spec(Model::Threads, Workload::Sleep)
        .size(2)
        .tasks(6)
        .workers(2)
        .repeats(1)
        .warmup(1)
        .build());
    assert!(long.spans.iter().all(|s| s.tasks == 1) && long.spans.len() == 6);
    // The set validates, is saved, and reads back the same.
    let mut set = ResultSet::new(MachineInfo::detect());
    set.runs = runs.into_iter().map(|(r, _)| r).collect();
    set.runs.push(queue);
    set.runs.push(long);
    set.validate().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("grouped.json");
    std::fs::write(&path, Json.serialize(&set).unwrap()).unwrap();
    let back = ResultSet::load(&path).unwrap();
    assert_eq!(back.schema_version, SCHEMA_VERSION);
    assert_eq!(back.runs, set.runs);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("\"tasks\":"), "spans write their task count");
}

#[test]
fn a_file_of_schema_version_1_reads_back_with_a_span_per_task() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema-v1.json");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("\"schema_version\": 1") && !text.contains("\"tasks\":1"));
    let set = ResultSet::load(&path).unwrap();
    // Read into the current layout, so it is saved as the current version.
    assert_eq!(set.schema_version, SCHEMA_VERSION);
    let run = set.runs.iter().find(|r| !r.spans.is_empty()).unwrap();
    assert!(run.spans.iter().all(|s| s.tasks == 1));
    let mut covered: Vec<u32> = run.spans.iter().flat_map(|s| s.covered()).collect();
    covered.sort_unstable();
    assert_eq!(covered, (0..run.tasks).collect::<Vec<_>>());
    assert!(
        set.runs
            .iter()
            .any(|r| r.spans.iter().any(|s| s.ipc.is_some()))
    );
}
