//! The frame every chart image shares, the scaling charts' and a run's
//! activity charts' alike: the title and caption, the axes with the
//! layout's ticks and titles (plotters' own would pick and print plain
//! decimals), and the legend's room, under the plot or in its corner. The
//! sizes, colours and pens it draws with are in `plot_parts.rs`.

use plotters::coord::Shift;
use plotters::coord::ranged1d::{KeyPointHint, NoDefaultFormatting, Ranged, ValueFormatter};
use plotters::element::{DashedPathElement, DottedPathElement};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::plot_image::{Drawn, PlotStyle};
use super::plot_legend::LegendBox;
pub(super) use super::plot_parts::{
    Frame, Palette, SMALLEST_TEXT_PX, Sizes, Stroke, TICK_PX, pen, plot_fit, rgb,
};
use super::plot_text::{fit_text, text_style, widest};
use crate::chart::layout::{AxisLayout, LegendPlace};

/// Text styles of one chart.
pub(super) struct Fonts {
    title: TextStyle<'static>,
    caption: TextStyle<'static>,
    axis: TextStyle<'static>,
    pub(super) tick: TextStyle<'static>,
}

impl Fonts {
    pub(super) fn new(sizes: &Sizes, fg: RGBColor) -> Fonts {
        Fonts {
            title: text_style(sizes.font(44.0), fg),
            caption: text_style(sizes.font(SMALLEST_TEXT_PX), fg),
            axis: text_style(sizes.font(30.0), fg),
            tick: text_style(sizes.font(TICK_PX), fg),
        }
    }
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
    // A legend under the plot leaves the plot at least half the height.
    let height = i32::try_from(area.dim_in_pixel().1).unwrap_or(i32::MAX);
    let legend = LegendBox::measure(frame, &sizes, width - 2 * margin, (height - top) / 2);
    let below = match frame.legend_place {
        LegendPlace::Outside => legend.height() + gap,
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
    let origin = legend.origin(frame.legend_place, (plot_x, plot_y), (margin, x_area + gap));
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
    // Axis titles cut to their axis's length: large text on a small chart
    // (the deck's) would run past the plot.
    let (body_width, body_height) = body.dim_in_pixel();
    let x_title = fit_text(
        area,
        &frame.x.title,
        &fonts.axis,
        i32::try_from(body_width).unwrap_or(i32::MAX) - y_area,
    )?;
    let y_title = fit_text(
        area,
        &frame.y.title,
        &fonts.axis,
        i32::try_from(body_height).unwrap_or(i32::MAX) - x_area,
    )?;
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
    mesh.x_desc(x_title.as_str())
        .y_desc(y_title.as_str())
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

/// A pixel of the whole image in `area`'s own pixels.
pub(super) fn in_area<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x, y): (i32, i32),
) -> (i32, i32) {
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
