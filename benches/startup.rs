//! Start-up bench: how long corescope takes to answer and to show its
//! window.
//!
//! `cargo bench --bench startup` prints:
//! - `corescope --version`, spawn to exit, beside `/bin/true` (the cost of
//!   starting any process here) and `python3 -c pass` (an interpreter's
//!   start), in interleaved rounds: medians, ranges and ratios;
//! - the window's first frame, when a display is set (`DISPLAY` or
//!   `WAYLAND_DISPLAY`): the app started with
//!   `CORESCOPE_EXIT_AFTER_FIRST_FRAME=1` closes once its first frame is
//!   drawn and says so on stderr; the figure is spawn to that line (and the
//!   app's own figure, from asking for the window). Without a display it
//!   says it was skipped. Settings and data go to a temporary home, so the
//!   window opens as on a first start.

#![allow(clippy::print_stdout)]

mod common;

use std::error::Error;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{max, median, min};
use corescope::gui::startup::{EXIT_AFTER_FIRST_FRAME, FIRST_FRAME_LINE};

type BenchResult<T> = Result<T, Box<dyn Error>>;

const EXE: &str = env!("CARGO_BIN_EXE_corescope");
/// Interleaved rounds of the three commands.
const ROUNDS: usize = 30;
/// Windows opened (the first is reported apart: caches are cold).
const WINDOWS: usize = 6;
/// A window that has not drawn by then is killed and the bench fails.
const WINDOW_LIMIT: Duration = Duration::from_secs(60);

/// Milliseconds from spawn to exit; the command must succeed.
fn spawn_to_exit_ms(program: &str, args: &[&str]) -> BenchResult<f64> {
    let began = Instant::now();
    let status = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()?;
    let ms = began.elapsed().as_secs_f64() * 1e3;
    if !status.success() {
        return Err(format!("{program} {args:?} failed: {status}").into());
    }
    Ok(ms)
}

/// `python3 -c pass` is a reference only: absent, it is left out.
fn python_available() -> bool {
    spawn_to_exit_ms("python3", &["-c", "pass"]).is_ok()
}

fn version_rounds() -> BenchResult<()> {
    let python = python_available();
    let (mut ours, mut truth, mut py) = (Vec::new(), Vec::new(), Vec::new());
    // One untimed round: the executables into the page cache.
    spawn_to_exit_ms(EXE, &["--version"])?;
    for _ in 0..ROUNDS {
        truth.push(spawn_to_exit_ms("/bin/true", &[])?);
        ours.push(spawn_to_exit_ms(EXE, &["--version"])?);
        if python {
            py.push(spawn_to_exit_ms("python3", &["-c", "pass"])?);
        }
    }
    println!(
        "{:<40} {:>9} {:>17} {:>10}",
        "spawn to exit", "median", "range", "ratio"
    );
    println!("{}", "-".repeat(80));
    let row = |name: &str, samples: &[f64], reference: Option<(&str, f64)>| {
        let ratio = reference.map_or(String::new(), |(to, r)| {
            format!("{:.2}× {to}", median(samples.to_vec()) / r)
        });
        println!(
            "{:<40} {:>6.2} ms {:>7.2}…{:<7.2} ms {}",
            name,
            median(samples.to_vec()),
            min(samples),
            max(samples),
            ratio
        );
    };
    let truth_ms = median(truth.clone());
    row("/bin/true", &truth, None);
    row("corescope --version", &ours, Some(("/bin/true", truth_ms)));
    if python {
        row("python3 -c pass", &py, Some(("/bin/true", truth_ms)));
        println!(
            "{:<40} {:>9.3}",
            "corescope --version / python3 -c pass",
            median(ours) / median(py)
        );
    } else {
        println!("python3 -c pass: python3 not available, left out");
    }
    Ok(())
}

/// Spawn to the first-frame line, and the app's own figure, in ms.
fn first_frame_ms(home: &std::path::Path) -> BenchResult<(f64, f64)> {
    let began = Instant::now();
    let mut child = Command::new(EXE)
        .env(EXIT_AFTER_FIRST_FRAME, "1")
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    let Some(stderr) = child.stderr.take() else {
        let _ = child.kill();
        let _ = child.wait();
        return Err("no stderr pipe".into());
    };
    // The reader runs apart so that a window that never draws is killed
    // after the limit instead of hanging the bench.
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut last = Vec::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.strip_prefix(FIRST_FRAME_LINE) {
                let _ = tx.send(Ok((Instant::now(), rest.trim().to_string())));
            } else {
                last.push(line);
            }
        }
        let _ = tx.send(Err(last.join("\n")));
    });
    let outcome = rx.recv_timeout(WINDOW_LIMIT);
    let drawn = match outcome {
        Ok(Ok((at, own))) => {
            let own_ms: f64 = own.trim_end_matches("ms").trim().parse()?;
            Ok(((at - began).as_secs_f64() * 1e3, own_ms))
        }
        Ok(Err(stderr)) => Err(format!("the window closed without drawing:\n{stderr}").into()),
        Err(_) => Err("the window did not draw within a minute".into()),
    };
    if drawn.is_err() {
        let _ = child.kill();
    }
    // It closes itself after the first frame; a minute is plenty.
    let exited = Instant::now();
    while child.try_wait()?.is_none() {
        if exited.elapsed() > WINDOW_LIMIT {
            let _ = child.kill();
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = reader.join();
    drawn
}

fn first_frames() -> BenchResult<()> {
    let display = ["DISPLAY", "WAYLAND_DISPLAY"]
        .into_iter()
        .find(|v| std::env::var_os(v).is_some_and(|d| !d.is_empty()));
    let Some(display) = display else {
        println!(
            "first frame: skipped — neither DISPLAY nor WAYLAND_DISPLAY is set, so no window can open \
             (e.g. run `Xvfb :99 &` and set DISPLAY=:99)"
        );
        return Ok(());
    };
    let home = tempfile::tempdir()?;
    let mut runs = Vec::with_capacity(WINDOWS);
    for _ in 0..WINDOWS {
        runs.push(first_frame_ms(home.path())?);
    }
    let (first, warm) = runs.split_at(1);
    let spawned: Vec<f64> = warm.iter().map(|r| r.0).collect();
    let own: Vec<f64> = warm.iter().map(|r| r.1).collect();
    println!();
    println!(
        "first frame on {display}={} (spawn to the frame drawn; the app's own figure from asking for the window)",
        std::env::var(display).unwrap_or_default()
    );
    println!("{}", "-".repeat(80));
    println!(
        "{:<40} {:>6.1} ms (app: {:.1} ms)",
        "first window (cold)", first[0].0, first[0].1
    );
    println!(
        "{:<40} {:>6.1} ms {:>7.1}…{:<7.1} ms (app: median {:.1} ms)",
        format!("next {} windows: median", warm.len()),
        median(spawned.clone()),
        min(&spawned),
        max(&spawned),
        median(own)
    );
    Ok(())
}

fn main() -> BenchResult<()> {
    println!(
        "corescope start-up bench — {} logical cores",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    version_rounds()?;
    first_frames()
}
