//! Presentation mode, for the front of a room: no side panel, table or
//! top bar; the lesson's claim as a title, its charts over the whole
//! window, and the verdict of this machine's measurement under them
//! ([`crate::presets::verdict`]). Text scales with the window so the back
//! row can read it. Arrow keys step through the lessons, Space runs the
//! one shown, Esc leaves (the keys are in [`super::shortcuts`]). Each
//! lesson shows its own main charts ([`Preset::charts`]); a lesson this
//! machine cannot run says why in large type, with the one command that
//! gets what it lacks. Chart text grows with the window as the rest does
//! ([`chart_view::set_text_scale`]).

use eframe::egui::{self, RichText};

use super::chart_view;
use super::command::Command;
use crate::chart::{Chart, ChartKind, ChartOptions, XAxis};
use crate::presets::{self, Preset};
use crate::results::ResultSet;
use crate::session::Session;

/// The window height the app's own text sizes are made for; taller
/// windows scale every font up with it.
const DESIGN_HEIGHT: f32 = 500.0;

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
    python: &std::path::Path,
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
    let factor = scale_fonts(ui);
    let running = session
        .live
        .as_ref()
        .is_some_and(|l| l.partial.preset.as_deref() == Some(name));
    let set = session.lesson_set(name);
    title_ui(ui, &preset, index, running, commands);
    // The verdict under the claim, before the charts: however long it
    // wraps, it is never pushed off the screen by them.
    let verdict = set
        .filter(|s| !s.runs.is_empty())
        .map(|s| verdict_text(ui, &preset, s, running));
    if let Some((sentence, color)) = verdict {
        ui.add(egui::Label::new(RichText::new(sentence).heading().color(color)).wrap());
        ui.add_space(VERDICT_GAP);
    }
    let available = ui.available_size();
    let chart_height = available.y.max(120.0);
    let Some(set) = set.filter(|s| !s.runs.is_empty()) else {
        let (rect, _) =
            ui.allocate_exact_size(egui::vec2(available.x, chart_height), egui::Sense::hover());
        let mut child = ui.new_child(
            egui::UiBuilder::new()
                .max_rect(rect)
                .layout(egui::Layout::top_down(egui::Align::Center)),
        );
        child.add_space(rect.height() * 0.2);
        match crate::export::deck::missing(&preset, python).filter(|_| !running) {
            Some(lack) => {
                super::widgets::missing_ui(&mut child, &lack, true, session, commands);
            }
            None => {
                let note = session
                    .live
                    .as_ref()
                    .and_then(|l| l.progress.note.as_deref());
                let text = match (running, note) {
                    // Waiting for the machine to calm down, said aloud.
                    (true, Some(note)) => note,
                    (true, None) => {
                        "Measuring… runs take turns, a repetition each, so that a busy moment hits them all alike: the charts fill in as each group of runs ends."
                    }
                    (false, _) => {
                        "Not measured yet on this machine: press Space to run the lesson."
                    }
                };
                child.add(egui::Label::new(RichText::new(text).heading()).wrap());
            }
        }
        return Some(rect);
    };
    let gap = 24.0;
    let kinds = preset.charts();
    let count = kinds.len().max(1) as f32;
    let width = ((available.x - gap * (count - 1.0)) / count).max(200.0);
    super::chart_view::set_text_scale(ui.ctx(), factor);
    let charts: Vec<_> = kinds
        .iter()
        .map(|&kind| lesson_chart(session, set, kind, options, running))
        .collect();
    let rect = chart_view::chart_row_ui(
        ui,
        &charts,
        (width, chart_height, gap),
        available.x,
        |ui, chart| {
            ui.add(egui::Label::new(RichText::new(&chart.title).strong()).truncate());
            ui.text_style_height(&egui::TextStyle::Body) + 6.0
        },
    );
    super::chart_view::set_text_scale(ui.ctx(), 1.0);
    Some(rect)
}

/// One of a lesson's charts of `set`; while it runs, the workers axis
/// already reaches the most workers planned, so the chart does not jump
/// as runs arrive.
fn lesson_chart(
    session: &Session,
    set: &ResultSet,
    kind: ChartKind,
    options: &ChartOptions,
    running: bool,
) -> Chart {
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
    chart
}

/// How much larger than the window's the text is in a window `height`
/// points high.
pub fn text_factor(height: f32) -> f32 {
    (height / DESIGN_HEIGHT).clamp(1.0, 4.0)
}

/// Every font scaled to the window: at 720 points high the text is
/// nearly half again the app's (chart ticks 20 points); a projector's
/// 1080 lines double it. Returns the factor.
fn scale_fonts(ui: &mut egui::Ui) -> f32 {
    let factor = text_factor(ui.ctx().content_rect().height());
    for font in ui.style_mut().text_styles.values_mut() {
        font.size *= factor;
    }
    factor
}

/// The lesson's number and title, its claim, and the keys.
fn title_ui(
    ui: &mut egui::Ui,
    preset: &Preset,
    index: usize,
    running: bool,
    commands: &mut Vec<Command>,
) {
    // The keys on a line of their own, the title wrapped under them: a
    // long title never runs over them or off the window.
    let row = egui::vec2(
        ui.available_width(),
        ui.text_style_height(&egui::TextStyle::Button) + 8.0,
    );
    let keys_layout = egui::Layout::right_to_left(egui::Align::Center);
    ui.allocate_ui_with_layout(row, keys_layout, |ui| {
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
        // Full-strength text: the dimmest text on a projector is lost.
        let color = ui.visuals().strong_text_color();
        ui.label(RichText::new(keys).small().color(color));
    });
    ui.add(
        egui::Label::new(
            RichText::new(format!("{}. {}", index + 1, preset.title))
                .heading()
                .strong(),
        )
        .wrap(),
    );
    let size = claim_size(ui, &preset.claim);
    ui.add(egui::Label::new(RichText::new(&preset.claim).size(size)).wrap());
    ui.add_space(8.0);
}

/// The claim's text size: a little larger than the body, shrunk (to
/// three quarters of the body at least) until it takes at most three
/// lines of the window's width, so a long claim leaves the charts room.
fn claim_size(ui: &egui::Ui, claim: &str) -> f32 {
    let body = ui.text_style_height(&egui::TextStyle::Body);
    let width = ui.available_width();
    let mut size = body * 1.15;
    while size > body * 0.75 {
        let font = egui::FontId::proportional(size);
        let galley =
            ui.fonts_mut(|f| f.layout(claim.to_string(), font, egui::Color32::WHITE, width));
        if galley.rows.len() <= 3 {
            break;
        }
        size *= 0.92;
    }
    size
}

/// One sentence above the charts: what this machine showed, in its colour.
pub(super) fn verdict_text(
    ui: &egui::Ui,
    preset: &Preset,
    set: &crate::results::ResultSet,
    running: bool,
) -> (String, egui::Color32) {
    let verdict = cached_verdict(ui.ctx(), preset, set);
    let dark = ui.visuals().dark_mode;
    let color = match verdict.holds {
        Some(true) => super::theme::holds_color(dark),
        Some(false) => super::theme::error_color(dark),
        // Not settled: neutral, at full contrast.
        None => ui.visuals().strong_text_color(),
    };
    let sentence = if running {
        format!("So far: {}", verdict.sentence)
    } else {
        verdict.sentence
    };
    (sentence, color)
}

/// `preset`'s verdict on `set`, judged again only when the set's runs
/// changed: judging resamples every judged run's repetitions, too much
/// for every frame.
fn cached_verdict(ctx: &egui::Context, preset: &Preset, set: &ResultSet) -> presets::Verdict {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for run in &set.runs {
        run.wall_seconds.median.to_bits().hash(&mut hasher);
        run.repetitions.len().hash(&mut hasher);
        run.workers.hash(&mut hasher);
    }
    set.runs.len().hash(&mut hasher);
    let fingerprint = hasher.finish();
    let id = egui::Id::unique(("verdict", preset.name.as_str()));
    let cached: Option<(u64, presets::Verdict)> = ctx.data(|d| d.get_temp(id));
    match cached {
        Some((seen, verdict)) if seen == fingerprint => verdict,
        _ => {
            let verdict = presets::verdict(preset, set);
            ctx.data_mut(|d| d.insert_temp(id, (fingerprint, verdict.clone())));
            verdict
        }
    }
}

/// Space between the verdict line and the charts.
const VERDICT_GAP: f32 = 6.0;
