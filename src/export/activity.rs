//! A run's activity charts as image files: the timeline (Gantt) of its
//! median repetition, per-core CPU usage and memory over time, drawn from
//! [`crate::activity`] with the same renderer, font and sizes as the
//! scaling charts ([`super::plot`]).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::ExportError;
use super::plot_frame::{Frame, Palette, Plot, Sizes, draw_frame, draw_line, pen, plot_fit, rgb};
use super::plot_image::{
    Drawing, Drawn, ImageFormat, PlotStyle, render_drawing, render_rgb_drawing, write_drawing,
};
use crate::activity::{self, Mark, TimeChart, Timeline};
use crate::chart::activity::{ActivityLayout, HAIRLINE_MIN_PIXELS, HOLD_STRIP, TASK_BAR, lane_y};
use crate::chart::layout::LegendPlace;
use crate::results::RunRecord;

/// The charts of one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivityChart {
    /// One lane per worker, one bar per task.
    Timeline,
    /// One line per logical core.
    Cpu,
    /// Resident memory per process and in total.
    Memory,
}

impl ActivityChart {
    pub const ALL: [ActivityChart; 3] = [
        ActivityChart::Timeline,
        ActivityChart::Cpu,
        ActivityChart::Memory,
    ];

    /// The file stem in a report's run folder.
    pub fn file_stem(self) -> &'static str {
        match self {
            ActivityChart::Timeline => "timeline",
            ActivityChart::Cpu => "cpu",
            ActivityChart::Memory => "memory",
        }
    }
}

/// What is drawn: the run's chart in the theme's colours.
enum Figure {
    Timeline(Timeline),
    Time(TimeChart),
}

impl Figure {
    fn of(kind: ActivityChart, run: &RunRecord, dark: bool) -> Figure {
        match kind {
            ActivityChart::Timeline => Figure::Timeline(activity::timeline(run)),
            ActivityChart::Cpu => Figure::Time(activity::run_cpu_chart(run, dark)),
            ActivityChart::Memory => Figure::Time(activity::run_memory_chart(run, dark)),
        }
    }
}

/// Draws chart `kind` of `run` and returns the file's bytes.
pub fn render(
    kind: ActivityChart,
    run: &RunRecord,
    style: &PlotStyle,
    format: ImageFormat,
) -> Result<Vec<u8>, ExportError> {
    render_drawing(&Figure::of(kind, run, style.dark), style, format)
}

/// Draws chart `kind` of `run` as raw pixels, 8-bit RGB rows top to bottom
/// (for the clipboard).
pub fn render_rgb(
    kind: ActivityChart,
    run: &RunRecord,
    style: &PlotStyle,
) -> Result<Vec<u8>, ExportError> {
    render_rgb_drawing(&Figure::of(kind, run, style.dark), style)
}

/// Draws chart `kind` of `run` into `path` (`.svg` or `.png`), atomically.
pub fn write(
    kind: ActivityChart,
    run: &RunRecord,
    style: &PlotStyle,
    path: &Path,
) -> Result<(), ExportError> {
    write_drawing(&Figure::of(kind, run, style.dark), style, path)
}

impl Drawing for Figure {
    fn draw_on<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &PlotStyle,
    ) -> Drawn<DB> {
        root.fill(&Palette::new(style.dark).background)?;
        let fit = plot_fit(style, root.dim_in_pixel());
        match self {
            Figure::Timeline(timeline) => {
                let layout = ActivityLayout::timeline(timeline, style.dark, fit);
                draw_timeline(root, timeline, &layout, style)
            }
            Figure::Time(chart) => {
                let layout = ActivityLayout::time_chart(chart, style.dark, fit);
                draw_time_chart(root, chart, &layout, style)
            }
        }
    }
}

/// The frame of an activity chart: its layout's axes, rows named on the
/// y axis, the legend under the plot.
fn frame(layout: &ActivityLayout, rows: bool) -> Frame<'_> {
    Frame {
        title: &layout.title,
        caption: None,
        x: &layout.x,
        y: &layout.y,
        rows,
        legend: &layout.legend,
        legend_place: LegendPlace::Outside,
        empty: layout.empty.as_deref(),
    }
}

/// The timeline: a bar per task and phase in its lane, the lock strip
/// above, the wall time's line.
fn draw_timeline<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    timeline: &Timeline,
    layout: &ActivityLayout,
    style: &PlotStyle,
) -> Drawn<DB> {
    let sizes = Sizes::new(style);
    let frame = frame(layout, true);
    let mut framed = draw_frame(root, &frame, style)?;
    let plot = &mut framed.plot;
    // A hairline in the background colour keeps back-to-back tasks apart,
    // on bars wide enough to keep their colour around it; tasks too short
    // to draw apart are drawn as stretches (`activity::drawn_bars`).
    let outline = Palette::new(style.dark)
        .background
        .stroke_width(u32::try_from(sizes.px(1.5)).unwrap_or(1));
    let (width_px, _) = plot.plotting_area().dim_in_pixel();
    let resolution = (layout.x.max - layout.x.min) / f64::from(width_px.max(1));
    let lanes = timeline.lanes.len();
    for mark in timeline.marks() {
        let (source, (low, high)) = if mark == Mark::GilHeld {
            (&timeline.holds, HOLD_STRIP)
        } else {
            (&timeline.bars, TASK_BAR)
        };
        let color = rgb(layout.mark_color(mark));
        for drawn in activity::drawn_bars(source, mark, resolution) {
            let bar = drawn.bar;
            let y = lane_y(lanes, bar.lane);
            let corners = [(bar.start, y + low), (bar.end, y + high)];
            plot.draw_series(std::iter::once(Rectangle::new(corners, color.filled())))?;
            let apart = drawn.joined == 1 && bar.duration() >= HAIRLINE_MIN_PIXELS * resolution;
            if mark != Mark::GilHeld && apart {
                plot.draw_series(std::iter::once(Rectangle::new(corners, outline)))?;
            }
        }
    }
    if let Some((wall, stroke)) = layout.wall {
        let (color, width, pattern) = pen(&stroke, &sizes);
        let line = vec![(wall, layout.y.min), (wall, layout.y.max)];
        draw_line(plot, line, color, width, pattern)?;
    }
    framed.finish(root, &frame, style)
}

/// A chart over time: the shaded repetition, then each series, in a row of
/// its own when banded.
fn draw_time_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &TimeChart,
    layout: &ActivityLayout,
    style: &PlotStyle,
) -> Drawn<DB> {
    let sizes = Sizes::new(style);
    let frame = frame(layout, chart.banded);
    let mut framed = draw_frame(root, &frame, style)?;
    let plot = &mut framed.plot;
    if let Some(((low, high), edge)) = layout.shade {
        let (y0, y1) = (layout.y.min, layout.y.max);
        let shade = rgb(edge.color).mix(0.08);
        plot.draw_series(std::iter::once(Rectangle::new(
            [(low, y0), (high, y1)],
            shade.filled(),
        )))?;
        let (color, width, pattern) = pen(&edge, &sizes);
        for x in [low, high] {
            draw_line(plot, vec![(x, y0), (x, y1)], color, width, pattern)?;
        }
    }
    for (i, (series, stroke)) in chart.series.iter().zip(&layout.series).enumerate() {
        let (color, width, pattern) = pen(stroke, &sizes);
        if chart.banded {
            draw_row(plot, chart, layout, i, &sizes)?;
        }
        let points: Vec<(f64, f64)> = if chart.banded {
            series
                .points
                .iter()
                .map(|&(t, v)| (t, chart.band_y(i, v)))
                .collect()
        } else {
            series.points.clone()
        };
        draw_line(plot, points, color, width, pattern)?;
    }
    framed.finish(root, &frame, style)
}

/// Row `i` of a banded chart: its area under the line, and the dotted
/// line at its top.
fn draw_row<DB: DrawingBackend>(
    plot: &mut Plot<'_, DB>,
    chart: &TimeChart,
    layout: &ActivityLayout,
    i: usize,
    sizes: &Sizes,
) -> Drawn<DB> {
    let base = chart.band_base(i);
    let points = &chart.series[i].points;
    if let (Some(first), Some(last)) = (points.first(), points.last()) {
        let mut area = vec![(first.0, base)];
        area.extend(points.iter().map(|&(t, v)| (t, chart.band_y(i, v))));
        area.push((last.0, base));
        let color = rgb(layout.series[i].color);
        plot.draw_series(std::iter::once(Polygon::new(
            area,
            color.mix(0.35).filled(),
        )))?;
    }
    if let Some((top, stroke)) = layout.row_tops.get(i) {
        let (color, _, pattern) = pen(stroke, sizes);
        let line = vec![(layout.x.min, *top), (layout.x.max, *top)];
        draw_line(plot, line, color, sizes.px(1.5), pattern)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::testing::record;
    use crate::results::{CpuSample, MemorySample, SpanRecord};
    use crate::spec::Model;

    fn run() -> RunRecord {
        let mut run = record(Model::Processes, 2, 1.0);
        run.spans = (0..6)
            .map(|task| SpanRecord {
                worker: task % 2,
                task,
                tasks: 1,
                start_seconds: f64::from(task / 2) * 0.3,
                end_seconds: f64::from(task / 2) * 0.3 + 0.28,
                ipc: None,
                members: None,
            })
            .collect();
        run.repetitions = vec![crate::results::RepetitionRecord {
            wall_seconds: 0.9,
            compute_seconds: 1.68,
            cpu_seconds: 1.7,
            ipc: Default::default(),
            sequence: None,
            total: None,
        }];
        for i in 0..8 {
            let t = f64::from(i) * 0.2 - 0.4;
            run.cpu_samples.push(CpuSample {
                t_seconds: t,
                per_core: vec![95.0, 90.0 - i as f32],
                corescope_percent: 150.0,
            });
            run.memory_samples.push(MemorySample {
                t_seconds: t,
                parent_rss_bytes: 8 << 20,
                worker_rss_bytes: vec![5 << 20, 6 << 20],
                total_rss_bytes: 19 << 20,
            });
        }
        run
    }

    fn svg(kind: ActivityChart, run: &RunRecord) -> String {
        let bytes = render(kind, run, &PlotStyle::default(), ImageFormat::Svg).unwrap();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn every_activity_chart_draws_with_its_names() {
        let run = run();
        let timeline = svg(ActivityChart::Timeline, &run);
        for text in ["process 0", "process 1", "compute", "wall time", "worker"] {
            assert!(
                timeline.contains(&format!(">{text}<")) || timeline.contains(text),
                "{text}"
            );
        }
        // A rectangle per task, at least.
        assert!(timeline.matches("<rect").count() >= 6);
        let cpu = svg(ActivityChart::Cpu, &run);
        assert!(cpu.contains("core 0") && cpu.contains("core 1") && cpu.contains("100 %"));
        let memory = svg(ActivityChart::Memory, &run);
        assert!(memory.contains("worker process 1") && memory.contains("total"));
        assert!(memory.contains("MiB"));
        for kind in ActivityChart::ALL {
            for dark in [false, true] {
                let style = PlotStyle {
                    width: 960,
                    height: 540,
                    dark,
                    text_px: None,
                };
                let png = render(kind, &run, &style, ImageFormat::Png).unwrap();
                assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
            }
        }
    }

    #[test]
    fn a_run_without_samples_still_draws() {
        let bare = record(Model::Threads, 2, 1.0);
        for kind in ActivityChart::ALL {
            let text = svg(kind, &bare);
            assert!(text.starts_with("<svg"));
            assert!(text.contains("no "), "{kind:?}");
        }
    }

    #[test]
    #[ignore = "writes preview images to $CORESCOPE_PLOT_PREVIEW for a look by eye"]
    fn preview() {
        // Asked for by name (it is ignored otherwise): a missing folder is
        // a mistake to say, not a pass.
        let dir = std::env::var_os("CORESCOPE_PLOT_PREVIEW")
            .map(std::path::PathBuf::from)
            .expect("set CORESCOPE_PLOT_PREVIEW to the folder for the preview images");
        for kind in ActivityChart::ALL {
            for dark in [false, true] {
                let style = PlotStyle {
                    dark,
                    text_px: None,
                    ..PlotStyle::default()
                };
                let theme = if dark { "dark" } else { "light" };
                let file = dir.join(format!("run-{}-{theme}.png", kind.file_stem()));
                write(kind, &run(), &style, &file).unwrap();
                assert!(std::fs::metadata(&file).unwrap().len() > 0, "{file:?}");
            }
        }
    }
}
