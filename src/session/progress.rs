//! [`RunProgress`]: one reducer over the engine's [`RunEvent`]s. Both front
//! ends fold every event through [`RunProgress::apply`] and draw from its
//! state — the window's progress bar and live CPU view, the command line's
//! progress bar — so what "tasks done" or "the current run" means is
//! decided once. The [`Step`] it returns says what changed and hands on
//! what the state does not keep: a finished run's record and how the
//! experiment ended.

use crate::engine::{EngineError, RunEvent};
use crate::remedy::{Remedied, SettingNames};
use crate::results::{CpuSample, MemorySample, ResultSet, RunRecord};
use crate::spec::RunSpec;

/// What an experiment in progress has done so far.
#[derive(Debug, Default)]
pub struct RunProgress {
    /// Every run of the experiment, in the order they run.
    pub runs: Vec<RunSpec>,
    /// Tasks of every run together, warm-ups included.
    pub total_tasks: u64,
    /// Tasks finished so far by each run (interleaved runs advance in
    /// turns, so several may be part done).
    pub done_by_run: Vec<u64>,
    /// Tasks finished in the current run.
    pub tasks_done: u64,
    /// The run in progress (index into `runs`): the one whose pool starts
    /// or whose turn it is.
    pub current: Option<usize>,
    /// The current run's repetition (from 0, warm-ups first).
    pub repetition: Option<u32>,
    /// The live per-core and memory samples of the current run.
    pub samples: LiveSamples,
    /// What a lesson is doing between its measurements (waiting for the
    /// machine to calm down, measuring flagged runs once more).
    pub note: Option<String>,
    /// Whether the runs now measured are flagged ones measured again.
    pub remeasuring: bool,
}

/// What one event changed.
#[derive(Debug)]
#[allow(
    clippy::large_enum_variant,
    reason = "one event per run step, moved once: a record or a set inline costs less than a box each"
)]
pub enum Step {
    /// The runs and their task count are known.
    Started,
    /// Run `index` started.
    RunStarted(usize),
    /// Run `index` took its turn for another repetition.
    Turn(usize),
    /// More tasks of the current run finished.
    Progress,
    /// A live sample arrived.
    Sample,
    /// Run `index` finished and was measured.
    RunFinished { index: usize, record: RunRecord },
    /// The note changed.
    Note,
    /// The experiment ended.
    Ended(Ending),
}

/// How an experiment ended.
#[derive(Debug)]
#[allow(
    clippy::large_enum_variant,
    reason = "one event per run step, moved once: a record or a set inline costs less than a box each"
)]
pub enum Ending {
    /// Every run finished.
    Finished(ResultSet),
    /// The engine stopped on an error.
    Failed(EngineError),
    /// The experiment was cancelled; every worker was stopped.
    Cancelled,
    /// The engine's channel closed without a last event.
    Lost,
}

impl Ending {
    /// Why the experiment stopped, for the error line, its way out (if a
    /// setting is one) named by `names`; `None` when it finished or was
    /// cancelled.
    pub fn error(&self, names: SettingNames) -> Option<String> {
        match self {
            Ending::Finished(_) | Ending::Cancelled => None,
            // EngineError's messages already end with their cause.
            Ending::Failed(error) => Some(format!("the run failed: {}", error.worded(names))),
            Ending::Lost => Some("the engine stopped without a result".to_string()),
        }
    }
}

impl RunProgress {
    /// Folds one event into the state.
    pub fn apply(&mut self, event: RunEvent) -> Step {
        match event {
            RunEvent::Started { runs, total_tasks } => {
                if !self.remeasuring {
                    self.note = None;
                }
                self.done_by_run = vec![0; runs.len()];
                self.runs = runs;
                self.total_tasks = total_tasks;
                Step::Started
            }
            RunEvent::RunStarted { index, .. } => {
                self.current = Some(index);
                self.repetition = None;
                self.tasks_done = self.done_of(index);
                Step::RunStarted(index)
            }
            RunEvent::Turn { index, repetition } => {
                self.current = Some(index);
                self.repetition = Some(repetition);
                self.tasks_done = self.done_of(index);
                Step::Turn(index)
            }
            RunEvent::Progress {
                index, tasks_done, ..
            } => {
                self.set_done(index, tasks_done);
                if self.current == Some(index) {
                    self.tasks_done = tasks_done;
                }
                Step::Progress
            }
            RunEvent::Sample { index, cpu, memory } => {
                self.samples.push(index, cpu, memory);
                Step::Sample
            }
            RunEvent::RunFinished { index, record } => {
                let total = self.runs.get(index).map_or(0, RunSpec::total_tasks);
                self.set_done(index, total);
                self.tasks_done = 0;
                Step::RunFinished {
                    index,
                    record: *record,
                }
            }
            RunEvent::Finished(set) => Step::Ended(Ending::Finished(set)),
            RunEvent::Failed(error) => Step::Ended(Ending::Failed(error)),
            RunEvent::Cancelled => Step::Ended(Ending::Cancelled),
            RunEvent::Calming { other_cpu_cores } => {
                self.note = Some(format!(
                    "busy: other programs use {other_cpu_cores:.1} cores; \
                     waiting up to {} s for it to calm down",
                    crate::presets::measure::CALM_WAIT.as_secs()
                ));
                Step::Note
            }
            RunEvent::Remeasuring { runs } => {
                self.remeasuring = true;
                self.note = Some(format!(
                    "measuring {runs} flagged run{} once more, with their baselines",
                    if runs == 1 { "" } else { "s" }
                ));
                Step::Note
            }
        }
    }

    /// Tasks finished in all runs so far.
    pub fn tasks_finished(&self) -> u64 {
        self.done_by_run.iter().sum()
    }

    fn done_of(&self, index: usize) -> u64 {
        self.done_by_run.get(index).copied().unwrap_or(0)
    }

    fn set_done(&mut self, index: usize, done: u64) {
        if let Some(slot) = self.done_by_run.get_mut(index) {
            *slot = done;
        }
    }

    /// Fraction of all tasks done, 0 to 1.
    pub fn fraction(&self) -> f32 {
        if self.total_tasks == 0 {
            0.0
        } else {
            (self.tasks_finished() as f64 / self.total_tasks as f64).clamp(0.0, 1.0) as f32
        }
    }

    /// The run in progress, with its index.
    pub fn current_run(&self) -> Option<(usize, &RunSpec)> {
        self.current
            .and_then(|i| self.runs.get(i).map(|spec| (i, spec)))
    }
}

/// The samples of the run in progress, as they arrive.
#[derive(Debug, Default)]
pub struct LiveSamples {
    /// The run they belong to (index into the experiment's runs).
    pub index: Option<usize>,
    pub cpu: Vec<CpuSample>,
    pub memory: Vec<MemorySample>,
}

impl LiveSamples {
    /// Adds a sample of run `index`. A sample timed before the last one
    /// starts a fresh trace: a new batch of runs (sequential: a new run)
    /// started its clock; interleaved runs of one batch share a trace.
    pub fn push(&mut self, index: usize, cpu: CpuSample, memory: MemorySample) {
        let restarted = self
            .cpu
            .last()
            .is_some_and(|last| cpu.t_seconds < last.t_seconds);
        if self.index.is_none() || restarted {
            *self = LiveSamples {
                index: Some(index),
                ..LiveSamples::default()
            };
        }
        self.index = Some(index);
        self.cpu.push(cpu);
        self.memory.push(memory);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{RawExperiment, Setting};

    fn runs() -> Vec<RunSpec> {
        let raw = RawExperiment::of([
            (Setting::Workload, "sqrt-sum"),
            (Setting::Tasks, "4"),
            (Setting::Models, "serial,threads"),
            (Setting::Workers, "2"),
            (Setting::Schedule, "static"),
            (Setting::Repeats, "1"),
            (Setting::Warmup, "0"),
        ]);
        raw.validate(&[2]).unwrap().runs()
    }

    #[test]
    fn tasks_add_up_over_runs_and_the_end_is_handed_on() {
        let runs = runs();
        let total: u64 = runs.iter().map(RunSpec::total_tasks).sum();
        let first = runs[0];
        let mut state = RunProgress::default();
        assert!(matches!(
            state.apply(RunEvent::Started {
                runs: runs.clone(),
                total_tasks: total
            }),
            Step::Started
        ));
        assert_eq!(state.fraction(), 0.0);
        state.apply(RunEvent::RunStarted {
            index: 0,
            spec: first,
        });
        assert_eq!(state.current_run().map(|(i, _)| i), Some(0));
        state.apply(RunEvent::Progress {
            index: 0,
            tasks_done: 2,
            tasks_total: first.total_tasks(),
        });
        assert_eq!(state.tasks_finished(), 2);
        let record = RunRecord::from_spec(&first);
        let step = state.apply(RunEvent::RunFinished {
            index: 0,
            record: Box::new(record),
        });
        assert!(matches!(step, Step::RunFinished { index: 0, .. }));
        assert_eq!(state.tasks_finished(), first.total_tasks());
        state.apply(RunEvent::RunStarted {
            index: 1,
            spec: runs[1],
        });
        assert_eq!(state.tasks_done, 0);
        assert_eq!(state.tasks_finished(), first.total_tasks());
        let Step::Ended(ending) = state.apply(RunEvent::Cancelled) else {
            panic!("cancelling ends the experiment");
        };
        assert!(matches!(ending, Ending::Cancelled) && ending.error(|_| "").is_none());
        assert_eq!(
            Ending::Lost.error(|_| "").as_deref(),
            Some("the engine stopped without a result")
        );
    }

    #[test]
    fn interleaved_turns_add_up_per_run() {
        let runs = runs();
        let total: u64 = runs.iter().map(RunSpec::total_tasks).sum();
        let mut state = RunProgress::default();
        state.apply(RunEvent::Started {
            runs: runs.clone(),
            total_tasks: total,
        });
        for (index, spec) in runs.iter().enumerate() {
            state.apply(RunEvent::RunStarted { index, spec: *spec });
        }
        // Run 0 does half its tasks, then run 1 some, then run 0 again.
        state.apply(RunEvent::Turn {
            index: 0,
            repetition: 0,
        });
        state.apply(RunEvent::Progress {
            index: 0,
            tasks_done: 2,
            tasks_total: 4,
        });
        assert!(matches!(
            state.apply(RunEvent::Turn {
                index: 1,
                repetition: 0
            }),
            Step::Turn(1)
        ));
        assert_eq!(state.tasks_done, 0);
        state.apply(RunEvent::Progress {
            index: 1,
            tasks_done: 3,
            tasks_total: 4,
        });
        assert_eq!(state.tasks_finished(), 5);
        state.apply(RunEvent::Turn {
            index: 0,
            repetition: 1,
        });
        assert_eq!((state.current, state.repetition), (Some(0), Some(1)));
        assert_eq!(state.tasks_done, 2, "run 0 picks up where it left");
    }
}
