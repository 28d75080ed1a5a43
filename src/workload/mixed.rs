//! `mixed`: part compute, part blocking wait — the case the module's rule
//! of thumb answers with "async + process pool". The split is a knob.

use super::Checkpoint;
use super::sqrt_sum::sqrt_sum;

/// sqrt-sum terms per millisecond of nominal compute: roughly one modern
/// core. Fixed, so a task's work (and result) is the same on every machine.
pub const TERMS_PER_MS: u64 = 400_000;

/// `ms` milliseconds of nominal work: `100 − io_percent` % of it computed
/// (sqrt-sum), then `io_percent` % waited. Returns the compute's bits mixed
/// with the wait, deterministic for a given task.
pub fn compute_then_wait<C: Checkpoint>(ms: u64, io_percent: u8, checkpoint: &mut C) -> u64 {
    let io = u64::from(io_percent.min(100));
    let compute_terms = ms.saturating_mul(100 - io).saturating_mul(TERMS_PER_MS) / 100;
    let sum = sqrt_sum(compute_terms, checkpoint);
    let wait_us = ms.saturating_mul(io).saturating_mul(10);
    checkpoint.blocking(&mut || std::thread::sleep(std::time::Duration::from_micros(wait_us)));
    sum.to_bits() ^ wait_us
}
