//! `sqrt-sum`: the seed's `heavy(n)`, pure floating-point compute.

/// The sum of `sqrt(i)` for `i < n`, added strictly in order so that every
/// implementation (Rust, CPython's explicit loop) gets the same bits.
pub fn sqrt_sum(n: u64) -> f64 {
    let mut sum = 0.0_f64;
    for i in 0..n {
        sum += (i as f64).sqrt();
    }
    sum
}
