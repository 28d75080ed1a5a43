//! What every chart image is drawn with: pixel sizes scaled from 1080p,
//! the theme's colours, the pens of the layout's strokes, the room a plot
//! gets, and what a chart's [`Frame`] shows. The frame and the legend both
//! read them from here.

use plotters::prelude::*;

use super::plot_image::PlotStyle;
use crate::chart::layout::{self, AxisLayout, Fit, LegendPlace, Weight};
use crate::chart::{self, LineKind, Rgb};

/// Pixel sizes for one image, scaled from their values at 1920 × 1080;
/// text by its own scale where the style sets its size.
pub(super) struct Sizes {
    scale: f64,
    text_scale: f64,
}

impl Sizes {
    pub(super) fn new(style: &PlotStyle) -> Sizes {
        let scale = (f64::from(style.height) / 1080.0).min(f64::from(style.width) / 1920.0);
        let text_scale = style
            .text_px
            .map_or(scale, |px| f64::from(px) / SMALLEST_TEXT_PX);
        Sizes { scale, text_scale }
    }

    /// `px` at 1080p, scaled, at least 1.
    pub(super) fn px(&self, px: f64) -> i32 {
        ((px * self.scale).round() as i32).max(1)
    }

    /// Text of `px` at 1080p, scaled, at least 6.
    pub(super) fn font(&self, px: f64) -> f64 {
        (px * self.text_scale).max(6.0)
    }
}

/// The colours of one theme.
pub(super) struct Palette {
    pub(super) background: RGBColor,
    pub(super) foreground: RGBColor,
}

impl Palette {
    pub(super) fn new(dark: bool) -> Palette {
        Palette {
            background: rgb(chart::theme::background(dark)),
            foreground: rgb(chart::theme::foreground(dark)),
        }
    }
}

pub(super) fn rgb(color: Rgb) -> RGBColor {
    RGBColor(color.0, color.1, color.2)
}

/// How a line is stroked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stroke {
    Solid,
    /// Dashes of the given length and gap, in pixels.
    Dashed {
        dash: i32,
        gap: i32,
    },
    /// Round dots every `spacing` pixels.
    Dotted {
        spacing: i32,
    },
}

/// Colour, width in pixels and dash pattern of a layout's stroke.
pub(super) fn pen(stroke: &layout::Stroke, sizes: &Sizes) -> (RGBColor, i32, Stroke) {
    let width = match stroke.weight {
        Weight::Data => sizes.px(5.0),
        Weight::Thin => sizes.px(3.5),
    };
    let pattern = match stroke.line {
        LineKind::Solid => Stroke::Solid,
        LineKind::Dashed => Stroke::Dashed {
            dash: sizes.px(22.0),
            gap: sizes.px(12.0),
        },
        LineKind::Dotted => Stroke::Dotted {
            spacing: sizes.px(14.0),
        },
        LineKind::LongDashed => Stroke::Dashed {
            dash: sizes.px(44.0),
            gap: sizes.px(12.0),
        },
    };
    (rgb(stroke.color), width, pattern)
}

/// The room a chart's plot gets in an area of `width` × `height` pixels,
/// in its tick font's size.
pub(super) fn plot_fit(style: &PlotStyle, (width, height): (u32, u32)) -> Fit {
    // The plot takes about 80 % of the width and 65 % of the height.
    Fit::of(
        f64::from(width) * 0.8,
        f64::from(height) * 0.65,
        Sizes::new(style).font(TICK_PX),
    )
}

/// Tick labels at 1080p, in pixels to the em.
pub(super) const TICK_PX: f64 = 26.0;

/// The smallest text at 1080p (a chart's caption), in pixels to the em:
/// [`PlotStyle::text_px`] sets its size.
pub(super) const SMALLEST_TEXT_PX: f64 = 24.0;

/// What the frame of every chart shows, as its layout decided: title,
/// caption, axes with their ticks, the legend, a note when empty.
pub(super) struct Frame<'a> {
    pub(super) title: &'a str,
    pub(super) caption: Option<&'a str>,
    pub(super) x: &'a AxisLayout,
    pub(super) y: &'a AxisLayout,
    /// y's ticks name rows (lanes, cores): no grid lines across the bars.
    pub(super) rows: bool,
    pub(super) legend: &'a [layout::LegendEntry],
    pub(super) legend_place: LegendPlace,
    /// Written in the plot when there is no data.
    pub(super) empty: Option<&'a str>,
}
