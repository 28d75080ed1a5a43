//! The panels around the charts: the top bar, the experiment form with
//! Run/Cancel and progress, the results table and the Clear confirmation.
//! Panels read the app and edit the form; everything else they ask for is a
//! [`Command`].

use eframe::egui::{self, Align, Layout, RichText};
use egui_extras::{Column, TableBuilder};

use super::app::{Command, CorescopeApp};
use super::theme;
use crate::format;
use crate::model::Knob;
use crate::presets;
use crate::results::RunRecord;
use crate::spec::{Codec, Model, Scaling, Schedule, StartMethod};
use crate::table;
use crate::workload::Workload;

/// The top bar: name, machine, theme, UI scale, Clear.
pub fn top_bar_ui(app: &mut CorescopeApp, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        ui.heading(RichText::new("corescope").strong());
        ui.separator();
        super::export::file_menu_ui(app, ui, commands);
        ui.separator();
        let m = &app.machine;
        let physical = m
            .physical_cores
            .map_or(String::new(), |p| format!("{p} physical / "));
        ui.label(format!(
            "{} · {physical}{} logical cores · {}",
            m.cpu_model,
            m.logical_cores,
            format::bytes(m.memory_bytes)
        ))
        .on_hover_text(format!("{} · kernel {} · {}", m.os, m.kernel, m.arch));
        ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
            let clear = ui.add_enabled(
                !app.results.experiments.is_empty() && !app.is_running(),
                egui::Button::new("Clear results…"),
            );
            if clear.clicked() {
                commands.push(Command::AskClear);
            }
            ui.separator();
            let zoom = ui.ctx().zoom_factor();
            if ui.button("A+").on_hover_text("Larger (Ctrl +)").clicked() {
                commands.push(Command::SetZoom(zoom + 0.1));
            }
            if ui
                .button(format!("{:.0} %", zoom * 100.0))
                .on_hover_text("Reset to 100 % (Ctrl 0)")
                .clicked()
            {
                commands.push(Command::SetZoom(1.0));
            }
            if ui.button("A−").on_hover_text("Smaller (Ctrl −)").clicked() {
                commands.push(Command::SetZoom(zoom - 0.1));
            }
            ui.label("UI scale");
            ui.separator();
            let dark = app.settings.dark;
            if ui
                .button(if dark {
                    "☀ Light theme"
                } else {
                    "🌙 Dark theme"
                })
                .clicked()
            {
                commands.push(Command::SetDark(!dark));
            }
        });
    });
}

/// A labelled single-line text field (the label names it for screen
/// readers and tests).
fn text_field(ui: &mut egui::Ui, label: &str, value: &mut String, hint: &str, enabled: bool) {
    let label = ui.label(label);
    ui.add_enabled(
        enabled,
        egui::TextEdit::singleline(value)
            .hint_text(hint)
            .desired_width(150.0),
    )
    .labelled_by(label.id);
    ui.end_row();
}

/// One model's checkbox; a python model without a usable interpreter is
/// disabled, and says why on hover.
fn models_checkbox_ui(
    ui: &mut egui::Ui,
    form: &mut super::state::ExperimentForm,
    model: Model,
    python: &std::path::Path,
    dark: bool,
) {
    let mut ticked = form.models.contains(&model);
    let text = RichText::new(model.name()).color(theme::model_color(model, dark));
    let reason = crate::engine::availability::check(model, python).err();
    let response = ui
        .add_enabled(reason.is_none(), egui::Checkbox::new(&mut ticked, text))
        .on_hover_text(model.describe());
    let response = match &reason {
        Some(reason) => {
            response.on_disabled_hover_text(format!("{}\nunavailable: {reason}", model.describe()))
        }
        None => response,
    };
    if response.changed() {
        form.set_model(model, ticked);
    }
}

/// The experiment form, Run/Cancel, progress and messages.
pub fn experiment_ui(app: &mut CorescopeApp, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
    let running = app.is_running();
    let dark = app.settings.dark;
    let cores = app.machine.logical_cores;
    egui::Panel::bottom("run_controls")
        .resizable(false)
        .show(ui, |ui| run_controls_ui(app, ui, commands));
    egui::ScrollArea::vertical()
        .auto_shrink([false, true])
        .show(ui, |ui| {
            ui.add_space(4.0);
            lessons_ui(ui, running, commands);
            ui.separator();
            ui.heading("Experiment");
            ui.add_space(4.0);
            let python = app.settings.python();
            let python_typed = &mut app.settings.python;
            let form = &mut app.settings.form;
            ui.add_enabled_ui(!running, |ui| {
                egui::Grid::new("workload_grid")
                    .num_columns(2)
                    .spacing([12.0, 8.0])
                    .show(ui, |ui| {
                        let label = ui.label("Workload");
                        let mut workload = form.workload;
                        egui::ComboBox::from_id_salt("workload")
                            .selected_text(workload.name())
                            .width(150.0)
                            .show_ui(ui, |ui| {
                                for w in Workload::ALL {
                                    ui.selectable_value(&mut workload, w, w.name());
                                }
                            })
                            .response
                            .labelled_by(label.id);
                        form.set_workload(workload);
                        ui.end_row();
                        text_field(
                            ui,
                            "Size",
                            &mut form.size,
                            &workload.default_size().to_string(),
                            true,
                        );
                        ui.label("");
                        ui.label(RichText::new(workload.size_meaning()).small().weak());
                        ui.end_row();
                        text_field(ui, "Tasks", &mut form.tasks, "16", true);
                        ui.label("Scaling");
                        ui.horizontal(|ui| {
                            for scaling in Scaling::ALL {
                                ui.radio_value(&mut form.scaling, scaling, scaling.name())
                                    .on_hover_text(match scaling {
                                        Scaling::Strong => {
                                            "The same tasks at every worker count (read against Amdahl's law)"
                                        }
                                        Scaling::Weak => {
                                            "Tasks per worker: the work grows with the workers (read against Gustafson's law)"
                                        }
                                    });
                            }
                        });
                        ui.end_row();
                        if form.scaling == Scaling::Weak {
                            ui.label("");
                            ui.label(RichText::new("tasks are per worker").small().weak());
                            ui.end_row();
                        }
                        if workload.uses_payload() {
                            text_field(
                                ui,
                                "Payload",
                                &mut form.payload,
                                "64KiB or 1KiB..16MiB",
                                true,
                            );
                        }
                        if workload.uses_payload() {
                            ui.label("Codec");
                            ui.horizontal(|ui| {
                                for codec in Codec::ALL {
                                    ui.radio_value(&mut form.codec, codec, codec.name());
                                }
                            });
                            ui.end_row();
                        }
                        if workload == Workload::Mixed {
                            text_field(ui, "Waiting %", &mut form.io_percent, "50", true);
                        }
                    });

                ui.add_space(8.0);
                ui.label(RichText::new("Models").strong());
                for model in Model::ALL.into_iter().filter(|m| !m.is_python()) {
                    models_checkbox_ui(ui, form, model, &python, dark);
                }
                // Folded away until wanted, so the form keeps its height.
                egui::CollapsingHeader::new("CPython models (the real GIL)")
                    .default_open(form.models.iter().any(|m| m.is_python()))
                    .show(ui, |ui| {
                        for model in Model::ALL.into_iter().filter(|m| m.is_python()) {
                            models_checkbox_ui(ui, form, model, &python, dark);
                        }
                        egui::Grid::new("python_grid")
                            .num_columns(2)
                            .spacing([12.0, 8.0])
                            .show(ui, |ui| {
                                text_field(ui, "Python", python_typed, "python3", true);
                                if form.models.iter().any(|m| m.uses_start_method()) {
                                    ui.label("Start method");
                                    ui.horizontal(|ui| {
                                        for method in StartMethod::ALL {
                                            ui.radio_value(
                                                &mut form.start_method,
                                                method,
                                                method.name(),
                                            );
                                        }
                                    });
                                    ui.end_row();
                                }
                            });
                    });
                if form.models.iter().any(|m| m.info().has_knob(Knob::SwitchInterval)) {
                    egui::Grid::new("gil_grid")
                        .num_columns(2)
                        .spacing([12.0, 8.0])
                        .show(ui, |ui| {
                            text_field(
                                ui,
                                "Switch interval",
                                &mut form.switch_interval,
                                "5ms",
                                true,
                            );
                        });
                }

                ui.add_space(8.0);
                ui.label(RichText::new("Workers").strong());
                ui.horizontal(|ui| {
                    ui.radio_value(&mut form.sweep, true, "Sweep");
                    ui.radio_value(&mut form.sweep, false, "One count");
                });
                egui::Grid::new("workers_grid")
                    .num_columns(2)
                    .spacing([12.0, 8.0])
                    .show(ui, |ui| {
                        if form.sweep {
                            text_field(ui, "From", &mut form.sweep_from, "1", true);
                            text_field(ui, "To", &mut form.sweep_to, &cores.to_string(), true);
                        } else {
                            text_field(ui, "Workers", &mut form.workers, &cores.to_string(), true);
                        }
                    });
                ui.label(
                    RichText::new(format!("this machine has {cores} logical cores"))
                        .small()
                        .weak(),
                );

                ui.add_space(8.0);
                egui::Grid::new("schedule_grid")
                    .num_columns(2)
                    .spacing([12.0, 8.0])
                    .show(ui, |ui| {
                        ui.label("Schedule");
                        ui.horizontal(|ui| {
                            for schedule in Schedule::ALL {
                                ui.radio_value(&mut form.schedule, schedule, schedule.name())
                                    .on_hover_text(match schedule {
                                        Schedule::Static => "chunks assigned to workers up front",
                                        Schedule::Queue => "a free worker takes the next chunk",
                                    });
                            }
                        });
                        ui.end_row();
                        text_field(ui, "Chunk", &mut form.chunk, "auto", true);
                        text_field(ui, "Repeats", &mut form.repeats, "3", true);
                        text_field(ui, "Warm-ups", &mut form.warmup, "1", true);
                    });
            });

        });
}

/// Run/Cancel, progress and messages, pinned under the form so that they
/// stay in view however long the form grows.
fn run_controls_ui(app: &CorescopeApp, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
    let running = app.is_running();
    ui.add_space(8.0);
    ui.horizontal(|ui| {
        let run = egui::Button::new(RichText::new("▶ Run").size(20.0).strong())
            .min_size(egui::vec2(140.0, 38.0));
        if ui.add_enabled(!running, run).clicked() {
            commands.push(Command::Run);
        }
        let cancelling = app.live.as_ref().is_some_and(|l| l.cancelling);
        let cancel = egui::Button::new(RichText::new("■ Cancel").size(20.0))
            .min_size(egui::vec2(120.0, 38.0));
        if ui.add_enabled(running && !cancelling, cancel).clicked() {
            commands.push(Command::Cancel);
        }
    });
    ui.add_space(8.0);
    progress_ui(app, ui);
    messages_ui(app, ui, commands);
    ui.add_space(4.0);
}

/// One button per lesson preset: one click runs it.
fn lessons_ui(ui: &mut egui::Ui, running: bool, commands: &mut Vec<Command>) {
    ui.heading("Lessons");
    match presets::all() {
        Ok(all) => {
            ui.horizontal_wrapped(|ui| {
                for (i, preset) in all.iter().enumerate() {
                    let button = egui::Button::new(format!("{} {}", i + 1, preset.name));
                    let response = ui
                        .add_enabled(!running, button)
                        .on_hover_text(format!("{}\n\n{}", preset.title, preset.claim));
                    if response.clicked() {
                        commands.push(Command::RunPreset(preset.name.clone()));
                    }
                }
            });
        }
        Err(e) => {
            ui.label(e.to_string());
        }
    }
}

fn progress_ui(app: &CorescopeApp, ui: &mut egui::Ui) {
    let Some(live) = &app.live else {
        return;
    };
    let fraction = live.fraction();
    let left = live.seconds_left().map_or(String::new(), |s| {
        format!(" · ~{} left", format::seconds(s.max(0.0)))
    });
    ui.add(egui::ProgressBar::new(fraction).text(format!("{:.0} %{left}", fraction * 100.0)));
    let what = match live.current.and_then(|i| live.runs.get(i).map(|r| (i, r))) {
        Some((i, run)) => format!("run {} of {}: {}", i + 1, live.runs.len(), run.label()),
        None => "starting…".to_string(),
    };
    let what = if live.cancelling {
        "cancelling…".to_string()
    } else {
        what
    };
    ui.label(what);
}

fn messages_ui(app: &CorescopeApp, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
    let red = theme::error_color(app.settings.dark);
    if let Some(e) = &app.form_error {
        ui.add_space(6.0);
        ui.label(RichText::new(format!("⚠ {}", describe_spec_error(e))).color(red));
    }
    if let Some(error) = &app.error {
        ui.add_space(6.0);
        ui.label(RichText::new(format!("⚠ {error}")).color(red));
    }
    if let Some(notice) = &app.notice {
        ui.add_space(6.0);
        ui.label(notice);
    }
    if (app.error.is_some() || app.notice.is_some()) && ui.small_button("Dismiss").clicked() {
        commands.push(Command::DismissError);
    }
}

/// A validation error in the words of the form rather than the flags.
pub fn describe_spec_error(error: &crate::spec::SpecError) -> String {
    let field = match error.flag {
        "--workload" => "Workload",
        "--size" => "Size",
        "--tasks" => "Tasks",
        "--payload" => "Payload",
        "--models" => "Models",
        "--workers" => "Workers",
        "--schedule" => "Schedule",
        "--chunk" => "Chunk",
        "--repeats" => "Repeats",
        "--warmup" => "Warm-ups",
        "--switch-interval" => "Switch interval",
        "--io-percent" => "Waiting %",
        other => other,
    };
    let message = if error.flag == "--models" && error.message.starts_with("no model") {
        "tick at least one model".to_string()
    } else {
        error.message.replace(
            "(set --python)",
            "(set the Python field under CPython models)",
        )
    };
    format!("{field}: {message}")
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Which column the results table is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortColumn {
    /// The experiment's number, the table's first column.
    #[default]
    Experiment,
    /// One of the results table's columns.
    Table(table::Column),
}

/// The results table's sort order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableSort {
    pub column: SortColumn,
    pub descending: bool,
}

impl Default for TableSort {
    /// Newest experiment first: what a user just ran is on top.
    fn default() -> Self {
        TableSort {
            column: SortColumn::Experiment,
            descending: true,
        }
    }
}

impl TableSort {
    /// Orders two (experiment, run) rows; ties keep the order the runs
    /// were measured in (the sort is stable).
    fn compare(self, a: &(usize, &RunRecord), b: &(usize, &RunRecord)) -> std::cmp::Ordering {
        let order = match self.column {
            SortColumn::Experiment => a.0.cmp(&b.0),
            SortColumn::Table(column) => column.compare(a.1, b.1),
        };
        if self.descending {
            order.reverse()
        } else {
            order
        }
    }

    /// A header's title, with an arrow when the table is sorted by it.
    fn title(self, title: &str, column: SortColumn) -> String {
        let arrow = match (self.column == column, self.descending) {
            (false, _) => "",
            (true, true) => " ⏷",
            (true, false) => " ⏶",
        };
        format!("{title}{arrow}")
    }

    /// The order after a click on `column`'s header: by it, flipped when
    /// it already was.
    fn clicked(self, column: SortColumn) -> TableSort {
        TableSort {
            column,
            descending: self.column == column && !self.descending,
        }
    }
}

/// The table of every finished run ([`table::Column::STORED`] after the
/// experiment's number), sortable by clicking a header; a click on a row
/// shows that run's experiment in the charts.
pub fn results_table_ui(app: &mut CorescopeApp, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        ui.label(RichText::new("Results").strong());
        let count = app.results.runs().count();
        let experiments = app.results.experiments.len();
        let text = format!(
            "{count} run{} in {experiments} experiment{} · click a row to chart its experiment",
            plural(count),
            plural(experiments)
        );
        ui.label(RichText::new(text).weak());
    });
    let shown = app.shown_index();
    let several = app.results.experiments.len() > 1;
    let mut rows: Vec<(usize, &RunRecord)> = app.results.runs().collect();
    let sort = app.table_sort;
    rows.sort_by(|a, b| sort.compare(a, b));
    let columns = table::Column::STORED;
    let headers = std::iter::once(("#", SortColumn::Experiment))
        .chain(columns.map(|c| (c.header(), SortColumn::Table(c))));
    let mut new_sort = None;
    ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Extend);
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
    // Wider than the panel on small windows: scroll sideways, never clip.
    egui::ScrollArea::horizontal()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            TableBuilder::new(ui)
                .striped(true)
                .sense(egui::Sense::click())
                .auto_shrink([false, false])
                // As low as its panel: the panel gives way to the charts.
                .min_scrolled_height(0.0)
                .column(Column::exact(52.0))
                .columns(Column::auto().resizable(true), columns.len())
                .header(row_height + 4.0, |mut header| {
                    for (title, column) in headers {
                        header.col(|ui| {
                            let title = RichText::new(sort.title(title, column)).strong();
                            if ui.button(title).clicked() {
                                new_sort = Some(sort.clicked(column));
                            }
                        });
                    }
                })
                .body(|body| {
                    body.rows(row_height, rows.len(), |mut row| {
                        let (experiment, run) = rows[row.index()];
                        row.col(|ui| {
                            // An arrow marks the experiment the charts show.
                            let mark = if several && Some(experiment) == shown {
                                "▶ "
                            } else {
                                ""
                            };
                            ui.label(format!("{mark}{}", experiment + 1));
                        });
                        // Only the rows in view are formatted.
                        let cells = table::Row::of(&columns, run);
                        let color = theme::model_color(cells.model, app.settings.dark);
                        for (column, cell) in columns.iter().zip(cells.cells) {
                            row.col(|ui| {
                                let text = RichText::new(cell.text);
                                let text = if *column == table::Column::Model {
                                    text.color(color).strong()
                                } else {
                                    text
                                };
                                let label = ui.label(text);
                                if let Some(note) = cell.note {
                                    label.on_hover_text(note);
                                }
                            });
                        }
                        if row.response().clicked() {
                            commands.push(Command::Select(experiment));
                        }
                    });
                });
        });
    if let Some(sort) = new_sort {
        app.table_sort = sort;
    }
}

/// Asks before Clear wipes every stored result.
pub fn confirm_clear_ui(app: &CorescopeApp, ctx: &egui::Context, commands: &mut Vec<Command>) {
    egui::Modal::new(egui::Id::unique("confirm_clear")).show(ctx, |ui| {
        ui.heading("Clear all results?");
        ui.label(format!(
            "This deletes {} run{} in {} experiment{} from this machine's results file. It cannot be undone.",
            app.results.runs().count(),
            plural(app.results.runs().count()),
            app.results.experiments.len(),
            plural(app.results.experiments.len())
        ));
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            if ui.button("Delete all results").clicked() {
                commands.push(Command::ConfirmClear);
            }
            if ui.button("Keep them").clicked() {
                commands.push(Command::DismissClear);
            }
        });
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::testing::record;

    #[test]
    fn a_header_click_sorts_by_its_column_and_a_second_flips_it() {
        let wall = SortColumn::Table(table::Column::Wall);
        let sort = TableSort::default().clicked(wall);
        assert_eq!((sort.column, sort.descending), (wall, false));
        assert_eq!(sort.title("wall median", wall), "wall median ⏶");
        assert_eq!(sort.title("#", SortColumn::Experiment), "#");
        let flipped = sort.clicked(wall);
        assert!(flipped.descending);

        let (slow, fast) = (
            record(Model::Serial, 1, 2.0),
            record(Model::Threads, 2, 1.0),
        );
        let (a, b) = ((1, &slow), (0, &fast));
        assert_eq!(sort.compare(&a, &b), std::cmp::Ordering::Greater);
        assert_eq!(flipped.compare(&a, &b), std::cmp::Ordering::Less);
        // Newest experiment first by default.
        assert_eq!(
            TableSort::default().compare(&a, &b),
            std::cmp::Ordering::Less
        );
    }
}
