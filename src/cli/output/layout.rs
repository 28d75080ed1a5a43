//! Text laid out for a terminal's width: the results table as a grid
//! whose cells never break inside a word (headers wrap first, then spare
//! columns go, then cells wrap at their spaces, and where nothing fits,
//! one block per run), and prose wrapped between words.

use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};

use crate::results::ResultSet;
use crate::table::{Align, Column, ResultsTable};

/// The widest a table printed to a pipe or file gets (a terminal's own
/// width rules on a terminal).
const PRINT_WIDTH: usize = 80;

/// The width stdout's text is laid out for: the terminal's, or
/// [`PRINT_WIDTH`] where stdout is a pipe or a file.
pub fn print_width() -> usize {
    let table = Table::new();
    match table.width() {
        Some(width) if table.is_tty() => usize::from(width).max(20),
        _ => PRINT_WIDTH,
    }
}

/// How wide `text` is on a terminal: one column a character (its text is
/// names, numbers and a few symbols, none of them double width).
pub(super) fn text_width(text: &str) -> usize {
    text.chars().count()
}

/// The results table ([`crate::table`]'s terminal columns) as text no
/// wider than `width`, no cell broken inside a word: headers and cells
/// wrap at spaces only; where the columns still do not fit, the spare
/// ones ([`Column::TERMINAL_SPARE`]) go, and where even that is too wide
/// the table becomes one block per run. A footnote under it says what
/// its short headers mean and where the rest is.
pub fn results_table(set: &ResultSet, width: usize) -> String {
    let (table, shown) = laid_out(set, width);
    let mut note = String::from("(");
    if shown.contains(&Column::Efficiency) {
        note.push_str("eff. = efficiency, speedup ÷ workers; ");
    }
    note.push_str(
        "ranges, 95 % intervals, CPU time, IPC bytes, memory: --export-csv or --export-markdown)",
    );
    format!("{table}\n{}", wrap(&note, width).join("\n"))
}

/// The table as text no wider than `width` (see [`results_table`]), and
/// the columns it shows (none where it became one block per run, which
/// names each figure in full).
fn laid_out(set: &ResultSet, width: usize) -> (String, Vec<Column>) {
    let mut columns = Column::for_terminal(set);
    // Headers wrap first; then the spare columns go, one by one; only
    // then do cells wrap.
    loop {
        let table = ResultsTable::build(columns.clone(), &set.runs);
        if let Some(text) = grid(&table, width, Wrap::Headers) {
            return (text, columns);
        }
        match Column::TERMINAL_SPARE.iter().find(|c| columns.contains(c)) {
            Some(spare) => columns.retain(|c| c != spare),
            None => {
                return match grid(&table, width, Wrap::Cells) {
                    Some(text) => (text, columns),
                    None => {
                        let all = ResultsTable::build(Column::for_terminal(set), &set.runs);
                        (blocks(&all, width), Vec::new())
                    }
                };
            }
        }
    }
}

/// What may wrap, at its spaces, to fit a grid in a width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wrap {
    Headers,
    /// Headers and cells.
    Cells,
}

/// Borders and padding of a grid of `columns` columns: `│ a ┆ b │`.
fn border_width(columns: usize) -> usize {
    3 * columns + 1
}

/// `table` as a grid no wider than `width`, or `None` where its columns
/// do not fit without breaking a word. Columns give up width headers
/// first (a header wraps at its spaces), then, with [`Wrap::Cells`],
/// cells (at theirs).
fn grid(table: &ResultsTable, width: usize, wrap_what: Wrap) -> Option<String> {
    let texts = |i: usize| {
        std::iter::once(table.columns[i].terminal_header())
            .chain(table.rows.iter().map(move |r| r.cells[i].text.as_str()))
    };
    let longest_word = |text: &str| text.split(' ').map(text_width).max().unwrap_or(0);
    let n = table.columns.len();
    let mut widths: Vec<usize> = (0..n)
        .map(|i| texts(i).map(text_width).max().unwrap_or(0))
        .collect();
    // Wrapping headers only, then wrapping cells too.
    let header_floor: Vec<usize> = (0..n)
        .map(|i| {
            let cells = texts(i).skip(1).map(text_width).max().unwrap_or(0);
            cells.max(longest_word(table.columns[i].terminal_header()))
        })
        .collect();
    let word_floor: Vec<usize> = (0..n)
        .map(|i| texts(i).map(longest_word).max().unwrap_or(0))
        .collect();
    let room = width.checked_sub(border_width(n))?;
    let floors = match wrap_what {
        Wrap::Headers => vec![&header_floor],
        Wrap::Cells => vec![&header_floor, &word_floor],
    };
    for floor in floors {
        while widths.iter().sum::<usize>() > room {
            // The column with the most to give gives one character.
            let Some(i) = (0..n)
                .filter(|&i| widths[i] > floor[i])
                .max_by_key(|&i| widths[i] - floor[i])
            else {
                break;
            };
            widths[i] -= 1;
        }
    }
    if widths.iter().sum::<usize>() > room {
        return None;
    }
    let mut grid = Table::new();
    grid.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(
            (0..n)
                .map(|i| Cell::new(wrap(table.columns[i].terminal_header(), widths[i]).join("\n"))),
        );
    for row in &table.rows {
        grid.add_row(table.columns.iter().zip(&row.cells).zip(&widths).map(
            |((column, cell), &width)| {
                let alignment = match column.align() {
                    Align::Left => CellAlignment::Left,
                    Align::Right => CellAlignment::Right,
                };
                Cell::new(wrap(&cell.text, width).join("\n")).set_alignment(alignment)
            },
        ));
    }
    Some(grid.to_string())
}

/// `text` cut into lines of at most `width` characters at its spaces (a
/// word longer than `width` keeps a line of its own, whole).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        if !line.is_empty() && text_width(&line) + 1 + text_width(word) > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// `table` as one block per run, for a terminal too narrow for its
/// columns: what the run is on its first line (`net · async · 8 in
/// flight`), then its figures, each named (`speedup 2.00×`), wrapped
/// between figures to `width`.
fn blocks(table: &ResultsTable, width: usize) -> String {
    let mut out = String::new();
    for row in &table.rows {
        let mut names: Vec<String> = Vec::new();
        let mut figures: Vec<String> = Vec::new();
        for (column, cell) in table.columns.iter().zip(&row.cells) {
            let text = cell.text.as_str();
            if text.is_empty() {
                continue;
            }
            match column {
                Column::Model | Column::Workload | Column::Sharing => names.push(text.to_string()),
                Column::Workers => names.push(match text.parse::<u32>() {
                    Ok(1) => "1 worker".to_string(),
                    Ok(_) => format!("{text} workers"),
                    Err(_) => text.to_string(),
                }),
                Column::Schedule => names.push(format!("{text} schedule")),
                Column::Payload => names.push(format!("{text} payload")),
                _ if text == crate::table::MISSING => {}
                column => figures.push(format!("{} {text}", column.header())),
            }
        }
        for (indent, items) in [("", names), ("  ", figures)] {
            for line in join_wrapped(&items, " · ", width.saturating_sub(indent.len())) {
                out.push_str(indent);
                out.push_str(&line);
                out.push('\n');
            }
        }
    }
    out.pop();
    out
}

/// `items` joined by `separator` into lines of at most `width`
/// characters, breaking only between items.
pub(super) fn join_wrapped(items: &[String], separator: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for item in items {
        if !line.is_empty() && text_width(&line) + text_width(separator) + text_width(item) > width
        {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push_str(separator);
        }
        line.push_str(item);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::noise::code;
    use crate::results::testing::record;
    use crate::results::{MachineInfo, RunRecord, Warning};
    use crate::spec::{Model, Schedule};
    use crate::workload::{Sharing, Workload};

    fn flag(run: &mut RunRecord, code: &str) {
        run.warnings.push(Warning {
            code: code.to_string(),
            message: format!("{code} happened"),
            remedy: "close other programs, then re-run".to_string(),
        });
    }

    fn set_of(runs: Vec<RunRecord>) -> ResultSet {
        let mut set = ResultSet::new(MachineInfo::default());
        set.runs = runs;
        crate::analysis::fill_speedups(&mut set);
        set
    }

    /// rule-of-thumb's shape: three workloads (net with a reply payload),
    /// five models, the async ones' workers in flight, 1 to 8 workers,
    /// every run flagged.
    fn rule_of_thumb() -> ResultSet {
        let mut runs = Vec::new();
        for workload in [Workload::Net, Workload::SqrtSum, Workload::Mixed] {
            for (model, workers) in [
                (Model::Serial, vec![1]),
                (Model::GilThreads, vec![1, 2, 4, 8]),
                (Model::Processes, vec![1, 2, 4, 8]),
                (Model::Async, vec![1, 2, 4, 8]),
                (Model::AsyncProcesses, vec![1, 2, 4, 8]),
            ] {
                for w in workers {
                    let mut run = record(model, w, 1.25 / f64::from(w));
                    run.workload = workload;
                    run.payload_bytes = if workload == Workload::Net { 1024 } else { 0 };
                    run.spawn_seconds = 0.0123;
                    flag(&mut run, code::BUSY_MACHINE);
                    if w > 1 {
                        flag(&mut run, code::BASELINE_FLAGGED);
                        flag(&mut run, code::WIDE_SPREAD);
                    }
                    runs.push(run);
                }
            }
        }
        set_of(runs)
    }

    /// The longest model names, and beyond-one-machine's python-serial
    /// and python-mpi, flagged over the cores and over 100 %.
    fn long_names() -> ResultSet {
        let mut runs = vec![
            record(Model::Serial, 1, 1.0),
            record(Model::PythonSerial, 1, 8.0),
        ];
        for w in [1, 2, 16] {
            runs.push(record(Model::ProcessPerTask, w, 1.5));
            runs.push(record(Model::PythonAsyncioProcesses, w, 6.0));
            let mut mpi = record(Model::PythonMpi, w, 0.1);
            flag(&mut mpi, code::SPEEDUP_OVER_CORES);
            flag(&mut mpi, code::EFFICIENCY_OVER_100);
            flag(&mut mpi, code::BUSY_MACHINE);
            runs.push(mpi);
        }
        set_of(runs)
    }

    /// shared-state's shape: counted runs with sharing modes and lost
    /// updates, no serial baseline.
    fn shared_state() -> ResultSet {
        let mut runs = Vec::new();
        for sharing in [Sharing::Racy, Sharing::Locked, Sharing::Isolated] {
            for model in [Model::Threads, Model::Processes] {
                let mut run = record(model, 2, 0.3);
                run.workload = Workload::Counter;
                run.sharing = Some(sharing);
                run.expected_total = Some(40_000_000);
                run.lost_updates = Some(if sharing == Sharing::Racy {
                    12_345_678
                } else {
                    0
                });
                runs.push(run);
            }
        }
        set_of(runs)
    }

    /// ipc-cost's and queue-workers' shapes: a payload sweep; schedules.
    fn payloads_and_schedules() -> Vec<ResultSet> {
        let mut payloads = Vec::new();
        for bytes in [1024, 64 * 1024, 16 * 1024 * 1024] {
            for model in [Model::Serial, Model::Processes] {
                let mut run = record(model, if model == Model::Serial { 1 } else { 2 }, 0.5);
                run.workload = Workload::Echo;
                run.payload_bytes = bytes;
                payloads.push(run);
            }
        }
        let mut schedules = vec![record(Model::Serial, 1, 1.0)];
        for schedule in [Schedule::Static, Schedule::Queue] {
            for model in [Model::Threads, Model::Processes] {
                let mut run = record(model, 2, 0.6);
                run.schedule = schedule;
                schedules.push(run);
            }
        }
        vec![set_of(payloads), set_of(schedules)]
    }

    fn every_shape() -> Vec<ResultSet> {
        let mut sets = vec![rule_of_thumb(), long_names(), shared_state()];
        sets.extend(payloads_and_schedules());
        sets
    }

    /// Every whole word the table of `set` may show: its headers' and
    /// cells' words, and the words a block per run adds.
    fn words(set: &ResultSet) -> Vec<String> {
        let table = ResultsTable::build(Column::for_terminal(set), &set.runs);
        let mut words: Vec<String> = ["worker", "workers", "schedule", "payload"]
            .map(String::from)
            .to_vec();
        for column in &table.columns {
            for header in [column.header(), column.terminal_header()] {
                words.extend(header.split(' ').map(String::from));
            }
        }
        for row in &table.rows {
            for cell in &row.cells {
                words.extend(cell.text.split(' ').map(String::from));
            }
        }
        words
    }

    /// Asserts that no line of the table is wider than `width` and that
    /// every word in it is whole.
    fn assert_fits(set: &ResultSet, width: usize) -> String {
        let text = results_table(set, width);
        let words = words(set);
        let (table, _) = text.split_once("\n(").unwrap_or((&text, ""));
        for line in text.lines() {
            assert!(
                text_width(line) <= width,
                "{line:?} is over {width}:\n{text}"
            );
        }
        for line in table.lines() {
            for part in line.split(['│', '┆']).flat_map(|p| p.split(" · ")) {
                for word in part.split(' ').filter(|w| !w.is_empty()) {
                    let border = word.chars().all(|c| "─┌┬┐╞═╪╡└┴┘".contains(c));
                    assert!(
                        border || words.iter().any(|w| w == word),
                        "{word:?} is not a whole word of the table:\n{text}"
                    );
                }
            }
        }
        text
    }

    #[test]
    fn every_lesson_s_table_fits_80_and_60_columns_without_breaking_a_word() {
        for set in every_shape() {
            for width in [80, 60] {
                assert_fits(&set, width);
            }
            // At 80 columns, each is still a grid.
            assert!(results_table(&set, 80).starts_with('┌'));
        }
        // The longest model name keeps its line whole at 80.
        let long = results_table(&long_names(), 80);
        assert!(
            long.contains("python-asyncio+processes ┆ 16 in flight"),
            "{long}"
        );
    }

    #[test]
    fn a_table_too_wide_for_the_terminal_becomes_a_block_per_run() {
        let text = assert_fits(&rule_of_thumb(), 60);
        assert!(!text.contains('┆'), "{text}");
        assert!(text.starts_with("net · serial · 1 worker\n"), "{text}");
        assert!(
            text.contains("mixed · async+processes · 8 in flight\n"),
            "{text}"
        );
        assert!(
            text.contains("  wall median 156 ms · speedup 8.00× · efficiency 100 %"),
            "{text}"
        );
        // What no block has room for, the narrowest terminal still gets whole.
        assert_fits(&long_names(), 40);
    }

    #[test]
    fn spare_columns_go_before_a_cell_wraps() {
        let text = results_table(&rule_of_thumb(), 80);
        assert!(!text.contains("spawn"), "{text}");
        assert!(text.contains("8 in flight"), "{text}");
        // A wide terminal has room for them.
        let wide = results_table(&rule_of_thumb(), 120);
        assert!(wide.contains("spawn") && wide.contains("eff."), "{wide}");
        assert!(wide.contains("eff. = efficiency"), "{wide}");
    }

    #[test]
    fn a_figure_no_run_has_gets_no_column() {
        let text = results_table(&shared_state(), 80);
        assert!(!text.contains("speedup"), "{text}");
        assert!(text.contains("12,345,678 (31 %)"), "{text}");
        assert!(
            text.contains("lost updates") && text.contains("sharing"),
            "{text}"
        );
    }

    #[test]
    fn prose_wraps_between_words() {
        assert_eq!(wrap("a bb ccc dddd", 6), ["a bb", "ccc", "dddd"]);
        assert_eq!(wrap("a-very-long-word x", 4), ["a-very-long-word", "x"]);
        assert_eq!(wrap("", 10), [""]);
        let items: Vec<String> = ["one two", "three", "four"].map(String::from).to_vec();
        assert_eq!(join_wrapped(&items, " · ", 16), ["one two · three", "four"]);
    }
}
