//! The layout of a run's activity charts, decided once for the window and
//! the files: the timeline (one lane per worker, a bar per task and
//! phase), and the charts over time (per-core CPU rows, memory lines).
//!
//! Like [`super::layout`] for the scaling charts, an [`ActivityLayout`]
//! holds the time axis (its range, and ticks in the unit its title names:
//! `… [ms]`), the rows or the value axis, each line's stroke, the colour of
//! each kind of bar, the wall-time line and the shaded repetition, and the
//! legend with each entry's style. The egui views (`gui/timeline.rs`,
//! `gui/live.rs`) and the plotters files (`export/activity.rs`) draw it as
//! it is, so they cannot drift apart.

use super::layout::{
    AxisLayout, Fit, LegendEntry, Stroke, Swatch, Tick, Weight, decimals_of, nice_step, step_down,
    value_axis,
};
use super::{LineKind, theme};
use crate::activity::{Mark, TimeChart, TimeSeries, Timeline};
use crate::palette::Rgb;

/// Narrower than this many pixels, a timeline bar drawn with the
/// hairline that keeps back-to-back tasks apart would be all outline, so
/// it is drawn without.
pub const HAIRLINE_MIN_PIXELS: f64 = 3.0;

/// A task bar's extent across its lane, from the lane's centre, in lanes.
pub const TASK_BAR: (f64, f64) = (-0.31, 0.31);

/// gil-threads' lock strip, above the task bar.
pub const HOLD_STRIP: (f64, f64) = (0.34, 0.44);

/// Where a timeline's lanes end above the top lane's centre (and below
/// the bottom one's).
const LANE_MARGIN: f64 = 0.5;

/// What a renderer draws of an activity chart besides its data.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityLayout {
    pub title: String,
    /// Time: range, and ticks in the unit its title names.
    pub x: AxisLayout,
    /// Values with their unit, or rows (lanes, cores) named at their
    /// centres.
    pub y: AxisLayout,
    /// The size of the time axis's unit in seconds (1e-3 for ms): ticks
    /// chosen again for a zoomed view keep it.
    pub time_scale: f64,
    /// One per series of a chart over time, in order.
    pub series: Vec<Stroke>,
    /// A banded chart: the line at the top (100 %) of each row.
    pub row_tops: Vec<(f64, Stroke)>,
    /// The colour of each kind of bar a timeline draws.
    pub marks: Vec<(Mark, Rgb)>,
    /// The timeline's wall-time line: where, and how.
    pub wall: Option<(f64, Stroke)>,
    /// The shaded time range (the median repetition) and its edges.
    pub shade: Option<((f64, f64), Stroke)>,
    pub legend: Vec<LegendEntry>,
    /// Shown in the plot when there is nothing to draw.
    pub empty: Option<String>,
    pub dark: bool,
}

impl ActivityLayout {
    /// The layout of a run's timeline in a plot of `fit`.
    pub fn timeline(timeline: &Timeline, dark: bool, fit: Fit) -> ActivityLayout {
        let end = timeline.end();
        let (x, time_scale) = time_axis(
            crate::activity::RUN_TIME_LABEL,
            0.0,
            if end > 0.0 { end * 1.02 } else { 1.0 },
            fit,
        );
        let lanes = timeline.lanes.len();
        let y = AxisLayout {
            title: "worker".to_string(),
            min: -LANE_MARGIN,
            max: lanes.max(1) as f64 - LANE_MARGIN,
            ticks: (0..lanes)
                .map(|lane| Tick {
                    value: lane_y(lanes, u32::try_from(lane).unwrap_or(u32::MAX)),
                    label: timeline.lanes[lane].clone(),
                })
                .collect(),
        };
        let marks: Vec<(Mark, Rgb)> = timeline
            .marks()
            .into_iter()
            .map(|mark| (mark, mark.color(timeline.model, dark)))
            .collect();
        let mut legend: Vec<LegendEntry> = marks
            .iter()
            .map(|(mark, color)| LegendEntry {
                name: mark.label().to_string(),
                swatch: Swatch::Block(*color),
            })
            .collect();
        let wall = timeline.wall_seconds.map(|wall| {
            let stroke = thin(theme::foreground(dark), LineKind::Dashed);
            legend.push(LegendEntry {
                name: format!("wall time ({})", crate::format::seconds(wall)),
                swatch: Swatch::Line(stroke),
            });
            (wall, stroke)
        });
        ActivityLayout {
            title: timeline.title.clone(),
            x,
            y,
            time_scale,
            series: Vec::new(),
            row_tops: Vec::new(),
            marks,
            wall,
            shade: None,
            legend,
            empty: timeline
                .bars
                .is_empty()
                .then(|| "no task spans".to_string()),
            dark,
        }
    }

    /// The layout of a chart over time (CPU rows, memory lines) in a plot
    /// of `fit`.
    pub fn time_chart(chart: &TimeChart, dark: bool, fit: Fit) -> ActivityLayout {
        let (start, end) = time_range(chart);
        let (x, time_scale) = time_axis(&chart.x_label, start, end, fit);
        let series: Vec<Stroke> = chart.series.iter().map(series_stroke).collect();
        let mut legend: Vec<LegendEntry> = Vec::new();
        let (y, row_tops) = if chart.banded {
            // Rows are named on the axis, not in the legend.
            (rows_axis(chart), row_tops(chart, &series))
        } else {
            legend.extend(
                chart
                    .series
                    .iter()
                    .zip(&series)
                    .map(|(s, stroke)| LegendEntry {
                        name: s.name.clone(),
                        swatch: Swatch::Line(*stroke),
                    }),
            );
            let top = chart.y_max.unwrap_or_else(|| {
                chart
                    .series
                    .iter()
                    .flat_map(|s| s.points.iter().map(|p| p.1))
                    .filter(|v| v.is_finite())
                    .fold(0.0, f64::max)
            });
            (value_axis(&chart.y_label, chart.unit, top, fit), Vec::new())
        };
        let shade = chart.highlight.map(|range| {
            let edge = thin(theme::foreground(dark), LineKind::Dashed);
            legend.push(LegendEntry {
                name: "median repetition (shaded)".to_string(),
                swatch: Swatch::Line(edge),
            });
            (range, edge)
        });
        ActivityLayout {
            title: chart.title.clone(),
            x,
            y,
            time_scale,
            series,
            row_tops,
            marks: Vec::new(),
            wall: None,
            shade,
            legend,
            empty: chart
                .is_empty()
                .then(|| "no samples (the run was shorter than one 200 ms interval)".to_string()),
            dark,
        }
    }

    /// The colour of a timeline's bars of `mark`.
    pub fn mark_color(&self, mark: Mark) -> Rgb {
        self.marks
            .iter()
            .find(|(m, _)| *m == mark)
            .map_or(theme::foreground(self.dark), |(_, color)| *color)
    }

    /// The legend's names with their styles in words.
    pub fn legend_described(&self) -> Vec<String> {
        self.legend
            .iter()
            .map(|e| format!("{}: {}", e.name, e.swatch.describe()))
            .collect()
    }

    /// Ticks for a view of the time axis from `low` to `high` seconds (a
    /// zoomed window), in this layout's unit, as many as `fit` holds.
    pub fn time_ticks_within(&self, low: f64, high: f64, fit: Fit) -> Vec<Tick> {
        time_ticks(low, high, self.time_scale, ticks_across(fit))
    }
}

/// A thin line of `color`: references, edges, the wall time.
fn thin(color: Rgb, line: LineKind) -> Stroke {
    Stroke {
        color,
        line,
        weight: Weight::Thin,
        marker: None,
    }
}

/// A line over time: solid, heavier where it sums the others.
fn series_stroke(series: &TimeSeries) -> Stroke {
    Stroke {
        color: series.color,
        line: LineKind::Solid,
        weight: if series.emphasis {
            Weight::Data
        } else {
            Weight::Thin
        },
        marker: None,
    }
}

/// Where lane `lane` of `lanes` sits on the y axis: lane 0 on top.
pub fn lane_y(lanes: usize, lane: u32) -> f64 {
    lanes.saturating_sub(1) as f64 - f64::from(lane)
}

/// The time a chart over time spans: its samples and its shaded range.
fn time_range(chart: &TimeChart) -> (f64, f64) {
    let (mut start, mut end) = (f64::INFINITY, f64::NEG_INFINITY);
    for &(t, _) in chart.series.iter().flat_map(|s| s.points.iter()) {
        start = start.min(t);
        end = end.max(t);
    }
    if let Some((low, high)) = chart.highlight {
        start = start.min(low);
        end = end.max(high);
    }
    if start.is_finite() && end.is_finite() && end > start {
        (start, end)
    } else {
        (0.0, 1.0)
    }
}

/// A banded chart's rows: each 0 to its top, named at its centre.
fn rows_axis(chart: &TimeChart) -> AxisLayout {
    AxisLayout {
        title: chart.y_label.clone(),
        min: 0.0,
        max: chart.bands_top() + 0.05,
        ticks: chart
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| Tick {
                value: chart.band_base(i) + 0.5,
                label: s.name.clone(),
            })
            .collect(),
    }
}

/// The dotted line at the top of each row, in the row's colour.
fn row_tops(chart: &TimeChart, series: &[Stroke]) -> Vec<(f64, Stroke)> {
    series
        .iter()
        .enumerate()
        .map(|(i, stroke)| {
            (
                chart.band_base(i) + 1.0,
                thin(stroke.color, LineKind::Dotted),
            )
        })
        .collect()
}

/// The unit a time axis reaching `reach` seconds (either way) is written
/// in: its name and its size in seconds.
fn time_unit(reach: f64) -> (&'static str, f64) {
    if reach < 1e-3 {
        ("µs", 1e-6)
    } else if reach < 1.0 {
        ("ms", 1e-3)
    } else {
        ("s", 1.0)
    }
}

/// How many time ticks fit across `fit`: a label of about five
/// characters and two ems of space each, three to twelve.
fn ticks_across(fit: Fit) -> f64 {
    (fit.em_across / (5.0 * 0.6 + 2.0)).floor().clamp(3.0, 12.0)
}

/// A time axis from `start` to `end` seconds: its title names the unit of
/// its ticks (`… [ms]`), at least three of them.
pub fn time_axis(title: &str, start: f64, end: f64, fit: Fit) -> (AxisLayout, f64) {
    let (unit, scale) = time_unit(start.abs().max(end.abs()));
    let axis = AxisLayout {
        title: format!("{title} [{unit}]"),
        min: start,
        max: end,
        ticks: time_ticks(start, end, scale, ticks_across(fit)),
    };
    (axis, scale)
}

/// Round ticks from `low` to `high` seconds, at most `most` of them and at
/// least three, labelled in units of `scale` seconds.
pub fn time_ticks(low: f64, high: f64, scale: f64, most: f64) -> Vec<Tick> {
    let (low, high) = (low / scale, high / scale);
    let span = high - low;
    if !(span.is_finite() && span > 0.0) {
        return Vec::new();
    }
    let count = |step: f64| (high / step).floor() - (low / step).ceil() + 1.0;
    let mut step = nice_step(span / (most.max(3.0) - 1.0));
    while count(step) < 3.0 && step > 1e-12 {
        step = step_down(step);
    }
    let first = (low / step).ceil() as i64;
    let last = (high / step).floor() as i64;
    (first..=last.min(first + 64))
        .map(|i| {
            let value = i as f64 * step;
            Tick {
                value: value * scale,
                label: time_label(value, step),
            }
        })
        .collect()
}

/// A time tick's label, in its axis's unit, written to `step`'s decimals,
/// with a minus sign before the repetition shown.
fn time_label(value: f64, step: f64) -> String {
    let decimals = decimals_of(step);
    let text = format!("{:.decimals$}", value.abs());
    if value < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        format!("−{text}")
    } else {
        text
    }
}

/// Seconds with their sign, for hover texts: samples before the median
/// repetition are negative.
pub fn signed_seconds(x: f64) -> String {
    if x < 0.0 {
        format!("−{}", crate::format::seconds(-x))
    } else {
        crate::format::seconds(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activity::{cpu_chart, memory_chart, timeline};
    use crate::results::testing::{record, span};
    use crate::results::{CpuSample, MemorySample};
    use crate::spec::Model;

    const ROOMY: Fit = Fit {
        em_across: 80.0,
        em_down: 30.0,
    };
    const SMALL: Fit = Fit {
        em_across: 14.0,
        em_down: 6.0,
    };

    fn samples() -> (Vec<CpuSample>, Vec<MemorySample>) {
        let cpu = (0..8)
            .map(|i| CpuSample {
                t_seconds: f64::from(i) * 0.1 - 0.4,
                per_core: vec![95.0, 40.0, 10.0, 80.0, 5.0],
                corescope_percent: 120.0,
            })
            .collect();
        let memory = (0..8)
            .map(|i| MemorySample {
                t_seconds: f64::from(i) * 0.1 - 0.4,
                parent_rss_bytes: 8 << 20,
                worker_rss_bytes: vec![5 << 20, 6 << 20],
                total_rss_bytes: 19 << 20,
            })
            .collect();
        (cpu, memory)
    }

    #[test]
    fn time_axes_have_three_ticks_in_the_unit_their_title_names() {
        let (cpu, memory) = samples();
        for fit in [ROOMY, SMALL] {
            let layout = ActivityLayout::time_chart(&cpu_chart(&cpu, "x", false), false, fit);
            assert!(layout.x.title.ends_with("[ms]"), "{:?}", layout.x);
            assert!(layout.x.ticks.len() >= 3, "{:?}", layout.x);
            // 1.0 s is written 1000 in ms; before the run, a minus sign.
            assert!(
                layout.x.labels().contains(&"−200".to_string()),
                "{:?}",
                layout.x
            );
            assert!(
                layout
                    .x
                    .ticks
                    .iter()
                    .all(|t| (layout.x.min..=layout.x.max).contains(&t.value))
            );
            let memory = ActivityLayout::time_chart(&memory_chart(&memory, "x", false), false, fit);
            assert_eq!(memory.y.title, "resident memory [MiB]");
            assert!(memory.y.ticks.len() >= 3, "{:?}", memory.y);
            assert!(memory.y.max >= f64::from(19 << 20));
        }
        // Long runs count in seconds.
        let (axis, scale) = time_axis("t", 0.0, 42.0, ROOMY);
        assert_eq!((axis.title.as_str(), scale), ("t [s]", 1.0));
        assert!(axis.labels().contains(&"40".to_string()), "{axis:?}");
        // A short zoomed view keeps the unit and gets decimals.
        let ticks = time_ticks(0.0101, 0.0104, 1e-3, 8.0);
        assert!(ticks.len() >= 3, "{ticks:?}");
        assert!(
            ticks.iter().all(|t| t.label.starts_with("10.")),
            "{ticks:?}"
        );
    }

    #[test]
    fn rows_are_named_on_the_axis_and_legends_carry_styles() {
        let (cpu, _) = samples();
        let chart = cpu_chart(&cpu, "x", true);
        let layout = ActivityLayout::time_chart(&chart, true, ROOMY);
        let names: Vec<String> = layout.y.labels();
        assert_eq!(names.first().map(String::as_str), Some("core 0"));
        assert!(names.contains(&crate::activity::OWN_CPU_ROW.to_string()));
        assert_eq!(layout.row_tops.len(), chart.series.len());
        assert!(layout.legend.is_empty());
        // Core colours are the theme's, no model's.
        assert_eq!(layout.series[1].color, theme::core_color(1, true));
        assert!(
            Model::ALL
                .iter()
                .all(|m| layout.series[..4].iter().all(|s| s.color != m.color(true)))
        );
        // A stored run's chart shades its median repetition, in the legend.
        let stored = crate::activity::TimeChart {
            highlight: Some((0.0, 0.3)),
            ..cpu_chart(&cpu, "x", false)
        };
        let stored = ActivityLayout::time_chart(&stored, false, ROOMY);
        assert_eq!(
            stored.legend_described(),
            ["median repetition (shaded): dashed line"]
        );
        assert!(stored.shade.is_some());
    }

    #[test]
    fn a_timeline_names_its_lanes_and_its_wall_time() {
        let mut run = record(Model::GilThreads, 3, 0.5);
        run.spans = vec![span(0, 0, 0.0, 0.4), span(1, 1, 0.1, 0.5)];
        run.gil_holds = vec![span(0, 0, 0.0, 0.2)];
        let mut timeline = timeline(&run);
        timeline.wall_seconds = Some(0.5);
        let layout = ActivityLayout::timeline(&timeline, false, ROOMY);
        assert_eq!(layout.y.labels(), ["thread 0", "thread 1", "thread 2"]);
        assert_eq!(layout.y.ticks[0].value, 2.0);
        assert!(layout.x.title.ends_with("[ms]"));
        assert!(layout.x.ticks.len() >= 3);
        let described = layout.legend_described();
        assert_eq!(described[0], "compute: filled block");
        assert_eq!(described.last().unwrap(), "wall time (500 ms): dashed line");
        assert_eq!(
            layout.mark_color(Mark::Task(crate::analysis::Phase::Compute)),
            Model::GilThreads.color(false)
        );
        assert!(layout.empty.is_none());
    }
}
