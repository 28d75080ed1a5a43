//! Measurement primitives: the clocks every process of a run shares, the
//! resident memory of each process, and the statistics (median, min, max)
//! every reported figure is made of.

pub mod clock;
pub mod memory;
pub mod stats;
