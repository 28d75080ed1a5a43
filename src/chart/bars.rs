//! The bar charts of one result set: where each run's time went, the
//! counter's lost updates, and the memory of every run.

use super::groups::Group;
use super::{BarSegment, Fill, StackedBars, phase_legend};
use crate::analysis::{self, Phase};
use crate::format;
use crate::results::{ResultSet, RunRecord};
use crate::workload::{CountedIn, Sharing};

/// `counter`: one bar per model and sharing mode (per curve of the other
/// charts), at its largest worker count: the share of the expected
/// increments the main process did not get. A bar is empty where nothing
/// was lost.
pub(super) fn lost_update_bars(set: &ResultSet, groups: &[Group]) -> StackedBars {
    let runs: Vec<&RunRecord> = groups
        .iter()
        .filter(|g| g.model.uses_workers())
        .filter_map(|g| {
            set.runs
                .iter()
                .filter(|r| g.contains(r) && r.lost_updates.is_some())
                .max_by_key(|r| r.workers)
        })
        .collect();
    let labels = runs
        .iter()
        .map(|r| {
            let sharing = r.sharing.map_or("", Sharing::name);
            let own = if r.counted_in == Some(CountedIn::WorkerCopies) {
                " · own copies"
            } else {
                ""
            };
            format!("{sharing} · {}{own}", r.label())
        })
        .collect();
    let share = |r: &&RunRecord| match (r.lost_updates, r.expected_total) {
        (Some(lost), Some(expected)) if expected > 0 => lost as f64 * 100.0 / expected as f64,
        _ => 0.0,
    };
    StackedBars {
        labels,
        models: runs.iter().map(|r| r.model).collect(),
        segments: vec![BarSegment {
            fill: Fill::Model,
            name: "lost updates (in the model's colour)".to_string(),
            values: runs.iter().map(share).collect(),
        }],
    }
}

/// The most bars an overhead chart shows before it keeps only each
/// curve's largest worker count (and serial).
const MAX_BARS: usize = 12;

/// One bar per run, grouped as the lines of the other charts are, serial
/// first; with many runs, one bar per group at its largest worker count.
pub(super) fn overhead_bars(set: &ResultSet, groups: &[Group]) -> StackedBars {
    let mut runs: Vec<&RunRecord> = Vec::new();
    for group in groups {
        let mut members: Vec<&RunRecord> = set.runs.iter().filter(|r| group.contains(r)).collect();
        members.sort_by_key(|r| (r.payload_bytes, r.workers));
        runs.extend(members);
    }
    if runs.len() > MAX_BARS {
        // Each curve's largest worker count, found in one pass (a set of
        // thousands of runs is charted every frame).
        let curve = |r: &RunRecord| (r.model, r.schedule, r.workload, r.payload_bytes);
        let mut most = std::collections::HashMap::new();
        for r in &runs {
            let workers = most.entry(curve(r)).or_insert(r.workers);
            *workers = (*workers).max(r.workers);
        }
        runs.retain(|r| most.get(&curve(r)) == Some(&r.workers));
    }
    let labels = run_labels(&runs);
    let parts: Vec<analysis::Overhead> = runs.iter().map(|r| analysis::overhead(r)).collect();
    StackedBars {
        labels,
        models: runs.iter().map(|r| r.model).collect(),
        segments: Phase::ALL
            .iter()
            .map(|&phase| BarSegment {
                fill: Fill::Phase(phase),
                name: phase_legend(phase).to_string(),
                values: parts.iter().map(|p| p.get(phase)).collect(),
            })
            .collect(),
    }
}

/// A bar's label per run: `threads ×2`, with the payload when the runs
/// sweep payloads and the workload when they compare workloads.
fn run_labels(runs: &[&RunRecord]) -> Vec<String> {
    let Some(first) = runs.first() else {
        return Vec::new();
    };
    let payload_sweep = runs.iter().any(|r| r.payload_bytes != first.payload_bytes);
    let workload_compare = runs.iter().any(|r| r.workload != first.workload);
    runs.iter()
        .map(|r| {
            let mut label = r.label();
            if payload_sweep {
                label = format!("{label} · {}", format::bytes(r.payload_bytes));
            }
            if workload_compare {
                label = format!("{} · {label}", r.workload);
            }
            label
        })
        .collect()
}

/// The memory of every run, side by side, in the set's order: the
/// corescope process (all its threads) in the host's colour and, stacked
/// on it, its worker processes in the run's model's colour; resident
/// memory after the median repetition.
pub(super) fn memory_bars(set: &ResultSet) -> StackedBars {
    let runs: Vec<&RunRecord> = set.runs.iter().collect();
    let bytes = |value: fn(&RunRecord) -> u64| runs.iter().map(|r| value(r) as f64).collect();
    StackedBars {
        labels: run_labels(&runs),
        models: runs.iter().map(|r| r.model).collect(),
        segments: vec![
            BarSegment {
                fill: Fill::Host,
                name: HOST_MEMORY.to_string(),
                values: bytes(|r| r.memory.parent_rss_bytes),
            },
            BarSegment {
                fill: Fill::Model,
                name: "worker processes (in the model's colour)".to_string(),
                values: bytes(|r| r.memory.worker_rss_bytes.iter().sum()),
            },
        ],
    }
}

/// The corescope process's memory, in legends.
pub const HOST_MEMORY: &str = "corescope (all its threads)";

#[cfg(test)]
mod tests {
    use crate::chart::layout::{Fit, Layout, Swatch};
    use crate::chart::{ChartKind, Unit, XAxis, build, theme};
    use crate::results::testing::record;
    use crate::results::{MachineInfo, ResultSet};
    use crate::spec::Model;

    #[test]
    fn memory_by_run_stacks_the_host_and_its_workers_in_their_colours() {
        let mut set = ResultSet::new(MachineInfo::detect());
        for (model, workers) in [
            (Model::Serial, 1),
            (Model::Threads, 4),
            (Model::Processes, 4),
        ] {
            let mut r = record(model, workers, 1.0);
            r.memory.parent_rss_bytes = 8 << 20;
            if model.uses_processes() {
                r.memory.worker_rss_bytes = vec![5 << 20; workers as usize];
            }
            set.runs.push(r);
        }
        let chart = build(ChartKind::MemoryByRun, &set);
        assert_eq!((chart.x_axis, chart.unit), (XAxis::Runs, Unit::Bytes));
        let bars = chart.bars.as_ref().unwrap();
        assert_eq!(bars.labels, ["serial", "threads ×4", "processes ×4"]);
        assert_eq!(bars.segments[0].values, [f64::from(8 << 20); 3]);
        assert_eq!(bars.segments[1].values, [0.0, 0.0, f64::from(20 << 20)]);
        // The layout colours each segment once, for every renderer: the
        // host alike in every bar, the workers in their run's model's.
        let layout = Layout::of(&chart, false, Fit::of(1200.0, 600.0, 14.0));
        assert!(layout.y.title.ends_with("[MiB]"), "{:?}", layout.y);
        for (bar, run) in set.runs.iter().enumerate() {
            assert_eq!(layout.bar_color(0, bar), theme::host_color(false));
            assert_eq!(layout.bar_color(1, bar), run.model.color(false));
        }
        // The legend shows the workers in the colour of the first bar
        // that has them.
        let names: Vec<&str> = layout.legend.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(
            names,
            [
                super::HOST_MEMORY,
                "worker processes (in the model's colour)"
            ]
        );
        assert_eq!(
            layout.legend[1].swatch,
            Swatch::Block(Model::Processes.color(false))
        );
    }
}
