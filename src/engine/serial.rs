//! `serial`: every task in order on the engine's own thread, the baseline
//! every speedup is measured against.

use super::contract::{Executor, Finished, Repetition, RepetitionInput, written_buffer};
use super::error::EngineError;
use super::grouping::SpanGroup;
use crate::measure::clock::{monotonic_ns, process_cpu_ns};
use crate::worker::process::PipeSnapshot;
use crate::workload::{Cancellable, SharedCounter, run_task_here};

/// The serial model: no pool to start.
#[derive(Debug)]
pub(crate) struct Serial;

impl Executor for Serial {
    fn spawn_ns(&self) -> u64 {
        0
    }

    fn logs_after_clock(&self) -> bool {
        true
    }

    fn run_repetition(&mut self, input: RepetitionInput<'_>) -> Result<Repetition, EngineError> {
        let tasks = input.spec.workload.tasks;
        // Each task's result and span go here while the clock runs; the
        // log is built from them once it has stopped.
        let mut finished = written_buffer::<Finished>(tasks as usize);
        // The counter a `counter` run shares: this repetition's, so every
        // repetition starts from 0.
        let counter = SharedCounter::default();
        let cpu_before = process_cpu_ns();
        let start = monotonic_ns();
        let mut group = SpanGroup::new(input.group, input.instrument);
        for index in 0..tasks {
            if input.cancel.is_cancelled() {
                return Err(EngineError::Cancelled);
            }
            group.begin(&mut finished, index);
            let out = run_task_here(
                &input.task(index),
                input.payload,
                &counter,
                // Nothing can interrupt the engine's own thread: the task
                // stops by itself on cancel.
                &mut Cancellable(input.cancel),
                input.spec.workload.command,
            );
            if let Some(error) = out.error {
                return Err(EngineError::Task(error));
            }
            group.end(&mut finished, out.value, index + 1 == tasks);
            (input.on_tasks_done)(1);
        }
        if input.cancel.is_cancelled() {
            // The last task may have stopped short: its value is not one.
            return Err(EngineError::Cancelled);
        }
        let wall = monotonic_ns() - start;
        let cpu = process_cpu_ns() - cpu_before;
        let mut log = input.log(start);
        log.record_finished(0, &finished);
        let mut repetition = log.finish(wall, cpu, PipeSnapshot::default());
        repetition.counter = counter.total();
        Ok(repetition)
    }
}
