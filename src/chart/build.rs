//! Building a chart: the axes a kind of chart gets from a result set,
//! the predictions panel beside the speedup chart, and the sampled curves
//! of fitted laws and the ideal line.

use super::groups::{Frame, Group, groups_in};
use super::{Chart, ChartKind, ChartOptions, Reference, Unit, XAxis, bars, kinds};
use crate::analysis;
use crate::results::ResultSet;

/// Builds a chart of `kind` from the runs of `set`, with default options.
pub fn build(kind: ChartKind, set: &ResultSet) -> Chart {
    build_with(kind, set, &ChartOptions::default())
}

/// Builds a chart of `kind` from the runs of `set`.
///
/// The speedup chart shows what was measured, on the workers measured;
/// fitted laws continued to [`ChartOptions::predict_to`] workers go in a
/// panel of their own ([`Chart::predictions`]), so they never rescale the
/// measured points.
pub fn build_with(kind: ChartKind, set: &ResultSet, options: &ChartOptions) -> Chart {
    let mut chart = build_on(kind, set, options, false);
    if kind == ChartKind::Speedup {
        let panel = build_on(kind, set, options, true);
        if panel.x_axis == XAxis::WorkersLog2 {
            // No ideal line there: on a log2 worker axis it would look
            // exponential; the chart beside it has it.
            let references = panel
                .references
                .iter()
                .filter(|r| !matches!(r, Reference::Curve { .. }))
                .cloned()
                .collect();
            chart.predictions = Some(Box::new(Chart {
                title: format!("Fitted laws, to {} workers", options.predict_to),
                references,
                ..panel
            }));
        }
    }
    chart
}

/// The fewest worker counts a scaling law is fitted from: through two
/// points almost any curve fits.
pub const MIN_FIT_WORKER_COUNTS: usize = 3;

/// Builds a chart of `kind`; `predict`: the predictions panel (a log2
/// worker axis to the fitted laws' end), when there is a law to continue.
fn build_on(kind: ChartKind, set: &ResultSet, options: &ChartOptions, predict: bool) -> Chart {
    let groups = groups_in(set);
    let predictions = if predict {
        fits_to_continue(kind, set, &groups, options)
    } else {
        Vec::new()
    };
    let x_axis = x_axis_of(kind, set, !predictions.is_empty());
    let mut chart = empty_chart(kind, set, x_axis, options);
    let frame = Frame {
        set,
        groups,
        x_axis,
    };
    match kind {
        ChartKind::WallTime => kinds::wall_time(&frame, &mut chart),
        ChartKind::Speedup => kinds::speedup(&frame, &mut chart, &predictions),
        ChartKind::Efficiency => kinds::efficiency(&frame, &mut chart),
        ChartKind::IpcBytes => kinds::ipc_bytes(&frame, &mut chart),
        ChartKind::Overhead => {
            chart.title = "Where the time went".to_string();
            chart.y_label = "worker time".to_string();
            chart.bars = Some(bars::overhead_bars(set, &frame.groups));
        }
        ChartKind::LostUpdates => {
            chart.title = "Lost updates".to_string();
            chart.y_label = "increments the main process never saw".to_string();
            chart.unit = Unit::Percent;
            chart.bars = Some(bars::lost_update_bars(set, &frame.groups));
        }
        ChartKind::IncrementCost => kinds::increment_cost(&frame, &mut chart),
        ChartKind::Throughput => kinds::throughput(&frame, &mut chart),
        ChartKind::MemoryByRun => {
            chart.title = "Memory (RSS) by run".to_string();
            chart.y_label = "resident memory after the median repetition".to_string();
            chart.unit = Unit::Bytes;
            chart.bars = Some(bars::memory_bars(set));
        }
    }
    chart
}

/// The fitted laws to continue past the measured workers: asked for, on a
/// worker axis, to beyond the largest count, and only from groups with
/// three or more worker counts measured.
fn fits_to_continue(
    kind: ChartKind,
    set: &ResultSet,
    groups: &[Group],
    options: &ChartOptions,
) -> Vec<(Group, analysis::ScalingFit)> {
    let most_workers = set.runs.iter().map(|r| r.workers).max().unwrap_or(1);
    if kind != ChartKind::Speedup || set.sweeps_payloads() || options.predict_to <= most_workers {
        return Vec::new();
    }
    groups
        .iter()
        .filter(|g| g.model.uses_workers())
        .filter(|g| {
            let mut counts: Vec<u32> = set
                .runs
                .iter()
                .filter(|r| g.contains(r) && r.speedup.is_some())
                .map(|r| r.workers)
                .collect();
            counts.sort_unstable();
            counts.dedup();
            counts.len() >= MIN_FIT_WORKER_COUNTS
        })
        .filter_map(|g| {
            Some((
                *g,
                analysis::fit_runs(
                    set.runs
                        .iter()
                        .filter(|r| g.contains(r) && analysis::had_cores(&set.machine, r)),
                )?,
            ))
        })
        .collect()
}

/// The quantity on the x axis: one bar per run for the bar charts, the
/// payload for payload sweeps, log2(workers) when laws are continued.
fn x_axis_of(kind: ChartKind, set: &ResultSet, predicts: bool) -> XAxis {
    if matches!(
        kind,
        ChartKind::Overhead | ChartKind::LostUpdates | ChartKind::MemoryByRun
    ) {
        XAxis::Runs
    } else if set.sweeps_payloads() {
        XAxis::PayloadBytes
    } else if predicts {
        XAxis::WorkersLog2
    } else {
        XAxis::Workers
    }
}

/// A chart with its axes and nothing drawn yet.
fn empty_chart(kind: ChartKind, set: &ResultSet, x_axis: XAxis, options: &ChartOptions) -> Chart {
    let xs = set.runs.iter().map(|r| x_axis.of(r));
    let (x_min, x_max) = match x_axis {
        XAxis::Workers => (0.0, xs.fold(1.0, f64::max)),
        XAxis::PayloadBytes => (
            xs.clone().fold(f64::INFINITY, f64::min),
            xs.fold(f64::NEG_INFINITY, f64::max),
        ),
        XAxis::WorkersLog2 => (0.0, f64::from(options.predict_to).log2()),
        XAxis::Runs => (0.0, 0.0),
    };
    // An async model's workers are tasks in flight: the axis says so.
    let tasks_note = if set.runs.iter().any(|r| r.model.workers_are_tasks()) {
        " (async: tasks in flight)"
    } else {
        ""
    };
    Chart {
        kind,
        title: String::new(),
        x_label: match x_axis {
            XAxis::Workers => format!("workers{tasks_note}"),
            XAxis::PayloadBytes => "payload per task (each way)".to_string(),
            XAxis::WorkersLog2 if tasks_note.is_empty() => "workers (log scale)".to_string(),
            XAxis::WorkersLog2 => format!("workers, log scale{tasks_note}"),
            XAxis::Runs => "run (model ×workers)".to_string(),
        },
        y_label: String::new(),
        unit: Unit::Seconds,
        series: Vec::new(),
        references: Vec::new(),
        x_axis,
        x_min,
        x_max,
        bars: None,
        predictions: None,
    }
}
