//! Charts of several result sets: the same chart of each, put on one.

use super::{Chart, ChartKind, ChartOptions, LineKind, build_with};
use crate::results::{MachineInfo, ResultSet};

/// The chart of `kind` for one result set, or for several on one chart
/// ([`overlay`]), each named by its label.
pub fn build_compared(
    kind: ChartKind,
    sets: &[(&str, &ResultSet)],
    options: &ChartOptions,
) -> Chart {
    match sets {
        [(_, set)] => build_with(kind, set, options),
        _ => {
            let charts: Vec<(String, Chart)> = sets
                .iter()
                .map(|(label, set)| (label.to_string(), build_with(kind, set, options)))
                .collect();
            overlay(charts).unwrap_or_else(|| {
                build_with(kind, &ResultSet::new(MachineInfo::default()), options)
            })
        }
    }
}

/// Puts the same chart of several result sets on one: each set's series
/// and bars named after it (`label: …`), the second set's lines dashed and
/// the third's dotted, references kept once, predictions of the first set
/// only.
pub fn overlay(charts: Vec<(String, Chart)>) -> Option<Chart> {
    let mut charts = charts.into_iter();
    let (first_label, mut merged) = charts.next()?;
    let rename = |label: &str, name: &str| format!("{label}: {name}");
    for series in &mut merged.series {
        series.name = rename(&first_label, &series.name);
    }
    if let Some(bars) = &mut merged.bars {
        for label in &mut bars.labels {
            *label = rename(&first_label, label);
        }
    }
    for (rank, (label, chart)) in charts.enumerate() {
        let line = if rank == 0 {
            LineKind::Dashed
        } else {
            LineKind::Dotted
        };
        merged.x_min = merged.x_min.min(chart.x_min);
        merged.x_max = merged.x_max.max(chart.x_max);
        if chart.x_axis != merged.x_axis && chart.bars.is_none() {
            // Different axes (a payload sweep beside a worker sweep) cannot
            // share a chart.
            continue;
        }
        // Predictions of the first set only: dashed curves of every set
        // would drown the measured lines, which are dashed here too.
        for mut series in chart.series.into_iter().filter(|s| s.prediction.is_none()) {
            series.name = rename(&label, &series.name);
            series.line = line;
            merged.series.push(series);
        }
        for reference in chart.references {
            if !merged.references.contains(&reference) {
                merged.references.push(reference);
            }
        }
        if let (Some(bars), Some(more)) = (&mut merged.bars, chart.bars) {
            bars.labels
                .extend(more.labels.iter().map(|l| rename(&label, l)));
            bars.models.extend(more.models);
            for (segment, extra) in bars.segments.iter_mut().zip(more.segments) {
                segment.values.extend(extra.values);
            }
        }
    }
    Some(merged)
}
