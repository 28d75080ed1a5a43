//! The charts of the central area, drawn from the chart model
//! ([`crate::chart`]) through [`chart_view`], which draws exactly the
//! layout the files get: wall time, speedup, efficiency and IPC bytes (or
//! the time breakdown, or the counter's charts), filled in as runs finish.
//! Each model keeps its colour and marker on every chart; hovering a point
//! shows its exact value.

use eframe::egui::{self, RichText};

use super::command::Command;
use super::state::ChartSettings;
use super::{chart_view, export};
use crate::chart::theme::{MIN_PLOT_HEIGHT, WINDOW_TEXT};
use std::sync::Arc;

use crate::chart::layout::LegendEntry;
use crate::chart::{Chart, ChartKind, ChartOptions, XAxis};
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
    let what = if let Some(code) = first.code.as_ref().filter(|_| workloads.len() == 1) {
        code.call(first.tasks)
    } else if workloads.len() == 1 {
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
                "Measuring… runs take turns, a repetition each, so that a busy moment\n\
                 hits them all alike: the charts fill in as each group of runs ends."
            } else {
                "Press ▶ Run: the charts fill in as the runs end.\n\
                 (Or open a saved result set from the File menu, or drop one here.)"
            };
            ui.label(RichText::new(text).size(22.0).weak());
        });
        return;
    };
    charts_header_ui(ui, session, set, &mut settings.predict_to, commands);
    let counted = ChartKind::LostUpdates.shows_in(&[set]);
    let ran_commands = ChartKind::Throughput.shows_in(&[set]);
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
    let ctx = ui.ctx().clone();
    let chart_of = |kind: ChartKind| {
        cached_chart(&ctx, session, kind, &options).map(|chart| {
            if chart.x_axis == XAxis::Workers && planned > chart.x_max {
                let mut wider = Chart::clone(&chart);
                wider.x_max = planned;
                return Arc::new(wider);
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
    let fourth = settings.fourth;
    let kinds = grid_kinds(counted, ran_commands, fourth);
    settings.fourth = chart_grid_ui(ui, &kinds, fourth, &chart_of, commands);
}

/// The grid's charts of `kinds`, two to a row, each row over one legend;
/// returns the fourth cell's chart kind, as its menu left it.
fn chart_grid_ui(
    ui: &mut egui::Ui,
    kinds: &[ChartKind],
    fourth: ChartKind,
    chart_of: &dyn Fn(ChartKind) -> Option<Arc<Chart>>,
    commands: &mut Vec<Command>,
) -> ChartKind {
    let gap = 14.0;
    let available = ui.available_size();
    let width = ((available.x - gap) / 2.0).max(200.0);
    let height = ((available.y - gap) / 2.0).max(MIN_CELL_HEIGHT);
    let mut fourth_choice = fourth;
    // Rows of two cells, each cell from its row's top: egui's Grid
    // centres a cell in its row's height of the frame before, so a cell
    // whose legend made the row taller would start lower each frame.
    for (row, pair) in kinds.chunks(2).enumerate() {
        if row > 0 {
            ui.add_space(gap);
        }
        let legends = ui
            .horizontal_top(|ui| {
                ui.spacing_mut().item_spacing.x = gap;
                let mut legends = Vec::new();
                for (column, &kind) in pair.iter().enumerate() {
                    ui.allocate_ui(egui::vec2(width, height), |ui| {
                        if let Some(chart) = chart_of(kind) {
                            let frame = if row * 2 + column == 3 {
                                ChartFrame::Switchable(&mut fourth_choice)
                            } else {
                                ChartFrame::Grid
                            };
                            legends.push(chart_ui(ui, &chart, width, height, frame, commands));
                        }
                    });
                }
                legends
            })
            .inner;
        // One legend under the row: the two charts of one set share
        // their series, and a strip across both takes half the rows.
        let legend = chart_view::legend_union(legends);
        if !legend.is_empty() {
            chart_view::legend_strip_ui(ui, &legend, 2.0 * width + gap);
        }
    }
    fourth_choice
}

/// What the shown charts are built from: each source's label, its runs'
/// count, where it lies and its last run's wall time, and the options. A
/// change of any (another set shown or compared, a run landing, Clear and
/// Undo) builds them again.
type ChartSources = (Vec<(String, usize, usize, u64)>, ChartOptions);

/// The charts built for the shown sources, by kind.
#[derive(Clone, Default)]
struct ChartCache {
    sources: Option<ChartSources>,
    charts: Vec<(ChartKind, Option<Arc<Chart>>)>,
}

/// The chart of `kind` for what the session shows, built once per change
/// of it: building walks every run of the shown sets, and a set of
/// thousands of runs would cost more than a frame each time.
fn cached_chart(
    ctx: &egui::Context,
    session: &Session,
    kind: ChartKind,
    options: &ChartOptions,
) -> Option<Arc<Chart>> {
    let sources: ChartSources = (
        session
            .shown_sources()
            .iter()
            .map(|(label, set)| {
                let last = set
                    .runs
                    .last()
                    .map_or(0, |r| r.wall_seconds.median.to_bits());
                (
                    label.clone(),
                    set.runs.len(),
                    std::ptr::from_ref(*set) as usize,
                    last,
                )
            })
            .collect(),
        *options,
    );
    let id = egui::Id::unique("chart-cache");
    let mut cache: ChartCache = ctx.data(|d| d.get_temp(id)).unwrap_or_default();
    if cache.sources.as_ref() != Some(&sources) {
        cache = ChartCache {
            sources: Some(sources),
            charts: Vec::new(),
        };
    }
    if let Some((_, chart)) = cache.charts.iter().find(|(k, _)| *k == kind) {
        return chart.clone();
    }
    let chart = session.chart(kind, options).map(Arc::new);
    cache.charts.push((kind, chart.clone()));
    ctx.data_mut(|d| d.insert_temp(id, cache));
    chart
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
    // The lesson and the flags give way before the charts do: what room
    // is left above the charts' least height is theirs, the lesson's text
    // and the flags scrolling in their boxes.
    let spare = (ui.available_height() - CHARTS_MIN_HEIGHT - 40.0).max(0.0);
    if let Some(preset) = set
        .preset
        .as_deref()
        .and_then(|name| presets::find(name).ok())
    {
        lesson_ui(
            ui,
            &preset,
            set,
            session.is_running(),
            (spare * 0.6).max(44.0),
        );
    } else {
        super::recommendation::recommendation_ui(
            ui,
            set,
            session.is_running(),
            (spare * 0.6).max(44.0),
        );
    }
    let flags_height = (spare * 0.4).max(20.0);
    super::flags::flags_ui(
        ui,
        set,
        session.is_running(),
        flags_height,
        ui.visuals().dark_mode,
        commands,
    );
    // Wrapped, never wider than the area: a line that overflowed would
    // widen everything under it, pushing the right-hand charts off screen.
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(title).strong());
        ui.separator();
        compare_ui(ui, session, commands);
        ui.separator();
        let label = ui.label("Predict to")
            .on_hover_text("Continue each speedup curve's fitted scaling law (dashed) up to this many workers; 0: off");
        // 0 is off, and says so: "0 workers" read as a prediction for none.
        ui.add(
            egui::DragValue::new(predict_to)
                .range(0..=1024)
                .custom_formatter(|n, _| match n as u32 {
                    0 => "off".to_string(),
                    n => format!("{n} workers"),
                })
                .custom_parser(|text| {
                    let text = text.trim().trim_end_matches("workers").trim();
                    match text {
                        "off" | "" => Some(0.0),
                        n => n.parse::<f64>().ok(),
                    }
                }),
        )
        .labelled_by(label.id);
    });
}

/// The grid's four charts: wall time, speedup, efficiency and the chosen
/// fourth; for a set that `counted`, its lost updates and time per
/// increment first (speedup and efficiency say little there); for a set
/// of shell commands (`--command`), the tasks per second first, in the
/// place of efficiency.
fn grid_kinds(counted: bool, commands: bool, fourth: ChartKind) -> [ChartKind; 4] {
    if commands {
        return [
            ChartKind::Throughput,
            ChartKind::WallTime,
            ChartKind::Speedup,
            fourth,
        ];
    }
    if counted {
        let fourth = match fourth {
            ChartKind::LostUpdates | ChartKind::IncrementCost => ChartKind::IpcBytes,
            other => other,
        };
        return [
            ChartKind::LostUpdates,
            ChartKind::IncrementCost,
            ChartKind::WallTime,
            fourth,
        ];
    }
    [
        ChartKind::WallTime,
        ChartKind::Speedup,
        ChartKind::Efficiency,
        fourth,
    ]
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

/// A grid cell's least height: a readable plot under its header (a
/// legend that has to go under the plot makes the cell taller).
const MIN_CELL_HEIGHT: f32 = MIN_PLOT_HEIGHT + 44.0;

/// The least height of the charts under the lesson: the title row and two
/// rows of cells.
pub const CHARTS_MIN_HEIGHT: f32 = 36.0 + 2.0 * MIN_CELL_HEIGHT + 14.0;

/// The least height of the charts' first row: the two main charts, and
/// two rows of the legend under them.
pub const CHARTS_ROW_MIN_HEIGHT: f32 = MIN_CELL_HEIGHT + ROW_LEGEND_ROOM;

/// Two rows of a legend under a row of charts, at the window's legend
/// size.
const ROW_LEGEND_ROOM: f32 = 60.0;

/// The lesson beside its charts: the claim, what to look at, and what
/// this machine measured.
fn lesson_ui(
    ui: &mut egui::Ui,
    preset: &Preset,
    set: &crate::results::ResultSet,
    running: bool,
    max_height: f32,
) {
    // Folded to its title line by default, so the charts below stay
    // large (egui remembers the fold per lesson); open, at most
    // `max_height` of text, scrolling within. The verdict stays in view
    // under it either way.
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(ui.available_width());
        // A long title is cut short (whole when opened): a header wider
        // than the area would widen the box, and the verdict under it.
        let room = ((ui.available_width() - 40.0) / 9.5).max(12.0) as usize;
        let title = shortened(&preset.title, room);
        egui::CollapsingHeader::new(RichText::new(title).strong().size(18.0))
            .id_salt(("lesson-text", preset.name.as_str()))
            .default_open(false)
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .id_salt(("lesson-body", preset.name.as_str()))
                    .max_height(max_height)
                    .show(ui, |ui| {
                        ui.label(RichText::new(&preset.title).strong());
                        lesson_body_ui(ui, preset, set, running)
                    });
            });
        verdict_line_ui(ui, preset, set, running);
    });
}

/// `text` cut to at most `chars` characters, an ellipsis marking the cut.
fn shortened(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        return text.to_string();
    }
    let kept: String = text.chars().take(chars.saturating_sub(1)).collect();
    format!("{}…", kept.trim_end())
}

/// What this measurement says of the lesson's claim, in one line always
/// in view: settled outcomes in their colour, anything else neutral.
fn verdict_line_ui(
    ui: &mut egui::Ui,
    preset: &Preset,
    set: &crate::results::ResultSet,
    running: bool,
) {
    let (sentence, color) = super::present::verdict_text(ui, preset, set, running);
    ui.add(egui::Label::new(RichText::new(sentence).size(17.0).strong().color(color)).wrap());
}

/// The lesson's claim, what to look at, and what this machine measured.
fn lesson_body_ui(
    ui: &mut egui::Ui,
    preset: &Preset,
    set: &crate::results::ResultSet,
    running: bool,
) {
    ui.label(&preset.claim);
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

/// Draws one chart with its title, axis titles, hover values and its
/// header buttons (enlarge, export); the speedup chart's predictions, if
/// asked for, in a smaller panel beside it. Enlarged, it draws its legend
/// too; in the grid it returns the legend, for one strip under its row.
pub fn chart_ui(
    ui: &mut egui::Ui,
    chart: &Chart,
    width: f32,
    height: f32,
    frame: ChartFrame<'_>,
    commands: &mut Vec<Command>,
) -> Vec<LegendEntry> {
    let focused = matches!(frame, ChartFrame::Focused);
    ui.vertical(|ui| {
        ui.set_width(width);
        let header = ui.horizontal(|ui| header_ui(ui, chart, frame, commands));
        let plot_height = (height - header.response.rect.height() - 8.0).max(80.0);
        match &chart.predictions {
            // A grid cell has no room for a second plot: one line says
            // where the fitted laws are.
            Some(panel) if !focused => {
                let caption = panel.prediction_caption().unwrap_or_default();
                ui.add(
                    egui::Label::new(
                        RichText::new(format!("{} — Enlarge to see them", panel.title))
                            .size(WINDOW_TEXT.tick)
                            .italics(),
                    )
                    .truncate(),
                )
                .on_hover_text(caption);
                // The plot keeps its height (and so its ticks and range):
                // the cell grows by the line.
                chart_view::chart_plot_legend_apart_ui(ui, chart, width, plot_height)
            }
            Some(panel) => {
                let main = (width * 0.62).floor();
                let side = width - main - 12.0 - 2.0 * ui.spacing().item_spacing.x;
                ui.horizontal_top(|ui| {
                    ui.allocate_ui(egui::vec2(main, plot_height), |ui| {
                        chart_view::chart_plot_ui(ui, chart, main, plot_height);
                    });
                    ui.add_space(12.0);
                    ui.allocate_ui(egui::vec2(side, plot_height), |ui| {
                        predictions_ui(ui, panel, side, plot_height);
                    });
                });
                Vec::new()
            }
            None if focused => {
                chart_view::chart_plot_ui(ui, chart, width, plot_height);
                Vec::new()
            }
            None => chart_view::chart_plot_legend_apart_ui(ui, chart, width, plot_height),
        }
    })
    .inner
}

/// A chart's header: its title (or the fourth cell's choice) on the left,
/// cut short rather than run under the buttons on the right.
fn header_ui(ui: &mut egui::Ui, chart: &Chart, frame: ChartFrame<'_>, commands: &mut Vec<Command>) {
    let title_size = WINDOW_TEXT.title;
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
        ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
            match frame {
                ChartFrame::Switchable(choice) => {
                    // A menu rather than two headings side by side: the
                    // title keeps clear of the buttons in a narrow cell.
                    egui::ComboBox::from_id_salt("fourth-chart")
                        .selected_text(RichText::new(&chart.title).size(title_size).strong())
                        .truncate()
                        .width(ui.available_width())
                        .show_ui(ui, |ui| {
                            for (kind, title) in [
                                (ChartKind::IpcBytes, "IPC bytes per repetition"),
                                (ChartKind::Overhead, "Where the time went"),
                                (ChartKind::LostUpdates, "Lost updates"),
                                (ChartKind::IncrementCost, "Time per increment"),
                            ] {
                                ui.selectable_value(choice, kind, title);
                            }
                        })
                        .response
                        .on_hover_text("Choose the chart of this cell");
                }
                _ => {
                    ui.add(
                        egui::Label::new(RichText::new(&chart.title).size(title_size).strong())
                            .truncate(),
                    );
                }
            }
        });
    });
}

/// The predictions panel: its title, the fitted laws in one line (cut
/// short, whole on hover), and its chart.
fn predictions_ui(ui: &mut egui::Ui, panel: &Chart, width: f32, height: f32) {
    ui.vertical(|ui| {
        ui.set_width(width);
        let top = ui.cursor().top();
        ui.add(
            egui::Label::new(RichText::new(&panel.title).size(WINDOW_TEXT.axis).strong())
                .truncate(),
        );
        if let Some(caption) = panel.prediction_caption() {
            ui.add(egui::Label::new(RichText::new(&caption).size(WINDOW_TEXT.tick)).truncate())
                .on_hover_text(format!(
                    "{caption}\nDashed: each curve's scaling law, fitted to its measured points \
                     (three worker counts or more) and continued to the 'Predict to' worker count"
                ));
        }
        let used = ui.cursor().top() - top;
        chart_view::chart_plot_ui(ui, panel, width, (height - used).max(80.0));
    });
}
