//! Stopping a run: [`CancelToken`], a flag the front ends set (Cancel,
//! Ctrl-C, dropping a runner) and every executor polls while it waits, and
//! the per-run deadline that `--time-limit` puts on it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use crate::measure::clock::monotonic_ns;

/// A shared flag that asks a run to stop as soon as it can; a token for
/// one run may also carry a deadline (`--time-limit`), after which it reads
/// as cancelled too.
#[derive(Debug, Clone, Default)]
pub struct CancelToken {
    flag: Arc<AtomicBool>,
    /// `CLOCK_MONOTONIC` nanoseconds after which the token counts as
    /// cancelled (a time limit); 0: none.
    deadline_ns: Arc<AtomicU64>,
}

impl CancelToken {
    pub fn new() -> CancelToken {
        CancelToken::default()
    }
    pub fn cancel(&self) {
        self.flag.store(true, Ordering::SeqCst);
    }
    pub fn is_cancelled(&self) -> bool {
        self.flag.load(Ordering::SeqCst) || self.timed_out()
    }
    /// A token cancelled with this one, with a deadline of its own (one
    /// run's, under the experiment's token).
    pub fn child(&self) -> CancelToken {
        CancelToken {
            flag: Arc::clone(&self.flag),
            deadline_ns: Arc::new(AtomicU64::new(0)),
        }
    }
    /// Counts as cancelled once `left` has passed from now (none: never).
    pub fn set_time_left(&self, left: Option<Duration>) {
        let deadline = left.map_or(0, |left| {
            let left = u64::try_from(left.as_nanos()).unwrap_or(u64::MAX);
            monotonic_ns().saturating_add(left).max(1)
        });
        self.deadline_ns.store(deadline, Ordering::SeqCst);
    }
    /// Whether the deadline (not a cancel) stopped it.
    pub fn timed_out(&self) -> bool {
        let deadline = self.deadline_ns.load(Ordering::SeqCst);
        deadline != 0 && monotonic_ns() >= deadline
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_token_is_not_cancelled_until_cancelled() {
        let token = CancelToken::new();
        assert!(!token.is_cancelled());
        assert!(!token.timed_out());
        let copy = token.clone();
        copy.cancel();
        assert!(token.is_cancelled(), "clones share the flag");
        assert!(!token.timed_out(), "a cancel is not a deadline");
    }

    #[test]
    fn a_child_is_cancelled_with_its_parent_but_keeps_its_own_deadline() {
        let parent = CancelToken::new();
        let child = parent.child();
        child.set_time_left(Some(Duration::ZERO));
        assert!(child.timed_out() && child.is_cancelled());
        assert!(!parent.is_cancelled(), "the child's deadline is its own");
        let other = parent.child();
        assert!(!other.is_cancelled());
        parent.cancel();
        assert!(
            other.is_cancelled(),
            "a parent's cancel reaches its children"
        );
        assert!(!other.timed_out());
    }

    #[test]
    fn a_deadline_passes_and_can_be_lifted() {
        let token = CancelToken::new();
        token.set_time_left(Some(Duration::from_secs(3600)));
        assert!(!token.is_cancelled(), "an hour has not passed");
        token.set_time_left(Some(Duration::from_millis(20)));
        std::thread::sleep(Duration::from_millis(40));
        assert!(token.timed_out() && token.is_cancelled());
        token.set_time_left(None);
        assert!(!token.is_cancelled(), "no deadline: never timed out");
        // A deadline too far to count in nanoseconds is never reached.
        token.set_time_left(Some(Duration::MAX));
        assert!(!token.timed_out());
    }
}
