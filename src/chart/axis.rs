//! A chart's axes: the x range and ticks (worker counts, payloads, a bar
//! per run with its label cut to the room a bar has), and the value axis
//! from 0 to a round top, in the unit its title names.

use super::style::{AxisLayout, Fit, Tick};
use super::{Chart, ChartKind, Reference, Unit, XAxis};

/// The most lines a bar's label gets.
const MAX_LABEL_LINES: usize = 3;

/// The x range and ticks.
pub(super) fn x_axis(chart: &Chart, fit: Fit) -> AxisLayout {
    let finite = |v: f64, fallback: f64| if v.is_finite() { v } else { fallback };
    let x_max = finite(chart.x_max, 1.0);
    let (min, max) = match chart.x_axis {
        XAxis::Runs => {
            let bars = chart.bars.as_ref().map_or(0, |b| b.labels.len());
            (-0.6, bars.max(1) as f64 - 0.4)
        }
        // At least 0, 1 and 2 workers: three labelled ticks.
        XAxis::Workers => (0.0, x_max.max(2.0) + 0.5),
        XAxis::PayloadBytes => {
            let low = finite(chart.x_min, x_max);
            (low - 0.5, x_max.max(low + 2.0) + 0.5)
        }
        XAxis::WorkersLog2 => (-0.25, x_max.max(2.0) + 0.25),
    };
    let ticks = match chart.x_axis {
        XAxis::Runs => bar_ticks(chart, fit),
        axis => {
            let first = min.ceil().max(0.0);
            let last = max.floor();
            let widest = [first, last]
                .iter()
                .map(|&x| super::format_x_short(axis, x).chars().count())
                .max()
                .unwrap_or(1);
            // A label and two ems of space.
            let fits = (fit.em_across / (widest as f64 * 0.6 + 2.0)).floor();
            let fits = fits.clamp(3.0, 12.0);
            let span = last - first;
            let steps: &[f64] = match axis {
                XAxis::Workers => &[1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0],
                _ => &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0],
            };
            let count = |step: f64| (span / step + 1e-9).floor() + 1.0;
            let step = steps
                .iter()
                .copied()
                .find(|&step| count(step) <= fits)
                .unwrap_or(1000.0);
            let mut values = Vec::new();
            if axis == XAxis::Workers {
                // From 0 workers up.
                let mut x = first;
                while x <= last + 1e-9 && values.len() < 64 {
                    values.push(x);
                    x += step;
                }
            } else {
                // Down from the largest payload or worker count, which is
                // always labelled.
                let mut x = last;
                while x >= first - 1e-9 && values.len() < 64 {
                    values.insert(0, x);
                    x -= step;
                }
            }
            values
                .into_iter()
                .map(|value| Tick {
                    value,
                    label: super::format_x_short(axis, value),
                })
                .collect()
        }
    };
    AxisLayout {
        title: chart.x_label.clone(),
        min,
        max,
        ticks,
    }
}

/// A tick per bar, its label on up to three lines, each cut to the room a
/// bar has.
fn bar_ticks(chart: &Chart, fit: Fit) -> Vec<Tick> {
    let Some(bars) = &chart.bars else {
        return Vec::new();
    };
    let per_bar = fit.em_across / bars.labels.len().max(1) as f64;
    // Characters are about 0.55 em wide; keep half an em between labels.
    let room = (((per_bar - 0.5) / 0.55).floor() as usize).max(3);
    bars.labels
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let mut lines = label_lines(label);
            if lines.len() > MAX_LABEL_LINES {
                // The set's name and the model first; the rest joined.
                let rest = lines.split_off(MAX_LABEL_LINES - 1).join(" ");
                lines.push(rest);
            }
            let lines: Vec<String> = lines.iter().map(|l| shorten(l, room)).collect();
            Tick {
                value: i as f64,
                label: lines.join("\n"),
            }
        })
        .collect()
}

/// `text` cut to `room` characters, with an ellipsis when cut.
fn shorten(text: &str, room: usize) -> String {
    if text.chars().count() <= room {
        return text.to_string();
    }
    let kept: String = text.chars().take(room.saturating_sub(1)).collect();
    format!("{kept}…")
}

/// A bar label cut into lines: the set (`laptop:`), the model, the worker
/// count (`×2`), the payload.
pub fn label_lines(label: &str) -> Vec<String> {
    let (set, run) = match label.split_once(": ") {
        Some((set, run)) => (Some(format!("{set}:")), run),
        None => (None, label),
    };
    let mut lines: Vec<String> = set.into_iter().collect();
    for part in run.split(" · ") {
        match part.rsplit_once(" ×") {
            Some((model, workers)) => lines.extend([model.to_string(), format!("×{workers}")]),
            None => lines.push(part.to_string()),
        }
    }
    lines
}

/// The highest y the chart must show: every measured point and whisker,
/// bar and level, and the levels that give the chart its meaning (ideal
/// speedup up to the largest measured worker count, break-even, 100 %).
fn y_top(chart: &Chart) -> f64 {
    let mut top: f64 = 0.0;
    let mut include = |y: f64| {
        if y.is_finite() {
            top = top.max(y);
        }
    };
    let mut most_workers: f64 = 0.0;
    for series in &chart.series {
        for point in &series.points {
            include(point.y);
            if let Some((_, high)) = point.spread {
                include(high);
            }
            if series.prediction.is_none() {
                most_workers = most_workers.max(point.x);
            }
        }
    }
    if let Some(bars) = &chart.bars {
        for bar in 0..bars.labels.len() {
            include(
                bars.segments
                    .iter()
                    .filter_map(|s| s.values.get(bar))
                    .filter(|v| v.is_finite() && **v > 0.0)
                    .sum(),
            );
        }
    }
    for reference in &chart.references {
        if let Reference::Horizontal { y, .. } = reference {
            include(*y);
        }
    }
    match (chart.kind, chart.x_axis) {
        (ChartKind::Speedup, XAxis::Workers) => include(most_workers),
        (ChartKind::Speedup, XAxis::WorkersLog2) => include(most_workers.exp2()),
        (ChartKind::Speedup, _) => include(1.2),
        (ChartKind::Efficiency, _) => include(100.0),
        _ => {}
    }
    if top > 0.0 {
        top
    } else {
        empty_top(chart.unit)
    }
}

/// The top of a value axis with nothing to show.
fn empty_top(unit: Unit) -> f64 {
    match unit {
        Unit::Bytes => 1024.0,
        Unit::Percent => 100.0,
        _ => 1.0,
    }
}

/// The unit ticks are written in for values up to `top`: its name and
/// the size of one unit in the chart's base unit.
fn y_unit(unit: Unit, top: f64) -> (&'static str, f64) {
    match unit {
        Unit::Seconds if top < 1e-3 => ("µs", 1e-6),
        Unit::Seconds if top < 1.0 => ("ms", 1e-3),
        Unit::Seconds => ("s", 1.0),
        Unit::Times => ("×", 1.0),
        Unit::PerSecond => ("tasks/s", 1.0),
        Unit::Percent => ("%", 1.0),
        Unit::Bytes => {
            let mut scale = 1.0;
            for name in ["B", "KiB", "MiB", "GiB"] {
                if top < scale * 1024.0 {
                    return (name, scale);
                }
                scale *= 1024.0;
            }
            ("TiB", scale)
        }
    }
}

/// The y axis: from 0 to a round value just above [`y_top`], at least
/// three labelled ticks, numbers in the unit the title names.
pub(super) fn y_axis(chart: &Chart, fit: Fit) -> AxisLayout {
    value_axis(&chart.y_label, chart.unit, y_top(chart), fit)
}

/// A value axis from 0 to a round value just above `top`: at least three
/// labelled ticks (a label about every 2.2 ems of `fit`'s height), numbers
/// in the unit the title (`title [unit]`) names.
pub fn value_axis(title: &str, unit: Unit, top: f64, fit: Fit) -> AxisLayout {
    let top = if top.is_finite() && top > 0.0 {
        top
    } else {
        empty_top(unit)
    };
    let (unit, scale) = y_unit(unit, top);
    let scaled = top / scale * 1.04;
    let most = (fit.em_down / 2.2).floor().clamp(3.0, 9.0);
    let step = at_least_three(scaled, nice_step(scaled / (most - 1.0)));
    let last = (scaled / step).ceil();
    let decimals = decimals_of(step);
    let ticks = (0..=last as usize)
        .map(|i| {
            let value = i as f64 * step;
            Tick {
                value: value * scale,
                label: format!("{value:.decimals$}"),
            }
        })
        .collect();
    AxisLayout {
        title: format!("{title} [{unit}]"),
        min: 0.0,
        max: last * step * scale,
        ticks,
    }
}

/// `step`, or the next round steps down (5 → 2 → 1 → 0.5) until a span
/// of `span` holds at least two of them: three ticks.
pub(super) fn at_least_three(span: f64, mut step: f64) -> f64 {
    while (span / step).ceil() < 2.0 && step > 1e-12 {
        step = step_down(step);
    }
    step
}

/// The next round step below `step`: 5 → 2 → 1 → 0.5.
pub(super) fn step_down(step: f64) -> f64 {
    let magnitude = 10_f64.powf((step.log10() + 1e-9).floor());
    match (step / magnitude).round() as u32 {
        5 => 2.0 * magnitude,
        2 => magnitude,
        _ => 0.5 * magnitude,
    }
}

/// The round step (1, 2 or 5 times a power of ten) at or above `raw`.
pub fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let magnitude = 10_f64.powf(raw.log10().floor());
    let normal = raw / magnitude;
    let nice = if normal <= 1.0 + 1e-9 {
        1.0
    } else if normal <= 2.0 + 1e-9 {
        2.0
    } else if normal <= 5.0 + 1e-9 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

/// Decimals that write every multiple of `step` exactly.
pub(super) fn decimals_of(step: f64) -> usize {
    if step >= 1.0 {
        0
    } else {
        (-step.log10() - 1e-9).ceil().max(0.0) as usize
    }
}
