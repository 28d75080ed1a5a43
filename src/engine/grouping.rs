//! Grouped spans: timing short tasks in groups, so that measuring them
//! does not change what they measure.
//!
//! A span costs its worker two clock reads (20–60 ns each). On tasks of a
//! few microseconds or less that is a share of the run worth reporting, so
//! serial and thread workers time a group of consecutive tasks with one
//! pair of reads instead. [`group_size`] decides per run, from its first
//! repetition (the warm-up, when the run has one, which times every task):
//! enough tasks that a group lasts at least [`READS_SHARE`]⁻¹ times its two
//! reads. Tasks long enough get a group of one, and nothing changes.
//! [`SpanGroup`] closes a group when it is full and when a thread hands
//! its batch over, so a group covers tasks one worker ran one after
//! another. Under a queue, whichever worker asks takes the next chunk, so
//! a worker's tasks need not be consecutive: the log then lists the
//! group's tasks (`RepetitionLog::record_finished`).

use std::sync::OnceLock;

use super::contract::{Finished, Span, span_stamp};
use crate::measure::clock::monotonic_ns;

/// The largest share of a group's time its two clock reads may take.
pub(crate) const READS_SHARE: f64 = 0.01;

/// The cost of one read of the shared clock, in nanoseconds: the fastest
/// of a few timed runs of reads, measured once per process.
pub(crate) fn clock_read_ns() -> f64 {
    static COST: OnceLock<f64> = OnceLock::new();
    *COST.get_or_init(|| {
        const READS: u32 = 2_000;
        (0..5)
            .map(|_| {
                let start = monotonic_ns();
                let mut last = start;
                for _ in 0..READS {
                    last = std::hint::black_box(monotonic_ns());
                }
                (last.saturating_sub(start)) as f64 / f64::from(READS)
            })
            .fold(f64::INFINITY, f64::min)
            .max(1.0)
    })
}

/// Tasks per span for a run whose first repetition timed each task with
/// `spans` (one task each): 1 where tasks are long enough that their two
/// reads cost under [`READS_SHARE`] of them, else enough consecutive tasks
/// that a group's reads do. 1 without spans (instrumentation off).
pub(crate) fn group_size(spans: &[Span]) -> u32 {
    group_size_for(spans, clock_read_ns())
}

fn group_size_for(spans: &[Span], read_ns: f64) -> u32 {
    let (tasks, ns) = spans.iter().fold((0u64, 0u64), |(tasks, ns), s| {
        (
            tasks + u64::from(s.tasks.max(1)),
            ns + s.end_ns.saturating_sub(s.start_ns),
        )
    });
    if tasks == 0 {
        return 1;
    }
    // A task's time, less the reads its span already paid for.
    let per_task = (ns as f64 / tasks as f64 - read_ns).max(1.0);
    let wanted = 2.0 * read_ns / READS_SHARE;
    (wanted / per_task).ceil().clamp(1.0, f64::from(u32::MAX)) as u32
}

/// One worker's open group, noted into its [`Finished`] list while the
/// clock runs: its first task's entry carries the span.
#[derive(Debug)]
pub(crate) struct SpanGroup {
    /// Most tasks in one group.
    size: u32,
    /// Read the clock (instrumentation on).
    stamp: bool,
    /// Where the open group's first entry is in the list.
    first: usize,
    /// Tasks in the open group (0: none open).
    count: u32,
}

impl SpanGroup {
    pub fn new(size: u32, stamp: bool) -> SpanGroup {
        SpanGroup {
            size: size.max(1),
            stamp,
            first: 0,
            count: 0,
        }
    }

    /// Notes the task about to run in `finished`: a group's first task
    /// reads the clock (its span's start), the others do not.
    pub fn begin(&mut self, finished: &mut Vec<Finished>, task: u32) {
        let start_ns = if self.count == 0 {
            self.first = finished.len();
            span_stamp(self.stamp)
        } else {
            0
        };
        finished.push(Finished {
            task,
            tasks: 0,
            value: 0,
            start_ns,
            end_ns: 0,
        });
        self.count += 1;
    }

    /// The task just begun finished with `value`; the group closes (the
    /// clock read for its end) when it is full or `closes` (the worker's
    /// next task need not follow this one, or the list is handed over).
    pub fn end(&mut self, finished: &mut [Finished], value: u64, closes: bool) {
        if let Some(last) = finished.last_mut() {
            last.value = value;
        }
        if self.count >= self.size || closes {
            self.close(finished);
        }
    }

    /// Closes the open group, if any (a stopped worker's last one).
    pub fn close(&mut self, finished: &mut [Finished]) {
        if self.count == 0 {
            return;
        }
        let end_ns = span_stamp(self.stamp);
        if let Some(first) = finished.get_mut(self.first) {
            first.tasks = self.count;
            first.end_ns = end_ns;
        }
        self.count = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(count: u32, each_ns: u64) -> Vec<Span> {
        (0..count)
            .map(|task| Span {
                worker: 0,
                task,
                tasks: 1,
                members_at: crate::engine::contract::CONSECUTIVE,
                start_ns: u64::from(task) * each_ns,
                end_ns: u64::from(task + 1) * each_ns,
            })
            .collect()
    }

    #[test]
    fn long_tasks_keep_a_span_each_and_short_ones_are_grouped() {
        // 25 ns reads: a group must last 5 µs.
        assert_eq!(group_size_for(&spans(10, 1_000_000), 25.0), 1);
        assert_eq!(group_size_for(&spans(10, 5_025), 25.0), 1);
        // 100 ns tasks (75 ns of work once the read is taken off): 67.
        assert_eq!(group_size_for(&spans(10, 100), 25.0), 67);
        assert_eq!(group_size_for(&[], 25.0), 1);
    }

    #[test]
    fn an_engine_span_is_32_bytes_without_stamps() {
        // Stamps are kept beside the spans, by the models that take them.
        assert_eq!(std::mem::size_of::<Span>(), 32);
    }

    #[test]
    fn groups_close_when_full_and_where_told() {
        let mut finished = Vec::new();
        let mut group = SpanGroup::new(3, false);
        for task in 0..7 {
            group.begin(&mut finished, task);
            group.end(&mut finished, u64::from(task) * 10, task == 4);
        }
        group.close(&mut finished);
        let opened: Vec<(u32, u32)> = finished
            .iter()
            .filter(|f| f.tasks > 0)
            .map(|f| (f.task, f.tasks))
            .collect();
        // Full at 3, closed at task 4 (its chunk's end), the rest at the end.
        assert_eq!(opened, [(0, 3), (3, 2), (5, 2)]);
        assert_eq!(finished[6].value, 60);
    }
}
