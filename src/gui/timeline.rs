//! The Timeline view: one lane per worker (thread or process), one bar per
//! task of the median repetition, coloured by phase, with gil-threads' lock
//! holds as a thin strip above each lane. Hover a bar for its worker, task,
//! start, end and duration; drag to pan, scroll or pinch to zoom the time
//! axis, double-click to reset. Its **Export** menu saves the timeline as
//! an image, or the run as Chrome trace-event JSON for Perfetto UI.

use eframe::egui::{self, Color32, RichText, Stroke};
use egui_plot::{Bar, BarChart, LineStyle, Plot, VLine};

use super::command::Command;
use super::export::{ExportTarget, chart_menu_ui};
use super::widgets::{self, chosen_run, placeholder_ui, run_picker_ui};
use super::{chart_view, theme};
use crate::activity::{self, Mark, TaskBar, Timeline};
use crate::chart::LineKind;
use crate::chart::layout::{LegendEntry, Stroke as LineStroke, Swatch, Weight};
use crate::export::activity::ActivityChart;
use crate::results::ResultSet;

/// Bar thickness as a share of a lane; the GIL strip sits above the bar.
const BAR_HEIGHT: f64 = 0.62;
const HOLD_OFFSET: f64 = 0.38;
const HOLD_HEIGHT: f64 = 0.1;

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
    let timeline = activity::timeline(run);
    if timeline.bars.is_empty() {
        placeholder_ui(ui, "This run kept no task spans.");
        return;
    }
    ui.label(RichText::new(&timeline.title).strong());
    timeline_plot_ui(ui, &timeline);
}

/// Where a lane sits on the y axis: lane 0 on top.
fn lane_y(timeline: &Timeline, lane: u32) -> f64 {
    timeline.lanes.len().saturating_sub(1) as f64 - f64::from(lane)
}

fn bar_chart(timeline: &Timeline, mark: Mark, bars: &[TaskBar], dark: bool) -> BarChart {
    let color = theme::color(mark.color(timeline.model, dark));
    let (offset, height) = if mark == Mark::GilHeld {
        (HOLD_OFFSET, HOLD_HEIGHT)
    } else {
        (0.0, BAR_HEIGHT)
    };
    // A hairline in the background's colour keeps back-to-back tasks apart.
    let gap = if dark {
        Color32::from_gray(27)
    } else {
        Color32::WHITE
    };
    let elements = bars
        .iter()
        .filter(|b| b.mark == mark)
        .map(|b| {
            Bar::new(lane_y(timeline, b.lane) + offset, b.duration())
                .base_offset(b.start)
                .width(height)
                .fill(color)
                .stroke(Stroke::new(
                    if mark == Mark::GilHeld { 0.0 } else { 1.0 },
                    gap,
                ))
                .name(b.describe(timeline))
        })
        .collect();
    BarChart::new(mark.label(), elements)
        .horizontal()
        .color(color)
        .element_formatter(Box::new(|bar, _| bar.name.clone()))
}

/// The Gantt chart itself.
fn timeline_plot_ui(ui: &mut egui::Ui, timeline: &Timeline) {
    let dark = ui.visuals().dark_mode;
    let lanes = timeline.lanes.clone();
    let count = lanes.len();
    let end = timeline.end();
    let legend = timeline_legend(timeline, dark);
    let width = ui.available_width();
    let height = (ui.available_height() - chart_view::legend_height(ui, &legend, width)).max(160.0);
    let plot = Plot::new(("timeline", timeline.title.as_str()))
        .width(width)
        .height(height)
        .x_axis_label(activity::RUN_TIME_LABEL)
        .include_x(0.0)
        .include_x(end * 1.02)
        .include_y(-0.5)
        // Headroom above the top lane: a bar's hover text sits above it.
        .include_y(count as f64 + 0.4)
        // Time zooms and pans; the lanes stay put.
        .allow_zoom([true, false])
        .allow_drag([true, false])
        .allow_scroll([true, false])
        .allow_boxed_zoom(false)
        .show_grid([true, false])
        .y_axis_min_width(90.0)
        .x_axis_formatter(|mark, _| {
            if mark.value < 0.0 {
                String::new()
            } else {
                crate::format::seconds(mark.value)
            }
        })
        .label_formatter(|_| None);
    let plot = widgets::named_rows(plot, lanes);
    plot.show(ui, |plot_ui| {
        for mark in timeline.marks() {
            let source = if mark == Mark::GilHeld {
                &timeline.holds
            } else {
                &timeline.bars
            };
            plot_ui.bar_chart(bar_chart(timeline, mark, source, dark));
        }
        if let Some(wall) = timeline.wall_seconds {
            plot_ui.vline(
                VLine::new(
                    format!("wall time ({})", crate::format::seconds(wall)),
                    wall,
                )
                .color(ui_foreground(dark))
                .width(1.5)
                .style(LineStyle::dashed_loose()),
            );
        }
    });
    chart_view::legend_strip_ui(ui, &legend, width);
}

/// The timeline's legend, as the file's: a block per phase (and the lock),
/// the wall time's dashed line.
fn timeline_legend(timeline: &Timeline, dark: bool) -> Vec<LegendEntry> {
    let mut legend: Vec<LegendEntry> = timeline
        .marks()
        .into_iter()
        .map(|mark| LegendEntry {
            name: mark.label().to_string(),
            swatch: Swatch::Block(mark.color(timeline.model, dark)),
        })
        .collect();
    if let Some(wall) = timeline.wall_seconds {
        legend.push(LegendEntry {
            name: format!("wall time ({})", crate::format::seconds(wall)),
            swatch: Swatch::Line(LineStroke {
                color: activity::total_color(dark),
                line: LineKind::Dashed,
                weight: Weight::Thin,
                marker: None,
            }),
        });
    }
    legend
}

fn ui_foreground(dark: bool) -> Color32 {
    theme::color(activity::total_color(dark))
}
