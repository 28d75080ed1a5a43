//! `sleep`: a blocking wait standing in for I/O. It uses no CPU, and it
//! waits with any global lock released, so even threads that share one lock
//! (or one GIL) overlap while waiting.

use std::time::{Duration, Instant};

use super::Checkpoint;
use crate::cancel::CancelToken;

/// The longest a cancellable wait sleeps between looks at its cancel.
const SLICE: Duration = Duration::from_millis(10);

/// Blocks the calling thread for `ms` milliseconds, or until the run is
/// cancelled if the checkpoint carries its cancel; returns `ms`.
pub fn wait_ms<C: Checkpoint>(ms: u64, checkpoint: &mut C) -> u64 {
    let cancel = checkpoint.cancel().cloned();
    checkpoint.blocking(&mut || wait(Duration::from_millis(ms), cancel.as_ref()));
    ms
}

/// Sleeps `length`, or, given a cancel, until it is cancelled if that is
/// sooner (looking every [`SLICE`]; the end is kept, so slices add no
/// time).
pub fn wait(length: Duration, cancel: Option<&CancelToken>) {
    let Some(cancel) = cancel else {
        std::thread::sleep(length);
        return;
    };
    let end = Instant::now() + length;
    loop {
        let now = Instant::now();
        if now >= end || cancel.is_cancelled() {
            return;
        }
        std::thread::sleep((end - now).min(SLICE));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cancelled_wait_ends_before_its_length() {
        let cancel = CancelToken::new();
        cancel.set_time_left(Some(Duration::from_millis(50)));
        let start = Instant::now();
        wait(Duration::from_secs(3600), Some(&cancel));
        assert!(start.elapsed() < Duration::from_secs(3600));
        assert!(cancel.is_cancelled());
    }
}
