//! The results table: every finished run, sortable by a click on a
//! header; a click on a row charts that run's experiment.

use eframe::egui::{self, RichText};
use egui_extras::{Column, TableBuilder};

use super::super::command::Command;
use super::super::theme;
use super::plural;
use crate::results::RunRecord;
use crate::session::store::ResultsStore;
use crate::table;

/// Which column the results table is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortColumn {
    /// The experiment's number, the table's first column.
    #[default]
    Experiment,
    /// The experiment's lesson, if it ran one.
    Lesson,
    /// One of the results table's columns.
    Table(table::Column),
}

/// The results table's sort order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableSort {
    pub column: SortColumn,
    pub descending: bool,
}

impl Default for TableSort {
    /// Newest experiment first: what a user just ran is on top.
    fn default() -> Self {
        TableSort {
            column: SortColumn::Experiment,
            descending: true,
        }
    }
}

impl TableSort {
    /// Orders two (experiment, run) rows; ties keep the order the runs
    /// were measured in (the sort is stable).
    fn compare(self, a: &(usize, &RunRecord), b: &(usize, &RunRecord)) -> std::cmp::Ordering {
        let order = match self.column {
            SortColumn::Experiment => a.0.cmp(&b.0),
            // Set by the table, which knows each experiment's lesson.
            SortColumn::Lesson => std::cmp::Ordering::Equal,
            SortColumn::Table(column) => column.compare(a.1, b.1),
        };
        if self.descending {
            order.reverse()
        } else {
            order
        }
    }

    /// A header's title, with an arrow when the table is sorted by it.
    fn title(self, title: &str, column: SortColumn) -> String {
        let arrow = match (self.column == column, self.descending) {
            (false, _) => "",
            (true, true) => " ⏷",
            (true, false) => " ⏶",
        };
        format!("{title}{arrow}")
    }

    /// The order after a click on `column`'s header: by it, flipped when
    /// it already was.
    fn clicked(self, column: SortColumn) -> TableSort {
        TableSort {
            column,
            descending: self.column == column && !self.descending,
        }
    }
}

/// The table of every finished run, sortable by clicking a header; a click
/// on a row shows that run's experiment in the charts. Its heading folds
/// it away (`folded`), leaving the charts the room.
pub fn results_table_ui(
    ui: &mut egui::Ui,
    results: &ResultsStore,
    shown: Option<usize>,
    table_sort: &mut TableSort,
    folded: &mut bool,
    dark: bool,
    commands: &mut Vec<Command>,
) {
    results_heading_ui(ui, results, folded);
    if *folded {
        return;
    }
    // An arrow marks the experiment the charts show, once there are several.
    let marked = shown.filter(|_| results.experiments.len() > 1);
    let sort = *table_sort;
    let rows = sorted_rows(results, sort);
    let columns = table::Column::STORED;
    let headers = [
        ("#", SortColumn::Experiment),
        ("lesson", SortColumn::Lesson),
    ]
    .into_iter()
    .chain(columns.map(|c| (c.header(), SortColumn::Table(c))));
    let mut new_sort = None;
    ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Extend);
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
    // Wider than the panel on small windows: scroll sideways, never clip.
    egui::ScrollArea::horizontal()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            TableBuilder::new(ui)
                .striped(true)
                .sense(egui::Sense::click())
                .auto_shrink([false, false])
                // As low as its panel: the panel gives way to the charts.
                .min_scrolled_height(0.0)
                .column(Column::exact(52.0))
                .column(Column::auto().resizable(true))
                .columns(Column::auto().resizable(true), columns.len())
                .header(row_height + 4.0, |mut header| {
                    for (title, column) in headers {
                        header.col(|ui| {
                            let title = RichText::new(sort.title(title, column)).strong();
                            if ui.button(title).clicked() {
                                new_sort = Some(sort.clicked(column));
                            }
                        });
                    }
                })
                .body(|body| {
                    body.rows(row_height, rows.len(), |mut row| {
                        let (experiment, run) = rows[row.index()];
                        let shown = Some(experiment) == marked;
                        let lesson = lesson_of(results, experiment);
                        results_row_ui(&mut row, (experiment, run), shown, lesson, dark);
                        if row.response().clicked() {
                            commands.push(Command::Select(experiment));
                        }
                    });
                });
        });
    if let Some(sort) = new_sort {
        *table_sort = sort;
    }
}

/// The results table's heading: its fold button and how many runs it
/// holds.
fn results_heading_ui(ui: &mut egui::Ui, results: &ResultsStore, folded: &mut bool) {
    ui.horizontal(|ui| {
        let arrow = if *folded { "⏵" } else { "⏷" };
        if ui
            .button(RichText::new(format!("{arrow} Results")).strong())
            .on_hover_text(if *folded {
                "Show the results table"
            } else {
                "Fold the results table away (drag its top edge to resize it)"
            })
            .clicked()
        {
            *folded = !*folded;
        }
        let count = results.runs().count();
        let experiments = results.experiments.len();
        let text = format!(
            "{count} run{} in {experiments} experiment{} · click a row to chart its experiment",
            plural(count),
            plural(experiments)
        );
        ui.label(RichText::new(text).weak());
    });
}

/// The lesson an experiment ran, or "" for one of the user's own.
fn lesson_of(results: &ResultsStore, experiment: usize) -> &str {
    results
        .experiments
        .get(experiment)
        .and_then(|set| set.preset.as_deref())
        .unwrap_or("")
}

/// Every stored run with its experiment's index, in the table's order.
fn sorted_rows(results: &ResultsStore, sort: TableSort) -> Vec<(usize, &RunRecord)> {
    let mut rows: Vec<(usize, &RunRecord)> = results.runs().collect();
    rows.sort_by(|a, b| match sort.column {
        SortColumn::Lesson => {
            let order = lesson_of(results, a.0).cmp(lesson_of(results, b.0));
            if sort.descending {
                order.reverse()
            } else {
                order
            }
        }
        _ => sort.compare(a, b),
    });
    rows
}

/// One run's row: its experiment (marked when the charts show it), its
/// lesson, and the stored columns, the model in its colour.
fn results_row_ui(
    row: &mut egui_extras::TableRow<'_, '_>,
    (experiment, run): (usize, &RunRecord),
    shown: bool,
    lesson: &str,
    dark: bool,
) {
    row.col(|ui| {
        let mark = if shown { "▶ " } else { "" };
        ui.label(format!("{mark}{}", experiment + 1));
    });
    row.col(|ui| {
        ui.label(if lesson.is_empty() {
            table::MISSING
        } else {
            lesson
        });
    });
    // Only the rows in view are formatted.
    let columns = table::Column::STORED;
    let cells = table::Row::of(&columns, run);
    let color = theme::model_color(cells.model, dark);
    for (column, cell) in columns.iter().zip(cells.cells) {
        row.col(|ui| {
            let text = RichText::new(cell.text);
            let text = if *column == table::Column::Model {
                text.color(color).strong()
            } else {
                text
            };
            let label = ui.label(text);
            if let Some(note) = cell.note {
                label.on_hover_text(note);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::testing::record;
    use crate::spec::Model;

    #[test]
    fn a_header_click_sorts_by_its_column_and_a_second_flips_it() {
        let wall = SortColumn::Table(table::Column::Wall);
        let sort = TableSort::default().clicked(wall);
        assert_eq!((sort.column, sort.descending), (wall, false));
        assert_eq!(sort.title("wall median", wall), "wall median ⏶");
        assert_eq!(sort.title("#", SortColumn::Experiment), "#");
        let flipped = sort.clicked(wall);
        assert!(flipped.descending);

        let (slow, fast) = (
            record(Model::Serial, 1, 2.0),
            record(Model::Threads, 2, 1.0),
        );
        let (a, b) = ((1, &slow), (0, &fast));
        assert_eq!(sort.compare(&a, &b), std::cmp::Ordering::Greater);
        assert_eq!(flipped.compare(&a, &b), std::cmp::Ordering::Less);
        // Newest experiment first by default.
        assert_eq!(
            TableSort::default().compare(&a, &b),
            std::cmp::Ordering::Less
        );
    }
}
