//! `counter`: every task adds 1 to a counter `size` times, and how the
//! workers share that counter ([`Sharing`]) decides whether the total comes
//! out right.
//!
//! This is the argument for isolation: threads that read and write one
//! counter without synchronisation lose updates; a lock or an atomic add
//! fixes that at the price of contention; workers that count on their own
//! and hand back partial sums need neither. The shared counter is a
//! [`SharedCounter`] in the memory of the process that counts: one per
//! repetition for the threads of corescope's process, and one per worker
//! process for worker processes — which is why the parent's copy never
//! moves under processes, as a plain global in `multiprocessing` does not.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use serde::{Deserialize, Serialize};

use super::Checkpoint;

/// Increments between two checkpoints (a few microseconds of work). A
/// checkpoint never falls between the read and the write of one increment:
/// a GIL handed over there (CPython checks its eval breaker between loop
/// iterations, not inside `+=`) cannot lose an update.
const INCREMENTS_PER_TICK: u64 = 1024;

/// How the workers of a `counter` run share their counter.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Sharing {
    /// One shared counter, read and written without synchronisation (an
    /// atomic load, then a separate store: an unsynchronised `+=`).
    Racy,
    /// One shared counter, a mutex held around each increment.
    Locked,
    /// One shared counter, one atomic add per increment.
    Atomic,
    /// No sharing: each task counts on its own and returns its count; the
    /// main process adds the partial results.
    #[default]
    Isolated,
}

impl Sharing {
    /// Every mode, in menu order.
    pub const ALL: [Sharing; 4] = [
        Sharing::Racy,
        Sharing::Locked,
        Sharing::Atomic,
        Sharing::Isolated,
    ];

    /// The name used on the command line and in result files.
    pub fn name(self) -> &'static str {
        match self {
            Sharing::Racy => "racy",
            Sharing::Locked => "locked",
            Sharing::Atomic => "atomic",
            Sharing::Isolated => "isolated",
        }
    }

    /// Whether the workers write one counter (rather than partial sums).
    pub fn is_shared(self) -> bool {
        self != Sharing::Isolated
    }
}

impl_named!(Sharing, "sharing mode");

/// Where a `counter` run's increments were counted, as the main process
/// sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CountedIn {
    /// One counter in memory the main process reads: its threads' shared
    /// memory, or CPython's `multiprocessing.Value` (shared memory).
    SharedCounter,
    /// Each worker process's own copy of the counter (a global of its own
    /// memory): the main process's counter never moves, so it reads 0.
    WorkerCopies,
    /// Isolated: each task counted alone and the main process added the
    /// partial sums it got back.
    PartialSums,
}

impl CountedIn {
    /// Where a run counted under `sharing`, given where its model keeps a
    /// shared counter (`ModelInfo::shared_counter`).
    pub fn of(shared: CountedIn, sharing: Sharing) -> CountedIn {
        if sharing.is_shared() {
            shared
        } else {
            CountedIn::PartialSums
        }
    }

    /// The name in result files (JSON and CSV).
    pub fn name(self) -> &'static str {
        match self {
            CountedIn::SharedCounter => "shared-counter",
            CountedIn::WorkerCopies => "worker-copies",
            CountedIn::PartialSums => "partial-sums",
        }
    }

    /// A phrase for tables and findings.
    pub fn describe(self) -> &'static str {
        match self {
            CountedIn::SharedCounter => "one shared counter",
            CountedIn::WorkerCopies => {
                "each worker process's own copy (the main process's counter stayed 0)"
            }
            CountedIn::PartialSums => "partial sums added by the main process",
        }
    }
}

/// The counter the workers of one process share: the `counter` workload's
/// "global variable".
#[derive(Debug, Default)]
pub struct SharedCounter {
    /// Written by racy and atomic increments.
    value: AtomicU64,
    /// Written by locked increments.
    locked: Mutex<u64>,
}

impl SharedCounter {
    /// The count so far (increments of every mode).
    pub fn total(&self) -> u64 {
        let locked = *self.locked.lock().unwrap_or_else(PoisonError::into_inner);
        self.value.load(Ordering::SeqCst).wrapping_add(locked)
    }
}

/// Adds 1 to the counter `n` times, shared as `sharing` says. Returns the
/// task's own count: `n` increments made (the partial sum, for isolated).
pub fn count<C: Checkpoint>(
    n: u64,
    sharing: Sharing,
    counter: &SharedCounter,
    checkpoint: &mut C,
) -> u64 {
    let mut partial = 0u64;
    let mut done = 0u64;
    while done < n {
        let step = INCREMENTS_PER_TICK.min(n - done);
        match sharing {
            Sharing::Racy => {
                for _ in 0..step {
                    // Another thread's increment between this load and
                    // store is overwritten: a lost update. black_box keeps
                    // the compiler from fusing the loop's loads and stores
                    // into one of each per slice, which it may do with
                    // relaxed atomics: every increment reads and writes
                    // memory, as an unsynchronised `+=` does.
                    let seen = std::hint::black_box(counter.value.load(Ordering::Relaxed));
                    counter.value.store(seen.wrapping_add(1), Ordering::Relaxed);
                }
            }
            Sharing::Atomic => {
                for _ in 0..step {
                    counter.value.fetch_add(1, Ordering::Relaxed);
                }
            }
            Sharing::Locked => {
                for _ in 0..step {
                    let mut value = counter
                        .locked
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner);
                    *value = value.wrapping_add(1);
                }
            }
            Sharing::Isolated => {
                for _ in 0..step {
                    // black_box: one real add per increment, as the other
                    // modes do, not one addition of `step`.
                    partial = std::hint::black_box(partial + 1);
                }
            }
        }
        checkpoint.tick();
        done += step;
        if checkpoint.stopped() {
            break;
        }
    }
    if sharing == Sharing::Isolated {
        partial
    } else {
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::NoCheckpoint;

    #[test]
    fn one_thread_counts_exactly_in_every_mode() {
        for sharing in Sharing::ALL {
            let counter = SharedCounter::default();
            let own = count(10_000, sharing, &counter, &mut NoCheckpoint);
            assert_eq!(own, 10_000, "{sharing}");
            let expected = if sharing.is_shared() { 10_000 } else { 0 };
            assert_eq!(counter.total(), expected, "{sharing}");
        }
    }

    #[test]
    fn names_round_trip() {
        for sharing in Sharing::ALL {
            assert_eq!(sharing.name().parse::<Sharing>(), Ok(sharing));
        }
        assert!("shared".parse::<Sharing>().is_err());
    }
}
