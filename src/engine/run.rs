//! Running: one run ([`run_one`]) or a whole [`Plan`] ([`run_plan`]) on the
//! calling thread.
//!
//! Both hand their runs to [`super::interleave::measure_batch`], which
//! starts each run's pool ([`super::start_pool`]), takes the repetitions in
//! the plan's order and summarises each run. A plan is first checked (every
//! model available, the process's limits large enough), then measured batch
//! by batch; each finished run gets its speedup and noise flags as soon as
//! its baseline is known, and the set its flags at the end.

use std::sync::Arc;
use std::time::Duration;

use super::availability;
use super::budget;
use super::contract::EngineConfig;
use super::error::EngineError;
use super::event::RunEvent;
use super::interleave;
use super::record::sample_records;
use super::start_pool;
use crate::analysis;
use crate::cancel::CancelToken;
use crate::measure::clock::monotonic_ns;
use crate::measure::sampler::{PidBoard, Sample, SampleSink};
use crate::noise;
use crate::results::{MachineInfo, ResultSet, RunRecord, TimedOutRun};
use crate::spec::{ExperimentSpec, Model, Order, RunSpec};

/// Runs one run (warm-ups, then repetitions) and summarises it.
///
/// `on_progress(done, total)` counts tasks over all repetitions, at most
/// every 50 ms and once at the end.
pub fn run_one(
    spec: &RunSpec,
    config: &EngineConfig,
    cancel: &CancelToken,
    on_progress: &mut dyn FnMut(u64, u64),
) -> Result<RunRecord, EngineError> {
    run_one_sampled(spec, config, cancel, on_progress, None)
}

/// [`run_one`], handing every system sample to `on_sample` as it is taken
/// (from the sampler's thread) besides keeping it in the record.
///
/// A sampler thread ([`crate::measure::sampler::SAMPLER_THREAD`]) watches
/// the cores and the run's processes from before the pool starts until the
/// last repetition ends; it is stopped and joined before this returns,
/// whatever the outcome.
pub fn run_one_sampled(
    spec: &RunSpec,
    config: &EngineConfig,
    cancel: &CancelToken,
    on_progress: &mut dyn FnMut(u64, u64),
    on_sample: Option<SampleSink>,
) -> Result<RunRecord, EngineError> {
    let mut start = |spec: &RunSpec, board: &PidBoard, cancel: &CancelToken| {
        start_pool(spec, config, cancel, board)
    };
    let mut emit = |event: RunEvent| {
        if let RunEvent::Progress {
            tasks_done,
            tasks_total,
            ..
        } = event
        {
            on_progress(tasks_done, tasks_total);
        }
    };
    let records = interleave::measure_batch(
        &[(0, *spec)],
        &mut start,
        cancel,
        interleave::BatchIo {
            emit: &mut emit,
            on_sample,
            sequence: &mut 0,
            time_limit: None,
            instrument: config.instrument,
        },
    )?;
    records
        .records
        .into_iter()
        .next()
        .ok_or(EngineError::Cancelled)
}
/// Where live samples go: called from the sampler's thread with a
/// [`RunEvent::Sample`].
pub type LiveSink = Arc<dyn Fn(RunEvent) + Send + Sync>;

/// What an experiment measures: its runs (baselines first) and in which
/// order their repetitions are taken. An [`ExperimentSpec`] gives one;
/// re-running flagged runs gives another.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub runs: Vec<RunSpec>,
    pub order: Order,
    /// The lesson preset the runs come from, if any.
    pub preset: Option<String>,
    /// Stop a run still going after this long (`--time-limit`).
    pub time_limit: Option<Duration>,
}

impl Plan {
    /// The runs of `spec`, in its order.
    pub fn of(spec: &ExperimentSpec) -> Plan {
        Plan {
            runs: spec.runs(),
            order: spec.order,
            preset: spec.preset.clone(),
            time_limit: spec.time_limit,
        }
    }

    /// Every model the plan runs, once each.
    pub fn models(&self) -> Vec<Model> {
        let mut models: Vec<Model> = self.runs.iter().map(|r| r.model).collect();
        models.sort();
        models.dedup();
        models
    }
}

/// Runs every run of `spec` on this thread, reporting through `emit`, and
/// returns the result set. Speedups are filled in as soon as the serial
/// baseline (always the first run of its problem) is known.
pub fn run_experiment(
    spec: &ExperimentSpec,
    config: &EngineConfig,
    cancel: &CancelToken,
    emit: &mut dyn FnMut(RunEvent),
) -> Result<ResultSet, EngineError> {
    run_experiment_live(spec, config, cancel, emit, None)
}

/// [`run_experiment`], also sending each run's system samples to `live` as
/// [`RunEvent::Sample`]s while it runs.
pub fn run_experiment_live(
    spec: &ExperimentSpec,
    config: &EngineConfig,
    cancel: &CancelToken,
    emit: &mut dyn FnMut(RunEvent),
    live: Option<LiveSink>,
) -> Result<ResultSet, EngineError> {
    run_plan(&Plan::of(spec), config, cancel, emit, live)
}

/// Measures a [`Plan`]: first other programs' use of the machine, then
/// each batch of runs ([`interleave::batches`]), each run's speedup and
/// noise flags as it finishes, and the set's flags at the end.
pub fn run_plan(
    plan: &Plan,
    config: &EngineConfig,
    cancel: &CancelToken,
    emit: &mut dyn FnMut(RunEvent),
    live: Option<LiveSink>,
) -> Result<ResultSet, EngineError> {
    // Every python model of the set on one interpreter, so that each
    // compares with a python-serial of the same build.
    let models = plan.models();
    let config = &EngineConfig {
        python: availability::shared_interpreter(&models, &config.python),
        ..config.clone()
    };
    availability::check_all(&models, &config.python)?;
    budget::check_plan_budget(plan)?;
    let runs = plan.runs.clone();
    emit(RunEvent::Started {
        runs: runs.clone(),
        total_tasks: runs.iter().map(RunSpec::total_tasks).sum(),
    });
    let mut set = ResultSet::new(MachineInfo::detect());
    set.preset = plan.preset.clone();
    set.order = plan.order;
    set.load_before = noise::probe_before().map(Box::new);
    let mut sequence = 0u64;
    for batch in interleave::batches(&runs, plan.order) {
        let members: Vec<(usize, RunSpec)> = batch.iter().map(|&i| (i, runs[i])).collect();
        let mut start = |spec: &RunSpec, board: &PidBoard, cancel: &CancelToken| {
            start_pool(spec, config, cancel, board)
        };
        let outcome = interleave::measure_batch(
            &members,
            &mut start,
            cancel,
            interleave::BatchIo {
                emit: &mut *emit,
                on_sample: live_samples(&live, &batch),
                sequence: &mut sequence,
                time_limit: plan.time_limit,
                instrument: config.instrument,
            },
        )?;
        // Their executors have killed and reaped their processes.
        set.timed_out
            .extend(outcome.timed_out.iter().map(|&index| TimedOutRun {
                index,
                label: runs[index].label(),
                limit_seconds: plan.time_limit.map_or(0.0, |l| l.as_secs_f64()),
            }));
        let finished = batch
            .into_iter()
            .filter(|index| !outcome.timed_out.contains(index));
        for (index, mut record) in finished.zip(outcome.records) {
            if let Some(baseline) = analysis::baseline_run(&set.runs, &record) {
                let baseline = baseline.clone();
                analysis::set_speedup_against(&mut record, &baseline);
            }
            noise::assess_run(&mut record, &set);
            emit(RunEvent::RunFinished {
                index,
                record: Box::new(record.clone()),
            });
            set.runs.push(record);
        }
    }
    noise::assess(&mut set);
    set.isolation = analysis::isolation::find(&set.runs);
    Ok(set)
}

/// The sampler's sink for a batch: each sample goes to `live` as a
/// [`RunEvent::Sample`] of the run whose turn it was, timed from the
/// batch's start.
fn live_samples(live: &Option<LiveSink>, batch: &[usize]) -> Option<SampleSink> {
    let live = live.clone()?;
    let batch = batch.to_vec();
    let origin = monotonic_ns();
    Some(Arc::new(move |sample: &Sample| {
        let turn = sample.turn.unwrap_or(0);
        let Some(&index) = batch.get(turn) else {
            return;
        };
        let (cpu, memory) = sample_records(sample, origin);
        live(RunEvent::Sample { index, cpu, memory });
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{RawExperiment, Setting};
    use std::path::PathBuf;

    fn experiment(workload: &str, models: &str, tasks: &str, size: &str) -> ExperimentSpec {
        RawExperiment::of([
            (Setting::Workload, workload),
            (Setting::Models, models),
            (Setting::Tasks, tasks),
            (Setting::Size, size),
            (Setting::Workers, "2"),
            (Setting::Schedule, "queue"),
            (Setting::Repeats, "2"),
            (Setting::Warmup, "1"),
        ])
        .validate(&[2])
        .unwrap()
    }

    /// Serial and threads run in this process: no worker executable.
    fn config() -> EngineConfig {
        EngineConfig::new(PathBuf::from("/nonexistent/corescope"))
    }

    #[test]
    fn one_run_measures_every_repetition_and_reports_progress() {
        let spec = experiment("sqrt-sum", "serial", "8", "1").runs()[0];
        let mut last = (0, 0);
        let record = run_one(&spec, &config(), &CancelToken::new(), &mut |done, total| {
            last = (done, total);
        })
        .unwrap();
        assert_eq!(record.model, Model::Serial);
        assert_eq!(record.repetitions.len(), 2, "warm-ups are not kept");
        // Tiny tasks: timed in groups that cover all 8.
        assert_eq!(record.spans.iter().map(|s| s.tasks).sum::<u32>(), 8);
        assert!(record.wall_seconds.median > 0.0);
        assert!(!record.checksum.is_empty());
        // Warm-up and repetitions: 3 × 8 tasks, the last report at the end.
        assert_eq!(last, (24, 24));
    }

    #[test]
    fn a_plan_reads_each_run_against_its_serial_baseline() {
        let spec = experiment("sqrt-sum", "serial,threads", "8", "1");
        let mut events = Vec::new();
        let set = run_experiment(&spec, &config(), &CancelToken::new(), &mut |event| {
            events.push(event);
        })
        .unwrap();
        assert_eq!(set.runs.len(), 2);
        assert!(set.timed_out.is_empty());
        let (serial, threads) = (&set.runs[0], &set.runs[1]);
        assert_eq!(
            serial.checksum, threads.checksum,
            "the same tasks, the same sum"
        );
        assert_eq!(serial.speedup, Some(1.0));
        assert!(threads.speedup.is_some_and(|s| s > 0.0));
        assert!(matches!(events.first(), Some(RunEvent::Started { runs, .. }) if runs.len() == 2));
        let finished = events
            .iter()
            .filter(|e| matches!(e, RunEvent::RunFinished { .. }))
            .count();
        assert_eq!(finished, 2);
    }

    #[test]
    fn a_cancelled_run_stops_before_measuring() {
        let spec = experiment("sqrt-sum", "threads", "8", "1").runs()[0];
        let cancel = CancelToken::new();
        cancel.cancel();
        let outcome = run_one(&spec, &config(), &cancel, &mut |_, _| {});
        assert!(
            matches!(outcome, Err(EngineError::Cancelled)),
            "{outcome:?}"
        );
    }

    #[test]
    fn a_run_past_its_time_limit_is_set_aside_and_the_plan_goes_on() {
        // Serial sleeps 20 × 50 ms per repetition: 1 s against 150 ms.
        let spec = experiment("sleep", "serial", "20", "50");
        let mut plan = Plan::of(&spec);
        plan.time_limit = Some(Duration::from_millis(150));
        let started = std::time::Instant::now();
        let set = run_plan(&plan, &config(), &CancelToken::new(), &mut |_| {}, None).unwrap();
        assert!(set.runs.is_empty());
        assert_eq!(set.timed_out.len(), 1);
        assert_eq!(set.timed_out[0].index, 0);
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "stopped near its limit"
        );
    }

    #[test]
    fn a_model_this_machine_cannot_run_is_refused_before_anything_runs() {
        let spec = experiment("sqrt-sum", "serial,python-serial", "4", "1");
        let mut config = config();
        config.python = PathBuf::from("/nonexistent/python3");
        let mut events = 0;
        let outcome = run_experiment(&spec, &config, &CancelToken::new(), &mut |_| events += 1);
        assert!(
            matches!(outcome, Err(EngineError::Unavailable(_))),
            "{outcome:?}"
        );
        assert_eq!(events, 0, "not even Started");
    }
}
