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
#[path = "../tests/common/run_spec.rs"]
mod run_spec;

use std::error::Error;
use std::io::{Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Instant;

use common::{max, median, min};
use corescope::results::MachineInfo;
use corescope::spec::{Model, RunSpec};
use corescope::workload::Workload;
use run_spec::{engine_config, run_spec, try_run_with};

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

fn main() -> BenchResult<()> {
    print_machine();
    let throughput = Throughput::measure()?;
    let overhead = Overhead::measure()?;
    let pairs = pool_pairs()?;
    println!("{:<44} {:>12} {:>12}", "measurement", "figure", "wall");
    println!("{}", "-".repeat(70));
    throughput.print();
    overhead.print();
    print_pool_pairs(&pairs);
    Ok(())
}

fn print_machine() {
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
}

/// (a) and (b): the raw pipe and the pool's echo of 1 MiB payloads.
struct Throughput {
    raw_s: f64,
    raw_mbps: f64,
    one_way_mbps: f64,
    echo_s: f64,
    echo_mbps: f64,
    shm_s: f64,
    shm_mbps: f64,
    echo_serial_s: f64,
}

/// One worker (or serial) echoing `BULK_ROUNDS` payloads of 1 MiB.
fn echo_spec(model: Model, transport: corescope::spec::Transport) -> RunSpec {
    run_spec(model, Workload::Echo)
        .size(0)
        .tasks(BULK_ROUNDS as u32)
        .payload(MIB as u64)
        .in_flight(2)
        .repeats(3)
        .warmup(1)
        .transport(transport)
        .build()
}

impl Throughput {
    fn measure() -> BenchResult<Throughput> {
        use corescope::spec::Transport;
        let buffer = corescope::workload::make_payload(MIB);
        let raw_s = median(
            (0..RAW_TRIALS)
                .map(|_| raw_pipe_trial(&buffer))
                .collect::<BenchResult<Vec<f64>>>()?,
        );
        let one_way_mbps = median(
            (0..RAW_TRIALS)
                .map(|_| raw_one_way_mbps(&buffer))
                .collect::<BenchResult<Vec<f64>>>()?,
        );
        let echo = try_run_with(
            &echo_spec(Model::Processes, Transport::Pipe),
            &engine_config(),
        )?;
        let echo_bytes = (echo.ipc.bytes_to_workers + echo.ipc.bytes_from_workers) as f64;
        let shm = try_run_with(
            &echo_spec(Model::Processes, Transport::Shm),
            &engine_config(),
        )?;
        let shm_bytes =
            (shm.ipc.bytes_shared_to_workers + shm.ipc.bytes_shared_from_workers) as f64;
        let serial = try_run_with(&echo_spec(Model::Serial, Transport::Pipe), &engine_config())?;
        Ok(Throughput {
            raw_s,
            raw_mbps: (2 * BULK_ROUNDS * MIB) as f64 / raw_s / 1e6,
            one_way_mbps,
            echo_s: echo.wall_seconds.median,
            echo_mbps: echo_bytes / echo.wall_seconds.median / 1e6,
            shm_s: shm.wall_seconds.median,
            shm_mbps: shm_bytes / shm.wall_seconds.median / 1e6,
            echo_serial_s: serial.wall_seconds.median,
        })
    }

    fn print(&self) {
        let row = |name: String, figure: String, wall: String| {
            println!("{name:<44} {figure:>12} {wall:>12}");
        };
        let seconds = corescope::format::seconds;
        row(
            format!("(a) raw pipe via cat, {BULK_ROUNDS}×1 MiB each way"),
            format!("{:.0} MB/s", self.raw_mbps),
            seconds(self.raw_s),
        );
        row(
            format!("(b) processes echo, {BULK_ROUNDS}×1 MiB, 1 worker"),
            format!("{:.0} MB/s", self.echo_mbps),
            seconds(self.echo_s),
        );
        row(
            "    (b) / (a)".to_string(),
            format!("{:.1}%", 100.0 * self.echo_mbps / self.raw_mbps),
            String::new(),
        );
        row(
            format!("    raw one-way pipe into cat, {BULK_ROUNDS}×1 MiB"),
            format!("{:.0} MB/s", self.one_way_mbps),
            String::new(),
        );
        row(
            "    (b) / raw one-way (goal ≥ 0.6)".to_string(),
            format!("{:.2}", self.echo_mbps / self.one_way_mbps),
            String::new(),
        );
        row(
            format!("(b) --transport shm, {BULK_ROUNDS}×1 MiB, 1 worker"),
            format!("{:.0} MB/s", self.shm_mbps),
            seconds(self.shm_s),
        );
        row(
            "    shm / raw one-way (goal ≥ 2)".to_string(),
            format!("{:.2}", self.shm_mbps / self.one_way_mbps),
            String::new(),
        );
        row(
            "    serial echo, same tasks (no IPC), per task".to_string(),
            format!("{:.0} µs", self.echo_serial_s * 1e6 / BULK_ROUNDS as f64),
            seconds(self.echo_serial_s),
        );
    }
}

/// (c): per-task overhead of the pool on trivial tasks, against serial
/// and a raw round trip.
struct Overhead {
    serial_s: f64,
    strict_s: f64,
    piped_s: f64,
    ping_us: f64,
}

impl Overhead {
    fn measure() -> BenchResult<Overhead> {
        let trivial = |model, in_flight| {
            try_run_with(
                &run_spec(model, Workload::SqrtSum)
                    .size(1)
                    .tasks(TRIVIAL_TASKS)
                    .payload(0)
                    .in_flight(in_flight)
                    .repeats(3)
                    .warmup(1)
                    .build(),
                &engine_config(),
            )
            .map(|r| r.wall_seconds.median)
        };
        Ok(Overhead {
            serial_s: trivial(Model::Serial, 1)?,
            strict_s: trivial(Model::Processes, 1)?,
            piped_s: trivial(Model::Processes, 2)?,
            ping_us: raw_ping_us()?,
        })
    }

    fn print(&self) {
        let per_task_us = |wall: f64| (wall - self.serial_s) * 1e6 / f64::from(TRIVIAL_TASKS);
        let row = |name: String, us: f64, wall: String| {
            println!("{name:<44} {us:>9.2} µs {wall:>12}");
        };
        let seconds = corescope::format::seconds;
        row(
            "(c) processes in_flight 1, overhead per task".to_string(),
            per_task_us(self.strict_s),
            seconds(self.strict_s),
        );
        row(
            "(c) processes in_flight 2, overhead per task".to_string(),
            per_task_us(self.piped_s),
            seconds(self.piped_s),
        );
        row(
            format!("    serial baseline, {TRIVIAL_TASKS} sqrt-sum(1) tasks"),
            self.serial_s * 1e6 / f64::from(TRIVIAL_TASKS),
            seconds(self.serial_s),
        );
        row(
            "(c) raw 8-byte round trip via cat".to_string(),
            self.ping_us,
            String::new(),
        );
    }
}

/// (d): the pool against CPython's `Pool.map`, in interleaved pairs of
/// µs per task (CPython's `None` where it could not run).
fn pool_pairs() -> BenchResult<Vec<(f64, Option<f64>)>> {
    let mut pairs = Vec::with_capacity(PAIRS);
    for _ in 0..PAIRS {
        let two = run_spec(Model::Processes, Workload::SqrtSum)
            .size(1)
            .tasks(TRIVIAL_TASKS)
            .payload(0)
            .in_flight(2)
            .warmup(1)
            .workers(2)
            .build();
        let ours = try_run_with(&two, &engine_config())?.wall_seconds.median * 1e6
            / f64::from(TRIVIAL_TASKS);
        let python = python_pool_map_us(TRIVIAL_TASKS).ok();
        pairs.push((ours, python));
    }
    Ok(pairs)
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
