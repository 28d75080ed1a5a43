//! The run panel pinned under the form: Run and Cancel, the progress of
//! the experiment (and of a report being written), the messages, and the
//! lesson buttons and lock above the form.

use eframe::egui::{self, RichText};

use super::super::command::Command;
use super::super::shortcuts::{self, Action};
use super::super::theme;
use crate::format;
use crate::presets;
use crate::session::{LiveRun, Messages};
use crate::spec::{Setting, SpecError};

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

/// Run/Cancel, progress and messages, pinned under the form so that they
/// stay in view however long the form grows.
pub(super) fn run_controls_ui(
    ui: &mut egui::Ui,
    panel: &RunPanel<'_>,
    commands: &mut Vec<Command>,
) {
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
pub(super) fn lesson_lock_ui(
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
pub(super) fn lessons_ui(
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
    if let Some(note) = &progress.note {
        ui.label(egui::RichText::new(note).italics());
    }
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
    let message = if error.missing && error.setting == Setting::Models {
        "tick at least one model"
    } else {
        &error.message
    };
    format!("{}: {message}", error.setting.label())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spec_error_reads_in_the_forms_words_and_the_cli_keeps_its_flag() {
        let raw = crate::gui::state::ExperimentForm::default()
            .raw(2)
            .with(Setting::Warmup, "many");
        let error = raw.validate(&[2]).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("--warmup: 'many' is not a number")
        );
        assert!(describe_spec_error(&error).starts_with("Warm-ups: 'many' is not a number"));
        let mut none = raw;
        none.set(Setting::Models, None);
        let error = none.validate(&[2]).unwrap_err();
        assert!(error.to_string().starts_with("--models: no model given"));
        assert_eq!(
            describe_spec_error(&error),
            "Models: tick at least one model"
        );
    }
}
