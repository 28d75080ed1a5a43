//! The async models: waits overlap on one thread, computations do not, and
//! every workload gives serial's checksum.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{run, run_spec};
use corescope::results::SpanRecord;
use corescope::spec::{Codec, Model, Schedule};
use corescope::workload::Workload;

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
    let record = run(&run_spec(Model::Async, Workload::Sleep)
        .size(50)
        .tasks(1000)
        .workers(1000)
        .build());
    assert_eq!(record.spans.len(), 1000);
    let slots: std::collections::BTreeSet<u32> = record.spans.iter().map(|s| s.worker).collect();
    assert_eq!(slots.len(), 1000, "every task in flight has a slot");
    // One runtime thread, yet the waits overlap: a wait that held the
    // thread would end before the next task began, every time, however
    // loaded the machine. How many overlap does depend on the machine (a
    // stall while tasks start lets early waits end), so it is no test.
    let most = most_at_once(&record.spans);
    assert!(most > 1, "no task started while another waited");
    // Each wait lasts its 50 ms at least, on a loaded machine too.
    assert!(
        record
            .spans
            .iter()
            .all(|s| s.end_seconds - s.start_seconds >= 0.05)
    );
}

#[test]
fn computations_on_a_current_thread_runtime_never_overlap() {
    for workload in [Workload::SqrtSum, Workload::Mandelbrot] {
        let size = if workload == Workload::SqrtSum {
            200_000
        } else {
            64
        };
        let record = run(&run_spec(Model::Async, workload)
            .size(size)
            .tasks(16)
            .workers(8)
            .payload(2000)
            .io_percent(50)
            .build());
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
        let serial = run(&run_spec(Model::Serial, workload)
            .size(size)
            .tasks(6)
            .payload(2000)
            .io_percent(50)
            .build());
        for threads in [1, 2] {
            let s = run_spec(Model::Async, workload)
                .size(size)
                .tasks(6)
                .workers(3)
                .payload(2000)
                .io_percent(50)
                .runtime_threads(threads)
                .build();
            let record = run(&s);
            assert_eq!(record.checksum, serial.checksum, "{workload} ×{threads}");
            assert_eq!(record.ipc.bytes_to_workers, 0, "{workload}");
        }
        let static_chunks = run_spec(Model::Async, workload)
            .size(size)
            .tasks(6)
            .workers(4)
            .payload(2000)
            .io_percent(50)
            .schedule(Schedule::Static)
            .build();
        assert_eq!(run(&static_chunks).checksum, serial.checksum, "{workload}");
    }
}

#[test]
fn an_async_models_workers_are_called_tasks_in_flight() {
    use corescope::chart::{ChartKind, build};
    use corescope::results::{MachineInfo, ResultSet};
    use corescope::table::Column;
    let serial = run(&run_spec(Model::Serial, Workload::Sleep)
        .size(1)
        .tasks(4)
        .build());
    let two_threads = run_spec(Model::Async, Workload::Sleep)
        .size(1)
        .tasks(4)
        .workers(4)
        .runtime_threads(2)
        .build();
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
        let serial = run(&run_spec(Model::Serial, workload)
            .size(2)
            .tasks(tasks)
            .payload(2000)
            .io_percent(50)
            .build());
        let record = run(&run_spec(Model::AsyncProcesses, workload)
            .size(2)
            .tasks(tasks)
            .workers(4)
            .payload(2000)
            .io_percent(50)
            .build());
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
        let s = run_spec(Model::AsyncProcesses, workload)
            .size(size)
            .tasks(tasks)
            .workers(4)
            .payload(2000)
            .io_percent(50)
            .build();
        let serial = run(&run_spec(Model::Serial, workload)
            .size(size)
            .tasks(tasks)
            .payload(2000)
            .io_percent(50)
            .build());
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
        let serial = run(&run_spec(Model::Serial, workload)
            .size(size)
            .tasks(6)
            .payload(2000)
            .io_percent(50)
            .build());
        for (slots, in_flight) in [(1, 1), (5, 2)] {
            let s = run_spec(Model::AsyncProcesses, workload)
                .size(size)
                .tasks(6)
                .workers(slots)
                .payload(2000)
                .io_percent(50)
                .in_flight(in_flight)
                .build();
            assert_eq!(run(&s).checksum, serial.checksum, "{workload} ×{slots}");
        }
    }
}
