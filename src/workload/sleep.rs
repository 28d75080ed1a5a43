//! `sleep`: a blocking wait standing in for I/O. It uses no CPU, and it
//! waits with any global lock released, so even threads that share one lock
//! (or one GIL) overlap while waiting.

use std::time::Duration;

use super::Checkpoint;

/// Blocks the calling thread for `ms` milliseconds; returns `ms`.
pub fn wait_ms<C: Checkpoint>(ms: u64, checkpoint: &mut C) -> u64 {
    checkpoint.blocking(&mut || std::thread::sleep(Duration::from_millis(ms)));
    ms
}
