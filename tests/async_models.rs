//! The async models: waits overlap on one thread, computations do not, and
//! every workload gives serial's checksum.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use corescope::engine::{CancelToken, EngineConfig, run_one};
use corescope::results::{RunRecord, SpanRecord};
use corescope::spec::{Codec, Model, RunSpec, Scaling, Schedule, StartMethod, WorkloadSpec};
use corescope::workload::Workload;

fn spec(workload: Workload, size: u64, tasks: u32, model: Model, workers: u32) -> RunSpec {
    RunSpec {
        workload: WorkloadSpec {
            workload,
            size,
            tasks,
            payload_bytes: if workload.takes_payload() { 2000 } else { 0 },
            io_percent: if workload == Workload::Mixed { 50 } else { 0 },
            sharing: corescope::workload::Sharing::Isolated,
        },
        model,
        workers,
        schedule: Schedule::Queue,
        chunk: 1,
        repeats: 1,
        warmup: 0,
        in_flight: 2,
        switch_interval_us: corescope::spec::DEFAULT_SWITCH_INTERVAL_US,
        codec: Codec::Bincode,
        scaling: Scaling::Strong,
        start_method: StartMethod::Fork,
        runtime_threads: 1,
        transport: corescope::spec::Transport::Pipe,
    }
}

fn run(spec: &RunSpec) -> RunRecord {
    let config = EngineConfig::new(common::exe());
    run_one(spec, &config, &CancelToken::new(), &mut |_, _| {})
        .unwrap_or_else(|e| panic!("{} failed: {e}", spec.label()))
}

/// The most spans open at one instant.
fn most_at_once(spans: &[SpanRecord]) -> usize {
    let mut edges: Vec<(f64, i32)> = spans
        .iter()
        .flat_map(|s| [(s.start_seconds, 1), (s.end_seconds, -1)])
        .collect();
    // At a tie an end comes first: touching spans do not overlap.
    edges.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut open = 0i32;
    let mut most = 0i32;
    for (_, step) in edges {
        open += step;
        most = most.max(open);
    }
    most as usize
}

#[test]
fn a_thousand_waits_overlap_on_one_thread() {
    let record = run(&spec(Workload::Sleep, 50, 1000, Model::Async, 1000));
    assert_eq!(record.spans.len(), 1000);
    let slots: std::collections::BTreeSet<u32> = record.spans.iter().map(|s| s.worker).collect();
    assert_eq!(slots.len(), 1000, "every task in flight has a slot");
    // One runtime thread, yet the waits overlap: far more than any core
    // count of threads could hold at once. (All 1,000 start before the
    // first 50 ms wait ends unless the machine stalls for most of it.)
    let most = most_at_once(&record.spans);
    assert!(most >= 500, "only {most} of 1000 waits overlapped");
}

#[test]
fn computations_on_a_current_thread_runtime_never_overlap() {
    for workload in [Workload::SqrtSum, Workload::Mandelbrot] {
        let size = if workload == Workload::SqrtSum {
            200_000
        } else {
            64
        };
        let record = run(&spec(workload, size, 16, Model::Async, 8));
        assert_eq!(record.spans.len(), 16);
        // Eight tasks in flight, one thread: each computation blocks it.
        assert_eq!(most_at_once(&record.spans), 1, "{workload}");
        let slots: std::collections::BTreeSet<u32> =
            record.spans.iter().map(|s| s.worker).collect();
        assert!(slots.len() > 1, "{workload}: the slots took turns");
    }
}

#[test]
fn every_workload_gives_serials_checksum_under_async() {
    for workload in Workload::ALL {
        let size = match workload {
            Workload::SqrtSum => 50_000,
            Workload::Primes => 5_000,
            Workload::Mandelbrot => 40,
            Workload::Echo => 2,
            _ => 2,
        };
        let serial = run(&spec(workload, size, 6, Model::Serial, 1));
        for threads in [1, 2] {
            let mut s = spec(workload, size, 6, Model::Async, 3);
            s.runtime_threads = threads;
            let record = run(&s);
            assert_eq!(record.checksum, serial.checksum, "{workload} ×{threads}");
            assert_eq!(record.ipc.bytes_to_workers, 0, "{workload}");
        }
        let mut static_chunks = spec(workload, size, 6, Model::Async, 4);
        static_chunks.schedule = Schedule::Static;
        static_chunks.chunk = Schedule::Static.default_chunk(6, 4);
        assert_eq!(run(&static_chunks).checksum, serial.checksum, "{workload}");
    }
}

#[test]
fn an_async_models_workers_are_called_tasks_in_flight() {
    use corescope::chart::{ChartKind, build};
    use corescope::results::{MachineInfo, ResultSet};
    use corescope::table::Column;
    let serial = run(&spec(Workload::Sleep, 1, 4, Model::Serial, 1));
    let mut two_threads = spec(Workload::Sleep, 1, 4, Model::Async, 4);
    two_threads.runtime_threads = 2;
    let tasks = run(&two_threads);
    let cell = Column::Workers.cell(&tasks);
    assert_eq!(cell.text, "4 in flight");
    assert_eq!(
        cell.note.as_deref(),
        Some("4 tasks in flight on 2 runtime threads")
    );
    assert_eq!(tasks.runtime_threads, Some(2));
    assert_eq!(Column::Workers.cell(&serial).text, "1");
    let mut set = ResultSet::new(MachineInfo::detect());
    set.runs = vec![serial.clone()];
    assert_eq!(build(ChartKind::Speedup, &set).x_label, "workers");
    set.runs.push(tasks);
    assert_eq!(
        build(ChartKind::Speedup, &set).x_label,
        "workers (async: tasks in flight)"
    );
}

/// The bytes of one task frame to a worker (header included), bincode.
fn task_frame_bytes(task: corescope::workload::Task) -> u64 {
    use corescope::worker::protocol::{FRAME_HEADER_BYTES, ToWorker, frame_len};
    let frame = ToWorker::Task {
        task,
        payload: std::borrow::Cow::Borrowed(&[][..]),
    };
    FRAME_HEADER_BYTES + u64::from(frame_len(Codec::Bincode, &frame).unwrap())
}

#[test]
fn async_plus_processes_ships_only_the_cpu_part() {
    use corescope::workload::{Task, compute_part};
    let tasks = 8;
    // All I/O: nothing crosses a pipe.
    for workload in [Workload::Sleep, Workload::Net] {
        let serial = run(&spec(workload, 2, tasks, Model::Serial, 1));
        let record = run(&spec(workload, 2, tasks, Model::AsyncProcesses, 4));
        assert_eq!(record.checksum, serial.checksum, "{workload}");
        assert_eq!(record.ipc.messages, 0, "{workload}");
        assert_eq!(record.ipc.bytes_to_workers, 0, "{workload}");
        assert_eq!(record.ipc.bytes_from_workers, 0, "{workload}");
        assert!(record.processes_started > 0);
    }
    // Mixed and CPU-bound: one frame out and one back per task, and the
    // frame out is the compute part's (mixed's sqrt-sum terms), not the task.
    for workload in [Workload::Mixed, Workload::SqrtSum] {
        let size = if workload == Workload::Mixed {
            2
        } else {
            100_000
        };
        let s = spec(workload, size, tasks, Model::AsyncProcesses, 4);
        let serial = run(&spec(workload, size, tasks, Model::Serial, 1));
        let record = run(&s);
        assert_eq!(record.checksum, serial.checksum, "{workload}");
        assert_eq!(record.ipc.messages, 2 * u64::from(tasks), "{workload}");
        let shipped: u64 = (0..tasks)
            .map(|index| {
                let task = Task {
                    workload,
                    size,
                    index,
                    tasks,
                    io_percent: s.workload.io_percent,
                    port: 0,
                    sharing: corescope::workload::Sharing::Isolated,
                };
                task_frame_bytes(compute_part(&task).unwrap().0)
            })
            .sum();
        assert_eq!(record.ipc.bytes_to_workers, shipped, "{workload}");
    }
}

#[test]
fn every_workload_gives_serials_checksum_under_async_plus_processes() {
    for workload in Workload::ALL {
        let size = match workload {
            Workload::SqrtSum => 50_000,
            Workload::Primes => 5_000,
            Workload::Mandelbrot => 40,
            _ => 2,
        };
        let serial = run(&spec(workload, size, 6, Model::Serial, 1));
        for (slots, in_flight) in [(1, 1), (5, 2)] {
            let mut s = spec(workload, size, 6, Model::AsyncProcesses, slots);
            s.in_flight = in_flight;
            assert_eq!(run(&s).checksum, serial.checksum, "{workload} ×{slots}");
        }
    }
}
