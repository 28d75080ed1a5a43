//! The keyboard shortcuts: one table ([`SHORTCUTS`]) says which keys do
//! what. It drives the handling ([`pressed`]), the key shown beside each
//! menu entry and in hover texts ([`menu_item_ui`], [`hint`]) and the
//! help overlay ([`help_ui`], F1 or `?`), so the three can never disagree.
//! A shortcut only pushes the [`Command`] a click would.

use eframe::egui::{self, Key, KeyboardShortcut, Modifiers, RichText};

use super::command::Command;
use super::state::View;

/// What a shortcut does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Run,
    Cancel,
    Open,
    SaveData,
    ExportChart,
    Tab(View),
    Enlarge,
    NextLesson,
    UndoClear,
    ZoomIn,
    ZoomOut,
    ZoomReset,
    Help,
    /// Enter or leave presentation mode.
    Present,
    /// In presentation mode: the next lesson, the previous one, run the
    /// lesson shown, leave.
    PresentNext,
    PresentPrevious,
    PresentRun,
    PresentLeave,
}

impl Action {
    /// Whether the action's keys only act in presentation mode (where no
    /// field or list wants the arrows, Space or Esc).
    pub fn only_presenting(self) -> bool {
        matches!(
            self,
            Action::PresentNext
                | Action::PresentPrevious
                | Action::PresentRun
                | Action::PresentLeave
        )
    }
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct Shortcut {
    pub action: Action,
    /// The keys, the one shown first; any of them does it.
    pub keys: &'static [KeyboardShortcut],
    /// What it does, as the help overlay and the menus say it.
    pub what: &'static str,
}

const fn command(key: Key) -> KeyboardShortcut {
    KeyboardShortcut::new(Modifiers::COMMAND, key)
}

const fn plain(key: Key) -> KeyboardShortcut {
    KeyboardShortcut::new(Modifiers::NONE, key)
}

const fn row(action: Action, keys: &'static [KeyboardShortcut], what: &'static str) -> Shortcut {
    Shortcut { action, keys, what }
}

/// Whether a key belongs to the text field that has the keyboard: keys
/// that type or move the cursor (`?`), and Ctrl+Z, with which a field
/// undoes its own typing. Function keys type nothing.
fn belongs_to_text_field(key: &KeyboardShortcut) -> bool {
    let function_key = matches!(
        key.logical_key,
        Key::F1 | Key::F2 | Key::F3 | Key::F4 | Key::F5 | Key::F6 | Key::F11
    );
    (key.conflicts_with_text_editing() && !function_key) || key.logical_key == Key::Z
}

/// `Ctrl+R` (or `⌘R`), with the key's symbol where it has one (`?`).
fn format_key(ctx: &egui::Context, key: &KeyboardShortcut) -> String {
    let modifiers = ctx.format_modifiers(key.modifiers);
    let glue = if modifiers.is_empty() || ctx.os().is_mac() {
        ""
    } else {
        "+"
    };
    format!("{modifiers}{glue}{}", key.logical_key.symbol_or_name())
}

/// Every shortcut, in the order the help overlay lists them.
pub const SHORTCUTS: &[Shortcut] = &[
    row(Action::Run, &[command(Key::R)], "Run the experiment"),
    row(Action::Cancel, &[command(Key::Period)], "Cancel the run"),
    row(Action::Open, &[command(Key::O)], "Open a result set…"),
    row(Action::SaveData, &[command(Key::S)], "Save data as…"),
    row(
        Action::ExportChart,
        &[command(Key::E)],
        "Export the shown chart as…",
    ),
    row(
        Action::Tab(View::Scaling),
        &[command(Key::Num1)],
        "Scaling charts",
    ),
    row(
        Action::Tab(View::Timeline),
        &[command(Key::Num2)],
        "Timeline of a run",
    ),
    row(
        Action::Tab(View::CpuMemory),
        &[command(Key::Num3)],
        "CPU & memory of a run",
    ),
    row(
        Action::Enlarge,
        &[command(Key::F)],
        "Enlarge the chart / back to all charts",
    ),
    row(
        Action::NextLesson,
        &[command(Key::L)],
        "Run the next lesson",
    ),
    row(Action::UndoClear, &[command(Key::Z)], "Undo Clear results"),
    row(
        Action::ZoomIn,
        &[command(Key::Plus), command(Key::Equals)],
        "Larger text and charts",
    ),
    row(
        Action::ZoomOut,
        &[command(Key::Minus)],
        "Smaller text and charts",
    ),
    row(Action::ZoomReset, &[command(Key::Num0)], "Back to 100 %"),
    row(
        Action::Help,
        &[plain(Key::F1), plain(Key::Questionmark)],
        "This list of shortcuts",
    ),
    row(
        Action::Present,
        &[plain(Key::F11)],
        "Presentation mode: the lesson over the whole window",
    ),
    row(
        Action::PresentNext,
        &[plain(Key::ArrowRight), plain(Key::PageDown)],
        "Presenting: the next lesson",
    ),
    row(
        Action::PresentPrevious,
        &[plain(Key::ArrowLeft), plain(Key::PageUp)],
        "Presenting: the previous lesson",
    ),
    row(
        Action::PresentRun,
        &[plain(Key::Space)],
        "Presenting: run (or run again) the lesson shown",
    ),
    row(
        Action::PresentLeave,
        &[plain(Key::Escape)],
        "Presenting: back to the full window",
    ),
];

/// The table's row for `action`.
pub fn shortcut(action: Action) -> Option<&'static Shortcut> {
    SHORTCUTS.iter().find(|s| s.action == action)
}

/// The keys of `action` as this system writes them (`Ctrl+R`); several
/// are joined with "or".
pub fn keys_text(ctx: &egui::Context, action: Action) -> String {
    let Some(shortcut) = shortcut(action) else {
        return String::new();
    };
    let keys: Vec<String> = shortcut
        .keys
        .iter()
        // Ctrl+= is Ctrl++ unshifted: one of them is enough to show.
        .filter(|k| !(action == Action::ZoomIn && k.logical_key == Key::Equals))
        .map(|k| format_key(ctx, k))
        .collect();
    keys.join(" or ")
}

/// A hover text: what a button does and its key (`Run the experiment
/// (Ctrl+R)`).
pub fn hint(ctx: &egui::Context, action: Action) -> String {
    match shortcut(action) {
        Some(s) => format!("{} ({})", s.what, keys_text(ctx, action)),
        None => String::new(),
    }
}

/// The command `action` stands for, as the app's state is now (zoom
/// reads the current scale).
pub fn command_of(action: Action, ctx: &egui::Context) -> Command {
    let zoom = ctx.zoom_factor();
    match action {
        Action::Run => Command::Run,
        Action::Cancel => Command::Cancel,
        Action::Open => Command::ShowOpen,
        Action::SaveData => Command::AskSaveData,
        Action::ExportChart => Command::AskExportChart(None),
        Action::Tab(view) => Command::SetView(view),
        Action::Enlarge => Command::ToggleEnlarge,
        Action::NextLesson => Command::NextLesson,
        Action::UndoClear => Command::UndoClear,
        Action::ZoomIn => Command::SetZoom(zoom + 0.1),
        Action::ZoomOut => Command::SetZoom(zoom - 0.1),
        Action::ZoomReset => Command::SetZoom(1.0),
        Action::Help => Command::ShowHelp(true),
        Action::Present => Command::TogglePresent,
        Action::PresentNext => Command::StepLesson(1),
        Action::PresentPrevious => Command::StepLesson(-1),
        Action::PresentRun => Command::RunLesson,
        Action::PresentLeave => Command::Present(false),
    }
}

/// The shortcuts pressed this frame (each consumed, so no widget acts on
/// it too) as commands; `help_open` turns the help key into a toggle;
/// the presentation's keys act only while `presenting`.
pub fn pressed(ctx: &egui::Context, help_open: bool, presenting: bool) -> Vec<Command> {
    let typing = ctx.egui_wants_keyboard_input() && !presenting;
    let mut commands = Vec::new();
    for shortcut in SHORTCUTS {
        if shortcut.action.only_presenting() && !presenting {
            continue;
        }
        let hit = shortcut
            .keys
            .iter()
            .filter(|key| !(typing && belongs_to_text_field(key)))
            .any(|key| ctx.input_mut(|i| i.consume_shortcut(key)));
        if hit {
            commands.push(match shortcut.action {
                Action::Help => Command::ShowHelp(!help_open),
                action => command_of(action, ctx),
            });
        }
    }
    commands
}

/// A menu entry for `action`, its key on the right; a click pushes the
/// action's command and closes the menu.
pub fn menu_item_ui(
    ui: &mut egui::Ui,
    action: Action,
    enabled: bool,
    commands: &mut Vec<Command>,
) -> egui::Response {
    let what = shortcut(action).map_or("", |s| s.what);
    let button = egui::Button::new(what).shortcut_text(keys_text(ui.ctx(), action));
    let response = ui.add_enabled(enabled, button);
    if response.clicked() {
        commands.push(command_of(action, ui.ctx()));
    }
    response
}

/// The help overlay: every shortcut of the table, with its keys, over
/// the dimmed window. F1, `?`, Escape or a click outside closes it.
pub fn help_ui(ctx: &egui::Context, commands: &mut Vec<Command>) {
    let outside = super::dialogs::backdrop_ui(ctx);
    let close = |commands: &mut Vec<Command>| commands.push(Command::ShowHelp(false));
    if outside.clicked() || ctx.input(|i| i.key_pressed(Key::Escape)) {
        close(commands);
    }
    egui::Window::new("Keyboard shortcuts")
        .id(egui::Id::unique("corescope-shortcuts"))
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
        .show(ctx, |ui| {
            // Above the backdrop, which shares its layer order.
            ui.ctx().move_to_top(ui.layer_id());
            shortcuts_table_ui(ui);
            ui.add_space(8.0);
            ui.label(
                RichText::new(
                    "Menus show the same keys beside their entries. \
                     While you type in a field, ? and Ctrl+Z belong to the field.",
                )
                .small()
                .weak(),
            );
            ui.add_space(4.0);
            if ui.button("Close").clicked() {
                close(commands);
            }
        });
}

/// Every shortcut: its keys, then what it does.
fn shortcuts_table_ui(ui: &mut egui::Ui) {
    let ctx = ui.ctx().clone();
    egui::Grid::new("shortcuts_grid")
        .num_columns(2)
        .spacing([24.0, 6.0])
        .striped(true)
        .show(ui, |ui| {
            for shortcut in SHORTCUTS {
                let keys = RichText::new(keys_text(&ctx, shortcut.action))
                    .monospace()
                    .strong();
                ui.label(keys);
                ui.label(shortcut.what);
                ui.end_row();
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_two_shortcuts_share_keys_and_every_action_has_one() {
        let mut seen: Vec<KeyboardShortcut> = Vec::new();
        for shortcut in SHORTCUTS {
            for key in shortcut.keys {
                assert!(!seen.contains(key), "{key:?} is taken twice");
                seen.push(*key);
            }
        }
        let actions = [
            Action::Run,
            Action::Cancel,
            Action::Open,
            Action::SaveData,
            Action::ExportChart,
            Action::Tab(View::Scaling),
            Action::Tab(View::Timeline),
            Action::Tab(View::CpuMemory),
            Action::Enlarge,
            Action::NextLesson,
            Action::UndoClear,
            Action::ZoomIn,
            Action::ZoomOut,
            Action::ZoomReset,
            Action::Help,
            Action::Present,
            Action::PresentNext,
            Action::PresentPrevious,
            Action::PresentRun,
            Action::PresentLeave,
        ];
        for action in actions {
            assert!(shortcut(action).is_some(), "{action:?} has no keys");
        }
        assert_eq!(actions.len(), SHORTCUTS.len());
    }

    #[test]
    fn keys_read_as_this_system_writes_them() {
        let ctx = egui::Context::default();
        let run = keys_text(&ctx, Action::Run);
        assert!(run == "Ctrl+R" || run == "Cmd+R" || run == "⌘R", "{run}");
        assert_eq!(keys_text(&ctx, Action::Help), "F1 or ?");
        assert!(keys_text(&ctx, Action::Cancel).ends_with('.'));
        assert!(belongs_to_text_field(&plain(Key::Questionmark)));
        assert!(belongs_to_text_field(&command(Key::Z)));
        assert!(!belongs_to_text_field(&plain(Key::F1)));
        assert!(!belongs_to_text_field(&command(Key::R)));
        assert!(hint(&ctx, Action::Open).starts_with("Open a result set… ("));
    }
}
