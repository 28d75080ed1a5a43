//! `primes`: trial division, integer compute with a cost that grows slowly
//! from task to task.

use super::Checkpoint;

/// Numbers tested between two checkpoints.
const NUMBERS_PER_TICK: u64 = 256;

/// Counts the primes in `[index·n, (index+1)·n)`; summed over a run's tasks
/// this is π(tasks·n), a number anyone can check.
pub fn count_in_slice<C: Checkpoint>(n: u64, index: u32, checkpoint: &mut C) -> u64 {
    let start = u64::from(index).saturating_mul(n);
    let end = start.saturating_add(n);
    let mut count = 0;
    for k in start..end {
        if is_prime(k) {
            count += 1;
        }
        if (k - start) % NUMBERS_PER_TICK == NUMBERS_PER_TICK - 1 {
            checkpoint.tick();
            if checkpoint.stopped() {
                break;
            }
        }
    }
    count
}

fn is_prime(k: u64) -> bool {
    if k < 2 {
        return false;
    }
    if k < 4 {
        return true;
    }
    if k % 2 == 0 {
        return false;
    }
    let mut d = 3;
    while d * d <= k {
        if k % d == 0 {
            return false;
        }
        d += 2;
    }
    true
}
