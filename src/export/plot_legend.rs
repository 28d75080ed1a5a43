//! A chart image's legend and markers: the legend box, packed as the
//! chart layout packs every renderer's legend, each entry's line sample
//! (dash and marker) or block, and the markers in their shapes.

use plotters::coord::Shift;
use plotters::element::{DashedPathElement, DottedPathElement};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::plot_image::Drawn;
use super::plot_parts::{Frame, Palette, Sizes, Stroke, TICK_PX, pen, rgb};
use super::plot_text::FontMeasure;
use crate::chart::layout::{LegendGrid, LegendPlace, Swatch};
use crate::palette::Marker;

/// The legend as [`LegendGrid::pack`] packs it with the embedded font, as
/// the window packs it with egui's: one entry a row inside the plot, or
/// rows as wide as the chart under it.
pub(super) struct LegendBox {
    grid: LegendGrid,
    /// Entries past the room a legend under the plot may take, counted
    /// on a last line rather than drawn.
    hidden: usize,
}

impl LegendBox {
    /// The legend packed `room` pixels wide; one under the plot at most
    /// `most_height` pixels tall, its last entries counted rather than
    /// drawn where it would be taller (large text on a small chart, the
    /// deck's, would leave no plot).
    pub(super) fn measure(
        frame: &Frame<'_>,
        sizes: &Sizes,
        room: i32,
        most_height: i32,
    ) -> LegendBox {
        let measure = FontMeasure::new(sizes.font(TICK_PX));
        let pack = |entries: &[crate::chart::layout::LegendEntry]| {
            LegendGrid::pack(entries, frame.legend_place, &measure, f64::from(room))
        };
        let all = frame.legend.len();
        let mut legend = LegendBox {
            grid: pack(frame.legend),
            hidden: 0,
        };
        if matches!(frame.legend_place, LegendPlace::Outside) {
            while legend.height() > most_height && legend.hidden < all {
                legend.hidden += 1;
                legend.grid = pack(&frame.legend[..all - legend.hidden]);
            }
        }
        legend
    }

    /// The box's height in pixels (0 without entries), with the line that
    /// counts the hidden entries.
    pub(super) fn height(&self) -> i32 {
        let note = if self.hidden > 0 {
            self.grid.row_height
        } else {
            0.0
        };
        (self.grid.height + note).round() as i32
    }

    /// The legend's top left: under the plot (`below`: the left margin and
    /// the height of the x axis under the plot), or in its corner.
    pub(super) fn origin(
        &self,
        place: LegendPlace,
        (plot_x, plot_y): (std::ops::Range<i32>, std::ops::Range<i32>),
        (margin, below): (i32, i32),
    ) -> (i32, i32) {
        match place {
            LegendPlace::Outside => (margin, plot_y.end + below),
            LegendPlace::Inside(corner) => {
                let across = (f64::from(plot_x.start), f64::from(plot_x.end));
                let down = (f64::from(plot_y.start), f64::from(plot_y.end));
                let (x, y) = self.grid.inside_origin(corner, across, down);
                (x.round() as i32, y.round() as i32)
            }
        }
    }

    /// Draws each entry's sample (dash and marker, or block) and name on
    /// a near-opaque box with its top left at `origin`, where the grid
    /// placed them.
    pub(super) fn draw<DB: DrawingBackend>(
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
        let grid = &self.grid;
        let px = |v: f64| v.round() as i32;
        let corners = [(left, top), (left + px(grid.width), top + px(grid.height))];
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
        let label = font.pos(Pos::new(HPos::Left, VPos::Center));
        for (entry, (dx, dy)) in frame.legend.iter().zip(&grid.places) {
            let (x0, y) = (left + px(*dx), top + px(dy + grid.row_height / 2.0));
            let x1 = x0 + px(grid.sample);
            draw_swatch(area, entry.swatch, (x0, x1, y), palette, sizes)?;
            area.draw_text(&entry.name, &label, (x1 + px(grid.gap), y))?;
        }
        if self.hidden > 0 {
            let more = format!(
                "… and {} more line{}",
                self.hidden,
                if self.hidden == 1 { "" } else { "s" }
            );
            let y = top + px(grid.height + grid.row_height / 2.0);
            area.draw_text(&more, &label, (left + px(grid.gap), y))?;
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

/// How a line sample looks.
struct Sample {
    color: RGBColor,
    width: i32,
    stroke: Stroke,
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
