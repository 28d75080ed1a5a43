//! Measurement primitives: the clocks every process of a run shares, the
//! resident memory of each process, the statistics (median, min, max)
//! every reported figure is made of, and the sampler that watches the cores
//! and the memory while a run is live (on a thread with a descriptor table
//! of its own, [`file_table`]).

pub mod bootstrap;
pub mod clock;
pub mod file_table;
pub mod memory;
pub mod sampler;
pub mod stats;
pub mod system_load;
