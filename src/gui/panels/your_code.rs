//! The "Your code" workload's rows in the form: the Python file (typed,
//! or chosen with the Open dialog), the functions found in it to pick
//! from (read with `ast`, the file not run), and one timed call of the
//! chosen function before the sweep. The interpreter answers on threads
//! of the [`CodeProbe`]; what it could not do is said here, in a line.

use std::path::Path;

use eframe::egui::{self, RichText};

use super::super::code_probe::{CodeProbe, Probed};
use super::super::command::Command;
use super::super::state::ExperimentForm;
use super::super::theme;
use crate::python::functions::Function;
use crate::settings::Setting;
use crate::workload::CodeTarget;

/// The file, function and one-call rows, in the workload's grid.
pub fn your_code_ui(
    ui: &mut egui::Ui,
    form: &mut ExperimentForm,
    python: &Path,
    probe: &mut CodeProbe,
    dark: bool,
    commands: &mut Vec<Command>,
) {
    let (mut file, function) = form.code();
    let help = Setting::Code.help();
    let label = ui.label("File").on_hover_text(help);
    ui.horizontal(|ui| {
        let edited = ui
            .add(
                egui::TextEdit::singleline(&mut file)
                    .hint_text("a Python file (.py)")
                    .desired_width(150.0),
            )
            .labelled_by(label.id)
            .on_hover_text(help)
            .changed();
        if edited {
            form.set_code(&file, &function);
        }
        if ui
            .button("Open…")
            .on_hover_text("Choose the Python file whose function each task calls")
            .clicked()
        {
            commands.push(Command::AskCodeFile);
        }
    });
    ui.end_row();
    if file.trim().is_empty() {
        hint_row_ui(ui, "choose a Python file: its functions are listed here");
        return;
    }
    let ctx = ui.ctx().clone();
    let picked = match probe.functions(python, Path::new(file.trim()), &ctx) {
        Probed::Unasked | Probed::Asking => {
            hint_row_ui(ui, "reading the file's functions…");
            return;
        }
        Probed::Failed(why) => {
            error_row_ui(ui, why, dark);
            return;
        }
        Probed::Found(found) => function_row_ui(ui, found, &function, dark),
    };
    if let Some(name) = picked.filter(|name| *name != function) {
        form.set_code(&file, &name);
    }
    let (file, function) = form.code();
    if function.is_empty() {
        return;
    }
    let target = CodeTarget {
        file: file.trim().into(),
        function,
    };
    one_call_ui(ui, probe, python, &target, dark);
}

/// The function picker: the functions that take one argument (the
/// others shown, greyed, with why); returns a new pick, or the first
/// usable function when none of them is picked yet.
fn function_row_ui(
    ui: &mut egui::Ui,
    found: &[Function],
    picked: &str,
    dark: bool,
) -> Option<String> {
    let usable: Vec<&Function> = found.iter().filter(|f| f.takes_one).collect();
    let label = ui
        .label("Function")
        .on_hover_text("The function each task calls: f(i), or f(x) for each x of inputs()");
    let Some(first) = usable.first() else {
        let names: Vec<&str> = found.iter().map(|f| f.name.as_str()).collect();
        let why = if names.is_empty() {
            "the file defines no function at its top level".to_string()
        } else {
            format!(
                "no function here takes one argument ({}); corescope calls f(i)",
                names.join(", ")
            )
        };
        ui.label(RichText::new(why).color(theme::error_color(dark)));
        ui.end_row();
        return None;
    };
    let mut choice = if usable.iter().any(|f| f.name == picked) {
        picked.to_string()
    } else {
        first.name.clone()
    };
    egui::ComboBox::from_id_salt("code-function")
        .selected_text(&choice)
        .width(150.0)
        .show_ui(ui, |ui| {
            for f in found {
                let text = if f.is_async {
                    format!("async {} (line {})", f.name, f.line)
                } else {
                    format!("{} (line {})", f.name, f.line)
                };
                ui.add_enabled_ui(f.takes_one, |ui| {
                    ui.selectable_value(&mut choice, f.name.clone(), text)
                        .on_disabled_hover_text("takes no argument, or more than one");
                });
            }
        })
        .response
        .labelled_by(label.id);
    ui.end_row();
    Some(choice)
}

/// What one call took (or raised): timed as soon as a function is
/// picked, while the form can be edited (never during a run, which it
/// would disturb), and again on "Time again".
fn one_call_ui(
    ui: &mut egui::Ui,
    probe: &mut CodeProbe,
    python: &Path,
    target: &CodeTarget,
    dark: bool,
) {
    let ctx = ui.ctx().clone();
    ui.label("One call").on_hover_text(
        "Imports the file and calls the function once, as task 0 would be, before any sweep",
    );
    let unasked = probe.timing(python, target) == Probed::Unasked;
    if unasked && ui.is_enabled() {
        probe.time(python, target, &ctx);
    }
    ui.horizontal(|ui| {
        let state = probe.timing(python, target);
        let asking = state == Probed::Asking;
        let said = match state {
            Probed::Unasked => None,
            Probed::Asking => Some(RichText::new("calling…").weak()),
            Probed::Found(seconds) => Some(RichText::new(format!(
                "{}(…) took {}",
                target.function,
                crate::format::seconds(*seconds)
            ))),
            Probed::Failed(why) => {
                Some(RichText::new(why.to_string()).color(theme::error_color(dark)))
            }
        };
        let clicked = ui
            .add_enabled(!asking, egui::Button::new("Time again"))
            .on_hover_text("Call the function once more and time it")
            .clicked();
        if let Some(said) = said {
            ui.add(egui::Label::new(said).wrap());
        }
        if clicked {
            probe.time(python, target, &ctx);
        }
    });
    ui.end_row();
}

/// A weak note in the value column.
fn hint_row_ui(ui: &mut egui::Ui, text: &str) {
    ui.label("");
    ui.label(RichText::new(text).small().weak());
    ui.end_row();
}

/// What went wrong reading the file, in the value column.
fn error_row_ui(ui: &mut egui::Ui, text: &str, dark: bool) {
    ui.label("");
    let text = RichText::new(text).color(theme::error_color(dark));
    ui.add(egui::Label::new(text).wrap());
    ui.end_row();
}
