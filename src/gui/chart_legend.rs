//! The window's legends: text measured as egui lays it out
//! ([`EguiMeasure`], so the window packs a legend into the rows a file
//! would), a strip under a plot or a row of plots, a box in a free corner
//! of the plot, and each entry's line sample, marker and name.

use eframe::egui::{self, Color32, FontId, Pos2, RichText, Sense, Shape, Stroke};

use super::chart_view::{line_width, paint_marker, text_sizes};
use super::theme;
use crate::chart::LineKind;
use crate::chart::layout::{Corner, LegendEntry, LegendGrid, LegendPlace, Swatch, TextMeasure};

/// The entries of every legend, each once, in the order first met: the
/// series a row of charts of one set shares, and each chart's own
/// reference lines.
pub fn legend_union(legends: impl IntoIterator<Item = Vec<LegendEntry>>) -> Vec<LegendEntry> {
    let mut union: Vec<LegendEntry> = Vec::new();
    for entry in legends.into_iter().flatten() {
        if !union.contains(&entry) {
            union.push(entry);
        }
    }
    union
}

/// Text in the window's legend font, measured as egui lays it out: how
/// the window packs a legend ([`LegendGrid::pack`]), as files pack theirs
/// with the embedded font.
#[derive(Debug)]
pub struct EguiMeasure<'a> {
    ctx: &'a egui::Context,
    font: FontId,
}

impl<'a> EguiMeasure<'a> {
    /// The measure of the proportional font of `size` points.
    pub fn proportional(ctx: &'a egui::Context, size: f32) -> EguiMeasure<'a> {
        EguiMeasure {
            ctx,
            font: FontId::proportional(size),
        }
    }

    /// The legend font's measure.
    pub fn legend(ctx: &'a egui::Context) -> EguiMeasure<'a> {
        EguiMeasure::proportional(ctx, text_sizes(ctx).legend)
    }
}

impl TextMeasure for EguiMeasure<'_> {
    fn em(&self) -> f64 {
        f64::from(self.font.size)
    }

    fn width(&self, text: &str) -> f64 {
        let width = self.ctx.fonts_mut(|f| {
            f.layout_no_wrap(text.to_string(), self.font.clone(), Color32::WHITE)
                .size()
                .x
        });
        f64::from(width)
    }
}

/// `legend` packed for the window: under a plot `width` wide, or in a
/// column inside it.
fn grid(ui: &egui::Ui, legend: &[LegendEntry], place: LegendPlace, width: f32) -> LegendGrid {
    LegendGrid::pack(
        legend,
        place,
        &EguiMeasure::legend(ui.ctx()),
        f64::from(width),
    )
}

/// The height of a legend laid out in rows under a plot `width` wide.
pub fn legend_height(ui: &egui::Ui, legend: &[LegendEntry], width: f32) -> f32 {
    grid(ui, legend, LegendPlace::Outside, width).height as f32
}

/// A legend under a plot `width` wide, in the rows the packing gave it.
pub fn legend_strip_ui(ui: &mut egui::Ui, legend: &[LegendEntry], width: f32) {
    let grid = grid(ui, legend, LegendPlace::Outside, width);
    let size = egui::vec2(width, grid.height as f32);
    let (rect, _) = ui.allocate_exact_size(size, Sense::hover());
    legend_entries_ui(ui, legend, &grid, rect.min);
}

/// Each entry of `legend` where `grid` placed it, from `origin`.
fn legend_entries_ui(ui: &mut egui::Ui, legend: &[LegendEntry], grid: &LegendGrid, origin: Pos2) {
    for (entry, &(dx, dy)) in legend.iter().zip(&grid.places) {
        let min = origin + egui::vec2(dx as f32, dy as f32);
        let rect = egui::Rect::from_min_size(
            min,
            egui::vec2(
                (grid.width - dx).max(grid.sample) as f32,
                grid.row_height as f32,
            ),
        );
        let mut child = ui.new_child(
            egui::UiBuilder::new()
                .max_rect(rect)
                .layout(egui::Layout::left_to_right(egui::Align::Center)),
        );
        legend_entry_ui(&mut child, entry, grid);
    }
}

/// The legend in a corner of the plot's frame, on the background, as
/// large as its entries: a box laid out in the whole plot would cover the
/// data it was placed to avoid.
pub(super) fn inside_legend_ui(
    ui: &mut egui::Ui,
    legend: &[LegendEntry],
    frame: egui::Rect,
    corner: Corner,
) {
    let grid = grid(ui, legend, LegendPlace::Inside(corner), frame.width());
    let across = (f64::from(frame.left()), f64::from(frame.right()));
    let down = (f64::from(frame.top()), f64::from(frame.bottom()));
    let (left, top) = grid.inside_origin(corner, across, down);
    let rect = egui::Rect::from_min_size(
        egui::pos2(left as f32, top as f32),
        egui::vec2(grid.width as f32, grid.height as f32),
    );
    let fill = ui.visuals().extreme_bg_color.gamma_multiply(0.92);
    ui.painter().rect(
        rect,
        4.0,
        fill,
        ui.visuals().widgets.noninteractive.bg_stroke,
        egui::StrokeKind::Inside,
    );
    legend_entries_ui(ui, legend, &grid, rect.min);
}

/// One legend entry: its line sample with dash and marker (or a block),
/// then its name. The sample tells screen readers its style.
fn legend_entry_ui(ui: &mut egui::Ui, entry: &LegendEntry, grid: &LegendGrid) {
    ui.spacing_mut().item_spacing.x = grid.gap as f32;
    let sample = egui::vec2(grid.sample as f32, grid.row_height as f32);
    let (rect, response) = ui.allocate_exact_size(sample, Sense::hover());
    let described = format!("{}: {}", entry.name, entry.swatch.describe());
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, described.clone()));
    let color = theme::color(entry.swatch.color());
    let painter = ui.painter_at(rect.expand(2.0));
    match entry.swatch {
        Swatch::Line(stroke) => {
            let y = rect.center().y;
            let ends = [Pos2::new(rect.left(), y), Pos2::new(rect.right(), y)];
            let pen = Stroke::new(line_width(stroke.weight), color);
            match stroke.line {
                LineKind::Solid => {
                    painter.line_segment(ends, pen);
                }
                LineKind::Dashed => {
                    painter.extend(Shape::dashed_line(&ends, pen, 8.0, 5.0));
                }
                LineKind::Dotted => {
                    painter.extend(Shape::dotted_line(&ends, color, 6.0, 1.6));
                }
                LineKind::LongDashed => {
                    painter.extend(Shape::dashed_line(&ends, pen, 16.0, 5.0));
                }
            }
            if let Some(marker) = stroke.marker {
                let background = ui.visuals().extreme_bg_color;
                paint_marker(&painter, rect.center(), 6.0, color, background, marker);
            }
        }
        Swatch::Block(_) => {
            let block = egui::vec2(rect.width() / 4.0, rect.height() / 2.0 - 7.0);
            painter.rect_filled(rect.shrink2(block.max(egui::vec2(0.0, 3.0))), 2.0, color);
        }
    }
    ui.add(egui::Label::new(RichText::new(&entry.name).size(text_sizes(ui.ctx()).legend)).extend());
}
