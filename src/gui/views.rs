//! The central area's views: a tab strip on top switches between the
//! scaling charts ([`super::plots`]), a run's timeline
//! ([`super::timeline`]) and the cores and memory ([`super::live`]). The
//! chosen tab is a persisted setting.

use eframe::egui::{self, RichText};

use super::command::Command;
use super::state::{ChartSettings, View};
use super::{live, plots, timeline, welcome};
use crate::chart::ChartKind;
use crate::session::Session;

/// The least height of the central area: the top bar, the tabs, a line of
/// lesson and the charts at their least readable height.
pub const CENTRAL_MIN_HEIGHT: f32 = 40.0 + 45.0 + 26.0 + plots::CHARTS_MIN_HEIGHT;

/// The tab strip and the chosen view below it.
pub fn central_ui(
    ui: &mut egui::Ui,
    view: &mut View,
    session: &Session,
    charts: &mut ChartSettings,
    focused: Option<ChartKind>,
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
            welcome::first_run_ui(ui, commands)
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
