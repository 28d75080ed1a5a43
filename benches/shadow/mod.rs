//! The sampler's shadow (part of the instrumentation bench): what one
//! parked thread in the measuring process costs its measuring thread, and
//! why.
//!
//! Linux skips counting a reference on the file in a system call that
//! names a descriptor while the process's descriptor table has a single
//! user; a second thread shares the table. The bench times a `read` of an
//! empty non-blocking pipe alone, beside a parked thread that shares the
//! table, and beside one with a table of its own
//! (`measure::file_table`, what the sampler's thread takes); then trivial
//! worker-process runs (instrumentation off, so no sampler) the same three
//! ways, with the measuring thread's context switches and CPU migrations
//! per run as the kernel counts them.

use std::io::Read;
use std::sync::mpsc;
use std::time::Instant;

use corescope::engine::EngineConfig;
use corescope::measure::bootstrap::median_interval;
use corescope::spec::{Model, RunSpec};
use corescope::workload::Workload;

use super::common::median;
use super::run_spec::{engine_config, run_spec, try_run_with};
use super::{BenchResult, pair_count};

/// Reads per timing of the empty pipe.
const READS: u32 = 200_000;

/// A thread parked on a channel until dropped; with `own_table` it first
/// takes a descriptor table of its own, as the sampler's thread does.
struct Parked {
    stop: Option<mpsc::Sender<()>>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl Parked {
    fn start(own_table: bool) -> BenchResult<Parked> {
        let (stop, stopped) = mpsc::channel::<()>();
        let (ready, readied) = mpsc::channel();
        let handle = std::thread::Builder::new()
            .name("bench-parked".to_string())
            .spawn(move || {
                if own_table {
                    corescope::measure::file_table::own_descriptor_table();
                }
                let _ = ready.send(());
                let _ = stopped.recv();
            })?;
        readied.recv()?;
        Ok(Parked {
            stop: Some(stop),
            handle: Some(handle),
        })
    }
}

impl Drop for Parked {
    fn drop(&mut self) {
        self.stop.take();
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}

/// Who else is in the process while the measuring thread works.
#[derive(Clone, Copy)]
enum Beside {
    Nobody,
    SharedTable,
    OwnTable,
}

impl Beside {
    const ALL: [Beside; 3] = [Beside::Nobody, Beside::SharedTable, Beside::OwnTable];

    /// Runs `work` with the parked thread this asks for.
    fn with<T>(self, work: impl FnOnce() -> BenchResult<T>) -> BenchResult<T> {
        let _parked = match self {
            Beside::Nobody => None,
            Beside::SharedTable => Some(Parked::start(false)?),
            Beside::OwnTable => Some(Parked::start(true)?),
        };
        work()
    }
}

/// Nanoseconds per `read` of an empty non-blocking pipe.
fn read_ns(pipe: &mut std::fs::File) -> f64 {
    let mut bytes = [0u8; 8];
    let began = Instant::now();
    for _ in 0..READS {
        let _ = std::hint::black_box(pipe.read(&mut bytes));
    }
    began.elapsed().as_secs_f64() * 1e9 / f64::from(READS)
}

/// The calling thread's voluntary and involuntary context switches and
/// CPU migrations so far, as the kernel counts them (NaN where unread).
fn kernel_counts() -> [f64; 3] {
    let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
    let field = |text: &str, name: &str| {
        text.lines()
            .find(|line| line.trim_start().starts_with(name))
            .and_then(|line| line.split([':', ' ', '\t']).rfind(|v| !v.is_empty()))
            .and_then(|value| value.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    let status = read("/proc/thread-self/status");
    let sched = read("/proc/thread-self/sched");
    [
        field(&status, "voluntary_ctxt_switches"),
        field(&status, "nonvoluntary_ctxt_switches"),
        field(&sched, "se.nr_migrations"),
    ]
}

/// One run's median wall time, and the kernel's counts over the run.
fn measured(spec: &RunSpec, config: &EngineConfig) -> BenchResult<(f64, [f64; 3])> {
    let before = kernel_counts();
    let record = try_run_with(spec, config)?;
    let after = kernel_counts();
    Ok((
        record.wall_seconds.median,
        [0, 1, 2].map(|i| after[i] - before[i]),
    ))
}

/// A ratio's median and 95 % interval, on one line.
fn ratio_line(name: &str, ratios: &[f64]) {
    let ci = median_interval(ratios).map_or("—".to_string(), |ci| {
        format!("{:.3}…{:.3}", ci.low, ci.high)
    });
    println!("{name:<62} {:>7.4} {ci:>13}", median(ratios.to_vec()));
}

/// Measures and prints the shadow: the pipe `read`s, then the runs.
pub fn report() -> BenchResult<()> {
    println!();
    println!(
        "the sampler's shadow — {} interleaved rounds; ratio = beside a parked thread / alone, 95 % interval",
        pair_count()
    );
    let (reader, _writer) = rustix::pipe::pipe()?;
    let mut pipe = std::fs::File::from(reader);
    corescope::platform::set_nonblocking(&pipe)?;
    read_ns(&mut pipe);
    let mut reads: [Vec<f64>; 3] = Default::default();
    for round in 0..pair_count() {
        // Rotate the order, so a drift favours none.
        for k in 0..3 {
            let which = (round + k) % 3;
            let ns = Beside::ALL[which].with(|| Ok(read_ns(&mut pipe)))?;
            reads[which].push(ns);
        }
    }
    println!(
        "read() of an empty pipe, alone: {:.1} ns (median)",
        median(reads[0].clone())
    );
    let ratios =
        |of: &[f64], to: &[f64]| -> Vec<f64> { of.iter().zip(to).map(|(a, b)| a / b).collect() };
    ratio_line(
        "read(): a parked thread sharing the descriptor table",
        &ratios(&reads[1], &reads[0]),
    );
    ratio_line(
        "read(): a parked thread with a table of its own",
        &ratios(&reads[2], &reads[0]),
    );
    let spec = run_spec(Model::Processes, Workload::SqrtSum)
        .size(1)
        .tasks(30_000)
        .workers(2)
        .repeats(5)
        .warmup(1)
        .build();
    let off = EngineConfig {
        instrument: false,
        ..engine_config()
    };
    measured(&spec, &off)?;
    let mut runs: [Vec<(f64, [f64; 3])>; 3] = Default::default();
    for round in 0..pair_count() {
        for k in 0..3 {
            let which = (round + k) % 3;
            let run = Beside::ALL[which].with(|| measured(&spec, &off))?;
            runs[which].push(run);
        }
    }
    let walls = |i: usize| runs[i].iter().map(|r| r.0).collect::<Vec<f64>>();
    ratio_line(
        "trivial × 30000, processes ×2: a parked thread, shared table",
        &ratios(&walls(1), &walls(0)),
    );
    ratio_line(
        "trivial × 30000, processes ×2: a parked thread, own table",
        &ratios(&walls(2), &walls(0)),
    );
    for (i, what) in ["alone", "shared table", "own table"].iter().enumerate() {
        let count = |c: usize| median(runs[i].iter().map(|r| r.1[c]).collect());
        println!(
            "measuring thread per run (6 repetitions), {what}: {:.0} voluntary, {:.0} involuntary context switches, {:.0} CPU migrations",
            count(0),
            count(1),
            count(2)
        );
    }
    Ok(())
}
