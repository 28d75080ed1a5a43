//! Where a run's worker time went: [`overhead`] splits it into compute,
//! start-up, serialization, transfer and waiting, from the task spans and
//! their IPC stamps.

use crate::results::RunRecord;

/// What one run's workers spent their time on, in seconds of worker time
/// per repetition (the median one, whose spans are kept).
///
/// - compute: inside tasks (for gil-threads, only while holding the lock);
/// - start-up: starting processes: the pool's start per worker (outside the
///   wall time), or each task's own process (process-per-task);
/// - serialization: a worker decoding its task and encoding its result;
/// - transfer: a task's body and its result's body crossing the pipes;
/// - waiting: the rest of workers × wall time: idle, blocked on the lock,
///   on I/O, or waiting for work.
///
/// The IPC parts come from [`crate::results::SpanIpc`] stamps, so they are
/// zero for threads and for files written before the stamps existed.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Overhead {
    pub compute: f64,
    pub startup: f64,
    pub serialization: f64,
    pub transfer: f64,
    pub waiting: f64,
}

/// The parts of an [`Overhead`], in stacking order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    Compute,
    StartUp,
    Serialization,
    Transfer,
    Waiting,
}

impl Phase {
    pub const ALL: [Phase; 5] = [
        Phase::Compute,
        Phase::StartUp,
        Phase::Serialization,
        Phase::Transfer,
        Phase::Waiting,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Phase::Compute => "compute",
            Phase::StartUp => "start-up",
            Phase::Serialization => "serialization",
            Phase::Transfer => "transfer",
            Phase::Waiting => "waiting",
        }
    }
}

impl Overhead {
    pub fn get(&self, phase: Phase) -> f64 {
        match phase {
            Phase::Compute => self.compute,
            Phase::StartUp => self.startup,
            Phase::Serialization => self.serialization,
            Phase::Transfer => self.transfer,
            Phase::Waiting => self.waiting,
        }
    }

    pub fn total(&self) -> f64 {
        Phase::ALL.iter().map(|&p| self.get(p)).sum()
    }
}

/// Splits `run`'s worker time into the parts of [`Overhead`].
///
/// A worker's own time on a task that crossed a pipe runs from `received`
/// (it starts reading the task) to when it finished writing the result.
/// That last instant is not stamped, but it lies before both the parent
/// having the whole result (`replied`) and the worker starting on its next
/// task, so the earlier of the two stands for it. Of that encode-and-write
/// stretch, the part while the parent was reading the result's body is
/// transfer and the rest is serialization.
pub fn overhead(run: &RunRecord) -> Overhead {
    let workers = f64::from(run.workers.max(1));
    let span_seconds = |start: f64, end: f64| (end - start).max(0.0);
    let mut parts = Overhead::default();
    let mut spans: Vec<&crate::results::SpanRecord> = run.spans.iter().collect();
    spans.sort_by(|a, b| {
        (a.worker, a.start_seconds)
            .partial_cmp(&(b.worker, b.start_seconds))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    for (i, span) in spans.iter().enumerate() {
        parts.compute += span_seconds(span.start_seconds, span.end_seconds);
        let Some(ipc) = span.ipc.as_deref() else {
            continue;
        };
        if let Some(spawned) = ipc.spawned_seconds {
            parts.startup += span_seconds(spawned, ipc.received_seconds);
        }
        // Reading the task's body, then decoding it.
        parts.transfer += span_seconds(ipc.received_seconds, ipc.read_seconds);
        parts.serialization += span_seconds(ipc.read_seconds, span.start_seconds);
        let next_received = spans
            .get(i + 1)
            .filter(|next| next.worker == span.worker)
            .and_then(|next| next.ipc.as_deref())
            .map(|next| next.received_seconds);
        let written = next_received.map_or(ipc.replied_seconds, |t| t.min(ipc.replied_seconds));
        let sending = span_seconds(span.end_seconds, written);
        let reading = span_seconds(ipc.reply_seconds, ipc.replied_seconds).min(sending);
        parts.transfer += reading;
        parts.serialization += sending - reading;
    }
    if !run.gil_holds.is_empty() {
        // A gil-threads task's span includes its waits for the lock; only
        // the holds computed.
        parts.compute = run
            .gil_holds
            .iter()
            .map(|h| span_seconds(h.start_seconds, h.end_seconds))
            .sum();
    }
    let inside_wall = parts.compute + parts.startup + parts.serialization + parts.transfer;
    parts.waiting = (workers * run.wall_seconds.median - inside_wall).max(0.0);
    // The pool starts before the first repetition, each worker once.
    parts.startup += run.spawn_seconds * workers;
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::testing::record;
    use crate::spec::Model;

    #[test]
    fn overhead_splits_worker_time_by_the_span_stamps() {
        use crate::results::{SpanIpc, SpanRecord};
        // Two workers, wall 1 s: worker time 2 s.
        let mut run = record(Model::Processes, 2, 1.0);
        run.spawn_seconds = 0.05;
        let task = |worker, start: f64| SpanRecord {
            worker,
            task: worker,
            tasks: 1,
            start_seconds: start + 0.2,
            end_seconds: start + 0.7,
            ipc: Some(Box::new(SpanIpc {
                spawned_seconds: None,
                received_seconds: start,
                read_seconds: start + 0.1,
                reply_seconds: start + 0.75,
                replied_seconds: start + 0.85,
                returned_seconds: start + 0.9,
            })),
            members: None,
        };
        run.spans = vec![task(0, 0.0), task(1, 0.05)];
        let parts = overhead(&run);
        let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
        assert!(close(parts.compute, 1.0), "{parts:?}");
        // Each: transfer 0.1 in + 0.1 out; serialization 0.1 decode + 0.05 encode.
        assert!(close(parts.transfer, 0.4), "{parts:?}");
        assert!(close(parts.serialization, 0.3), "{parts:?}");
        assert!(close(parts.waiting, 2.0 - 1.0 - 0.4 - 0.3), "{parts:?}");
        assert!(close(parts.startup, 0.1), "{parts:?}");
        assert!(close(parts.total(), 2.0 + 0.1), "{parts:?}");

        // Threads: no stamps, so compute and waiting only.
        let mut threads = record(Model::Threads, 2, 1.0);
        threads.spans = vec![SpanRecord {
            worker: 0,
            task: 0,
            tasks: 1,
            start_seconds: 0.0,
            end_seconds: 0.9,
            ipc: None,
            members: None,
        }];
        let parts = overhead(&threads);
        assert!(
            close(parts.compute, 0.9) && close(parts.waiting, 1.1),
            "{parts:?}"
        );
        assert_eq!(parts.transfer + parts.serialization + parts.startup, 0.0);
    }

    #[test]
    fn a_late_parent_does_not_count_as_the_workers_encoding() {
        use crate::results::{SpanIpc, SpanRecord};
        // One worker, two tasks; the parent read the first result late
        // (0.5 s after it was written), but the worker had already started
        // on the next task at 0.31: its own sending took 0.01 s.
        let mut run = record(Model::Processes, 1, 1.0);
        let task = |task, at: f64, reply: f64, replied: f64| SpanRecord {
            worker: 0,
            task,
            tasks: 1,
            start_seconds: at + 0.01,
            end_seconds: at + 0.3,
            ipc: Some(Box::new(SpanIpc {
                spawned_seconds: None,
                received_seconds: at,
                read_seconds: at + 0.005,
                reply_seconds: reply,
                replied_seconds: replied,
                returned_seconds: replied,
            })),
            members: None,
        };
        run.spans = vec![task(1, 0.31, 0.62, 0.62), task(0, 0.0, 0.8, 0.8)];
        let parts = overhead(&run);
        let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
        assert!(close(parts.compute, 0.58), "{parts:?}");
        // Decoding 0.005 and sending 0.01, twice; not the 0.5 s the first
        // result waited for the parent.
        assert!(
            close(parts.serialization, 2.0 * (0.005 + 0.01)),
            "{parts:?}"
        );
        // Reading each task's body.
        assert!(close(parts.transfer, 2.0 * 0.005), "{parts:?}");
    }
}
