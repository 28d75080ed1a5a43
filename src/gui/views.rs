//! The central area's views: a tab strip on top switches between the
//! scaling charts ([`super::plots`]), a run's timeline
//! ([`super::timeline`]) and the cores and memory ([`super::live`]). The
//! chosen tab is a persisted setting. A lesson chosen but not measured
//! here takes the charts' place with its own screen (what it needs, if
//! this machine lacks something), never the previous lesson's charts.

use eframe::egui::{self, RichText};

use super::command::Command;
use super::state::{ChartSettings, View};
use super::{live, plots, timeline, welcome};
use crate::chart::ChartKind;
use crate::session::Session;

/// The least height of the central area: the top bar, the tabs, the
/// lesson's folded line and verdict, the charts' header and their first
/// row at its least readable height (the second row scrolls).
pub const CENTRAL_MIN_HEIGHT: f32 = 40.0 + 45.0 + 200.0 + plots::CHARTS_ROW_MIN_HEIGHT;

/// The lesson the form is locked to, if any, and the interpreter its
/// python models would use.
#[derive(Debug, Clone)]
pub struct LessonShown {
    pub name: Option<String>,
    pub python: std::path::PathBuf,
}

/// The tab strip and the chosen view below it.
pub fn central_ui(
    ui: &mut egui::Ui,
    view: &mut View,
    session: &Session,
    charts: &mut ChartSettings,
    focused: Option<ChartKind>,
    lesson: &LessonShown,
    commands: &mut Vec<Command>,
) {
    ui.horizontal(|ui| {
        for tab in View::ALL {
            let text = RichText::new(tab.label()).size(17.0);
            let hint = super::shortcuts::hint(ui.ctx(), super::shortcuts::Action::Tab(tab));
            if ui
                .selectable_label(*view == tab, text)
                .on_hover_text(hint)
                .clicked()
            {
                *view = tab;
            }
        }
    });
    ui.separator();
    let shown = session.shown();
    match *view {
        // Before the first result, the first-run view stands in for the charts.
        View::Scaling if session.results.experiments.is_empty() && !session.is_running() => {
            match unmeasured(session, lesson) {
                Some(name) => lesson_screen_ui(ui, name, session, &lesson.python, commands),
                None => welcome::first_run_ui(ui, commands),
            }
        }
        View::Scaling if unmeasured(session, lesson).is_some() => {
            let name = lesson.name.as_deref().unwrap_or_default();
            lesson_screen_ui(ui, name, session, &lesson.python, commands);
        }
        // The charts keep their least readable height; what does not fit
        // (on a short window, the second row) scrolls rather than clips.
        View::Scaling => {
            egui::ScrollArea::vertical()
                .id_salt("scaling")
                .auto_shrink([false, false])
                .show(ui, |ui| {
                    plots::charts_ui(ui, session, charts, focused, commands)
                })
                .inner
        }
        View::Timeline => timeline::timeline_ui(ui, shown, session.is_running(), commands),
        View::CpuMemory => live::cpu_memory_ui(ui, session.live.as_ref(), shown, commands),
    }
}

/// The form's lesson when it has no measurement here and is not running:
/// its own screen stands in for the charts.
fn unmeasured<'a>(session: &Session, lesson: &'a LessonShown) -> Option<&'a str> {
    let name = lesson.name.as_deref()?;
    let measured = session
        .lesson_set(name)
        .is_some_and(|set| !set.runs.is_empty());
    (!measured && !session.is_running()).then_some(name)
}

/// A lesson not measured on this machine: its title and claim, then what
/// it lacks and the command that gets it, or the Run it waits for.
fn lesson_screen_ui(
    ui: &mut egui::Ui,
    name: &str,
    session: &Session,
    python: &std::path::Path,
    commands: &mut Vec<Command>,
) {
    let Ok(preset) = crate::presets::find(name) else {
        return;
    };
    egui::ScrollArea::vertical()
        .id_salt("lesson-screen")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.add(egui::Label::new(RichText::new(&preset.title).heading().strong()).wrap());
            ui.add(egui::Label::new(&preset.claim).wrap());
            ui.add_space(16.0);
            match crate::export::deck::missing(&preset, python) {
                Some(lack) => super::widgets::missing_ui(ui, &lack, false, session, commands),
                None => {
                    ui.label(
                        RichText::new("Not measured yet on this machine.")
                            .heading()
                            .strong(),
                    );
                    if ui
                        .button(RichText::new("▶ Run this lesson").size(20.0))
                        .clicked()
                    {
                        commands.push(Command::RunPreset(preset.name.clone()));
                    }
                }
            }
        });
}
