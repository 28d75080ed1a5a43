//! The top bar: the name, the File, View, Run and Help menus, the
//! machine, the theme and UI scale, and Clear with its confirmation.

use eframe::egui::{self, Align, Layout, RichText};

use super::super::command::Command;
use super::super::export::FileMenu;
use super::super::shortcuts::{self, Action};
use super::super::state::{ExportSettings, View};
use super::plural;
use crate::format;
use crate::results::MachineInfo;
use crate::session::recent::RecentFiles;
use crate::session::store::ResultsStore;

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
        super::super::export::file_menu_ui(ui, &menu, export, commands);
        view_menu_ui(ui, bar, commands);
        ui.menu_button("Help", |ui| {
            shortcuts::menu_item_ui(ui, Action::Help, true, commands);
        });
        ui.separator();
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
            let (icon, words) = if dark {
                ("☀", "Light theme")
            } else {
                ("🌙", "Dark theme")
            };
            if ui.button(icon).on_hover_text(words).clicked() {
                commands.push(Command::SetDark(!dark));
            }
            ui.separator();
            // The machine in what the controls leave, cut short rather
            // than run under them (whole on hover).
            ui.with_layout(Layout::left_to_right(Align::Center), |ui| {
                machine_ui(ui, bar.machine);
            });
        });
    });
}

/// The machine in one line, cut short to the room it has.
fn machine_ui(ui: &mut egui::Ui, m: &crate::results::MachineInfo) {
    let physical = m
        .physical_cores
        .map_or(String::new(), |p| format!("{p} physical / "));
    let line = format!(
        "{} · {physical}{} logical cores · {}",
        m.cpu_model,
        m.logical_cores,
        format::bytes(m.memory_bytes)
    );
    ui.add(egui::Label::new(line.as_str()).truncate())
        .on_hover_text(format!(
            "{line}\n{} · kernel {} · {}",
            m.os, m.kernel, m.arch
        ));
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
