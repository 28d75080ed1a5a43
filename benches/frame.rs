//! Frame-time bench: the desktop app's frames with a result set of
//! 10,000 runs shown, with the machine idle and while every core is busy.
//!
//! `cargo bench --bench frame` builds the real app in an egui_kittest
//! harness (1440×900, as the window opens), puts one stored experiment of
//! ≥ 10,000 runs in it (the Scaling charts and the results table show it),
//! then steps 300 frames with the pointer moving over the charts and the
//! table, twice: on an idle machine, and while one spinning thread per
//! logical core keeps every core busy (as a CPU-bound run does). It prints
//! p50/p95/p99/max frame times; the goal is p95 under 16 ms while the
//! cores are busy. A last row shows the idle machine with the grid's
//! fourth chart switched from IPC bytes to the time breakdown.
//!
//! A frame here is CPU work only: the app's UI code, egui's layout and the
//! tessellation of what it drew into triangles. kittest has no GPU
//! renderer, so uploading and drawing the triangles is not in the figure;
//! it also builds the AccessKit tree every frame, which the window does
//! only when assistive technology asks for it (so the figure is, if
//! anything, high).
//!
//! The result set's runs are `RunRecord`s measured for real by the engine
//! (sqrt-sum, every native model at 1 and 2 workers, both schedules),
//! repeated over worker counts 1..=834 with their wall times scaled by
//! Amdahl's law (5 % serial) and a small deterministic jitter: a set as
//! large as a long sweep leaves, with the spans and samples real runs carry.

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/common/gui.rs"]
mod gui;
#[path = "../tests/common/run_spec.rs"]
mod run_spec;

use std::error::Error;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use corescope::engine::{CancelToken, run_experiment};
use corescope::gui::CorescopeApp;
use corescope::results::{ResultSet, RunRecord};
use corescope::spec::{Model, RawExperiment, Setting};
use egui_kittest::Harness;

type BenchResult<T> = Result<T, Box<dyn Error>>;

/// Runs in the shown experiment, at least.
const RUNS: usize = 10_000;
/// Frames timed per condition.
const FRAMES: usize = 300;
/// Frames stepped before timing (fonts, first layout).
const WARM_FRAMES: usize = 20;
/// The goal, at the 95th percentile.
const GOAL_MS: f64 = 16.0;

const MODELS: &str = "serial,threads,gil-threads,processes,process-per-task,async,async+processes";

/// Real records: every model of [`MODELS`] at 1 and 2 workers, under one
/// schedule.
fn measured(schedule: &str) -> BenchResult<ResultSet> {
    let spec = RawExperiment::of([
        (Setting::Workload, "sqrt-sum"),
        (Setting::Size, "20000"),
        (Setting::Tasks, "32"),
        (Setting::Models, MODELS),
        (Setting::Workers, "1,2"),
        (Setting::Schedule, schedule),
        (Setting::Repeats, "3"),
        (Setting::Warmup, "1"),
    ])
    .validate(&[1, 2])?;
    let config = run_spec::engine_config();
    Ok(run_experiment(
        &spec,
        &config,
        &CancelToken::new(),
        &mut |_| {},
    )?)
}

/// Scales a record's wall times (median, range, every repetition).
fn scale_walls(record: &mut RunRecord, factor: f64) {
    record.wall_seconds.median *= factor;
    record.wall_seconds.min *= factor;
    record.wall_seconds.max *= factor;
    for repetition in &mut record.repetitions {
        repetition.wall_seconds *= factor;
    }
    record.wall_ci = None;
}

/// The shown experiment: the measured records spread over worker counts
/// until there are at least [`RUNS`].
fn big_set() -> BenchResult<ResultSet> {
    let mut set = measured("queue")?;
    let statics = measured("static")?;
    let serial = set
        .runs
        .iter()
        .find(|r| r.model == Model::Serial)
        .cloned()
        .ok_or("no serial run")?;
    let templates: Vec<RunRecord> = set
        .runs
        .iter()
        .chain(&statics.runs)
        .filter(|r| r.model != Model::Serial)
        .cloned()
        .collect();
    let series = templates.iter().filter(|r| r.workers == 1).count().max(1);
    let top = RUNS.div_ceil(series) as u32;
    let mut runs = vec![serial.clone()];
    let mut jitter = 0x2545_f491_4f6c_dd1du64;
    for one in templates.iter().filter(|r| r.workers == 1) {
        let two = templates
            .iter()
            .find(|r| r.model == one.model && r.schedule == one.schedule && r.workers == 2)
            .unwrap_or(one);
        for workers in 1..=top {
            let mut record = if workers == 1 {
                one.clone()
            } else {
                two.clone()
            };
            record.workers = workers;
            // Amdahl with 5 % serial, from this model's own 1-worker time.
            let law = 0.05 + 0.95 / f64::from(workers);
            jitter ^= jitter << 13;
            jitter ^= jitter >> 7;
            jitter ^= jitter << 17;
            let noise = 0.97 + 0.06 * (jitter % 1000) as f64 / 1000.0;
            let target = one.wall_seconds.median * law * noise;
            let factor = target / record.wall_seconds.median.max(1e-12);
            scale_walls(&mut record, factor);
            runs.push(record);
        }
    }
    set.runs = runs;
    set.warnings.clear();
    for run in &mut set.runs {
        run.speedup = None;
        run.efficiency = None;
        run.speedup_ci = None;
        run.warnings.clear();
    }
    corescope::analysis::fill_speedups(&mut set);
    corescope::noise::assess(&mut set);
    Ok(set)
}

/// Spinning threads, one per logical core, until dropped.
struct Busy {
    stop: Arc<AtomicBool>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Busy {
    fn start(cores: usize) -> Busy {
        let stop = Arc::new(AtomicBool::new(false));
        let threads = (0..cores)
            .map(|i| {
                let stop = Arc::clone(&stop);
                std::thread::Builder::new()
                    .name(format!("bench-busy-{i}"))
                    .spawn(move || {
                        let mut x = 1.0f64;
                        while !stop.load(Ordering::Relaxed) {
                            for i in 0..10_000 {
                                x += (f64::from(i) + x).sqrt();
                            }
                            std::hint::black_box(x);
                        }
                    })
                    .expect("a busy thread")
            })
            .collect();
        Busy { stop, threads }
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

/// Where the pointer goes in frame `i`: a path across the charts and the
/// results table, so hovering (tooltips, highlighted rows) is drawn.
fn pointer_at(i: usize) -> egui::Pos2 {
    let t = (i % 100) as f32 / 100.0;
    if (i / 100) % 2 == 0 {
        egui::pos2(380.0 + 1000.0 * t, 120.0 + 420.0 * t)
    } else {
        egui::pos2(380.0 + 1000.0 * t, 760.0 + 100.0 * t)
    }
}

/// One frame's times in ms: the UI pass, then tessellation.
fn frame(harness: &mut Harness<'_, CorescopeApp>, i: usize) -> (f64, f64) {
    harness
        .input_mut()
        .events
        .push(egui::Event::PointerMoved(pointer_at(i)));
    let began = Instant::now();
    harness.step();
    let ui_ms = began.elapsed().as_secs_f64() * 1e3;
    let shapes = harness.output().shapes.clone();
    let ppp = harness.output().pixels_per_point;
    let began = Instant::now();
    let meshes = harness.ctx.tessellate(shapes, ppp);
    let tess_ms = began.elapsed().as_secs_f64() * 1e3;
    std::hint::black_box(meshes);
    (ui_ms, tess_ms)
}

fn frames(harness: &mut Harness<'_, CorescopeApp>) -> (Vec<f64>, Vec<f64>) {
    for i in 0..WARM_FRAMES {
        frame(harness, i);
    }
    (0..FRAMES).map(|i| frame(harness, i)).unzip()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (p / 100.0 * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn report(name: &str, ui: &[f64], tess: &[f64]) -> f64 {
    let mut total: Vec<f64> = ui.iter().zip(tess).map(|(a, b)| a + b).collect();
    total.sort_by(f64::total_cmp);
    let mut ui_sorted = ui.to_vec();
    ui_sorted.sort_by(f64::total_cmp);
    let mut tess_sorted = tess.to_vec();
    tess_sorted.sort_by(f64::total_cmp);
    let p95 = percentile(&total, 95.0);
    println!(
        "{:<30} {:>7.2} {:>7.2} {:>7.2} {:>7.2}   (UI {:.2} / tessellation {:.2} at p50)",
        name,
        percentile(&total, 50.0),
        p95,
        percentile(&total, 99.0),
        total.last().copied().unwrap_or(f64::NAN),
        percentile(&ui_sorted, 50.0),
        percentile(&tess_sorted, 50.0),
    );
    p95
}

fn main() -> BenchResult<()> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let began = Instant::now();
    let set = big_set()?;
    let runs = set.runs.len();
    println!(
        "corescope frame bench — {cores} logical cores; a stored experiment of {runs} runs (made in {:.1} s)",
        began.elapsed().as_secs_f64()
    );
    println!(
        "frame = CPU side only: the app's UI pass + egui layout + tessellation (kittest has no GPU renderer)"
    );
    let data = tempfile::tempdir()?;
    let mut harness = gui::app(data.path())
        .setup(move |app| app.session.results.experiments.push(set))
        .build();
    if harness.state().shown().map(|s| s.runs.len()) != Some(runs) {
        return Err("the app does not show the big set".into());
    }

    println!(
        "{:<30} {:>7} {:>7} {:>7} {:>7}   ms, {FRAMES} frames each",
        "condition", "p50", "p95", "p99", "max"
    );
    println!("{}", "-".repeat(92));
    let (ui, tess) = frames(&mut harness);
    let idle_p95 = report("idle machine", &ui, &tess);
    let busy = Busy::start(cores);
    let (ui, tess) = frames(&mut harness);
    drop(busy);
    let busy_p95 = report(&format!("{cores} busy threads (every core)"), &ui, &tess);
    // The grid's fourth cell can show the time breakdown instead of IPC
    // bytes: its bars are chosen from every run.
    harness.state_mut().settings.charts.fourth = corescope::chart::ChartKind::Overhead;
    let (ui, tess) = frames(&mut harness);
    report("idle, 4th chart: time breakdown", &ui, &tess);
    println!("{}", "-".repeat(92));
    println!(
        "p95 busy / idle: {:.2}×; p95 busy vs the {GOAL_MS} ms goal: {:.2}× ({})",
        busy_p95 / idle_p95,
        busy_p95 / GOAL_MS,
        if busy_p95 < GOAL_MS { "met" } else { "NOT met" }
    );
    Ok(())
}
