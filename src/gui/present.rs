//! Presentation mode, for the front of a room: no side panel, table or
//! top bar; the lesson's claim as a title, its charts over the whole
//! window, and the verdict of this machine's measurement under them
//! ([`crate::presets::verdict`]). Text scales with the window so the back
//! row can read it. Arrow keys step through the lessons, Space runs the
//! one shown, Esc leaves (the keys are in [`super::shortcuts`]).

use eframe::egui::{self, RichText};

use super::chart_view;
use super::command::Command;
use crate::chart::{ChartKind, ChartOptions, XAxis};
use crate::presets::{self, Preset};
use crate::session::Session;

/// The window height the app's own text sizes are made for; taller
/// windows scale every font up with it.
const DESIGN_HEIGHT: f32 = 540.0;

/// The charts a lesson is presented with: speedup (the claim's figure),
/// and wall time beside it.
pub const CHARTS: [ChartKind; 2] = [ChartKind::Speedup, ChartKind::WallTime];

/// What the presentation shows: the lesson and where its charts went
/// (for tests and for the app's layout checks).
#[derive(Debug, Clone, PartialEq)]
pub struct Presented {
    pub lesson: String,
    /// The area the charts take, in points.
    pub charts: Option<egui::Rect>,
}

/// Draws lesson `name` over the whole window; returns where its charts
/// went.
pub fn presentation_ui(
    ui: &mut egui::Ui,
    session: &Session,
    name: &str,
    options: &ChartOptions,
    commands: &mut Vec<Command>,
) -> Option<egui::Rect> {
    let Ok(preset) = presets::find(name) else {
        ui.label(format!("no lesson called {name}"));
        return None;
    };
    let index = presets::all()
        .ok()
        .and_then(|all| all.iter().position(|p| p.name == preset.name))
        .unwrap_or(0);
    scale_fonts(ui);
    let running = session
        .live
        .as_ref()
        .is_some_and(|l| l.partial.preset.as_deref() == Some(name));
    let set = session.lesson_set(name);
    title_ui(ui, &preset, index, running, commands);
    let verdict_height = ui.text_style_height(&egui::TextStyle::Heading) * 2.6;
    let available = ui.available_size();
    let chart_height = (available.y - verdict_height).max(120.0);
    let Some(set) = set.filter(|s| !s.runs.is_empty()) else {
        let (rect, _) =
            ui.allocate_exact_size(egui::vec2(available.x, chart_height), egui::Sense::hover());
        let text = if running {
            "Measuring… the charts fill in as each run finishes."
        } else {
            "Not measured yet on this machine: press Space to run the lesson."
        };
        ui.put(rect, egui::Label::new(RichText::new(text).heading().weak()));
        return Some(rect);
    };
    let gap = 24.0;
    let width = ((available.x - gap) / 2.0).max(200.0);
    let rect = ui
        .horizontal(|ui| {
            for kind in CHARTS {
                let mut chart = crate::chart::build_with(kind, set, options);
                if running && chart.x_axis == XAxis::Workers {
                    let planned = session.live.as_ref().and_then(|live| {
                        live.progress
                            .runs
                            .iter()
                            .map(|r| f64::from(r.workers))
                            .reduce(f64::max)
                    });
                    chart.x_max = chart.x_max.max(planned.unwrap_or(0.0));
                }
                ui.vertical(|ui| {
                    ui.label(RichText::new(&chart.title).strong());
                    let title = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
                    chart_view::chart_plot_ui(ui, &chart, width, chart_height - title);
                });
                ui.add_space(gap);
            }
        })
        .response
        .rect;
    verdict_ui(ui, &preset, set, running);
    Some(rect)
}

/// Every font scaled to the window: at 720 points high the body text is
/// a third larger than the app's; a projector's 1080 lines double it.
fn scale_fonts(ui: &mut egui::Ui) {
    let factor = (ui.ctx().content_rect().height() / DESIGN_HEIGHT).clamp(1.0, 4.0);
    for font in ui.style_mut().text_styles.values_mut() {
        font.size *= factor;
    }
}

/// The lesson's number and title, its claim, and the keys.
fn title_ui(
    ui: &mut egui::Ui,
    preset: &Preset,
    index: usize,
    running: bool,
    commands: &mut Vec<Command>,
) {
    ui.horizontal(|ui| {
        ui.label(
            RichText::new(format!("{}. {}", index + 1, preset.title))
                .heading()
                .strong(),
        );
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui
                .button(RichText::new("Leave").small())
                .on_hover_text(super::shortcuts::hint(
                    ui.ctx(),
                    super::shortcuts::Action::Present,
                ))
                .clicked()
            {
                commands.push(Command::Present(false));
            }
            let keys = if running {
                "running…   ⏴ ⏵ lesson · Esc leave"
            } else {
                "Space run · ⏴ ⏵ lesson · Esc leave"
            };
            ui.label(RichText::new(keys).small().weak());
        });
    });
    ui.label(
        RichText::new(&preset.claim).size(ui.text_style_height(&egui::TextStyle::Body) * 1.15),
    );
    ui.add_space(8.0);
}

/// One sentence under the charts: what this machine showed.
fn verdict_ui(ui: &mut egui::Ui, preset: &Preset, set: &crate::results::ResultSet, running: bool) {
    let verdict = presets::verdict(preset, set);
    let dark = ui.visuals().dark_mode;
    let color = match verdict.holds {
        Some(true) if dark => egui::Color32::from_rgb(0x7d, 0xd8, 0x8f),
        Some(true) => egui::Color32::from_rgb(0x1b, 0x7f, 0x3b),
        Some(false) => super::theme::error_color(dark),
        None => ui.visuals().weak_text_color(),
    };
    let sentence = if running {
        format!("So far: {}", verdict.sentence)
    } else {
        verdict.sentence
    };
    ui.add_space(6.0);
    ui.label(RichText::new(sentence).heading().color(color));
}
