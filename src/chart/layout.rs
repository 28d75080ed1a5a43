//! A chart's layout, decided once for every renderer: the x and y ranges,
//! the ticks and their labels (in the unit the axis title names), how each
//! series and reference line is drawn (colour, dash, marker, a small
//! sideways offset where series coincide), the legend's entries with their
//! line style and marker, where the legend goes, and the bars' width.
//!
//! The window (egui) and the files (plotters) draw a [`Layout`] as it is;
//! neither picks a range, a tick or a colour of its own, so they cannot
//! drift apart. The one input from a renderer is how much room the plot has
//! ([`Fit`], in widths and heights of its tick font), which decides how
//! many ticks fit and whether the legend fits inside the plot.

use super::theme::{self, REFERENCE_COLOR};
use super::{Chart, ChartKind, LineKind, Reference, Unit, XAxis};
use crate::palette::{Marker, Rgb};

/// The plot area's size in its tick font's size (an em): how many ticks and
/// how large a legend fit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    /// Plot width over the tick font's size.
    pub em_across: f64,
    /// Plot height over the tick font's size.
    pub em_down: f64,
}

impl Fit {
    /// A plot of `width` × `height` with tick labels `font` high, all in
    /// the same units (points or pixels).
    pub fn of(width: f64, height: f64, font: f64) -> Fit {
        let font = font.max(1.0);
        Fit {
            em_across: (width / font).max(1.0),
            em_down: (height / font).max(1.0),
        }
    }
}

/// A labelled tick; a label may have several lines (a bar's run).
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    pub value: f64,
    pub label: String,
}

/// One axis: its title (with the unit of its ticks), range and ticks.
#[derive(Debug, Clone, PartialEq)]
pub struct AxisLayout {
    pub title: String,
    pub min: f64,
    pub max: f64,
    pub ticks: Vec<Tick>,
}

impl AxisLayout {
    /// The tick labels, in order.
    pub fn labels(&self) -> Vec<String> {
        self.ticks.iter().map(|t| t.label.clone()).collect()
    }
}

/// How heavy a line is: measured data, or thin (references, predictions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Data,
    Thin,
}

/// How a line is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stroke {
    pub color: Rgb,
    pub line: LineKind,
    pub weight: Weight,
    /// The marker on each point, if any.
    pub marker: Option<Marker>,
}

impl Stroke {
    /// The style in words, for screen readers and tests: `dashed line,
    /// diamond markers`.
    pub fn describe(&self) -> String {
        let line = match self.line {
            LineKind::Solid => "solid line",
            LineKind::Dashed => "dashed line",
            LineKind::Dotted => "dotted line",
            LineKind::LongDashed => "long-dashed line",
        };
        match self.marker {
            Some(marker) => format!("{line}, {} markers", marker_name(marker)),
            None => line.to_string(),
        }
    }
}

/// A marker's name in words.
pub fn marker_name(marker: Marker) -> &'static str {
    match marker {
        Marker::Circle => "circle",
        Marker::Square => "square",
        Marker::Diamond => "diamond",
        Marker::Up => "triangle-up",
        Marker::Down => "triangle-down",
        Marker::Left => "triangle-left",
        Marker::Right => "triangle-right",
        Marker::Cross => "cross",
        Marker::Plus => "plus",
        Marker::Asterisk => "asterisk",
    }
}

/// What a legend entry shows beside its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Swatch {
    /// A line sample with its dash and marker.
    Line(Stroke),
    /// A filled block (a bar segment).
    Block(Rgb),
}

impl Swatch {
    pub fn color(&self) -> Rgb {
        match self {
            Swatch::Line(stroke) => stroke.color,
            Swatch::Block(color) => *color,
        }
    }

    /// The style in words.
    pub fn describe(&self) -> String {
        match self {
            Swatch::Line(stroke) => stroke.describe(),
            Swatch::Block(_) => "filled block".to_string(),
        }
    }
}

/// One row of the legend.
#[derive(Debug, Clone, PartialEq)]
pub struct LegendEntry {
    pub name: String,
    pub swatch: Swatch,
}

/// A corner of the plot area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Corner {
    LeftTop,
    RightTop,
    LeftBottom,
    RightBottom,
}

/// Where the legend goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegendPlace {
    /// In a corner of the plot that no data crosses.
    Inside(Corner),
    /// Outside the plot (below it): inside, it would cover data.
    Outside,
}

/// How one series is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeriesStyle {
    pub stroke: Stroke,
    /// Added to every x of the series: series that coincide with an
    /// earlier one are moved a little aside so that both stay visible.
    pub dx: f64,
}

/// Everything a renderer needs beyond the chart's data.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub title: String,
    /// A line under the title (the fitted laws of a predictions panel).
    pub caption: Option<String>,
    pub x: AxisLayout,
    pub y: AxisLayout,
    /// One per [`Chart::series`], in order.
    pub series: Vec<SeriesStyle>,
    /// One per [`Chart::references`], in order.
    pub references: Vec<Stroke>,
    pub legend: Vec<LegendEntry>,
    pub legend_place: LegendPlace,
    /// A bar's width in x units (one bar per unit).
    pub bar_width: f64,
    /// Whether the colours are for a dark background.
    pub dark: bool,
}

/// The width of a bar, in x units (bars stand one unit apart).
pub const BAR_WIDTH: f64 = 0.68;

/// The most lines a bar's label gets.
const MAX_LABEL_LINES: usize = 3;

impl Layout {
    /// Lays out `chart` on a dark or light background, in a plot of `fit`.
    pub fn of(chart: &Chart, dark: bool, fit: Fit) -> Layout {
        let x = x_axis(chart, fit);
        let y = y_axis(chart, fit);
        let series = series_styles(chart, dark, &x, &y);
        let references: Vec<Stroke> = chart
            .references
            .iter()
            .map(|r| reference_stroke(r, dark))
            .collect();
        let legend = legend(chart, dark, &series, &references);
        let legend_place = legend_place(chart, &legend, fit, &x, &y);
        Layout {
            title: chart.title.clone(),
            caption: chart.prediction_caption(),
            x,
            y,
            series,
            references,
            legend,
            legend_place,
            bar_width: BAR_WIDTH,
            dark,
        }
    }

    /// The legend's names with their styles in words, e.g. `threads:
    /// solid line, square markers`: what a reader of either renderer must
    /// be told.
    pub fn legend_described(&self) -> Vec<String> {
        self.legend
            .iter()
            .map(|e| format!("{}: {}", e.name, e.swatch.describe()))
            .collect()
    }
}

/// The stroke of a reference line: the reference colour (or its model's,
/// for a baseline), thin, dashed; a vertical dotted.
fn reference_stroke(reference: &Reference, dark: bool) -> Stroke {
    let (color, line) = match reference {
        Reference::Curve { .. } => (REFERENCE_COLOR, LineKind::Dashed),
        Reference::Horizontal { model, .. } => (
            model.map_or(REFERENCE_COLOR, |m| m.color(dark)),
            LineKind::Dashed,
        ),
        Reference::Vertical { .. } => (REFERENCE_COLOR, LineKind::Dotted),
    };
    Stroke {
        color,
        line,
        weight: Weight::Thin,
        marker: None,
    }
}

fn reference_name(reference: &Reference) -> &str {
    match reference {
        Reference::Curve { name, .. }
        | Reference::Horizontal { name, .. }
        | Reference::Vertical { name, .. } => name,
    }
}

/// The x range and ticks.
fn x_axis(chart: &Chart, fit: Fit) -> AxisLayout {
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
fn y_axis(chart: &Chart, fit: Fit) -> AxisLayout {
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

/// Colour, dash and marker of each series, and the offset of series that
/// would hide an earlier one.
fn series_styles(chart: &Chart, dark: bool, x: &AxisLayout, y: &AxisLayout) -> Vec<SeriesStyle> {
    let x_span = (x.max - x.min).max(1e-9);
    let y_span = (y.max - y.min).max(1e-9);
    let mut styles: Vec<SeriesStyle> = Vec::new();
    // Each series' points by x, so a point's twins are found by bisection.
    let by_x: Vec<Vec<(f64, f64)>> = chart
        .series
        .iter()
        .map(|s| {
            let mut points: Vec<(f64, f64)> = s.points.iter().map(|p| (p.x, p.y)).collect();
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            points
        })
        .collect();
    for (i, series) in chart.series.iter().enumerate() {
        let predicted = series.prediction.is_some();
        let stroke = Stroke {
            color: series.model.color(dark),
            line: series.line,
            weight: if predicted {
                Weight::Thin
            } else {
                Weight::Data
            },
            marker: (!predicted).then(|| series.model.info().marker),
        };
        // How many earlier series this one would lie on.
        let hidden_by = chart.series[..i]
            .iter()
            .zip(&by_x)
            .filter(|(other, _)| other.prediction.is_none() && !predicted)
            .filter(|(_, other)| {
                !series.points.is_empty()
                    && series.points.iter().all(|p| {
                        let from = other.partition_point(|o| o.0 <= p.x - 1e-9);
                        other[from..]
                            .iter()
                            .take_while(|o| o.0 < p.x + 1e-9)
                            .any(|o| ((o.1 - p.y) / y_span).abs() < 0.015)
                    })
            })
            .count();
        styles.push(SeriesStyle {
            stroke,
            dx: hidden_by as f64 * 0.012 * x_span,
        });
    }
    styles
}

/// The legend: every series (a predictions panel names each law once) and
/// reference line, or every phase of the bars; each name once.
fn legend(
    chart: &Chart,
    dark: bool,
    series: &[SeriesStyle],
    references: &[Stroke],
) -> Vec<LegendEntry> {
    let mut entries: Vec<LegendEntry> = Vec::new();
    let mut push = |name: String, swatch: Swatch| {
        if !entries.iter().any(|e| e.name == name) {
            entries.push(LegendEntry { name, swatch });
        }
    };
    if let Some(bars) = &chart.bars {
        let model = bars
            .models
            .first()
            .copied()
            .unwrap_or(crate::spec::Model::Serial);
        for segment in &bars.segments {
            push(
                segment.name.clone(),
                Swatch::Block(segment.color(model, dark)),
            );
        }
    }
    for (s, style) in chart.series.iter().zip(series) {
        match s.prediction {
            Some(fit) => push(
                format!("{} fit (dashed, no markers)", fit.law.name()),
                Swatch::Line(Stroke {
                    color: theme::foreground(dark),
                    ..style.stroke
                }),
            ),
            None => push(s.name.clone(), Swatch::Line(style.stroke)),
        }
    }
    for (reference, stroke) in chart.references.iter().zip(references) {
        push(reference_name(reference).to_string(), Swatch::Line(*stroke));
    }
    entries
}

/// Inside the plot, in the first corner (in the chart's preferred order)
/// that no data crosses; outside when the legend is too large or every
/// corner holds data.
fn legend_place(
    chart: &Chart,
    legend: &[LegendEntry],
    fit: Fit,
    x: &AxisLayout,
    y: &AxisLayout,
) -> LegendPlace {
    if legend.is_empty() {
        return LegendPlace::Outside;
    }
    let widest = legend
        .iter()
        .map(|e| e.name.chars().count())
        .max()
        .unwrap_or(0);
    // Sample, gap, text and padding; rows of 1.5 em.
    let width = (widest as f64 * 0.55 + 5.0) / fit.em_across;
    let height = (legend.len() as f64 * 1.5 + 1.0) / fit.em_down;
    if width > 0.6 || height > 0.6 {
        return LegendPlace::Outside;
    }
    let samples = data_samples(chart, x, y);
    let corners = match chart.kind {
        ChartKind::WallTime | ChartKind::Overhead | ChartKind::LostUpdates => [
            Corner::RightTop,
            Corner::LeftTop,
            Corner::RightBottom,
            Corner::LeftBottom,
        ],
        ChartKind::Speedup | ChartKind::IpcBytes | ChartKind::IncrementCost => [
            Corner::LeftTop,
            Corner::RightTop,
            Corner::LeftBottom,
            Corner::RightBottom,
        ],
        ChartKind::Efficiency => [
            Corner::LeftBottom,
            Corner::RightBottom,
            Corner::LeftTop,
            Corner::RightTop,
        ],
    };
    let margin = 0.03;
    for corner in corners {
        let (x0, x1) = match corner {
            Corner::LeftTop | Corner::LeftBottom => (0.0, width + margin),
            Corner::RightTop | Corner::RightBottom => (1.0 - width - margin, 1.0),
        };
        let (y0, y1) = match corner {
            Corner::LeftBottom | Corner::RightBottom => (0.0, height + margin),
            Corner::LeftTop | Corner::RightTop => (1.0 - height - margin, 1.0),
        };
        let covered = samples
            .iter()
            .any(|&(sx, sy)| (x0..=x1).contains(&sx) && (y0..=y1).contains(&sy));
        if !covered {
            return LegendPlace::Inside(corner);
        }
    }
    LegendPlace::Outside
}

/// Points along everything drawn, in plot fractions (0 to 1 across and
/// up): series lines and whiskers, reference lines, bar tops.
fn data_samples(chart: &Chart, x: &AxisLayout, y: &AxisLayout) -> Vec<(f64, f64)> {
    let fx = |v: f64| (v - x.min) / (x.max - x.min).max(1e-9);
    let fy = |v: f64| ((v - y.min) / (y.max - y.min).max(1e-9)).min(1.0);
    let mut lines: Vec<Vec<(f64, f64)>> = Vec::new();
    for series in &chart.series {
        lines.push(series.points.iter().map(|p| (p.x, p.y)).collect());
        for point in &series.points {
            if let Some((low, high)) = point.spread {
                lines.push(vec![(point.x, low), (point.x, high)]);
            }
        }
    }
    for reference in &chart.references {
        match reference {
            Reference::Curve { points, .. } => {
                lines.push(super::clip_below(points, y.max));
            }
            Reference::Horizontal { y: level, .. } => {
                lines.push(vec![(x.min, *level), (x.max, *level)]);
            }
            Reference::Vertical { x: at, .. } => {
                lines.push(vec![(*at, y.min), (*at, y.max)]);
            }
        }
    }
    if let Some(bars) = &chart.bars {
        for bar in 0..bars.labels.len() {
            let height: f64 = bars
                .segments
                .iter()
                .filter_map(|s| s.values.get(bar))
                .filter(|v| v.is_finite() && **v > 0.0)
                .sum();
            let at = bar as f64;
            let half = BAR_WIDTH / 2.0;
            // The bar's whole area counts: a legend over it hides it.
            for i in 0..=8 {
                let level = height * f64::from(i) / 8.0;
                lines.push(vec![(at - half, level), (at + half, level)]);
            }
        }
    }
    let mut samples = Vec::new();
    for line in lines {
        if let [only] = line.as_slice() {
            samples.push((fx(only.0), fy(only.1)));
        }
        for pair in line.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            for i in 0..=24 {
                let t = f64::from(i) / 24.0;
                samples.push((fx(a.0 + (b.0 - a.0) * t), fy(a.1 + (b.1 - a.1) * t)));
            }
        }
    }
    samples
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::{ChartOptions, build, build_with};
    use crate::results::testing::record;
    use crate::results::{MachineInfo, ResultSet};
    use crate::spec::Model;

    const ROOMY: Fit = Fit {
        em_across: 60.0,
        em_down: 30.0,
    };

    fn sweep(wall: impl Fn(u32) -> f64) -> ResultSet {
        let mut set = ResultSet::new(MachineInfo::detect());
        set.machine.physical_cores = Some(4);
        set.machine.logical_cores = 4;
        set.runs.push(record(Model::Serial, 1, wall(1)));
        for model in [Model::Threads, Model::Processes] {
            for workers in [1, 2, 3, 4] {
                set.runs.push(record(model, workers, wall(workers)));
            }
        }
        crate::analysis::fill_speedups(&mut set);
        set
    }

    #[test]
    fn every_numeric_axis_has_three_labelled_ticks_in_its_titles_unit() {
        let set = sweep(|w| 0.08 / f64::from(w));
        // The counter's charts show only for sets that counted.
        for kind in ChartKind::ALL.into_iter().filter(|k| k.shows_in(&[&set])) {
            let chart = build(kind, &set);
            for fit in [ROOMY, Fit::of(300.0, 90.0, 14.0)] {
                let layout = Layout::of(&chart, false, fit);
                assert!(layout.y.ticks.len() >= 3, "{kind:?}: {:?}", layout.y);
                assert!(layout.x.ticks.len() >= 3, "{kind:?}: {:?}", layout.x);
                assert!(layout.y.ticks.iter().all(|t| !t.label.is_empty()));
                let last = layout.y.ticks.last().unwrap();
                assert!((last.value - layout.y.max).abs() < 1e-9);
            }
        }
        // 80 ms of wall time: ticks in ms, and the title says so.
        let wall = Layout::of(&build(ChartKind::WallTime, &set), false, ROOMY);
        assert_eq!(wall.y.title, "wall time [ms]");
        assert!(wall.y.labels().contains(&"80".to_string()), "{:?}", wall.y);
        let slow = sweep(|w| 40.0 / f64::from(w));
        let wall = Layout::of(&build(ChartKind::WallTime, &slow), false, ROOMY);
        assert_eq!(wall.y.title, "wall time [s]");
        assert!(wall.y.labels().contains(&"40".to_string()), "{:?}", wall.y);
    }

    #[test]
    fn speedup_fits_the_measurement_and_predictions_get_their_own_panel() {
        let set = sweep(|w| 4.0 / f64::from(w));
        let options = ChartOptions { predict_to: 64 };
        let chart = build_with(ChartKind::Speedup, &set, &options);
        assert_eq!(chart.x_axis, XAxis::Workers);
        assert!(chart.series.iter().all(|s| s.prediction.is_none()));
        let layout = Layout::of(&chart, true, ROOMY);
        // Measured up to 4×, ideal to 4 workers: the scale stays there.
        assert!(layout.y.max >= 4.0 && layout.y.max <= 5.0, "{:?}", layout.y);
        assert!(layout.x.max < 5.0, "{:?}", layout.x);
        let panel = chart.predictions.as_deref().unwrap();
        assert_eq!(panel.x_axis, XAxis::WorkersLog2);
        assert!(panel.series.iter().any(|s| s.prediction.is_some()));
        let panel = Layout::of(panel, true, ROOMY);
        assert!(panel.caption.as_deref().unwrap().starts_with("Amdahl fit:"));
        assert!(
            panel.x.labels().contains(&"64".to_string()),
            "{:?}",
            panel.x
        );
        // Off by default.
        assert!(build(ChartKind::Speedup, &set).predictions.is_none());
    }

    #[test]
    fn laws_need_three_worker_counts() {
        let mut set = ResultSet::new(MachineInfo::detect());
        set.machine.logical_cores = 4;
        set.runs.push(record(Model::Serial, 1, 4.0));
        set.runs.push(record(Model::Threads, 1, 4.0));
        set.runs.push(record(Model::Threads, 2, 2.0));
        crate::analysis::fill_speedups(&mut set);
        let options = ChartOptions { predict_to: 64 };
        assert!(
            build_with(ChartKind::Speedup, &set, &options)
                .predictions
                .is_none()
        );
        set.runs.push(record(Model::Threads, 4, 1.0));
        crate::analysis::fill_speedups(&mut set);
        assert!(
            build_with(ChartKind::Speedup, &set, &options)
                .predictions
                .is_some()
        );
    }

    #[test]
    fn legend_entries_carry_marker_and_dash_and_coinciding_series_move_aside() {
        // threads and processes measure the same: processes moves aside.
        let set = sweep(|w| 4.0 / f64::from(w));
        let chart = build(ChartKind::WallTime, &set);
        let layout = Layout::of(&chart, false, ROOMY);
        let described = layout.legend_described();
        assert!(
            described.contains(&"threads: solid line, square markers".to_string()),
            "{described:?}"
        );
        assert!(
            described.contains(&"processes: solid line, triangle-up markers".to_string()),
            "{described:?}"
        );
        let names: Vec<&str> = chart.series.iter().map(|s| s.name.as_str()).collect();
        let threads = names.iter().position(|n| *n == "threads").unwrap();
        let processes = names.iter().position(|n| *n == "processes").unwrap();
        assert_eq!(layout.series[threads].dx, 0.0);
        assert!(layout.series[processes].dx > 0.0);
        // The phases of the breakdown are blocks.
        let bars = Layout::of(&build(ChartKind::Overhead, &set), false, ROOMY);
        assert!(
            bars.legend
                .iter()
                .all(|e| matches!(e.swatch, Swatch::Block(_)))
        );
    }

    #[test]
    fn the_legend_leaves_the_plot_when_it_would_cover_data() {
        let set = sweep(|w| 4.0 / f64::from(w));
        let chart = build(ChartKind::Speedup, &set);
        // Room to spare: in the upper left, above the rising lines.
        let roomy = Layout::of(&chart, false, ROOMY);
        assert_eq!(roomy.legend_place, LegendPlace::Inside(Corner::LeftTop));
        // A small cell: the legend would fill it.
        let small = Layout::of(&chart, false, Fit::of(300.0, 120.0, 14.0));
        assert_eq!(small.legend_place, LegendPlace::Outside);
    }

    #[test]
    fn bar_labels_shorten_to_their_room() {
        let set = sweep(|w| 4.0 / f64::from(w));
        let chart = build(ChartKind::Overhead, &set);
        let wide = Layout::of(&chart, false, Fit::of(1800.0, 600.0, 20.0));
        assert_eq!(wide.x.ticks[1].label, "threads\n×1");
        let narrow = Layout::of(&chart, false, Fit::of(400.0, 300.0, 14.0));
        assert!(
            narrow.x.ticks[5].label.starts_with("pro"),
            "{:?}",
            narrow.x.ticks
        );
        assert!(narrow.x.ticks[5].label.contains('…'));
    }
}
