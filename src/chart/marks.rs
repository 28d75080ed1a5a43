//! What of each series and reference line is drawn, decided once for every
//! renderer: a series' line moved aside by its offset (a prediction cut
//! where it leaves the plot), which points get a marker and whiskers, and
//! the reference lines cut to the plot.
//!
//! A set of thousands of runs puts hundreds of points in a few hundred
//! pixels, where every marker and whisker would be an item to lay out and
//! draw and none could be told apart: points closer than a marker's room
//! ([`MARK_SPACING_EM`]) are drawn as the line alone, and that line only
//! through each column's first, lowest, highest and last point. The window
//! and the files thin alike, as the layout says.

use super::layout::Layout;
pub use super::style::{MARK_SPACING_EM, spaced};
use super::{Chart, Reference};

/// One whisker: a vertical bar at `x` from `low` to `high`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Whisker {
    pub x: f64,
    pub low: f64,
    pub high: f64,
    /// The 95 % confidence interval (drawn thicker), or else the min–max
    /// spread over repetitions.
    pub ci: bool,
}

impl Layout {
    /// Series `i`'s line as drawn: moved aside by its offset, a
    /// prediction cut at the top of the plot, a crowded line through each
    /// column's extremes.
    pub fn series_line(&self, chart: &Chart, i: usize) -> Vec<(f64, f64)> {
        let (Some(series), Some(style)) = (chart.series.get(i), self.series.get(i)) else {
            return Vec::new();
        };
        let mut points: Vec<(f64, f64)> = series
            .points
            .iter()
            .map(|p| (p.x + style.dx, p.y))
            .collect();
        if series.prediction.is_some() {
            points = super::clip_below(&points, self.y.max);
        }
        if style.crowded {
            let x = &self.x;
            let column = (x.max - x.min).abs() / COLUMNS;
            points = column_extremes(&points, column);
        }
        points
    }

    /// Where series `i` gets markers (none when its stroke has none).
    pub fn marker_points(&self, chart: &Chart, i: usize) -> Vec<(f64, f64)> {
        let (Some(series), Some(style)) = (chart.series.get(i), self.series.get(i)) else {
            return Vec::new();
        };
        if style.stroke.marker.is_none() {
            return Vec::new();
        }
        style
            .marked
            .iter()
            .filter_map(|&p| series.points.get(p))
            .map(|p| (p.x + style.dx, p.y))
            .collect()
    }

    /// Series `i`'s whiskers at its marked points: min–max, then the
    /// confidence interval, each cut at the top of the plot.
    pub fn whiskers(&self, chart: &Chart, i: usize) -> Vec<Whisker> {
        let (Some(series), Some(style)) = (chart.series.get(i), self.series.get(i)) else {
            return Vec::new();
        };
        let mut whiskers = Vec::new();
        for ci in [false, true] {
            for point in style.marked.iter().filter_map(|&p| series.points.get(p)) {
                let range = if ci { point.ci } else { point.spread };
                let Some((low, high)) = range else {
                    continue;
                };
                let high = high.min(self.y.max);
                if low < high {
                    whiskers.push(Whisker {
                        x: point.x + style.dx,
                        low,
                        high,
                        ci,
                    });
                }
            }
        }
        whiskers
    }

    /// Reference `i` as a polyline within the plot: a curve cut at its
    /// top, a level or a vertical across it; empty when outside.
    pub fn reference_line(&self, chart: &Chart, i: usize) -> Vec<(f64, f64)> {
        let (x, y) = (&self.x, &self.y);
        match chart.references.get(i) {
            Some(Reference::Curve { points, .. }) => super::clip_below(points, y.max),
            Some(Reference::Horizontal { y: level, .. }) if (y.min..=y.max).contains(level) => {
                vec![(x.min, *level), (x.max, *level)]
            }
            Some(Reference::Vertical { x: at, .. }) if (x.min..=x.max).contains(at) => {
                vec![(*at, y.min), (*at, y.max)]
            }
            _ => Vec::new(),
        }
    }
}

/// How many columns a crowded line is reduced to across the axis: finer
/// than any plot's pixels need.
const COLUMNS: f64 = 2000.0;

/// A crowded line with, of each run of points within `min_dx` along x,
/// only its first, lowest, highest and last: the same drawing with a
/// fraction of the points to draw.
pub fn column_extremes(xy: &[(f64, f64)], min_dx: f64) -> Vec<(f64, f64)> {
    let mut kept: Vec<(f64, f64)> = Vec::with_capacity(xy.len());
    let mut column: Vec<(f64, f64)> = Vec::new();
    let flush = |column: &mut Vec<(f64, f64)>, kept: &mut Vec<(f64, f64)>| {
        let (Some(&first), Some(&last)) = (column.first(), column.last()) else {
            return;
        };
        let by_y = |a: &&(f64, f64), b: &&(f64, f64)| a.1.total_cmp(&b.1);
        let low = column.iter().min_by(by_y).copied().unwrap_or(first);
        let high = column.iter().max_by(by_y).copied().unwrap_or(first);
        let mut picks = [first, low, high, last];
        // In the order they came, each once.
        picks.sort_by(|a, b| a.0.total_cmp(&b.0));
        for p in picks {
            if kept.last() != Some(&p) {
                kept.push(p);
            }
        }
        column.clear();
    };
    for &p in xy {
        if column.first().is_some_and(|f| (p.0 - f.0).abs() >= min_dx) {
            flush(&mut column, &mut kept);
        }
        column.push(p);
    }
    flush(&mut column, &mut kept);
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::Point;

    fn at(xs: &[f64]) -> Vec<Point> {
        xs.iter()
            .map(|&x| Point {
                x,
                y: 1.0,
                spread: None,
                ci: None,
            })
            .collect()
    }

    #[test]
    fn crowded_points_are_marked_one_per_spacing_and_the_last_always() {
        let few = at(&[1.0, 2.0, 4.0, 8.0]);
        assert_eq!(spaced(&few, 0.5), [0, 1, 2, 3]);
        let crowded: Vec<f64> = (0..100).map(f64::from).collect();
        let kept = spaced(&at(&crowded), 10.0);
        assert_eq!(kept, [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 99]);
        assert_eq!(spaced(&at(&[]), 1.0), Vec::<usize>::new());
        assert_eq!(spaced(&at(&[3.0]), f64::INFINITY), [0]);
    }

    #[test]
    fn a_crowded_line_keeps_each_column_s_ends_and_extremes() {
        let xy: Vec<(f64, f64)> = (0..10)
            .map(|i| (f64::from(i) * 0.1, f64::from((i * 7) % 5)))
            .collect();
        // One column of x 0 … 0.9: first, lowest, highest, last.
        let kept = column_extremes(&xy, 1.0);
        assert_eq!(kept.first(), xy.first());
        assert_eq!(kept.last(), xy.last());
        assert!(kept.len() <= 4, "{kept:?}");
        assert!(kept.iter().any(|p| p.1 == 0.0) && kept.iter().any(|p| p.1 == 4.0));
        // Columns narrower than the points' spacing keep every point.
        assert_eq!(column_extremes(&xy, 0.05), xy);
    }
}
