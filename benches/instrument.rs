//! Instrumentation bench: what corescope's own measuring costs.
//!
//! `cargo bench --bench instrument` runs the same experiments with the
//! engine's instrumentation on (each task's span and IPC stamps kept, the
//! 200 ms system sampler running: what every run does) and off
//! (`EngineConfig::instrument = false`: no sampler thread, no spans or
//! stamps kept), in interleaved pairs whose order alternates, and prints
//! per experiment the median ratio of the pairs' wall times (on / off)
//! with its 95 % confidence interval (bootstrap, as the engine computes
//! its own). The goal is a cost under 1 %: a ratio below 1.010. The
//! verdict says what the interval allows: "< 1 %" when all of it lies
//! below 1.010, "≥ 1 %" when all of it lies at or above, and "noise"
//! when this machine's noise is too large to tell (run it on a quieter
//! one, or with more cores than the experiment's threads).
//!
//! Three figures per experiment: the measured wall time (the median
//! repetition: what the charts show); what that ratio comes to per task,
//! in nanoseconds of one worker's time (a trivial task is almost nothing
//! but this fixed cost, so it says from which task length on the cost is
//! under 1 %); and the whole run as the caller waits for it (pool
//! start-up, every repetition, the sampler's start and join, building the
//! spans after each clock stops, the summary).
//!
//! With it off, serial and thread tasks read no clock at all, so their
//! ratio includes the two clock reads of each span. What the switch leaves
//! on: a worker-process task's IPC stamps (part of the worker protocol;
//! priced from the cost of one clock read, printed last) and the byte
//! counters (an addition per read or write).

#![allow(clippy::print_stdout)]

mod common;

use std::error::Error;
use std::path::PathBuf;
use std::time::Instant;

use common::median;
use corescope::engine::{CancelToken, EngineConfig, run_one};
use corescope::measure::bootstrap::median_interval;
use corescope::spec::{Model, RunSpec, Schedule, WorkloadSpec};
use corescope::workload::Workload;

type BenchResult<T> = Result<T, Box<dyn Error>>;

/// Pairs (on, off) per experiment.
const PAIRS: usize = 15;

/// The goal: instrumented / not instrumented below this.
const GOAL: f64 = 1.010;

/// One experiment of the bench: a name and its run.
struct Experiment {
    name: &'static str,
    spec: RunSpec,
}

fn spec(size: u64, tasks: u32, model: Model, workers: u32) -> RunSpec {
    RunSpec {
        workload: WorkloadSpec {
            workload: Workload::SqrtSum,
            size,
            tasks,
            payload_bytes: 0,
            io_percent: 0,
            sharing: corescope::workload::Sharing::Isolated,
        },
        model,
        workers,
        schedule: Schedule::Queue,
        chunk: 1,
        repeats: 5,
        warmup: 1,
        in_flight: 2,
        switch_interval_us: corescope::spec::DEFAULT_SWITCH_INTERVAL_US,
        codec: corescope::spec::Codec::Bincode,
        scaling: corescope::spec::Scaling::Strong,
        start_method: corescope::spec::StartMethod::Fork,
        runtime_threads: 1,
        transport: corescope::spec::Transport::Pipe,
    }
}

fn experiments() -> Vec<Experiment> {
    vec![
        Experiment {
            name: "sqrt-sum 300k × 500, threads ×2",
            spec: spec(300_000, 500, Model::Threads, 2),
        },
        Experiment {
            name: "sqrt-sum 300k × 500, processes ×2",
            spec: spec(300_000, 500, Model::Processes, 2),
        },
        Experiment {
            name: "sqrt-sum 10k × 20000, threads ×2",
            spec: spec(10_000, 20_000, Model::Threads, 2),
        },
        Experiment {
            name: "sqrt-sum 10k × 20000, processes ×2",
            spec: spec(10_000, 20_000, Model::Processes, 2),
        },
        Experiment {
            name: "trivial × 100000, threads ×2",
            spec: spec(1, 100_000, Model::Threads, 2),
        },
        Experiment {
            name: "trivial × 30000, processes ×2",
            spec: spec(1, 30_000, Model::Processes, 2),
        },
        Experiment {
            name: "trivial × 200000, serial",
            spec: spec(1, 200_000, Model::Serial, 1),
        },
    ]
}

/// The run's median wall time and how long the whole run took, seconds.
fn measure(spec: &RunSpec, instrument: bool) -> BenchResult<(f64, f64)> {
    let config = EngineConfig {
        instrument,
        ..EngineConfig::new(PathBuf::from(env!("CARGO_BIN_EXE_corescope")))
    };
    let began = Instant::now();
    let record = run_one(spec, &config, &CancelToken::new(), &mut |_, _| {})?;
    let whole = began.elapsed().as_secs_f64();
    if instrument == record.spans.is_empty() {
        return Err(format!("{}: spans kept with instrument={instrument}", spec.label()).into());
    }
    Ok((record.wall_seconds.median, whole))
}

/// Ratios (on / off) of the measured wall and of the whole run, per pair.
fn pairs(spec: &RunSpec) -> BenchResult<(Vec<f64>, Vec<f64>, f64)> {
    let mut walls = Vec::with_capacity(PAIRS);
    let mut wholes = Vec::with_capacity(PAIRS);
    let mut off_walls = Vec::with_capacity(PAIRS);
    // The bench process's first run of an experiment pays for what is cold
    // (the worker binary's pages, the allocator's first growth): measured
    // and dropped, so that the first pair's first run does not carry it.
    measure(spec, false)?;
    for pair in 0..PAIRS {
        // Alternate which goes first, so a drift favours neither.
        let (on, off) = if pair % 2 == 0 {
            let on = measure(spec, true)?;
            (on, measure(spec, false)?)
        } else {
            let off = measure(spec, false)?;
            (measure(spec, true)?, off)
        };
        walls.push(on.0 / off.0);
        wholes.push(on.1 / off.1);
        off_walls.push(off.0);
    }
    Ok((walls, wholes, median(off_walls)))
}

/// Nanoseconds per read of the engine's monotonic clock.
fn clock_read_ns() -> f64 {
    const READS: u32 = 2_000_000;
    let began = Instant::now();
    let mut last = 0u64;
    for _ in 0..READS {
        last = last.max(corescope::measure::clock::monotonic_ns());
    }
    std::hint::black_box(last);
    began.elapsed().as_secs_f64() * 1e9 / f64::from(READS)
}

/// What the interval of a ratio's median says about the goal.
fn verdict(ratios: &[f64]) -> (String, &'static str) {
    match median_interval(ratios) {
        Some(ci) => {
            let verdict = if ci.high < GOAL {
                "< 1 %"
            } else if ci.low >= GOAL {
                "≥ 1 %"
            } else {
                "noise"
            };
            (format!("{:.3}…{:.3}", ci.low, ci.high), verdict)
        }
        None => ("—".to_string(), "—"),
    }
}

/// What instrumentation adds per task, in nanoseconds of one worker's
/// time: the extra wall time spread over the tasks each worker ran.
fn cost_per_task_ns(spec: &RunSpec, ratio: f64, off_wall: f64) -> f64 {
    (ratio - 1.0) * off_wall * f64::from(spec.workers) / f64::from(spec.workload.tasks) * 1e9
}

/// Clock reads a worker-process task takes for its IPC stamps, in the
/// worker (frame read, compute start and end) and in the parent (the
/// reply's frame and its decoding): part of the worker protocol, so left
/// on in both halves of a pair and priced from the clock's cost instead.
const PROTOCOL_READS: f64 = 7.0;

fn main() -> BenchResult<()> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "corescope instrumentation bench — {cores} logical cores; {PAIRS} interleaved pairs per experiment"
    );
    println!(
        "ratio = instrumented / not instrumented (spans, their clock reads and the 200 ms sampler on vs off); goal < {GOAL:.3}"
    );
    println!(
        "{:<36} {:>9} {:>7} {:>13} {:>7} {:>9} {:>9}",
        "experiment", "wall off", "ratio", "95 % interval", "verdict", "per task", "whole run"
    );
    println!("{}", "-".repeat(97));
    // `cargo bench --bench instrument -- trivial` runs only the experiments
    // whose name contains the word (cargo passes `--bench` itself).
    let filter = std::env::args().skip(1).find(|arg| !arg.starts_with("--"));
    let mut all = Vec::new();
    let mut floors = Vec::new();
    for experiment in experiments() {
        if filter
            .as_ref()
            .is_some_and(|word| !experiment.name.contains(word.as_str()))
        {
            continue;
        }
        let (walls, wholes, off_wall) = pairs(&experiment.spec)?;
        let (interval, verdict) = verdict(&walls);
        let ratio = median(walls.clone());
        // A cost per task only where the interval shows one: within the
        // noise, the difference of two noisy walls spread over the tasks
        // would be a made-up figure.
        let per_task =
            (verdict == "≥ 1 %").then(|| cost_per_task_ns(&experiment.spec, ratio, off_wall));
        println!(
            "{:<36} {:>9} {:>7.4} {:>13} {:>7} {:>9} {:>9.4}",
            experiment.name,
            corescope::format::seconds(off_wall),
            ratio,
            interval,
            verdict,
            per_task.map_or("—".to_string(), |ns| format!("{ns:.0} ns")),
            median(wholes),
        );
        if let Some(per_task) = per_task {
            floors.push((experiment.spec.model, per_task));
        }
        all.extend(walls);
    }
    println!("{}", "-".repeat(97));
    let (interval, verdict) = verdict(&all);
    println!(
        "{:<36} {:>9} {:>7.4} {:>13} {:>7}",
        "all pairs",
        "",
        median(all.clone()),
        interval,
        verdict
    );
    let clock_ns = clock_read_ns();
    // A trivial task is almost nothing but instrumentation's fixed cost:
    // what that is per task says from which task length on it is under 1 %.
    for (model, per_task) in floors {
        println!(
            "{model}: {per_task:.0} ns per task (two clock reads of {clock_ns:.1} ns, and what they change in the workers' timing): under 1 % from {} per task",
            corescope::format::seconds(per_task * 100.0 / 1e9)
        );
    }
    let stamps = PROTOCOL_READS * clock_ns;
    println!(
        "left on in both: a worker-process task's IPC stamps, about {PROTOCOL_READS:.0} clock reads: {stamps:.0} ns per task, under 1 % from {} per task",
        corescope::format::seconds(stamps * 100.0 / 1e9)
    );
    Ok(())
}
