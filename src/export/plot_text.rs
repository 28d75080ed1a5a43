//! Text in chart images, measured and drawn with a font built into the
//! binary, egui's own Ubuntu Light, so export needs no system fonts or
//! fontconfig. SVG files name the `sans-serif` family and leave the glyphs
//! to the viewer. The same font measures legends for packing
//! ([`FontMeasure`]), as egui's measures them in the window.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, Glyph, GlyphId, PxScale, ScaleFont};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use plotters_backend::{BackendColor, BackendCoord, DrawingErrorKind};

use crate::chart::layout::TextMeasure;

/// The family the embedded font is registered under.
const FONT_FAMILY: &str = "sans-serif";

/// The embedded font, read once per process and registered with plotters
/// too (its own text measure needs it; [`Typeset`] does the rest).
pub(super) fn font() -> Result<&'static FontRef<'static>, String> {
    static FONT: OnceLock<Result<FontRef<'static>, String>> = OnceLock::new();
    FONT.get_or_init(|| {
        let bytes = epaint_default_fonts::UBUNTU_LIGHT;
        let unreadable = "the embedded font could not be read".to_string();
        let font = FontRef::try_from_slice(bytes).map_err(|_| unreadable.clone())?;
        plotters::style::register_font(FONT_FAMILY, FontStyle::Normal, bytes)
            .map_err(|_| unreadable)?;
        Ok(font)
    })
    .as_ref()
    .map_err(Clone::clone)
}

/// A backend that measures text with the embedded font and, on bitmaps,
/// draws it too; everything else goes to the wrapped backend.
///
/// Plotters 0.3.7 draws ab_glyph text without each glyph's left side
/// bearing (a PNG reads "1 00 %") and with the baseline half a line high;
/// this lays glyphs out as the font says. SVG leaves the glyphs to the
/// viewer, so there only the measure (for layout) is replaced.
pub(super) struct Typeset<B> {
    inner: B,
    font: &'static FontRef<'static>,
    raster: bool,
}

/// A line of text laid out at the origin: the box's top left at (0, 0).
struct LaidOut {
    glyphs: Vec<Glyph>,
    width: f32,
    height: f32,
}

impl<B: DrawingBackend> Typeset<B> {
    pub(super) fn new(inner: B, font: &'static FontRef<'static>, raster: bool) -> Typeset<B> {
        Typeset {
            inner,
            font,
            raster,
        }
    }

    fn lay_out(&self, text: &str, size: f64) -> LaidOut {
        lay_out(self.font, text, size)
    }
}

/// Plotters' text size is the line height, 1.24 em (its SVG writes
/// `font-size` as size / 1.24); ab_glyph scales to ascent − descent.
fn scale(font: &FontRef<'static>, size: f64) -> PxScale {
    let em = size as f32 / 1.24;
    let units = font.units_per_em().unwrap_or(1000.0);
    PxScale::from(em * font.height_unscaled() / units)
}

/// `text` in `font` at plotters' text size `size`, laid out in one line.
fn lay_out(font: &FontRef<'static>, text: &str, size: f64) -> LaidOut {
    let font = font.as_scaled(scale(font, size));
    let mut glyphs = Vec::new();
    let mut caret = 0.0;
    let mut previous: Option<GlyphId> = None;
    for c in text.chars() {
        let id = font.glyph_id(c);
        if let Some(previous) = previous {
            caret += font.kern(previous, id);
        }
        glyphs
            .push(id.with_scale_and_position(font.scale(), ab_glyph::point(caret, font.ascent())));
        caret += font.h_advance(id);
        previous = Some(id);
    }
    LaidOut {
        glyphs,
        width: caret,
        height: font.ascent() - font.descent(),
    }
}

impl<B: DrawingBackend> DrawingBackend for Typeset<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: plotters_backend::BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: plotters_backend::BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: plotters_backend::BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: plotters_backend::BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: plotters_backend::BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.fill_polygon(vert, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.blit_bitmap(pos, size, src)
    }

    fn estimate_text_size<S: plotters_backend::BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<B::ErrorType>> {
        let line = self.lay_out(text, style.size());
        Ok((line.width.ceil() as u32, line.height.ceil() as u32))
    }

    fn draw_text<S: plotters_backend::BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        if !self.raster {
            return self.inner.draw_text(text, style, pos);
        }
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let line = self.lay_out(text, style.size());
        let dx = match style.anchor().h_pos {
            HPos::Left => 0.0,
            HPos::Center => -line.width / 2.0,
            HPos::Right => -line.width,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0.0,
            VPos::Center => -line.height / 2.0,
            VPos::Bottom => -line.height,
        };
        let transform = style.transform();
        let (width, height) = self.inner.get_size();
        let (width, height) = (
            i32::try_from(width).unwrap_or(i32::MAX),
            i32::try_from(height).unwrap_or(i32::MAX),
        );
        for glyph in line.glyphs {
            let Some(outline) = self.font.outline_glyph(glyph) else {
                continue;
            };
            let bounds = outline.px_bounds();
            let (left, top) = (
                (bounds.min.x + dx).round() as i32,
                (bounds.min.y + dy).round() as i32,
            );
            let mut result = Ok(());
            outline.draw(|x, y, coverage| {
                if result.is_err() || coverage <= 0.0 {
                    return;
                }
                let (x, y) = transform.transform(left + x as i32, top + y as i32);
                let (x, y) = (pos.0 + x, pos.1 + y);
                if (0..width).contains(&x) && (0..height).contains(&y) {
                    let shade = BackendColor {
                        alpha: color.alpha * f64::from(coverage.min(1.0)),
                        rgb: color.rgb,
                    };
                    result = self.inner.draw_pixel((x, y), shade);
                }
            });
            result?;
        }
        Ok(())
    }
}

/// Text of `size` pixels to the em. (Plotters takes the line height, 1.24
/// em, and writes `font-size` as that over 1.24.)
pub(super) fn text_style(size: f64, color: RGBColor) -> TextStyle<'static> {
    FontDesc::new(
        FontFamily::Name(FONT_FAMILY),
        size * 1.24,
        FontStyle::Normal,
    )
    .color(&color)
}

/// Width of the widest of `texts` in `style`, in pixels.
pub(super) fn widest<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    texts: impl IntoIterator<Item = String>,
    style: &TextStyle,
) -> Result<i32, DrawingAreaErrorKind<DB::ErrorType>> {
    let mut widest = 0;
    for text in texts {
        widest = widest.max(area.estimate_text_size(&text, style)?.0);
    }
    Ok(i32::try_from(widest).unwrap_or(i32::MAX))
}

/// `text`, cut with an ellipsis to fit `width` pixels in `font`.
pub(super) fn fit_text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    font: &TextStyle,
    width: i32,
) -> Result<String, DrawingAreaErrorKind<DB::ErrorType>> {
    let mut chars: Vec<char> = text.chars().collect();
    let mut candidate = text.to_string();
    while !chars.is_empty()
        && i32::try_from(area.estimate_text_size(&candidate, font)?.0).unwrap_or(i32::MAX) > width
    {
        chars.pop();
        candidate = format!("{}…", chars.iter().collect::<String>());
    }
    Ok(candidate)
}

/// Text of `em` pixels to the em measured with the embedded font: how a
/// file's legend is packed.
#[derive(Debug, Clone, Copy)]
pub struct FontMeasure {
    em: f64,
}

impl FontMeasure {
    pub fn new(em: f64) -> FontMeasure {
        FontMeasure { em }
    }
}

impl TextMeasure for FontMeasure {
    fn em(&self) -> f64 {
        self.em
    }

    fn width(&self, text: &str) -> f64 {
        match font() {
            Ok(font) => f64::from(lay_out(font, text, self.em * 1.24).width),
            // Never: drawing refuses to start without the font.
            Err(_) => text.chars().count() as f64 * 0.55 * self.em,
        }
    }
}
