//! The bounds every front end, file reader and worker agrees on: how many
//! workers, tasks and repetitions one run may have, how large a payload may
//! be, and the defaults of the knobs that have a fixed one.
//!
//! A leaf module: it imports nothing of the crate, so the worker protocol,
//! the workloads and the settings catalogue can all read it without
//! depending on one another.

/// Most workers one run may use: beyond this a laptop drowns in processes.
pub const MAX_WORKERS: u32 = 1024;
/// Most runs in one experiment, and in one saved set: what an experiment
/// may measure, a saved set must be able to hold.
pub const MAX_RUNS: usize = 10_000;
/// Most tasks in one run.
pub const MAX_TASKS: u32 = 1_000_000;
/// Largest echo payload: the worker protocol's frame limit is set from it.
pub const MAX_PAYLOAD_BYTES: u64 = 64 * 1024 * 1024;
/// Largest frame body between corescope and a worker: the largest payload
/// plus room for the message around it.
pub const MAX_FRAME_BYTES: u32 = MAX_PAYLOAD_BYTES as u32 + 64 * 1024;
/// Largest echo payload the JSON codec can carry within one frame.
pub const MAX_JSON_PAYLOAD_BYTES: u64 = 16 * 1024 * 1024;
/// Most repetitions (and warm-ups) of one run.
pub const MAX_REPEATS: u32 = 1000;
/// Most tasks a process worker may hold at once (see `in_flight`).
pub const MAX_IN_FLIGHT: u32 = 64;
/// Most threads an async model's runtime may have.
pub const MAX_RUNTIME_THREADS: u32 = 256;
/// Shortest switch interval of the emulated GIL, in microseconds.
pub const MIN_SWITCH_INTERVAL_US: u32 = 10;
/// Longest switch interval of the emulated GIL, in microseconds (1 s).
pub const MAX_SWITCH_INTERVAL_US: u32 = 1_000_000;
/// CPython's default `sys.getswitchinterval()`: 5 ms.
pub const DEFAULT_SWITCH_INTERVAL_US: u32 = 5_000;

/// Default tasks kept in flight per worker process: one computing, one
/// waiting in the pipe, so a worker never idles for a round trip.
pub const DEFAULT_IN_FLIGHT: u32 = 2;
