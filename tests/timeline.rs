//! What a run leaves to look at, with real worker processes: a span per
//! task inside the wall time and never two at once on one worker, system
//! samples for every logical core and every worker process, a sampler
//! thread that ends with its run however it ends, live samples on the
//! runner's channel, and a Chrome trace with one slice per task.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use common::{engine_config, run, run_spec};
use corescope::activity;
use corescope::engine::runner::Runner;
use corescope::engine::{CancelToken, EngineConfig, EngineError, RunEvent, run_one_sampled};
use corescope::measure::sampler::{SAMPLER_THREAD, Sample};
use corescope::results::{MachineInfo, ResultSet};
use corescope::spec::{Model, RawExperiment, Setting};
use corescope::workload::Workload;

/// Tests here run one at a time: counting this process's sampler threads
/// must see only the run under test.
fn one_at_a_time() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Threads of this process named like the sampler. (The kernel keeps 15
/// bytes of a thread's name.)
fn sampler_threads() -> usize {
    let comm = &SAMPLER_THREAD[..SAMPLER_THREAD.len().min(15)];
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
        .filter(|name| name.trim_end() == comm)
        .count()
}

#[test]
fn process_spans_cover_every_task_inside_the_wall_and_never_overlap_on_a_worker() {
    let _one = one_at_a_time();
    for model in [Model::Processes, Model::ProcessPerTask] {
        let spec = run_spec(model, Workload::Sleep)
            .size(15)
            .tasks(10)
            .workers(3)
            .repeats(3)
            .warmup(1)
            .build();
        let record = run(&spec);
        let tasks: BTreeSet<u32> = record.spans.iter().map(|s| s.task).collect();
        assert_eq!(tasks, (0..10).collect::<BTreeSet<u32>>(), "{model}");
        assert_eq!(record.spans.len(), 10, "{model}: one span per task");
        let wall = activity::shown_wall(&record).unwrap();
        assert!(
            record.wall_seconds.min <= wall && wall <= record.wall_seconds.max,
            "{model}"
        );
        for s in &record.spans {
            assert!(s.worker < 3, "{model}: {s:?}");
            assert!(
                0.0 <= s.start_seconds && s.start_seconds <= s.end_seconds,
                "{model}: {s:?}"
            );
            assert!(
                s.end_seconds <= wall,
                "{model}: {s:?} ends after the wall {wall}"
            );
        }
        for worker in 0..3 {
            let mut lane: Vec<_> = record.spans.iter().filter(|s| s.worker == worker).collect();
            lane.sort_by(|a, b| a.start_seconds.total_cmp(&b.start_seconds));
            for pair in lane.windows(2) {
                assert!(
                    pair[0].end_seconds <= pair[1].start_seconds,
                    "{model}: worker {worker} runs two tasks at once: {pair:?}"
                );
            }
        }
        // The timeline draws those spans as compute, one lane per worker,
        // with the IPC phases around them, never two bars at once per lane.
        let timeline = activity::timeline(&record);
        assert_eq!(timeline.lanes.len(), 3);
        let compute = activity::Mark::Task(corescope::analysis::Phase::Compute);
        assert_eq!(
            timeline.bars.iter().filter(|b| b.mark == compute).count(),
            10
        );
        assert!(timeline.bars.len() > 10, "{model}: IPC phases are shown");
        for lane in 0..3 {
            let mut bars: Vec<_> = timeline.bars.iter().filter(|b| b.lane == lane).collect();
            bars.sort_by(|a, b| a.start.total_cmp(&b.start));
            for pair in bars.windows(2) {
                assert!(pair[0].end <= pair[1].start, "{model}: {pair:?}");
            }
        }
    }
}

#[test]
fn samples_cover_every_logical_core_and_every_worker_process() {
    let _one = one_at_a_time();
    // 4 repetitions of 6 × 60 ms on 2 workers: ~0.7 s, three samples or more.
    let record = run(&run_spec(Model::Processes, Workload::Sleep)
        .size(60)
        .tasks(6)
        .workers(2)
        .repeats(3)
        .warmup(1)
        .build());
    let cores = MachineInfo::detect().logical_cores as usize;
    assert!(!record.cpu_samples.is_empty());
    for sample in &record.cpu_samples {
        assert!(sample.per_core.len() >= cores, "{sample:?}");
        assert!(sample.per_core.iter().all(|u| (0.0..=100.0).contains(u)));
    }
    assert_eq!(record.memory_samples.len(), record.cpu_samples.len());
    let times: Vec<f64> = record.cpu_samples.iter().map(|s| s.t_seconds).collect();
    assert!(times.windows(2).all(|w| w[0] < w[1]), "{times:?}");
    for m in &record.memory_samples {
        assert!(m.parent_rss_bytes > 0);
        assert_eq!(m.worker_rss_bytes.len(), 2);
        assert_eq!(
            m.total_rss_bytes,
            m.parent_rss_bytes + m.worker_rss_bytes.iter().sum::<u64>()
        );
    }
    assert!(
        record
            .memory_samples
            .iter()
            .any(|m| m.worker_rss_bytes.iter().all(|&b| b > 0)),
        "each worker process's memory is read while it runs"
    );
    // They are kept in the result set's JSON and read back.
    let mut set = ResultSet::new(MachineInfo::detect());
    set.runs.push(record);
    let json = serde_json::to_value(&set).unwrap();
    assert!(json["runs"][0]["cpu_samples"][0]["per_core"].is_array());
    assert!(json["runs"][0]["memory_samples"][0]["t_seconds"].is_number());
    let back: ResultSet = serde_json::from_value(json).unwrap();
    assert_eq!(back.runs[0].cpu_samples, set.runs[0].cpu_samples);
}

#[test]
fn the_sampler_thread_ends_with_its_run_on_success_cancel_and_failure() {
    let _one = one_at_a_time();
    assert_eq!(sampler_threads(), 0);

    // Success: samples arrive on the sampler's own thread while it runs.
    let on_sampler = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&on_sampler);
    let sink = Arc::new(move |_: &Sample| {
        if std::thread::current().name() == Some(SAMPLER_THREAD) && sampler_threads() == 1 {
            seen.fetch_add(1, Ordering::SeqCst);
        }
    });
    let spec = run_spec(Model::Threads, Workload::Sleep)
        .size(40)
        .tasks(8)
        .workers(2)
        .repeats(3)
        .warmup(1)
        .build();
    run_one_sampled(
        &spec,
        &engine_config(),
        &CancelToken::new(),
        &mut |_, _| {},
        Some(sink),
    )
    .unwrap();
    assert!(on_sampler.load(Ordering::SeqCst) >= 1);
    assert_eq!(sampler_threads(), 0, "after a finished run");

    // Cancel: the first sample cancels a run that would take seconds.
    let cancel = CancelToken::new();
    let token = cancel.clone();
    let long = run_spec(Model::Processes, Workload::Sleep)
        .size(50)
        .tasks(200)
        .workers(2)
        .repeats(3)
        .warmup(1)
        .build();
    let result = run_one_sampled(
        &long,
        &engine_config(),
        &cancel,
        &mut |_, _| {},
        Some(Arc::new(move |_: &Sample| token.cancel())),
    );
    assert!(matches!(result, Err(EngineError::Cancelled)), "{result:?}");
    assert_eq!(sampler_threads(), 0, "after a cancelled run");

    // Failure: the workers cannot start.
    let result = run_one_sampled(
        &long,
        &EngineConfig::new(PathBuf::from("/nonexistent/corescope")),
        &CancelToken::new(),
        &mut |_, _| {},
        None,
    );
    assert!(
        matches!(result, Err(EngineError::Spawn { .. })),
        "{result:?}"
    );
    assert_eq!(sampler_threads(), 0, "after a failed run");
}

#[test]
fn the_runner_sends_live_samples_while_each_run_is_live() {
    let _one = one_at_a_time();
    let raw = RawExperiment::of([
        (Setting::Workload, "sleep"),
        (Setting::Size, "50"),
        (Setting::Tasks, "6"),
        (Setting::Models, "serial,processes"),
        (Setting::Workers, "2"),
        (Setting::Schedule, "queue"),
        (Setting::Repeats, "2"),
        (Setting::Warmup, "0"),
        // Each run sampled on its own, one after the other.
        (Setting::Order, "sequential"),
    ]);
    let spec = raw.validate(&[2]).unwrap();
    let runner = Runner::start(spec, engine_config(), Arc::new(|| {})).unwrap();
    let mut finished = HashSet::new();
    let mut live = [0usize; 2];
    for event in runner.events() {
        match event {
            RunEvent::Sample { index, cpu, memory } => {
                assert!(
                    !finished.contains(&index),
                    "a sample after run {index} ended"
                );
                assert!(
                    cpu.t_seconds >= 0.0,
                    "live times count from the run's start"
                );
                assert_eq!(cpu.t_seconds, memory.t_seconds);
                live[index] += 1;
            }
            RunEvent::RunFinished { index, .. } => {
                finished.insert(index);
            }
            RunEvent::Finished(set) => {
                assert!(set.runs.iter().all(|r| !r.cpu_samples.is_empty()));
                break;
            }
            RunEvent::Failed(e) => panic!("{e}"),
            _ => {}
        }
    }
    // Serial: 12 × 50 ms; processes: 6 × 50 ms on 2 workers, twice.
    assert!(live[0] >= 1 && live[1] >= 1, "{live:?}");
}

/// The trace files a report folder holds.
fn traces(folder: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(folder.join("runs"))
        .unwrap()
        .map(|e| e.unwrap().path().join("trace.json"))
        .filter(|p| p.exists())
        .collect();
    found.sort();
    found
}

#[test]
fn report_trace_is_trace_event_json_with_one_slice_per_task() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let out = common::corescope(&[
        "sweep",
        "--workload",
        "sleep",
        "--size",
        "5",
        "--tasks",
        "7",
        "--models",
        "gil-threads,processes",
        "--workers",
        "2",
        "--repeats",
        "1",
        "--warmup",
        "0",
        "--export-json",
        json.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let folder = dir.path().join("report");
    let out = common::corescope(&[
        "report",
        json.to_str().unwrap(),
        "--out",
        folder.to_str().unwrap(),
        "--width",
        "640",
        "--height",
        "360",
        "--trace",
    ]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let files = traces(&folder);
    assert_eq!(files.len(), 2, "{files:?}");
    for file in &files {
        let trace: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let events = trace["traceEvents"].as_array().expect("traceEvents array");
        let mut named_threads = HashSet::new();
        let mut named_processes = HashSet::new();
        let mut tasks = Vec::new();
        for e in events {
            let ph = e["ph"].as_str().expect("every event has a phase");
            let pid = e["pid"].as_u64().expect("every event has a pid");
            assert!(e["name"].is_string());
            match ph {
                "M" => match e["name"].as_str().unwrap() {
                    "process_name" => {
                        assert!(e["args"]["name"].as_str().unwrap().starts_with("corescope"));
                        named_processes.insert(pid);
                    }
                    "thread_name" => {
                        assert!(!e["args"]["name"].as_str().unwrap().is_empty());
                        named_threads.insert((pid, e["tid"].as_u64().unwrap()));
                    }
                    _ => {}
                },
                "X" => {
                    let ts = e["ts"].as_f64().expect("ts in µs");
                    let dur = e["dur"].as_f64().expect("dur in µs");
                    assert!(ts >= 0.0 && dur >= 0.0, "{e}");
                    let tid = e["tid"].as_u64().expect("tid");
                    assert!(named_threads.contains(&(pid, tid)), "unnamed track {e}");
                    assert!(named_processes.contains(&pid), "unnamed process {e}");
                    if e["cat"] == "task" {
                        tasks.push(e["args"]["task"].as_u64().unwrap());
                        // Sleeps of 5 ms: the slice lasts at least that.
                        assert!(dur >= 4_000.0, "{e}");
                    }
                }
                other => panic!("unexpected phase {other}"),
            }
        }
        tasks.sort_unstable();
        assert_eq!(tasks, (0..7).collect::<Vec<u64>>(), "{}", file.display());
    }
    for stem in ["timeline", "cpu", "memory"] {
        let run_dirs = std::fs::read_dir(folder.join("runs")).unwrap();
        for dir in run_dirs {
            let dir = dir.unwrap().path();
            assert!(
                dir.join(format!("{stem}.svg")).exists(),
                "{}",
                dir.display()
            );
            assert!(
                dir.join(format!("{stem}.png")).exists(),
                "{}",
                dir.display()
            );
        }
    }
    let report = std::fs::read_to_string(folder.join("report.md")).unwrap();
    assert!(report.contains("/timeline.svg)"), "{report}");
}
