//! `sleep`: a blocking wait standing in for I/O. It uses no CPU, so even
//! threads that share one lock (or one GIL) overlap while waiting.

use std::time::Duration;

/// Blocks the calling thread for `ms` milliseconds; returns `ms`.
pub fn wait_ms(ms: u64) -> u64 {
    std::thread::sleep(Duration::from_millis(ms));
    ms
}
