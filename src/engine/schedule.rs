//! Who runs which task: the static and queue schedules.
//!
//! Tasks are cut into chunks of `chunk` consecutive tasks. Under `static`,
//! chunk `c` belongs to worker `c mod p`, decided before the run starts;
//! under `queue`, a free worker takes the next unclaimed chunk from a shared
//! counter. Both hand out every task exactly once.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::spec::Schedule;

/// The tasks of one repetition, shared by all its workers.
#[derive(Debug)]
pub struct TaskSource {
    schedule: Schedule,
    tasks: u64,
    chunk: u64,
    workers: u64,
    next_chunk: AtomicU64,
}

/// One worker's position in a [`TaskSource`].
#[derive(Debug, Default, Clone)]
pub struct Cursor {
    next: u64,
    end: u64,
    static_round: u64,
}

impl TaskSource {
    pub fn new(schedule: Schedule, tasks: u32, chunk: u32, workers: u32) -> TaskSource {
        TaskSource {
            schedule,
            tasks: u64::from(tasks),
            chunk: u64::from(chunk.max(1)),
            workers: u64::from(workers.max(1)),
            next_chunk: AtomicU64::new(0),
        }
    }

    /// Whether `worker` may claim a task ahead of finishing the one it
    /// holds without starving another: always under `static` (its tasks
    /// are its own) or within the chunk it holds; under `queue` only
    /// while at least one unclaimed chunk is left for every worker, so the
    /// last tasks go to whichever worker is free, not to one that is busy.
    pub fn may_claim_ahead(&self, cursor: &Cursor) -> bool {
        match self.schedule {
            Schedule::Static => true,
            Schedule::Queue => {
                let chunks = self.tasks.div_ceil(self.chunk);
                let claimed = self.next_chunk.load(Ordering::Relaxed);
                cursor.next < cursor.end || chunks.saturating_sub(claimed) >= self.workers
            }
        }
    }

    /// The next task for `worker`, or `None` when it has no more.
    pub fn claim(&self, worker: u32, cursor: &mut Cursor) -> Option<u32> {
        if cursor.next >= cursor.end {
            let chunk_index = match self.schedule {
                Schedule::Static => {
                    let c = u64::from(worker) + cursor.static_round * self.workers;
                    cursor.static_round += 1;
                    c
                }
                Schedule::Queue => self.next_chunk.fetch_add(1, Ordering::Relaxed),
            };
            let start = chunk_index.saturating_mul(self.chunk);
            if start >= self.tasks {
                return None;
            }
            cursor.next = start;
            cursor.end = (start + self.chunk).min(self.tasks);
        }
        let task = cursor.next;
        cursor.next += 1;
        u32::try_from(task).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(source: &TaskSource, worker: u32) -> Vec<u32> {
        let mut cursor = Cursor::default();
        std::iter::from_fn(|| source.claim(worker, &mut cursor)).collect()
    }

    #[test]
    fn static_chunks_go_round_robin() {
        let source = TaskSource::new(Schedule::Static, 10, 2, 3);
        assert_eq!(drain(&source, 0), [0, 1, 6, 7]);
        assert_eq!(drain(&source, 1), [2, 3, 8, 9]);
        assert_eq!(drain(&source, 2), [4, 5]);
    }

    #[test]
    fn default_static_chunk_is_one_block_per_worker() {
        let chunk = Schedule::Static.default_chunk(10, 3);
        let source = TaskSource::new(Schedule::Static, 10, chunk, 3);
        assert_eq!(drain(&source, 0), [0, 1, 2, 3]);
        assert_eq!(drain(&source, 2), [8, 9]);
    }

    #[test]
    fn the_last_queued_tasks_are_not_claimed_ahead() {
        let source = TaskSource::new(Schedule::Queue, 3, 1, 2);
        let mut first = Cursor::default();
        assert_eq!(source.claim(0, &mut first), Some(0));
        assert!(
            source.may_claim_ahead(&first),
            "two chunks left for two workers"
        );
        assert_eq!(source.claim(0, &mut first), Some(1));
        assert!(
            !source.may_claim_ahead(&first),
            "one chunk left for two workers"
        );
        let statics = TaskSource::new(Schedule::Static, 2, 1, 2);
        assert!(statics.may_claim_ahead(&Cursor::default()));
    }

    #[test]
    fn queue_hands_out_each_task_once() {
        let source = TaskSource::new(Schedule::Queue, 7, 2, 2);
        let (mut a, mut b) = (Cursor::default(), Cursor::default());
        let mut seen = Vec::new();
        // Interleave claims as two workers would.
        loop {
            let x = source.claim(0, &mut a);
            let y = source.claim(1, &mut b);
            seen.extend(x.into_iter().chain(y));
            if x.is_none() && y.is_none() {
                break;
            }
        }
        seen.sort_unstable();
        assert_eq!(seen, (0..7).collect::<Vec<_>>());
    }
}
