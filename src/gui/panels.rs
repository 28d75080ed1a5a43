//! The panels around the charts: the top bar, the experiment form with
//! Run/Cancel and progress, the results table and the Clear confirmation.
//! Each panel takes the narrow state it draws (and edits the settings it
//! shows); everything else it asks for is a [`Command`].

use eframe::egui::{self, Align, Layout, RichText};
use egui_extras::{Column, TableBuilder};

use super::command::Command;
use super::export::FileMenu;
use super::shortcuts::{self, Action};
use super::state::{self, ExperimentForm, ExportSettings, View, python_path};
use super::theme;
use crate::format;
use crate::model::Knob;
use crate::presets;
use crate::remedy::Remedied;
use crate::results::{MachineInfo, RunRecord};
use crate::session::recent::RecentFiles;
use crate::session::store::ResultsStore;
use crate::session::{LiveRun, Messages};
use crate::spec::{
    Codec, Field, Model, Order, Scaling, Schedule, SpecError, StartMethod, Transport,
};
use crate::table;
use crate::workload::{Sharing, Workload};

/// What the top bar shows.
#[derive(Debug, Clone, Copy)]
pub struct TopBar<'a> {
    pub machine: &'a MachineInfo,
    /// There are results, and no experiment runs.
    pub can_clear: bool,
    pub dark: bool,
    /// An experiment is shown, so its data can be exported.
    pub has_data: bool,
    pub running: bool,
    pub recent: &'a RecentFiles,
    /// How many cleared experiments Undo would bring back.
    pub restorable: usize,
}

/// What the left panel shows besides the form.
#[derive(Debug, Clone, Copy)]
pub struct RunPanel<'a> {
    /// The machine's logical cores (the default sweep's end).
    pub cores: u32,
    pub dark: bool,
    /// The experiment in progress, if any.
    pub live: Option<&'a LiveRun>,
    pub messages: &'a Messages,
    /// How many cleared experiments Undo would bring back.
    pub restorable: usize,
    /// Files of the report folder written so far, of how many, while one
    /// is written.
    pub report: Option<(usize, usize)>,
}

/// The top bar: name, File, View and Help menus, machine, theme, UI
/// scale, Clear.
pub fn top_bar_ui(
    ui: &mut egui::Ui,
    bar: &TopBar<'_>,
    export: &mut ExportSettings,
    commands: &mut Vec<Command>,
) {
    ui.horizontal(|ui| {
        ui.heading(RichText::new("corescope").strong());
        ui.separator();
        let menu = FileMenu {
            has_data: bar.has_data,
            recent: bar.recent,
            restorable: bar.restorable,
        };
        super::export::file_menu_ui(ui, &menu, export, commands);
        view_menu_ui(ui, bar, commands);
        ui.menu_button("Help", |ui| {
            shortcuts::menu_item_ui(ui, Action::Help, true, commands);
        });
        ui.separator();
        let m = bar.machine;
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
            let clear = ui
                .add_enabled(bar.can_clear, egui::Button::new("Clear results…"))
                .on_hover_text(
                    "Clear the results table and charts (Undo brings them back until you quit)",
                );
            if clear.clicked() {
                commands.push(Command::AskClear);
            }
            ui.separator();
            let zoom = ui.ctx().zoom_factor();
            let ctx = ui.ctx().clone();
            let hint = |action| shortcuts::hint(&ctx, action);
            if ui
                .button("A+")
                .on_hover_text(hint(Action::ZoomIn))
                .clicked()
            {
                commands.push(Command::SetZoom(zoom + 0.1));
            }
            if ui
                .button(format!("{:.0} %", zoom * 100.0))
                .on_hover_text(hint(Action::ZoomReset))
                .clicked()
            {
                commands.push(Command::SetZoom(1.0));
            }
            if ui
                .button("A−")
                .on_hover_text(hint(Action::ZoomOut))
                .clicked()
            {
                commands.push(Command::SetZoom(zoom - 0.1));
            }
            ui.label("UI scale");
            ui.separator();
            if ui
                .button("⛶ Present")
                .on_hover_text(shortcuts::hint(ui.ctx(), Action::Present))
                .clicked()
            {
                commands.push(Command::Present(true));
            }
            ui.separator();
            let dark = bar.dark;
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

/// The View and Run menus' entries: the tabs, enlarging a chart, the
/// scale, running, cancelling and the next lesson, each with its keys.
fn view_menu_ui(ui: &mut egui::Ui, bar: &TopBar<'_>, commands: &mut Vec<Command>) {
    ui.menu_button("View", |ui| {
        for view in View::ALL {
            shortcuts::menu_item_ui(ui, Action::Tab(view), true, commands);
        }
        shortcuts::menu_item_ui(ui, Action::Enlarge, bar.has_data, commands);
        shortcuts::menu_item_ui(ui, Action::Present, true, commands);
        ui.separator();
        for action in [Action::ZoomIn, Action::ZoomOut, Action::ZoomReset] {
            shortcuts::menu_item_ui(ui, action, true, commands);
        }
    });
    ui.menu_button("Run", |ui| {
        shortcuts::menu_item_ui(ui, Action::Run, !bar.running, commands);
        shortcuts::menu_item_ui(ui, Action::Cancel, bar.running, commands);
        shortcuts::menu_item_ui(ui, Action::NextLesson, !bar.running, commands);
    });
}

/// A labelled single-line text field (the label names it for screen
/// readers and tests); both say on hover what it changes and its unit.
fn text_field(ui: &mut egui::Ui, label: &str, value: &mut String, hint: &str, help: &str) {
    let label = ui.label(label).on_hover_text(help);
    ui.add(
        egui::TextEdit::singleline(value)
            .hint_text(hint)
            .desired_width(150.0),
    )
    .labelled_by(label.id)
    .on_hover_text(help);
    ui.end_row();
}

/// A form label that explains its choice on hover.
fn knob_label(ui: &mut egui::Ui, field: Field) -> egui::Response {
    ui.label(field.label()).on_hover_text(field.help())
}

/// One model's checkbox; a python model without a usable interpreter is
/// disabled, and says why on hover.
fn models_checkbox_ui(
    ui: &mut egui::Ui,
    form: &mut ExperimentForm,
    model: Model,
    python: &std::path::Path,
    dark: bool,
) {
    let mut ticked = form.models.contains(&model);
    let text = RichText::new(model.name()).color(theme::model_color(model, dark));
    let reason = crate::engine::availability::check(model, python)
        .err()
        .map(|why| why.worded(state::field_of));
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

/// The machine settings the form edits beside the experiment, as typed.
#[derive(Debug)]
pub struct TypedPaths<'a> {
    /// The python models' interpreter.
    pub python: &'a mut String,
    /// The MPI models' hostfile.
    pub hostfile: &'a mut String,
}

/// The experiment form, Run/Cancel, progress and messages.
pub fn experiment_ui(
    ui: &mut egui::Ui,
    form: &mut ExperimentForm,
    typed: TypedPaths<'_>,
    run: &RunPanel<'_>,
    commands: &mut Vec<Command>,
) {
    let running = run.live.is_some();
    egui::Panel::bottom("run_controls")
        .resizable(false)
        .show(ui, |ui| run_controls_ui(ui, run, commands));
    egui::ScrollArea::vertical()
        .auto_shrink([false, true])
        .show(ui, |ui| {
            ui.add_space(4.0);
            lessons_ui(ui, form.lesson.as_deref(), running, commands);
            ui.separator();
            ui.heading("Experiment");
            ui.add_space(4.0);
            lesson_lock_ui(ui, form.lesson.as_deref(), running, commands);
            let locked = form.lesson.is_some();
            ui.add_enabled_ui(!running && !locked, |ui| {
                workload_ui(ui, form);
                ui.add_space(8.0);
                models_ui(ui, form, typed.python, run.dark);
                model_knobs_ui(ui, form, typed.hostfile);
                workers_ui(ui, form, run.cores);
            });
        });
}

/// The models' checkboxes: the native ones, then the CPython ones folded
/// with their interpreter and start method.
fn models_ui(ui: &mut egui::Ui, form: &mut ExperimentForm, python_typed: &mut String, dark: bool) {
    let python = python_path(python_typed);
    ui.label(RichText::new("Models").strong())
        .on_hover_text(Field::Models.help());
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
                .show(ui, |ui| python_settings_ui(ui, form, python_typed));
        });
}

/// The python models' interpreter, and their start method while a ticked
/// model uses one.
fn python_settings_ui(ui: &mut egui::Ui, form: &mut ExperimentForm, python_typed: &mut String) {
    text_field(
        ui,
        "Python",
        python_typed,
        "python3",
        "The CPython interpreter the python models run \
         (a path, or a command on PATH; blank: python3)",
    );
    if form.models.iter().any(|m| m.uses_start_method()) {
        knob_label(ui, Field::StartMethod);
        ui.horizontal(|ui| {
            for method in StartMethod::ALL {
                ui.radio_value(&mut form.start_method, method, method.name())
                    .on_hover_text(Field::StartMethod.help());
            }
        });
        ui.end_row();
    }
}

/// The knobs only some models have (runtime threads, switch interval,
/// hostfile), each shown while a ticked model has it.
fn model_knobs_ui(ui: &mut egui::Ui, form: &mut ExperimentForm, hostfile: &mut String) {
    let has = |knob| form.models.iter().any(|m| m.info().has_knob(knob));
    let (threads, interval, hosts) = (
        has(Knob::RuntimeThreads),
        has(Knob::SwitchInterval),
        has(Knob::Hostfile),
    );
    if threads {
        knob_field_ui(
            ui,
            "async_grid",
            "Runtime threads",
            &mut form.runtime_threads,
            "1",
            Field::RuntimeThreads.help(),
        );
    }
    if interval {
        knob_field_ui(
            ui,
            "gil_grid",
            "Switch interval",
            &mut form.switch_interval,
            "5ms",
            Field::SwitchInterval.help(),
        );
    }
    if hosts {
        knob_field_ui(
            ui,
            "mpi_grid",
            "Hostfile",
            hostfile,
            "this machine",
            "mpi, python-mpi: an Open MPI hostfile (a host per line, \
             e.g. `node1 slots=4`); blank: every rank on this machine",
        );
    }
}

/// One knob's labelled text field in its own two-column grid.
fn knob_field_ui(
    ui: &mut egui::Ui,
    grid: &str,
    label: &str,
    value: &mut String,
    hint: &str,
    help: &str,
) {
    egui::Grid::new(grid)
        .num_columns(2)
        .spacing([12.0, 8.0])
        .show(ui, |ui| text_field(ui, label, value, hint, help));
}

/// The workload and its knobs: size, tasks, scaling, payload, codec.
fn workload_ui(ui: &mut egui::Ui, form: &mut ExperimentForm) {
    egui::Grid::new("workload_grid")
        .num_columns(2)
        .spacing([12.0, 8.0])
        .show(ui, |ui| {
            let label = knob_label(ui, Field::Workload);
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
                .labelled_by(label.id)
                .on_hover_text(Field::Workload.help());
            form.set_workload(workload);
            ui.end_row();
            let size_help = format!(
                "How much work one task does, in {} (a count; 10M, 2k)",
                workload.size_meaning()
            );
            text_field(
                ui,
                "Size",
                &mut form.size,
                &workload.default_size().to_string(),
                &size_help,
            );
            ui.label("");
            ui.label(RichText::new(workload.size_meaning()).small().weak());
            ui.end_row();
            text_field(ui, "Tasks", &mut form.tasks, "16", Field::Tasks.help());
            knob_label(ui, Field::Scaling);
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
            if workload.takes_payload() {
                text_field(
                    ui,
                    "Payload",
                    &mut form.payload,
                    "64KiB or 1KiB..16MiB",
                    Field::Payload.help(),
                );
            }
            if workload.uses_payload() {
                knob_label(ui, Field::Codec);
                ui.horizontal(|ui| {
                    for codec in Codec::ALL {
                        ui.radio_value(&mut form.codec, codec, codec.name())
                            .on_hover_text(Field::Codec.help());
                    }
                });
                ui.end_row();
            }
            if workload.uses_payload()
                && form.models.iter().any(|m| m.info().has_knob(Knob::Transport))
            {
                knob_label(ui, Field::Transport);
                ui.horizontal(|ui| {
                    for transport in Transport::ALL {
                        ui.radio_value(&mut form.transport, transport, transport.name())
                            .on_hover_text(Field::Transport.help());
                    }
                });
                ui.end_row();
            }
            if workload == Workload::Mixed {
                text_field(
                    ui,
                    "Waiting %",
                    &mut form.io_percent,
                    "50",
                    Field::IoPercent.help(),
                );
            }
            if workload == Workload::Counter {
                sharing_ui(ui, &mut form.sharing);
            }
        });
}

/// The worker counts and the schedule, chunk, repeats and warm-ups.
fn workers_ui(ui: &mut egui::Ui, form: &mut ExperimentForm, cores: u32) {
    ui.add_space(8.0);
    ui.label(RichText::new("Workers").strong())
        .on_hover_text(Field::Workers.help());
    ui.horizontal(|ui| {
        ui.radio_value(&mut form.sweep, true, "Sweep")
            .on_hover_text("Run every worker count from From to To, one run each");
        ui.radio_value(&mut form.sweep, false, "One count")
            .on_hover_text("Run one worker count only");
    });
    egui::Grid::new("workers_grid")
        .num_columns(2)
        .spacing([12.0, 8.0])
        .show(ui, |ui| {
            if form.sweep {
                let to_help = format!(
                    "The last worker count of the sweep (a count of workers; blank: {cores}, \
                     this machine's logical cores)"
                );
                text_field(
                    ui,
                    "From",
                    &mut form.sweep_from,
                    "1",
                    "The first worker count of the sweep (a count of workers)",
                );
                text_field(ui, "To", &mut form.sweep_to, &cores.to_string(), &to_help);
            } else {
                let help = Field::Workers.help();
                text_field(ui, "Workers", &mut form.workers, &cores.to_string(), help);
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
            knob_label(ui, Field::Schedule);
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
            text_field(ui, "Chunk", &mut form.chunk, "auto", Field::Chunk.help());
            text_field(ui, "Repeats", &mut form.repeats, "3", Field::Repeats.help());
            text_field(ui, "Warm-ups", &mut form.warmup, "1", Field::Warmup.help());
            text_field(
                ui,
                "Time limit",
                &mut form.time_limit,
                "none",
                Field::TimeLimit.help(),
            );
            ui.label("Order");
            ui.horizontal(|ui| {
                for order in Order::ALL {
                    ui.radio_value(&mut form.order, order, order.name())
                        .on_hover_text(match order {
                            Order::Interleaved => {
                                "runs take turns, one repetition each: a busy moment slows every model alike"
                            }
                            Order::Sequential => "each run's repetitions back to back",
                        });
                }
            });
            ui.end_row();
        });
}

/// Run/Cancel, progress and messages, pinned under the form so that they
/// stay in view however long the form grows.
fn run_controls_ui(ui: &mut egui::Ui, panel: &RunPanel<'_>, commands: &mut Vec<Command>) {
    let running = panel.live.is_some();
    ui.add_space(8.0);
    ui.horizontal(|ui| {
        let run = egui::Button::new(RichText::new("▶ Run").size(20.0).strong())
            .min_size(egui::vec2(140.0, 38.0));
        let hint = shortcuts::hint(ui.ctx(), Action::Run);
        if ui.add_enabled(!running, run).on_hover_text(hint).clicked() {
            commands.push(Command::Run);
        }
        let cancelling = panel.live.is_some_and(|l| l.cancelling);
        let cancel = egui::Button::new(RichText::new("■ Cancel").size(20.0))
            .min_size(egui::vec2(120.0, 38.0));
        let hint = shortcuts::hint(ui.ctx(), Action::Cancel);
        if ui
            .add_enabled(running && !cancelling, cancel)
            .on_hover_text(hint)
            .clicked()
        {
            commands.push(Command::Cancel);
        }
    });
    ui.add_space(8.0);
    if let Some(live) = panel.live {
        progress_ui(ui, live);
    }
    if let Some((done, total)) = panel.report {
        let fraction = if total == 0 {
            0.0
        } else {
            done as f32 / total as f32
        };
        ui.add(
            egui::ProgressBar::new(fraction)
                .text(format!("writing the report: {done} of {total} files")),
        );
    }
    messages_ui(ui, panel, commands);
    ui.add_space(4.0);
}

/// Above a form locked to a lesson: which lesson, and the way to change it.
fn lesson_lock_ui(
    ui: &mut egui::Ui,
    lesson: Option<&str>,
    running: bool,
    commands: &mut Vec<Command>,
) {
    let Some(name) = lesson else {
        return;
    };
    let title = presets::find(name).map_or_else(|_| name.to_string(), |p| p.title);
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.label(RichText::new(format!("Lesson: {title}")).strong());
        ui.label(
            RichText::new("The form shows the lesson's experiment; ▶ Run runs exactly that.")
                .small()
                .weak(),
        );
        let tweak = ui
            .add_enabled(!running, egui::Button::new("✏ Tweak this lesson"))
            .on_hover_text(
                "Unlock the form to change the experiment (a lesson of several workloads \
                 or schedules keeps the first)",
            );
        if tweak.clicked() {
            commands.push(Command::TweakLesson);
        }
    });
    ui.add_space(4.0);
}

/// One button per lesson preset: one click loads it into the form and
/// runs it; the lesson the form shows is marked.
fn lessons_ui(
    ui: &mut egui::Ui,
    current: Option<&str>,
    running: bool,
    commands: &mut Vec<Command>,
) {
    ui.heading("Lessons")
        .on_hover_text(shortcuts::hint(ui.ctx(), Action::NextLesson));
    match presets::all() {
        Ok(all) => {
            ui.horizontal_wrapped(|ui| {
                for (i, preset) in all.iter().enumerate() {
                    let text = format!("{} {}", i + 1, preset.name);
                    let button =
                        egui::Button::new(text).selected(current == Some(preset.name.as_str()));
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

fn progress_ui(ui: &mut egui::Ui, live: &LiveRun) {
    let fraction = live.fraction();
    let left = live.seconds_left().map_or(String::new(), |s| {
        format!(" · ~{} left", format::seconds(s.max(0.0)))
    });
    ui.add(egui::ProgressBar::new(fraction).text(format!("{:.0} %{left}", fraction * 100.0)));
    let progress = &live.progress;
    let what = match progress.current_run() {
        Some((i, run)) => {
            let repetition = progress.repetition.map_or(String::new(), |r| {
                format!(" · repetition {} of {}", r + 1, run.warmup + run.repeats)
            });
            format!(
                "run {} of {}: {}{repetition}",
                i + 1,
                progress.runs.len(),
                run.label()
            )
        }
        None => "starting…".to_string(),
    };
    let what = if live.cancelling {
        "cancelling…".to_string()
    } else {
        what
    };
    ui.label(what);
}

/// The status line: the form's error, the last error and notice, and the
/// Undo of a Clear.
fn messages_ui(ui: &mut egui::Ui, panel: &RunPanel<'_>, commands: &mut Vec<Command>) {
    let messages = panel.messages;
    let red = theme::error_color(panel.dark);
    if let Some(e) = &messages.form_error {
        ui.add_space(6.0);
        ui.label(RichText::new(format!("⚠ {}", describe_spec_error(e))).color(red));
    }
    if let Some(error) = &messages.error {
        ui.add_space(6.0);
        ui.label(RichText::new(format!("⚠ {error}")).color(red));
    }
    if let Some(notice) = &messages.notice {
        ui.add_space(6.0);
        ui.label(notice);
    }
    if messages.offer_undo && panel.restorable > 0 {
        let hint = shortcuts::hint(ui.ctx(), Action::UndoClear);
        if ui.button("Undo").on_hover_text(hint).clicked() {
            commands.push(Command::UndoClear);
        }
    }
    let any = messages.error.is_some() || messages.notice.is_some();
    if any && ui.small_button("Dismiss").clicked() {
        commands.push(Command::DismissError);
    }
}

/// A validation error in the words of the form rather than the flags.
pub fn describe_spec_error(error: &SpecError) -> String {
    let message = if error.missing && error.field == Field::Models {
        "tick at least one model"
    } else {
        &error.message
    };
    format!("{}: {message}", error.field.label())
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
    /// The experiment's lesson, if it ran one.
    Lesson,
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
            // Set by the table, which knows each experiment's lesson.
            SortColumn::Lesson => std::cmp::Ordering::Equal,
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

/// The table of every finished run, sortable by clicking a header; a click
/// on a row shows that run's experiment in the charts. Its heading folds
/// it away (`folded`), leaving the charts the room.
pub fn results_table_ui(
    ui: &mut egui::Ui,
    results: &ResultsStore,
    shown: Option<usize>,
    table_sort: &mut TableSort,
    folded: &mut bool,
    dark: bool,
    commands: &mut Vec<Command>,
) {
    results_heading_ui(ui, results, folded);
    if *folded {
        return;
    }
    // An arrow marks the experiment the charts show, once there are several.
    let marked = shown.filter(|_| results.experiments.len() > 1);
    let sort = *table_sort;
    let rows = sorted_rows(results, sort);
    let columns = table::Column::STORED;
    let headers = [
        ("#", SortColumn::Experiment),
        ("lesson", SortColumn::Lesson),
    ]
    .into_iter()
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
                .column(Column::auto().resizable(true))
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
                        let shown = Some(experiment) == marked;
                        let lesson = lesson_of(results, experiment);
                        results_row_ui(&mut row, (experiment, run), shown, lesson, dark);
                        if row.response().clicked() {
                            commands.push(Command::Select(experiment));
                        }
                    });
                });
        });
    if let Some(sort) = new_sort {
        *table_sort = sort;
    }
}

/// The results table's heading: its fold button and how many runs it
/// holds.
fn results_heading_ui(ui: &mut egui::Ui, results: &ResultsStore, folded: &mut bool) {
    ui.horizontal(|ui| {
        let arrow = if *folded { "⏵" } else { "⏷" };
        if ui
            .button(RichText::new(format!("{arrow} Results")).strong())
            .on_hover_text(if *folded {
                "Show the results table"
            } else {
                "Fold the results table away (drag its top edge to resize it)"
            })
            .clicked()
        {
            *folded = !*folded;
        }
        let count = results.runs().count();
        let experiments = results.experiments.len();
        let text = format!(
            "{count} run{} in {experiments} experiment{} · click a row to chart its experiment",
            plural(count),
            plural(experiments)
        );
        ui.label(RichText::new(text).weak());
    });
}

/// The lesson an experiment ran, or "" for one of the user's own.
fn lesson_of(results: &ResultsStore, experiment: usize) -> &str {
    results
        .experiments
        .get(experiment)
        .and_then(|set| set.preset.as_deref())
        .unwrap_or("")
}

/// Every stored run with its experiment's index, in the table's order.
fn sorted_rows(results: &ResultsStore, sort: TableSort) -> Vec<(usize, &RunRecord)> {
    let mut rows: Vec<(usize, &RunRecord)> = results.runs().collect();
    rows.sort_by(|a, b| match sort.column {
        SortColumn::Lesson => {
            let order = lesson_of(results, a.0).cmp(lesson_of(results, b.0));
            if sort.descending {
                order.reverse()
            } else {
                order
            }
        }
        _ => sort.compare(a, b),
    });
    rows
}

/// One run's row: its experiment (marked when the charts show it), its
/// lesson, and the stored columns, the model in its colour.
fn results_row_ui(
    row: &mut egui_extras::TableRow<'_, '_>,
    (experiment, run): (usize, &RunRecord),
    shown: bool,
    lesson: &str,
    dark: bool,
) {
    row.col(|ui| {
        let mark = if shown { "▶ " } else { "" };
        ui.label(format!("{mark}{}", experiment + 1));
    });
    row.col(|ui| {
        ui.label(if lesson.is_empty() {
            table::MISSING
        } else {
            lesson
        });
    });
    // Only the rows in view are formatted.
    let columns = table::Column::STORED;
    let cells = table::Row::of(&columns, run);
    let color = theme::model_color(cells.model, dark);
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
}

/// Asks before Clear empties the results table.
pub fn confirm_clear_ui(
    ctx: &egui::Context,
    results: &ResultsStore,
    restorable: usize,
    commands: &mut Vec<Command>,
) {
    egui::Modal::new(egui::Id::unique("confirm_clear")).show(ctx, |ui| {
        ui.heading("Clear all results?");
        let (runs, experiments) = (results.runs().count(), results.experiments.len());
        ui.label(format!(
            "{runs} run{} in {experiments} experiment{} leave the table, the charts and \
             this machine's results file.",
            plural(runs),
            plural(experiments),
        ));
        ui.label(format!(
            "Until you quit, Undo ({}) brings them back{}. Result files you opened are not touched.",
            shortcuts::keys_text(ctx, Action::UndoClear),
            if restorable > 0 {
                ", with those cleared before"
            } else {
                ""
            }
        ));
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            if ui.button("Clear results").clicked() {
                commands.push(Command::ConfirmClear);
            }
            if ui.button("Keep them").clicked() {
                commands.push(Command::DismissClear);
            }
        });
    });
}

/// The counter's sharing modes, each a checkbox: every one ticked is run.
fn sharing_ui(ui: &mut egui::Ui, ticked: &mut Vec<Sharing>) {
    ui.label("Sharing")
        .on_hover_text("How workers share the counter; each mode ticked is a run of its own");
    ui.horizontal_wrapped(|ui| {
        for sharing in Sharing::ALL {
            let mut on = ticked.contains(&sharing);
            if ui.checkbox(&mut on, sharing.name()).changed() {
                ticked.retain(|&s| s != sharing);
                if on {
                    ticked.push(sharing);
                }
            }
        }
    });
    ui.end_row();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::testing::record;
    use crate::spec::RawExperiment;

    #[test]
    fn a_spec_error_reads_in_the_forms_words_and_the_cli_keeps_its_flag() {
        let mut raw = super::super::state::ExperimentForm::default().raw(2);
        raw.warmup = "many".to_string();
        let error = raw.validate(&[2]).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("--warmup: 'many' is not a number")
        );
        assert!(describe_spec_error(&error).starts_with("Warm-ups: 'many' is not a number"));
        let none = RawExperiment {
            models: String::new(),
            ..raw
        };
        let error = none.validate(&[2]).unwrap_err();
        assert!(error.to_string().starts_with("--models: no model given"));
        assert_eq!(
            describe_spec_error(&error),
            "Models: tick at least one model"
        );
    }

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
