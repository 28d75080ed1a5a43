//! The charts of the central area, drawn with egui_plot from the chart
//! model ([`crate::chart`]): wall time, speedup, efficiency and IPC bytes,
//! filled in as runs finish. Each model keeps its colour on every chart;
//! hovering a point shows its exact value.

use eframe::egui::{self, RichText};
use egui_plot::{
    Corner, HLine, HoverPosition, Legend, Line, LineStyle, MarkerShape, Plot, PlotPoints, Points,
    VLine,
};

use super::app::CorescopeApp;
use super::theme;
use crate::chart::{self, Chart, ChartKind, LineKind, REFERENCE_COLOR, Reference, XAxis};
use crate::format;
use crate::presets::{self, Preset};

/// One line on what the shown experiment ran: tasks, workloads, sizes,
/// payloads and schedules, each given once when it did not vary.
fn experiment_title(set: &crate::results::ResultSet) -> String {
    fn distinct<T: PartialEq + Copy>(values: impl Iterator<Item = T>) -> Vec<T> {
        let mut out = Vec::new();
        for v in values {
            if !out.contains(&v) {
                out.push(v);
            }
        }
        out
    }
    let Some(first) = set.runs.first() else {
        return String::new();
    };
    let workloads = distinct(set.runs.iter().map(|r| r.workload));
    let what = if workloads.len() == 1 {
        format!("{} × {} (size {})", first.tasks, first.workload, first.size)
    } else {
        let names: Vec<&str> = workloads.iter().map(|w| w.name()).collect();
        format!("{} tasks of {}", first.tasks, names.join(", "))
    };
    let payloads = distinct(set.runs.iter().map(|r| r.payload_bytes).filter(|&p| p > 0));
    let payload = match (payloads.iter().min(), payloads.iter().max()) {
        (Some(&low), Some(&high)) if low != high => {
            format!(
                " · payload {} … {}",
                format::bytes(low),
                format::bytes(high)
            )
        }
        (Some(&one), _) => format!(" · payload {}", format::bytes(one)),
        _ => String::new(),
    };
    let schedules: Vec<&str> = distinct(
        set.runs
            .iter()
            .filter(|r| r.model.uses_workers())
            .map(|r| r.schedule),
    )
    .iter()
    .map(|s| s.name())
    .collect();
    let schedule = if schedules.is_empty() {
        first.schedule.name().to_string()
    } else {
        schedules.join(" vs ")
    };
    format!(
        "{what}{payload} · {schedule} schedule · median of {}",
        first.repeats
    )
}

/// Where a chart's legend covers the least data: curves of wall time fall
/// to the right, speedup rises to the right, efficiency falls from 100 %.
fn legend_corner(kind: ChartKind) -> Corner {
    match kind {
        ChartKind::WallTime => Corner::RightTop,
        ChartKind::Speedup | ChartKind::IpcBytes => Corner::LeftTop,
        ChartKind::Efficiency => Corner::LeftBottom,
    }
}

/// The four charts in a 2 × 2 grid filling the central area.
pub fn charts_ui(app: &CorescopeApp, ui: &mut egui::Ui) {
    let Some(set) = app.shown().filter(|s| !s.runs.is_empty()) else {
        ui.centered_and_justified(|ui| {
            let text = if app.is_running() {
                "The charts fill in as each run finishes…"
            } else {
                "Press ▶ Run: the charts fill in as each run finishes."
            };
            ui.label(RichText::new(text).size(22.0).weak());
        });
        return;
    };
    let title = experiment_title(set);
    if let Some(preset) = set
        .preset
        .as_deref()
        .and_then(|name| presets::find(name).ok())
    {
        lesson_ui(ui, &preset, set, app.is_running());
    }
    ui.label(RichText::new(title).strong());
    let gap = 14.0;
    let available = ui.available_size();
    let width = ((available.x - gap) / 2.0).max(200.0);
    let height = ((available.y - gap) / 2.0).max(150.0);
    // While a sweep runs, the x axis already spans every planned worker
    // count, so the charts do not rescale as each run lands.
    let planned = app
        .live
        .as_ref()
        .and_then(|live| {
            live.runs
                .iter()
                .map(|r| f64::from(r.workers))
                .reduce(f64::max)
        })
        .unwrap_or(0.0);
    let charts: Vec<Chart> = ChartKind::ALL
        .iter()
        .map(|&kind| {
            let mut chart = chart::build(kind, set);
            if chart.x_axis == XAxis::Workers {
                chart.x_max = chart.x_max.max(planned);
            }
            chart
        })
        .collect();
    egui::Grid::new("charts")
        .spacing([gap, gap])
        .show(ui, |ui| {
            for (i, chart) in charts.iter().enumerate() {
                ui.allocate_ui(egui::vec2(width, height), |ui| {
                    chart_ui(ui, chart, width, height)
                });
                if i % 2 == 1 {
                    ui.end_row();
                }
            }
        });
}

/// The lesson beside its charts: the claim, what to look at, and what
/// this machine measured.
fn lesson_ui(ui: &mut egui::Ui, preset: &Preset, set: &crate::results::ResultSet, running: bool) {
    // Kept to a few lines so the charts below stay large.
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(&preset.title).strong().size(18.0));
            ui.label("—");
            ui.label(&preset.claim);
        });
        ui.label(RichText::new(format!("Look at: {}", preset.look_at)).italics());
        let findings = presets::findings(set);
        if !findings.is_empty() {
            ui.horizontal_wrapped(|ui| {
                let heading = if running {
                    "So far on this machine:"
                } else {
                    "On this machine:"
                };
                ui.label(RichText::new(heading).strong());
                ui.label(findings.join("  ·  "));
            });
        }
    });
}

/// Draws one chart with its title, axis titles, legend and hover values.
pub fn chart_ui(ui: &mut egui::Ui, chart: &Chart, width: f32, height: f32) {
    let dark = ui.visuals().dark_mode;
    ui.vertical(|ui| {
        ui.label(RichText::new(&chart.title).heading());
        let plot_height =
            (height - ui.text_style_height(&egui::TextStyle::Heading) - 8.0).max(100.0);
        let unit = chart.unit;
        let x_end = chart.x_max + 0.5;
        let x_axis = chart.x_axis;
        let x_start = match x_axis {
            XAxis::Workers => 0.0,
            XAxis::PayloadBytes => chart.x_min - 0.5,
        };
        let mut plot = Plot::new(("chart", chart.title.as_str()))
            .width(width)
            .height(plot_height)
            .legend(
                Legend::default()
                    .position(legend_corner(chart.kind))
                    .text_style(egui::TextStyle::Small)
                    .background_alpha(0.8),
            )
            .x_axis_label(chart.x_label.as_str())
            .y_axis_label(chart.y_label.as_str())
            .include_x(x_start)
            .include_x(x_end)
            .include_y(0.0)
            .allow_scroll(false)
            .x_axis_formatter(move |mark, _| {
                if mark.value >= 0.0 && mark.value.fract() == 0.0 {
                    chart::format_x(x_axis, mark.value)
                } else {
                    String::new()
                }
            })
            .y_axis_formatter(move |mark, _| {
                if mark.value < 0.0 {
                    String::new()
                } else {
                    chart::format_value(unit, mark.value)
                }
            })
            .label_formatter(move |position| match position {
                HoverPosition::NearDataPoint {
                    plot_name,
                    position,
                    ..
                } if !plot_name.is_empty() => Some(format!(
                    "{plot_name}\n{}\n{}",
                    match x_axis {
                        XAxis::Workers => format!("{} workers", position.x),
                        XAxis::PayloadBytes =>
                            format!("{} payload", chart::format_x(x_axis, position.x)),
                    },
                    chart::format_value(unit, position.y)
                )),
                _ => None,
            });
        plot = match chart.kind {
            ChartKind::Speedup if x_axis == XAxis::Workers => plot.include_y(x_end),
            ChartKind::Speedup => plot.include_y(1.2),
            ChartKind::Efficiency => plot.include_y(110.0),
            _ => plot,
        };
        plot.show(ui, |plot_ui| {
            for reference in &chart.references {
                let color = theme::color(REFERENCE_COLOR);
                match reference {
                    Reference::Diagonal { name } => plot_ui.line(
                        Line::new(
                            name.as_str(),
                            PlotPoints::new(vec![[0.0, 0.0], [x_end, x_end]]),
                        )
                        .color(color)
                        .width(2.0)
                        .style(LineStyle::dashed_loose())
                        .allow_hover(false),
                    ),
                    Reference::Horizontal { name, y, model } => plot_ui.hline(
                        HLine::new(name.as_str(), *y)
                            .color(model.map_or(color, |m| theme::model_color(m, dark)))
                            .width(1.5)
                            .style(LineStyle::dashed_loose()),
                    ),
                    Reference::Vertical { name, x } => plot_ui.vline(
                        VLine::new(name.as_str(), *x)
                            .color(color)
                            .width(1.5)
                            .style(LineStyle::dotted_dense()),
                    ),
                }
            }
            for series in &chart.series {
                let color = theme::model_color(series.model, dark);
                let points: Vec<[f64; 2]> = series.points.iter().map(|p| [p.x, p.y]).collect();
                for p in &series.points {
                    if let Some((low, high)) = p.spread {
                        // A whisker from min to max, named like its series so
                        // the legend shows and hides both together.
                        plot_ui.line(
                            Line::new(
                                series.name.as_str(),
                                PlotPoints::new(vec![[p.x, low], [p.x, high]]),
                            )
                            .color(color)
                            .width(2.0)
                            .allow_hover(false),
                        );
                    }
                }
                let style = match series.line {
                    LineKind::Solid => LineStyle::Solid,
                    LineKind::Dashed => LineStyle::dashed_dense(),
                    LineKind::Dotted => LineStyle::dotted_dense(),
                };
                plot_ui.line(
                    Line::new(series.name.as_str(), PlotPoints::new(points.clone()))
                        .color(color)
                        .width(3.0)
                        .style(style),
                );
                plot_ui.points(
                    Points::new(series.name.as_str(), PlotPoints::new(points))
                        .color(color)
                        .radius(5.0)
                        .shape(if series.line != LineKind::Solid {
                            MarkerShape::Square
                        } else {
                            MarkerShape::Circle
                        })
                        .filled(true),
                );
            }
        });
    });
}
