//! `sqrt-sum`: the seed's `heavy(n)`, pure floating-point compute.

use super::Checkpoint;

/// Terms between two checkpoints (a few microseconds of work).
const TERMS_PER_TICK: u64 = 4096;

/// The sum of `sqrt(i)` for `i < n`, added strictly in order so that every
/// implementation (Rust, CPython's explicit loop) gets the same bits. The
/// loop is cut into slices only to reach `checkpoint`; the additions and
/// their order are unchanged.
pub fn sqrt_sum<C: Checkpoint>(n: u64, checkpoint: &mut C) -> f64 {
    let mut sum = 0.0_f64;
    let mut start = 0;
    while start < n {
        let end = start.saturating_add(TERMS_PER_TICK).min(n);
        for i in start..end {
            sum += (i as f64).sqrt();
        }
        checkpoint.tick();
        if checkpoint.stopped() {
            break;
        }
        start = end;
    }
    sum
}
