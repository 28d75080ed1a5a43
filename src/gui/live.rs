//! The CPU & memory view: one line per logical core, so the audience sees
//! one core busy under serial and gil-threads and every core busy under
//! threads and processes; the memory of each process over time; and the
//! memory of every run side by side, processes against threads (a chart
//! of the chart model, so it exports like the scaling charts).
//!
//! While an experiment runs, the view follows the live samples the engine
//! sends (about five a second; the window repaints at most every 250 ms);
//! afterwards it shows any run's stored samples.

use eframe::egui::{self, RichText};
use egui_plot::{HLine, Line, Plot, PlotPoints, Span};

use super::command::Command;
use super::export::{ExportTarget, chart_menu_ui};
use super::widgets::{chosen_run, placeholder_ui, run_picker_ui, state};
use super::{chart_view, theme, timeline};
use crate::activity::{self, TimeChart};
use crate::chart::activity::ActivityLayout;
use crate::chart::layout::Fit;
use crate::chart::{self, ChartKind};
use crate::export::activity::ActivityChart;
use crate::results::{ResultSet, RunRecord};
use crate::session::LiveRun;

/// The view: the live samples of the run in progress, else a stored
/// run's of the shown experiment.
pub fn cpu_memory_ui(
    ui: &mut egui::Ui,
    live: Option<&LiveRun>,
    shown: Option<&ResultSet>,
    commands: &mut Vec<Command>,
) {
    let dark = ui.visuals().dark_mode;
    let running = live.is_some();
    let sampled = live
        .map(|live| &live.progress)
        .filter(|progress| progress.samples.index.is_some());
    // A stored run's charts can be exported; the live ones are not done.
    let mut stored = None;
    let (cpu, memory) = if let Some(live) = sampled {
        let title = live
            .samples
            .index
            .and_then(|i| live.runs.get(i).map(|spec| (i, spec)))
            .map(|(i, spec)| {
                let run = RunRecord::from_spec(spec);
                format!(
                    "run {} of {}: {}",
                    i + 1,
                    live.runs.len(),
                    activity::run_title(&run)
                )
            })
            .unwrap_or_default();
        ui.label(RichText::new(format!("LIVE · {title}")).strong());
        (
            activity::cpu_chart(&live.samples.cpu, "live", dark),
            activity::memory_chart(&live.samples.memory, "live", dark),
        )
    } else {
        let Some(set) = shown.filter(|s| !s.runs.is_empty()) else {
            placeholder_ui(
                ui,
                if running {
                    "The cores show here within a fraction of a second…"
                } else {
                    "Press ▶ Run: every core's load shows here, live."
                },
            );
            return;
        };
        ui.horizontal(|ui| run_picker_ui(ui, set));
        let Some((index, run)) = chosen_run(set, &state(ui.ctx())) else {
            return;
        };
        stored = Some(index);
        (
            activity::run_cpu_chart(run, dark),
            activity::run_memory_chart(run, dark),
        )
    };
    let gap = 14.0;
    let available = ui.available_size();
    let top = ((available.y - gap) * 0.55).max(150.0);
    let bottom = (available.y - gap - top).max(140.0);
    let half = ((available.x - gap) / 2.0).max(200.0);
    let export = |kind| stored.map(|index| ExportTarget::Run(kind, index));
    time_chart_ui(
        ui,
        &cpu,
        available.x,
        top,
        export(ActivityChart::Cpu),
        commands,
    );
    ui.add_space(gap / 2.0);
    ui.horizontal(|ui| {
        ui.allocate_ui(egui::vec2(half, bottom), |ui| {
            time_chart_ui(
                ui,
                &memory,
                half,
                bottom,
                export(ActivityChart::Memory),
                commands,
            )
        });
        ui.add_space(gap);
        if let Some(set) = shown {
            ui.allocate_ui(egui::vec2(half, bottom), |ui| {
                memory_by_run_ui(ui, set, (half, bottom), commands)
            });
        }
    });
}

/// Draws a chart over time with its title, legend and hover values, as
/// its layout says; a banded chart (CPU) draws each series in a row of its
/// own, named on the axis.
fn time_chart_ui(
    ui: &mut egui::Ui,
    chart: &TimeChart,
    width: f32,
    height: f32,
    export: Option<ExportTarget>,
    commands: &mut Vec<Command>,
) {
    let dark = ui.visuals().dark_mode;
    ui.vertical(|ui| {
        chart_header_ui(ui, &chart.title, export, commands);
        let fit = |h: f32| chart_view::window_fit(width, h, 90.0, chart_view::text_sizes(ui.ctx()));
        let legend = ActivityLayout::time_chart(chart, dark, fit(height)).legend;
        let legend_height = if legend.is_empty() {
            0.0
        } else {
            chart_view::legend_height(ui, &legend, width)
        };
        let plot_height = (height - 30.0 - legend_height).max(100.0);
        let layout = ActivityLayout::time_chart(chart, dark, fit(plot_height));
        let response = time_plot(chart, &layout, (width, plot_height), fit(plot_height))
            .show(ui, |plot_ui| time_series_ui(plot_ui, chart, &layout));
        chart_view::remember_axes(
            ui,
            &layout.title,
            (&layout.x, &layout.y),
            layout.legend_described(),
            &response.transform,
        );
        if !layout.legend.is_empty() {
            chart_view::legend_strip_ui(ui, &layout.legend, width);
        }
    });
}

/// A chart's title, cut short rather than run under its Export menu.
fn chart_header_ui(
    ui: &mut egui::Ui,
    title: &str,
    export: Option<ExportTarget>,
    commands: &mut Vec<Command>,
) {
    ui.horizontal(|ui| {
        // The menu first, from the right; the title takes what is left
        // and is cut short rather than run under it.
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if let Some(target) = export {
                chart_menu_ui(ui, target, commands);
            }
            ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
                ui.add(egui::Label::new(RichText::new(title).size(18.0).strong()).truncate());
            });
        });
    });
}

/// The plot's axes (the layout's; time zooms, values stay), ranges and
/// hover text.
fn time_plot<'a>(
    chart: &TimeChart,
    layout: &ActivityLayout,
    (width, height): (f32, f32),
    fit: Fit,
) -> Plot<'a> {
    let unit = chart.unit;
    let hover_chart = chart.clone();
    let y_marks = chart_view::grid_marks(&layout.y.ticks);
    Plot::new(("time-chart", chart.title.as_str()))
        .width(width)
        .height(height)
        .custom_x_axes(vec![timeline::zoomable_time_axis(layout, fit)])
        .custom_y_axes(vec![chart_view::axis_hints(
            &layout.y,
            false,
            crate::chart::theme::WINDOW_TEXT,
        )])
        .default_x_bounds(layout.x.min, layout.x.max)
        .default_y_bounds(layout.y.min, layout.y.max)
        .allow_scroll(false)
        .allow_zoom([true, false])
        .allow_drag([true, false])
        .allow_boxed_zoom(false)
        .show_grid([true, !chart.banded])
        .x_grid_spacer(timeline::time_grid(layout, fit))
        .y_grid_spacer(move |_| y_marks.clone())
        .label_formatter(move |position| match position {
            egui_plot::HoverPosition::NearDataPoint {
                plot_name,
                position,
                ..
            } if !plot_name.is_empty() => {
                let value = if hover_chart.banded {
                    hover_chart.band_at(position.y).map_or(0.0, |(_, v)| v)
                } else {
                    position.y
                };
                Some(format!(
                    "{plot_name}\n{}\n{}",
                    chart::activity::signed_seconds(position.x),
                    chart::format_value(unit, value)
                ))
            }
            _ => None,
        })
}

/// The shaded repetition and every series (banded: one row each), in the
/// layout's strokes.
fn time_series_ui(plot_ui: &mut egui_plot::PlotUi<'_>, chart: &TimeChart, layout: &ActivityLayout) {
    if let Some(((low, high), edge)) = layout.shade {
        // Unnamed: a span's name is drawn across the plot. The legend
        // says what the shade is.
        plot_ui.span(
            Span::new("", low..=high)
                .fill(theme::color(edge.color).gamma_multiply(0.08))
                .border_style(chart_view::line_style(edge.line)),
        );
    }
    for (i, (series, stroke)) in chart.series.iter().zip(&layout.series).enumerate() {
        let color = theme::color(stroke.color);
        let width = chart_view::line_width(stroke.weight);
        if chart.banded {
            if let Some((top, row)) = layout.row_tops.get(i) {
                plot_ui.hline(
                    HLine::new("", *top)
                        .color(theme::color(row.color).gamma_multiply(0.5))
                        .width(1.0)
                        .style(chart_view::line_style(row.line))
                        .allow_hover(false),
                );
            }
            let points: Vec<[f64; 2]> = series
                .points
                .iter()
                .map(|&(x, y)| [x, chart.band_y(i, y)])
                .collect();
            plot_ui.line(
                Line::new(series.name.as_str(), PlotPoints::new(points))
                    .color(color)
                    .width(width)
                    .fill(chart.band_base(i) as f32)
                    .fill_alpha(0.35),
            );
        } else {
            let points: Vec<[f64; 2]> = series.points.iter().map(|&(x, y)| [x, y]).collect();
            plot_ui.line(
                Line::new(series.name.as_str(), PlotPoints::new(points))
                    .color(color)
                    .width(width)
                    .style(chart_view::line_style(stroke.line)),
            );
        }
    }
}

/// The memory of every run of the experiment, side by side: a chart of the
/// chart model ([`ChartKind::MemoryByRun`]), drawn and exported as the
/// scaling charts are.
fn memory_by_run_ui(
    ui: &mut egui::Ui,
    set: &ResultSet,
    (width, height): (f32, f32),
    commands: &mut Vec<Command>,
) {
    let chart = chart::build(ChartKind::MemoryByRun, set);
    ui.vertical(|ui| {
        let export = Some(ExportTarget::Chart(ChartKind::MemoryByRun));
        chart_header_ui(ui, &chart.title, export, commands);
        chart_view::chart_plot_ui(ui, &chart, width, (height - 30.0).max(100.0));
    });
}
