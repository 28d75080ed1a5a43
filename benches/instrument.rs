//! Instrumentation bench: what corescope's own measuring costs.
//!
//! `cargo bench --bench instrument` runs the same experiments with the
//! engine's instrumentation on (each task's span and its clock reads, the
//! IPC stamps kept, the 200 ms system sampler running: what every run
//! does) and off (`EngineConfig::instrument = false`: no sampler thread,
//! no spans; serial and thread tasks read no clock at all), in
//! interleaved pairs whose order alternates, and prints per experiment the
//! median ratio of the pairs' wall times (on / off) with its 95 %
//! confidence interval (bootstrap, as the engine computes its own). The
//! goal is a cost under 1 %: a ratio below 1.010.
//!
//! Paired wall times on a shared machine are noisy to a percent or two,
//! so a real experiment's pairs often cannot tell 0.3 % from 1.5 % alone.
//! The bench therefore also builds a cost model: the trivial experiments
//! (tasks of a few nanoseconds, almost nothing but instrumentation) give
//! each model's fixed cost per task, and the sampler's CPU is measured on
//! its own. A real experiment's expected cost is that per-task cost over
//! its task length, plus the sampler's share. The verdict is the pairs'
//! where their interval decides, else the model's ("< 1 % *") where the
//! interval allows it.
//!
//! Tiny serial and thread tasks are timed in groups (`engine::grouping`):
//! a span covers enough consecutive tasks that its two clock reads cost
//! under 1 % of it, so the trivial experiments measure what grouping
//! leaves. After the table, `shadow` (its own module) prices what one
//! parked thread costs the measuring thread, and why; `-- shadow` runs
//! only that part.
//!
//! What the switch leaves on: a worker-process task's IPC stamps (part of
//! the worker protocol; priced into the model from the cost of one clock
//! read) and the byte counters (an addition per read or write). The last
//! column is the whole run as the caller waits for it (pool start-up,
//! every repetition, building the spans after each clock stops, the
//! summary).

#![allow(clippy::print_stdout)]

mod common;
#[path = "../tests/common/run_spec.rs"]
mod run_spec;
mod shadow;

use std::error::Error;
use std::time::Instant;

use common::median;
use corescope::engine::EngineConfig;
use corescope::measure::bootstrap::median_interval;
use corescope::spec::{Model, RunSpec};
use corescope::workload::Workload;
use run_spec::{engine_config, run_spec, try_run_with};

type BenchResult<T> = Result<T, Box<dyn Error>>;

/// Pairs (on, off) per experiment.
const PAIRS: usize = 15;

/// Pairs per experiment: [`PAIRS`], or 3 with `CORESCOPE_BENCH_QUICK` set
/// (a check that the bench runs, e.g. `cargo test --bench instrument`:
/// its figures mean nothing).
fn pair_count() -> usize {
    if std::env::var_os("CORESCOPE_BENCH_QUICK").is_some() {
        3
    } else {
        PAIRS
    }
}

/// The goal: instrumented / not instrumented below this.
const GOAL: f64 = 1.010;

/// One experiment of the bench: a name and its run.
struct Experiment {
    name: &'static str,
    spec: RunSpec,
}

/// Trivial tasks first: what they cost per task is the cost model the
/// real experiments are then read against.
fn experiments() -> Vec<Experiment> {
    vec![
        Experiment {
            name: "trivial × 200000, serial",
            spec: run_spec(Model::Serial, Workload::SqrtSum)
                .size(1)
                .tasks(200_000)
                .repeats(5)
                .warmup(1)
                .build(),
        },
        Experiment {
            name: "trivial × 100000, threads ×2",
            spec: run_spec(Model::Threads, Workload::SqrtSum)
                .size(1)
                .tasks(100_000)
                .workers(2)
                .repeats(5)
                .warmup(1)
                .build(),
        },
        Experiment {
            name: "trivial × 30000, processes ×2",
            spec: run_spec(Model::Processes, Workload::SqrtSum)
                .size(1)
                .tasks(30_000)
                .workers(2)
                .repeats(5)
                .warmup(1)
                .build(),
        },
        Experiment {
            name: "sqrt-sum 10k × 20000, threads ×2",
            spec: run_spec(Model::Threads, Workload::SqrtSum)
                .size(10_000)
                .tasks(20_000)
                .workers(2)
                .repeats(5)
                .warmup(1)
                .build(),
        },
        Experiment {
            name: "sqrt-sum 10k × 20000, processes ×2",
            spec: run_spec(Model::Processes, Workload::SqrtSum)
                .size(10_000)
                .tasks(20_000)
                .workers(2)
                .repeats(5)
                .warmup(1)
                .build(),
        },
        Experiment {
            name: "sqrt-sum 300k × 500, threads ×2",
            spec: run_spec(Model::Threads, Workload::SqrtSum)
                .size(300_000)
                .tasks(500)
                .workers(2)
                .repeats(5)
                .warmup(1)
                .build(),
        },
        Experiment {
            name: "sqrt-sum 300k × 500, processes ×2",
            spec: run_spec(Model::Processes, Workload::SqrtSum)
                .size(300_000)
                .tasks(500)
                .workers(2)
                .repeats(5)
                .warmup(1)
                .build(),
        },
    ]
}

/// The run's median wall time and how long the whole run took, seconds.
fn measure(spec: &RunSpec, instrument: bool) -> BenchResult<(f64, f64)> {
    let config = EngineConfig {
        instrument,
        ..engine_config()
    };
    let began = Instant::now();
    let record = try_run_with(spec, &config)?;
    let whole = began.elapsed().as_secs_f64();
    if instrument == record.spans.is_empty() {
        return Err(format!("{}: spans kept with instrument={instrument}", spec.label()).into());
    }
    Ok((record.wall_seconds.median, whole))
}

/// Ratios (on / off) of the measured wall and of the whole run, per pair.
fn pairs(spec: &RunSpec) -> BenchResult<(Vec<f64>, Vec<f64>, f64)> {
    let mut walls = Vec::with_capacity(pair_count());
    let mut wholes = Vec::with_capacity(pair_count());
    let mut off_walls = Vec::with_capacity(pair_count());
    // The bench process's first run of an experiment pays for what is cold
    // (the worker binary's pages, the allocator's first growth): measured
    // and dropped, so that the first pair's first run does not carry it.
    measure(spec, false)?;
    for pair in 0..pair_count() {
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

/// The 95 % interval of the pairs' median ratio, and what it says about
/// the goal on its own (`None`: too noisy to tell).
fn interval(ratios: &[f64]) -> (String, Option<bool>) {
    match median_interval(ratios) {
        Some(ci) => {
            let under = if ci.high < GOAL {
                Some(true)
            } else if ci.low >= GOAL {
                Some(false)
            } else {
                None
            };
            (format!("{:.3}…{:.3}", ci.low, ci.high), under)
        }
        None => ("—".to_string(), None),
    }
}

/// Nanoseconds of one worker's time per task, instrumentation off.
fn task_ns(spec: &RunSpec, off_wall: f64) -> f64 {
    off_wall * f64::from(spec.workers) / f64::from(spec.workload.tasks) * 1e9
}

/// Clock reads a worker-process task takes for its IPC stamps, in the
/// worker (frame read, compute start and end) and in the parent (the
/// reply's frame and its decoding): part of the worker protocol, so left
/// on in both halves of a pair and priced from the clock's cost instead.
const PROTOCOL_READS: f64 = 7.0;

/// What instrumentation costs, from the trivial experiments: a fixed cost
/// per task, by model, and the sampler's share of one core. A real
/// experiment's expected cost is its per-task cost over its task length,
/// plus the sampler's share (as if all of it delayed the run).
struct CostModel {
    per_task_ns: Vec<(Model, f64)>,
    sampler_share: f64,
    clock_ns: f64,
}

impl CostModel {
    /// Learns a model's cost per task from its trivial experiment: the
    /// extra wall time spread over the tasks where the interval shows one
    /// (else none), plus for worker processes the protocol's stamps.
    fn learn(&mut self, spec: &RunSpec, ratio: f64, off_wall: f64, resolved: bool) -> f64 {
        let measured = if resolved {
            (ratio - 1.0) * task_ns(spec, off_wall)
        } else {
            0.0
        };
        let stamps = if spec.model.uses_processes() {
            PROTOCOL_READS * self.clock_ns
        } else {
            0.0
        };
        let cost = measured.max(0.0) + stamps;
        self.per_task_ns.push((spec.model, cost));
        cost
    }

    /// The expected cost of an experiment, as a fraction of its wall time.
    fn share(&self, spec: &RunSpec, off_wall: f64) -> Option<f64> {
        let (_, per_task) = self.per_task_ns.iter().find(|(m, _)| *m == spec.model)?;
        Some(per_task / task_ns(spec, off_wall) + self.sampler_share)
    }
}

/// The sampler's CPU as a share of one core: it samples this process for
/// two seconds while this thread sleeps.
fn sampler_share() -> BenchResult<f64> {
    use corescope::measure::clock::process_cpu_ns;
    use corescope::measure::sampler::{PidBoard, SAMPLE_INTERVAL, Sampler};
    let board = PidBoard::new();
    board.set(0, std::process::id());
    let cpu = process_cpu_ns();
    let began = Instant::now();
    let sampler = Sampler::start(board, SAMPLE_INTERVAL, None)?;
    std::thread::sleep(std::time::Duration::from_secs(2));
    let samples = sampler.finish();
    let share = (process_cpu_ns() - cpu) as f64 / (began.elapsed().as_secs_f64() * 1e9);
    if samples.len() < 5 {
        return Err(format!("the sampler took {} samples in 2 s", samples.len()).into());
    }
    Ok(share)
}

fn main() -> BenchResult<()> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "corescope instrumentation bench — {cores} logical cores; {} interleaved pairs per experiment",
        pair_count()
    );
    let mut model = CostModel {
        per_task_ns: Vec::new(),
        sampler_share: sampler_share()?,
        clock_ns: clock_read_ns(),
    };
    println!(
        "one clock read {:.1} ns; the sampler uses {:.3} % of one core",
        model.clock_ns,
        model.sampler_share * 100.0
    );
    println!(
        "ratio = instrumented / not (spans, their clock reads, the sampler); goal < {GOAL:.3}; expected = the cost model's share"
    );
    println!(
        "verdict: from the pairs' 95 % interval; \"< 1 % *\": the pairs are too noisy to tell, the cost model says under 1 % and the interval allows it"
    );
    println!(
        "{:<36} {:>9} {:>8} {:>7} {:>13} {:>8} {:>9} {:>9}",
        "experiment",
        "wall off",
        "per task",
        "ratio",
        "95 % interval",
        "expected",
        "verdict",
        "whole run"
    );
    println!("{}", "-".repeat(106));
    // `cargo bench --bench instrument -- trivial` runs only the experiments
    // whose name contains the word (cargo passes `--bench` itself).
    let filter = std::env::args().skip(1).find(|arg| !arg.starts_with("--"));
    for experiment in experiments() {
        if filter
            .as_ref()
            .is_some_and(|word| !experiment.name.contains(word.as_str()))
        {
            continue;
        }
        report(&experiment, &mut model)?;
    }
    println!("{}", "-".repeat(106));
    for (m, per_task) in &model.per_task_ns {
        println!(
            "{m}: instrumentation costs {per_task:.0} ns per task: under 1 % from {} per task",
            corescope::format::seconds(per_task * 100.0 / 1e9)
        );
    }
    println!(
        "(worker processes: their protocol's IPC stamps, about {PROTOCOL_READS:.0} clock reads, left on in both and priced in)"
    );
    if filter.as_ref().is_none_or(|word| word == "shadow") {
        shadow::report()?;
    }
    Ok(())
}

/// Measures one experiment's pairs and prints its line; a trivial one
/// teaches the cost model, a real one is read against it.
fn report(experiment: &Experiment, model: &mut CostModel) -> BenchResult<()> {
    let spec = &experiment.spec;
    let (walls, wholes, off_wall) = pairs(spec)?;
    let ratio = median(walls.clone());
    let (ci, under) = interval(&walls);
    let (expected, verdict) = if experiment.name.starts_with("trivial") {
        let per_task = model.learn(spec, ratio, off_wall, under == Some(false));
        let share = per_task / task_ns(spec, off_wall);
        (
            Some(share),
            if share < GOAL - 1.0 {
                "< 1 %"
            } else {
                "≥ 1 %"
            },
        )
    } else {
        // Without its trivial experiment (filtered out) a model has no
        // cost per task, and the verdict is the pairs' alone.
        let share = model.share(spec, off_wall);
        let verdict = match (under, share) {
            (Some(true), _) => "< 1 %",
            (Some(false), _) => "≥ 1 %",
            // Too noisy to tell alone: the model decides, where the pairs
            // allow it (their interval reaches below the goal).
            (None, Some(share)) if share < GOAL - 1.0 => "< 1 % *",
            (None, _) => "noise",
        };
        (share, verdict)
    };
    println!(
        "{:<36} {:>9} {:>8} {:>7.4} {:>13} {:>8} {:>9} {:>9.4}",
        experiment.name,
        corescope::format::seconds(off_wall),
        corescope::format::seconds(task_ns(spec, off_wall) / 1e9),
        ratio,
        ci,
        expected.map_or("—".to_string(), |e| format!("{:.2} %", e * 100.0)),
        verdict,
        median(wholes),
    );
    Ok(())
}
