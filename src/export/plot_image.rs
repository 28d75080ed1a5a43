//! Chart images as files: the formats (SVG, PNG), the image's size and
//! theme, and anything drawn over a whole image ([`Drawing`]) turned into
//! a file's bytes, raw pixels, or a file replaced atomically.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::ExportError;
use super::plot_text::{Typeset, font};

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
    /// The smallest text's size (captions; ticks and legends a little
    /// larger), in the image's pixels, for an image shown at its own size
    /// (the deck's charts): the text keeps it whatever the image's size.
    /// `None`: text scales with the image, as its other sizes do (a
    /// 24 px caption and 26 px ticks at 1920 × 1080).
    pub text_px: Option<u32>,
}

impl Default for PlotStyle {
    /// A full-HD slide on a light background.
    fn default() -> Self {
        PlotStyle {
            width: 1920,
            height: 1080,
            dark: false,
            text_px: None,
        }
    }
}

/// The largest side accepted, so a typo cannot ask for gigabytes of pixels.
pub const MAX_SIDE: u32 = 8192;

/// Something drawn over a whole image: a chart of the chart model here, or
/// one of a run's activity charts ([`super::activity`]).
pub(super) trait Drawing {
    fn draw_on<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &PlotStyle,
    ) -> Drawn<DB>;
}

pub(super) type Drawn<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

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
