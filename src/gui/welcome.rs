//! The first-run view: what the central area shows while there are no
//! results yet. It says in two sentences what corescope is, offers the
//! lessons as the way in, and has one button that runs the first lesson;
//! the form on the left stays for those who want their own experiment.

use eframe::egui::{self, RichText};

use super::command::Command;
use super::shortcuts::{self, Action};
use crate::presets;

/// What corescope is, in two sentences.
pub const ABOUT: [&str; 2] = [
    "corescope runs the same work serially, on threads and in worker processes on this machine, \
     and charts how long it took, how much faster the parallel runs were and what the processes cost to feed.",
    "Nothing is simulated: every number is measured here, now, on the cores you have.",
];

/// The text of the one button.
pub const RUN_FIRST: &str = "▶ Run the first lesson";

/// The first-run view.
pub fn first_run_ui(ui: &mut egui::Ui, commands: &mut Vec<Command>) {
    let lessons = match presets::all() {
        Ok(all) => all,
        Err(e) => {
            ui.label(e.to_string());
            return;
        }
    };
    egui::ScrollArea::vertical().show(ui, |ui| {
        ui.add_space(16.0);
        ui.vertical_centered(|ui| {
            ui.set_max_width(720.0);
            ui.heading(RichText::new("Welcome to corescope").size(26.0).strong());
            ui.add_space(8.0);
            for sentence in ABOUT {
                ui.label(RichText::new(sentence).size(16.0));
                ui.add_space(2.0);
            }
            ui.add_space(14.0);
            if let Some(first) = lessons.first() {
                run_first_ui(ui, first, commands);
            }
            ui.add_space(14.0);
            lessons_ui(ui, lessons);
            ui.add_space(12.0);
            let ctx = ui.ctx().clone();
            ui.label(
                RichText::new(format!(
                    "Or set up your own experiment on the left and press Run ({}), \
                     open a saved result set ({}), or drop one here. {} lists every shortcut.",
                    shortcuts::keys_text(&ctx, Action::Run),
                    shortcuts::keys_text(&ctx, Action::Open),
                    shortcuts::keys_text(&ctx, Action::Help),
                ))
                .weak(),
            );
        });
    });
}

/// The one button, and the lesson it runs.
fn run_first_ui(ui: &mut egui::Ui, first: &presets::Preset, commands: &mut Vec<Command>) {
    let button = egui::Button::new(RichText::new(RUN_FIRST).size(20.0).strong())
        .min_size(egui::vec2(260.0, 44.0));
    let hover = format!(
        "{}\n\n{}\n\nThen {} runs the next one.",
        first.title,
        first.claim,
        shortcuts::keys_text(ui.ctx(), Action::NextLesson)
    );
    if ui.add(button).on_hover_text(hover).clicked() {
        commands.push(Command::RunPreset(first.name.clone()));
    }
    ui.label(RichText::new(format!("1 · {}", first.title)).weak());
}

/// The lessons, numbered: the way in.
fn lessons_ui(ui: &mut egui::Ui, lessons: &[presets::Preset]) {
    ui.label(
        RichText::new(
            "The lessons are the way in: each runs a short experiment that shows one claim.",
        )
        .size(16.0)
        .strong(),
    );
    ui.label(
        RichText::new(format!(
            "The Lessons buttons on the left run any of them; {} runs the next.",
            shortcuts::keys_text(ui.ctx(), Action::NextLesson)
        ))
        .weak(),
    );
    ui.add_space(6.0);
    egui::Frame::group(ui.style()).show(ui, |ui| {
        egui::Grid::new("welcome_lessons")
            .num_columns(2)
            .spacing([12.0, 4.0])
            .show(ui, |ui| {
                for (i, preset) in lessons.iter().enumerate() {
                    ui.label(RichText::new(format!("{}", i + 1)).strong());
                    ui.label(&preset.title).on_hover_text(&preset.claim);
                    ui.end_row();
                }
            });
    });
}
