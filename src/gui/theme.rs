//! Looks for a projector: large text, a dark and a light theme, the model
//! colours of [`crate::chart`] as egui colours.

use eframe::egui::{self, Color32, FontFamily, FontId, TextStyle};

use crate::chart::{self, Rgb};
use crate::spec::Model;

/// The colour of a chart-model colour in egui.
pub fn color(rgb: Rgb) -> Color32 {
    Color32::from_rgb(rgb.0, rgb.1, rgb.2)
}

/// A model's colour on the current theme's background.
pub fn model_color(model: Model, dark: bool) -> Color32 {
    color(chart::model_color_on(model, dark))
}

/// Colour of error messages, readable on both themes.
pub fn error_color(dark: bool) -> Color32 {
    if dark {
        Color32::from_rgb(0xff, 0x8a, 0x80)
    } else {
        Color32::from_rgb(0xb0, 0x1c, 0x10)
    }
}

/// Colour of a claim that held, readable on both themes.
pub fn holds_color(dark: bool) -> Color32 {
    if dark {
        Color32::from_rgb(0x7d, 0xd8, 0x8f)
    } else {
        Color32::from_rgb(0x1b, 0x7f, 0x3b)
    }
}

/// Colour of the noise guard's flags: amber, readable on both themes.
pub fn warning_color(dark: bool) -> Color32 {
    if dark {
        Color32::from_rgb(0xff, 0xc1, 0x4d)
    } else {
        Color32::from_rgb(0x9a, 0x5b, 0x00)
    }
}

/// Applies the theme and text sizes chosen to read from the back of a room.
pub fn apply(ctx: &egui::Context, dark: bool) {
    ctx.set_theme(if dark {
        egui::Theme::Dark
    } else {
        egui::Theme::Light
    });
    ctx.all_styles_mut(|style| {
        style.text_styles = [
            (
                TextStyle::Heading,
                FontId::new(22.0, FontFamily::Proportional),
            ),
            (TextStyle::Body, FontId::new(16.0, FontFamily::Proportional)),
            (
                TextStyle::Button,
                FontId::new(16.0, FontFamily::Proportional),
            ),
            (
                TextStyle::Monospace,
                FontId::new(15.0, FontFamily::Monospace),
            ),
            (
                TextStyle::Small,
                FontId::new(14.0, FontFamily::Proportional),
            ),
        ]
        .into();
        style.spacing.item_spacing = egui::vec2(8.0, 6.0);
        style.spacing.button_padding = egui::vec2(8.0, 4.0);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// WCAG's relative luminance of an sRGB colour.
    fn luminance(c: Color32) -> f64 {
        let channel = |v: u8| {
            let v = f64::from(v) / 255.0;
            if v <= 0.040_45 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(c.r()) + 0.7152 * channel(c.g()) + 0.0722 * channel(c.b())
    }

    /// WCAG's contrast ratio of two colours, 1 to 21.
    fn contrast(a: Color32, b: Color32) -> f64 {
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    #[test]
    fn every_text_colour_has_at_least_4_5_to_1_on_both_themes_backgrounds() {
        for dark in [true, false] {
            let ctx = egui::Context::default();
            apply(&ctx, dark);
            let visuals = ctx.global_style().visuals.clone();
            let chart_bg = color(crate::chart::theme::background(dark));
            let backgrounds = [
                ("panel", visuals.panel_fill),
                ("window", visuals.window_fill),
                ("chart", chart_bg),
            ];
            let texts = [
                ("text", visuals.text_color()),
                ("strong text", visuals.strong_text_color()),
                ("error", error_color(dark)),
                ("warning", warning_color(dark)),
                ("holds", holds_color(dark)),
                ("chart text", color(crate::chart::theme::foreground(dark))),
            ];
            for (text, fg) in texts {
                for (place, bg) in backgrounds {
                    let ratio = contrast(fg, bg);
                    assert!(
                        ratio >= 4.5,
                        "{text} on {place}, dark {dark}: {ratio:.2}:1 ({fg:?} on {bg:?})"
                    );
                }
            }
        }
    }
}
