//! What the benches share: the median and range of a set of timings,
//! from the engine's own `Summary` (NaN for no samples, so a table still
//! prints).

// Each bench compiles this module on its own and uses only part of it.
#![allow(dead_code)]

use corescope::measure::stats::Summary;

pub fn median(samples: Vec<f64>) -> f64 {
    Summary::of(&samples).map_or(f64::NAN, |s| s.median)
}

pub fn min(samples: &[f64]) -> f64 {
    Summary::of(samples).map_or(f64::NAN, |s| s.min)
}

pub fn max(samples: &[f64]) -> f64 {
    Summary::of(samples).map_or(f64::NAN, |s| s.max)
}
