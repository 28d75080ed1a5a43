//! The engine with real worker processes: checksums agree across models and
//! schedules, bytes are counted at the pipe, every task runs once, and a
//! misbehaving worker fails the run cleanly without leaving processes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{engine_config, run, run_spec, try_run_with};

use std::path::PathBuf;

use corescope::engine::{CancelToken, EngineConfig, EngineError, run_experiment, run_one};
use corescope::results::RunRecord;
use corescope::spec::{Codec, Model, RawExperiment, Schedule, Setting};
use corescope::worker::protocol::{
    FRAME_HEADER_BYTES, FromWorker, MAX_FRAME_BYTES, ProtocolError, ToWorker, encode_frame,
    read_frame_with,
};
use corescope::workload::{Task, Workload};

/// Framing beyond the payload, per frame, at most: a task's fields, or a
/// result's index, value, clock stamps and CPU time (bincode varints).
const MESSAGE_BYTES: u64 = 80;

#[test]
fn checksums_agree_across_models_workers_and_schedules() {
    for (workload, size, tasks) in [
        (Workload::SqrtSum, 50_000, 7),
        (Workload::Primes, 5_000, 9),
        (Workload::Mandelbrot, 60, 12),
        (Workload::Sleep, 1, 5),
    ] {
        let reference = run(&run_spec(Model::Serial, workload)
            .size(size)
            .tasks(tasks)
            .schedule(Schedule::Static)
            .repeats(2)
            .build())
        .checksum;
        for model in [
            Model::Threads,
            Model::GilThreads,
            Model::Processes,
            Model::ProcessPerTask,
        ] {
            for workers in [1, 3] {
                for schedule in Schedule::ALL {
                    let mut s = run_spec(model, workload)
                        .size(size)
                        .tasks(tasks)
                        .workers(workers)
                        .schedule(schedule)
                        .repeats(2)
                        .build();
                    if schedule == Schedule::Queue {
                        s.chunk = 2;
                    }
                    let record = run(&s);
                    assert_eq!(
                        record.checksum, reference,
                        "{workload} {model} ×{workers} {schedule}"
                    );
                }
            }
        }
    }
}

#[test]
fn both_schedules_run_every_task_exactly_once() {
    for model in [Model::Threads, Model::Processes] {
        for schedule in Schedule::ALL {
            let record = run(&run_spec(model, Workload::Mandelbrot)
                .size(40)
                .tasks(13)
                .workers(3)
                .schedule(schedule)
                .repeats(2)
                .build());
            let mut tasks: Vec<u32> = record.spans.iter().flat_map(|s| s.covered()).collect();
            tasks.sort_unstable();
            assert_eq!(tasks, (0..13).collect::<Vec<_>>(), "{model} {schedule}");
            let wall = record.wall_seconds.max;
            for span in &record.spans {
                assert!(span.worker < 3);
                assert!(span.start_seconds <= span.end_seconds && span.end_seconds <= wall + 1e-3);
            }
        }
    }
}

/// Thread workers note their tasks in batches of a few thousand, handed
/// over when full and at the end: a run of many more tasks than one batch
/// still records every task once, its progress counts to the total, and
/// with instrumentation off the values (the checksum) survive alone.
#[test]
fn threads_record_every_task_of_many_batches_once() {
    const TASKS: u32 = 9_001;
    let serial = run(&run_spec(Model::Serial, Workload::SqrtSum)
        .size(1)
        .tasks(TASKS)
        .schedule(Schedule::Static)
        .repeats(2)
        .build());
    for model in [Model::Threads, Model::GilThreads] {
        for schedule in Schedule::ALL {
            let s = run_spec(model, Workload::SqrtSum)
                .size(1)
                .tasks(TASKS)
                .workers(3)
                .schedule(schedule)
                .repeats(2)
                .build();
            let mut progress = (0, 0);
            let record = run_one(
                &s,
                &engine_config(),
                &CancelToken::new(),
                &mut |done, total| {
                    progress = (done, total);
                },
            )
            .expect("run succeeds");
            assert_eq!(record.checksum, serial.checksum, "{model} {schedule}");
            let mut tasks: Vec<u32> = record.spans.iter().flat_map(|s| s.covered()).collect();
            tasks.sort_unstable();
            assert_eq!(tasks, (0..TASKS).collect::<Vec<_>>(), "{model} {schedule}");
            // Two repetitions, each task counted once in each.
            assert_eq!(
                progress,
                (2 * u64::from(TASKS), 2 * u64::from(TASKS)),
                "{model} {schedule}"
            );
            let off = EngineConfig {
                instrument: false,
                ..engine_config()
            };
            let bare =
                run_one(&s, &off, &CancelToken::new(), &mut |_, _| {}).expect("run succeeds");
            assert_eq!(bare.checksum, serial.checksum, "{model} {schedule}, off");
            assert!(bare.spans.is_empty(), "{model} {schedule}, off");
        }
    }
}

#[test]
fn a_queue_of_as_many_tasks_as_worker_processes_gives_each_one() {
    // Each worker keeps tasks queued ahead, but not the last ones: two
    // tasks for two workers are one each, however long they take.
    let record = run(&run_spec(Model::Processes, Workload::SqrtSum)
        .size(1_000_000)
        .tasks(2)
        .workers(2)
        .repeats(3)
        .build());
    // The spans are the median repetition's.
    for repetition in record.spans.chunks(2) {
        let mut workers: Vec<u32> = repetition.iter().map(|s| s.worker).collect();
        workers.sort_unstable();
        assert_eq!(workers, [0, 1], "{:?}", record.spans);
    }
}

#[test]
fn static_schedule_gives_each_worker_its_own_block() {
    let record = run(&run_spec(Model::Processes, Workload::SqrtSum)
        .size(1000)
        .tasks(8)
        .workers(2)
        .schedule(Schedule::Static)
        .repeats(2)
        .build());
    for span in &record.spans {
        assert_eq!(
            span.worker,
            span.task / 4,
            "task {} on worker {}",
            span.task,
            span.worker
        );
    }
}

#[test]
fn echo_bytes_are_counted_at_the_pipe() {
    let (payload, tasks) = (100_000u64, 6u32);
    let s = run_spec(Model::Processes, Workload::Echo)
        .size(1)
        .tasks(tasks)
        .workers(2)
        .repeats(2)
        .payload(payload)
        .build();
    let record = run(&s);
    let least = payload * u64::from(tasks);
    let most = least + u64::from(tasks) * (FRAME_HEADER_BYTES + MESSAGE_BYTES);
    for (direction, bytes) in [
        ("to", record.ipc.bytes_to_workers),
        ("from", record.ipc.bytes_from_workers),
    ] {
        assert!(
            (least..=most).contains(&bytes),
            "{direction} workers: {bytes} not in {least}..={most}"
        );
    }
    assert_eq!(record.ipc.messages, 2 * u64::from(tasks));
    for rep in &record.repetitions {
        assert_eq!(rep.ipc, record.ipc, "every repetition moves the same bytes");
    }
    for model in [Model::Serial, Model::Threads] {
        let s = run_spec(model, Workload::Echo)
            .size(1)
            .tasks(tasks)
            .workers(2)
            .repeats(2)
            .payload(payload)
            .build();
        let record = run(&s);
        assert_eq!(
            record.ipc.bytes_to_workers + record.ipc.bytes_from_workers + record.ipc.messages,
            0
        );
    }
}

#[test]
fn an_experiment_fills_speedups_from_its_serial_run() {
    let raw = RawExperiment::of([
        (Setting::Workload, "primes"),
        (Setting::Size, "2000"),
        (Setting::Tasks, "6"),
        (Setting::Models, "processes,serial,threads"),
        (Setting::Workers, "1,2"),
        (Setting::Schedule, "queue"),
        (Setting::Repeats, "1"),
        (Setting::Warmup, "0"),
    ]);
    let spec = raw.validate(&[2]).unwrap();
    let mut events = 0;
    let set = run_experiment(&spec, &engine_config(), &CancelToken::new(), &mut |_| {
        events += 1
    })
    .unwrap();
    assert_eq!(set.runs.len(), 5);
    assert_eq!(set.runs[0].model, Model::Serial);
    assert!(
        set.runs
            .iter()
            .all(|r| r.speedup.is_some() && r.efficiency.is_some())
    );
    assert!(events > 2 * 5, "started, then a start and a finish per run");
}

/// A stand-in "worker" that writes `bytes` to stdout, then runs `then`.
fn fake_worker(dir: &tempfile::TempDir, name: &str, bytes: &str, then: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.path().join(name);
    std::fs::write(&path, format!("#!/bin/sh\nprintf '{bytes}'\n{then}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[test]
fn garbage_from_a_worker_is_a_clean_protocol_error() {
    let dir = tempfile::tempdir().unwrap();
    // The first two then sleep for 30 s and leave a mark: a run that ends
    // before the mark proves the parent kills a broken worker rather than
    // waiting for it (an order of events, whatever the machine's load).
    let sleeps = "sleep 30; touch \"$0.finished\"";
    let cases = [
        ("huge", "\\377\\377\\377\\377", sleeps, "limit"),
        (
            "junk",
            "\\020\\000\\000\\000garbage-garbage!",
            sleeps,
            "undecodable",
        ),
        (
            "short",
            "\\020\\000\\000\\000abc",
            "exit 0",
            "ended inside a frame",
        ),
    ];
    for (name, bytes, then, expected) in cases {
        let exe = fake_worker(&dir, name, bytes, then);
        let s = run_spec(Model::Processes, Workload::SqrtSum)
            .size(10)
            .tasks(2)
            .repeats(2)
            .build();
        let error = run_one(
            &s,
            &EngineConfig::new(exe),
            &CancelToken::new(),
            &mut |_, _| {},
        )
        .expect_err("garbage must fail the run");
        let text = error.to_string();
        assert!(
            matches!(
                error,
                EngineError::Protocol { worker: 0, .. } | EngineError::WorkerDied { .. }
            ),
            "{name}: {text}"
        );
        assert!(text.contains(expected), "{name}: {text}");
        let finished = dir.path().join(format!("{name}.finished"));
        assert!(!finished.exists(), "{name}: the run waited for its worker");
    }
}

#[test]
fn a_worker_fed_garbage_exits_with_an_error_not_a_panic() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(common::exe())
        .arg("__worker")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&[0xff, 0xff, 0xff, 0x7f, 1, 2, 3])
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("limit") && !err.contains("panicked"), "{err}");
}

#[test]
fn gil_threads_never_compute_on_two_threads_at_once() {
    let s = run_spec(Model::GilThreads, Workload::SqrtSum)
        .size(2_000_000)
        .tasks(8)
        .workers(3)
        .repeats(2)
        .switch_interval_us(1_000)
        .build();
    let record = run(&s);
    assert_eq!(record.switch_interval_seconds, Some(0.001));
    let mut holds = record.gil_holds.clone();
    assert!(holds.len() >= 8, "at least one hold per task");
    holds.sort_by(|a, b| a.start_seconds.total_cmp(&b.start_seconds));
    for pair in holds.windows(2) {
        assert!(
            pair[0].end_seconds <= pair[1].start_seconds,
            "{:?} overlaps {:?}",
            pair[0],
            pair[1]
        );
    }
    // The lock changed hands mid-task: more holds than tasks, on every worker.
    assert!(holds.len() > 8);
    for worker in 0..3 {
        assert!(
            holds.iter().any(|h| h.worker == worker),
            "worker {worker} never held the lock"
        );
    }
    assert_eq!(
        record.checksum,
        run(&run_spec(Model::Serial, Workload::SqrtSum)
            .size(2_000_000)
            .tasks(8)
            .repeats(2)
            .build())
        .checksum
    );
}

#[test]
fn gil_threads_still_overlap_while_blocked() {
    let record = run(&run_spec(Model::GilThreads, Workload::Sleep)
        .size(50)
        .tasks(4)
        .workers(4)
        .repeats(2)
        .build());
    let overlaps = record.spans.iter().any(|a| {
        record.spans.iter().any(|b| {
            a.worker != b.worker
                && a.start_seconds < b.end_seconds
                && b.start_seconds < a.end_seconds
        })
    });
    assert!(
        overlaps,
        "sleeping gil-threads must overlap: {:?}",
        record.spans
    );
    // Sleeping holds the lock only for a moment around each wait.
    let held: f64 = record
        .gil_holds
        .iter()
        .map(|h| h.end_seconds - h.start_seconds)
        .sum();
    assert!(held < record.compute_seconds.median / 2.0);
}

#[test]
fn process_per_task_starts_one_process_per_task() {
    let s = run_spec(Model::ProcessPerTask, Workload::SqrtSum)
        .size(1000)
        .tasks(5)
        .workers(2)
        .repeats(2)
        .build();
    let record = run(&s);
    assert_eq!(
        record.processes_started,
        5 * u64::from(s.repeats + s.warmup)
    );
    let mut tasks: Vec<u32> = record.spans.iter().flat_map(|s| s.covered()).collect();
    tasks.sort_unstable();
    assert_eq!(tasks, [0, 1, 2, 3, 4]);
    let pool = run(&run_spec(Model::Processes, Workload::SqrtSum)
        .size(1000)
        .tasks(5)
        .workers(2)
        .repeats(2)
        .build());
    assert_eq!(pool.processes_started, 2);
    assert_eq!(record.checksum, pool.checksum);
    // Every task's bytes still cross a pipe.
    assert!(record.ipc.bytes_to_workers >= pool.ipc.bytes_to_workers);
}

#[test]
fn json_moves_more_bytes_than_bincode_and_computes_the_same() {
    let bincode = run(&run_spec(Model::Processes, Workload::Echo)
        .size(1)
        .tasks(4)
        .workers(2)
        .payload(10_000)
        .codec(Codec::Bincode)
        .repeats(2)
        .build());
    let json = run(&run_spec(Model::Processes, Workload::Echo)
        .size(1)
        .tasks(4)
        .workers(2)
        .payload(10_000)
        .codec(Codec::Json)
        .repeats(2)
        .build());
    assert_eq!((bincode.codec, json.codec), (Codec::Bincode, Codec::Json));
    assert!(
        json.ipc.bytes_to_workers > bincode.ipc.bytes_to_workers,
        "to workers: json {} vs bincode {}",
        json.ipc.bytes_to_workers,
        bincode.ipc.bytes_to_workers
    );
    assert!(
        json.ipc.bytes_from_workers > bincode.ipc.bytes_from_workers,
        "from workers: json {} vs bincode {}",
        json.ipc.bytes_from_workers,
        bincode.ipc.bytes_from_workers
    );
    // Payload bytes as decimal numbers: well over twice the raw bytes.
    assert!(json.ipc.bytes_to_workers > 2 * 4 * 10_000);
    assert_eq!(json.ipc.messages, bincode.ipc.messages);
    assert_eq!(json.checksum, bincode.checksum);
    let serial = run(&run_spec(Model::Serial, Workload::Echo)
        .size(1)
        .tasks(4)
        .payload(10_000)
        .codec(Codec::Json)
        .repeats(2)
        .build());
    assert_eq!(serial.checksum, bincode.checksum);
    // Process-per-task speaks the codec too.
    let per_task = run(&run_spec(Model::ProcessPerTask, Workload::Echo)
        .size(1)
        .tasks(4)
        .workers(2)
        .payload(10_000)
        .codec(Codec::Json)
        .repeats(2)
        .build());
    assert_eq!(per_task.checksum, bincode.checksum);
    assert_eq!(per_task.ipc.bytes_to_workers, json.ipc.bytes_to_workers);
}

#[test]
fn a_json_frame_over_the_limit_fails_the_run_naming_it() {
    // 20 MiB of payload is ~72 MiB of JSON, over the 64 MiB + 64 KiB limit.
    for model in [Model::Processes, Model::ProcessPerTask] {
        let s = run_spec(model, Workload::Echo)
            .size(1)
            .tasks(1)
            .payload(20 << 20)
            .codec(Codec::Json)
            .repeats(2)
            .build();
        let error =
            try_run_with(&s, &engine_config()).expect_err("an oversized frame must fail the run");
        let text = error.to_string();
        assert!(
            matches!(
                error,
                EngineError::Protocol {
                    source: ProtocolError::FrameTooLarge { .. },
                    ..
                }
            ),
            "{model}: {text}"
        );
        assert!(
            text.contains(&format!("{MAX_FRAME_BYTES}-byte limit")),
            "{model}: {text}"
        );
    }
}

#[test]
fn a_json_reply_over_the_limit_is_announced_not_cut_short() {
    use std::borrow::Cow;
    use std::process::{Command, Stdio};

    // Byte 4 is "4," in JSON but echoes back as 122, "122,": a request of
    // 34 MiB fits a frame, its reply of 68 MiB does not.
    let payload = vec![4u8; 17 << 20];
    let task = ToWorker::Task {
        task: Task {
            workload: Workload::Echo,
            size: 1,
            index: 0,
            tasks: 1,
            io_percent: 0,
            port: 0,
            sharing: corescope::workload::Sharing::Isolated,
        },
        payload: Cow::Borrowed(&payload),
    };
    let frame = encode_frame(Codec::Json, &task).unwrap();
    let mut child = Command::new(common::exe())
        .args(["__worker", "--codec", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        // The worker may stop reading once it has failed: ignore EPIPE.
        let _ = stdin.write_all(&frame);
    });
    let mut buf = Vec::new();
    let mut next = || {
        read_frame_with(&mut stdout, &mut buf, |body| {
            Codec::Json
                .decode_borrowed::<FromWorker<'_>>(body)
                .map(FromWorker::without_payload)
        })
    };
    let hello = next().unwrap().unwrap();
    assert!(matches!(hello, FromWorker::Hello { .. }), "{hello:?}");
    let reply = next();
    assert!(
        matches!(reply, Err(ProtocolError::FrameTooLarge { len, max })
            if len > u64::from(max) && max == MAX_FRAME_BYTES),
        "{reply:?}"
    );
    writer.join().unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("limit") && !err.contains("panicked"), "{err}");
}

#[test]
fn each_worker_process_reports_its_own_memory() {
    let pool = run(&run_spec(Model::Processes, Workload::Echo)
        .size(1)
        .tasks(4)
        .workers(2)
        .payload(100_000)
        .codec(Codec::Bincode)
        .repeats(2)
        .build());
    let memory = &pool.memory;
    assert_eq!(memory.worker_rss_bytes.len(), 2, "{memory:?}");
    assert!(memory.parent_rss_bytes > 0, "{memory:?}");
    assert!(
        memory.worker_rss_bytes.iter().all(|&rss| rss > 0),
        "{memory:?}"
    );
    assert!(memory.total_rss_bytes > memory.parent_rss_bytes);
    assert_eq!(
        memory.total_rss_bytes,
        memory.parent_rss_bytes + memory.worker_rss_bytes.iter().sum::<u64>()
    );

    let per_task = run(&run_spec(Model::ProcessPerTask, Workload::Echo)
        .size(1)
        .tasks(4)
        .workers(2)
        .payload(100_000)
        .codec(Codec::Bincode)
        .repeats(2)
        .build());
    assert_eq!(per_task.memory.worker_rss_bytes.len(), 2);
    assert!(per_task.memory.worker_rss_bytes.iter().all(|&rss| rss > 0));

    for model in [Model::Threads, Model::Serial] {
        let shared = run(&run_spec(model, Workload::Echo)
            .size(1)
            .tasks(4)
            .workers(2)
            .payload(100_000)
            .codec(Codec::Bincode)
            .repeats(2)
            .build());
        let memory = &shared.memory;
        assert!(memory.worker_rss_bytes.is_empty(), "{model}: {memory:?}");
        assert!(memory.parent_rss_bytes > 0, "{model}");
        assert_eq!(memory.total_rss_bytes, memory.parent_rss_bytes, "{model}");
    }
}

#[test]
fn echo_bytes_follow_the_payload_sweep() {
    let raw = RawExperiment::of([
        (Setting::Workload, "echo"),
        (Setting::Size, "0"),
        (Setting::Tasks, "3"),
        (Setting::Payload, "1KiB..64KiB"),
        (Setting::Models, "serial,processes"),
        (Setting::Workers, "2"),
        (Setting::Schedule, "queue"),
        (Setting::Repeats, "1"),
        (Setting::Warmup, "0"),
    ]);
    let spec = raw.validate(&[2]).unwrap();
    let set = run_experiment(&spec, &engine_config(), &CancelToken::new(), &mut |_| {}).unwrap();
    let processes: Vec<&RunRecord> = set
        .runs
        .iter()
        .filter(|r| r.model == Model::Processes)
        .collect();
    let payloads: Vec<u64> = processes.iter().map(|r| r.payload_bytes).collect();
    assert_eq!(payloads, [1024, 4096, 16384, 65536]);
    for r in &processes {
        let least = r.payload_bytes * 3;
        let most = least + 3 * (FRAME_HEADER_BYTES + MESSAGE_BYTES);
        assert!(
            (least..=most).contains(&r.ipc.bytes_to_workers),
            "{}: {}",
            r.payload_bytes,
            r.ipc.bytes_to_workers
        );
        assert!((least..=most).contains(&r.ipc.bytes_from_workers));
    }
    for r in set.runs.iter().filter(|r| r.model == Model::Serial) {
        assert_eq!(r.ipc.bytes_to_workers + r.ipc.bytes_from_workers, 0);
    }
}

#[test]
fn worker_process_spans_carry_their_journey_in_order() {
    for model in [Model::Processes, Model::ProcessPerTask] {
        let record = run(&run_spec(model, Workload::Echo)
            .size(1)
            .tasks(6)
            .workers(2)
            .payload(256 * 1024)
            .codec(Codec::Bincode)
            .repeats(2)
            .build());
        assert_eq!(record.spans.len(), 6, "{model}");
        for span in &record.spans {
            let ipc = span
                .ipc
                .as_deref()
                .unwrap_or_else(|| panic!("{model}: task {} has no ipc stamps", span.task));
            let mut journey = vec![
                ipc.received_seconds,
                ipc.read_seconds,
                span.start_seconds,
                span.end_seconds,
                ipc.reply_seconds,
                ipc.replied_seconds,
                ipc.returned_seconds,
            ];
            if model == Model::ProcessPerTask {
                let spawned = ipc.spawned_seconds.expect("process-per-task stamps spawns");
                journey.insert(0, spawned);
            } else {
                assert_eq!(ipc.spawned_seconds, None);
            }
            assert!(
                journey.windows(2).all(|w| w[0] <= w[1]),
                "{model}: task {} out of order: {journey:?}",
                span.task
            );
            assert!(
                ipc.returned_seconds <= record.wall_seconds.max + 1e-3,
                "{model}: task {} returned after the repetition",
                span.task
            );
        }
    }
    let threads = run(&run_spec(Model::Threads, Workload::Echo)
        .size(1)
        .tasks(4)
        .workers(2)
        .payload(1024)
        .codec(Codec::Bincode)
        .repeats(2)
        .build());
    assert!(threads.spans.iter().all(|s| s.ipc.is_none()));
}

/// Instrumentation off: the same checksums, tasks and bytes, but no spans,
/// stamps or samples kept (the instrumentation bench compares the two).
#[test]
fn instrumentation_off_keeps_the_figures_but_no_spans() {
    let off = EngineConfig {
        instrument: false,
        ..engine_config()
    };
    for model in [Model::Serial, Model::Threads, Model::Processes] {
        let s = run_spec(model, Workload::SqrtSum)
            .size(1_000)
            .tasks(16)
            .workers(2)
            .repeats(2)
            .build();
        let on = try_run_with(&s, &engine_config()).unwrap();
        let bare = run_one(&s, &off, &CancelToken::new(), &mut |_, _| {}).unwrap();
        assert_eq!(bare.checksum, on.checksum, "{model}");
        assert_eq!(on.spans.iter().map(|s| s.tasks).sum::<u32>(), 16, "{model}");
        assert!(bare.spans.is_empty(), "{model}");
        assert!(bare.cpu_samples.is_empty() && bare.memory_samples.is_empty());
        assert_eq!(bare.repetitions.len(), 2);
        assert!(bare.wall_seconds.median > 0.0);
        assert_eq!(bare.ipc.messages, on.ipc.messages, "{model}");
        assert_eq!(
            bare.ipc.bytes_to_workers, on.ipc.bytes_to_workers,
            "{model}"
        );
    }
}

/// A worker reads its CPU time only when it is about to wait (no task
/// buffered after the one it answers): with tasks queued ahead most
/// replies skip the read, yet the run's CPU still counts every worker's,
/// as much as when every reply carries it (one task in flight).
#[test]
fn worker_processes_cpu_counts_with_tasks_queued_ahead() {
    let cpu = |in_flight| {
        run(&run_spec(Model::Processes, Workload::SqrtSum)
            .size(300_000)
            .tasks(16)
            .workers(2)
            .in_flight(in_flight)
            .repeats(3)
            .build())
        .cpu_seconds
        .median
    };
    let (every, ahead) = (cpu(1), cpu(4));
    // The same work; the parent's own share is small beside it.
    assert!(
        ahead > 0.6 * every && ahead < 1.6 * every,
        "in flight 1: {every} s of CPU, in flight 4: {ahead} s"
    );
}
