//! The `net` workload's service: loopback only, real answers, and gone with
//! its run, whether the run finishes or is cancelled.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use common::{alive, run_spec, wait_for};
use corescope::engine::{CancelToken, EngineConfig, EngineError, run_one};
use corescope::net_service::{NetService, SERVICE_SUBCOMMAND, ServiceError};
use corescope::spec::Model;
use corescope::workload::{Workload, fnv1a, net};

/// The net services among this process's children that answer with
/// `reply_bytes` (each test uses its own size, as they run side by side).
fn services(reply_bytes: u64) -> Vec<u32> {
    let marker = format!("--reply-bytes\0{reply_bytes}\0");
    corescope::platform::child_pids(std::process::id())
        .into_iter()
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|cmd| {
                let cmd = String::from_utf8_lossy(&cmd);
                cmd.contains(SERVICE_SUBCOMMAND) && cmd.contains(&marker)
            })
        })
        .collect()
}

#[test]
fn the_service_refuses_any_address_but_127_0_0_1() {
    for bind in ["0.0.0.0:0", "[::1]:0", "10.0.0.1:0"] {
        let addr: SocketAddr = bind.parse().unwrap();
        let refused = NetService::start_on(&common::exe(), addr, 10);
        assert!(
            matches!(refused, Err(ServiceError::NotLoopback(_))),
            "{bind}: {refused:?}"
        );
        // The child refuses too, before it binds anything.
        let out = common::corescope(&[SERVICE_SUBCOMMAND, "--bind", bind]);
        assert_eq!(out.status.code(), Some(2), "{bind}");
        assert!(
            common::stderr(&out).contains("127.0.0.1 only"),
            "{}",
            common::stderr(&out)
        );
    }
}

#[test]
fn the_service_answers_after_the_wait_with_the_reply_and_dies_with_its_owner() {
    let service = NetService::start(&common::exe(), 100).unwrap();
    assert!(service.addr().ip().is_loopback());
    let mut stream = TcpStream::connect(service.addr()).unwrap();
    stream.write_all(&net::encode_request(42, 30)).unwrap();
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).unwrap();
    assert_eq!(reply, net::reply_for(42, 100));
    assert_eq!(
        net::request(
            service.port(),
            42,
            1,
            1000,
            &mut corescope::workload::NoCheckpoint
        )
        .unwrap(),
        fnv1a(&reply)
    );
    // A wait past the limit gets no answer.
    let mut greedy = TcpStream::connect(service.addr()).unwrap();
    greedy
        .write_all(&net::encode_request(1, net::MAX_WAIT_MS + 1))
        .unwrap();
    let mut nothing = Vec::new();
    let _ = greedy.read_to_end(&mut nothing);
    assert!(nothing.is_empty());
    let pid = service.pid();
    drop(service);
    assert!(!alive(pid));
}

#[test]
fn a_net_run_gives_every_model_the_same_checksum() {
    let config = EngineConfig::new(common::exe());
    let run = |model, workers| {
        run_one(
            &run_spec(model, Workload::Net)
                .size(5)
                .tasks(6)
                .workers(workers)
                .payload(300)
                .build(),
            &config,
            &CancelToken::new(),
            &mut |_, _| {},
        )
        .unwrap_or_else(|e| panic!("{model}: {e}"))
    };
    let serial = run(Model::Serial, 1);
    for (model, workers) in [
        (Model::Threads, 3),
        (Model::GilThreads, 3),
        (Model::Processes, 2),
        (Model::ProcessPerTask, 2),
        (Model::Async, 6),
        (Model::AsyncProcesses, 3),
    ] {
        let record = run(model, workers);
        assert_eq!(record.checksum, serial.checksum, "{model}");
        // The request and the reply's bytes are the service's business:
        // only the task's descriptor crosses a worker's pipe.
        assert!(record.ipc.bytes_from_workers < 6 * 300, "{model}");
    }
}

#[test]
fn a_cancelled_net_run_leaves_no_service_behind() {
    // Each model with its own reply size, to find its own service.
    for (model, reply_bytes) in [
        (Model::Processes, 333),
        (Model::Async, 334),
        (Model::AsyncProcesses, 335),
    ] {
        cancel_a_net_run(model, reply_bytes);
    }
}

fn cancel_a_net_run(model: Model, reply_bytes: u64) {
    let cancel = CancelToken::new();
    let token = cancel.clone();
    let config = EngineConfig::new(common::exe());
    let spec = run_spec(model, Workload::Net)
        .size(5_000)
        .tasks(8)
        .workers(2)
        .payload(reply_bytes)
        .build();
    let runner = std::thread::spawn(move || run_one(&spec, &config, &token, &mut |_, _| {}));
    let service = wait_for(Duration::from_secs(20), || {
        services(reply_bytes).first().copied()
    })
    .expect("the run starts its service");
    std::thread::sleep(Duration::from_millis(200));
    cancel.cancel();
    let outcome = runner.join().unwrap();
    assert!(
        matches!(outcome, Err(EngineError::Cancelled)),
        "{outcome:?}"
    );
    assert!(!alive(service), "the service {service} outlived its run");
    assert!(services(reply_bytes).is_empty(), "{model}");
}
