//! Markdown export: the results table in the style of hyperfine's
//! `--export-markdown`, ready to paste into a report. The table is
//! [`crate::table`]'s, the one the terminal and the app show too.

use std::fmt::Write as _;

use super::ExportError;
use super::data::Exporter;
use crate::results::ResultSet;
use crate::table::{Align, Column, ResultsTable};

/// Renders a results table as Markdown: model names as code, names
/// aligned left and numbers right.
pub fn render(table: &ResultsTable) -> String {
    let mut out = String::new();
    let headers: Vec<String> = table.headers().map(escape).collect();
    let _ = writeln!(out, "| {} |", headers.join(" | "));
    let rules: Vec<&str> = table
        .columns
        .iter()
        .map(|c| match c.align() {
            Align::Left => ":---",
            Align::Right => "---:",
        })
        .collect();
    let _ = writeln!(out, "|{}|", rules.join("|"));
    for row in &table.rows {
        let cells: Vec<String> = table
            .columns
            .iter()
            .zip(&row.cells)
            .map(|(&column, cell)| {
                if column == Column::Model {
                    format!("`{}`", cell.text)
                } else {
                    escape(&cell.text)
                }
            })
            .collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out
}

/// `text` with the pipes that would end its cell escaped.
fn escape(text: &str) -> String {
    text.replace('|', "\\|")
}

/// The noise guard's flags of `set` as a Markdown list, after a line on
/// what they mean; empty when nothing is flagged.
pub fn warnings(set: &ResultSet) -> String {
    let lines = crate::noise::describe(set);
    if lines.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "These figures may not be what the machine can do: other programs, or too few \
         repetitions, got in the way. The verdicts they would support are withheld.\n\n",
    );
    for line in lines {
        let _ = writeln!(out, "- ⚠ {}", escape(&line));
    }
    out
}

/// The results table of `set` as Markdown.
pub fn table(set: &ResultSet) -> String {
    render(&ResultsTable::of_set(set))
}

/// The Markdown format: a line naming the workload and machine, then the
/// results table.
#[derive(Debug, Clone, Copy, Default)]
pub struct Markdown;

impl Exporter for Markdown {
    fn serialize(&self, set: &ResultSet) -> Result<Vec<u8>, ExportError> {
        let mut text = String::new();
        if let Some(first) = set.runs.first() {
            let _ = writeln!(
                text,
                "Workload `{}` (size {}, {} tasks{}) on {} ({} logical cores), median of {} repetitions.\n",
                first.workload,
                first.size,
                first.tasks,
                if first.payload_bytes > 0 {
                    format!(", {} payload", crate::format::bytes(first.payload_bytes))
                } else {
                    String::new()
                },
                set.machine.cpu_model,
                set.machine.logical_cores,
                first.repeats,
            );
        }
        text.push_str(&table(set));
        let flags = warnings(set);
        if !flags.is_empty() {
            let _ = write!(text, "\n{flags}");
        }
        Ok(text.into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::testing::record;
    use crate::results::{MachineInfo, ResultSet};
    use crate::spec::Model;

    #[test]
    fn the_markdown_table_renders_the_results_table() {
        let mut set = ResultSet::new(MachineInfo::detect());
        set.runs.push(record(Model::Serial, 1, 1.0));
        set.runs.push(record(Model::Threads, 4, 0.3));
        crate::analysis::fill_speedups(&mut set);
        let text = table(&set);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[0].starts_with("| model | workers | wall median |"));
        assert!(lines[1].starts_with("|:---|---:|---:|"));
        assert_eq!(lines[1].matches('|').count(), 14, "13 columns");
        assert!(
            lines[3]
                .starts_with("| `threads` | 4 | 300 ms | 270 ms … 330 ms | — | 3.33× | — | 83 % |"),
            "{}",
            lines[3]
        );
    }

    #[test]
    fn pipes_inside_a_cell_are_escaped() {
        assert_eq!(escape("a|b"), "a\\|b");
    }
}
