//! A global interpreter lock, imitated: the lock behind `gil-threads`.
//!
//! Like CPython's GIL, a thread must hold it to compute. The holder checks
//! at every workload checkpoint (every few microseconds); once it has held
//! the lock for the switch interval (default 5 ms, `sys.getswitchinterval()`)
//! and another thread is waiting, it hands the lock over and queues again.
//! Waiters are served first come, first served, so a waiting thread gets the
//! lock next (CPython's forced switching). Blocking waits (sleep, standing in
//! for I/O) run with the lock released. CPU-bound work therefore never runs
//! on two threads at once; I/O-bound work still overlaps.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use super::contract::Span;
use crate::cancel::CancelToken;
use crate::measure::clock::monotonic_ns;
use crate::workload::Checkpoint;

/// The lock, shared by every thread of a gil-threads pool.
#[derive(Debug)]
pub(crate) struct Gil {
    state: Mutex<GilState>,
    turn: Condvar,
    interval_ns: u64,
}

#[derive(Debug, Default)]
struct GilState {
    holder: Option<u32>,
    /// Threads waiting, in arrival order.
    queue: VecDeque<u32>,
}

impl Gil {
    pub fn new(switch_interval_us: u32) -> Gil {
        Gil {
            state: Mutex::new(GilState::default()),
            turn: Condvar::new(),
            interval_ns: u64::from(switch_interval_us) * 1_000,
        }
    }

    fn lock(&self) -> MutexGuard<'_, GilState> {
        // The state stays consistent even if a holder panicked mid-task.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for the lock: first come, first served.
    fn acquire(&self, worker: u32) {
        let mut state = self.lock();
        state.queue.push_back(worker);
        while state.holder.is_some() || state.queue.front() != Some(&worker) {
            state = self
                .turn
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        state.queue.pop_front();
        state.holder = Some(worker);
    }

    fn release(&self) {
        self.lock().holder = None;
        self.turn.notify_all();
    }

    fn has_waiters(&self) -> bool {
        !self.lock().queue.is_empty()
    }
}

/// One thread's hold on the lock for one task: a [`Checkpoint`] that hands
/// the lock over when its interval is up, and records when it held it.
#[derive(Debug)]
pub(crate) struct GilHold<'a> {
    gil: &'a Gil,
    worker: u32,
    task: u32,
    since_ns: u64,
    holds: Vec<Span>,
    /// The run's cancel: the task stops short once it is cancelled.
    cancel: &'a CancelToken,
}

impl<'a> GilHold<'a> {
    /// Waits for the lock and starts holding it.
    pub fn take(gil: &'a Gil, worker: u32, task: u32, cancel: &'a CancelToken) -> GilHold<'a> {
        gil.acquire(worker);
        GilHold {
            gil,
            worker,
            task,
            since_ns: monotonic_ns(),
            holds: Vec::new(),
            cancel,
        }
    }

    fn give_up(&mut self) {
        self.holds.push(Span {
            worker: self.worker,
            task: self.task,
            tasks: 1,
            members_at: crate::engine::contract::CONSECUTIVE,
            start_ns: self.since_ns,
            end_ns: monotonic_ns(),
        });
        self.gil.release();
    }

    fn take_again(&mut self) {
        self.gil.acquire(self.worker);
        self.since_ns = monotonic_ns();
    }

    /// Releases the lock; returns the intervals it was held, on the shared
    /// monotonic clock.
    pub fn finish(mut self) -> Vec<Span> {
        self.give_up();
        self.holds
    }
}

impl Checkpoint for GilHold<'_> {
    fn tick(&mut self) {
        if monotonic_ns().saturating_sub(self.since_ns) >= self.gil.interval_ns
            && self.gil.has_waiters()
        {
            self.give_up();
            self.take_again();
        }
    }

    fn blocking(&mut self, wait: &mut dyn FnMut()) {
        self.give_up();
        wait();
        self.take_again();
    }

    fn cancel(&self) -> Option<&CancelToken> {
        Some(self.cancel)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn holds_never_overlap_and_the_lock_changes_hands() {
        let gil = Arc::new(Gil::new(200));
        let cancel = CancelToken::new();
        let holds: Vec<Span> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..3)
                .map(|worker| {
                    let gil = Arc::clone(&gil);
                    let cancel = &cancel;
                    scope.spawn(move || {
                        let mut hold = GilHold::take(&gil, worker, worker, cancel);
                        let deadline = monotonic_ns() + 20_000_000;
                        while monotonic_ns() < deadline {
                            hold.tick();
                        }
                        hold.finish()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect()
        });
        let mut sorted = holds.clone();
        sorted.sort_by_key(|h| h.start_ns);
        for pair in sorted.windows(2) {
            assert!(
                pair[0].end_ns <= pair[1].start_ns,
                "{:?} overlaps {:?}",
                pair[0],
                pair[1]
            );
        }
        // With 200 µs slices over 20 ms each, every thread was interrupted.
        for worker in 0..3 {
            assert!(holds.iter().filter(|h| h.worker == worker).count() > 1);
        }
    }
}
