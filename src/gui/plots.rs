//! The charts of the central area, drawn with egui_plot from the chart
//! model ([`crate::chart`]): wall time, speedup, efficiency and IPC bytes,
//! filled in as runs finish. Each model keeps its colour on every chart;
//! hovering a point shows its exact value.

use eframe::egui::{self, RichText};
use egui_plot::{
    Bar, BarChart, Corner, HLine, HoverPosition, Legend, Line, LineStyle, MarkerShape, Plot,
    PlotPoints, Points, VLine,
};

use super::command::Command;
use super::state::ChartSettings;
use super::{export, theme};
use crate::chart::{
    self, Chart, ChartKind, LineKind, REFERENCE_COLOR, Reference, XAxis, clip_below,
};
use crate::format;
use crate::presets::{self, Preset};
use crate::session::Session;

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
        ChartKind::WallTime | ChartKind::Overhead => Corner::RightTop,
        ChartKind::Speedup | ChartKind::IpcBytes => Corner::LeftTop,
        ChartKind::Efficiency => Corner::LeftBottom,
    }
}

/// The charts of the shown experiment: a 2 × 2 grid (the fourth cell shows
/// IPC bytes or the time breakdown), or one chart enlarged.
pub fn charts_ui(
    ui: &mut egui::Ui,
    session: &Session,
    settings: &mut ChartSettings,
    focused: Option<ChartKind>,
    commands: &mut Vec<Command>,
) {
    let Some(set) = session.shown().filter(|s| !s.runs.is_empty()) else {
        ui.centered_and_justified(|ui| {
            let text = if session.is_running() {
                "The charts fill in as each run finishes…"
            } else {
                "Press ▶ Run: the charts fill in as each run finishes.\n\
                 (Or open a saved result set from the File menu, or drop one here.)"
            };
            ui.label(RichText::new(text).size(22.0).weak());
        });
        return;
    };
    charts_header_ui(ui, session, set, &mut settings.predict_to, commands);
    // While a sweep runs, the x axis already spans every planned worker
    // count, so the charts do not rescale as each run lands.
    let planned = session
        .live
        .as_ref()
        .and_then(|live| {
            live.progress
                .runs
                .iter()
                .map(|r| f64::from(r.workers))
                .reduce(f64::max)
        })
        .unwrap_or(0.0);
    let options = settings.options();
    let chart_of = |kind: ChartKind| {
        session.chart(kind, &options).map(|mut chart| {
            if chart.x_axis == XAxis::Workers {
                chart.x_max = chart.x_max.max(planned);
            }
            chart
        })
    };
    if let Some(kind) = focused {
        let available = ui.available_size();
        if let Some(chart) = chart_of(kind) {
            chart_ui(
                ui,
                &chart,
                available.x,
                available.y,
                ChartFrame::Focused,
                commands,
            );
        }
        return;
    }
    let gap = 14.0;
    let available = ui.available_size();
    let width = ((available.x - gap) / 2.0).max(200.0);
    let height = ((available.y - gap) / 2.0).max(150.0);
    let fourth = settings.fourth;
    let kinds = [
        ChartKind::WallTime,
        ChartKind::Speedup,
        ChartKind::Efficiency,
        fourth,
    ];
    let mut fourth_choice = fourth;
    egui::Grid::new("charts")
        .spacing([gap, gap])
        .show(ui, |ui| {
            for (i, kind) in kinds.into_iter().enumerate() {
                ui.allocate_ui(egui::vec2(width, height), |ui| {
                    if let Some(chart) = chart_of(kind) {
                        let frame = if i == 3 {
                            ChartFrame::Switchable(&mut fourth_choice)
                        } else {
                            ChartFrame::Grid
                        };
                        chart_ui(ui, &chart, width, height, frame, commands);
                    }
                });
                if i % 2 == 1 {
                    ui.end_row();
                }
            }
        });
    settings.fourth = fourth_choice;
}

/// Above the charts: the lesson, if the experiment is one, and a line
/// with what ran, the Compare choice and how far to predict.
fn charts_header_ui(
    ui: &mut egui::Ui,
    session: &Session,
    set: &crate::results::ResultSet,
    predict_to: &mut u32,
    commands: &mut Vec<Command>,
) {
    let title = experiment_title(set);
    if let Some(preset) = set
        .preset
        .as_deref()
        .and_then(|name| presets::find(name).ok())
    {
        lesson_ui(ui, &preset, set, session.is_running());
    }
    super::flags::flags_ui(
        ui,
        set,
        session.is_running(),
        ui.visuals().dark_mode,
        commands,
    );
    ui.horizontal(|ui| {
        ui.label(RichText::new(title).strong());
        ui.separator();
        compare_ui(ui, session, commands);
        ui.separator();
        ui.label("Predict to")
            .on_hover_text("Continue each speedup curve's fitted scaling law (dashed) up to this many workers; 0: off");
        ui.add(egui::DragValue::new(predict_to).range(0..=1024).suffix(" workers"));
    });
}

/// The "Compare with" choice: another stored experiment drawn beside the
/// shown one, its lines dashed.
fn compare_ui(ui: &mut egui::Ui, session: &Session, commands: &mut Vec<Command>) {
    let shown = session.shown_index();
    let current = session.compared().map(|(i, set)| export::set_label(set, i));
    let label = ui.label("Compare with");
    egui::ComboBox::from_id_salt("compare_with")
        .selected_text(current.as_deref().unwrap_or("nothing"))
        .width(170.0)
        .show_ui(ui, |ui| {
            if ui.selectable_label(current.is_none(), "nothing").clicked() {
                commands.push(Command::Compare(None));
            }
            for (i, set) in session.results.experiments.iter().enumerate().rev() {
                if Some(i) == shown {
                    continue;
                }
                let text = format!(
                    "{} · {} run{} · {}",
                    export::set_label(set, i),
                    set.runs.len(),
                    if set.runs.len() == 1 { "" } else { "s" },
                    set.machine.cpu_model
                );
                if ui
                    .selectable_label(session.compare_with == Some(i), text)
                    .clicked()
                {
                    commands.push(Command::Compare(Some(i)));
                }
            }
        })
        .response
        .labelled_by(label.id)
        .on_hover_text("Draw another experiment (say, another machine's, opened from a file) on the same charts");
}

/// While files are dragged over the window, says what dropping does.
pub fn drop_hint_ui(ctx: &egui::Context) {
    if ctx.input(|i| i.raw.hovered_files.is_empty()) {
        return;
    }
    let screen = ctx.content_rect();
    let painter = ctx.layer_painter(egui::LayerId::new(
        egui::Order::Foreground,
        egui::Id::unique("drop_hint"),
    ));
    painter.rect_filled(screen, 0.0, egui::Color32::from_black_alpha(170));
    painter.text(
        screen.center(),
        egui::Align2::CENTER_CENTER,
        "Drop a corescope result set (.json) to open it",
        egui::FontId::proportional(28.0),
        egui::Color32::WHITE,
    );
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

/// Where a chart sits, which decides the buttons in its header.
#[derive(Debug)]
pub enum ChartFrame<'a> {
    /// A cell of the grid: can be enlarged.
    Grid,
    /// The grid's last cell, which can show another chart kind.
    Switchable(&'a mut ChartKind),
    /// Enlarged over the whole area: can go back to the grid.
    Focused,
}

/// Draws one chart with its title, axis titles, legend, hover values and
/// its header buttons (enlarge, export).
pub fn chart_ui(
    ui: &mut egui::Ui,
    chart: &Chart,
    width: f32,
    height: f32,
    frame: ChartFrame<'_>,
    commands: &mut Vec<Command>,
) {
    let dark = ui.visuals().dark_mode;
    ui.vertical(|ui| {
        ui.horizontal(|ui| {
            match &frame {
                // The switchable cell's title is its choice.
                ChartFrame::Switchable(_) => {}
                _ => {
                    ui.label(RichText::new(&chart.title).heading());
                }
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                export::chart_menu_ui(ui, export::ExportTarget::Chart(chart.kind), commands);
                match frame {
                    ChartFrame::Focused => {
                        if ui.button("All charts").clicked() {
                            commands.push(Command::Focus(None));
                        }
                    }
                    ChartFrame::Grid | ChartFrame::Switchable(_) => {
                        if ui
                            .button("Enlarge")
                            .on_hover_text(super::shortcuts::hint(
                                ui.ctx(),
                                super::shortcuts::Action::Enlarge,
                            ))
                            .clicked()
                        {
                            commands.push(Command::Focus(Some(chart.kind)));
                        }
                    }
                }
                if let ChartFrame::Switchable(choice) = frame {
                    ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
                        for (kind, title) in [
                            (ChartKind::IpcBytes, "IPC bytes"),
                            (ChartKind::Overhead, "Where the time went"),
                        ] {
                            ui.selectable_value(choice, kind, RichText::new(title).heading());
                        }
                    });
                }
            });
        });
        let mut plot_height =
            (height - ui.text_style_height(&egui::TextStyle::Heading) - 12.0).max(100.0);
        if let Some(caption) = chart.prediction_caption() {
            ui.label(RichText::new(caption).small())
                .on_hover_text("Dashed: each curve's scaling law, fitted to its measured points and continued to the 'Predict to' worker count");
            plot_height -= ui.text_style_height(&egui::TextStyle::Small) + 4.0;
        }
        plot_ui(ui, chart, width, plot_height.max(80.0), dark);
    });
}

/// The egui_plot of a chart.
pub fn plot_ui(ui: &mut egui::Ui, chart: &Chart, width: f32, height: f32, dark: bool) {
    let unit = chart.unit;
    let x_axis = chart.x_axis;
    let (x_start, x_end) = match x_axis {
        XAxis::Workers => (0.0, chart.x_max + 0.5),
        XAxis::PayloadBytes => (chart.x_min - 0.5, chart.x_max + 0.5),
        XAxis::WorkersLog2 => (-0.25, chart.x_max + 0.25),
        XAxis::Runs => (
            -0.6,
            chart.bars.as_ref().map_or(0, |b| b.labels.len()) as f64 - 0.4,
        ),
    };
    let bar_labels: Vec<String> = chart
        .bars
        .as_ref()
        .map(|b| b.labels.clone())
        .unwrap_or_default();
    let mut plot = Plot::new(("chart", chart.kind))
        .width(width)
        .height(height)
        .x_axis_label(chart.x_label.as_str())
        .y_axis_label(chart.y_label.as_str())
        .include_x(x_start)
        .include_x(x_end)
        .include_y(0.0)
        .allow_scroll(false)
        .x_axis_formatter(move |mark, _| {
            if mark.value.fract() != 0.0 || mark.value < 0.0 {
                return String::new();
            }
            match x_axis {
                XAxis::Runs => bar_labels
                    .get(mark.value as usize)
                    .cloned()
                    .unwrap_or_default(),
                _ => chart::format_x(x_axis, mark.value),
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
            } if !plot_name.is_empty() && x_axis != XAxis::Runs => Some(format!(
                "{plot_name}\n{}\n{}",
                match x_axis {
                    XAxis::PayloadBytes =>
                        format!("{} payload", chart::format_x(x_axis, position.x)),
                    _ => format!("{} workers", chart::format_x(x_axis, position.x)),
                },
                chart::format_value(unit, position.y)
            )),
            _ => None,
        });
    let tallest_bar = chart.bars.as_ref().map_or(0.0, |bars| {
        (0..bars.labels.len())
            .map(|i| {
                bars.segments
                    .iter()
                    .filter_map(|s| s.values.get(i))
                    .filter(|v| v.is_finite())
                    .sum::<f64>()
            })
            .fold(0.0, f64::max)
    });
    plot = match (chart.kind, x_axis) {
        // Headroom above the bars for the legend.
        (ChartKind::Overhead, _) => plot.include_y(tallest_bar * 1.35),
        (ChartKind::Speedup, XAxis::Workers) => plot.include_y(x_end),
        (ChartKind::Speedup, _) => plot.include_y(1.2),
        (ChartKind::Efficiency, _) => plot.include_y(110.0),
        _ => plot,
    };
    if x_axis == XAxis::Runs {
        // Bars need every label: one grid line per bar.
        plot = plot.x_grid_spacer(|input| {
            let (low, high) = input.bounds;
            (low.ceil().max(0.0) as i64..=high.floor() as i64)
                .map(|i| egui_plot::GridMark {
                    value: i as f64,
                    step_size: 1.0,
                })
                .collect()
        });
    }
    // A legend taller than its plot would spill over the next chart: in a
    // small cell it is left out (the model colours are those of the form's
    // checkboxes, hover names every line, Enlarge shows it).
    let mut entries = chart.legend_names();
    entries.dedup();
    let row = ui.text_style_height(&egui::TextStyle::Small) + 4.0;
    if (entries.len() as f32) * row + 24.0 < height * 0.9 {
        plot = plot.legend(
            Legend::default()
                .position(legend_corner(chart.kind))
                .text_style(egui::TextStyle::Small)
                .background_alpha(0.8),
        );
    }
    let y_top = speedup_top(chart);
    plot.show(ui, |plot_ui| {
        for reference in &chart.references {
            let color = theme::color(REFERENCE_COLOR);
            match reference {
                Reference::Curve { name, points } => plot_ui.line(
                    Line::new(
                        name.as_str(),
                        PlotPoints::new(as_xy(&clip_below(points, y_top))),
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
        if let Some(bars) = &chart.bars {
            bars_ui(plot_ui, bars, dark);
        }
        for series in &chart.series {
            let color = theme::model_color(series.model, dark);
            let points: Vec<[f64; 2]> = series.points.iter().map(|p| [p.x, p.y]).collect();
            if let Some(fit) = series.prediction {
                let clipped: Vec<(f64, f64)> = points.iter().map(|p| (p[0], p[1])).collect();
                // One legend entry for every prediction (the caption above
                // names each fit), so the legend stays readable.
                plot_ui.line(
                    Line::new(
                        format!("{} prediction (dashed)", fit.law.name()),
                        PlotPoints::new(as_xy(&clip_below(&clipped, y_top))),
                    )
                    .color(color)
                    .width(2.0)
                    .style(LineStyle::dashed_loose()),
                );
                continue;
            }
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
                if let Some((low, high)) = p.ci {
                    // The confidence interval: a thicker bar on the whisker.
                    plot_ui.line(
                        Line::new(
                            series.name.as_str(),
                            PlotPoints::new(vec![[p.x, low], [p.x, high]]),
                        )
                        .color(color)
                        .width(6.0)
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
}

/// The stacked bars of the time breakdown, one chart per phase stacked on
/// the ones below; hovering a segment tells its run, phase and seconds.
fn bars_ui(plot_ui: &mut egui_plot::PlotUi<'_>, bars: &chart::StackedBars, dark: bool) {
    let mut layers: Vec<BarChart> = Vec::new();
    for segment in &bars.segments {
        let color_of = |i: usize| {
            let model = bars
                .models
                .get(i)
                .copied()
                .unwrap_or(crate::spec::Model::Serial);
            theme::color(chart::phase_color(segment.phase, model, dark))
        };
        let color = color_of(0);
        let parts: Vec<Bar> = segment
            .values
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                Bar::new(i as f64, v.max(0.0))
                    .width(0.68)
                    .fill(color_of(i))
                    .name(bars.labels.get(i).cloned().unwrap_or_default())
            })
            .collect();
        let phase = segment.phase.name();
        let mut layer = BarChart::new(chart::phase_legend(segment.phase), parts)
            .color(color)
            .element_formatter(Box::new(move |bar, _| {
                format!("{}\n{phase}: {}", bar.name, format::seconds(bar.value))
            }));
        if !layers.is_empty() {
            let below: Vec<&BarChart> = layers.iter().collect();
            layer = layer.stack_on(&below);
        }
        layers.push(layer);
    }
    for layer in layers {
        plot_ui.bar_chart(layer);
    }
}

/// Points as egui_plot takes them.
fn as_xy(points: &[(f64, f64)]) -> Vec<[f64; 2]> {
    points.iter().map(|&(x, y)| [x, y]).collect()
}

/// The top of a speedup chart with predictions: its measured points' and
/// predictions' height, so that an ideal line to 64 workers does not
/// flatten what was measured. Unbounded for other charts.
fn speedup_top(chart: &Chart) -> f64 {
    if chart.x_axis != XAxis::WorkersLog2 {
        return f64::INFINITY;
    }
    let highest = chart
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.y))
        .fold(1.0, f64::max);
    highest * 1.1
}
