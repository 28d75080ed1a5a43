//! The CPU & memory view: one line per logical core, so the audience sees
//! one core busy under serial and gil-threads and every core busy under
//! threads and processes; the memory of each process over time; and the
//! memory of every run side by side, processes against threads.
//!
//! While an experiment runs, the view follows the live samples the engine
//! sends (about five a second; the window repaints at most every 250 ms);
//! afterwards it shows any run's stored samples.

use eframe::egui::{self, RichText};
use egui_plot::{
    Bar, BarChart, GridInput, GridMark, HLine, Line, LineStyle, Plot, PlotPoints, Span,
};

use super::command::Command;
use super::export::{ExportTarget, chart_menu_ui};
use super::widgets::{LABEL_STEP, chosen_run, placeholder_ui, run_picker_ui, state};
use super::{chart_view, theme};
use crate::activity::{self, TimeChart};
use crate::chart::layout::{LegendEntry, Stroke as LineStroke, Swatch, Weight};
use crate::chart::{self, LineKind};
use crate::export::activity::ActivityChart;
use crate::format;
use crate::results::{ResultSet, RunRecord};
use crate::session::LiveRun;
use crate::spec::Model;

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
                memory_by_run_ui(ui, set, half, bottom)
            });
        }
    });
}

/// Draws a chart over time with its title, legend and hover values;
/// a banded chart (CPU) draws each series in a row of its own.
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
        time_chart_header_ui(ui, chart, export, commands);
        // Rows name their cores on the axis; lines get a legend under the
        // plot, as in the file.
        let legend = time_legend(chart);
        let legend_height = if legend.is_empty() {
            0.0
        } else {
            chart_view::legend_height(ui, &legend, width)
        };
        let plot_height = (height - 30.0 - legend_height).max(100.0);
        time_plot(chart, width, plot_height).show(ui, |plot_ui| {
            time_series_ui(plot_ui, chart, dark);
        });
        if !legend.is_empty() {
            chart_view::legend_strip_ui(ui, &legend, width);
        }
    });
}

/// The chart's title, cut short rather than run under its Export menu.
fn time_chart_header_ui(
    ui: &mut egui::Ui,
    chart: &TimeChart,
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
                ui.add(
                    egui::Label::new(RichText::new(&chart.title).size(18.0).strong()).truncate(),
                );
            });
        });
    });
}

/// The legend of a chart of lines (a banded chart names its rows on the
/// axis instead).
fn time_legend(chart: &TimeChart) -> Vec<LegendEntry> {
    if chart.banded {
        Vec::new()
    } else {
        chart
            .series
            .iter()
            .map(|series| LegendEntry {
                name: series.name.clone(),
                swatch: Swatch::Line(LineStroke {
                    color: series.color,
                    line: LineKind::Solid,
                    weight: if series.emphasis {
                        Weight::Data
                    } else {
                        Weight::Thin
                    },
                    marker: None,
                }),
            })
            .collect()
    }
}

/// The plot's axes, formatters and ranges.
fn time_plot(chart: &TimeChart, width: f32, plot_height: f32) -> Plot<'_> {
    let unit = chart.unit;
    let hover_chart = chart.clone();
    let banded = chart.banded;
    let bands: Vec<(f64, String)> = (0..chart.series.len())
        .map(|i| (chart.band_base(i) + 0.5, chart.series[i].name.clone()))
        .collect();
    let band_marks: Vec<f64> = bands.iter().map(|(y, _)| *y).collect();
    let mut plot = Plot::new(("time-chart", chart.title.as_str()))
        .width(width)
        .height(plot_height)
        .x_axis_label(chart.x_label.as_str())
        .y_axis_label(chart.y_label.as_str())
        .include_y(0.0)
        .allow_scroll(false)
        .x_axis_formatter(|mark, _| signed_seconds(mark.value))
        .y_axis_formatter(move |mark, _| {
            if banded {
                bands
                    .iter()
                    .find(|(y, _)| (y - mark.value).abs() < 1e-9)
                    .map(|(_, name)| name.clone())
                    .unwrap_or_default()
            } else if mark.value < 0.0 {
                String::new()
            } else {
                chart::format_value(unit, mark.value)
            }
        })
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
                    signed_seconds(position.x),
                    chart::format_value(unit, value)
                ))
            }
            _ => None,
        });
    if banded {
        plot = plot
            .include_y(chart.bands_top())
            .allow_zoom([true, false])
            .allow_drag([true, false])
            .y_grid_spacer(move |_| {
                band_marks
                    .iter()
                    .map(|&value| GridMark {
                        value,
                        step_size: LABEL_STEP,
                    })
                    .collect()
            })
            .y_axis_min_width(70.0);
    } else {
        plot = plot.y_grid_spacer(bytes_grid);
        let top = chart
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.1))
            .fold(0.0, f64::max);
        plot = plot.include_y(top * 1.1);
    }
    if chart.is_empty() {
        plot = plot.include_x(0.0).include_x(1.0);
    }
    plot
}

/// The shaded repetition and every series (banded: one row each).
fn time_series_ui(plot_ui: &mut egui_plot::PlotUi<'_>, chart: &TimeChart, dark: bool) {
    if let Some((low, high)) = chart.highlight {
        // Unnamed: a span's name is drawn across the plot. The axis
        // title says what the shade is.
        plot_ui.span(
            Span::new("", low..=high)
                .fill(theme::color(activity::total_color(dark)).gamma_multiply(0.08))
                .border_style(LineStyle::dashed_loose()),
        );
    }
    for (i, series) in chart.series.iter().enumerate() {
        let color = theme::color(series.color);
        if chart.banded {
            let base = chart.band_base(i);
            let points: Vec<[f64; 2]> = series
                .points
                .iter()
                .map(|&(x, y)| [x, chart.band_y(i, y)])
                .collect();
            plot_ui.hline(
                HLine::new("", base + 1.0)
                    .color(color.gamma_multiply(0.5))
                    .width(1.0)
                    .style(LineStyle::dotted_dense())
                    .allow_hover(false),
            );
            plot_ui.line(
                Line::new(series.name.as_str(), PlotPoints::new(points))
                    .color(color)
                    .width(2.5)
                    .fill(base as f32)
                    .fill_alpha(0.35),
            );
        } else {
            let points: Vec<[f64; 2]> = series.points.iter().map(|&(x, y)| [x, y]).collect();
            plot_ui.line(
                Line::new(series.name.as_str(), PlotPoints::new(points))
                    .color(color)
                    .width(if series.emphasis { 3.5 } else { 2.5 }),
            );
        }
    }
}

/// Grid marks for bytes: powers of two, so ticks read 32 MiB, 64 MiB, …
fn bytes_grid(input: GridInput) -> Vec<GridMark> {
    let (low, high) = input.bounds;
    let span = (high - low).max(1.0);
    let step = (span / 5.0).log2().ceil().exp2().max(1.0);
    let first = (low / step).ceil().max(0.0) as u64;
    let last = (high / step).floor().max(0.0) as u64;
    (first..=last.min(first + 64))
        .map(|i| GridMark {
            value: i as f64 * step,
            step_size: step,
        })
        .collect()
}

/// Seconds with their sign: samples before the median repetition are
/// negative.
fn signed_seconds(x: f64) -> String {
    if x < 0.0 {
        format!("−{}", format::seconds(-x))
    } else {
        format::seconds(x)
    }
}

/// The memory of every run of the experiment, side by side: the corescope
/// process and its worker processes, stacked.
fn memory_by_run_ui(ui: &mut egui::Ui, set: &ResultSet, width: f32, height: f32) {
    let dark = ui.visuals().dark_mode;
    ui.vertical(|ui| {
        ui.label(
            RichText::new("Memory (RSS) by run — processes vs threads")
                .size(18.0)
                .strong(),
        );
        let runs = &set.runs;
        let count = runs.len();
        let y = |i: usize| (count - 1 - i) as f64;
        let parent_color = theme::model_color(Model::Serial, dark);
        let parent: Vec<Bar> = runs
            .iter()
            .enumerate()
            .map(|(i, r)| {
                Bar::new(y(i), r.memory.parent_rss_bytes as f64)
                    .width(0.6)
                    .fill(parent_color)
                    .name(memory_hover(r))
            })
            .collect();
        let workers: Vec<Bar> = runs
            .iter()
            .enumerate()
            .map(|(i, r)| {
                Bar::new(y(i), r.memory.worker_rss_bytes.iter().sum::<u64>() as f64)
                    .width(0.6)
                    .fill(theme::model_color(r.model, dark))
                    .name(memory_hover(r))
            })
            .collect();
        let parent = BarChart::new("corescope (all its threads)", parent)
            .horizontal()
            .color(parent_color)
            .element_formatter(Box::new(|bar, _| bar.name.clone()));
        let workers = BarChart::new("worker processes", workers)
            .horizontal()
            .color(theme::model_color(Model::Processes, dark))
            .element_formatter(Box::new(|bar, _| bar.name.clone()))
            .stack_on(&[&parent]);
        let labels: Vec<String> = runs.iter().map(RunRecord::label).collect();
        let legend = [
            LegendEntry {
                name: "corescope (all its threads)".to_string(),
                swatch: Swatch::Block(chart::model_color_on(Model::Serial, dark)),
            },
            LegendEntry {
                name: "worker processes (in the model's colour)".to_string(),
                swatch: Swatch::Block(chart::model_color_on(Model::Processes, dark)),
            },
        ];
        let legend_height = chart_view::legend_height(ui, &legend, width);
        let plot = Plot::new("memory-by-run")
            .width(width)
            .height((height - 30.0 - legend_height).max(100.0))
            .x_axis_label("resident memory after the median repetition")
            .x_grid_spacer(bytes_grid)
            .include_x(0.0)
            .include_x(
                runs.iter()
                    .map(|r| r.memory.total_rss_bytes as f64)
                    .fold(0.0, f64::max)
                    * 1.05,
            )
            .include_y(-0.5)
            .include_y(count as f64 - 0.5)
            .allow_scroll(false)
            .allow_zoom([true, false])
            .allow_drag([true, false])
            .show_grid([true, false])
            .y_axis_min_width(110.0)
            .x_axis_formatter(|mark, _| {
                if mark.value < 0.0 {
                    String::new()
                } else {
                    format::bytes(mark.value as u64)
                }
            })
            .label_formatter(|_| None);
        super::widgets::named_rows(plot, labels).show(ui, |plot_ui| {
            plot_ui.bar_chart(parent);
            plot_ui.bar_chart(workers);
        });
        chart_view::legend_strip_ui(ui, &legend, width);
    });
}

fn memory_hover(run: &RunRecord) -> String {
    let m = &run.memory;
    let mut text = format!(
        "{} · {}\ncorescope {}",
        run.label(),
        run.workload,
        format::bytes(m.parent_rss_bytes)
    );
    if !m.worker_rss_bytes.is_empty() {
        text.push_str(&format!(
            "\n{} worker processes {}",
            m.worker_rss_bytes.len(),
            format::bytes(m.worker_rss_bytes.iter().sum())
        ));
    }
    text.push_str(&format!("\ntotal {}", format::bytes(m.total_rss_bytes)));
    text
}
