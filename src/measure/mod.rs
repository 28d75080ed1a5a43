//! Measurement primitives: the clocks every process of a run shares, and
//! the statistics (median, min, max) every reported figure is made of.

pub mod clock;
pub mod stats;
