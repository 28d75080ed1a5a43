//! A chart's legend, decided once for every renderer: its entries (each
//! with its line sample or block), whether it fits in a corner of the plot
//! that no data crosses, and how its entries pack into rows ([`LegendGrid`])
//! from a [`TextMeasure`] each renderer provides (egui's font in the
//! window, the embedded font in files), so the window and a file break a
//! legend into the same rows.

use super::style::{AxisLayout, BAR_WIDTH, Fit, SeriesStyle, Stroke};
use super::{Chart, ChartKind, Reference, theme};
use crate::palette::Rgb;

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

/// The legend: every series (a predictions panel names each law once) and
/// reference line, or every segment of the bars (in its colour in the
/// first bar that has it); each name once.
pub(super) fn legend(
    chart: &Chart,
    (series, references): (&[SeriesStyle], &[Stroke]),
    bar_colors: &[Vec<Rgb>],
    dark: bool,
) -> Vec<LegendEntry> {
    let mut entries: Vec<LegendEntry> = Vec::new();
    let mut push = |name: String, swatch: Swatch| {
        if !entries.iter().any(|e| e.name == name) {
            entries.push(LegendEntry { name, swatch });
        }
    };
    if let Some(bars) = &chart.bars {
        for (segment, colors) in bars.segments.iter().zip(bar_colors) {
            let shown = segment.values.iter().position(|v| *v > 0.0).unwrap_or(0);
            let color = colors
                .get(shown)
                .copied()
                .unwrap_or_else(|| theme::foreground(dark));
            push(segment.name.clone(), Swatch::Block(color));
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
pub(super) fn legend_place(
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
        ChartKind::WallTime
        | ChartKind::Overhead
        | ChartKind::LostUpdates
        | ChartKind::MemoryByRun => [
            Corner::RightTop,
            Corner::LeftTop,
            Corner::RightBottom,
            Corner::LeftBottom,
        ],
        ChartKind::Speedup
        | ChartKind::IpcBytes
        | ChartKind::IncrementCost
        | ChartKind::Throughput => [
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

/// A reference line's name.
fn reference_name(reference: &Reference) -> &str {
    match reference {
        Reference::Curve { name, .. }
        | Reference::Horizontal { name, .. }
        | Reference::Vertical { name, .. } => name,
    }
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

/// How a renderer measures text in its legend font, in its own units
/// (points in the window, pixels in a file).
pub trait TextMeasure {
    /// The legend font's size: one em.
    fn em(&self) -> f64;
    /// How wide `text` is.
    fn width(&self, text: &str) -> f64;
}

/// A line sample's length, in ems of the legend font.
const SAMPLE_EM: f64 = 2.6;
/// The space between a sample and its name, and after an entry (twice).
const GAP_EM: f64 = 0.55;
/// A row's height.
const ROW_EM: f64 = 1.75;
/// The space inside the legend's box, around its entries.
const PADDING_EM: f64 = 0.55;
/// How far a legend inside the plot keeps from the plot's edges.
const INSET_EM: f64 = 0.6;

/// A legend packed for one renderer, in its units: which entries share a
/// row, where each entry starts, and the box around them. Both renderers
/// pack with [`LegendGrid::pack`], so a chart's legend breaks into the
/// same rows in the window and in a file of the same size.
#[derive(Debug, Clone, PartialEq)]
pub struct LegendGrid {
    /// Each row's entries, by index into the legend.
    pub rows: Vec<Vec<usize>>,
    /// Each entry's top left, from the box's top left.
    pub places: Vec<(f64, f64)>,
    /// The box's size (0 × 0 for no entries).
    pub width: f64,
    pub height: f64,
    /// A row's height.
    pub row_height: f64,
    /// A line sample's length, and the gap after it.
    pub sample: f64,
    pub gap: f64,
    /// How far a box inside the plot keeps from its edges.
    pub inset: f64,
}

impl LegendGrid {
    /// Packs `legend` as `measure` measures it: one entry a row inside
    /// the plot, else as many a row as fit in `room`.
    pub fn pack(
        legend: &[LegendEntry],
        place: LegendPlace,
        measure: &dyn TextMeasure,
        room: f64,
    ) -> LegendGrid {
        let em = measure.em().max(1.0);
        let (sample, gap, row, padding) =
            (SAMPLE_EM * em, GAP_EM * em, ROW_EM * em, PADDING_EM * em);
        let inside = matches!(place, LegendPlace::Inside(_));
        let mut rows: Vec<Vec<usize>> = Vec::new();
        let mut places = Vec::with_capacity(legend.len());
        let (mut width, mut x, mut y) = (0.0_f64, padding, padding);
        for (i, entry) in legend.iter().enumerate() {
            let entry_width = sample + gap + measure.width(&entry.name) + 2.0 * gap;
            match rows.last_mut() {
                Some(last) if !inside && x + entry_width <= room => last.push(i),
                Some(_) => {
                    x = padding;
                    y += row;
                    rows.push(vec![i]);
                }
                None => rows.push(vec![i]),
            }
            places.push((x, y));
            x += entry_width;
            width = width.max(x - 2.0 * gap + padding);
        }
        let height = if legend.is_empty() {
            0.0
        } else {
            y + row + padding
        };
        LegendGrid {
            rows,
            places,
            width,
            height,
            row_height: row,
            sample,
            gap,
            inset: INSET_EM * em,
        }
    }

    /// The box's top left inside a plot spanning `left..right` across and
    /// `top..bottom` down, in `corner`.
    pub fn inside_origin(
        &self,
        corner: Corner,
        (left, right): (f64, f64),
        (top, bottom): (f64, f64),
    ) -> (f64, f64) {
        let x = match corner {
            Corner::LeftTop | Corner::LeftBottom => left + self.inset,
            Corner::RightTop | Corner::RightBottom => right - self.inset - self.width,
        };
        let y = match corner {
            Corner::LeftTop | Corner::RightTop => top + self.inset,
            Corner::LeftBottom | Corner::RightBottom => bottom - self.inset - self.height,
        };
        (x, y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Text half an em a character wide.
    struct Chars(f64);

    impl TextMeasure for Chars {
        fn em(&self) -> f64 {
            self.0
        }

        fn width(&self, text: &str) -> f64 {
            text.chars().count() as f64 * 0.5 * self.0
        }
    }

    fn entries(names: &[&str]) -> Vec<LegendEntry> {
        names
            .iter()
            .map(|name| LegendEntry {
                name: name.to_string(),
                swatch: Swatch::Block(Rgb(0, 0, 0)),
            })
            .collect()
    }

    #[test]
    fn legend_rows_fill_their_room_and_scale_with_the_font() {
        let legend = entries(&["threads", "processes", "gil-threads", "ideal (y = workers)"]);
        let small = LegendGrid::pack(&legend, LegendPlace::Outside, &Chars(10.0), 400.0);
        // 4.25 ems of sample and gaps and half an em a character: three
        // entries fill 400 px, the fourth starts a row.
        assert_eq!(small.rows, [vec![0, 1, 2], vec![3]]);
        assert!(small.width <= 400.0, "{small:?}");
        assert_eq!(small.places[3].0, small.places[0].0);
        assert!(small.places[3].1 > small.places[0].1);
        // Twice the font in twice the room: the same rows, twice as large.
        let large = LegendGrid::pack(&legend, LegendPlace::Outside, &Chars(20.0), 800.0);
        assert_eq!(large.rows, small.rows);
        assert!((large.height - 2.0 * small.height).abs() < 1e-9);
        // Inside the plot: one entry a row, the box in its corner.
        let inside = LegendPlace::Inside(Corner::RightBottom);
        let column = LegendGrid::pack(&legend, inside, &Chars(10.0), 400.0);
        assert_eq!(column.rows.len(), legend.len());
        let (x, y) = column.inside_origin(Corner::RightBottom, (0.0, 1000.0), (0.0, 500.0));
        assert!((x + column.width + column.inset - 1000.0).abs() < 1e-9);
        assert!((y + column.height + column.inset - 500.0).abs() < 1e-9);
        // No entries, no box.
        let none = LegendGrid::pack(&[], LegendPlace::Outside, &Chars(10.0), 400.0);
        assert_eq!((none.height, none.rows.len()), (0.0, 0));
    }
}
