//! Record building: a [`RunRecord`] from a run's [`Repetition`]s.
//!
//! [`summarise`] takes the figures over every repetition (wall, compute and
//! CPU time as summaries, the checksum they must all agree on, the
//! `counter` workload's total and lost updates) and the spans, lock holds,
//! memory and system samples of the typical one (median wall time);
//! [`sample_records`] times a system sample as the records keep it.

use super::contract::{CONSECUTIVE, IpcStamps, Repetition, Span};
use super::error::EngineError;
use crate::analysis;
use crate::measure::clock::ns_to_s;
use crate::measure::sampler::Sample;
use crate::measure::stats::{Summary, median_index};
use crate::results::{
    CpuSample, IpcTotals, MemoryRecord, MemorySample, RepetitionRecord, RunRecord, SpanIpc,
    SpanRecord,
};
use crate::spec::RunSpec;
use crate::workload::{self, CountedIn, Workload};

/// A run's record from its repetitions: the figures over all of them, and
/// the spans, memory and samples of the typical (median wall time) one.
pub(crate) fn summarise(
    spec: &RunSpec,
    spawn_ns: u64,
    repetitions: &[Repetition],
    samples: &[Sample],
) -> Result<RunRecord, EngineError> {
    let checksum = agreed_checksum(repetitions)?;
    let walls: Vec<f64> = repetitions.iter().map(|r| ns_to_s(r.wall_ns)).collect();
    let records: Vec<RepetitionRecord> = repetitions
        .iter()
        .map(|r| repetition_record(spec, r))
        .collect();
    let typical = median_index(&walls).unwrap_or(0);
    let summary_of = |f: fn(&RepetitionRecord) -> f64| {
        Summary::of(&records.iter().map(f).collect::<Vec<f64>>()).unwrap_or_default()
    };
    let mut record = RunRecord::from_spec(spec);
    record.wall_seconds = Summary::of(&walls).unwrap_or_default();
    record.spawn_seconds = ns_to_s(spawn_ns);
    record.compute_seconds = summary_of(|r| r.compute_seconds);
    record.cpu_seconds = summary_of(|r| r.cpu_seconds);
    record.ipc = records.get(typical).map(|r| r.ipc).unwrap_or_default();
    record.checksum = checksum;
    if let Some(r) = repetitions.get(typical) {
        describe_typical(&mut record, r, samples);
    }
    if let Some(total) = records.get(typical).and_then(|r| r.total) {
        let expected = u64::from(spec.workload.tasks).saturating_mul(spec.workload.size);
        record.expected_total = Some(expected);
        record.total = Some(total);
        record.lost_updates = Some(expected.saturating_sub(total));
        record.counted_in = Some(CountedIn::of(
            spec.model.info().shared_counter,
            spec.workload.sharing,
        ));
    }
    record.repetitions = records;
    record.wall_ci = analysis::wall_interval(&record);
    if !spec.model.uses_workers() {
        let own_wall = record.wall_seconds.median;
        analysis::set_speedup(&mut record, own_wall);
    }
    Ok(record)
}

/// The checksum every repetition computed ("" without repetitions); a
/// repetition that computed another is an error.
fn agreed_checksum(repetitions: &[Repetition]) -> Result<String, EngineError> {
    let checksums: Vec<String> = repetitions
        .iter()
        .map(|r| format!("{:#018x}", workload::checksum(r.values.iter().copied())))
        .collect();
    if let Some((rep, found)) = checksums
        .iter()
        .enumerate()
        .find(|(_, c)| *c != &checksums[0])
    {
        return Err(EngineError::Nondeterministic {
            rep,
            expected: checksums[0].clone(),
            found: found.clone(),
        });
    }
    Ok(checksums.into_iter().next().unwrap_or_default())
}

/// Drops the spans, stamps and lock holds of every repetition that can no
/// longer be the typical one (the closest to the median wall time once
/// all `repeats` are in), so a run holds spans only for those that still
/// may: whatever the later walls, the typical one ranks at
/// `(repeats - 1) / 2` or `repeats / 2` among them, and a repetition ranked
/// `r` now among `m` ends between `r` and `r + repeats - m`.
pub(crate) fn forget_atypical_spans(repetitions: &mut [Repetition], repeats: u32) {
    let n = repeats as usize;
    let m = repetitions.len();
    let later = n.saturating_sub(m);
    let (low, high) = ((n.saturating_sub(1)) / 2, n / 2);
    let walls: Vec<u64> = repetitions.iter().map(|r| r.wall_ns).collect();
    for r in repetitions.iter_mut() {
        // Ties could rank either way: the widest ranks they could take.
        let below = walls.iter().filter(|&&w| w < r.wall_ns).count();
        let at_most = walls.iter().filter(|&&w| w <= r.wall_ns).count() - 1;
        if below > high || at_most + later < low {
            r.spans = Vec::new();
            r.stamps = Vec::new();
            r.members = Vec::new();
            r.holds = Vec::new();
        }
    }
}

/// One repetition's figures as stored.
fn repetition_record(spec: &RunSpec, r: &Repetition) -> RepetitionRecord {
    RepetitionRecord {
        wall_seconds: ns_to_s(r.wall_ns),
        compute_seconds: ns_to_s(r.compute_ns),
        cpu_seconds: ns_to_s(r.cpu_ns),
        ipc: IpcTotals {
            bytes_to_workers: r.ipc.bytes_to_worker,
            bytes_from_workers: r.ipc.bytes_from_worker,
            messages: r.ipc.messages,
            bytes_shared_to_workers: r.ipc.shared_to_worker,
            bytes_shared_from_workers: r.ipc.shared_from_worker,
        },
        sequence: Some(r.sequence),
        total: counter_total(spec, r),
    }
}

/// The typical repetition's spans, GIL holds and memory, and the system
/// samples timed from its start.
fn describe_typical(record: &mut RunRecord, r: &Repetition, samples: &[Sample]) {
    record.spans = span_records(r, &r.spans, &r.stamps);
    record.gil_holds = span_records(r, &r.holds, &[]);
    record.memory = MemoryRecord {
        parent_rss_bytes: r.parent_rss,
        worker_rss_bytes: r.worker_rss.clone(),
        total_rss_bytes: r.parent_rss + r.worker_rss.iter().sum::<u64>(),
    };
    for sample in samples {
        let (cpu, memory) = sample_records(sample, r.start_ns);
        record.cpu_samples.push(cpu);
        record.memory_samples.push(memory);
    }
}

/// Spans of `r` in seconds from its start, as stored, each with its IPC
/// stamps where `stamps` has them (one per span, or none) and a group's
/// tasks where they are not consecutive.
fn span_records(r: &Repetition, spans: &[Span], stamps: &[IpcStamps]) -> Vec<SpanRecord> {
    spans
        .iter()
        .enumerate()
        .map(|(i, s)| SpanRecord {
            worker: s.worker,
            task: s.task,
            tasks: s.tasks,
            start_seconds: ns_to_s(s.start_ns),
            end_seconds: ns_to_s(s.end_ns),
            ipc: stamps.get(i).map(|i| {
                Box::new(SpanIpc {
                    spawned_seconds: i.spawned_ns.map(ns_to_s),
                    received_seconds: ns_to_s(i.received_ns),
                    read_seconds: ns_to_s(i.read_ns),
                    reply_seconds: ns_to_s(i.reply_ns),
                    replied_seconds: ns_to_s(i.replied_ns),
                    returned_seconds: ns_to_s(i.returned_ns),
                })
            }),
            members: (s.members_at != CONSECUTIVE).then(|| {
                let at = s.members_at as usize;
                Box::new(
                    r.members
                        .get(at..at + s.tasks as usize)
                        .unwrap_or_default()
                        .to_vec(),
                )
            }),
        })
        .collect()
}

/// `counter`: the total the main process has after a repetition: the sum
/// of the partial sums (the task values) when isolated, else its shared
/// counter. `None` for other workloads.
fn counter_total(spec: &RunSpec, repetition: &Repetition) -> Option<u64> {
    if spec.workload.workload != Workload::Counter {
        return None;
    }
    Some(if spec.workload.sharing.is_shared() {
        repetition.counter
    } else {
        repetition
            .values
            .iter()
            .fold(0u64, |sum, &v| sum.saturating_add(v))
    })
}

/// A sample as the records keep it, timed in seconds from `origin_ns` (on
/// the shared monotonic clock; negative before it).
pub(crate) fn sample_records(sample: &Sample, origin_ns: u64) -> (CpuSample, MemorySample) {
    let t_seconds = (i128::from(sample.at_ns) - i128::from(origin_ns)) as f64 / 1e9;
    (
        CpuSample {
            t_seconds,
            per_core: sample.per_core.clone(),
            corescope_percent: sample.own_cpu,
        },
        MemorySample {
            t_seconds,
            parent_rss_bytes: sample.parent_rss,
            worker_rss_bytes: sample.worker_rss.clone(),
            total_rss_bytes: sample.parent_rss + sample.worker_rss.iter().sum::<u64>(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{RawExperiment, Setting};

    fn spec(workload: &str, models: &str, sharing: Option<&str>) -> RunSpec {
        let mut raw = RawExperiment::of([
            (Setting::Workload, workload),
            (Setting::Models, models),
            (Setting::Tasks, "4"),
            (Setting::Size, "10"),
            (Setting::Workers, "2"),
            (Setting::Schedule, "queue"),
            (Setting::Repeats, "3"),
            (Setting::Warmup, "0"),
        ]);
        raw.set(Setting::Sharing, sharing.map(Into::into));
        raw.validate(&[2]).unwrap().runs().pop().unwrap()
    }

    /// A repetition of four tasks of `value` each, `wall_ns` long, its
    /// spans 100 ns apart on two workers.
    fn repetition(start_ns: u64, wall_ns: u64, value: u64) -> Repetition {
        let spans = (0..4)
            .map(|task| Span {
                worker: task % 2,
                task,
                tasks: 1,
                members_at: crate::engine::contract::CONSECUTIVE,
                start_ns: u64::from(task) * 100,
                end_ns: u64::from(task) * 100 + 50,
            })
            .collect();
        Repetition {
            start_ns,
            wall_ns,
            cpu_ns: 2 * wall_ns,
            compute_ns: 200,
            spans,
            values: vec![value; 4],
            parent_rss: 1000,
            worker_rss: vec![10, 20],
            ..Repetition::default()
        }
    }

    #[test]
    fn the_record_keeps_every_repetition_and_describes_the_median_one() {
        let spec = spec("sqrt-sum", "threads", None);
        let mut typical = repetition(5_000, 2_000_000_000, 7);
        typical.holds = vec![typical.spans[0]];
        let reps = [
            repetition(1_000, 1_000_000_000, 7),
            typical,
            repetition(9_000, 3_000_000_000, 7),
        ];
        let sample = Sample {
            at_ns: 4_000,
            per_core: vec![50.0],
            own_cpu: 25.0,
            parent_rss: 3,
            worker_rss: vec![4],
            turn: None,
        };
        let record = summarise(&spec, 1_500_000_000, &reps, &[sample]).unwrap();
        assert_eq!(record.repetitions.len(), 3);
        assert_eq!(record.wall_seconds.median, 2.0);
        assert_eq!(record.wall_seconds.min, 1.0);
        assert_eq!(record.wall_seconds.max, 3.0);
        assert_eq!(record.spawn_seconds, 1.5);
        assert_eq!(record.cpu_seconds.median, 4.0);
        // Four spans of 50 ns each.
        assert!((record.compute_seconds.median - 200e-9).abs() < 1e-15);
        assert_eq!(
            record.checksum,
            format!("{:#018x}", workload::checksum([7, 7, 7, 7]))
        );
        // The typical repetition's spans, holds, memory and samples.
        assert_eq!(record.spans.len(), 4);
        assert_eq!(record.spans[3].start_seconds, 300e-9);
        assert_eq!(record.gil_holds.len(), 1);
        assert_eq!(record.memory.total_rss_bytes, 1030);
        assert_eq!(record.cpu_samples.len(), 1);
        // The sample came 1 µs before the typical repetition started.
        assert!((record.cpu_samples[0].t_seconds + 1e-6).abs() < 1e-12);
        assert_eq!(record.memory_samples[0].total_rss_bytes, 7);
        assert_eq!(record.total, None, "only counter runs have a total");
    }

    #[test]
    fn only_repetitions_that_may_still_be_the_typical_one_keep_their_spans() {
        for walls in [
            vec![5, 1, 9, 3, 7],
            vec![1, 2, 3, 4, 5, 6],
            vec![9, 8, 7, 6, 5, 4, 3],
            vec![4, 4, 4, 4],
        ] {
            let n = walls.len() as u32;
            let mut reps = Vec::new();
            let mut most_kept = 0;
            for wall in &walls {
                reps.push(repetition(0, *wall, 7));
                forget_atypical_spans(&mut reps, n);
                let kept = reps.iter().filter(|r| !r.spans.is_empty()).count();
                most_kept = most_kept.max(kept);
            }
            let walls_s: Vec<f64> = walls.iter().map(|&w| w as f64).collect();
            let typical = median_index(&walls_s).unwrap();
            assert!(!reps[typical].spans.is_empty(), "{walls:?}");
            // The figures of a repetition without spans stay.
            let record = summarise(&spec("sqrt-sum", "threads", None), 0, &reps, &[]).unwrap();
            assert_eq!(record.spans.len(), 4, "{walls:?}");
            assert!(record.repetitions.iter().all(|r| r.compute_seconds > 0.0));
            // At most about half the repetitions hold spans at any time
            // (equal walls could rank either way: those are all kept).
            let distinct = walls
                .iter()
                .collect::<std::collections::BTreeSet<_>>()
                .len();
            if distinct == walls.len() {
                assert!(most_kept <= walls.len() / 2 + 1, "{walls:?}: {most_kept}");
            }
        }
    }

    #[test]
    fn repetitions_that_disagree_are_an_error() {
        let spec = spec("sqrt-sum", "threads", None);
        let reps = [
            repetition(0, 10, 7),
            repetition(0, 10, 7),
            repetition(0, 10, 8),
        ];
        match summarise(&spec, 0, &reps, &[]) {
            Err(EngineError::Nondeterministic { rep, .. }) => assert_eq!(rep, 2),
            other => panic!("expected a nondeterminism error, got {other:?}"),
        }
    }

    #[test]
    fn a_counter_run_counts_its_lost_updates() {
        // Shared: the main process's counter after the repetition.
        let shared = spec("counter", "threads", Some("racy"));
        let mut rep = repetition(0, 10, 10);
        rep.counter = 25;
        let record = summarise(&shared, 0, &[rep], &[]).unwrap();
        assert_eq!(record.expected_total, Some(40));
        assert_eq!(record.total, Some(25));
        assert_eq!(record.lost_updates, Some(15));
        assert_eq!(
            record.counted_in,
            Some(CountedIn::of(
                shared.model.info().shared_counter,
                shared.workload.sharing
            ))
        );
        // Isolated: the partial sums (task values) add up.
        let isolated = spec("counter", "threads", Some("isolated"));
        let record = summarise(&isolated, 0, &[repetition(0, 10, 10)], &[]).unwrap();
        assert_eq!(record.total, Some(40));
        assert_eq!(record.lost_updates, Some(0));
    }

    #[test]
    fn ipc_stamps_are_stored_in_seconds() {
        let rep = repetition(0, 10, 1);
        let mut stamps = vec![IpcStamps::default(); rep.spans.len()];
        stamps[0] = IpcStamps {
            spawned_ns: Some(1_000_000_000),
            received_ns: 2_000_000_000,
            ..Default::default()
        };
        let records = span_records(&rep, &rep.spans, &stamps);
        let ipc = records[0].ipc.as_ref().unwrap();
        assert_eq!(ipc.spawned_seconds, Some(1.0));
        assert_eq!(ipc.received_seconds, 2.0);
        assert!(records[1].ipc.is_some());
        // Models without stamps: none on any span.
        assert!(
            span_records(&rep, &rep.spans, &[])
                .iter()
                .all(|s| s.ipc.is_none())
        );
    }
}
