//! `primes`: trial division, integer compute with a cost that grows slowly
//! from task to task.

/// Counts the primes in `[index·n, (index+1)·n)`; summed over a run's tasks
/// this is π(tasks·n), a number anyone can check.
pub fn count_in_slice(n: u64, index: u32) -> u64 {
    let start = u64::from(index).saturating_mul(n);
    let end = start.saturating_add(n);
    (start..end).filter(|&k| is_prime(k)).count() as u64
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
