//! Lessons sized for the machine at hand.
//!
//! A lesson written for one machine lasts 8 ms a run on another: too short
//! for the sampler to see anything and for the repetitions to agree. As
//! pyperf calibrates its loops, each lesson's work is timed here, on this
//! machine and in this build, and scaled so that its serial run lasts about
//! [`TARGET_SECONDS`]: long enough to be measured and sampled at one
//! worker, short enough that a lesson stays under a quarter of a minute on
//! two cores. A lesson grows its tasks' size, or (where its claim is
//! about many small tasks) their number. The deck, `sweep --preset` and
//! the window all take their lessons through [`super::all`], which sizes
//! them once per process.

use crate::settings::Setting;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::measure::clock;
use crate::spec::RawExperiment;
use crate::workload::{self, Sharing, Task, Workload};

/// How long a calibrated lesson's serial run lasts, in seconds.
pub const TARGET_SECONDS: f64 = 0.4;

/// The most tasks a lesson calibrated by task count is given.
pub const MAX_TASKS: u64 = 4096;

/// How a lesson's work is sized.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Calibrate {
    /// As written (CPython lessons: their work is timed in CPython, which
    /// this process cannot time cheaply; payload sweeps).
    #[default]
    None,
    /// Each task's size.
    Size,
    /// The number of tasks, each as written.
    Tasks,
    /// Each task's size, timed in CPython (`python3`, the harness's own
    /// workload code): lessons judged on the python models, whose tasks
    /// run tens of times slower than corescope's.
    PythonSize,
}

/// Sizes `raw` for this machine as `how` says, so that its serial run
/// lasts about `target_seconds`; left as it is when its workload cannot
/// be timed here.
pub fn fit(raw: &mut RawExperiment, how: Calibrate, target_seconds: f64) {
    if how == Calibrate::None {
        return;
    }
    let Ok(workload) = raw
        .get(Setting::Workload)
        .unwrap_or_default()
        .trim()
        .parse::<Workload>()
    else {
        return;
    };
    let number = |text: Option<&str>, default: u64| {
        text.and_then(|t| crate::spec::parse_number(t).ok())
            .unwrap_or(default)
    };
    let size = number(raw.get(Setting::Size), workload.default_size());
    let tasks = number(raw.get(Setting::Tasks), u64::from(workload.default_tasks())).max(1);
    let timed_seconds = if how == Calibrate::PythonSize {
        python_serial_seconds(workload, size, tasks)
    } else {
        // A counter lesson is sized on its slowest sharing mode (a lock
        // costs tens of times an isolated add): the others then last less.
        let sharing = raw
            .get(Setting::Sharing)
            .unwrap_or_default()
            .split(',')
            .filter_map(|s| s.trim().parse::<Sharing>().ok())
            .collect::<Vec<_>>();
        serial_seconds_shared(workload, size, tasks, &sharing)
    };
    let Some(seconds) = timed_seconds else {
        return;
    };
    let factor = target_seconds / seconds.max(1e-9);
    match how {
        Calibrate::Size | Calibrate::PythonSize => {
            // Mandelbrot's size is the image's side: its work grows with
            // the square.
            let grow = if workload == Workload::Mandelbrot {
                factor.sqrt()
            } else {
                factor
            };
            let sized = round(size as f64 * grow).clamp(workload.min_size().max(1), size * 1000);
            raw.set(Setting::Size, Some(sized.to_string()));
        }
        Calibrate::Tasks => {
            let sized = ((tasks as f64 * factor / 16.0).ceil() as u64 * 16).clamp(16, MAX_TASKS);
            raw.set(Setting::Tasks, Some(sized.to_string()));
        }
        Calibrate::None => {}
    }
}

/// `x` to two significant digits, at least 1.
fn round(x: f64) -> u64 {
    if !x.is_finite() || x < 1.0 {
        return 1;
    }
    let scale = 10f64.powi((x.log10().floor() as i32 - 1).max(0));
    ((x / scale).round() * scale) as u64
}

/// The serial time of `tasks` tasks of `size`, timed on a smaller probe
/// and scaled; `None` for work that waits or ships data (its time is set
/// by its size, not by this machine).
pub fn serial_seconds(workload: Workload, size: u64, tasks: u64) -> Option<f64> {
    serial_seconds_shared(workload, size, tasks, &[])
}

/// [`serial_seconds`], a counter timed in the slowest of `sharing` (one
/// thread's increments: no other contends for the counter here).
fn serial_seconds_shared(
    workload: Workload,
    size: u64,
    tasks: u64,
    sharing: &[Sharing],
) -> Option<f64> {
    match workload {
        Workload::SqrtSum | Workload::Counter => {
            let probe = size.clamp(1, 200_000);
            let modes = if sharing.is_empty() {
                &[Sharing::Isolated][..]
            } else {
                sharing
            };
            let per_task = modes
                .iter()
                .map(|&mode| {
                    let counter = workload::SharedCounter::default();
                    timed(|| {
                        let task = Task {
                            sharing: mode,
                            ..task(workload, probe, 0, 1)
                        };
                        workload::run_task_with(&task, &[], &counter, &mut workload::NoCheckpoint);
                    })
                })
                .fold(0.0, f64::max);
            Some(per_task * size as f64 / probe as f64 * tasks as f64)
        }
        Workload::Mandelbrot => {
            let probe = size.clamp(1, 160);
            let bands = u32::try_from(tasks).unwrap_or(u32::MAX);
            let image = timed(|| {
                for index in 0..bands {
                    let task = task(workload, probe, index, bands);
                    workload::run_task(&task, &[]);
                }
            });
            let scale = size as f64 / probe as f64;
            Some(image * scale * scale)
        }
        _ => None,
    }
}

/// The serial time of `tasks` sqrt-sum tasks of `size` in CPython
/// (`python3` on PATH): the harness's own `sqrt_sum`, timed on a probe of
/// at least 20 ms of CPU and scaled. `None` for other workloads or where
/// no interpreter answers.
pub fn python_serial_seconds(workload: Workload, size: u64, tasks: u64) -> Option<f64> {
    if workload != Workload::SqrtSum {
        return None;
    }
    let (_, workloads) = crate::python::HARNESS_MODULES
        .iter()
        .find(|(name, _)| *name == "workloads.py")?;
    let program = format!(
        "{workloads}\n\
         import time\n\
         n, calls, t = 100000, 0, time.process_time()\n\
         while calls == 0 or time.process_time() - t < 0.02:\n    \
             sqrt_sum(n)\n    \
             calls += 1\n\
         print((time.process_time() - t) / calls / n)\n"
    );
    let output = std::process::Command::new(crate::python::DEFAULT_INTERPRETER)
        .args(["-c", &program])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let per_term: f64 = String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .ok()?;
    (output.status.success() && per_term.is_finite() && per_term > 0.0)
        .then_some(per_term * size as f64 * tasks as f64)
}

fn task(workload: Workload, size: u64, index: u32, tasks: u32) -> Task {
    Task {
        workload,
        size,
        index,
        tasks,
        io_percent: 0,
        port: 0,
        sharing: Sharing::Isolated,
    }
}

/// CPU seconds per call of `f`, over calls using at least 20 ms of CPU
/// in all: CPU time, not wall time, so that other programs taking turns
/// on the cores while it is timed do not shrink the lesson (its runs then
/// last longer, never shorter, than the target).
fn timed(mut f: impl FnMut()) -> f64 {
    let (wall, cpu) = (Instant::now(), clock::process_cpu_ns());
    let mut calls = 0u32;
    let used = || clock::ns_to_s(clock::process_cpu_ns().saturating_sub(cpu));
    while calls == 0 || (used() < 0.02 && wall.elapsed() < Duration::from_secs(2)) {
        f();
        calls += 1;
    }
    let seconds = if used() > 0.0 {
        used()
    } else {
        wall.elapsed().as_secs_f64()
    };
    seconds / f64::from(calls)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_calibrated_lesson_lasts_about_the_target() {
        let mut raw = RawExperiment::of([
            (Setting::Workload, "sqrt-sum"),
            (Setting::Size, "100000"),
            (Setting::Tasks, "4"),
        ]);
        fit(&mut raw, Calibrate::Size, TARGET_SECONDS);
        // Four tasks of 100,000 terms take well under a millisecond: to
        // last the target they grow by far more than ten times, however
        // busy the machine (no wall-clock bound: a test must not depend on
        // the load beside it).
        let size: u64 = raw.get(Setting::Size).unwrap().parse().unwrap();
        assert!(size >= 10 * 100_000, "{size}");
        // Sizing by task count keeps each task as written.
        let mut raw = RawExperiment::of([
            (Setting::Workload, "sqrt-sum"),
            (Setting::Size, "1000"),
            (Setting::Tasks, "16"),
        ]);
        fit(&mut raw, Calibrate::Tasks, TARGET_SECONDS);
        assert_eq!(raw.get(Setting::Size), Some("1000"));
        assert!(raw.get(Setting::Tasks).unwrap().parse::<u64>().unwrap() >= 16);
    }

    #[test]
    fn cpython_lessons_are_sized_in_cpython() {
        let Some(python) = python_serial_seconds(Workload::SqrtSum, 1_000_000, 1) else {
            // No python3 here: the lesson stays as written (tests/python.rs
            // requires one in CI).
            assert!(
                std::process::Command::new(crate::python::DEFAULT_INTERPRETER)
                    .arg("-c")
                    .arg("pass")
                    .status()
                    .is_err()
            );
            return;
        };
        assert!(python > 0.0);
        let sized = |how| {
            let mut raw = RawExperiment::of([
                (Setting::Workload, "sqrt-sum"),
                (Setting::Size, "1000000"),
                (Setting::Tasks, "4"),
            ]);
            fit(&mut raw, how, TARGET_SECONDS);
            raw.get(Setting::Size).unwrap().parse::<u64>().unwrap()
        };
        // CPython computes tens of times slower than this build: its lesson
        // gets the smaller size (a margin no busy machine closes; no
        // wall-clock bound is asserted).
        assert!(sized(Calibrate::PythonSize) < sized(Calibrate::Size));
    }

    #[test]
    fn a_counter_lesson_is_sized_on_its_slowest_sharing_mode() {
        let sized = |sharing: &str| {
            let mut raw = RawExperiment::of([
                (Setting::Workload, "counter"),
                (Setting::Size, "1000000"),
                (Setting::Tasks, "2"),
                (Setting::Sharing, sharing),
            ]);
            fit(&mut raw, Calibrate::Size, TARGET_SECONDS);
            raw.get(Setting::Size).unwrap().parse::<u64>().unwrap()
        };
        // A lock per increment costs several times an isolated add.
        assert!(sized("isolated,locked") * 2 < sized("isolated"));
    }

    #[test]
    fn rounds_to_two_digits() {
        assert_eq!(round(1234.0), 1200);
        assert_eq!(round(56.7), 57);
        assert_eq!(round(0.3), 1);
    }
}
