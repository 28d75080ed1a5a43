//! The answer above the charts for an experiment that is not a lesson: a
//! card with the set's recommendation ([`crate::analysis::recommendation`]),
//! which model and how many workers, or why that is not settled, its
//! figures folded under it; and for a `--code` function, whether every
//! model returned the same results ([`crate::analysis::isolation`]).
//!
//! The card's text is worked out once per change of the shown set (kept
//! in egui's memory), not every frame: a set of thousands of runs would
//! cost more than a frame to read.

use std::sync::Arc;

use eframe::egui::{self, RichText};

use crate::analysis::recommendation;
use crate::results::ResultSet;

/// What the card shows, decided once per set.
#[derive(Debug, Clone, Default)]
struct Card {
    /// The set it was worked out for: its address, run count and last
    /// run's median wall, as the charts' cache keys them.
    key: (usize, usize, u64),
    /// `Recommendation: …`, and whether it names a model.
    sentence: Option<(String, bool)>,
    /// Each model's figure, the process costs and the threshold.
    details: Vec<String>,
    /// The isolation sentence, and whether results differ.
    isolation: Option<(String, bool)>,
}

impl Card {
    fn of(set: &ResultSet, key: (usize, usize, u64)) -> Card {
        // A file written before recommendations were kept gets one here.
        let found = set
            .recommendation
            .clone()
            .or_else(|| recommendation::recommend(set));
        let (sentence, details) = match found {
            Some(r) => {
                let mut lines = recommendation::lines(&r).into_iter();
                let first = lines.next().unwrap_or_default();
                (Some((first, r.model.is_some())), lines.collect())
            }
            None => (None, Vec::new()),
        };
        let isolation = set
            .isolation
            .as_ref()
            .map(|i| (i.sentence.clone(), i.results_differ));
        Card {
            key,
            sentence,
            details,
            isolation,
        }
    }
}

/// The card for `set`, worked out again only when the set changed (shared,
/// so a frame copies no text).
fn cached(ctx: &egui::Context, set: &ResultSet) -> Arc<Card> {
    let last = set
        .runs
        .last()
        .map_or(0, |r| r.wall_seconds.median.to_bits());
    let key = (std::ptr::from_ref(set) as usize, set.runs.len(), last);
    let id = egui::Id::unique("recommendation-card");
    if let Some(card) = ctx
        .data(|d| d.get_temp::<Arc<Card>>(id))
        .filter(|c| c.key == key)
    {
        return card;
    }
    let card = Arc::new(Card::of(set, key));
    ctx.data_mut(|d| d.insert_temp(id, Arc::clone(&card)));
    card
}

/// The card above the charts: nothing for a lesson (its verdict stands
/// there), while an experiment runs (its figures are not all in), or where
/// the set has nothing to recommend or say. The figures fold behind the
/// sentence, scrolling within `max_height`.
pub fn recommendation_ui(ui: &mut egui::Ui, set: &ResultSet, running: bool, max_height: f32) {
    if running || set.preset.is_some() {
        return;
    }
    let card = cached(ui.ctx(), set);
    if card.sentence.is_none() && card.isolation.is_none() {
        return;
    }
    let dark = ui.visuals().dark_mode;
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(ui.available_width());
        if let Some((sentence, settled)) = &card.sentence {
            let color = if *settled {
                super::theme::holds_color(dark)
            } else {
                ui.visuals().strong_text_color()
            };
            ui.add(egui::Label::new(RichText::new(sentence).strong().color(color)).wrap());
        }
        if let Some((sentence, differ)) = &card.isolation {
            let text = RichText::new(sentence);
            let text = if *differ {
                text.color(super::theme::warning_color(dark))
            } else {
                text
            };
            ui.add(egui::Label::new(text).wrap());
        }
        if card.details.is_empty() {
            return;
        }
        egui::CollapsingHeader::new("figures behind it")
            .id_salt("recommendation-figures")
            .default_open(false)
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .id_salt("recommendation-figures-scroll")
                    .max_height(max_height)
                    .show(ui, |ui| {
                        for line in &card.details {
                            ui.label(
                                RichText::new(line).size(crate::chart::theme::WINDOW_TEXT.tick),
                            );
                        }
                    });
            });
    });
}
