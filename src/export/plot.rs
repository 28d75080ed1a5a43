//! Charts as image files for slides: the chart model ([`crate::chart`])
//! drawn to SVG or PNG without a window.
//!
//! The same [`Chart`] the GUI shows with egui_plot is drawn here with
//! plotters: title, axis titles with units, ticks in the chart's unit, one
//! line with markers per series in its model's colour, min–max whiskers,
//! reference lines and a legend naming every line. Sizes are set for a
//! projector (a 48 px title and 5 px lines at 1080p) and scale with the
//! image.
//!
//! Text is measured and (for PNG) drawn with a font built into the binary,
//! egui's own Ubuntu Light, so export needs no system fonts or fontconfig.
//! SVG files name the `sans-serif` family and leave the glyphs to the viewer.

use std::path::Path;
use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, Glyph, GlyphId, PxScale, ScaleFont};
use plotters::coord::Shift;
use plotters::coord::ranged1d::{KeyPointHint, NoDefaultFormatting, Ranged, ValueFormatter};
use plotters::element::{DashedPathElement, DottedPathElement};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_backend::{BackendColor, BackendCoord, DrawingErrorKind};

use super::ExportError;
use crate::chart::{
    self, Chart, ChartKind, LineKind, REFERENCE_COLOR, Reference, Rgb, Unit, XAxis,
};

/// The file formats a chart can be drawn to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    Svg,
    Png,
}

impl ImageFormat {
    /// The format a file name asks for by its extension (`.svg` or `.png`,
    /// in any case).
    pub fn from_path(path: &Path) -> Option<ImageFormat> {
        let extension = path.extension()?.to_str()?;
        if extension.eq_ignore_ascii_case("svg") {
            Some(ImageFormat::Svg)
        } else if extension.eq_ignore_ascii_case("png") {
            Some(ImageFormat::Png)
        } else {
            None
        }
    }

    /// The usual file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            ImageFormat::Svg => "svg",
            ImageFormat::Png => "png",
        }
    }
}

/// Size and theme of a drawn chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlotStyle {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// A dark background with the light model colours, as in the GUI's
    /// dark theme; otherwise white with the deeper colours.
    pub dark: bool,
}

impl Default for PlotStyle {
    /// A full-HD slide on a light background.
    fn default() -> Self {
        PlotStyle {
            width: 1920,
            height: 1080,
            dark: false,
        }
    }
}

/// The largest side accepted, so a typo cannot ask for gigabytes of pixels.
pub const MAX_SIDE: u32 = 8192;

/// The family the embedded font is registered under.
const FONT_FAMILY: &str = "sans-serif";

/// Something drawn over a whole image: a chart of the chart model here, or
/// one of a run's activity charts ([`super::activity`]).
pub(super) trait Drawing {
    fn draw_on<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &PlotStyle,
    ) -> Drawn<DB>;
}

impl Drawing for Chart {
    fn draw_on<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &PlotStyle,
    ) -> Drawn<DB> {
        draw(root, self, style)
    }
}

/// Draws `chart` and returns the file's bytes: SVG text or a PNG image.
pub fn render(
    chart: &Chart,
    style: &PlotStyle,
    format: ImageFormat,
) -> Result<Vec<u8>, ExportError> {
    render_drawing(chart, style, format)
}

/// Draws `drawing` with the embedded font and returns the file's bytes.
pub(super) fn render_drawing(
    drawing: &impl Drawing,
    style: &PlotStyle,
    format: ImageFormat,
) -> Result<Vec<u8>, ExportError> {
    let render_error = |reason: String| ExportError::Render { reason };
    check_size(style)?;
    let font = font().map_err(render_error)?;
    let size = (style.width, style.height);
    match format {
        ImageFormat::Svg => {
            let mut svg = String::new();
            {
                let backend = SVGBackend::with_string(&mut svg, size);
                let root = Typeset::new(backend, font, false).into_drawing_area();
                drawing
                    .draw_on(&root, style)
                    .map_err(|e| render_error(e.to_string()))?;
                root.present().map_err(|e| render_error(e.to_string()))?;
            }
            Ok(svg.into_bytes())
        }
        ImageFormat::Png => {
            let rgb = render_rgb_drawing(drawing, style)?;
            encode_png(&rgb, style.width, style.height)
                .map_err(|e| render_error(format!("PNG encoding failed: {e}")))
        }
    }
}

/// Draws `chart` as raw pixels, 8-bit RGB rows top to bottom (for a PNG,
/// or for the clipboard).
pub fn render_rgb(chart: &Chart, style: &PlotStyle) -> Result<Vec<u8>, ExportError> {
    render_rgb_drawing(chart, style)
}

/// Draws `drawing` as raw pixels, 8-bit RGB rows top to bottom.
pub(super) fn render_rgb_drawing(
    drawing: &impl Drawing,
    style: &PlotStyle,
) -> Result<Vec<u8>, ExportError> {
    let render_error = |reason: String| ExportError::Render { reason };
    check_size(style)?;
    let font = font().map_err(render_error)?;
    let mut rgb = vec![0_u8; style.width as usize * style.height as usize * 3];
    {
        let backend = BitMapBackend::with_buffer(&mut rgb, (style.width, style.height));
        let root = Typeset::new(backend, font, true).into_drawing_area();
        drawing
            .draw_on(&root, style)
            .map_err(|e| render_error(e.to_string()))?;
        root.present().map_err(|e| render_error(e.to_string()))?;
    }
    Ok(rgb)
}

/// Refuses sizes of zero or past [`MAX_SIDE`].
fn check_size(style: &PlotStyle) -> Result<(), ExportError> {
    for (side, value) in [("width", style.width), ("height", style.height)] {
        if value == 0 || value > MAX_SIDE {
            return Err(ExportError::Render {
                reason: format!("the {side} must be 1 to {MAX_SIDE} pixels, not {value}"),
            });
        }
    }
    Ok(())
}

/// Draws `chart` into the file at `path`, as SVG or PNG by its extension.
/// The file is replaced atomically: a failed export leaves no half image.
pub fn write(chart: &Chart, style: &PlotStyle, path: &Path) -> Result<(), ExportError> {
    write_drawing(chart, style, path)
}

/// Draws `drawing` into the file at `path`, as SVG or PNG by its extension.
pub(super) fn write_drawing(
    drawing: &impl Drawing,
    style: &PlotStyle,
    path: &Path,
) -> Result<(), ExportError> {
    let format = ImageFormat::from_path(path).ok_or_else(|| ExportError::Unwritable {
        path: path.display().to_string(),
        reason: "an image needs the extension .svg or .png".to_string(),
    })?;
    let bytes = render_drawing(drawing, style, format)?;
    super::write_atomic(path, |w| {
        w.write_all(&bytes).map_err(|source| ExportError::Io {
            path: path.display().to_string(),
            source,
        })
    })
}

/// The embedded font, read once per process and registered with plotters
/// too (its own text measure needs it; [`Typeset`] does the rest).
fn font() -> Result<&'static FontRef<'static>, String> {
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
struct Typeset<B> {
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
    fn new(inner: B, font: &'static FontRef<'static>, raster: bool) -> Typeset<B> {
        Typeset {
            inner,
            font,
            raster,
        }
    }

    /// Plotters' text size is the line height, 1.24 em (its SVG writes
    /// `font-size` as size / 1.24); ab_glyph scales to ascent − descent.
    fn scale(&self, size: f64) -> PxScale {
        let em = size as f32 / 1.24;
        let units = self.font.units_per_em().unwrap_or(1000.0);
        PxScale::from(em * self.font.height_unscaled() / units)
    }

    fn lay_out(&self, text: &str, size: f64) -> LaidOut {
        let font = self.font.as_scaled(self.scale(size));
        let mut glyphs = Vec::new();
        let mut caret = 0.0;
        let mut previous: Option<GlyphId> = None;
        for c in text.chars() {
            let id = font.glyph_id(c);
            if let Some(previous) = previous {
                caret += font.kern(previous, id);
            }
            glyphs.push(
                id.with_scale_and_position(font.scale(), ab_glyph::point(caret, font.ascent())),
            );
            caret += font.h_advance(id);
            previous = Some(id);
        }
        LaidOut {
            glyphs,
            width: caret,
            height: font.ascent() - font.descent(),
        }
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

fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(rgb)?;
        writer.finish()?;
    }
    Ok(out)
}

/// Pixel sizes for one image, scaled from their values at 1920 × 1080.
pub(super) struct Sizes {
    scale: f64,
}

impl Sizes {
    pub(super) fn new(style: &PlotStyle) -> Sizes {
        let scale = (f64::from(style.height) / 1080.0).min(f64::from(style.width) / 1920.0);
        Sizes { scale }
    }

    /// `px` at 1080p, scaled, at least 1.
    pub(super) fn px(&self, px: f64) -> i32 {
        ((px * self.scale).round() as i32).max(1)
    }

    pub(super) fn font(&self, px: f64) -> f64 {
        (px * self.scale).max(6.0)
    }
}

/// The colours of one theme.
pub(super) struct Palette {
    pub(super) background: RGBColor,
    pub(super) foreground: RGBColor,
    pub(super) dark: bool,
}

impl Palette {
    pub(super) fn new(dark: bool) -> Palette {
        if dark {
            Palette {
                background: RGBColor(0x1b, 0x1b, 0x1b),
                foreground: RGBColor(0xe6, 0xe6, 0xe6),
                dark,
            }
        } else {
            Palette {
                background: RGBColor(0xff, 0xff, 0xff),
                foreground: RGBColor(0x1e, 0x1e, 0x1e),
                dark,
            }
        }
    }

    fn model(&self, model: crate::spec::Model) -> RGBColor {
        rgb(chart::model_color_on(model, self.dark))
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

/// The markers on a series' points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Marker {
    Circle,
    Square,
}

/// One legend row: what it names and how its line looks.
pub(super) struct LegendEntry {
    pub(super) name: String,
    pub(super) color: RGBColor,
    pub(super) width: i32,
    pub(super) stroke: Stroke,
    pub(super) marker: Option<Marker>,
}

/// The axes' extent and ticks.
struct Axes {
    x: (f64, f64),
    y: (f64, f64),
    x_ticks: Vec<f64>,
    y_ticks: Vec<f64>,
}

pub(super) type Drawn<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

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

/// Draws the whole chart on `root`.
fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Chart,
    style: &PlotStyle,
) -> Drawn<DB> {
    let sizes = Sizes::new(style);
    let palette = Palette::new(style.dark);
    let fg = palette.foreground;
    root.fill(&palette.background)?;

    let title_font = text_style(sizes.font(48.0), fg);
    let desc_font = text_style(sizes.font(32.0), fg);
    let tick_font = text_style(sizes.font(26.0), fg);
    let legend_font = text_style(sizes.font(26.0), fg);
    let margin = sizes.px(28.0);
    let tick_size = sizes.px(10.0);

    // The title, centred above the plot.
    let (_, title_height) = root.estimate_text_size(&chart.title, &title_font)?;
    let title_height = i32::try_from(title_height).unwrap_or(0);
    root.draw_text(
        &chart.title,
        &title_font.pos(Pos::new(HPos::Center, VPos::Top)),
        (i32::try_from(style.width / 2).unwrap_or(0), margin),
    )?;
    let body = root.margin(
        u32::try_from(margin * 2 + title_height).unwrap_or(0),
        u32::try_from(margin).unwrap_or(0),
        u32::try_from(margin).unwrap_or(0),
        0,
    );

    // Leave room for the tick labels and axis titles outside the plot.
    let y_extent = y_extent(chart);
    let y_ticks = y_ticks(chart.unit, y_extent);
    let y_label_width = widest(
        root,
        y_ticks.iter().map(|&y| chart::format_value(chart.unit, y)),
        &tick_font,
    )?;
    let (_, desc_height) = root.estimate_text_size("Ag", &desc_font)?;
    let (_, tick_height) = root.estimate_text_size("0", &tick_font)?;
    let desc_height = i32::try_from(desc_height).unwrap_or(0);
    let tick_height = i32::try_from(tick_height).unwrap_or(0);
    let gap = sizes.px(14.0);
    let y_area = y_label_width + 2 * tick_size + gap + desc_height + gap;
    let (x_start, x_end) = x_extent(chart);
    // Bar labels go on up to three lines (set, run, payload) and shrink
    // (to 60 %) rather than overlap their neighbours.
    let bar_lines: Vec<Vec<String>> = chart
        .bars
        .as_ref()
        .map(|bars| bars.labels.iter().map(|l| label_lines(l)).collect())
        .unwrap_or_default();
    let mut bar_font = tick_font.clone();
    let mut x_area = tick_height + 2 * tick_size + gap + desc_height;
    let x_label_width = if bar_lines.is_empty() {
        // The widest x label, from whole x spread over the range.
        let (first, last) = (x_start.ceil(), x_end.floor().max(x_start.ceil()));
        let samples = (0..=16).map(|i| (first + (last - first) * f64::from(i) / 16.0).round());
        widest(
            root,
            samples.map(|x| chart::format_x(chart.x_axis, x)),
            &tick_font,
        )?
    } else {
        let room = (i32::try_from(style.width).unwrap_or(i32::MAX) - 3 * margin - y_area)
            / i32::try_from(bar_lines.len()).unwrap_or(1).max(1);
        let natural = widest(root, bar_lines.iter().flatten().cloned(), &tick_font)?;
        let scale = (f64::from(room) * 0.92 / f64::from(natural.max(1))).clamp(0.6, 1.0);
        bar_font = text_style(sizes.font(26.0 * scale), fg);
        let most_lines = bar_lines.iter().map(Vec::len).max().unwrap_or(1);
        x_area = tick_height * 5 / 4 * i32::try_from(most_lines).unwrap_or(1)
            + 2 * tick_size
            + gap
            + desc_height;
        widest(root, bar_lines.iter().flatten().cloned(), &bar_font)?.min(room)
    };
    let right = x_label_width / 2 + margin;
    let plot_width = i32::try_from(style.width).unwrap_or(i32::MAX) - 2 * margin - y_area - right;
    let x_ticks = x_ticks(chart.x_axis, (x_start, x_end), plot_width, x_label_width);
    let axes = Axes {
        x: (x_start, x_end),
        y: (0.0, y_extent),
        x_ticks,
        y_ticks,
    };

    let mut plot = ChartBuilder::on(&body)
        .margin_right(right)
        .x_label_area_size(x_area)
        .y_label_area_size(y_area)
        .build_cartesian_2d(
            Axis {
                range: axes.x,
                ticks: axes.x_ticks.clone(),
                label: Label::X(chart.x_axis),
            },
            Axis {
                range: axes.y,
                ticks: axes.y_ticks.clone(),
                label: Label::Y(chart.unit),
            },
        )?;
    plot.configure_mesh()
        .x_desc(chart.x_label.as_str())
        .y_desc(chart.y_label.as_str())
        .label_style(tick_font.clone())
        .axis_desc_style(desc_font.clone())
        .bold_line_style(fg.mix(0.14).stroke_width(sizes.px(1.5) as u32))
        .light_line_style(TRANSPARENT)
        .axis_style(fg.stroke_width(sizes.px(2.0) as u32))
        .set_all_tick_mark_size(tick_size)
        .draw()?;

    let mut legend = Vec::new();
    let series_width = sizes.px(5.0);
    let reference_width = sizes.px(3.5);
    for series in &chart.series {
        let color = palette.model(series.model);
        let stroke = match series.line {
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
                gap: sizes.px(16.0),
            },
        };
        let marker = if series.prediction.is_some() {
            None
        } else if series.line == LineKind::Solid {
            Some(Marker::Circle)
        } else {
            Some(Marker::Square)
        };
        legend.push(LegendEntry {
            name: series.name.clone(),
            color,
            width: if series.prediction.is_some() {
                reference_width
            } else {
                series_width
            },
            stroke,
            marker,
        });
    }
    // Bars: one legend row per phase, a thick stroke as its swatch. Bars
    // of one measure in their models' colours need none: labels name them.
    let bar_segments = chart.bars.as_ref().map_or(&[][..], |b| &b.segments[..]);
    let first_model = chart
        .bars
        .as_ref()
        .and_then(|b| b.models.first().copied())
        .unwrap_or(crate::spec::Model::Serial);
    for segment in bar_segments.iter().filter(|s| s.phase.is_some()) {
        legend.push(LegendEntry {
            name: segment.name.clone(),
            color: rgb(segment.color(first_model, style.dark)),
            width: sizes.px(22.0),
            stroke: Stroke::Solid,
            marker: None,
        });
    }
    let reference_color = rgb(REFERENCE_COLOR);
    let loose_dash = Stroke::Dashed {
        dash: sizes.px(18.0),
        gap: sizes.px(14.0),
    };
    let mut references = Vec::new();
    for reference in &chart.references {
        let (name, color, stroke, line) = match reference {
            Reference::Curve { name, points } => {
                let line = chart::clip_below(points, axes.y.1);
                let line = (line.len() >= 2).then_some(line);
                (name, reference_color, loose_dash, line)
            }
            Reference::Horizontal { name, y, model } => {
                let color = model.map_or(reference_color, |m| palette.model(m));
                let inside = (axes.y.0..=axes.y.1).contains(y);
                let line = inside.then(|| vec![(axes.x.0, *y), (axes.x.1, *y)]);
                (name, color, loose_dash, line)
            }
            Reference::Vertical { name, x } => {
                let inside = (axes.x.0..=axes.x.1).contains(x);
                let line = inside.then(|| vec![(*x, axes.y.0), (*x, axes.y.1)]);
                let dotted = Stroke::Dotted {
                    spacing: sizes.px(12.0),
                };
                (name, reference_color, dotted, line)
            }
        };
        legend.push(LegendEntry {
            name: name.clone(),
            color,
            width: reference_width,
            stroke,
            marker: None,
        });
        references.push((line, color, stroke));
    }

    // References under the data, then whiskers, lines and markers. What
    // is drawn is kept in pixels, to place the legend where it hides least.
    let mut drawn: Vec<Vec<(i32, i32)>> = Vec::new();
    let pixels = |plot: &Plot<'_, DB>, points: &[(f64, f64)]| -> Vec<(i32, i32)> {
        points.iter().map(|p| plot.backend_coord(p)).collect()
    };
    for (line, color, stroke) in references {
        if let Some(line) = line {
            drawn.push(pixels(&plot, &line));
            draw_line(&mut plot, line, color, reference_width, stroke)?;
        }
    }
    let whisker_width = u32::try_from(sizes.px(3.0)).unwrap_or(1);
    for series in &chart.series {
        let color = palette.model(series.model);
        for point in &series.points {
            let Some((low, high)) = point.spread.filter(|(low, high)| low < high) else {
                continue;
            };
            let whisker = vec![(point.x, low), (point.x, high)];
            drawn.push(pixels(&plot, &whisker));
            plot.draw_series(std::iter::once(PathElement::new(
                whisker,
                color.stroke_width(whisker_width),
            )))?;
        }
        // The confidence interval: a bar three times as thick.
        for point in &series.points {
            let Some((low, high)) = point.ci.filter(|(low, high)| low < high) else {
                continue;
            };
            let bar = vec![(point.x, low), (point.x, high)];
            drawn.push(pixels(&plot, &bar));
            plot.draw_series(std::iter::once(PathElement::new(
                bar,
                color.stroke_width(whisker_width * 3),
            )))?;
        }
    }
    let radius = sizes.px(9.0);
    for (series, entry) in chart.series.iter().zip(&legend) {
        let points: Vec<(f64, f64)> = series.points.iter().map(|p| (p.x, p.y)).collect();
        let points = if series.prediction.is_some() {
            chart::clip_below(&points, axes.y.1)
        } else {
            points
        };
        let line = pixels(&plot, &points);
        draw_line(&mut plot, points, entry.color, entry.width, entry.stroke)?;
        if let Some(marker) = entry.marker {
            for &coord in &line {
                draw_marker(root, coord, radius, entry.color, marker)?;
                // A marker weighs as much as a stretch of line.
                drawn.extend(std::iter::repeat_n(vec![coord], 8));
            }
        }
        drawn.push(line);
    }
    if let Some(bars) = &chart.bars {
        for bar in 0..bars.labels.len() {
            let x = bar as f64;
            let mut bottom = 0.0;
            for segment in &bars.segments {
                let value = segment.values.get(bar).copied().unwrap_or(0.0);
                if !(value.is_finite() && value > 0.0) {
                    continue;
                }
                let model = bars
                    .models
                    .get(bar)
                    .copied()
                    .unwrap_or(crate::spec::Model::Serial);
                let color = rgb(segment.color(model, style.dark));
                plot.draw_series(std::iter::once(Rectangle::new(
                    [(x - 0.34, bottom), (x + 0.34, bottom + value)],
                    color.filled(),
                )))?;
                bottom += value;
            }
            // The bar's outline, for the legend to avoid.
            let outline = vec![(x - 0.34, 0.0), (x - 0.34, bottom), (x + 0.34, bottom)];
            drawn.push(pixels(&plot, &outline));
            drawn.push(pixels(&plot, &[(x, bottom * 0.5)]));
            // Its label, line by line, centred under it.
            let (cx, base) = plot.backend_coord(&(x, 0.0));
            let (_, line_height) = root.estimate_text_size("Ag", &bar_font)?;
            let line_height = i32::try_from(line_height).unwrap_or(0) * 5 / 4;
            let centred = bar_font.pos(Pos::new(HPos::Center, VPos::Top));
            for (n, line) in bar_lines.get(bar).into_iter().flatten().enumerate() {
                let y = base + 2 * tick_size + line_height * i32::try_from(n).unwrap_or(0);
                root.draw_text(line, &centred, (cx, y))?;
            }
        }
    }

    let (plot_x, plot_y) = plot.plotting_area().get_pixel_range();
    if chart.is_empty() {
        root.draw_text(
            "no data",
            &text_style(sizes.font(36.0), fg).pos(Pos::new(HPos::Center, VPos::Center)),
            (
                (plot_x.start + plot_x.end) / 2,
                (plot_y.start + plot_y.end) / 2,
            ),
        )?;
    }
    let layout = LegendLayout {
        plot: (plot_x, plot_y),
        drawn: &drawn,
        kind: chart.kind,
    };
    draw_legend(root, &legend, &legend_font, &palette, &sizes, &layout)?;
    Ok(())
}

/// The x range shown: from 0 (workers) or half a step before the smallest
/// payload, to half a step past the largest x or vertical reference.
/// A bar label cut into lines: the set (`laptop:`), the model, the worker
/// count (`×2`), the payload.
fn label_lines(label: &str) -> Vec<String> {
    let (set, run) = match label.split_once(": ") {
        Some((set, run)) => (Some(format!("{set}:")), run),
        None => (None, label),
    };
    let mut lines: Vec<String> = set.into_iter().collect();
    for part in run.split(" · ") {
        match part.rsplit_once(" ×") {
            Some((model, workers)) => lines.extend([model.to_string(), format!("×{workers}")]),
            None => lines.push(part.to_string()),
        }
    }
    lines
}

fn x_extent(chart: &Chart) -> (f64, f64) {
    let finite = |v: f64, fallback: f64| if v.is_finite() { v } else { fallback };
    if let Some(bars) = &chart.bars {
        return (-0.6, bars.labels.len().max(1) as f64 - 0.4);
    }
    let mut x_max = finite(chart.x_max, 1.0);
    for reference in &chart.references {
        if let Reference::Vertical { x, .. } = reference {
            x_max = x_max.max(finite(*x, x_max));
        }
    }
    match chart.x_axis {
        XAxis::Workers | XAxis::Runs => (0.0, x_max + 0.5),
        XAxis::PayloadBytes => (finite(chart.x_min, x_max) - 0.5, x_max + 0.5),
        XAxis::WorkersLog2 => (-0.25, x_max + 0.25),
    }
}

/// The top of the y axis: above every point, whisker and level, and the
/// levels each chart always shows, plus a little headroom.
fn y_extent(chart: &Chart) -> f64 {
    let mut top: f64 = 0.0;
    let mut include = |y: f64| {
        if y.is_finite() {
            top = top.max(y);
        }
    };
    for series in &chart.series {
        for point in &series.points {
            include(point.y);
            for (_, high) in point.spread.into_iter().chain(point.ci) {
                include(high);
            }
        }
    }
    if let Some(bars) = &chart.bars {
        for bar in 0..bars.labels.len() {
            include(
                bars.segments
                    .iter()
                    .filter_map(|s| s.values.get(bar))
                    .filter(|v| v.is_finite() && **v > 0.0)
                    .sum(),
            );
        }
    }
    for reference in &chart.references {
        if let Reference::Horizontal { y, .. } = reference {
            include(*y);
        }
    }
    match (chart.kind, chart.x_axis) {
        (ChartKind::Speedup, XAxis::Workers) => include(x_extent(chart).1),
        (ChartKind::Speedup, XAxis::PayloadBytes) => include(1.2),
        (ChartKind::Efficiency, _) => include(110.0),
        // Nothing lost reads as flat bars on the whole 0–100 % scale.
        (ChartKind::LostUpdates, _) => include(100.0),
        _ => {}
    }
    if top <= 0.0 {
        top = match chart.unit {
            Unit::Bytes => 1024.0,
            _ => 1.0,
        };
    }
    top * 1.06
}

/// About six round y ticks from 0: 1, 2 or 5 times a power of ten, or
/// powers of two for bytes so that they read 256 KiB, 512 KiB, …
pub(super) fn y_ticks(unit: Unit, top: f64) -> Vec<f64> {
    let raw = top / 6.0;
    let step = if unit == Unit::Bytes {
        raw.max(1.0).log2().ceil().exp2()
    } else {
        nice_step(raw)
    };
    ticks_from(0.0, step, top)
}

/// The round step (1, 2 or 5 times a power of ten) at or above `raw`.
fn nice_step(raw: f64) -> f64 {
    let magnitude = 10_f64.powf(raw.log10().floor());
    let normal = raw / magnitude;
    let nice = if normal <= 1.0 {
        1.0
    } else if normal <= 2.0 {
        2.0
    } else if normal <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

/// About eight round ticks over a time range, through 0 when it is inside.
pub(super) fn time_ticks(start: f64, end: f64) -> Vec<f64> {
    let span = end - start;
    if !(span > 0.0 && span.is_finite()) {
        return vec![start];
    }
    let step = nice_step(span / 8.0);
    ticks_from((start / step).ceil() * step, step, end)
}

/// Integer x ticks, as many as fit the width: worker counts in steps of 1,
/// 2, 5, 10, …; payload exponents in whole steps from the smallest payload.
fn x_ticks(axis: XAxis, (start, end): (f64, f64), plot_width: i32, label_width: i32) -> Vec<f64> {
    let room = f64::from(plot_width.max(1)) / f64::from(label_width.max(1)) / 1.6;
    let fit = room.floor().clamp(2.0, 16.0);
    let span = end - start;
    match axis {
        XAxis::Workers => {
            let mut step = 1.0;
            for next in [2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0] {
                if span / step <= fit {
                    break;
                }
                step = next;
            }
            ticks_from(start.max(0.0).ceil(), step, end)
        }
        XAxis::PayloadBytes | XAxis::WorkersLog2 => {
            let step = (span / fit).ceil().max(1.0);
            ticks_from(start.ceil(), step, end)
        }
        // Every bar is labelled (the labels shrink to fit).
        XAxis::Runs => ticks_from(start.ceil(), 1.0, end),
    }
}

pub(super) fn ticks_from(first: f64, step: f64, end: f64) -> Vec<f64> {
    if !(step > 0.0 && first.is_finite() && end.is_finite()) {
        return vec![first];
    }
    let mut ticks = Vec::new();
    let mut i = 0.0;
    while first + i * step <= end + step * 1e-9 && ticks.len() < 64 {
        ticks.push(first + i * step);
        i += 1.0;
    }
    ticks
}

pub(super) type Plot<'a, DB> = ChartContext<'a, DB, Cartesian2d<Axis, Axis>>;

/// How an axis labels its ticks.
#[derive(Debug, Clone, Copy)]
pub(super) enum Label {
    X(XAxis),
    Y(Unit),
    /// Seconds on a time axis (negative before the repetition shown).
    Seconds,
    /// No tick labels: the caller writes its own (timeline lanes).
    Blank,
}

/// A linear axis with ticks chosen here and labelled in the chart's units
/// (plotters' own would pick and print plain decimals).
#[derive(Debug, Clone)]
pub(super) struct Axis {
    pub(super) range: (f64, f64),
    pub(super) ticks: Vec<f64>,
    pub(super) label: Label,
}

impl Ranged for Axis {
    type FormatOption = NoDefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let (low, high) = self.range;
        let t = if high > low {
            (value - low) / (high - low)
        } else {
            0.5
        };
        let pixels = f64::from(limit.1 - limit.0);
        // Clamped far outside the image, so a stray value cannot overflow.
        (f64::from(limit.0) + pixels * t.clamp(-4.0, 5.0)).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.range.0..self.range.1
    }
}

impl Axis {
    /// A tick's label.
    pub(super) fn format(&self, value: f64) -> String {
        self.format_ext(&value)
    }
}

impl ValueFormatter<f64> for Axis {
    fn format_ext(&self, value: &f64) -> String {
        match self.label {
            // Bars are labelled by hand, on several lines.
            Label::X(XAxis::Runs) => String::new(),
            Label::X(axis) => chart::format_x(axis, *value),
            Label::Y(unit) => chart::format_value(unit, *value),
            Label::Seconds if *value < 0.0 => format!("−{}", crate::format::seconds(-*value)),
            Label::Seconds => crate::format::seconds(*value),
            Label::Blank => String::new(),
        }
    }
}

/// Draws a polyline through `points` in data coordinates.
pub(super) fn draw_line<DB: DrawingBackend>(
    plot: &mut Plot<'_, DB>,
    points: Vec<(f64, f64)>,
    color: RGBColor,
    width: i32,
    stroke: Stroke,
) -> Drawn<DB> {
    let style = color.stroke_width(u32::try_from(width).unwrap_or(1));
    match stroke {
        Stroke::Solid => {
            plot.draw_series(std::iter::once(PathElement::new(points, style)))?;
        }
        Stroke::Dashed { dash, gap } => {
            plot.draw_series(std::iter::once(DashedPathElement::new(
                points, dash, gap, style,
            )))?;
        }
        Stroke::Dotted { spacing } => {
            let radius = (width + 1) / 2;
            plot.draw_series(std::iter::once(DottedPathElement::new(
                points,
                0,
                spacing,
                move |c| Circle::new(c, radius, color.filled()),
            )))?;
        }
    }
    Ok(())
}

/// Draws a filled marker centred on a pixel.
fn draw_marker<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x, y): (i32, i32),
    radius: i32,
    color: RGBColor,
    marker: Marker,
) -> Drawn<DB> {
    match marker {
        Marker::Circle => area.draw(&Circle::new((x, y), radius, color.filled())),
        Marker::Square => {
            let half = radius * 9 / 10;
            area.draw(&Rectangle::new(
                [(x - half, y - half), (x + half, y + half)],
                color.filled(),
            ))
        }
    }
}

/// Draws a line sample in pixel coordinates, for the legend.
pub(super) fn draw_sample<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x0, x1, y): (i32, i32, i32),
    entry: &LegendEntry,
) -> Drawn<DB> {
    let style = entry
        .color
        .stroke_width(u32::try_from(entry.width).unwrap_or(1));
    let points = vec![(x0, y), (x1, y)];
    match entry.stroke {
        Stroke::Solid => area.draw(&PathElement::new(points, style))?,
        Stroke::Dashed { dash, gap } => {
            area.draw(&DashedPathElement::new(points, dash, gap, style))?;
        }
        Stroke::Dotted { spacing } => {
            let radius = (entry.width + 1) / 2;
            let color = entry.color;
            area.draw(&DottedPathElement::new(points, 0, spacing, move |c| {
                Circle::new(c, radius, color.filled())
            }))?;
        }
    }
    Ok(())
}

/// Where the legend may go: inside the plot, away from what is drawn.
struct LegendLayout<'a> {
    plot: (std::ops::Range<i32>, std::ops::Range<i32>),
    /// Every line drawn, in pixels.
    drawn: &'a [Vec<(i32, i32)>],
    kind: ChartKind,
}

impl LegendLayout<'_> {
    /// The top left of a `width` × `height` legend: in the plot corner that
    /// covers the fewest drawn pixels, preferring the GUI's corner for the
    /// chart (wall time falls to the right, speedup rises to the right,
    /// efficiency falls from 100 %).
    fn place(&self, (width, height): (i32, i32), inset: i32) -> (i32, i32) {
        let (plot_x, plot_y) = &self.plot;
        let left = plot_x.start + inset;
        let right = plot_x.end - inset - width;
        let top = plot_y.start + inset;
        let bottom = plot_y.end - inset - height;
        let corners = match self.kind {
            ChartKind::WallTime | ChartKind::LostUpdates => {
                [(right, top), (left, top), (right, bottom), (left, bottom)]
            }
            ChartKind::Speedup | ChartKind::IpcBytes | ChartKind::IncrementCost => {
                [(left, top), (right, top), (left, bottom), (right, bottom)]
            }
            ChartKind::Efficiency => [(left, bottom), (right, bottom), (left, top), (right, top)],
            ChartKind::Overhead => [(right, top), (left, top), (right, bottom), (left, bottom)],
        };
        let mut best = corners[0];
        let mut least = usize::MAX;
        for corner in corners {
            let covered = self.covered((corner, (corner.0 + width, corner.1 + height)), inset);
            if covered < least {
                least = covered;
                best = corner;
            }
        }
        best
    }

    /// How many samples of the drawn lines fall in a box, with a margin.
    fn covered(&self, ((x0, y0), (x1, y1)): ((i32, i32), (i32, i32)), margin: i32) -> usize {
        let inside = |(x, y): (f64, f64)| {
            (f64::from(x0 - margin)..=f64::from(x1 + margin)).contains(&x)
                && (f64::from(y0 - margin)..=f64::from(y1 + margin)).contains(&y)
        };
        let mut count = 0;
        for line in self.drawn {
            if let [point] = line.as_slice() {
                count += usize::from(inside((f64::from(point.0), f64::from(point.1))));
            }
            for pair in line.windows(2) {
                let (a, b) = (pair[0], pair[1]);
                let (dx, dy) = (f64::from(b.0 - a.0), f64::from(b.1 - a.1));
                let steps = (dx.hypot(dy) / 4.0).ceil().clamp(1.0, 10_000.0) as u32;
                for i in 0..=steps {
                    let t = f64::from(i) / f64::from(steps);
                    count +=
                        usize::from(inside((f64::from(a.0) + dx * t, f64::from(a.1) + dy * t)));
                }
            }
        }
        count
    }
}

/// Draws the legend: a line sample and the name of every series and
/// reference line, on a near-opaque box.
fn draw_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
    font: &TextStyle,
    palette: &Palette,
    sizes: &Sizes,
    layout: &LegendLayout<'_>,
) -> Drawn<DB> {
    if entries.is_empty() {
        return Ok(());
    }
    let padding = sizes.px(16.0);
    let inset = sizes.px(18.0);
    let sample = sizes.px(64.0);
    let gap = sizes.px(14.0);
    let (_, text_height) = root.estimate_text_size("Ag", font)?;
    let row = (i32::try_from(text_height).unwrap_or(0) * 3 / 2).max(sizes.px(30.0));
    let text_width = widest(root, entries.iter().map(|e| e.name.clone()), font)?;
    let width = padding + sample + gap + text_width + padding;
    let height = padding * 2 + row * i32::try_from(entries.len()).unwrap_or(0);
    let (left, top) = layout.place((width, height), inset);
    root.draw(&Rectangle::new(
        [(left, top), (left + width, top + height)],
        palette.background.mix(0.9).filled(),
    ))?;
    root.draw(&Rectangle::new(
        [(left, top), (left + width, top + height)],
        palette
            .foreground
            .mix(0.35)
            .stroke_width(u32::try_from(sizes.px(1.5)).unwrap_or(1)),
    ))?;
    let label = font.pos(Pos::new(HPos::Left, VPos::Center));
    for (i, entry) in entries.iter().enumerate() {
        let y = top + padding + row * i32::try_from(i).unwrap_or(0) + row / 2;
        let x0 = left + padding;
        draw_sample(root, (x0, x0 + sample, y), entry)?;
        if let Some(marker) = entry.marker {
            draw_marker(
                root,
                (x0 + sample / 2, y),
                sizes.px(9.0),
                entry.color,
                marker,
            )?;
        }
        root.draw_text(&entry.name, &label, (x0 + sample + gap, y))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::build;
    use crate::results::testing::record;
    use crate::results::{MachineInfo, ResultSet};
    use crate::spec::Model;
    use crate::workload::Workload;

    /// A worker sweep of every kind of model, with IPC traffic for processes.
    fn sweep() -> ResultSet {
        let mut set = ResultSet::new(MachineInfo::detect());
        set.machine.physical_cores = Some(4);
        set.runs.push(record(Model::Serial, 1, 4.0));
        for model in [
            Model::Threads,
            Model::GilThreads,
            Model::Processes,
            Model::ProcessPerTask,
        ] {
            for workers in [1, 2, 4, 8] {
                let mut r = record(model, workers, 4.0 / f64::from(workers.min(4)) + 0.1);
                if model.uses_processes() {
                    r.ipc.bytes_to_workers = 40_000 * u64::from(workers);
                    r.ipc.bytes_from_workers = 1_000 * u64::from(workers);
                }
                set.runs.push(r);
            }
        }
        crate::analysis::fill_speedups(&mut set);
        set
    }

    /// Echo runs over payloads of 1 KiB … 1 MiB: the x axis shows bytes.
    fn payload_sweep() -> ResultSet {
        let mut set = ResultSet::new(MachineInfo::detect());
        for payload in [1024, 4096, 16_384, 65_536, 262_144, 1_048_576] {
            for (model, workers) in [(Model::Serial, 1), (Model::Processes, 4)] {
                let mut r = record(model, workers, 1.0 + payload as f64 / 1e6);
                r.workload = Workload::Echo;
                r.payload_bytes = payload;
                if model == Model::Processes {
                    r.ipc.bytes_to_workers = payload * 4;
                    r.ipc.bytes_from_workers = payload * 4;
                }
                set.runs.push(r);
            }
        }
        crate::analysis::fill_speedups(&mut set);
        set
    }

    /// Three workloads compared: solid, dashed and dotted lines.
    fn workloads() -> ResultSet {
        let mut set = ResultSet::new(MachineInfo::detect());
        for workload in [Workload::SqrtSum, Workload::Primes, Workload::Sleep] {
            for (model, workers) in [(Model::Serial, 1), (Model::Threads, 2), (Model::Threads, 4)] {
                let mut r = record(model, workers, 2.0 / f64::from(workers));
                r.workload = workload;
                set.runs.push(r);
            }
        }
        crate::analysis::fill_speedups(&mut set);
        set
    }

    /// Text as the SVG backend writes it.
    fn escaped(text: &str) -> String {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&apos;")
    }

    fn svg(chart: &Chart, style: &PlotStyle) -> String {
        let bytes = render(chart, style, ImageFormat::Svg).unwrap();
        String::from_utf8(bytes).unwrap()
    }

    /// The contents of the SVG's text elements.
    fn texts(svg: &str) -> Vec<String> {
        svg.split("<text")
            .skip(1)
            .filter_map(|element| {
                let (_, rest) = element.split_once('>')?;
                let (content, _) = rest.split_once("</text>")?;
                Some(content.trim().to_string())
            })
            .collect()
    }

    fn has_text(svg: &str, text: &str) -> bool {
        texts(svg).contains(&escaped(text))
    }

    fn assert_names_everything(svg: &str, chart: &Chart) {
        assert!(svg.trim_start().starts_with("<svg"), "{}", &svg[..80]);
        assert!(svg.trim_end().ends_with("</svg>"));
        let mut expected = vec![
            chart.title.clone(),
            chart.x_label.clone(),
            chart.y_label.clone(),
        ];
        expected.extend(chart.legend_names());
        if let Some(bars) = &chart.bars {
            expected.extend(bars.labels.iter().flat_map(|l| label_lines(l)));
        }
        for text in expected {
            assert!(
                has_text(svg, &text),
                "{:?} chart lacks {text:?} in {:?}",
                chart.kind,
                texts(svg)
            );
        }
    }

    /// Width and height from a PNG's header, after checking its signature.
    fn png_size(png: &[u8]) -> (u32, u32) {
        assert!(png.len() > 33, "too short for a PNG");
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(&png[12..16], b"IHDR");
        let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
        (be(&png[16..20]), be(&png[20..24]))
    }

    #[test]
    fn every_chart_draws_to_svg_with_its_texts() {
        let set = sweep();
        for kind in ChartKind::ALL.into_iter().filter(|k| k.shows_in(&[&set])) {
            let chart = build(kind, &set);
            assert!(!chart.is_empty(), "{kind:?}");
            for dark in [false, true] {
                let style = PlotStyle {
                    dark,
                    ..PlotStyle::default()
                };
                let svg = svg(&chart, &style);
                assert_names_everything(&svg, &chart);
                assert!(svg.contains("width=\"1920\"") && svg.contains("height=\"1080\""));
            }
        }
        let wall = svg(&build(ChartKind::WallTime, &set), &PlotStyle::default());
        // Ticks in the unit: seconds on wall time; worker counts on x.
        assert!(
            has_text(&wall, "0 s") && has_text(&wall, "4.00 s"),
            "{:?}",
            texts(&wall)
        );
        assert!(has_text(&wall, "8"));
        let speedup = svg(&build(ChartKind::Speedup, &set), &PlotStyle::default());
        assert!(has_text(&speedup, "2.00×"), "{:?}", texts(&speedup));
        let efficiency = svg(&build(ChartKind::Efficiency, &set), &PlotStyle::default());
        assert!(has_text(&efficiency, "100 %"), "{:?}", texts(&efficiency));
        let ipc = svg(&build(ChartKind::IpcBytes, &set), &PlotStyle::default());
        assert!(
            texts(&ipc).iter().any(|t| t.ends_with("KiB")),
            "{:?}",
            texts(&ipc)
        );
    }

    #[test]
    fn every_chart_draws_to_png_of_the_asked_size() {
        let set = sweep();
        for kind in ChartKind::ALL {
            let chart = build(kind, &set);
            for (width, height, dark) in [(960, 540, false), (800, 600, true)] {
                let style = PlotStyle {
                    width,
                    height,
                    dark,
                };
                let png = render(&chart, &style, ImageFormat::Png).unwrap();
                assert_eq!(png_size(&png), (width, height));
            }
        }
        let full = render(
            &build(ChartKind::Speedup, &set),
            &PlotStyle::default(),
            ImageFormat::Png,
        );
        assert_eq!(png_size(&full.unwrap()), (1920, 1080));
    }

    #[test]
    fn counter_charts_draw_with_their_texts() {
        use crate::workload::{CountedIn, Sharing};
        let mut set = ResultSet::new(MachineInfo::default());
        for (model, sharing, lost, counted) in [
            (Model::Threads, Sharing::Racy, 300, CountedIn::SharedCounter),
            (Model::Threads, Sharing::Locked, 0, CountedIn::SharedCounter),
            (
                Model::Processes,
                Sharing::Atomic,
                1000,
                CountedIn::WorkerCopies,
            ),
            (
                Model::Processes,
                Sharing::Isolated,
                0,
                CountedIn::PartialSums,
            ),
        ] {
            for workers in [1, 2] {
                let mut r = record(model, workers, 1e-5 * f64::from(workers));
                r.workload = Workload::Counter;
                r.sharing = Some(sharing);
                r.expected_total = Some(1000);
                r.lost_updates = Some(if workers == 1 && sharing == Sharing::Racy {
                    0
                } else {
                    lost
                });
                r.total = r.lost_updates.map(|l| 1000 - l);
                r.counted_in = Some(counted);
                set.runs.push(r);
            }
        }
        for kind in [ChartKind::LostUpdates, ChartKind::IncrementCost] {
            assert!(kind.shows_in(&[&set]));
            let chart = build(kind, &set);
            assert!(!chart.is_empty(), "{kind:?}");
            let svg = svg(&chart, &PlotStyle::default());
            assert_names_everything(&svg, &chart);
        }
        // Every sharing mode has a line style of its own.
        let cost = build(ChartKind::IncrementCost, &set);
        let mut lines: Vec<String> = cost
            .series
            .iter()
            .map(|s| format!("{:?}", s.line))
            .collect();
        lines.sort();
        lines.dedup();
        assert_eq!(lines.len(), 4, "{lines:?}");
    }

    #[test]
    fn payload_sweeps_label_x_in_bytes() {
        let set = payload_sweep();
        for kind in ChartKind::ALL.into_iter().filter(|k| k.shows_in(&[&set])) {
            let chart = build(kind, &set);
            let svg = svg(&chart, &PlotStyle::default());
            assert_names_everything(&svg, &chart);
            if kind == ChartKind::Overhead {
                // A bar per run, labelled with its payload.
                assert_eq!(chart.x_axis, XAxis::Runs);
                assert!(has_text(&svg, "×4"), "{:?}", texts(&svg));
                assert!(has_text(&svg, "1.00 MiB"), "{:?}", texts(&svg));
                assert_eq!(
                    label_lines("a: threads ×2 · 1.00 MiB"),
                    ["a:", "threads", "×2", "1.00 MiB"]
                );
            } else {
                assert_eq!(chart.x_axis, XAxis::PayloadBytes);
                assert!(has_text(&svg, "1.00 KiB"), "{kind:?}: {:?}", texts(&svg));
                assert!(has_text(&svg, "1.00 MiB"), "{kind:?}: {:?}", texts(&svg));
            }
            let style = PlotStyle {
                width: 640,
                height: 360,
                dark: true,
            };
            let png = render(&chart, &style, ImageFormat::Png).unwrap();
            assert_eq!(png_size(&png), (640, 360));
        }
    }

    #[test]
    fn dashed_and_dotted_series_draw() {
        let chart = build(ChartKind::Speedup, &workloads());
        let lines: Vec<LineKind> = chart.series.iter().map(|s| s.line).collect();
        assert!(lines.contains(&LineKind::Dashed) && lines.contains(&LineKind::Dotted));
        assert_names_everything(&svg(&chart, &PlotStyle::default()), &chart);
        let png = render(&chart, &PlotStyle::default(), ImageFormat::Png).unwrap();
        assert_eq!(png_size(&png), (1920, 1080));
    }

    #[test]
    fn an_empty_chart_is_still_an_image() {
        let set = ResultSet::new(MachineInfo::detect());
        for kind in ChartKind::ALL {
            let chart = build(kind, &set);
            assert!(chart.is_empty());
            let svg = svg(&chart, &PlotStyle::default());
            assert!(has_text(&svg, &chart.title) && has_text(&svg, "no data"));
            let png = render(&chart, &PlotStyle::default(), ImageFormat::Png).unwrap();
            assert_eq!(png_size(&png), (1920, 1080));
        }
    }

    #[test]
    fn impossible_sizes_are_refused() {
        let chart = build(ChartKind::WallTime, &sweep());
        for (width, height) in [(0, 100), (100, 0), (100_000, 100)] {
            let style = PlotStyle {
                width,
                height,
                dark: false,
            };
            let result = render(&chart, &style, ImageFormat::Png);
            assert!(matches!(result, Err(ExportError::Render { .. })));
        }
    }

    #[test]
    fn formats_follow_the_extension() {
        assert_eq!(
            ImageFormat::from_path(Path::new("a/b.SVG")),
            Some(ImageFormat::Svg)
        );
        assert_eq!(
            ImageFormat::from_path(Path::new("b.png")),
            Some(ImageFormat::Png)
        );
        assert_eq!(ImageFormat::from_path(Path::new("b.jpg")), None);
        assert_eq!(ImageFormat::from_path(Path::new("png")), None);
        assert_eq!(ImageFormat::Png.extension(), "png");
    }

    #[test]
    fn write_replaces_the_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let chart = build(ChartKind::Speedup, &sweep());
        let style = PlotStyle {
            width: 640,
            height: 360,
            dark: false,
        };
        let svg_path = dir.path().join("speedup.svg");
        let png_path = dir.path().join("speedup.png");
        write(&chart, &style, &svg_path).unwrap();
        write(&chart, &style, &png_path).unwrap();
        // Writing again replaces the file.
        write(&chart, &style, &png_path).unwrap();
        let svg = std::fs::read_to_string(&svg_path).unwrap();
        assert!(svg.starts_with("<svg"));
        assert_eq!(png_size(&std::fs::read(&png_path).unwrap()), (640, 360));
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["speedup.png", "speedup.svg"]);

        let missing = dir.path().join("missing").join("speedup.png");
        assert!(write(&chart, &style, &missing).is_err());
        assert!(!missing.exists());
        let unknown = dir.path().join("speedup.gif");
        assert!(matches!(
            write(&chart, &style, &unknown),
            Err(ExportError::Unwritable { .. })
        ));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    #[ignore = "writes preview images to $CORESCOPE_PLOT_PREVIEW for a look by eye"]
    fn preview() {
        let Some(dir) = std::env::var_os("CORESCOPE_PLOT_PREVIEW") else {
            return;
        };
        let dir = std::path::PathBuf::from(dir);
        for (name, set) in [
            ("sweep", sweep()),
            ("payload", payload_sweep()),
            ("workloads", workloads()),
        ] {
            for kind in ChartKind::ALL {
                for dark in [false, true] {
                    let chart = build(kind, &set);
                    let style = if dark {
                        PlotStyle {
                            dark,
                            ..PlotStyle::default()
                        }
                    } else {
                        PlotStyle {
                            width: 800,
                            height: 600,
                            dark,
                        }
                    };
                    let theme = if dark { "dark" } else { "light" };
                    for format in [ImageFormat::Svg, ImageFormat::Png] {
                        let file = format!("{name}-{kind:?}-{theme}.{}", format.extension());
                        write(&chart, &style, &dir.join(file)).unwrap();
                    }
                }
            }
        }
    }
}
