//! The results table as data: which columns a table of runs has, their
//! headers and alignment, and every cell already formatted, with the note a
//! renderer may show on hover (Karp–Flatt on efficiency, the RSS split on
//! memory).
//!
//! The terminal table (`cli::output`), the Markdown export and the app's
//! results table all render this model, so a speedup, an efficiency, a
//! duration or a byte count reads the same, to the same digits, wherever
//! it is shown. Renderers only lay cells out; they decide no number.

use std::cmp::Ordering;

use crate::analysis;
use crate::format;
use crate::results::{ResultSet, RunRecord};
use crate::spec::Model;

/// What a cell shows where a run has no value: no serial baseline to give
/// a speedup, no worker to spawn.
pub const MISSING: &str = "—";

/// How a column's cells line up: names left, numbers right.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// A column of the results table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    /// Echo's payload per task.
    Payload,
    Workload,
    Model,
    Workers,
    /// How tasks were handed to the workers.
    Schedule,
    /// The median repetition's wall time.
    Wall,
    /// The fastest and the slowest repetition.
    WallRange,
    /// The median wall time's 95 % confidence interval.
    WallCi,
    Speedup,
    /// The speedup's 95 % confidence interval.
    SpeedupCi,
    /// With the run's Karp–Flatt serial fraction as its note.
    Efficiency,
    CpuTime,
    /// Starting the pool, for models with workers.
    Spawn,
    IpcToWorkers,
    IpcFromWorkers,
    /// corescope's and its workers' RSS, split in the note.
    Memory,
    /// The noise guard's flags, each sentence in the note.
    Flags,
    /// The flags as one letter each ([`flag_mark`]), for a narrow table
    /// that names them below it; each sentence in the note.
    FlagMarks,
    /// `counter`: how the workers shared the counter.
    Sharing,
    /// `counter`: increments the main process never saw, with the share
    /// of all; expected and counted totals in the note.
    LostUpdates,
}

impl Column {
    /// The app's table of every stored run, beside its experiment number.
    pub const STORED: [Column; 17] = [
        Column::Workload,
        Column::Payload,
        Column::Model,
        Column::Sharing,
        Column::Workers,
        Column::LostUpdates,
        Column::Schedule,
        Column::Wall,
        Column::WallRange,
        Column::WallCi,
        Column::Speedup,
        Column::SpeedupCi,
        Column::Efficiency,
        Column::IpcToWorkers,
        Column::IpcFromWorkers,
        Column::Memory,
        Column::Flags,
    ];

    /// The columns of one result set's table (the terminal's and the
    /// Markdown export's): the payload first when a run carried one; the
    /// sharing mode and lost updates when a run counted; the flags last
    /// when a run has one.
    pub fn for_set(set: &ResultSet) -> Vec<Column> {
        let mut columns = Vec::with_capacity(17);
        if set.runs.iter().any(|r| r.payload_bytes > 0) {
            columns.push(Column::Payload);
        }
        let counted = set.runs.iter().any(|r| r.sharing.is_some());
        columns.push(Column::Model);
        if counted {
            columns.push(Column::Sharing);
        }
        columns.push(Column::Workers);
        if counted {
            columns.push(Column::LostUpdates);
        }
        columns.extend([
            Column::Wall,
            Column::WallRange,
            Column::WallCi,
            Column::Speedup,
            Column::SpeedupCi,
            Column::Efficiency,
            Column::CpuTime,
            Column::Spawn,
            Column::IpcToWorkers,
            Column::IpcFromWorkers,
            Column::Memory,
        ]);
        if set.runs.iter().any(|r| !r.warnings.is_empty()) {
            columns.push(Column::Flags);
        }
        columns
    }

    /// The columns of a terminal's table, each needed to tell its rows
    /// apart or to read the lesson: the payload when the set sweeps
    /// payloads, the workload when it compares workloads, model, the
    /// sharing mode and lost updates when a run counted, workers, the
    /// schedule when it varies, wall time, speedup, efficiency, start-up
    /// (not in a payload sweep: it is the same at every payload), and the
    /// flags as marks when a run has one. A narrow terminal drops
    /// [`Column::TERMINAL_SPARE`] first; a figure no run has is left out.
    /// The rest (ranges, intervals, CPU time, IPC bytes, memory) are in
    /// the exports.
    pub fn for_terminal(set: &ResultSet) -> Vec<Column> {
        let mut columns = Vec::with_capacity(10);
        let payloads = set.sweeps_payloads();
        if payloads {
            columns.push(Column::Payload);
        }
        if set.runs.iter().any(|r| r.workload != set.runs[0].workload) {
            columns.push(Column::Workload);
        }
        columns.push(Column::Model);
        let counted = set.runs.iter().any(|r| r.sharing.is_some());
        if counted {
            columns.push(Column::Sharing);
        }
        columns.push(Column::Workers);
        // An experiment that compares schedules (the queue-workers
        // lesson) has rows that differ only by it.
        if set.varies_in_schedule() {
            columns.push(Column::Schedule);
        }
        if counted {
            columns.push(Column::LostUpdates);
        }
        columns.extend([Column::Wall, Column::Speedup, Column::Efficiency]);
        // A payload sweep is read by its payload; start-up is the same
        // at every one.
        if !payloads {
            columns.push(Column::Spawn);
        }
        if set.runs.iter().any(|r| !r.warnings.is_empty()) {
            columns.push(Column::FlagMarks);
        }
        // A figure no run has (a speedup without a serial baseline) is
        // said once under the table, not in a column of dashes.
        columns.retain(|c| c.names_the_run() || set.runs.iter().any(|r| c.cell(r).text != MISSING));
        columns
    }

    /// The column's header in a terminal's table, where every character
    /// counts: efficiency is `eff.` (the table's footnote says what it
    /// is), the others as [`Column::header`].
    pub fn terminal_header(self) -> &'static str {
        match self {
            Column::Efficiency => "eff.",
            other => other.header(),
        }
    }

    /// The columns a terminal too narrow for all of
    /// [`Column::for_terminal`] drops, first to last: start-up, then
    /// efficiency (the speedup over the workers).
    pub const TERMINAL_SPARE: [Column; 2] = [Column::Spawn, Column::Efficiency];

    /// Whether the column names what a row is (its workload, model,
    /// workers, …) rather than a figure it measured.
    pub fn names_the_run(self) -> bool {
        matches!(
            self,
            Column::Payload
                | Column::Workload
                | Column::Model
                | Column::Sharing
                | Column::Workers
                | Column::Schedule
        )
    }

    /// The column's header: plain words, no arrows (the app's font has
    /// none), and no wider than the terminal table had room for.
    pub fn header(self) -> &'static str {
        match self {
            Column::Payload => "payload",
            Column::Workload => "workload",
            Column::Model => "model",
            Column::Workers => "workers",
            Column::Schedule => "schedule",
            Column::Wall => "wall median",
            Column::WallRange => "min … max",
            Column::WallCi => "wall 95 % CI",
            Column::Speedup => "speedup",
            Column::SpeedupCi => "speedup 95 % CI",
            Column::Efficiency => "efficiency",
            Column::CpuTime => "CPU time",
            Column::Spawn => "spawn",
            Column::IpcToWorkers => "IPC to workers",
            Column::IpcFromWorkers => "IPC from workers",
            Column::Memory => "memory",
            Column::Flags => "flags",
            Column::FlagMarks => "⚠",
            Column::Sharing => "sharing",
            Column::LostUpdates => "lost updates",
        }
    }

    /// How the column's cells line up.
    pub fn align(self) -> Align {
        match self {
            Column::Workload
            | Column::Model
            | Column::Schedule
            | Column::Flags
            | Column::FlagMarks
            | Column::Sharing => Align::Left,
            _ => Align::Right,
        }
    }

    /// The cell of `run` in this column.
    pub fn cell(self, run: &RunRecord) -> Cell {
        let text = match self {
            Column::Payload => format::bytes(run.payload_bytes),
            Column::Workload => run.workload.name().to_string(),
            Column::Model => run.model.to_string(),
            // An async model's workers are tasks in flight, not threads.
            Column::Workers if run.model.workers_are_tasks() => {
                format!("{} in flight", run.workers)
            }
            Column::Workers => run.workers.to_string(),
            Column::Schedule if run.model.uses_workers() => run.schedule.name().to_string(),
            Column::Schedule => MISSING.to_string(),
            Column::Wall => format::seconds(run.wall_seconds.median),
            Column::WallRange => format!(
                "{} … {}",
                format::seconds(run.wall_seconds.min),
                format::seconds(run.wall_seconds.max)
            ),
            Column::WallCi => run.wall_ci.map_or(MISSING.to_string(), |ci| {
                format!("{} … {}", format::seconds(ci.low), format::seconds(ci.high))
            }),
            Column::Speedup => run.speedup.map_or(MISSING.to_string(), format::speedup),
            Column::SpeedupCi => run.speedup_ci.map_or(MISSING.to_string(), |ci| {
                format!("{} … {}", format::speedup(ci.low), format::speedup(ci.high))
            }),
            Column::Efficiency => run
                .efficiency
                .map_or(MISSING.to_string(), format::efficiency),
            Column::CpuTime => format::seconds(run.cpu_seconds.median),
            Column::Spawn if run.model.uses_workers() && run.spawn_seconds > 0.0 => {
                format::seconds(run.spawn_seconds)
            }
            Column::Spawn => MISSING.to_string(),
            Column::IpcToWorkers => format::bytes(run.ipc.bytes_to_workers),
            Column::IpcFromWorkers => format::bytes(run.ipc.bytes_from_workers),
            Column::Memory => format::bytes(run.memory.total_rss_bytes),
            Column::Flags if run.warnings.is_empty() => String::new(),
            Column::Flags => {
                let mut names: Vec<&str> = Vec::new();
                for w in &run.warnings {
                    let name = crate::noise::short_name(&w.code);
                    if !names.contains(&name) {
                        names.push(name);
                    }
                }
                format!("⚠ {}", names.join(", "))
            }
            Column::FlagMarks => {
                let mut marks: Vec<&str> = Vec::new();
                for w in &run.warnings {
                    let mark = flag_mark(&w.code);
                    if !marks.contains(&mark) {
                        marks.push(mark);
                    }
                }
                // In one order in every row, so that a column of them reads.
                marks.sort_by_key(|m| FLAG_MARKS.find(m).unwrap_or(usize::MAX));
                marks.concat()
            }
            Column::Sharing => run.sharing.map_or(MISSING.to_string(), |s| s.to_string()),
            Column::LostUpdates => match (run.lost_updates, run.expected_total) {
                (Some(0), _) => "0".to_string(),
                (Some(lost), Some(expected)) => format!(
                    "{} ({})",
                    format::count(lost),
                    format::share(lost, expected)
                ),
                _ => MISSING.to_string(),
            },
        };
        Cell {
            text,
            note: self.note(run),
        }
    }

    /// What hovering the cell of `run` tells, where there is more to say.
    fn note(self, run: &RunRecord) -> Option<String> {
        match self {
            Column::Workers if run.model.workers_are_tasks() => {
                let threads = run.runtime_threads.unwrap_or(1);
                Some(format!(
                    "{} tasks in flight on {}",
                    run.workers,
                    if threads <= 1 {
                        "one runtime thread (current-thread)".to_string()
                    } else {
                        format!("{threads} runtime threads")
                    }
                ))
            }
            Column::Efficiency => analysis::karp_flatt_of(run).map(|e| {
                format!("Karp–Flatt e = {e:.3}: the serial fraction this run's speedup implies")
            }),
            Column::Memory => {
                let m = &run.memory;
                let workers = if m.worker_rss_bytes.is_empty() {
                    "none (threads share the process)".to_string()
                } else {
                    m.worker_rss_bytes
                        .iter()
                        .map(|&b| format::bytes(b))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                Some(format!(
                    "corescope {}; workers {workers}",
                    format::bytes(m.parent_rss_bytes)
                ))
            }
            Column::Flags | Column::FlagMarks if !run.warnings.is_empty() => Some(
                run.warnings
                    .iter()
                    .map(|w| format!("{} — {}", w.message, w.remedy))
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
            Column::LostUpdates => {
                let (expected, total, counted) = (run.expected_total?, run.total?, run.counted_in?);
                Some(format!(
                    "expected {}, the main process got {}: counted in {}",
                    format::count(expected),
                    format::count(total),
                    counted.describe()
                ))
            }
            _ => None,
        }
    }

    /// Orders two runs by this column's value (runs without a speedup or
    /// efficiency count as 0; both IPC columns by the bytes of both ways;
    /// both wall columns by the median).
    pub fn compare(self, a: &RunRecord, b: &RunRecord) -> Ordering {
        let ipc = |r: &RunRecord| r.ipc.bytes_to_workers + r.ipc.bytes_from_workers;
        match self {
            Column::Payload => a.payload_bytes.cmp(&b.payload_bytes),
            Column::Workload => a.workload.name().cmp(b.workload.name()),
            Column::Model => a.model.cmp(&b.model),
            Column::Workers => a.workers.cmp(&b.workers),
            Column::Schedule => a.schedule.name().cmp(b.schedule.name()),
            Column::Wall | Column::WallRange | Column::WallCi => {
                a.wall_seconds.median.total_cmp(&b.wall_seconds.median)
            }
            Column::Speedup | Column::SpeedupCi => a
                .speedup
                .unwrap_or(0.0)
                .total_cmp(&b.speedup.unwrap_or(0.0)),
            Column::Efficiency => a
                .efficiency
                .unwrap_or(0.0)
                .total_cmp(&b.efficiency.unwrap_or(0.0)),
            Column::CpuTime => a.cpu_seconds.median.total_cmp(&b.cpu_seconds.median),
            Column::Spawn => a.spawn_seconds.total_cmp(&b.spawn_seconds),
            Column::IpcToWorkers | Column::IpcFromWorkers => ipc(a).cmp(&ipc(b)),
            Column::Memory => a.memory.total_rss_bytes.cmp(&b.memory.total_rss_bytes),
            Column::Flags | Column::FlagMarks => a.warnings.len().cmp(&b.warnings.len()),
            Column::Sharing => a.sharing.cmp(&b.sharing),
            Column::LostUpdates => a.lost_updates.cmp(&b.lost_updates),
        }
    }
}

/// The flags' marks in the order a cell lists them: the machine first,
/// then the run's own figures, then its baseline.
const FLAG_MARKS: &str = "BSCEF?";

/// A flag's mark in a narrow table: one letter per kind of flag, the
/// same in every table and line that shows it, named under the table
/// ([`flag_kinds`]).
pub fn flag_mark(code: &str) -> &'static str {
    use crate::noise::code;
    match code {
        code::BUSY_MACHINE | code::BUSY_BEFORE | code::BUSY_DURING => "B",
        code::EFFICIENCY_OVER_100 => "E",
        code::SPEEDUP_OVER_CORES => "C",
        code::WIDE_SPREAD => "S",
        code::BASELINE_FLAGGED => "F",
        _ => "?",
    }
}

/// The kinds of flag in `set`, in the order first met, each as its mark,
/// its short name and how many runs have it (the set's own flags, say a
/// busy machine before the first run, count as none). The set-wide
/// summary of flagged runs is not a kind of its own.
pub fn flag_kinds(set: &ResultSet) -> Vec<(&'static str, &str, usize)> {
    let mut kinds: Vec<(&'static str, &str, usize)> = Vec::new();
    let own = set.warnings.iter().map(|w| (w, false));
    let runs = set.runs.iter().flat_map(|r| {
        let mut seen: Vec<&str> = Vec::new();
        r.warnings.iter().filter_map(move |w| {
            let mark = flag_mark(&w.code);
            (!seen.contains(&mark)).then(|| {
                seen.push(mark);
                (w, true)
            })
        })
    });
    for (w, of_a_run) in own.chain(runs) {
        if w.code == crate::noise::code::FLAGGED_RUNS {
            continue;
        }
        let mark = flag_mark(&w.code);
        let count = usize::from(of_a_run);
        match kinds.iter_mut().find(|(m, _, _)| *m == mark) {
            Some((_, _, n)) => *n += count,
            None => kinds.push((mark, crate::noise::short_name(&w.code), count)),
        }
    }
    kinds
}

/// One formatted cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub text: String,
    /// More about the value, for a renderer that can show it on hover.
    pub note: Option<String>,
}

/// One run's cells, in the table's column order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The run's model, for renderers that colour or mark it.
    pub model: Model,
    pub cells: Vec<Cell>,
}

impl Row {
    /// The cells of `run` in `columns`. A renderer that draws only the
    /// rows in view (the app's) builds just those.
    pub fn of(columns: &[Column], run: &RunRecord) -> Row {
        Row {
            model: run.model,
            cells: columns.iter().map(|c| c.cell(run)).collect(),
        }
    }
}

/// A table of runs: columns × rows of formatted cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultsTable {
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
}

impl ResultsTable {
    /// A row per run, in the order given.
    pub fn build<'a>(
        columns: Vec<Column>,
        runs: impl IntoIterator<Item = &'a RunRecord>,
    ) -> ResultsTable {
        let rows = runs.into_iter().map(|r| Row::of(&columns, r)).collect();
        ResultsTable { columns, rows }
    }

    /// The table of one result set, a row per run in measuring order.
    pub fn of_set(set: &ResultSet) -> ResultsTable {
        ResultsTable::build(Column::for_set(set), &set.runs)
    }

    /// [`ResultsTable::of_set`] with only the columns a terminal has room
    /// for ([`Column::for_terminal`]).
    pub fn for_terminal(set: &ResultSet) -> ResultsTable {
        ResultsTable::build(Column::for_terminal(set), &set.runs)
    }

    /// The headers, in column order.
    pub fn headers(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.columns.iter().map(|c| c.header())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::testing::record;
    use crate::results::{MachineInfo, ResultSet};

    /// serial at 1 s, processes at 2 and 4 workers (0.5 s, 0.3 s); 4 KiB of payload on
    /// the last when `payload`.
    fn set(payload: bool) -> ResultSet {
        let mut set = ResultSet::new(MachineInfo::detect());
        set.runs.push(record(Model::Serial, 1, 1.0));
        let mut two = record(Model::Processes, 2, 0.5);
        two.spawn_seconds = 0.0123;
        two.ipc.bytes_to_workers = 2048;
        two.memory.parent_rss_bytes = 1024 * 1024;
        two.memory.worker_rss_bytes = vec![2 * 1024 * 1024, 3 * 1024 * 1024];
        two.memory.total_rss_bytes = 6 * 1024 * 1024;
        set.runs.push(two);
        let mut four = record(Model::Processes, 4, 0.3);
        if payload {
            four.payload_bytes = 4096;
        }
        set.runs.push(four);
        crate::analysis::fill_speedups(&mut set);
        set
    }

    #[test]
    fn a_terminal_table_shows_the_schedule_only_where_it_varies() {
        let mut set = set(false);
        assert!(!Column::for_terminal(&set).contains(&Column::Schedule));
        let mut queue = record(Model::Processes, 2, 0.4);
        queue.schedule = crate::spec::Schedule::Queue;
        set.runs[1].schedule = crate::spec::Schedule::Static;
        set.runs.push(queue);
        let table = ResultsTable::for_terminal(&set);
        assert_eq!(
            texts(&table, Column::Schedule),
            ["—", "static", "queue", "queue"]
        );
    }

    fn texts(table: &ResultsTable, column: Column) -> Vec<String> {
        let i = table.columns.iter().position(|&c| c == column).unwrap();
        table.rows.iter().map(|r| r.cells[i].text.clone()).collect()
    }

    #[test]
    fn a_set_gets_one_row_per_run_with_every_value_formatted_once() {
        let table = ResultsTable::of_set(&set(false));
        assert_eq!(
            table.headers().collect::<Vec<_>>(),
            [
                "model",
                "workers",
                "wall median",
                "min … max",
                "wall 95 % CI",
                "speedup",
                "speedup 95 % CI",
                "efficiency",
                "CPU time",
                "spawn",
                "IPC to workers",
                "IPC from workers",
                "memory",
            ]
        );
        assert_eq!(table.rows.len(), 3);
        assert!(table.rows.iter().all(|r| r.cells.len() == 13));
        assert_eq!(
            table.rows.iter().map(|r| r.model).collect::<Vec<_>>(),
            [Model::Serial, Model::Processes, Model::Processes]
        );
        assert_eq!(texts(&table, Column::Speedup), ["1.00×", "2.00×", "3.33×"]);
        assert_eq!(
            texts(&table, Column::Efficiency),
            ["100 %", "100 %", "83 %"]
        );
        assert_eq!(texts(&table, Column::Wall), ["1.00 s", "500 ms", "300 ms"]);
        assert_eq!(texts(&table, Column::WallRange)[1], "450 ms … 550 ms");
        // Serial has no pool; a pool that took no measurable time shows none.
        assert_eq!(texts(&table, Column::Spawn), [MISSING, "12.3 ms", MISSING]);
        assert_eq!(texts(&table, Column::IpcToWorkers)[1], "2.00 KiB");
    }

    #[test]
    fn without_a_serial_run_speedup_and_efficiency_are_missing() {
        let mut set = set(false);
        set.runs.remove(0);
        crate::analysis::fill_speedups(&mut set);
        let table = ResultsTable::of_set(&set);
        assert_eq!(texts(&table, Column::Speedup), [MISSING, MISSING]);
        assert_eq!(texts(&table, Column::Efficiency), [MISSING, MISSING]);
        let efficiency = table.columns.iter().position(|&c| c == Column::Efficiency);
        assert!(table.rows[0].cells[efficiency.unwrap()].note.is_none());
    }

    #[test]
    fn a_payload_column_comes_first_when_a_run_carried_one() {
        assert_eq!(Column::for_set(&set(false))[0], Column::Model);
        let table = ResultsTable::of_set(&set(true));
        assert_eq!(table.columns[0], Column::Payload);
        assert_eq!(texts(&table, Column::Payload), ["0 B", "0 B", "4.00 KiB"]);
    }

    #[test]
    fn notes_carry_karp_flatt_and_the_memory_split() {
        let set = set(false);
        let efficiency = Column::Efficiency.cell(&set.runs[2]);
        let e = analysis::karp_flatt_of(&set.runs[2]).unwrap();
        assert_eq!(
            efficiency.note.unwrap(),
            format!("Karp–Flatt e = {e:.3}: the serial fraction this run's speedup implies")
        );
        assert_eq!(
            Column::Memory.cell(&set.runs[1]).note.unwrap(),
            "corescope 1.00 MiB; workers 2.00 MiB, 3.00 MiB"
        );
        assert_eq!(
            Column::Memory.cell(&set.runs[0]).note.unwrap(),
            "corescope 0 B; workers none (threads share the process)"
        );
        assert!(Column::Speedup.cell(&set.runs[1]).note.is_none());
    }

    #[test]
    fn intervals_and_flags_have_their_cells() {
        let mut set = set(false);
        set.runs[1].wall_ci = Some(crate::results::Interval {
            low: 0.48,
            high: 0.52,
        });
        set.runs[1].speedup_ci = Some(crate::results::Interval {
            low: 1.9,
            high: 2.1,
        });
        assert!(!Column::for_set(&set).contains(&Column::Flags));
        set.runs[2].warnings = vec![crate::results::Warning {
            code: crate::noise::code::WIDE_SPREAD.to_string(),
            message: "it spread".to_string(),
            remedy: "more repeats".to_string(),
        }];
        let table = ResultsTable::of_set(&set);
        assert_eq!(table.columns.last(), Some(&Column::Flags));
        assert_eq!(
            texts(&table, Column::WallCi),
            [MISSING, "480 ms … 520 ms", MISSING]
        );
        assert_eq!(texts(&table, Column::SpeedupCi)[1], "1.90× … 2.10×");
        assert_eq!(texts(&table, Column::Flags), ["", "", "⚠ wide spread"]);
        let note = Column::Flags.cell(&set.runs[2]).note.unwrap();
        assert_eq!(note, "it spread — more repeats");
    }

    #[test]
    fn names_align_left_and_numbers_right() {
        for column in Column::STORED {
            let left = matches!(
                column,
                Column::Workload
                    | Column::Model
                    | Column::Schedule
                    | Column::Flags
                    | Column::Sharing
            );
            assert_eq!(column.align() == Align::Left, left, "{column:?}");
        }
    }

    #[test]
    fn columns_order_runs_by_their_value() {
        let set = set(false);
        let (serial, two, four) = (&set.runs[0], &set.runs[1], &set.runs[2]);
        assert_eq!(Column::Wall.compare(serial, two), Ordering::Greater);
        assert_eq!(Column::WallRange.compare(four, two), Ordering::Less);
        assert_eq!(Column::Speedup.compare(two, four), Ordering::Less);
        assert_eq!(Column::Workers.compare(four, two), Ordering::Greater);
        assert_eq!(Column::Model.compare(serial, two), Ordering::Less);
        // Both IPC columns order by the bytes of both ways.
        assert_eq!(Column::IpcFromWorkers.compare(two, four), Ordering::Greater);
        let mut none = four.clone();
        none.speedup = None;
        assert_eq!(Column::Speedup.compare(&none, four), Ordering::Less);
    }

    #[test]
    fn the_app_s_row_of_a_run_reads_every_stored_column() {
        // The app formats only the rows in view, one by one: each must read
        // what its run holds, in the stored columns' order.
        let set = set(true);
        let text = |run| -> Vec<String> {
            Row::of(&Column::STORED, run)
                .cells
                .into_iter()
                .map(|c| c.text)
                .collect()
        };
        assert_eq!(
            text(&set.runs[1]),
            [
                "sqrt-sum",
                "0 B",
                "processes",
                MISSING,
                "2",
                MISSING,
                "queue",
                "500 ms",
                "450 ms … 550 ms",
                MISSING,
                "2.00×",
                MISSING,
                "100 %",
                "2.00 KiB",
                "0 B",
                "6.00 MiB",
                "",
            ]
        );
        // Its payload sets it apart from the serial run (which carried
        // none): no speedup against it.
        let four = text(&set.runs[2]);
        assert_eq!(
            [&four[1], &four[4], &four[7], &four[10], &four[12]],
            ["4.00 KiB", "4", "300 ms", MISSING, MISSING]
        );
    }
}
