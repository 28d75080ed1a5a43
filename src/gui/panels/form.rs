//! The experiment form: the workload, the models and the worker counts,
//! and every other setting of the catalogue drawn from its descriptor
//! (label, hover text, hint, widget by its kind), in its section, while a
//! ticked model uses it and it means something for the workload. A new
//! setting appears here without a change.

use eframe::egui::{self, RichText};

use super::super::code_probe::CodeProbe;
use super::super::command::Command;
use super::super::state::{self, ExperimentForm, python_path};
use super::super::theme;
use super::run_panel::{RunPanel, lesson_lock_ui, lessons_ui, run_controls_ui};
use super::your_code::your_code_ui;
use crate::remedy::Remedied;
use crate::settings::{Fallback, Group, Section, Setting, ValueKind};
use crate::spec::{self, Model};
use crate::workload::Workload;

/// The machine settings the form edits beside the experiment, as typed.
#[derive(Debug)]
pub struct TypedPaths<'a> {
    /// The python models' interpreter.
    pub python: &'a mut String,
    /// The MPI models' hostfile.
    pub hostfile: &'a mut String,
}

/// Where the form keeps a setting's text: the experiment's in the form,
/// the machine's (interpreter, hostfile) in the app's settings.
struct Fields<'f, 'p> {
    form: &'f mut ExperimentForm,
    typed: &'f mut TypedPaths<'p>,
    /// What the interpreter said of your code's file.
    probe: &'f mut CodeProbe,
    dark: bool,
    commands: &'f mut Vec<Command>,
}

impl Fields<'_, '_> {
    fn text_mut(&mut self, setting: Setting) -> &mut String {
        match setting {
            Setting::Python => self.typed.python,
            Setting::Hostfile => self.typed.hostfile,
            _ => self.form.text_mut(setting),
        }
    }
}

/// The experiment form, Run/Cancel, progress and messages.
pub fn experiment_ui(
    ui: &mut egui::Ui,
    form: &mut ExperimentForm,
    mut typed: TypedPaths<'_>,
    probe: &mut CodeProbe,
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
                let mut fields = Fields {
                    form,
                    typed: &mut typed,
                    probe,
                    dark: run.dark,
                    commands,
                };
                workload_ui(ui, &mut fields);
                ui.add_space(8.0);
                models_ui(ui, &mut fields, run.dark);
                workers_ui(ui, &mut fields, run.cores);
            });
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

/// What a blank field means, shown greyed in it.
fn hint(setting: Setting, workload: Workload) -> String {
    match setting.info().fallback {
        Fallback::Value(text) => text.to_string(),
        Fallback::Off => "none".to_string(),
        Fallback::Derived if setting == Setting::Size => workload.default_size().to_string(),
        Fallback::Derived if setting == Setting::Tasks => workload.default_tasks().to_string(),
        Fallback::Derived => "auto".to_string(),
    }
}

/// One setting's row in a two-column grid, its widget chosen by the kind
/// of value it takes: radio buttons for one name, checkboxes for several,
/// a text field for the rest.
fn setting_ui(ui: &mut egui::Ui, fields: &mut Fields<'_, '_>, setting: Setting) {
    let info = setting.info();
    let workload = fields.form.workload;
    let mut help = spec::describe(setting);
    if setting == Setting::Size {
        help = format!("{help}; for {workload}: {}", workload.size_meaning());
    }
    match info.kind {
        ValueKind::Choice { names, many } => {
            ui.label(info.label).on_hover_text(&help);
            let chosen = fields.form.chosen(setting);
            ui.horizontal_wrapped(|ui| {
                for name in names() {
                    let mut on = chosen.iter().any(|c| c == name);
                    let response = if many {
                        ui.checkbox(&mut on, name)
                    } else {
                        ui.radio(on, name)
                    };
                    let response = response.on_hover_text(&help);
                    if response.clicked() {
                        fields
                            .form
                            .choose(setting, name, if many { on } else { true });
                    }
                }
            });
            ui.end_row();
        }
        _ => {
            let hint = hint(setting, workload);
            text_field(ui, info.label, fields.text_mut(setting), &hint, &help);
        }
    }
}

/// A small note under a setting's field, where the value needs one.
fn note_ui(ui: &mut egui::Ui, form: &ExperimentForm, setting: Setting) {
    let note = match setting {
        Setting::Size => form.workload.size_meaning(),
        Setting::Scaling if form.chosen(setting).iter().any(|s| s == "weak") => {
            "tasks are per worker"
        }
        _ => return,
    };
    ui.label("");
    ui.label(RichText::new(note).small().weak());
    ui.end_row();
}

/// The settings of `section` the form shows now, in catalogue order
/// (the workload, models and workers have widgets of their own).
fn shown_in(form: &ExperimentForm, section: Section) -> Vec<Setting> {
    state::form_settings()
        .chain(Setting::ALL.into_iter().filter(|s| s.is_machine()))
        .filter(|&s| s.info().section == section && form.shows(s))
        .collect()
}

/// The workload and the settings beside it: size, tasks, scaling,
/// payload and the rest the workload and the ticked models use.
fn workload_ui(ui: &mut egui::Ui, fields: &mut Fields<'_, '_>) {
    egui::Grid::new("workload_grid")
        .num_columns(2)
        .spacing([12.0, 8.0])
        .show(ui, |ui| {
            let help = spec::describe(Setting::Workload);
            let label = ui.label(Setting::Workload.label()).on_hover_text(&help);
            let mut workload = fields.form.workload;
            egui::ComboBox::from_id_salt("workload")
                .selected_text(workload_name(workload))
                .width(150.0)
                // Every workload in view, your code the last.
                .height(400.0)
                .show_ui(ui, |ui| {
                    for w in Workload::ALL.into_iter().chain([Workload::Code]) {
                        ui.selectable_value(&mut workload, w, workload_name(w));
                    }
                })
                .response
                .labelled_by(label.id)
                .on_hover_text(&help);
            fields.form.set_workload(workload);
            ui.end_row();
            if workload == Workload::Code {
                let python = python_path(fields.typed.python);
                your_code_ui(
                    ui,
                    fields.form,
                    &python,
                    fields.probe,
                    fields.dark,
                    fields.commands,
                );
            }
            for setting in shown_in(fields.form, Section::Workload) {
                setting_ui(ui, fields, setting);
                note_ui(ui, fields.form, setting);
            }
        });
}

/// A workload as the menu names it: your own Python function as "Your
/// code" (the catalogue's label for `--code`).
fn workload_name(workload: Workload) -> &'static str {
    match workload {
        Workload::Code => Setting::Code.label(),
        other => other.name(),
    }
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

/// The models' checkboxes: corescope's own, then CPython's folded with
/// the interpreter's settings; under them the settings only some ticked
/// models use.
fn models_ui(ui: &mut egui::Ui, fields: &mut Fields<'_, '_>, dark: bool) {
    let python = python_path(fields.typed.python);
    ui.label(RichText::new(Setting::Models.label()).strong())
        .on_hover_text(spec::describe(Setting::Models));
    for model in Model::ALL.into_iter().filter(|m| !m.is_python()) {
        models_checkbox_ui(ui, fields.form, model, &python, dark);
    }
    let interpreter = |s: Setting| s.info().group == Group::Interpreter;
    // Folded away until wanted, so the form keeps its height.
    egui::CollapsingHeader::new("CPython models (the real GIL)")
        .default_open(fields.form.models.iter().any(|m| m.is_python()))
        .show(ui, |ui| {
            for model in Model::ALL.into_iter().filter(|m| m.is_python()) {
                models_checkbox_ui(ui, fields.form, model, &python, dark);
            }
            // The interpreter stays in view while no python model is
            // ticked: it is what makes them available.
            let shown: Vec<Setting> = Setting::ALL
                .into_iter()
                .filter(|&s| interpreter(s) && (s.is_machine() || fields.form.shows(s)))
                .collect();
            egui::Grid::new("python_grid")
                .num_columns(2)
                .spacing([12.0, 8.0])
                .show(ui, |ui| {
                    for setting in shown {
                        setting_ui(ui, fields, setting);
                    }
                });
        });
    let knobs: Vec<Setting> = shown_in(fields.form, Section::Models)
        .into_iter()
        .filter(|&s| !interpreter(s))
        .collect();
    if !knobs.is_empty() {
        egui::Grid::new("model_settings_grid")
            .num_columns(2)
            .spacing([12.0, 8.0])
            .show(ui, |ui| {
                for setting in knobs {
                    setting_ui(ui, fields, setting);
                }
            });
    }
}

/// The worker counts, then how tasks are handed out and measured.
fn workers_ui(ui: &mut egui::Ui, fields: &mut Fields<'_, '_>, cores: u32) {
    let form = &mut *fields.form;
    ui.add_space(8.0);
    let help = spec::describe(Setting::Workers);
    ui.label(RichText::new(Setting::Workers.label()).strong())
        .on_hover_text(&help);
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
                let label = Setting::Workers.label();
                text_field(ui, label, &mut form.workers, &cores.to_string(), &help);
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
            for setting in shown_in(fields.form, Section::Runs) {
                setting_ui(ui, fields, setting);
            }
        });
}
