//! The shared-memory transport (`--transport shm`) with real worker
//! processes: the same checksums as the pipe, payload bytes counted as
//! shared rather than piped, and nothing left behind when a worker is
//! killed while it holds its mappings.

#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Mutex;
use std::time::Duration;

use common::{engine_config, run_spec, try_run_with};
use corescope::engine::EngineError;
use corescope::spec::{Model, Transport};
use corescope::workload::Workload;

/// The tests here look at this process's descriptors and children: one at
/// a time.
static ALONE: Mutex<()> = Mutex::new(());

/// This process's descriptors that are shared-memory files.
fn shared_files() -> Vec<String> {
    std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .flatten()
        .filter_map(|fd| std::fs::read_link(fd.path()).ok())
        .map(|target| target.to_string_lossy().into_owned())
        .filter(|target| target.contains("corescope-shm"))
        .collect()
}

#[test]
fn shm_computes_what_the_pipe_does_and_counts_payloads_as_shared() {
    let _alone = ALONE.lock().unwrap_or_else(|e| e.into_inner());
    let (payload, tasks) = (300_000u64, 6u32);
    let serial = try_run_with(
        &run_spec(Model::Serial, Workload::Echo)
            .size(2)
            .tasks(tasks)
            .workers(2)
            .payload(payload)
            .transport(Transport::Pipe)
            .repeats(2)
            .build(),
        &engine_config(),
    )
    .unwrap();
    let pipe = try_run_with(
        &run_spec(Model::Processes, Workload::Echo)
            .size(2)
            .tasks(tasks)
            .workers(2)
            .payload(payload)
            .transport(Transport::Pipe)
            .repeats(2)
            .build(),
        &engine_config(),
    )
    .unwrap();
    let shm = try_run_with(
        &run_spec(Model::Processes, Workload::Echo)
            .size(2)
            .tasks(tasks)
            .workers(2)
            .payload(payload)
            .transport(Transport::Shm)
            .repeats(2)
            .build(),
        &engine_config(),
    )
    .unwrap();
    assert_eq!(shm.checksum, serial.checksum);
    assert_eq!(pipe.checksum, serial.checksum);
    assert_eq!(shm.transport, Transport::Shm);
    let moved = payload * u64::from(tasks);
    assert_eq!(shm.ipc.bytes_shared_to_workers, moved);
    assert_eq!(shm.ipc.bytes_shared_from_workers, moved);
    assert_eq!(
        (
            pipe.ipc.bytes_shared_to_workers,
            pipe.ipc.bytes_shared_from_workers
        ),
        (0, 0)
    );
    assert!(pipe.ipc.bytes_to_workers >= moved);
    // Only the small frames cross the pipe.
    assert!(
        shm.ipc.bytes_to_workers + shm.ipc.bytes_from_workers < 100 * 2 * u64::from(tasks),
        "{:?}",
        shm.ipc
    );
    assert_eq!(shm.ipc.messages, pipe.ipc.messages);
    for rep in &shm.repetitions {
        assert_eq!(rep.ipc, shm.ipc, "every repetition shares the same bytes");
    }
    assert!(shared_files().is_empty(), "{:?}", shared_files());
}

#[test]
fn a_worker_killed_while_it_holds_a_mapping_leaves_nothing_behind() {
    let _alone = ALONE.lock().unwrap_or_else(|e| e.into_inner());
    let me = std::process::id();
    // Long tasks (many transform passes over 4 MiB): the workers are
    // mapped and busy when one is killed.
    let spec = run_spec(Model::Processes, Workload::Echo)
        .size(400)
        .tasks(8)
        .workers(2)
        .payload(4 << 20)
        .transport(Transport::Shm)
        .repeats(2)
        .build();
    let runner = std::thread::spawn(move || try_run_with(&spec, &engine_config()));
    let victim = common::wait_for(Duration::from_secs(20), || {
        let children = corescope::platform::child_pids(me);
        (children.len() == 2 && !shared_files().is_empty()).then(|| children[0])
    })
    .expect("two workers and their shared memory");
    let status = std::process::Command::new("kill")
        .args(["-KILL", &victim.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let outcome = runner.join().unwrap();
    assert!(
        matches!(outcome, Err(EngineError::WorkerDied { .. })),
        "{outcome:?}"
    );
    assert!(shared_files().is_empty(), "{:?}", shared_files());
    assert!(
        corescope::platform::child_pids(me).is_empty(),
        "every worker reaped"
    );
}
