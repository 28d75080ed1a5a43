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
                FontId::new(13.0, FontFamily::Proportional),
            ),
        ]
        .into();
        style.spacing.item_spacing = egui::vec2(8.0, 6.0);
        style.spacing.button_padding = egui::vec2(8.0, 4.0);
    });
}
