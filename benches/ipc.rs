//! IPC benchmark: how close the processes model gets to a raw pipe.
//!
//! `cargo bench --bench ipc` prints one table:
//! - (a) raw pipe throughput through `cat` (1 MiB out, 1 MiB back, streamed);
//! - (b) process-pool echo throughput at 1 MiB payloads, and its ratio to (a),
//!   beside the same tasks run serially: even with no transform passes an
//!   echo task copies and hashes its payload, a floor no pipe can beat;
//! - (c) per-task overhead of the process pool on trivial tasks, strict round
//!   trip (in_flight 1) and pipelined (in_flight 2), over serial, beside a
//!   raw 8-byte round trip through `cat`;
//! - (d) the goal: wall time per trivial task of a 2-worker pool (queue
//!   schedule, chunk 1) against CPython's `Pool(2).map(chunksize=1)` on the
//!   same number of trivial tasks, in interleaved pairs (median and range
//!   of the pairs' ratios; the goal is at most 1/3).
//!
//! - (b') the same echo with `--transport shm` (payloads in shared memory),
//!   and both (b) and (b') against a raw one-way pipe into `cat`.
//!
//! MB/s counts 10^6 bytes per second, both directions added (the raw
//! one-way pipe: its one direction).

#![allow(clippy::print_stdout)]

mod common;

use std::error::Error;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Instant;

use common::{max, median, min};
use corescope::engine::{CancelToken, EngineConfig, run_one};
use corescope::results::{MachineInfo, RunRecord};
use corescope::spec::{Model, RunSpec, Schedule, WorkloadSpec};
use corescope::workload::Workload;

type BenchResult<T> = Result<T, Box<dyn Error>>;

const MIB: usize = 1024 * 1024;
/// 1 MiB frames through `cat` per raw trial, and echo tasks per repetition.
const BULK_ROUNDS: usize = 200;
/// Raw-pipe trials; the median is reported.
const RAW_TRIALS: usize = 3;
/// Trivial tasks per repetition for the overhead figure.
const TRIVIAL_TASKS: u32 = 20_000;
/// 8-byte round trips through `cat`.
const PING_ROUNDS: usize = 20_000;

/// `cat` with both ends piped: the raw-pipe reference.
fn spawn_cat() -> BenchResult<(Child, ChildStdin, ChildStdout)> {
    let mut child = Command::new("cat")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    match (child.stdin.take(), child.stdout.take()) {
        (Some(stdin), Some(stdout)) => Ok((child, stdin, stdout)),
        _ => {
            let _ = child.kill();
            let _ = child.wait();
            Err("cat pipes were not created".into())
        }
    }
}

/// Seconds to push `BULK_ROUNDS` MiB through `cat` and read them back.
fn raw_pipe_trial(buffer: &[u8]) -> BenchResult<f64> {
    let (mut child, mut stdin, mut stdout) = spawn_cat()?;
    let mut back = vec![0u8; buffer.len()];
    let start = Instant::now();
    let read_result = std::thread::scope(|scope| {
        let writer = scope.spawn(move || -> std::io::Result<()> {
            for _ in 0..BULK_ROUNDS {
                stdin.write_all(buffer)?;
            }
            Ok(())
            // stdin drops here: cat sees end of input.
        });
        let read = (0..BULK_ROUNDS).try_for_each(|_| stdout.read_exact(&mut back));
        let wrote = writer.join().map_err(|_| "writer thread panicked")?;
        wrote?;
        read?;
        Ok::<(), Box<dyn Error>>(())
    });
    let elapsed = start.elapsed().as_secs_f64();
    let _ = child.kill();
    let _ = child.wait();
    read_result?;
    if back != buffer {
        return Err("cat returned different bytes".into());
    }
    Ok(elapsed)
}

/// MB/s through one pipe, one way: `BULK_ROUNDS` MiB written to a `cat`
/// whose output is `/dev/null` (the pipe enlarged to 1 MiB, as corescope's
/// are): the raw one-way pipe limit the transports are held against.
fn raw_one_way_mbps(buffer: &[u8]) -> BenchResult<f64> {
    let mut child = Command::new("cat")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()?;
    let Some(mut stdin) = child.stdin.take() else {
        let _ = child.kill();
        let _ = child.wait();
        return Err("cat stdin was not created".into());
    };
    corescope::platform::enlarge_pipe(&stdin);
    let start = Instant::now();
    let wrote = (0..BULK_ROUNDS).try_for_each(|_| stdin.write_all(buffer));
    drop(stdin);
    let status = child.wait()?;
    let elapsed = start.elapsed().as_secs_f64();
    wrote?;
    if !status.success() {
        return Err("cat failed".into());
    }
    Ok((BULK_ROUNDS * buffer.len()) as f64 / elapsed / 1e6)
}

/// Microseconds per 8-byte write + read round trip through `cat`.
fn raw_ping_us() -> BenchResult<f64> {
    let (mut child, mut stdin, mut stdout) = spawn_cat()?;
    let mut word = [0u8; 8];
    let result = (|| -> std::io::Result<f64> {
        // A few untimed rounds so cat is scheduled and warm.
        for i in 0..100u64 {
            stdin.write_all(&i.to_le_bytes())?;
            stdout.read_exact(&mut word)?;
        }
        let start = Instant::now();
        for i in 0..PING_ROUNDS as u64 {
            stdin.write_all(&i.to_le_bytes())?;
            stdout.read_exact(&mut word)?;
        }
        Ok(start.elapsed().as_secs_f64() * 1e6 / PING_ROUNDS as f64)
    })();
    drop(stdin);
    let _ = child.kill();
    let _ = child.wait();
    Ok(result?)
}

/// CPython's `Pool(2).map(f, range(n), chunksize=1)` of a function that
/// returns its argument: microseconds per task (one warm map, one timed).
const PYTHON_POOL_MAP: &str = r#"
import multiprocessing as mp, sys, time
def f(x):
    return x
if __name__ == "__main__":
    n = int(sys.argv[1])
    with mp.get_context("fork").Pool(2) as pool:
        pool.map(f, range(1000), chunksize=1)
        start = time.perf_counter()
        pool.map(f, range(n), chunksize=1)
        print((time.perf_counter() - start) * 1e6 / n)
"#;

fn python_pool_map_us(tasks: u32) -> BenchResult<f64> {
    let out = Command::new("python3")
        .args(["-c", PYTHON_POOL_MAP, &tasks.to_string()])
        .stderr(Stdio::inherit())
        .output()?;
    if !out.status.success() {
        return Err(format!("python3 failed: {}", out.status).into());
    }
    Ok(String::from_utf8(out.stdout)?.trim().parse()?)
}

/// Interleaved pairs of (d): corescope's and CPython's µs per task.
const PAIRS: usize = 5;

fn spec(
    workload: Workload,
    size: u64,
    tasks: u32,
    payload_bytes: u64,
    model: Model,
    in_flight: u32,
    repeats: u32,
) -> RunSpec {
    RunSpec {
        workload: WorkloadSpec {
            workload,
            size,
            tasks,
            payload_bytes,
            io_percent: 0,
            sharing: corescope::workload::Sharing::Isolated,
        },
        model,
        workers: 1,
        schedule: Schedule::Queue,
        chunk: 1,
        repeats,
        warmup: 1,
        in_flight,
        switch_interval_us: corescope::spec::DEFAULT_SWITCH_INTERVAL_US,
        codec: corescope::spec::Codec::Bincode,
        scaling: corescope::spec::Scaling::Strong,
        start_method: corescope::spec::StartMethod::Fork,
        runtime_threads: 1,
        transport: corescope::spec::Transport::Pipe,
    }
}

fn run(spec: &RunSpec) -> BenchResult<RunRecord> {
    let config = EngineConfig::new(PathBuf::from(env!("CARGO_BIN_EXE_corescope")));
    Ok(run_one(spec, &config, &CancelToken::new(), &mut |_, _| {})?)
}

fn main() -> BenchResult<()> {
    let machine = MachineInfo::detect();
    println!(
        "corescope ipc bench — {} ({} logical / {} physical cores, {:.1} GiB) on {} {} {}",
        machine.cpu_model,
        machine.logical_cores,
        machine
            .physical_cores
            .map_or_else(|| "?".to_string(), |n| n.to_string()),
        machine.memory_bytes as f64 / (1024.0 * 1024.0 * 1024.0),
        machine.os,
        machine.kernel,
        machine.arch,
    );

    // (a) Raw pipe throughput.
    let buffer = corescope::workload::make_payload(MIB);
    let raw_bytes = (2 * BULK_ROUNDS * MIB) as f64;
    let raw_s = median(
        (0..RAW_TRIALS)
            .map(|_| raw_pipe_trial(&buffer))
            .collect::<BenchResult<Vec<f64>>>()?,
    );
    let raw_mbps = raw_bytes / raw_s / 1e6;
    let one_way_mbps = median(
        (0..RAW_TRIALS)
            .map(|_| raw_one_way_mbps(&buffer))
            .collect::<BenchResult<Vec<f64>>>()?,
    );

    // (b) Process-pool echo throughput at 1 MiB.
    let echo = run(&spec(
        Workload::Echo,
        0,
        BULK_ROUNDS as u32,
        MIB as u64,
        Model::Processes,
        2,
        3,
    ))?;
    let echo_bytes = (echo.ipc.bytes_to_workers + echo.ipc.bytes_from_workers) as f64;
    let echo_s = echo.wall_seconds.median;
    let echo_mbps = echo_bytes / echo_s / 1e6;
    let mut shm_spec = spec(
        Workload::Echo,
        0,
        BULK_ROUNDS as u32,
        MIB as u64,
        Model::Processes,
        2,
        3,
    );
    shm_spec.transport = corescope::spec::Transport::Shm;
    let shm = run(&shm_spec)?;
    let shm_bytes = (shm.ipc.bytes_shared_to_workers + shm.ipc.bytes_shared_from_workers) as f64;
    let shm_mbps = shm_bytes / shm.wall_seconds.median / 1e6;
    let echo_serial_s = run(&spec(
        Workload::Echo,
        0,
        BULK_ROUNDS as u32,
        MIB as u64,
        Model::Serial,
        1,
        3,
    ))?
    .wall_seconds
    .median;

    // (c) Per-task overhead on trivial tasks.
    let trivial = |model, in_flight| {
        run(&spec(
            Workload::SqrtSum,
            1,
            TRIVIAL_TASKS,
            0,
            model,
            in_flight,
            3,
        ))
        .map(|r| r.wall_seconds.median)
    };
    let serial_s = trivial(Model::Serial, 1)?;
    let strict_s = trivial(Model::Processes, 1)?;
    let piped_s = trivial(Model::Processes, 2)?;
    let per_task_us = |wall: f64| (wall - serial_s) * 1e6 / f64::from(TRIVIAL_TASKS);
    let ping_us = raw_ping_us()?;

    // (d) The pool against CPython's Pool.map, interleaved pairs.
    let mut pairs = Vec::with_capacity(PAIRS);
    for _ in 0..PAIRS {
        let mut two = spec(
            Workload::SqrtSum,
            1,
            TRIVIAL_TASKS,
            0,
            Model::Processes,
            2,
            1,
        );
        two.workers = 2;
        let ours = run(&two)?.wall_seconds.median * 1e6 / f64::from(TRIVIAL_TASKS);
        let python = python_pool_map_us(TRIVIAL_TASKS).ok();
        pairs.push((ours, python));
    }

    println!("{:<44} {:>12} {:>12}", "measurement", "figure", "wall");
    println!("{}", "-".repeat(70));
    println!(
        "{:<44} {:>7.0} MB/s {:>12}",
        format!("(a) raw pipe via cat, {BULK_ROUNDS}×1 MiB each way"),
        raw_mbps,
        corescope::format::seconds(raw_s),
    );
    println!(
        "{:<44} {:>7.0} MB/s {:>12}",
        format!("(b) processes echo, {BULK_ROUNDS}×1 MiB, 1 worker"),
        echo_mbps,
        corescope::format::seconds(echo_s),
    );
    println!(
        "{:<44} {:>11.1}% {:>12}",
        "    (b) / (a)",
        100.0 * echo_mbps / raw_mbps,
        ""
    );
    println!(
        "{:<44} {:>7.0} MB/s {:>12}",
        format!("    raw one-way pipe into cat, {BULK_ROUNDS}×1 MiB"),
        one_way_mbps,
        "",
    );
    println!(
        "{:<44} {:>12.2} {:>12}",
        "    (b) / raw one-way (goal ≥ 0.6)",
        echo_mbps / one_way_mbps,
        ""
    );
    println!(
        "{:<44} {:>7.0} MB/s {:>12}",
        format!("(b) --transport shm, {BULK_ROUNDS}×1 MiB, 1 worker"),
        shm_mbps,
        corescope::format::seconds(shm.wall_seconds.median),
    );
    println!(
        "{:<44} {:>12.2} {:>12}",
        "    shm / raw one-way (goal ≥ 2)",
        shm_mbps / one_way_mbps,
        ""
    );
    println!(
        "{:<44} {:>9.0} µs {:>12}",
        "    serial echo, same tasks (no IPC), per task",
        echo_serial_s * 1e6 / BULK_ROUNDS as f64,
        corescope::format::seconds(echo_serial_s),
    );
    println!(
        "{:<44} {:>9.2} µs {:>12}",
        "(c) processes in_flight 1, overhead per task",
        per_task_us(strict_s),
        corescope::format::seconds(strict_s),
    );
    println!(
        "{:<44} {:>9.2} µs {:>12}",
        "(c) processes in_flight 2, overhead per task",
        per_task_us(piped_s),
        corescope::format::seconds(piped_s),
    );
    println!(
        "{:<44} {:>9.2} µs {:>12}",
        format!("    serial baseline, {TRIVIAL_TASKS} sqrt-sum(1) tasks"),
        serial_s * 1e6 / f64::from(TRIVIAL_TASKS),
        corescope::format::seconds(serial_s),
    );
    println!(
        "{:<44} {:>9.2} µs {:>12}",
        "(c) raw 8-byte round trip via cat", ping_us, "",
    );
    print_pool_pairs(&pairs);
    Ok(())
}

/// (d): each pair's figures, then the median ratio and its range.
fn print_pool_pairs(pairs: &[(f64, Option<f64>)]) {
    let ours: Vec<f64> = pairs.iter().map(|p| p.0).collect();
    println!(
        "{:<44} {:>9.2} µs {:>12}",
        "(d) processes ×2 queue, per trivial task",
        median(ours.clone()),
        format!("{:.2}…{:.2}", min(&ours), max(&ours)),
    );
    let python: Vec<f64> = pairs.iter().filter_map(|p| p.1).collect();
    if python.len() < pairs.len() {
        println!("    CPython Pool.map: python3 not available or failed");
        return;
    }
    let ratios: Vec<f64> = pairs
        .iter()
        .filter_map(|p| p.1.map(|py| p.0 / py))
        .collect();
    println!(
        "{:<44} {:>9.2} µs {:>12}",
        "    CPython Pool(2).map(chunksize=1), per task",
        median(python.clone()),
        format!("{:.2}…{:.2}", min(&python), max(&python)),
    );
    println!(
        "{:<44} {:>11.3} {:>12}",
        "    (d) ratio, median of pairs (goal ≤ 0.333)",
        median(ratios.clone()),
        format!("{:.3}…{:.3}", min(&ratios), max(&ratios)),
    );
}
