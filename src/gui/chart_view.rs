//! Draws a chart model's [`Layout`] with egui_plot, as it is: the ranges,
//! ticks and tick labels, strokes and markers the layout gives, each
//! series' line, markers and whiskers as the layout moved, cut and thinned
//! them, bars in the layout's colours, and a legend of our own (egui_plot's
//! shows colour dots only) with each entry's dash and marker, inside the
//! plot's free corner or under it, in the rows [`LegendGrid::pack`] gives
//! with egui's text measure ([`EguiMeasure`]), as files pack theirs.
//!
//! What was drawn is kept in egui's memory ([`DrawnChart`]), so tests can
//! compare the window with the file drawn from the same layout.

use eframe::egui::{self, Color32, FontId, Pos2, RichText, Shape, Stroke};
use egui_plot::{
    AxisHints, Bar, BarChart, GridMark, HoverPosition, Line, LineStyle, MarkerShape, Plot,
    PlotBounds, PlotPoints, Points,
};

use super::theme;
use crate::chart::layout::{
    self, AxisLayout, Fit, Layout, LegendEntry, LegendPlace, TextMeasure, Weight,
};
use crate::chart::theme::{MIN_PLOT_HEIGHT, TextSizes, WINDOW_TEXT};
use std::sync::Arc;

use super::chart_legend::inside_legend_ui;
pub use super::chart_legend::{EguiMeasure, legend_height, legend_strip_ui, legend_union};

use crate::chart::{self, Chart, LineKind, Reference, XAxis};
use crate::palette::Marker;

/// What the window drew of one chart: its ranges, the tick labels shown,
/// and its legend with each entry's style in words.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DrawnChart {
    pub x_range: (f64, f64),
    pub y_range: (f64, f64),
    pub x_title: String,
    pub y_title: String,
    pub x_ticks: Vec<String>,
    pub y_ticks: Vec<String>,
    pub legend: Vec<String>,
    /// The layout it was drawn from (a scaling chart's).
    pub layout: Option<Layout>,
    /// The plot's frame (the area inside the axes), in points.
    pub frame: Option<egui::Rect>,
}

fn drawn_id(title: &str) -> egui::Id {
    egui::Id::unique(("drawn-chart", title.to_string()))
}

/// What was drawn last of the chart titled `title`.
pub fn drawn(ctx: &egui::Context, title: &str) -> Option<DrawnChart> {
    ctx.data(|d| d.get_temp::<DrawnChart>(drawn_id(title)))
}

fn text_scale_id() -> egui::Id {
    egui::Id::unique("chart-text-scale")
}

/// The chart text sizes in use: the window's, times the factor
/// presentation mode set for the frame ([`set_text_scale`]).
pub fn text_sizes(ctx: &egui::Context) -> TextSizes {
    let factor = ctx.data(|d| d.get_temp::<f32>(text_scale_id()));
    WINDOW_TEXT.scaled(factor.unwrap_or(1.0))
}

/// Scales the chart text drawn from now on (1: the window's own sizes);
/// presentation mode sets its factor and puts back 1 when it is done.
pub fn set_text_scale(ctx: &egui::Context, factor: f32) {
    ctx.data_mut(|d| d.insert_temp(text_scale_id(), factor));
}

/// A marker shape in egui_plot's terms.
fn marker_shape(marker: Marker) -> MarkerShape {
    match marker {
        Marker::Circle => MarkerShape::Circle,
        Marker::Square => MarkerShape::Square,
        Marker::Diamond => MarkerShape::Diamond,
        Marker::Up => MarkerShape::Up,
        Marker::Down => MarkerShape::Down,
        Marker::Left => MarkerShape::Left,
        Marker::Right => MarkerShape::Right,
        Marker::Cross => MarkerShape::Cross,
        Marker::Plus => MarkerShape::Plus,
        Marker::Asterisk => MarkerShape::Asterisk,
    }
}

pub(super) fn line_style(line: LineKind) -> LineStyle {
    match line {
        LineKind::Solid => LineStyle::Solid,
        LineKind::Dashed => LineStyle::Dashed { length: 10.0 },
        LineKind::Dotted => LineStyle::Dotted { spacing: 7.0 },
        LineKind::LongDashed => LineStyle::Dashed { length: 22.0 },
    }
}

pub(super) fn line_width(weight: Weight) -> f32 {
    match weight {
        Weight::Data => 3.0,
        Weight::Thin => 2.0,
    }
}

/// Lays out `chart` for a plot of about `width` × `height` points and
/// draws it there, with its legend.
pub fn chart_plot_ui(ui: &mut egui::Ui, chart: &Chart, width: f32, height: f32) {
    cached_plot_ui(ui, chart, (width, height), false);
}

/// Draws `chart` in a plot of `width` × `height` points without its
/// legend, and returns the legend: a row of charts of one set shows one
/// legend under the row ([`legend_union`], [`legend_strip_ui`]), in half
/// the rows two would take.
pub fn chart_plot_legend_apart_ui(
    ui: &mut egui::Ui,
    chart: &Chart,
    width: f32,
    height: f32,
) -> Vec<LegendEntry> {
    cached_plot_ui(ui, chart, (width, height), true)
}

/// Draws `chart` in `size`, its layout kept from the frame before when
/// nothing it was made from changed; returns the legend when it is
/// drawn apart.
fn cached_plot_ui(
    ui: &mut egui::Ui,
    chart: &Chart,
    (width, height): (f32, f32),
    legend_apart: bool,
) -> Vec<LegendEntry> {
    let dark = ui.visuals().dark_mode;
    let sizes = text_sizes(ui.ctx());
    let id = egui::Id::unique((
        "chart-layout",
        chart.kind,
        chart.title.clone(),
        legend_apart,
    ));
    // Laid out again only when the chart, the theme or the size changed:
    // a chart of thousands of points takes longer to lay out than to draw.
    let cached: Option<LaidOut> = ui.ctx().data(|d| d.get_temp(id));
    let laid_out = match cached {
        Some(l)
            if l.dark == dark
                && l.size == (width, height)
                && l.sizes == sizes
                && *l.chart == *chart =>
        {
            l
        }
        _ => {
            let (layout, plot_height) = if legend_apart {
                let fit = window_fit(width, height, 70.0, sizes);
                (Layout::of(chart, dark, fit), height)
            } else {
                lay_out(ui, chart, dark, width, height)
            };
            let l = LaidOut {
                chart: Arc::new(chart.clone()),
                dark,
                size: (width, height),
                sizes,
                layout: Arc::new(layout),
                plot_height,
            };
            ui.ctx().data_mut(|d| d.insert_temp(id, l.clone()));
            l
        }
    };
    if legend_apart {
        plot_ui(ui, chart, &laid_out.layout, width, laid_out.plot_height);
        laid_out.layout.legend.clone()
    } else {
        layout_plot_ui(ui, chart, &laid_out.layout, width, laid_out.plot_height);
        Vec::new()
    }
}

/// A chart's layout for a plot of a given size, and what it was made from.
#[derive(Clone)]
struct LaidOut {
    chart: Arc<Chart>,
    dark: bool,
    size: (f32, f32),
    sizes: TextSizes,
    layout: Arc<Layout>,
    plot_height: f32,
}

/// The layout of `chart` in `width` × `height` points, and the plot's
/// height once a legend outside it has its rows.
fn lay_out(ui: &egui::Ui, chart: &Chart, dark: bool, width: f32, height: f32) -> (Layout, f32) {
    let sizes = text_sizes(ui.ctx());
    let fit = |h: f32| window_fit(width, h, 70.0, sizes);
    let mut layout = Layout::of(chart, dark, fit(height));
    let mut plot_height = height;
    if layout.legend_place == LegendPlace::Outside {
        // A long legend goes under the plot in full, and the plot keeps
        // its least readable height: the chart grows taller than asked
        // (its area scrolls) rather than squeeze the data or cut the
        // legend.
        let least = MIN_PLOT_HEIGHT.min(height);
        plot_height = (height - legend_height(ui, &layout.legend, width)).max(least);
        layout = Layout::of(chart, dark, fit(plot_height));
        // Placed outside once, it stays there.
        layout.legend_place = LegendPlace::Outside;
    }
    (layout, plot_height)
}

/// A row of charts drawn in `width` × `height` points each, over one
/// legend under the whole row (`row_width` wide): the plots share the
/// height left once the legend has its rows, so nothing is pushed past a
/// screen that cannot scroll (presentation mode). Each title is drawn by
/// `title_ui` above its plot, which returns its height; returns the
/// row's rectangle.
pub fn chart_row_ui(
    ui: &mut egui::Ui,
    charts: &[Chart],
    (width, height, gap): (f32, f32, f32),
    row_width: f32,
    title_ui: impl Fn(&mut egui::Ui, &Chart) -> f32,
) -> egui::Rect {
    let dark = ui.visuals().dark_mode;
    let fit = window_fit(width, height, 70.0, text_sizes(ui.ctx()));
    let legend = legend_union(charts.iter().map(|c| Layout::of(c, dark, fit).legend));
    let strip = if legend.is_empty() {
        0.0
    } else {
        legend_height(ui, &legend, row_width)
    };
    ui.vertical(|ui| {
        ui.horizontal(|ui| {
            ui.spacing_mut().item_spacing.x = gap;
            for chart in charts {
                ui.vertical(|ui| {
                    ui.set_width(width);
                    let title = title_ui(ui, chart);
                    let plot_height = (height - title - strip).max(MIN_ROW_PLOT_HEIGHT);
                    chart_plot_legend_apart_ui(ui, chart, width, plot_height);
                });
            }
        });
        if !legend.is_empty() {
            legend_strip_ui(ui, &legend, row_width);
        }
    })
    .response
    .rect
}

/// The least height of a plot in a row of charts over a shared legend:
/// below it, axes and ticks leave no room for data.
const MIN_ROW_PLOT_HEIGHT: f32 = 120.0;

/// Draws `chart` as `layout` says (decided elsewhere: for a file of the
/// same chart, say), in a plot of `width` × `height` points with its
/// legend.
pub fn layout_plot_ui(ui: &mut egui::Ui, chart: &Chart, layout: &Layout, width: f32, height: f32) {
    ui.vertical(|ui| {
        let frame = plot_ui(ui, chart, layout, width, height);
        match layout.legend_place {
            LegendPlace::Outside => legend_strip_ui(ui, &layout.legend, width),
            LegendPlace::Inside(corner) => inside_legend_ui(ui, &layout.legend, frame, corner),
        }
    });
}

/// A line between two points, in marker radii from the centre.
type Segment = ((f32, f32), (f32, f32));

/// A marker painted in points, with an outline in the background colour.
pub(super) fn paint_marker(
    painter: &egui::Painter,
    center: Pos2,
    r: f32,
    color: Color32,
    outline: Color32,
    marker: Marker,
) {
    let at = |dx: f32, dy: f32| center + egui::vec2(dx * r, dy * r);
    let ring = Stroke::new(1.5, outline);
    let polygon = |points: Vec<Pos2>| Shape::convex_polygon(points, color, ring);
    let bars = |lines: &[Segment]| {
        for &(a, b) in lines {
            let ends = [at(a.0, a.1), at(b.0, b.1)];
            painter.line_segment(ends, Stroke::new(4.0, outline));
            painter.line_segment(ends, Stroke::new(2.2, color));
        }
    };
    match marker {
        Marker::Circle => {
            painter.circle(center, r, color, ring);
        }
        Marker::Square => {
            painter.add(polygon(vec![
                at(-0.85, -0.85),
                at(0.85, -0.85),
                at(0.85, 0.85),
                at(-0.85, 0.85),
            ]));
        }
        Marker::Diamond => {
            painter.add(polygon(vec![
                at(0.0, -1.15),
                at(1.0, 0.0),
                at(0.0, 1.15),
                at(-1.0, 0.0),
            ]));
        }
        Marker::Up => {
            painter.add(polygon(vec![at(0.0, -1.15), at(1.05, 0.8), at(-1.05, 0.8)]));
        }
        Marker::Down => {
            painter.add(polygon(vec![
                at(-1.05, -0.8),
                at(1.05, -0.8),
                at(0.0, 1.15),
            ]));
        }
        Marker::Left => {
            painter.add(polygon(vec![at(-1.15, 0.0), at(0.8, -1.05), at(0.8, 1.05)]));
        }
        Marker::Right => {
            painter.add(polygon(vec![
                at(1.15, 0.0),
                at(-0.8, 1.05),
                at(-0.8, -1.05),
            ]));
        }
        Marker::Cross => bars(&[((-0.9, -0.9), (0.9, 0.9)), ((-0.9, 0.9), (0.9, -0.9))]),
        Marker::Plus => bars(&[((-1.1, 0.0), (1.1, 0.0)), ((0.0, -1.1), (0.0, 1.1))]),
        Marker::Asterisk => bars(&[
            ((-1.1, 0.0), (1.1, 0.0)),
            ((-0.55, -0.95), (0.55, 0.95)),
            ((-0.55, 0.95), (0.55, -0.95)),
        ]),
    }
}

/// Grid marks at a layout's ticks.
pub(super) fn grid_marks(ticks: &[layout::Tick]) -> Vec<GridMark> {
    let step = match ticks {
        [a, b, ..] => (b.value - a.value).abs(),
        _ => 1.0,
    };
    ticks
        .iter()
        .map(|t| GridMark {
            value: t.value,
            step_size: step,
        })
        .collect()
}

/// The label a layout gave the tick at `value` (none between ticks).
pub(super) fn tick_label(ticks: &[layout::Tick], value: f64) -> String {
    ticks
        .iter()
        .find(|t| (t.value - value).abs() <= 1e-9 * t.value.abs().max(1.0))
        .map(|t| t.label.clone())
        .unwrap_or_default()
}

/// An axis of a layout: its title and tick labels in the chart fonts,
/// every label drawn (the layout chose as many as fit).
pub(super) fn axis_hints(axis: &AxisLayout, across: bool, sizes: TextSizes) -> AxisHints<'static> {
    let ticks = axis.ticks.clone();
    let hints = if across {
        AxisHints::new_x()
    } else {
        AxisHints::new_y()
    };
    hints
        .label(RichText::new(&axis.title).size(sizes.axis))
        .tick_label_font(FontId::proportional(sizes.tick))
        .label_spacing(1.0..=2.0)
        .formatter(move |mark, _| tick_label(&ticks, mark.value))
}

/// The axes of a layout in a plot of `width` × `height` points, each
/// title cut to the length of its axis: a rotated y title longer than a
/// short plot ran up over the text above the chart.
fn axes(
    ctx: &egui::Context,
    layout: &Layout,
    sizes: TextSizes,
    (width, height): (f32, f32),
) -> (AxisHints<'static>, AxisHints<'static>) {
    let grow = sizes.tick / WINDOW_TEXT.tick;
    let title =
        |text: &str, room: f32| RichText::new(fitted(ctx, text, sizes.axis, room)).size(sizes.axis);
    (
        axis_hints(&layout.x, true, sizes).label(title(&layout.x.title, width - 70.0 * grow)),
        axis_hints(&layout.y, false, sizes).label(title(&layout.y.title, height - 55.0 * grow)),
    )
}

/// `text` cut with an ellipsis to at most `room` points in the
/// proportional font of `size`.
fn fitted(ctx: &egui::Context, text: &str, size: f32, room: f32) -> String {
    let measure = EguiMeasure::proportional(ctx, size);
    let fits = |t: &str| measure.width(t) <= f64::from(room.max(0.0));
    if fits(text) {
        return text.to_string();
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let candidate = format!("{}…", chars.iter().collect::<String>().trim_end());
        if fits(&candidate) {
            return candidate;
        }
    }
    String::new()
}

/// The room a plot of `width` × `height` points leaves its data, in tick
/// font sizes: the axes take about `axes` points across and 55 down.
pub(super) fn window_fit(width: f32, height: f32, axes: f32, sizes: TextSizes) -> Fit {
    let grow = sizes.tick / WINDOW_TEXT.tick;
    Fit::of(
        f64::from(width - axes * grow),
        f64::from(height - 55.0 * grow),
        f64::from(sizes.tick),
    )
}

/// The plot itself; returns its frame (the area inside the axes).
fn plot_ui(
    ui: &mut egui::Ui,
    chart: &Chart,
    layout: &Layout,
    width: f32,
    height: f32,
) -> egui::Rect {
    let (x_axis, y_axis) = axes(ui.ctx(), layout, text_sizes(ui.ctx()), (width, height));
    let unit = chart.unit;
    let axis = chart.x_axis;
    let x_marks = grid_marks(&layout.x.ticks);
    let y_marks = grid_marks(&layout.y.ticks);
    let bounds =
        PlotBounds::from_min_max([layout.x.min, layout.y.min], [layout.x.max, layout.y.max]);
    let plot = Plot::new(("chart", chart.kind, chart.title.as_str()))
        .width(width)
        .height(height)
        .custom_x_axes(vec![x_axis])
        .custom_y_axes(vec![y_axis])
        .default_x_bounds(layout.x.min, layout.x.max)
        .default_y_bounds(layout.y.min, layout.y.max)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .x_grid_spacer(move |_| x_marks.clone())
        .y_grid_spacer(move |_| y_marks.clone())
        .label_formatter(move |position| match position {
            HoverPosition::NearDataPoint {
                plot_name,
                position,
                ..
            } if !plot_name.is_empty() && axis != XAxis::Runs => Some(format!(
                "{plot_name}\n{}\n{}",
                match axis {
                    XAxis::PayloadBytes => format!("{} payload", chart::format_x(axis, position.x)),
                    _ => format!("{} workers", chart::format_x(axis, position.x.round())),
                },
                chart::format_value(unit, position.y)
            )),
            _ => None,
        });
    let background = ui.visuals().extreme_bg_color;
    let response = plot.show(ui, |plot_ui| {
        plot_ui.set_plot_bounds(bounds);
        references_ui(plot_ui, chart, layout);
        if let Some(bars) = &chart.bars {
            bars_ui(plot_ui, bars, layout, chart.unit);
        }
        series_ui(plot_ui, chart, layout, background);
    });
    remember(ui, chart, layout, &response.transform);
    *response.transform.frame()
}

/// Reference lines, thin, in the layout's strokes, cut to the plot as
/// the layout cut them.
fn references_ui(plot_ui: &mut egui_plot::PlotUi<'_>, chart: &Chart, layout: &Layout) {
    for (i, (reference, stroke)) in chart.references.iter().zip(&layout.references).enumerate() {
        let points: Vec<[f64; 2]> = layout
            .reference_line(chart, i)
            .into_iter()
            .map(|(x, y)| [x, y])
            .collect();
        if points.len() < 2 {
            continue;
        }
        // A level or a vertical tells its name and value on hover; the
        // ideal line would only crowd the measured points' hovers.
        let (name, hover) = match reference {
            Reference::Curve { name, .. } => (name.as_str(), false),
            Reference::Horizontal { name, .. } | Reference::Vertical { name, .. } => {
                (name.as_str(), true)
            }
        };
        plot_ui.line(
            Line::new(name, PlotPoints::new(points))
                .color(theme::color(stroke.color))
                .width(line_width(stroke.weight))
                .style(line_style(stroke.line))
                .allow_hover(hover),
        );
    }
}

/// Whiskers, lines and markers of every series, as the layout moved them
/// aside and thinned them; markers outlined in the background colour.
fn series_ui(
    plot_ui: &mut egui_plot::PlotUi<'_>,
    chart: &Chart,
    layout: &Layout,
    background: Color32,
) {
    let per_point = 1.0 / plot_ui.transform().dpos_dvalue_x().abs();
    for (i, (series, style)) in chart.series.iter().zip(&layout.series).enumerate() {
        let color = theme::color(style.stroke.color);
        // Min–max over repetitions, and thicker, the median's 95 %
        // confidence interval: one bar chart each, so a series adds two
        // items to the plot however many points it has.
        let whiskers = layout.whiskers(chart, i);
        for (ci, width) in [(false, 2.0), (true, 6.0)] {
            let bars: Vec<Bar> = whiskers
                .iter()
                .filter(|w| w.ci == ci)
                .map(|w| {
                    Bar::new(w.x, w.high - w.low)
                        .base_offset(w.low)
                        .width(width * per_point)
                        .fill(color)
                        .stroke(Stroke::NONE)
                })
                .collect();
            if !bars.is_empty() {
                plot_ui.bar_chart(BarChart::new("", bars).color(color).allow_hover(false));
            }
        }
        let line: Vec<[f64; 2]> = layout
            .series_line(chart, i)
            .into_iter()
            .map(|(x, y)| [x, y])
            .collect();
        plot_ui.line(
            Line::new(series.name.as_str(), PlotPoints::new(line))
                .color(color)
                .width(line_width(style.stroke.weight))
                .style(line_style(style.stroke.line)),
        );
        if let Some(marker) = style.stroke.marker {
            let marked: Vec<[f64; 2]> = layout
                .marker_points(chart, i)
                .into_iter()
                .map(|(x, y)| [x, y])
                .collect();
            // The outline: the same marker, larger, in the background (it
            // keeps coinciding markers apart; crowded ones are thinned).
            if !style.crowded {
                plot_ui.points(
                    Points::new("", PlotPoints::new(marked.clone()))
                        .color(background)
                        .radius(7.5)
                        .shape(marker_shape(marker))
                        .filled(true)
                        .allow_hover(false),
                );
            }
            plot_ui.points(
                Points::new(series.name.as_str(), PlotPoints::new(marked))
                    .color(color)
                    .radius(5.5)
                    .shape(marker_shape(marker))
                    .filled(true),
            );
        }
    }
}

/// The stacked bars, as wide and in the colours the layout says; hovering
/// a segment tells its run, phase and value.
fn bars_ui(
    plot_ui: &mut egui_plot::PlotUi<'_>,
    bars: &chart::StackedBars,
    layout: &Layout,
    unit: chart::Unit,
) {
    let mut layers: Vec<BarChart> = Vec::new();
    for (s, segment) in bars.segments.iter().enumerate() {
        let color_of = |i: usize| theme::color(layout.bar_color(s, i));
        let parts: Vec<Bar> = segment
            .values
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                Bar::new(i as f64, v.max(0.0))
                    .width(layout.bar_width)
                    .fill(color_of(i))
                    .name(bars.labels.get(i).cloned().unwrap_or_default())
            })
            .collect();
        let name = segment.name.clone();
        let mut layer = BarChart::new(segment.name.as_str(), parts)
            .color(color_of(0))
            .element_formatter(Box::new(move |bar, _| {
                format!(
                    "{}\n{name}: {}",
                    bar.name,
                    chart::format_value(unit, bar.value)
                )
            }));
        if !layers.is_empty() {
            let below: Vec<&BarChart> = layers.iter().collect();
            layer = layer.stack_on(&below);
        }
        layers.push(layer);
    }
    for layer in layers {
        plot_ui.bar_chart(layer);
    }
}

/// Keeps what was drawn: the bounds egui_plot used and the tick labels it
/// shows.
fn remember(ui: &egui::Ui, chart: &Chart, layout: &Layout, transform: &egui_plot::PlotTransform) {
    let drawn = DrawnChart {
        legend: layout.legend_described(),
        layout: Some(layout.clone()),
        ..drawn_axes(ui, &layout.x, &layout.y, transform)
    };
    ui.ctx()
        .data_mut(|d| d.insert_temp(drawn_id(&chart.title), drawn));
}

/// Keeps what was drawn of a chart titled `title` with axes `x` and `y`
/// and legend `legend` (the entries' styles in words), for [`drawn`].
pub(super) fn remember_axes(
    ui: &egui::Ui,
    title: &str,
    (x, y): (&AxisLayout, &AxisLayout),
    legend: Vec<String>,
    transform: &egui_plot::PlotTransform,
) {
    let drawn = DrawnChart {
        legend,
        ..drawn_axes(ui, x, y, transform)
    };
    ui.ctx().data_mut(|d| d.insert_temp(drawn_id(title), drawn));
}

/// The bounds egui_plot used and the tick labels it shows: it leaves out
/// a label wider, or taller, than the space between ticks, so that is
/// checked here the same way.
fn drawn_axes(
    ui: &egui::Ui,
    x: &AxisLayout,
    y: &AxisLayout,
    transform: &egui_plot::PlotTransform,
) -> DrawnChart {
    let bounds = transform.bounds();
    let font = FontId::proportional(text_sizes(ui.ctx()).tick);
    let [dx, dy] = transform.dpos_dvalue();
    let shown = |ticks: &[layout::Tick], per_value: f64, across: bool| -> Vec<String> {
        let step = match ticks {
            [a, b, ..] => (b.value - a.value).abs(),
            _ => 1.0,
        };
        let spacing = (per_value * step).abs() as f32;
        ticks
            .iter()
            .filter(|t| {
                let size = ui.fonts_mut(|f| {
                    f.layout_no_wrap(t.label.clone(), font.clone(), Color32::WHITE)
                        .size()
                });
                spacing >= if across { size.x } else { size.y }
            })
            .map(|t| t.label.clone())
            .collect()
    };
    DrawnChart {
        x_range: (bounds.min()[0], bounds.max()[0]),
        y_range: (bounds.min()[1], bounds.max()[1]),
        x_title: x.title.clone(),
        y_title: y.title.clone(),
        x_ticks: shown(&x.ticks, dx, true),
        y_ticks: shown(&y.ticks, dy, false),
        legend: Vec::new(),
        layout: None,
        frame: Some(*transform.frame()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::layout::LegendGrid;
    use crate::chart::{ChartKind, build};
    use crate::export::plot::FontMeasure;
    use crate::results::testing::record;
    use crate::results::{MachineInfo, ResultSet};
    use crate::spec::Model;

    /// A sweep of every model: a legend of seventeen entries and more.
    fn every_model() -> ResultSet {
        let mut set = ResultSet::new(MachineInfo::detect());
        set.machine.physical_cores = Some(4);
        for model in Model::ALL {
            for workers in [1, 2, 4] {
                set.runs
                    .push(record(model, workers, 4.0 / f64::from(workers)));
            }
        }
        crate::analysis::fill_speedups(&mut set);
        set
    }

    #[test]
    fn the_window_and_a_file_pack_a_legend_into_the_same_rows() {
        let ctx = egui::Context::default();
        // The fonts are ready after a first pass.
        let mut output = ctx.run_ui(egui::RawInput::default(), |_| {});
        output.textures_delta.clear();
        let window = EguiMeasure::legend(&ctx);
        // The file's embedded font at the window's legend size.
        let file = FontMeasure::new(f64::from(WINDOW_TEXT.legend));
        let set = every_model();
        for kind in [ChartKind::WallTime, ChartKind::Speedup, ChartKind::Overhead] {
            let chart = build(kind, &set);
            let layout = Layout::of(&chart, false, window_fit(900.0, 500.0, 70.0, WINDOW_TEXT));
            for entry in &layout.legend {
                let (w, f) = (window.width(&entry.name), file.width(&entry.name));
                assert!(
                    (w - f).abs() <= 0.03 * f.max(1.0),
                    "{}: {w} vs {f}",
                    entry.name
                );
            }
            for width in [420.0, 640.0, 900.0, 1400.0] {
                let rows = |measure: &dyn TextMeasure| {
                    LegendGrid::pack(&layout.legend, LegendPlace::Outside, measure, width).rows
                };
                assert_eq!(rows(&window), rows(&file), "{kind:?} at {width}");
            }
        }
    }
}
