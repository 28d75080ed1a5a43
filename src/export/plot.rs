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
use crate::chart::layout::{self, AxisLayout, Corner, Fit, Layout, LegendPlace, Swatch, Weight};
use crate::chart::{self, Chart, LineKind, Reference, Rgb};
use crate::palette::Marker;

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
    // Up to 8192² × 3 bytes: asked for, not assumed, so a machine short of
    // memory gets an error rather than an abort.
    let bytes = style.width as usize * style.height as usize * 3;
    let mut rgb: Vec<u8> = Vec::new();
    rgb.try_reserve_exact(bytes)
        .map_err(|_| ExportError::Render {
            reason: format!(
                "not enough memory for a {}×{} image",
                style.width, style.height
            ),
        })?;
    rgb.resize(bytes, 0);
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

/// How a line sample looks.
struct Sample {
    color: RGBColor,
    pub(super) width: i32,
    pub(super) stroke: Stroke,
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

/// Draws the whole chart on `root`: the chart, and its predictions panel
/// (when it has one) to its right, in the same fonts.
fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Chart,
    style: &PlotStyle,
) -> Drawn<DB> {
    root.fill(&Palette::new(style.dark).background)?;
    match &chart.predictions {
        Some(panel) => {
            let (width, _) = root.dim_in_pixel();
            let (left, right) = root.split_horizontally(width * 62 / 100);
            draw_panel(&left, chart, style, None)?;
            draw_panel(&right, panel, style, None)
        }
        None => draw_panel(root, chart, style, None),
    }
}

/// Draws `chart` alone (no predictions panel) as `layout` says, a layout
/// decided elsewhere (the window's, say), and returns the file's bytes: so
/// that what the window and a file draw of one layout can be compared.
pub fn render_layout(
    chart: &Chart,
    layout: &Layout,
    style: &PlotStyle,
    format: ImageFormat,
) -> Result<Vec<u8>, ExportError> {
    render_drawing(&Laid { chart, layout }, style, format)
}

/// A chart with the layout to draw it in.
struct Laid<'a> {
    chart: &'a Chart,
    layout: &'a Layout,
}

impl Drawing for Laid<'_> {
    fn draw_on<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &PlotStyle,
    ) -> Drawn<DB> {
        root.fill(&Palette::new(style.dark).background)?;
        draw_panel(root, self.chart, style, Some(self.layout))
    }
}

/// The layout of `chart` in an area of `width` × `height` pixels: what it
/// would be, and what the window's plot of that size draws too.
pub fn layout_for(chart: &Chart, style: &PlotStyle, size: (u32, u32)) -> Layout {
    Layout::of(chart, style.dark, plot_fit(style, size))
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
const TICK_PX: f64 = 26.0;

/// Text styles of one chart.
struct Fonts {
    title: TextStyle<'static>,
    caption: TextStyle<'static>,
    axis: TextStyle<'static>,
    tick: TextStyle<'static>,
}

impl Fonts {
    fn new(sizes: &Sizes, fg: RGBColor) -> Fonts {
        Fonts {
            title: text_style(sizes.font(44.0), fg),
            caption: text_style(sizes.font(24.0), fg),
            axis: text_style(sizes.font(30.0), fg),
            tick: text_style(sizes.font(TICK_PX), fg),
        }
    }
}

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

/// A drawn frame: the plot to draw data on, and where the legend goes
/// (drawn last, over the data, by [`Framed::finish`]).
pub(super) struct Framed<'a, DB: DrawingBackend> {
    pub(super) plot: Plot<'a, DB>,
    legend: LegendBox,
    origin: (i32, i32),
}

/// Draws a chart's frame in `area`: title and caption, the axes with the
/// layout's ticks and titles, the empty note; the legend's room is kept
/// under the plot when it goes outside.
pub(super) fn draw_frame<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    frame: &Frame<'_>,
    style: &PlotStyle,
) -> Result<Framed<'a, DB>, DrawingAreaErrorKind<DB::ErrorType>> {
    let sizes = Sizes::new(style);
    let fg = Palette::new(style.dark).foreground;
    let fonts = Fonts::new(&sizes, fg);
    let width = i32::try_from(area.dim_in_pixel().0).unwrap_or(i32::MAX);
    let (margin, gap) = (sizes.px(28.0), sizes.px(14.0));
    let top = draw_heading(area, frame, &fonts, (width, margin, gap))?;
    let legend = LegendBox::measure(area, frame, &fonts.tick, &sizes, width - 2 * margin)?;
    let below = match frame.legend_place {
        LegendPlace::Outside => legend.height + gap,
        LegendPlace::Inside(_) => 0,
    };
    let body = area.margin(
        u32::try_from(top).unwrap_or(0),
        u32::try_from(margin + below).unwrap_or(0),
        u32::try_from(margin).unwrap_or(0),
        0,
    );
    let (plot, x_area) = draw_axes(area, &body, frame, (&fonts, fg), &sizes)?;
    let (plot_x, plot_y) = plot.plotting_area().get_pixel_range();
    // In the area's own pixels (a predictions panel is not at the origin).
    let (base_x, base_y) = area.get_base_pixel();
    let (plot_x, plot_y) = (
        plot_x.start - base_x..plot_x.end - base_x,
        plot_y.start - base_y..plot_y.end - base_y,
    );
    if let Some(text) = frame.empty {
        area.draw_text(
            text,
            &text_style(sizes.font(36.0), fg).pos(Pos::new(HPos::Center, VPos::Center)),
            (
                (plot_x.start + plot_x.end) / 2,
                (plot_y.start + plot_y.end) / 2,
            ),
        )?;
    }
    let origin = legend.origin(
        frame.legend_place,
        (plot_x, plot_y),
        (margin, x_area + gap),
        &sizes,
    );
    Ok(Framed {
        plot,
        legend,
        origin,
    })
}

impl<DB: DrawingBackend> Framed<'_, DB> {
    /// Draws the legend, over the data when it is inside the plot.
    pub(super) fn finish(
        &self,
        area: &DrawingArea<DB, Shift>,
        frame: &Frame<'_>,
        style: &PlotStyle,
    ) -> Drawn<DB> {
        let sizes = Sizes::new(style);
        let palette = Palette::new(style.dark);
        let fonts = Fonts::new(&sizes, palette.foreground);
        self.legend
            .draw(area, frame, self.origin, &fonts.tick, &palette, &sizes)
    }
}

/// The axes in `body`, with room outside the plot for the tick labels and
/// axis titles; returns the plot and the height under it.
fn draw_axes<'a, DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    body: &DrawingArea<DB, Shift>,
    frame: &Frame<'_>,
    (fonts, fg): (&Fonts, RGBColor),
    sizes: &Sizes,
) -> Result<(Plot<'a, DB>, i32), DrawingAreaErrorKind<DB::ErrorType>> {
    let (tick_size, gap) = (sizes.px(10.0), sizes.px(14.0));
    let y_label_width = widest(area, frame.y.labels(), &fonts.tick)?;
    let (_, desc_height) = area.estimate_text_size("Ag", &fonts.axis)?;
    let (_, tick_height) = area.estimate_text_size("Ag", &fonts.tick)?;
    let desc_height = i32::try_from(desc_height).unwrap_or(0);
    let line_height = i32::try_from(tick_height).unwrap_or(0) * 9 / 8;
    let lines = frame
        .x
        .ticks
        .iter()
        .map(|t| t.label.lines().count())
        .max()
        .unwrap_or(1);
    let x_area =
        line_height * i32::try_from(lines).unwrap_or(1) + 2 * tick_size + gap + desc_height;
    let y_area = y_label_width + 2 * tick_size + gap + desc_height + gap;
    let x_label_width = widest(
        area,
        frame
            .x
            .ticks
            .iter()
            .flat_map(|t| t.label.lines().map(str::to_string).collect::<Vec<_>>()),
        &fonts.tick,
    )?;
    let axis = |a: &AxisLayout, label: Label| Axis {
        range: (a.min, a.max),
        ticks: a.ticks.iter().map(|t| t.value).collect(),
        label,
    };
    let y_labels = frame
        .y
        .ticks
        .iter()
        .map(|t| (t.value, t.label.clone()))
        .collect();
    let mut plot = ChartBuilder::on(body)
        .margin_right(x_label_width / 2 + sizes.px(28.0))
        .x_label_area_size(x_area)
        .y_label_area_size(y_area)
        .build_cartesian_2d(
            axis(frame.x, Label::Blank),
            axis(frame.y, Label::Given(y_labels)),
        )?;
    let mut mesh = plot.configure_mesh();
    mesh.x_desc(frame.x.title.as_str())
        .y_desc(frame.y.title.as_str())
        .label_style(fonts.tick.clone())
        .axis_desc_style(fonts.axis.clone())
        .bold_line_style(fg.mix(0.14).stroke_width(sizes.px(1.5) as u32))
        .light_line_style(TRANSPARENT)
        .axis_style(fg.stroke_width(sizes.px(2.0) as u32))
        .set_all_tick_mark_size(tick_size);
    if frame.rows {
        mesh.disable_y_mesh();
    }
    mesh.draw()?;
    // x tick labels by hand: a bar's label has several lines.
    let centred = fonts.tick.pos(Pos::new(HPos::Center, VPos::Top));
    for tick in &frame.x.ticks {
        let (cx, base) = in_area(area, plot.backend_coord(&(tick.value, frame.y.min)));
        for (n, line) in tick.label.lines().enumerate() {
            let y = base + 2 * tick_size + line_height * i32::try_from(n).unwrap_or(0);
            area.draw_text(line, &centred, (cx, y))?;
        }
    }
    Ok((plot, x_area))
}

/// Draws one chart in `area`, as its layout says (`given`, or the one
/// for the area's size).
fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &Chart,
    style: &PlotStyle,
    given: Option<&Layout>,
) -> Drawn<DB> {
    let layout = given
        .cloned()
        .unwrap_or_else(|| layout_for(chart, style, area.dim_in_pixel()));
    let frame = Frame {
        title: &layout.title,
        caption: layout.caption.as_deref(),
        x: &layout.x,
        y: &layout.y,
        rows: false,
        legend: &layout.legend,
        legend_place: layout.legend_place,
        empty: chart.is_empty().then_some("no data"),
    };
    let mut framed = draw_frame(area, &frame, style)?;
    draw_data(area, &mut framed.plot, chart, &layout, &Sizes::new(style))?;
    framed.finish(area, &frame, style)
}

/// A pixel of the whole image in `area`'s own pixels.
fn in_area<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, (x, y): (i32, i32)) -> (i32, i32) {
    let (base_x, base_y) = area.get_base_pixel();
    (x - base_x, y - base_y)
}

/// Draws the title, centred, and the caption under it, cut to the width;
/// returns where the chart below them starts.
fn draw_heading<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    frame: &Frame<'_>,
    fonts: &Fonts,
    (width, margin, gap): (i32, i32, i32),
) -> Result<i32, DrawingAreaErrorKind<DB::ErrorType>> {
    let mut top = margin;
    let (_, title_height) = area.estimate_text_size(frame.title, &fonts.title)?;
    area.draw_text(
        frame.title,
        &fonts.title.pos(Pos::new(HPos::Center, VPos::Top)),
        (width / 2, top),
    )?;
    top += i32::try_from(title_height).unwrap_or(0) + gap;
    if let Some(caption) = frame.caption {
        let text = fit_text(area, caption, &fonts.caption, width - 2 * margin)?;
        let (_, caption_height) = area.estimate_text_size(&text, &fonts.caption)?;
        area.draw_text(
            &text,
            &fonts.caption.pos(Pos::new(HPos::Center, VPos::Top)),
            (width / 2, top),
        )?;
        top += i32::try_from(caption_height).unwrap_or(0) + gap;
    }

    Ok(top)
}

/// `text`, cut with an ellipsis to fit `width` pixels in `font`.
fn fit_text<DB: DrawingBackend>(
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

/// References under the data, then whiskers, lines and markers, then bars;
/// each as the layout styles it.
fn draw_data<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    plot: &mut Plot<'_, DB>,
    chart: &Chart,
    layout: &Layout,
    sizes: &Sizes,
) -> Drawn<DB> {
    draw_references(plot, chart, layout, sizes)?;
    draw_whiskers(plot, chart, layout, sizes)?;
    draw_series(area, plot, chart, layout, sizes)?;
    if let Some(bars) = &chart.bars {
        draw_bars(plot, bars, layout)?;
    }
    Ok(())
}

/// Reference lines, clipped to the plot.
fn draw_references<DB: DrawingBackend>(
    plot: &mut Plot<'_, DB>,
    chart: &Chart,
    layout: &Layout,
    sizes: &Sizes,
) -> Drawn<DB> {
    let (x, y) = (&layout.x, &layout.y);
    for (reference, stroke) in chart.references.iter().zip(&layout.references) {
        let line = match reference {
            Reference::Curve { points, .. } => chart::clip_below(points, y.max),
            Reference::Horizontal { y: level, .. } if (y.min..=y.max).contains(level) => {
                vec![(x.min, *level), (x.max, *level)]
            }
            Reference::Vertical { x: at, .. } if (x.min..=x.max).contains(at) => {
                vec![(*at, y.min), (*at, y.max)]
            }
            _ => Vec::new(),
        };
        if line.len() >= 2 {
            let (color, width, pattern) = pen(stroke, sizes);
            draw_line(plot, line, color, width, pattern)?;
        }
    }
    Ok(())
}

/// Min–max whiskers, and thicker, the median's 95 % confidence interval.
fn draw_whiskers<DB: DrawingBackend>(
    plot: &mut Plot<'_, DB>,
    chart: &Chart,
    layout: &Layout,
    sizes: &Sizes,
) -> Drawn<DB> {
    let whisker_width = u32::try_from(sizes.px(3.0)).unwrap_or(1);
    for (series, style) in chart.series.iter().zip(&layout.series) {
        let color = rgb(style.stroke.color);
        for point in &series.points {
            let at = point.x + style.dx;
            for (whisker, width) in [(point.spread, whisker_width), (point.ci, whisker_width * 3)] {
                let Some((low, high)) = whisker.filter(|(low, high)| low < high) else {
                    continue;
                };
                plot.draw_series(std::iter::once(PathElement::new(
                    vec![(at, low), (at, high.min(layout.y.max))],
                    color.stroke_width(width),
                )))?;
            }
        }
    }
    Ok(())
}

/// Each series' line and markers, moved aside by the layout's offset.
fn draw_series<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    plot: &mut Plot<'_, DB>,
    chart: &Chart,
    layout: &Layout,
    sizes: &Sizes,
) -> Drawn<DB> {
    let background = rgb(chart::theme::background(layout.dark));
    for (series, style) in chart.series.iter().zip(&layout.series) {
        let mut points: Vec<(f64, f64)> = series
            .points
            .iter()
            .map(|p| (p.x + style.dx, p.y))
            .collect();
        if series.prediction.is_some() {
            points = chart::clip_below(&points, layout.y.max);
        }
        let (color, width, pattern) = pen(&style.stroke, sizes);
        let pixels: Vec<(i32, i32)> = points
            .iter()
            .map(|p| in_area(area, plot.backend_coord(p)))
            .collect();
        draw_line(plot, points, color, width, pattern)?;
        if let Some(marker) = style.stroke.marker {
            for coord in pixels {
                draw_marker(area, coord, sizes.px(11.0), (color, background), marker)?;
            }
        }
    }
    Ok(())
}

/// The stacked bars of the time breakdown, each segment in its phase's
/// colour (compute in the run's model's).
fn draw_bars<DB: DrawingBackend>(
    plot: &mut Plot<'_, DB>,
    bars: &chart::StackedBars,
    layout: &Layout,
) -> Drawn<DB> {
    let half = layout.bar_width / 2.0;
    for bar in 0..bars.labels.len() {
        let at = bar as f64;
        let model = bars
            .models
            .get(bar)
            .copied()
            .unwrap_or(crate::spec::Model::Serial);
        let mut bottom = 0.0;
        for segment in &bars.segments {
            let value = segment.values.get(bar).copied().unwrap_or(0.0);
            if !(value.is_finite() && value > 0.0) {
                continue;
            }
            let color = rgb(segment.color(model, layout.dark));
            plot.draw_series(std::iter::once(Rectangle::new(
                [(at - half, bottom), (at + half, bottom + value)],
                color.filled(),
            )))?;
            bottom += value;
        }
    }
    Ok(())
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

/// The legend's size and rows: one column inside the plot, or rows as wide
/// as the chart under it.
struct LegendBox {
    width: i32,
    height: i32,
    /// Each entry's offset from the box's top left.
    places: Vec<(i32, i32)>,
}

impl LegendBox {
    fn measure<DB: DrawingBackend>(
        area: &DrawingArea<DB, Shift>,
        frame: &Frame<'_>,
        font: &TextStyle,
        sizes: &Sizes,
        room: i32,
    ) -> Result<LegendBox, DrawingAreaErrorKind<DB::ErrorType>> {
        let padding = sizes.px(14.0);
        let (sample, gap) = (sizes.px(64.0), sizes.px(14.0));
        let (_, text_height) = area.estimate_text_size("Ag", font)?;
        let row = (i32::try_from(text_height).unwrap_or(0) * 3 / 2).max(sizes.px(30.0));
        let inside = matches!(frame.legend_place, LegendPlace::Inside(_));
        let mut places = Vec::new();
        let (mut width, mut x, mut y) = (0, padding, padding);
        for entry in frame.legend {
            let text = i32::try_from(area.estimate_text_size(&entry.name, font)?.0).unwrap_or(0);
            let entry_width = sample + gap + text + 2 * gap;
            if !places.is_empty() && (inside || x + entry_width > room) {
                x = padding;
                y += row;
            }
            places.push((x, y));
            x += entry_width;
            width = width.max(x - 2 * gap + padding);
        }
        let height = if frame.legend.is_empty() {
            0
        } else {
            y + row + padding
        };
        Ok(LegendBox {
            width,
            height,
            places,
        })
    }

    /// The legend's top left: under the plot (`below`: the left margin and
    /// the height of the x axis under the plot), or in its corner.
    fn origin(
        &self,
        place: LegendPlace,
        (plot_x, plot_y): (std::ops::Range<i32>, std::ops::Range<i32>),
        (margin, below): (i32, i32),
        sizes: &Sizes,
    ) -> (i32, i32) {
        let inset = sizes.px(18.0);
        match place {
            LegendPlace::Outside => (margin, plot_y.end + below),
            LegendPlace::Inside(corner) => {
                let left = match corner {
                    Corner::LeftTop | Corner::LeftBottom => plot_x.start + inset,
                    Corner::RightTop | Corner::RightBottom => plot_x.end - inset - self.width,
                };
                let top = match corner {
                    Corner::LeftTop | Corner::RightTop => plot_y.start + inset,
                    Corner::LeftBottom | Corner::RightBottom => plot_y.end - inset - self.height,
                };
                (left, top)
            }
        }
    }

    /// Draws each entry's sample (dash and marker, or block) and name on
    /// a near-opaque box with its top left at `origin`.
    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        frame: &Frame<'_>,
        (left, top): (i32, i32),
        font: &TextStyle,
        palette: &Palette,
        sizes: &Sizes,
    ) -> Drawn<DB> {
        if frame.legend.is_empty() {
            return Ok(());
        }
        let corners = [(left, top), (left + self.width, top + self.height)];
        area.draw(&Rectangle::new(
            corners,
            palette.background.mix(0.9).filled(),
        ))?;
        if matches!(frame.legend_place, LegendPlace::Inside(_)) {
            let frame = palette.foreground.mix(0.35);
            area.draw(&Rectangle::new(
                corners,
                frame.stroke_width(u32::try_from(sizes.px(1.5)).unwrap_or(1)),
            ))?;
        }
        let (sample, gap) = (sizes.px(64.0), sizes.px(14.0));
        let (_, text_height) = area.estimate_text_size("Ag", font)?;
        let row = (i32::try_from(text_height).unwrap_or(0) * 3 / 2).max(sizes.px(30.0));
        let label = font.pos(Pos::new(HPos::Left, VPos::Center));
        for (entry, (dx, dy)) in frame.legend.iter().zip(&self.places) {
            let (x0, y) = (left + dx, top + dy + row / 2);
            draw_swatch(area, entry.swatch, (x0, x0 + sample, y), palette, sizes)?;
            area.draw_text(&entry.name, &label, (x0 + sample + gap, y))?;
        }
        Ok(())
    }
}

/// A legend entry's sample from `x0` to `x1` at height `y`: its line with
/// dash and marker, or a block.
fn draw_swatch<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    swatch: Swatch,
    (x0, x1, y): (i32, i32, i32),
    palette: &Palette,
    sizes: &Sizes,
) -> Drawn<DB> {
    match swatch {
        Swatch::Line(stroke) => {
            let (color, width, pattern) = pen(&stroke, sizes);
            let sample = Sample {
                color,
                width,
                stroke: pattern,
            };
            draw_sample(area, (x0, x1, y), &sample)?;
            if let Some(marker) = stroke.marker {
                draw_marker(
                    area,
                    ((x0 + x1) / 2, y),
                    sizes.px(11.0),
                    (color, palette.background),
                    marker,
                )?;
            }
        }
        Swatch::Block(color) => {
            let (half, quarter) = (sizes.px(11.0), (x1 - x0) / 4);
            area.draw(&Rectangle::new(
                [(x0 + quarter, y - half), (x1 - quarter, y + half)],
                rgb(color).filled(),
            ))?;
        }
    }
    Ok(())
}

pub(super) type Plot<'a, DB> = ChartContext<'a, DB, Cartesian2d<Axis, Axis>>;

/// How an axis labels its ticks.
#[derive(Debug, Clone)]
pub(super) enum Label {
    /// No tick labels: the caller writes its own (timeline lanes).
    Blank,
    /// The labels a chart's layout gave each tick value.
    Given(Vec<(f64, String)>),
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

impl ValueFormatter<f64> for Axis {
    fn format_ext(&self, value: &f64) -> String {
        match &self.label {
            Label::Blank => String::new(),
            Label::Given(ticks) => ticks
                .iter()
                .find(|(v, _)| (v - value).abs() <= 1e-9 * v.abs().max(1.0))
                .map(|(_, label)| label.clone())
                .unwrap_or_default(),
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

/// A line between two points, in marker radii from the centre.
type Segment = ((f64, f64), (f64, f64));

/// Draws a filled marker centred on a pixel, in its shape, with a thin
/// outline in the background colour so that markers on top of each other
/// stay apart.
pub(super) fn draw_marker<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x, y): (i32, i32),
    radius: i32,
    (color, outline): (RGBColor, RGBColor),
    marker: Marker,
) -> Drawn<DB> {
    let r = f64::from(radius);
    let at = |dx: f64, dy: f64| (x + (dx * r).round() as i32, y + (dy * r).round() as i32);
    let ring = outline.stroke_width(u32::try_from((radius / 4).max(1)).unwrap_or(1));
    let shape = |points: Vec<(i32, i32)>| -> Drawn<DB> {
        area.draw(&Polygon::new(points.clone(), color.filled()))?;
        let mut closed = points;
        if let Some(&first) = closed.first() {
            closed.push(first);
        }
        area.draw(&PathElement::new(closed, ring))
    };
    let strokes = |lines: &[Segment], width: i32| -> Drawn<DB> {
        for (pen, extra) in [(outline, radius / 3), (color, 0)] {
            let style = pen.stroke_width(u32::try_from((width + extra).max(1)).unwrap_or(1));
            for &(a, b) in lines {
                area.draw(&PathElement::new(vec![at(a.0, a.1), at(b.0, b.1)], style))?;
            }
        }
        Ok(())
    };
    let thick = (radius * 2 / 5).max(2);
    match marker {
        Marker::Circle => {
            area.draw(&Circle::new((x, y), radius, color.filled()))?;
            area.draw(&Circle::new((x, y), radius, ring))
        }
        Marker::Square => shape(vec![
            at(-0.85, -0.85),
            at(0.85, -0.85),
            at(0.85, 0.85),
            at(-0.85, 0.85),
        ]),
        Marker::Diamond => shape(vec![
            at(0.0, -1.15),
            at(1.0, 0.0),
            at(0.0, 1.15),
            at(-1.0, 0.0),
        ]),
        Marker::Up => shape(vec![at(0.0, -1.15), at(1.05, 0.8), at(-1.05, 0.8)]),
        Marker::Down => shape(vec![at(0.0, 1.15), at(1.05, -0.8), at(-1.05, -0.8)]),
        Marker::Left => shape(vec![at(-1.15, 0.0), at(0.8, -1.05), at(0.8, 1.05)]),
        Marker::Right => shape(vec![at(1.15, 0.0), at(-0.8, -1.05), at(-0.8, 1.05)]),
        Marker::Cross => strokes(
            &[((-0.9, -0.9), (0.9, 0.9)), ((-0.9, 0.9), (0.9, -0.9))],
            thick,
        ),
        Marker::Plus => strokes(
            &[((-1.1, 0.0), (1.1, 0.0)), ((0.0, -1.1), (0.0, 1.1))],
            thick,
        ),
        Marker::Asterisk => strokes(
            &[
                ((-1.1, 0.0), (1.1, 0.0)),
                ((-0.55, -0.95), (0.55, 0.95)),
                ((-0.55, 0.95), (0.55, -0.95)),
            ],
            thick * 3 / 4,
        ),
    }
}

/// Draws a line sample in pixel coordinates, for the legend.
fn draw_sample<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x0, x1, y): (i32, i32, i32),
    entry: &Sample,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::layout::label_lines;
    use crate::chart::{ChartKind, XAxis, build};
    use crate::results::testing::record;
    use crate::results::{MachineInfo, ResultSet};
    use crate::spec::Model;
    use crate::workload::Workload;

    /// A worker sweep of every kind of model, with IPC traffic for processes.
    fn sweep() -> ResultSet {
        let mut set = ResultSet::new(MachineInfo::detect());
        set.machine.physical_cores = Some(4);
        set.machine.logical_cores = 8;
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

    /// Every text of the chart's layout (and its predictions panel's) is
    /// in the SVG: title, axis titles with units, tick labels, legend.
    fn assert_names_everything(svg: &str, chart: &Chart, style: &PlotStyle) {
        assert!(svg.trim_start().starts_with("<svg"), "{}", &svg[..80]);
        assert!(svg.trim_end().ends_with("</svg>"));
        let mut panels = vec![(chart, style.width)];
        if let Some(panel) = &chart.predictions {
            panels = vec![
                (chart, style.width * 62 / 100),
                (panel, style.width - style.width * 62 / 100),
            ];
        }
        for (chart, width) in panels {
            let layout = layout_for(chart, style, (width, style.height));
            let mut expected = vec![
                layout.title.clone(),
                layout.x.title.clone(),
                layout.y.title.clone(),
            ];
            expected.extend(layout.legend.iter().map(|e| e.name.clone()));
            for tick in layout.x.ticks.iter().chain(&layout.y.ticks) {
                expected.extend(tick.label.lines().map(str::to_string));
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
        // The counter's charts show only for sets that counted.
        for kind in ChartKind::ALL.into_iter().filter(|k| k.shows_in(&[&set])) {
            let chart = build(kind, &set);
            assert!(!chart.is_empty(), "{kind:?}");
            for dark in [false, true] {
                let style = PlotStyle {
                    dark,
                    ..PlotStyle::default()
                };
                let svg = svg(&chart, &style);
                assert_names_everything(&svg, &chart, &style);
                assert!(svg.contains("width=\"1920\"") && svg.contains("height=\"1080\""));
            }
        }
        let wall = svg(&build(ChartKind::WallTime, &set), &PlotStyle::default());
        // Ticks in the unit the axis title names; worker counts on x.
        assert!(
            has_text(&wall, "wall time [s]") && has_text(&wall, "0") && has_text(&wall, "4"),
            "{:?}",
            texts(&wall)
        );
        assert!(has_text(&wall, "8"));
        let speedup = svg(&build(ChartKind::Speedup, &set), &PlotStyle::default());
        assert!(
            has_text(&speedup, "speedup [×]") && has_text(&speedup, "2"),
            "{:?}",
            texts(&speedup)
        );
        let efficiency = svg(&build(ChartKind::Efficiency, &set), &PlotStyle::default());
        assert!(has_text(&efficiency, "100"), "{:?}", texts(&efficiency));
        let ipc = svg(&build(ChartKind::IpcBytes, &set), &PlotStyle::default());
        assert!(has_text(&ipc, "bytes sent [KiB]"), "{:?}", texts(&ipc));
        // With predictions: the panel beside, with its fitted laws.
        let options = crate::chart::ChartOptions { predict_to: 64 };
        let predicted = crate::chart::build_with(ChartKind::Speedup, &set, &options);
        assert!(predicted.predictions.is_some());
        let style = PlotStyle::default();
        let both = svg(&predicted, &style);
        assert_names_everything(&both, &predicted, &style);
        assert!(
            has_text(&both, "Fitted laws, to 64 workers"),
            "{:?}",
            texts(&both)
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
    fn payload_sweeps_label_x_in_bytes() {
        let set = payload_sweep();
        for kind in ChartKind::ALL.into_iter().filter(|k| k.shows_in(&[&set])) {
            let chart = build(kind, &set);
            let svg = svg(&chart, &PlotStyle::default());
            assert_names_everything(&svg, &chart, &PlotStyle::default());
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
                assert!(has_text(&svg, "1 KiB"), "{kind:?}: {:?}", texts(&svg));
                assert!(has_text(&svg, "1 MiB"), "{kind:?}: {:?}", texts(&svg));
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
        assert_names_everything(
            &svg(&chart, &PlotStyle::default()),
            &chart,
            &PlotStyle::default(),
        );
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
