//! Pieces the central views share: the run picker (its choice kept in
//! egui's memory for the session), the y axis of named rows, and the line
//! shown when there is nothing to draw, and what a lesson this machine
//! cannot run says in its place.

use super::command::Command;
use eframe::egui::{self, RichText};

use crate::activity;
use crate::results::{ResultSet, RunRecord};

/// What the run picker remembers between frames.
#[derive(Debug, Clone, Default)]
pub struct ViewState {
    /// The run shown by the timeline and CPU views: the experiment (by its
    /// creation time) and the run's index in it; otherwise its last run.
    pub run: Option<(String, usize)>,
}

fn state_id() -> egui::Id {
    egui::Id::unique("corescope-views")
}

/// Reads the run picker's state.
pub fn state(ctx: &egui::Context) -> ViewState {
    ctx.data(|d| d.get_temp::<ViewState>(state_id()))
        .unwrap_or_default()
}

/// Stores the run picker's state.
pub fn set_state(ctx: &egui::Context, state: ViewState) {
    ctx.data_mut(|d| d.insert_temp(state_id(), state));
}

/// The run the timeline and CPU views show, with its index.
pub fn chosen_run<'a>(set: &'a ResultSet, state: &ViewState) -> Option<(usize, &'a RunRecord)> {
    let index = state
        .run
        .as_ref()
        .filter(|(created, i)| *created == set.created && *i < set.runs.len())
        .map(|(_, i)| *i)
        .or_else(|| set.runs.len().checked_sub(1))?;
    set.runs.get(index).map(|run| (index, run))
}

/// A menu of the experiment's runs; returns the index of the one chosen.
pub fn run_picker_ui(ui: &mut egui::Ui, set: &ResultSet) -> Option<usize> {
    let mut state = state(ui.ctx());
    let (index, run) = chosen_run(set, &state)?;
    let label = |i: usize, r: &RunRecord| format!("{}: {}", i + 1, activity::run_title(r));
    ui.label("Run:");
    egui::ComboBox::from_id_salt("run-picker")
        .selected_text(label(index, run))
        .width(ui.available_width().min(520.0))
        .show_ui(ui, |ui| {
            for (i, r) in set.runs.iter().enumerate() {
                if ui.selectable_label(i == index, label(i, r)).clicked() {
                    state.run = Some((set.created.clone(), i));
                }
            }
        });
    set_state(ui.ctx(), state.clone());
    chosen_run(set, &state).map(|(i, _)| i)
}

/// The line under the tabs when there is nothing to show.
pub fn placeholder_ui(ui: &mut egui::Ui, text: &str) {
    ui.centered_and_justified(|ui| {
        ui.label(RichText::new(text).size(22.0).weak());
    });
}

/// In place of a lesson's charts, when this machine cannot run it: why,
/// in large type, and the one command that gets what it lacks (selectable,
/// to copy). `centered`: in presentation mode's middle.
pub fn missing_ui(
    ui: &mut egui::Ui,
    lack: &crate::export::deck::Missing,
    centered: bool,
    session: &crate::session::Session,
    commands: &mut Vec<Command>,
) {
    let heading = ui.text_style_height(&egui::TextStyle::Heading);
    let strong = ui.visuals().strong_text_color();
    let sentence = format!("This machine cannot run this lesson: {}.", lack.reason);
    let size = if centered { heading } else { heading * 0.9 };
    ui.add(egui::Label::new(RichText::new(sentence).size(size).color(strong)).wrap());
    ui.add_space(heading * 0.4);
    ui.add(egui::Label::new(RichText::new("To get it, run:").size(size * 0.85)).wrap());
    ui.add(
        egui::Label::new(
            RichText::new(&lack.command)
                .monospace()
                .size(size)
                .color(strong),
        )
        .selectable(true)
        .wrap(),
    );
    if lack.command == crate::export::deck::FREE_THREADED_BUILD {
        ui.add_space(heading * 0.4);
        python_build_ui(ui, session.python_build.as_ref(), size, commands);
    }
}

/// The free-threaded CPython build from the window: a button that starts
/// it, then its step, a progress bar by the usual time, its last line and
/// a Stop button; where it failed, its last lines.
fn python_build_ui(
    ui: &mut egui::Ui,
    build: Option<&crate::free_threaded::Build>,
    size: f32,
    commands: &mut Vec<Command>,
) {
    use crate::free_threaded::TYPICAL;
    let running = build.is_some_and(|b| b.outcome.is_none());
    if !running {
        let minutes = TYPICAL.as_secs().div_ceil(60);
        let label = format!("▶ Or build it here (about {minutes} minutes on 2 cores)");
        if ui.button(RichText::new(label).size(size * 0.85)).clicked() {
            commands.push(Command::BuildFreeThreaded);
        }
    }
    let Some(build) = build else {
        return;
    };
    if running {
        let elapsed = crate::format::seconds(build.elapsed().as_secs_f64().round());
        ui.label(
            RichText::new(format!("Building: {} · {elapsed}", build.step.describe()))
                .size(size * 0.8),
        );
        ui.add(egui::ProgressBar::new(build.fraction()).animate(true));
        if build.stopping() {
            ui.label(RichText::new("Stopping the build…").size(size * 0.8));
        } else if ui.button("■ Stop the build").clicked() {
            commands.push(Command::CancelBuild);
        }
    }
    let shown = if running { 1 } else { build.lines.len() };
    for line in build.lines.iter().rev().take(shown).rev() {
        ui.add(egui::Label::new(RichText::new(line).monospace().small()).truncate());
    }
}
