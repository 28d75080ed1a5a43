//! The noise guard in the window: what is flagged in the shown experiment,
//! why, what to do, and a button that re-runs the flagged runs.

use eframe::egui::{self, RichText};

use super::command::Command;
use super::theme;
use crate::noise;
use crate::results::ResultSet;

/// A framed note above the charts when the shown set carries flags: one
/// line per flag (the set's, then each run's), and "Re-run flagged runs"
/// when no experiment is running and a run is flagged.
pub fn flags_ui(
    ui: &mut egui::Ui,
    set: &ResultSet,
    running: bool,
    max_height: f32,
    dark: bool,
    commands: &mut Vec<Command>,
) {
    if !noise::is_flagged(set) {
        return;
    }
    let lines = noise::describe(set);
    let color = theme::warning_color(dark);
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal_wrapped(|ui| {
            ui.label(
                RichText::new("⚠ These figures may not be what the machine can do")
                    .strong()
                    .color(color),
            );
            let rerun = !running && !noise::flagged_runs(set).is_empty();
            if ui
                .add_enabled(rerun, egui::Button::new("Re-run flagged runs"))
                .on_hover_text(
                    "measure the flagged runs again, interleaved with their serial baseline; \
                     the result is a new experiment",
                )
                .clicked()
            {
                commands.push(Command::RerunFlagged);
            }
        });
        // A few lines, in at most `max_height` (they scroll within on a
        // short window); the rest on hover, so the charts keep their room.
        const SHOWN: usize = 3;
        egui::ScrollArea::vertical()
            .id_salt("flag-lines")
            .max_height(max_height)
            .show(ui, |ui| {
                for line in lines.iter().take(SHOWN) {
                    ui.label(RichText::new(line).small());
                }
            });
        if lines.len() > SHOWN {
            ui.label(RichText::new(format!("… and {} more", lines.len() - SHOWN)).small())
                .on_hover_text(lines[SHOWN..].join("\n"));
        }
    });
}
