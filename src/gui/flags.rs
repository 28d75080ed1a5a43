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
    // Formatted only as far as shown: a large set flags thousands of runs.
    let count = noise::flag_count(set);
    let color = theme::warning_color(dark);
    let mut open_flags = false;
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
            // The flags themselves fold behind a button on this line:
            // the charts keep the room.
            let id = ui.scope_id().with("flags-open");
            let open = ui.data(|d| d.get_temp::<bool>(id)).unwrap_or(false);
            let arrow = if open { "⏷" } else { "⏵" };
            let label = format!("{arrow} {count} flag{}", if count == 1 { "" } else { "s" });
            if ui.button(label).clicked() {
                ui.data_mut(|d| d.insert_temp(id, !open));
            }
            open_flags = open;
        });
        // A few lines, in at most `max_height` (they scroll within on a
        // short window); the rest on hover, so the charts keep their room.
        if !open_flags {
            return;
        }
        egui::ScrollArea::vertical()
            .id_salt("flag-lines-scroll")
            .max_height(max_height)
            .show(ui, |ui| {
                for line in noise::descriptions(set).take(SHOWN) {
                    ui.label(RichText::new(line).size(crate::chart::theme::WINDOW_TEXT.tick));
                }
            });
        if count > SHOWN {
            ui.label(RichText::new(format!("… and {} more", count - SHOWN)))
                .on_hover_ui(|ui| more_flags_ui(ui, set, count));
        }
    });
}

/// The hover list of the flags past the first few, at most
/// [`HOVER_LINES`] of them (the exported report lists every one).
fn more_flags_ui(ui: &mut egui::Ui, set: &ResultSet, count: usize) {
    for line in noise::descriptions(set).skip(SHOWN).take(HOVER_LINES) {
        ui.label(RichText::new(line).small());
    }
    if count > SHOWN + HOVER_LINES {
        ui.label(
            RichText::new(format!(
                "… and {} more (the report lists them all)",
                count - SHOWN - HOVER_LINES
            ))
            .small()
            .italics(),
        );
    }
}

/// Flag lines always in view.
const SHOWN: usize = 3;

/// Most flag lines in the hover list.
const HOVER_LINES: usize = 40;
