//! `serial`: every task in order on the engine's own thread, the baseline
//! every speedup is measured against.

use super::{EngineError, Executor, Repetition, RepetitionInput};
use crate::measure::clock::{monotonic_ns, process_cpu_ns};
use crate::worker::process::PipeSnapshot;
use crate::workload::{NoCheckpoint, SharedCounter, run_task_with};

/// The serial model: no pool to start.
#[derive(Debug)]
pub(crate) struct Serial;

impl Executor for Serial {
    fn spawn_ns(&self) -> u64 {
        0
    }

    fn run_repetition(&mut self, input: RepetitionInput<'_>) -> Result<Repetition, EngineError> {
        let tasks = input.spec.workload.tasks;
        let cpu_before = process_cpu_ns();
        let start = monotonic_ns();
        let mut log = input.log(start);
        // The counter a `counter` run shares: this repetition's, so every
        // repetition starts from 0.
        let counter = SharedCounter::default();
        for index in 0..tasks {
            if input.cancel.is_cancelled() {
                return Err(EngineError::Cancelled);
            }
            let task_start = monotonic_ns();
            let out = run_task_with(
                &input.task(index),
                input.payload,
                &counter,
                &mut NoCheckpoint,
            );
            if let Some(error) = out.error {
                return Err(EngineError::Task(error));
            }
            log.record(0, index, out.value, task_start, monotonic_ns());
            (input.on_task_done)();
        }
        let wall = monotonic_ns() - start;
        let mut repetition =
            log.finish(wall, process_cpu_ns() - cpu_before, PipeSnapshot::default());
        repetition.counter = counter.total();
        Ok(repetition)
    }
}
