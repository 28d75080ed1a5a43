//! The measuring order: which runs are alive at once, and whose repetition
//! comes next.
//!
//! [`batches`] cuts an experiment's runs into batches. Interleaved, a batch
//! is the runs of one problem (those read against one serial baseline), at
//! most [`MAX_LIVE_RUNS`] runs and [`MAX_LIVE_WORKERS`] workers, so pools
//! that sit idle between their turns cost memory and file descriptors but
//! no CPU. Sequential, a batch is one run.
//!
//! [`measure_batch`] starts every pool of a batch, then takes rounds: each
//! run in turn does one repetition (warm-ups first), A B C A B C …, until
//! every run has done its own. A drift in the machine's speed (another
//! program starting, the CPU warming up and throttling) then lands on every
//! run of the batch alike instead of on whichever run happened to be
//! measuring. One sampler watches the whole batch; each sample says whose
//! turn it was. Each repetition records its place in the experiment's
//! measuring order (`RepetitionRecord::sequence`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::contract::{Executor, Pool, Repetition, RepetitionInput};
use super::error::EngineError;
use super::event::RunEvent;
use super::record::summarise;
use crate::cancel::CancelToken;
use crate::measure::memory::MemoryProbe;
use crate::measure::sampler::{
    PidBoard, SAMPLE_INTERVAL, SAMPLER_THREAD, Sample, SampleSink, Sampler, Turns,
};
use crate::noise;
use crate::results::RunRecord;
use crate::spec::{Order, RunSpec};
use crate::workload;

/// How often progress callbacks may fire: enough for a smooth bar.
const PROGRESS_INTERVAL: Duration = Duration::from_millis(50);

/// Most runs of one batch alive at once.
pub const MAX_LIVE_RUNS: usize = 16;

/// Most workers (threads or processes) of one batch alive at once; a run
/// larger than this is a batch of its own.
pub const MAX_LIVE_WORKERS: u32 = 256;

/// What makes two runs comparable: the same work, read against the same
/// serial run.
fn problem_of(run: &RunSpec) -> (crate::workload::Workload, u64, u32, u64, u8, bool) {
    let base_tasks = match run.scaling {
        crate::spec::Scaling::Strong => run.workload.tasks,
        crate::spec::Scaling::Weak => run.workload.tasks / run.workers.max(1),
    };
    (
        run.workload.workload,
        run.workload.size,
        base_tasks,
        run.workload.payload_bytes,
        run.workload.io_percent,
        run.scaling == crate::spec::Scaling::Weak,
    )
}

/// The runs (indices into `runs`) measured together, in measuring order.
/// Interleaved: consecutive runs of one problem, within the caps; each
/// batch keeps the runs' order, so serial (first in every problem) stays
/// first. Sequential: one run per batch.
pub fn batches(runs: &[RunSpec], order: Order) -> Vec<Vec<usize>> {
    let mut batches: Vec<Vec<usize>> = Vec::new();
    let mut workers = 0u32;
    for (index, run) in runs.iter().enumerate() {
        let joins = order == Order::Interleaved
            && batches.last().is_some_and(|batch| {
                batch.len() < MAX_LIVE_RUNS
                    && problem_of(&runs[batch[0]]) == problem_of(run)
                    && workers + run.workers <= MAX_LIVE_WORKERS
            });
        if joins {
            workers += run.workers;
            if let Some(batch) = batches.last_mut() {
                batch.push(index);
            }
        } else {
            workers = run.workers;
            batches.push(vec![index]);
        }
    }
    batches
}

/// Starts a run's pool; its workers' pids go on the board.
/// The token is the run's own: cancelled with the experiment, or when the
/// run's time limit is spent.
pub(crate) type StartPool<'a> =
    dyn FnMut(&RunSpec, &PidBoard, &CancelToken) -> Result<Pool, EngineError> + 'a;

/// Where a batch reports to.
pub(crate) struct BatchIo<'a> {
    /// `RunStarted`, `Turn` and `Progress` events, with the experiment's
    /// run indices.
    pub emit: &'a mut dyn FnMut(RunEvent),
    /// Every sample, as it is taken (its `turn` indexes the batch).
    pub on_sample: Option<SampleSink>,
    /// Repetitions taken so far in the experiment, warm-ups included.
    pub sequence: &'a mut u64,
    /// How long each run may measure, over all its turns (`--time-limit`).
    pub time_limit: Option<Duration>,
    /// Spans, stamps and the sampler ([`super::contract::EngineConfig::instrument`]);
    /// off, no sampler thread runs and the records keep no spans or samples.
    pub instrument: bool,
}

/// What a batch measured: the records of the runs that finished, in turn
/// order, and the experiment indices of the runs stopped by their limit.
#[derive(Debug)]
pub(crate) struct BatchOutcome {
    pub records: Vec<RunRecord>,
    pub timed_out: Vec<usize>,
}

/// One run of a batch while it is alive.
struct Live {
    index: usize,
    /// Its place in the batch (the sampler's turn number).
    turn: usize,
    spec: RunSpec,
    /// The run's own token: the experiment's, with the run's deadline
    /// set only while it is its turn.
    cancel: CancelToken,
    /// Time its turns took so far (counted against the time limit).
    used: Duration,
    executor: Box<dyn Executor>,
    /// `net`: the service its tasks call (after the executor: dropped
    /// once its workers are gone).
    _service: Option<crate::net_service::NetService>,
    net_port: u16,
    payload: Arc<[u8]>,
    done: u64,
    repetitions: Vec<Repetition>,
    /// Most tasks per span, decided from its first repetition
    /// ([`super::grouping::group_size`]); 1 until then.
    group: u32,
}

/// The samples that describe the run of `turn`: those taken on its turn.
/// A run too short to be sampled on its own turn is described by its
/// batch's samples: their CPU load and corescope's own memory; the workers
/// they saw were other runs' (more of them, or fewer), so this run's
/// workers count as not measured.
fn samples_of_turn(samples: &[Sample], turn: usize) -> Vec<Sample> {
    let own: Vec<Sample> = samples
        .iter()
        .filter(|s| s.turn == Some(turn))
        .cloned()
        .collect();
    if !own.is_empty() {
        return own;
    }
    samples
        .iter()
        .map(|s| Sample {
            worker_rss: Vec::new(),
            ..s.clone()
        })
        .collect()
}

/// Measures the runs of one batch (`(index, spec)` pairs, in turn order)
/// and returns their records, speedups not yet set. Every pool starts
/// before the first repetition and stays alive until the batch ends; an
/// error or a cancel drops them all (killing and reaping their workers)
/// before the sampler stops.
pub(crate) fn measure_batch(
    batch: &[(usize, RunSpec)],
    start: &mut StartPool<'_>,
    cancel: &CancelToken,
    io: BatchIo<'_>,
) -> Result<BatchOutcome, EngineError> {
    let boards: Vec<PidBoard> = batch.iter().map(|_| PidBoard::new()).collect();
    let turns = Turns::new(boards.clone());
    // Declared before the pools, so dropped after them on an early return:
    // the sampler sees the workers until they are gone.
    let sampler = io
        .instrument
        .then(|| Sampler::start(turns.clone(), SAMPLE_INTERVAL, io.on_sample))
        .transpose()
        .map_err(|source| EngineError::Thread {
            name: SAMPLER_THREAD.to_string(),
            source,
        })?;
    let rounds = Rounds {
        turns: &turns,
        cancel,
        time_limit: io.time_limit,
        instrument: io.instrument,
    };
    let mut timed_out = Vec::new();
    let mut lives = rounds.start_pools(batch, &boards, start, io.emit, &mut timed_out)?;
    timed_out.extend(rounds.take(&mut lives, io.emit, io.sequence)?);
    let samples = sampler.map(Sampler::finish).unwrap_or_default();
    let records = lives
        .iter()
        .map(|live| {
            let samples = samples_of_turn(&samples, live.turn);
            let mut record = summarise(
                &live.spec,
                live.executor.spawn_ns(),
                &live.repetitions,
                &samples,
            )?;
            record.processes_started = live.executor.processes_started();
            live.executor.describe_python(&mut record);
            record.mpi = live.executor.mpi().map(Box::new);
            record.load = noise::reading(&samples).map(Box::new);
            Ok(record)
        })
        .collect::<Result<Vec<_>, EngineError>>()?;
    Ok(BatchOutcome { records, timed_out })
}

/// What every round of a batch shares.
struct Rounds<'a> {
    turns: &'a Turns,
    /// The experiment's token (a cancel stops every run).
    cancel: &'a CancelToken,
    time_limit: Option<Duration>,
    instrument: bool,
}

impl Rounds<'_> {
    /// Starts every pool of the batch in turn order, each under its run's
    /// time limit (a start-up that hangs is a run that times out).
    fn start_pools(
        &self,
        batch: &[(usize, RunSpec)],
        boards: &[PidBoard],
        start: &mut StartPool<'_>,
        emit: &mut dyn FnMut(RunEvent),
        timed_out: &mut Vec<usize>,
    ) -> Result<Vec<Live>, EngineError> {
        let mut lives: Vec<Live> = Vec::with_capacity(batch.len());
        for (turn, ((index, spec), board)) in batch.iter().zip(boards).enumerate() {
            emit(RunEvent::RunStarted {
                index: *index,
                spec: *spec,
            });
            self.turns.set_current(turn);
            // Runs of one problem share their payload (interleaved batches
            // hold one problem, so one payload however many runs).
            let payload = match lives.last() {
                Some(previous) if previous.payload.len() as u64 == spec.workload.payload_bytes => {
                    Arc::clone(&previous.payload)
                }
                _ => payload_of(spec)?,
            };
            let run_cancel = self.cancel.child();
            run_cancel.set_time_left(self.time_limit);
            let began = Instant::now();
            let pool = match start(spec, board, &run_cancel) {
                Err(EngineError::Cancelled)
                    if run_cancel.timed_out() && !self.cancel.is_cancelled() =>
                {
                    timed_out.push(*index);
                    continue;
                }
                started => started?,
            };
            let net_port = pool.net_port();
            run_cancel.set_time_left(None);
            lives.push(Live {
                index: *index,
                turn,
                spec: *spec,
                executor: pool.executor,
                _service: pool.service,
                net_port,
                cancel: run_cancel,
                used: began.elapsed(),
                payload,
                done: 0,
                repetitions: Vec::with_capacity(spec.repeats as usize),
                group: 1,
            });
        }
        Ok(lives)
    }

    /// Rounds of one repetition per run, until each has done its warm-ups
    /// and repetitions. A run that spends its time limit is dropped (its
    /// workers killed and reaped) and its index returned; the others go on.
    fn take(
        &self,
        lives: &mut Vec<Live>,
        emit: &mut dyn FnMut(RunEvent),
        sequence: &mut u64,
    ) -> Result<Vec<usize>, EngineError> {
        let rounds = lives
            .iter()
            .map(|l| l.spec.warmup + l.spec.repeats)
            .max()
            .unwrap_or(0);
        let mut memory = MemoryProbe::new();
        let mut last_report = Instant::now();
        let mut timed_out = Vec::new();
        for round in 0..rounds {
            let mut at = 0;
            while let Some(live) = lives.get_mut(at) {
                if self.cancel.is_cancelled() {
                    return Err(EngineError::Cancelled);
                }
                if round >= live.spec.warmup + live.spec.repeats {
                    at += 1;
                    continue;
                }
                match self.turn(live, round, emit, &mut last_report) {
                    Ok(mut repetition) => {
                        if round == 0 {
                            live.group = super::grouping::group_size(&repetition.spans);
                        }
                        repetition.sequence = *sequence;
                        *sequence += 1;
                        if round >= live.spec.warmup {
                            // Read once the repetition's clocks have stopped
                            // (its wall and CPU figures are taken), so /proc
                            // reads never count.
                            let pids = live.executor.worker_pids();
                            repetition.parent_rss = memory.own_rss();
                            if !pids.is_empty() {
                                repetition.worker_rss = memory.rss(&pids);
                            }
                            live.repetitions.push(repetition);
                            super::record::forget_atypical_spans(
                                &mut live.repetitions,
                                live.spec.repeats,
                            );
                        }
                        emit(RunEvent::Progress {
                            index: live.index,
                            tasks_done: live.done,
                            tasks_total: live.spec.total_tasks(),
                        });
                        at += 1;
                    }
                    Err(TurnError::TimedOut) => timed_out.push(lives.remove(at).index),
                    Err(TurnError::Engine(e)) => return Err(e),
                }
            }
        }
        Ok(timed_out)
    }

    /// One repetition of `live`, under what is left of its time limit.
    fn turn(
        &self,
        live: &mut Live,
        round: u32,
        emit: &mut dyn FnMut(RunEvent),
        last_report: &mut Instant,
    ) -> Result<Repetition, TurnError> {
        self.turns.set_current(live.turn);
        emit(RunEvent::Turn {
            index: live.index,
            repetition: round,
        });
        let left = self.time_limit.map(|limit| limit.saturating_sub(live.used));
        live.cancel.set_time_left(left);
        let began = Instant::now();
        let result = repetition_of(live, emit, last_report, self.instrument);
        let timed_out = live.cancel.timed_out();
        live.cancel.set_time_left(None);
        live.used += began.elapsed();
        match result {
            Err(EngineError::Cancelled) if timed_out && !self.cancel.is_cancelled() => {
                Err(TurnError::TimedOut)
            }
            other => other.map_err(TurnError::Engine),
        }
    }
}

/// Why a turn ended without a repetition.
enum TurnError {
    /// The run spent its time limit.
    TimedOut,
    Engine(EngineError),
}

/// The echo payload of a run, allocated fallibly (its size is the user's).
fn payload_of(spec: &RunSpec) -> Result<Arc<[u8]>, EngineError> {
    // Only echo ships a payload to its workers; net's is the reply's size.
    let shipped = if spec.workload.workload.uses_payload() {
        spec.workload.payload_bytes
    } else {
        0
    };
    let bytes = usize::try_from(shipped).unwrap_or(usize::MAX);
    let payload = workload::try_make_payload(bytes).map_err(|_| EngineError::OutOfMemory {
        what: "the echo payload",
        bytes: spec.workload.payload_bytes,
    })?;
    Ok(payload.into())
}

/// One repetition of `live`, reporting progress at most every 50 ms.
fn repetition_of(
    live: &mut Live,
    emit: &mut dyn FnMut(RunEvent),
    last_report: &mut Instant,
    instrument: bool,
) -> Result<Repetition, EngineError> {
    let (index, total) = (live.index, live.spec.total_tasks());
    let done = &mut live.done;
    let mut tick = |finished: u32| {
        *done += u64::from(finished);
        if last_report.elapsed() >= PROGRESS_INTERVAL {
            *last_report = Instant::now();
            emit(RunEvent::Progress {
                index,
                tasks_done: *done,
                tasks_total: total,
            });
        }
    };
    if instrument && !live.executor.logs_after_clock() {
        super::contract::RepetitionLog::prepare(
            live.spec.workload.tasks,
            live.executor.stamps_ipc(),
        );
    }
    live.executor.run_repetition(RepetitionInput {
        spec: &live.spec,
        payload: &live.payload,
        cancel: &live.cancel,
        on_tasks_done: &mut tick,
        net_port: live.net_port,
        instrument,
        group: live.group,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{Model, RawExperiment, Setting};

    fn runs(models: &str, workers: &str, payload: Option<&str>) -> Vec<RunSpec> {
        let mut raw = RawExperiment::of([
            (
                Setting::Workload,
                if payload.is_some() {
                    "echo"
                } else {
                    "sqrt-sum"
                },
            ),
            (Setting::Models, models),
            (Setting::Workers, workers),
            (Setting::Schedule, "queue"),
            (Setting::Repeats, "2"),
            (Setting::Warmup, "1"),
        ]);
        raw.set(Setting::Payload, payload.map(Into::into));
        raw.validate(&[1]).unwrap().runs()
    }

    #[test]
    fn interleaved_batches_hold_one_problem_each() {
        let runs = runs("serial,threads,processes", "1,2", None);
        assert_eq!(
            batches(&runs, Order::Interleaved),
            vec![vec![0, 1, 2, 3, 4]]
        );
        assert_eq!(
            batches(&runs, Order::Sequential),
            (0..5).map(|i| vec![i]).collect::<Vec<_>>()
        );
        // A payload sweep: each payload is its own problem, with its serial.
        let runs = runs_with_payloads();
        let batches = batches(&runs, Order::Interleaved);
        assert_eq!(batches, vec![vec![0, 1], vec![2, 3]]);
        assert_eq!(runs[batches[1][0]].model, Model::Serial);
    }

    fn runs_with_payloads() -> Vec<RunSpec> {
        runs("serial,processes", "2", Some("1KiB,4KiB"))
    }

    /// A machine that slows down: the repetitions it runs from
    /// `slow_from` on (counted over every executor) take twice as long.
    #[derive(Debug, Clone)]
    struct Machine {
        taken: std::rc::Rc<std::cell::Cell<u64>>,
        slow_from: u64,
    }

    /// A simulated executor: `work_ns` per repetition on the machine's
    /// clock, nothing run for real.
    #[derive(Debug)]
    struct Simulated {
        machine: Machine,
        work_ns: u64,
    }

    impl Executor for Simulated {
        fn spawn_ns(&self) -> u64 {
            0
        }
        fn run_repetition(
            &mut self,
            input: RepetitionInput<'_>,
        ) -> Result<Repetition, EngineError> {
            let n = self.machine.taken.get();
            self.machine.taken.set(n + 1);
            let factor = if n >= self.machine.slow_from { 2 } else { 1 };
            for _ in 0..input.spec.workload.tasks {
                (input.on_tasks_done)(1);
            }
            Ok(Repetition {
                wall_ns: self.work_ns * factor,
                values: vec![0; input.spec.workload.tasks as usize],
                ..Repetition::default()
            })
        }
    }

    /// serial (4 ms of work) and threads ×2 (2 ms: a true speedup of 2×),
    /// four repetitions each, on a machine that halves its speed halfway.
    fn measure_on_drifting_machine(order: Order) -> (Vec<RunRecord>, Vec<(usize, u32)>) {
        let mut specs = runs("serial,threads", "2", None);
        for spec in &mut specs {
            spec.repeats = 4;
            spec.warmup = 0;
        }
        let machine = Machine {
            taken: Default::default(),
            slow_from: 4,
        };
        let mut start =
            |spec: &RunSpec, _: &PidBoard, _: &CancelToken| -> Result<Pool, EngineError> {
                Ok(Pool {
                    executor: Box::new(Simulated {
                        machine: machine.clone(),
                        work_ns: if spec.model == Model::Serial {
                            4_000_000
                        } else {
                            2_000_000
                        },
                    }),
                    service: None,
                })
            };
        let mut turns = Vec::new();
        let mut emit = |event: RunEvent| {
            if let RunEvent::Turn { index, repetition } = event {
                turns.push((index, repetition));
            }
        };
        let mut sequence = 0;
        let mut records = Vec::new();
        for batch in batches(&specs, order) {
            let members: Vec<(usize, RunSpec)> = batch.iter().map(|&i| (i, specs[i])).collect();
            let io = BatchIo {
                emit: &mut emit,
                on_sample: None,
                sequence: &mut sequence,
                time_limit: None,
                instrument: true,
            };
            records.extend(
                measure_batch(&members, &mut start, &CancelToken::new(), io)
                    .unwrap()
                    .records,
            );
        }
        let serial = records[0].clone();
        crate::analysis::set_speedup_against(&mut records[1], &serial);
        (records, turns)
    }

    fn sequence_of(record: &RunRecord) -> Vec<u64> {
        record
            .repetitions
            .iter()
            .filter_map(|r| r.sequence)
            .collect()
    }

    #[test]
    fn interleaving_spreads_a_slowdown_over_every_run() {
        let (records, turns) = measure_on_drifting_machine(Order::Interleaved);
        assert_eq!(sequence_of(&records[0]), [0, 2, 4, 6]);
        assert_eq!(sequence_of(&records[1]), [1, 3, 5, 7]);
        assert_eq!(&turns[..4], [(0, 0), (1, 0), (0, 1), (1, 1)]);
        // Both runs saw two fast and two slow repetitions: the true 2×.
        assert_eq!(records[0].wall_seconds.median, 0.006);
        assert_eq!(records[1].wall_seconds.median, 0.003);
        assert_eq!(records[1].speedup, Some(2.0));
    }

    #[test]
    fn sequential_order_lets_a_slowdown_fall_on_one_run() {
        let (records, turns) = measure_on_drifting_machine(Order::Sequential);
        assert_eq!(sequence_of(&records[0]), [0, 1, 2, 3]);
        assert_eq!(sequence_of(&records[1]), [4, 5, 6, 7]);
        assert_eq!(&turns[..5], [(0, 0), (0, 1), (0, 2), (0, 3), (1, 0)]);
        // Serial ran fast, threads slow: the speedup reads 1× instead of 2×.
        assert_eq!(records[1].speedup, Some(1.0));
    }

    #[test]
    fn batches_stay_within_the_caps() {
        let runs = runs("serial,threads,processes", "1..200", None);
        let batches = batches(&runs, Order::Interleaved);
        let mut all: Vec<usize> = batches.iter().flatten().copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..runs.len()).collect::<Vec<_>>());
        for batch in &batches {
            assert!(batch.len() <= MAX_LIVE_RUNS);
            let workers: u32 = batch.iter().map(|&i| runs[i].workers).sum();
            assert!(workers <= MAX_LIVE_WORKERS || batch.len() == 1, "{batch:?}");
            assert!(batch.windows(2).all(|w| w[1] == w[0] + 1), "{batch:?}");
        }
        assert!(batches.len() > 1);
    }

    #[test]
    fn a_run_never_sampled_on_its_turn_borrows_no_other_run_s_workers() {
        let sample = |turn, workers: usize| Sample {
            at_ns: 0,
            per_core: vec![50.0],
            own_cpu: 1.0,
            parent_rss: 10,
            worker_rss: vec![7; workers],
            turn: Some(turn),
        };
        let samples = [sample(1, 4), sample(1, 4), sample(2, 2)];
        let own = samples_of_turn(&samples, 2);
        assert_eq!(own.len(), 1);
        assert_eq!(own[0].worker_rss, [7, 7]);
        let borrowed = samples_of_turn(&samples, 0);
        assert_eq!(borrowed.len(), 3, "the batch's load describes it");
        assert!(borrowed.iter().all(|s| s.worker_rss.is_empty()));
        assert!(borrowed.iter().all(|s| s.parent_rss == 10));
    }
}
