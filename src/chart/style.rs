//! The parts of a chart's layout, as data: the room a plot has ([`Fit`]),
//! each axis with its ticks ([`AxisLayout`]), how a series or a reference
//! line is drawn ([`Stroke`], [`SeriesStyle`]), the bars' width, and how
//! far apart marked points must stand ([`MARK_SPACING_EM`], [`spaced`]).
//! `layout.rs` decides a [`super::layout::Layout`] from them; the axes,
//! the legend and the marks read them from here, so that none of those
//! files imports the layout that imports it.

use super::{LineKind, Point};
use crate::palette::{Marker, Rgb};

/// The plot area's size in its tick font's size (an em): how many ticks and
/// how large a legend fit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    /// Plot width over the tick font's size.
    pub em_across: f64,
    /// Plot height over the tick font's size.
    pub em_down: f64,
}

impl Fit {
    /// A plot of `width` × `height` with tick labels `font` high, all in
    /// the same units (points or pixels).
    pub fn of(width: f64, height: f64, font: f64) -> Fit {
        let font = font.max(1.0);
        Fit {
            em_across: (width / font).max(1.0),
            em_down: (height / font).max(1.0),
        }
    }
}

/// A labelled tick; a label may have several lines (a bar's run).
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    pub value: f64,
    pub label: String,
}

/// One axis: its title (with the unit of its ticks), range and ticks.
#[derive(Debug, Clone, PartialEq)]
pub struct AxisLayout {
    pub title: String,
    pub min: f64,
    pub max: f64,
    pub ticks: Vec<Tick>,
}

impl AxisLayout {
    /// The tick labels, in order.
    pub fn labels(&self) -> Vec<String> {
        self.ticks.iter().map(|t| t.label.clone()).collect()
    }
}

/// How heavy a line is: measured data, or thin (references, predictions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Data,
    Thin,
}

/// How a line is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stroke {
    pub color: Rgb,
    pub line: LineKind,
    pub weight: Weight,
    /// The marker on each point, if any.
    pub marker: Option<Marker>,
}

impl Stroke {
    /// The style in words, for screen readers and tests: `dashed line,
    /// diamond markers`.
    pub fn describe(&self) -> String {
        let line = match self.line {
            LineKind::Solid => "solid line",
            LineKind::Dashed => "dashed line",
            LineKind::Dotted => "dotted line",
            LineKind::LongDashed => "long-dashed line",
        };
        match self.marker {
            Some(marker) => format!("{line}, {} markers", marker_name(marker)),
            None => line.to_string(),
        }
    }
}

/// A marker's name in words.
pub fn marker_name(marker: Marker) -> &'static str {
    match marker {
        Marker::Circle => "circle",
        Marker::Square => "square",
        Marker::Diamond => "diamond",
        Marker::Up => "triangle-up",
        Marker::Down => "triangle-down",
        Marker::Left => "triangle-left",
        Marker::Right => "triangle-right",
        Marker::Cross => "cross",
        Marker::Plus => "plus",
        Marker::Asterisk => "asterisk",
    }
}

/// How one series is drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesStyle {
    pub stroke: Stroke,
    /// Added to every x of the series: series that coincide with an
    /// earlier one are moved a little aside so that both stay visible.
    pub dx: f64,
    /// The points (by index) that get a marker and whiskers: all of them,
    /// unless they crowd closer than a marker's room ([`super::marks`]).
    pub marked: Vec<usize>,
    /// Whether points were left unmarked: the line is then drawn through
    /// each column's extremes only, and markers without their outline.
    pub crowded: bool,
}

/// The width of a bar, in x units (bars stand one unit apart).
pub const BAR_WIDTH: f64 = 0.68;

/// The least distance between two marked points of a series, in ems of
/// the tick font: about a marker's width.
pub const MARK_SPACING_EM: f64 = 0.75;

/// [`MARK_SPACING_EM`] in x units, on axis `x` in a plot of `fit`.
pub(super) fn min_mark_dx(x: &AxisLayout, fit: Fit) -> f64 {
    MARK_SPACING_EM * (x.max - x.min).abs() / fit.em_across.max(1.0)
}

/// The indices of `points` (sorted by x) that get a marker and whiskers:
/// every one, unless they crowd closer than `min_dx` along x; then the
/// first of each such run, and the last.
pub fn spaced(points: &[Point], min_dx: f64) -> Vec<usize> {
    let mut kept: Vec<usize> = Vec::with_capacity(points.len());
    let mut last: Option<f64> = None;
    let end = points.len().saturating_sub(1);
    for (i, p) in points.iter().enumerate() {
        // The last point too (the largest worker count, say), however close.
        let far = last.is_none_or(|x| !min_dx.is_finite() || (p.x - x).abs() >= min_dx);
        if far || i == end {
            kept.push(i);
            last = Some(p.x);
        }
    }
    kept
}
