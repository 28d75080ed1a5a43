//! A run's activity charts as image files: the timeline (Gantt) of its
//! median repetition, per-core CPU usage and memory over time, drawn from
//! [`crate::activity`] with the same renderer, font and sizes as the
//! scaling charts ([`super::plot`]).

use std::path::Path;

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::ExportError;
use super::plot::{
    Axis, Drawing, Drawn, ImageFormat, Label, LegendEntry, Palette, Plot, PlotStyle, Sizes, Stroke,
    draw_line, draw_sample, render_drawing, render_rgb_drawing, rgb, text_style, time_ticks,
    widest, write_drawing, y_ticks,
};
use crate::activity::{self, Mark, TimeChart, Timeline};
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
        match self {
            Figure::Timeline(timeline) => draw_timeline(root, timeline, style),
            Figure::Time(chart) => draw_time_chart(root, chart, style),
        }
    }
}

/// The parts every activity chart shares: title, legend column, axes.
struct Frame<'a> {
    title: &'a str,
    x: (f64, f64),
    y: Axis,
    x_label: &'a str,
    y_label: &'a str,
    /// Names written left of the plot at these y values (timeline lanes).
    y_names: Vec<(f64, String)>,
    legend: Vec<LegendEntry>,
    /// Shown instead of data when there is none.
    empty: Option<&'a str>,
}

/// Draws the frame and returns the plot to draw the data on.
fn draw_frame<'a, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, Shift>,
    frame: Frame<'_>,
    style: &PlotStyle,
) -> Result<Plot<'a, DB>, DrawingAreaErrorKind<DB::ErrorType>> {
    let sizes = Sizes::new(style);
    let palette = Palette::new(style.dark);
    let fg = palette.foreground;
    root.fill(&palette.background)?;
    let title_font = text_style(sizes.font(44.0), fg);
    let desc_font = text_style(sizes.font(32.0), fg);
    let tick_font = text_style(sizes.font(26.0), fg);
    let margin = sizes.px(28.0);
    let tick_size = sizes.px(10.0);
    let gap = sizes.px(14.0);

    let (_, title_height) = root.estimate_text_size(frame.title, &title_font)?;
    let title_height = i32::try_from(title_height).unwrap_or(0);
    root.draw_text(
        frame.title,
        &title_font.pos(Pos::new(HPos::Center, VPos::Top)),
        (i32::try_from(style.width / 2).unwrap_or(0), margin),
    )?;

    // The legend: a column right of the plot, as many rows as fit.
    let sample = sizes.px(56.0);
    let (_, text_height) = root.estimate_text_size("Ag", &tick_font)?;
    let row = (i32::try_from(text_height).unwrap_or(0) * 3 / 2).max(sizes.px(30.0));
    let legend_width = if frame.legend.is_empty() {
        0
    } else {
        sample
            + gap
            + widest(
                root,
                frame.legend.iter().map(|e| e.name.clone()),
                &tick_font,
            )?
    };
    let top = margin * 2 + title_height;
    let body = root.margin(
        u32::try_from(top).unwrap_or(0),
        u32::try_from(margin).unwrap_or(0),
        u32::try_from(margin).unwrap_or(0),
        u32::try_from(margin + legend_width + if legend_width > 0 { gap * 2 } else { 0 })
            .unwrap_or(0),
    );

    let y_texts: Vec<String> = if frame.y_names.is_empty() {
        frame.y.ticks.iter().map(|v| frame.y.format(*v)).collect()
    } else {
        frame.y_names.iter().map(|(_, n)| n.clone()).collect()
    };
    let y_label_width = widest(root, y_texts, &tick_font)?;
    let (_, desc_height) = root.estimate_text_size("Ag", &desc_font)?;
    let (_, tick_height) = root.estimate_text_size("0", &tick_font)?;
    let desc_height = i32::try_from(desc_height).unwrap_or(0);
    let tick_height = i32::try_from(tick_height).unwrap_or(0);
    let y_area = y_label_width + 2 * tick_size + gap + desc_height + gap;
    let x_area = tick_height + 2 * tick_size + gap + desc_height;
    let x_axis = Axis {
        range: frame.x,
        ticks: time_ticks(frame.x.0, frame.x.1),
        label: Label::Seconds,
    };
    let x_label_width = widest(
        root,
        x_axis.ticks.iter().map(|v| x_axis.format(*v)),
        &tick_font,
    )?;
    let mut plot = ChartBuilder::on(&body)
        .margin_right(x_label_width / 2)
        .x_label_area_size(x_area)
        .y_label_area_size(y_area)
        .build_cartesian_2d(x_axis, frame.y)?;
    plot.configure_mesh()
        .x_desc(frame.x_label)
        .y_desc(frame.y_label)
        .label_style(tick_font.clone())
        .axis_desc_style(desc_font)
        .bold_line_style(fg.mix(0.14).stroke_width(sizes.px(1.5) as u32))
        .light_line_style(TRANSPARENT)
        .axis_style(fg.stroke_width(sizes.px(2.0) as u32))
        .set_all_tick_mark_size(tick_size)
        .draw()?;
    let (plot_x, plot_y) = plot.plotting_area().get_pixel_range();
    let right_aligned = tick_font.pos(Pos::new(HPos::Right, VPos::Center));
    for (y, name) in &frame.y_names {
        let (_, py) = plot.backend_coord(&(frame.x.0, *y));
        root.draw_text(
            name,
            &right_aligned,
            (plot_x.start - tick_size - gap / 2, py),
        )?;
    }
    if let Some(text) = frame.empty {
        root.draw_text(
            text,
            &text_style(sizes.font(36.0), fg).pos(Pos::new(HPos::Center, VPos::Center)),
            (
                (plot_x.start + plot_x.end) / 2,
                (plot_y.start + plot_y.end) / 2,
            ),
        )?;
    }
    // The legend, top-aligned with the plot.
    let left = plot_x.end + x_label_width / 2 + gap * 2;
    let fits = usize::try_from(((plot_y.end - plot_y.start) / row).max(1)).unwrap_or(1);
    let label = tick_font.pos(Pos::new(HPos::Left, VPos::Center));
    let shown = frame.legend.len().min(fits);
    for (i, entry) in frame.legend.iter().take(shown).enumerate() {
        let y = plot_y.start + row * i32::try_from(i).unwrap_or(0) + row / 2;
        let last_of_many = i + 1 == shown && shown < frame.legend.len();
        if last_of_many {
            let more = format!("… {} more", frame.legend.len() - shown + 1);
            root.draw_text(&more, &label, (left, y))?;
        } else {
            draw_sample(root, (left, left + sample, y), entry)?;
            root.draw_text(&entry.name, &label, (left + sample + gap, y))?;
        }
    }
    Ok(plot)
}

fn draw_timeline<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    timeline: &Timeline,
    style: &PlotStyle,
) -> Drawn<DB> {
    let sizes = Sizes::new(style);
    let palette = Palette::new(style.dark);
    let lanes = timeline.lanes.len().max(1);
    let lane_y = |lane: u32| (lanes - 1) as f64 - f64::from(lane);
    let end = timeline.end();
    let x = (0.0, if end > 0.0 { end * 1.02 } else { 1.0 });
    let swatch = |name: &str, color: RGBColor, width: f64, stroke: Stroke| LegendEntry {
        name: name.to_string(),
        color,
        width: sizes.px(width),
        stroke,
    };
    let mut legend: Vec<LegendEntry> = timeline
        .marks()
        .into_iter()
        .map(|mark| {
            let color = rgb(mark.color(timeline.model, style.dark));
            let width = if mark == Mark::GilHeld { 8.0 } else { 22.0 };
            swatch(mark.label(), color, width, Stroke::Solid)
        })
        .collect();
    let wall_stroke = Stroke::Dashed {
        dash: sizes.px(14.0),
        gap: sizes.px(10.0),
    };
    if timeline.wall_seconds.is_some() {
        legend.push(swatch("wall time", palette.foreground, 3.0, wall_stroke));
    }
    let frame = Frame {
        title: &timeline.title,
        x,
        y: Axis {
            range: (-0.5, lanes as f64 - 0.5),
            ticks: Vec::new(),
            label: Label::Blank,
        },
        x_label: activity::RUN_TIME_LABEL,
        y_label: "worker",
        y_names: timeline
            .lanes
            .iter()
            .enumerate()
            .map(|(i, name)| (lane_y(u32::try_from(i).unwrap_or(0)), name.clone()))
            .collect(),
        legend,
        empty: timeline.bars.is_empty().then_some("no task spans"),
    };
    let mut plot = draw_frame(root, frame, style)?;
    // Bars fill most of their lane; a hairline in the background colour
    // keeps back-to-back tasks apart.
    let outline = palette
        .background
        .stroke_width(u32::try_from(sizes.px(1.5)).unwrap_or(1));
    let bars = timeline.bars.iter().map(|bar| {
        let y = lane_y(bar.lane);
        (bar, (y - 0.34, y + 0.30))
    });
    let holds = timeline.holds.iter().map(|hold| {
        let y = lane_y(hold.lane);
        (hold, (y + 0.33, y + 0.44))
    });
    for (bar, (low, high)) in bars.chain(holds) {
        let color = rgb(bar.mark.color(timeline.model, style.dark));
        let corners = [(bar.start, low), (bar.end, high)];
        plot.draw_series(std::iter::once(Rectangle::new(corners, color.filled())))?;
        if bar.mark != Mark::GilHeld {
            plot.draw_series(std::iter::once(Rectangle::new(corners, outline)))?;
        }
    }
    if let Some(wall) = timeline.wall_seconds {
        let top = lanes as f64 - 0.5;
        plot.draw_series(std::iter::once(DashedPathElement::new(
            vec![(wall, -0.5), (wall, top)],
            sizes.px(14.0),
            sizes.px(10.0),
            palette
                .foreground
                .stroke_width(u32::try_from(sizes.px(3.0)).unwrap_or(1)),
        )))?;
    }
    Ok(())
}

fn draw_time_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &TimeChart,
    style: &PlotStyle,
) -> Drawn<DB> {
    let sizes = Sizes::new(style);
    let palette = Palette::new(style.dark);
    let points = chart.series.iter().flat_map(|s| s.points.iter());
    let (mut start, mut end, mut top) = (f64::INFINITY, f64::NEG_INFINITY, 0.0_f64);
    for &(t, v) in points {
        start = start.min(t);
        end = end.max(t);
        top = top.max(v);
    }
    if let Some((low, high)) = chart.highlight {
        start = start.min(low);
        end = end.max(high);
    }
    if !(start.is_finite() && end.is_finite() && end > start) {
        (start, end) = (0.0, 1.0);
    }
    let top = chart
        .y_max
        .unwrap_or(if top > 0.0 { top * 1.08 } else { 1.0 });
    let width = |s: &activity::TimeSeries| sizes.px(if s.emphasis { 6.0 } else { 4.0 });
    let mut legend: Vec<LegendEntry> = chart
        .series
        .iter()
        .map(|s| LegendEntry {
            name: s.name.clone(),
            color: rgb(s.color),
            width: width(s),
            stroke: Stroke::Solid,
        })
        .collect();
    let shade = palette.foreground.mix(0.08);
    if chart.highlight.is_some() {
        legend.push(LegendEntry {
            name: "median repetition".to_string(),
            color: palette.foreground,
            width: sizes.px(3.0),
            stroke: Stroke::Dashed {
                dash: sizes.px(10.0),
                gap: sizes.px(8.0),
            },
        });
    }
    let (y, y_names) = if chart.banded {
        // One row per series (core), each 0 to y_max, named on the axis.
        legend.retain(|e| !chart.series.iter().any(|s| s.name == e.name));
        let names = (0..chart.series.len())
            .map(|i| (chart.band_base(i) + 0.5, chart.series[i].name.clone()))
            .collect();
        let axis = Axis {
            range: (0.0, chart.bands_top() + 0.05),
            ticks: Vec::new(),
            label: Label::Blank,
        };
        (axis, names)
    } else {
        let axis = Axis {
            range: (0.0, top * 1.02),
            ticks: y_ticks(chart.unit, top),
            label: Label::Y(chart.unit),
        };
        (axis, Vec::new())
    };
    let y_top = y.range.1;
    let frame = Frame {
        title: &chart.title,
        x: (start, end),
        y,
        x_label: &chart.x_label,
        y_label: &chart.y_label,
        y_names,
        legend,
        empty: chart
            .is_empty()
            .then_some("no samples (the run was shorter than one 200 ms interval)"),
    };
    let mut plot = draw_frame(root, frame, style)?;
    if let Some((low, high)) = chart.highlight {
        plot.draw_series(std::iter::once(Rectangle::new(
            [(low, 0.0), (high, y_top)],
            shade.filled(),
        )))?;
        for x in [low, high] {
            plot.draw_series(std::iter::once(DashedPathElement::new(
                vec![(x, 0.0), (x, y_top)],
                sizes.px(10.0),
                sizes.px(8.0),
                palette
                    .foreground
                    .stroke_width(u32::try_from(sizes.px(2.0)).unwrap_or(1)),
            )))?;
        }
    }
    for (i, series) in chart.series.iter().enumerate() {
        let color = rgb(series.color);
        if chart.banded {
            let base = chart.band_base(i);
            let points: Vec<(f64, f64)> = series
                .points
                .iter()
                .map(|&(t, v)| (t, chart.band_y(i, v)))
                .collect();
            if let (Some(first), Some(last)) = (points.first(), points.last()) {
                let mut area = vec![(first.0, base)];
                area.extend(points.iter().copied());
                area.push((last.0, base));
                plot.draw_series(std::iter::once(Polygon::new(
                    area,
                    color.mix(0.35).filled(),
                )))?;
            }
            draw_line(
                &mut plot,
                vec![(start, base + 1.0), (end, base + 1.0)],
                color,
                sizes.px(1.5),
                Stroke::Dashed {
                    dash: sizes.px(6.0),
                    gap: sizes.px(6.0),
                },
            )?;
            draw_line(&mut plot, points, color, width(series), Stroke::Solid)?;
        } else {
            draw_line(
                &mut plot,
                series.points.clone(),
                color,
                width(series),
                Stroke::Solid,
            )?;
        }
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
                start_seconds: f64::from(task / 2) * 0.3,
                end_seconds: f64::from(task / 2) * 0.3 + 0.28,
                ipc: None,
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
        let Some(dir) = std::env::var_os("CORESCOPE_PLOT_PREVIEW") else {
            return;
        };
        let dir = std::path::PathBuf::from(dir);
        for kind in ActivityChart::ALL {
            for dark in [false, true] {
                let style = PlotStyle {
                    dark,
                    ..PlotStyle::default()
                };
                let theme = if dark { "dark" } else { "light" };
                let file = format!("run-{}-{theme}.png", kind.file_stem());
                write(kind, &run(), &style, &dir.join(file)).unwrap();
            }
        }
    }
}
