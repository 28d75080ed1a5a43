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
//! many ticks fit, which points get markers and whether the legend fits
//! inside the plot; a renderer's text measure packs the legend's rows
//! ([`LegendGrid`]).
//!
//! The parts it is made of are in `style.rs`; the axes are chosen in
//! `axis.rs`, the legend in `legend.rs`, and what
//! of each series is drawn (its line, markers and whiskers, thinned where
//! they crowd) in `marks.rs`.

use super::axis::{x_axis, y_axis};
use super::legend::{legend, legend_place};
use super::style::{min_mark_dx, spaced};
use super::theme::{self, REFERENCE_COLOR};
use super::{Chart, LineKind, Reference};
use crate::palette::Rgb;

pub(super) use super::axis::{decimals_of, step_down};
pub use super::axis::{label_lines, nice_step, value_axis};
pub use super::legend::{Corner, LegendEntry, LegendGrid, LegendPlace, Swatch, TextMeasure};
pub use super::style::{
    AxisLayout, BAR_WIDTH, Fit, SeriesStyle, Stroke, Tick, Weight, marker_name,
};

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
    /// Each bar segment's colour in each bar: `[segment][bar]`.
    pub bar_colors: Vec<Vec<Rgb>>,
    /// Whether the colours are for a dark background.
    pub dark: bool,
}

impl Layout {
    /// Lays out `chart` on a dark or light background, in a plot of `fit`.
    pub fn of(chart: &Chart, dark: bool, fit: Fit) -> Layout {
        let x = x_axis(chart, fit);
        let y = y_axis(chart, fit);
        let series = series_styles(chart, dark, (&x, &y), fit);
        let references: Vec<Stroke> = chart
            .references
            .iter()
            .map(|r| reference_stroke(r, dark))
            .collect();
        let bar_colors = bar_colors(chart, dark);
        let legend = legend(chart, (&series, &references), &bar_colors, dark);
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
            bar_colors,
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

    /// The colour of `segment` in bar `bar`.
    pub fn bar_color(&self, segment: usize, bar: usize) -> Rgb {
        self.bar_colors
            .get(segment)
            .and_then(|colors| colors.get(bar))
            .copied()
            .unwrap_or_else(|| theme::foreground(self.dark))
    }
}

/// Each bar segment's colour in each bar: its phase's (compute in the
/// bar's model's colour), the bar's model's, or the host's.
fn bar_colors(chart: &Chart, dark: bool) -> Vec<Vec<Rgb>> {
    let Some(bars) = &chart.bars else {
        return Vec::new();
    };
    bars.segments
        .iter()
        .map(|segment| {
            bars.models
                .iter()
                .map(|&model| segment.color(model, dark))
                .collect()
        })
        .collect()
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

/// Colour, dash and marker of each series, the offset of series that
/// would hide an earlier one, and which of its points get markers.
fn series_styles(
    chart: &Chart,
    dark: bool,
    (x, y): (&AxisLayout, &AxisLayout),
    fit: Fit,
) -> Vec<SeriesStyle> {
    let min_dx = min_mark_dx(x, fit);
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
        let marked = spaced(&series.points, min_dx);
        styles.push(SeriesStyle {
            stroke,
            dx: hidden_by as f64 * 0.012 * x_span,
            crowded: marked.len() < series.points.len(),
            marked,
        });
    }
    styles
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::{ChartKind, ChartOptions, XAxis, build, build_with};
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
