//! Property tests (proptest) for the two edges that read untrusted bytes:
//! worker frames and result files. Each property also has a fuzz loop,
//! ignored by default, that runs for `CORESCOPE_FUZZ_SECONDS` (default 10):
//! `cargo test --test properties -- --ignored` (see the book's
//! reliability page, `docs/src/reference/reliability.md`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::borrow::Cow;
use std::path::Path;
use std::time::{Duration, Instant};

use corescope::results::ResultSet;
use corescope::worker::codec::Codec;
use corescope::worker::protocol::{
    FromWorker, MAX_FRAME_BYTES, ProtocolError, ToWorker, read_frame_with, write_frame,
};
use corescope::workload::{Sharing, Task, Workload};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

fn workload() -> impl Strategy<Value = Workload> {
    prop_oneof![
        Just(Workload::SqrtSum),
        Just(Workload::Primes),
        Just(Workload::Mandelbrot),
        Just(Workload::Sleep),
        Just(Workload::Echo),
        Just(Workload::Mixed),
    ]
}

fn codec() -> impl Strategy<Value = Codec> {
    prop_oneof![Just(Codec::Bincode), Just(Codec::Json)]
}

fn task() -> impl Strategy<Value = Task> {
    (
        workload(),
        any::<u64>(),
        any::<u32>(),
        any::<u32>(),
        any::<u8>(),
    )
        .prop_map(|(workload, size, index, tasks, io_percent)| Task {
            workload,
            size,
            index,
            tasks,
            io_percent,
            sharing: Sharing::ALL[(index % 4) as usize],
            port: 0,
        })
}

/// A task frame and a result frame survive the trip through a pipe's bytes.
fn frames_round_trip(
    codec: Codec,
    task: Task,
    payload: &[u8],
    done: [u64; 7],
) -> Result<(), TestCaseError> {
    let mut bytes = Vec::new();
    let to = ToWorker::Task {
        task,
        payload: Cow::Borrowed(payload),
    };
    write_frame(codec, &mut bytes, &to).unwrap();
    let from = FromWorker::Done {
        index: done[0] as u32,
        value: done[1],
        received_ns: done[2],
        read_ns: done[3],
        start_ns: done[4],
        end_ns: done[5],
        cpu_ns: done[6],
        payload: Cow::Borrowed(payload),
    };
    write_frame(codec, &mut bytes, &from).unwrap();
    let mut reader = bytes.as_slice();
    let (mut first, mut second, mut third) = (Vec::new(), Vec::new(), Vec::new());
    let decoded = read_frame_with(&mut reader, &mut first, |b| {
        codec.decode_borrowed::<ToWorker<'_>>(b)
    });
    match decoded.unwrap() {
        Some(ToWorker::Task {
            task: t,
            payload: p,
        }) => {
            prop_assert_eq!(t, task);
            prop_assert_eq!(p.as_ref(), payload);
        }
        other => return Err(TestCaseError::fail(format!("{other:?}"))),
    }
    let decoded = read_frame_with(&mut reader, &mut second, |b| {
        codec.decode_borrowed::<FromWorker<'_>>(b)
    });
    match decoded.unwrap() {
        Some(FromWorker::Done {
            value,
            cpu_ns,
            payload: p,
            ..
        }) => {
            prop_assert_eq!((value, cpu_ns), (done[1], done[6]));
            prop_assert_eq!(p.as_ref(), payload);
        }
        other => return Err(TestCaseError::fail(format!("{other:?}"))),
    }
    let end = read_frame_with(&mut reader, &mut third, |b| {
        codec.decode_borrowed::<FromWorker<'_>>(b)
    });
    prop_assert!(end.unwrap().is_none());
    Ok(())
}

/// Any bytes at all read as frames, each read doing what the bytes say: a
/// clean end only where the bytes ended, a header cut short or a body
/// shorter than its header claims is `Truncated` (after at most 1 MiB of
/// buffer, whatever the claim), a claim over the limit is `FrameTooLarge`,
/// and a whole frame consumes exactly its header and body and is a message
/// exactly when its body decodes.
fn any_bytes_read_safely(codec: Codec, bytes: &[u8]) -> Result<(), TestCaseError> {
    let mut reader = bytes;
    for _ in 0..64 {
        let before = reader;
        let mut buf = Vec::new();
        let decoded = read_frame_with(&mut reader, &mut buf, |b| {
            codec.decode_borrowed::<FromWorker<'_>>(b)
        });
        let Some(header) = before.first_chunk::<4>() else {
            match decoded {
                Ok(None) => prop_assert!(before.is_empty()),
                Err(ProtocolError::Truncated { expected: 4, got }) => {
                    prop_assert_eq!(got, before.len() as u64);
                }
                other => return Err(TestCaseError::fail(format!("{:?}", other.map(|_| ())))),
            }
            return Ok(());
        };
        let claimed = u32::from_le_bytes(*header);
        let body = &before[4..];
        match decoded {
            Err(ProtocolError::FrameTooLarge { len, .. }) => {
                prop_assert!(claimed > MAX_FRAME_BYTES);
                prop_assert_eq!(len, u64::from(claimed));
                return Ok(());
            }
            _ if claimed > MAX_FRAME_BYTES => {
                return Err(TestCaseError::fail(format!(
                    "a claim of {claimed} B was read"
                )));
            }
            Err(ProtocolError::Truncated { expected, got }) => {
                prop_assert!((claimed as usize) > body.len());
                prop_assert_eq!((expected, got), (u64::from(claimed), body.len() as u64));
                prop_assert!(
                    buf.len() <= (claimed as usize).min(1 << 20),
                    "{}",
                    buf.len()
                );
                return Ok(());
            }
            _ if (claimed as usize) > body.len() => {
                return Err(TestCaseError::fail(
                    "a frame longer than the bytes was read",
                ));
            }
            decoded => {
                let frame = &body[..claimed as usize];
                prop_assert_eq!(reader.len(), body.len() - frame.len());
                let decodes = codec.decode_borrowed::<FromWorker<'_>>(frame).is_ok();
                prop_assert_eq!(matches!(decoded, Ok(Some(_))), decodes);
                if !decodes {
                    prop_assert!(matches!(decoded, Err(ProtocolError::Decode(_))));
                    return Ok(());
                }
            }
        }
    }
    Ok(())
}

/// Bytes for the frame reader: random, or frames with honest headers over
/// random bodies (random headers almost never claim a body that short),
/// cut anywhere.
fn frame_bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    let framed = (
        proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 0..8),
        any::<usize>(),
    )
        .prop_map(|(bodies, cut)| {
            let mut bytes = Vec::new();
            for body in bodies {
                bytes.extend_from_slice(&(body.len() as u32).to_le_bytes());
                bytes.extend_from_slice(&body);
            }
            bytes.truncate(cut % (bytes.len() + 1));
            bytes
        });
    prop_oneof![proptest::collection::vec(any::<u8>(), 0..max), framed]
}

proptest! {
    #[test]
    fn frames_round_trip_in_both_codecs(
        codec in codec(),
        task in task(),
        payload in proptest::collection::vec(any::<u8>(), 0..4096),
        done in any::<[u64; 7]>(),
    ) {
        frames_round_trip(codec, task, &payload, done)?;
    }

    #[test]
    fn arbitrary_bytes_read_as_their_headers_say(
        codec in codec(),
        bytes in frame_bytes(512),
    ) {
        any_bytes_read_safely(codec, &bytes)?;
    }
}

/// A real result set, as JSON, made once for every loader property.
fn saved_set() -> &'static serde_json::Value {
    static SET: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    SET.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let json = common::saved_sweep(dir.path(), "set", &[]);
        common::read_json(&json)
    })
}

/// Every number of a JSON value, by pointer.
fn number_pointers(value: &serde_json::Value, at: String, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Number(_) => out.push(at),
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                number_pointers(item, format!("{at}/{i}"), out);
            }
        }
        serde_json::Value::Object(map) => {
            for (key, item) in map {
                number_pointers(item, format!("{at}/{key}"), out);
            }
        }
        _ => {}
    }
}

fn hostile_number() -> impl Strategy<Value = serde_json::Value> {
    prop_oneof![
        any::<u64>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>()
            .prop_filter("JSON has no NaN", |f| f.is_finite())
            .prop_map(serde_json::Value::from),
        prop_oneof![Just(0u64), Just(1), Just(u32::MAX as u64), Just(u64::MAX)]
            .prop_map(serde_json::Value::from),
        prop_oneof![Just(-1.0), Just(1e308), Just(-1e308), Just(1e-300)]
            .prop_map(serde_json::Value::from),
    ]
}

/// Loads `bytes` as a result file: an error or a set that validates, never
/// a panic.
fn load_is_total(dir: &Path, bytes: &[u8]) -> Result<(), TestCaseError> {
    let path = dir.join("set.json");
    std::fs::write(&path, bytes).unwrap();
    if let Ok(set) = ResultSet::load(&path) {
        prop_assert!(set.validate().is_ok());
        // What report draws from must be safe to use.
        let sources = [corescope::export::report::Source {
            label: "set",
            set: &set,
        }];
        let _ = corescope::export::report::markdown_report(
            &sources,
            &corescope::chart::ChartOptions { predict_to: 64 },
        );
    }
    Ok(())
}

/// Edits up to four numbers of a real set and loads it.
fn edited_set_strategy() -> impl Strategy<Value = Vec<u8>> {
    let set = saved_set().clone();
    let mut pointers = Vec::new();
    number_pointers(&set, String::new(), &mut pointers);
    proptest::collection::vec((0..pointers.len(), hostile_number()), 1..4).prop_map(move |edits| {
        let mut edited = set.clone();
        for (i, value) in edits {
            *edited.pointer_mut(&pointers[i]).unwrap() = value;
        }
        serde_json::to_vec(&edited).unwrap()
    })
}

fn any_bytes_strategy() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..2048)
}

proptest! {
    #![proptest_config(Config::with_cases(64))]

    #[test]
    fn an_edited_result_file_loads_valid_or_not_at_all(bytes in edited_set_strategy()) {
        let dir = tempfile::tempdir().unwrap();
        load_is_total(dir.path(), &bytes)?;
    }

    #[test]
    fn random_bytes_never_load(bytes in any_bytes_strategy()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("set.json");
        std::fs::write(&path, &bytes).unwrap();
        prop_assert!(ResultSet::load(&path).is_err());
    }
}

/// How long each fuzz loop runs.
fn fuzz_budget() -> Duration {
    let seconds = std::env::var("CORESCOPE_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    Duration::from_secs(seconds)
}

/// Runs `property` on fresh random inputs until the budget is spent;
/// returns the cases run.
fn fuzz<S: Strategy>(strategy: S, property: impl Fn(S::Value) -> Result<(), TestCaseError>) -> u64 {
    let deadline = Instant::now() + fuzz_budget();
    let mut cases = 0;
    while Instant::now() < deadline {
        let mut runner = TestRunner::new(Config {
            cases: 256,
            failure_persistence: None,
            ..Config::default()
        });
        runner.run(&strategy, &property).unwrap();
        cases += 256;
    }
    cases
}

#[test]
#[ignore = "a fuzz loop: run with --ignored, CORESCOPE_FUZZ_SECONDS=600"]
fn fuzz_frames() {
    let round_trips = fuzz(
        (
            codec(),
            task(),
            proptest::collection::vec(any::<u8>(), 0..65536),
            any::<[u64; 7]>(),
        ),
        |(codec, task, payload, done)| frames_round_trip(codec, task, &payload, done),
    );
    let garbage = fuzz((codec(), frame_bytes(4096)), |(c, b)| {
        any_bytes_read_safely(c, &b)
    });
    eprintln!("fuzz_frames: {round_trips} round trips, {garbage} garbage inputs");
}

#[test]
#[ignore = "a fuzz loop: run with --ignored, CORESCOPE_FUZZ_SECONDS=600"]
fn fuzz_result_loader() {
    let dir = tempfile::tempdir().unwrap();
    let edited = fuzz(edited_set_strategy(), |bytes| {
        load_is_total(dir.path(), &bytes)
    });
    let random = fuzz(any_bytes_strategy(), |bytes| {
        load_is_total(dir.path(), &bytes)
    });
    eprintln!("fuzz_result_loader: {edited} edited sets, {random} random files");
}
