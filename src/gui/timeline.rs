//! The Timeline view: one lane per worker (thread or process), one bar per
//! task of the median repetition, coloured by phase, with gil-threads' lock
//! holds as a thin strip above each lane. Hover a bar for its worker, task,
//! start, end and duration; drag to pan, scroll or pinch to zoom the time
//! axis, double-click to reset. Its **Export** menu saves the timeline as
//! an image, or the run as Chrome trace-event JSON for Perfetto UI.

use std::sync::Arc;

use eframe::egui::{self, RichText, Stroke};
use egui_plot::{AxisHints, Bar, BarChart, GridInput, GridMark, Plot, VLine};

use super::command::Command;
use super::export::{ExportTarget, chart_menu_ui};
use super::widgets::{self, chosen_run, placeholder_ui, run_picker_ui};
use super::{chart_view, theme};
use crate::activity::{self, DrawnBar, Mark, Timeline};
use crate::chart;
use crate::chart::activity::lane_y;
use crate::chart::activity::{ActivityLayout, HAIRLINE_MIN_PIXELS, HOLD_STRIP, TASK_BAR};
use crate::chart::layout::Fit;
use crate::export::activity::ActivityChart;
use crate::format;
use crate::results::{ResultSet, RunRecord};

/// The view: a run picker, the Export menu and the timeline.
pub fn timeline_ui(
    ui: &mut egui::Ui,
    shown: Option<&ResultSet>,
    running: bool,
    commands: &mut Vec<Command>,
) {
    let Some(set) = shown.filter(|s| !s.runs.is_empty()) else {
        placeholder_ui(
            ui,
            if running {
                "The timeline of each run appears when it finishes…"
            } else {
                "Press ▶ Run: each run's timeline shows here."
            },
        );
        return;
    };
    let mut chosen = None;
    ui.horizontal(|ui| {
        chosen = run_picker_ui(ui, set);
        if let Some(index) = chosen {
            chart_menu_ui(
                ui,
                ExportTarget::Run(ActivityChart::Timeline, index),
                commands,
            );
        }
    });
    let Some((_, run)) = chosen_run(set, &widgets::state(ui.ctx())) else {
        return;
    };
    let timeline = cached_timeline(ui.ctx(), run);
    if timeline.bars.is_empty() {
        placeholder_ui(ui, "This run kept no task spans.");
        return;
    }
    ui.label(RichText::new(&timeline.title).strong());
    timeline_plot_ui(ui, &timeline);
}

/// Which run a cached timeline was built from: its place in memory, its
/// span count and its wall time (as the scaling charts' cache keys them).
type TimelineKey = (usize, usize, u64);

/// The timeline of `run`, built once while it is shown: building sorts
/// every span of every lane, which for a run of a million tasks would
/// take most of each frame.
fn cached_timeline(ctx: &egui::Context, run: &RunRecord) -> Arc<Timeline> {
    let key: TimelineKey = (
        std::ptr::from_ref(run) as usize,
        run.spans.len(),
        run.wall_seconds.median.to_bits(),
    );
    let id = egui::Id::unique("timeline-cache");
    let cached = ctx.data(|d| d.get_temp::<(TimelineKey, Arc<Timeline>)>(id));
    if let Some((_, timeline)) = cached.filter(|(k, _)| *k == key) {
        return timeline;
    }
    let timeline = Arc::new(activity::timeline(run));
    ctx.data_mut(|d| d.insert_temp(id, (key, Arc::clone(&timeline))));
    timeline
}

fn bar_chart(
    timeline: &Timeline,
    layout: &ActivityLayout,
    mark: Mark,
    bars: &[DrawnBar],
    resolution: f64,
) -> BarChart {
    let color = theme::color(layout.mark_color(mark));
    let (low, high) = if mark == Mark::GilHeld {
        HOLD_STRIP
    } else {
        TASK_BAR
    };
    // A hairline in the background's colour keeps back-to-back tasks
    // apart, on bars wide enough to keep their colour around it.
    let gap = theme::color(chart::theme::background(layout.dark));
    let lanes = timeline.lanes.len();
    let elements = bars
        .iter()
        .map(|drawn| {
            let b = &drawn.bar;
            let apart = mark != Mark::GilHeld
                && drawn.joined == 1
                && b.duration() >= HAIRLINE_MIN_PIXELS * resolution;
            Bar::new(lane_y(lanes, b.lane) + (low + high) / 2.0, b.duration())
                .base_offset(b.start)
                .width(high - low)
                .fill(color)
                .stroke(Stroke::new(if apart { 1.0 } else { 0.0 }, gap))
                .name(drawn.describe(timeline))
        })
        .collect();
    BarChart::new(mark.label(), elements)
        .horizontal()
        .color(color)
        .element_formatter(Box::new(|bar, _| bar.name.clone()))
}

/// The Gantt chart itself, as its layout says; time zooms and pans, with
/// ticks chosen again (in the same unit) for the part in view.
fn timeline_plot_ui(ui: &mut egui::Ui, timeline: &Timeline) {
    let dark = ui.visuals().dark_mode;
    let width = ui.available_width();
    let fit =
        |height: f32| chart_view::window_fit(width, height, 90.0, chart_view::text_sizes(ui.ctx()));
    let legend = ActivityLayout::timeline(timeline, dark, fit(ui.available_height())).legend;
    let height = (ui.available_height() - chart_view::legend_height(ui, &legend, width)).max(160.0);
    let layout = ActivityLayout::timeline(timeline, dark, fit(height));
    let plot = Plot::new(("timeline", timeline.title.as_str()))
        .width(width)
        .height(height)
        .custom_x_axes(vec![zoomable_time_axis(&layout, fit(height))])
        .custom_y_axes(vec![chart_view::axis_hints(
            &layout.y,
            false,
            chart_view::text_sizes(ui.ctx()),
        )])
        .default_x_bounds(layout.x.min, layout.x.max)
        .default_y_bounds(layout.y.min, layout.y.max)
        .allow_zoom([true, false])
        .allow_drag([true, false])
        .allow_scroll([true, false])
        .allow_boxed_zoom(false)
        .show_grid([true, false])
        .x_grid_spacer(time_grid(&layout, fit(height)))
        .y_grid_spacer({
            let marks = chart_view::grid_marks(&layout.y.ticks);
            move |_| marks.clone()
        })
        .label_formatter(|_| None);
    let response = plot.show(ui, |plot_ui| {
        // Seconds to a pixel at the zoom in view: tasks shorter than that
        // are drawn as stretches.
        let resolution = 1.0
            / plot_ui
                .transform()
                .dpos_dvalue_x()
                .abs()
                .max(f64::MIN_POSITIVE);
        for mark in timeline.marks() {
            let source = if mark == Mark::GilHeld {
                &timeline.holds
            } else {
                &timeline.bars
            };
            let drawn = activity::drawn_bars(source, mark, resolution);
            plot_ui.bar_chart(bar_chart(timeline, &layout, mark, &drawn, resolution));
        }
        if let Some((wall, stroke)) = layout.wall {
            plot_ui.vline(
                VLine::new(format!("wall time ({})", format::seconds(wall)), wall)
                    .color(theme::color(stroke.color))
                    .width(chart_view::line_width(stroke.weight))
                    .style(chart_view::line_style(stroke.line)),
            );
        }
    });
    chart_view::remember_axes(
        ui,
        &layout.title,
        (&layout.x, &layout.y),
        layout.legend_described(),
        &response.transform,
    );
    chart_view::legend_strip_ui(ui, &layout.legend, width);
}

/// A time axis whose ticks follow zoom: the layout's ticks for the part
/// of the axis in view, in the layout's unit.
pub(super) fn zoomable_time_axis(layout: &ActivityLayout, fit: Fit) -> AxisHints<'static> {
    let layout = layout.clone();
    chart_view::axis_hints(&layout.x, true, crate::chart::theme::WINDOW_TEXT).formatter(
        move |mark, range| {
            let ticks = layout.time_ticks_within(*range.start(), *range.end(), fit);
            chart_view::tick_label(&ticks, mark.value)
        },
    )
}

/// Grid marks at the layout's time ticks for the part of the axis in view.
pub(super) fn time_grid(
    layout: &ActivityLayout,
    fit: Fit,
) -> impl Fn(GridInput) -> Vec<GridMark> + 'static {
    let layout = layout.clone();
    move |input| {
        let (low, high) = input.bounds;
        chart_view::grid_marks(&layout.time_ticks_within(low, high, fit))
    }
}
