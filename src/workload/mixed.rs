//! `mixed`: part compute, part blocking wait — the case the module's rule
//! of thumb answers with "async + process pool". The split is a knob.

use super::Checkpoint;
use super::sqrt_sum::sqrt_sum;

/// sqrt-sum terms per millisecond of nominal compute: roughly one modern
/// core. Fixed, so a task's work (and result) is the same on every machine.
pub const TERMS_PER_MS: u64 = 400_000;

/// A mixed task cut into its two parts: what it computes and how long it
/// waits. The async models run the parts apart (async+processes ships only
/// the compute to a worker process); every model combines them alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MixedParts {
    /// sqrt-sum terms: `100 − io_percent` % of the nominal work.
    pub compute_terms: u64,
    /// The wait, in microseconds: `io_percent` % of it.
    pub wait_us: u64,
}

impl MixedParts {
    /// The parts of `ms` milliseconds of nominal work, `io_percent` % waited.
    pub fn of(ms: u64, io_percent: u8) -> MixedParts {
        let io = u64::from(io_percent.min(100));
        MixedParts {
            compute_terms: ms.saturating_mul(100 - io).saturating_mul(TERMS_PER_MS) / 100,
            wait_us: ms.saturating_mul(io).saturating_mul(10),
        }
    }

    /// The task's value from its compute's result (sqrt-sum's bits):
    /// deterministic for a given task.
    pub fn value(self, compute_bits: u64) -> u64 {
        compute_bits ^ self.wait_us
    }
}

/// `ms` milliseconds of nominal work: computed (sqrt-sum), then waited.
pub fn compute_then_wait<C: Checkpoint>(ms: u64, io_percent: u8, checkpoint: &mut C) -> u64 {
    let parts = MixedParts::of(ms, io_percent);
    let sum = sqrt_sum(parts.compute_terms, checkpoint);
    let cancel = checkpoint.cancel().cloned();
    let wait = std::time::Duration::from_micros(parts.wait_us);
    checkpoint.blocking(&mut || super::wait(wait, cancel.as_ref()));
    parts.value(sum.to_bits())
}
