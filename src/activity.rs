//! What happened inside one run, described once as data: the task timeline
//! (one lane per worker, one bar per task and phase, gil-threads' lock
//! holds), per-core CPU usage over time and the memory of each process over
//! time. The window draws it with egui_plot (`gui/timeline.rs`,
//! `gui/live.rs`), export draws it with plotters (`export/activity.rs`) and
//! writes the timeline as a Chrome trace (`export/trace.rs`), so lanes,
//! phases, colours and names agree everywhere.

use crate::analysis::Phase;
use crate::chart::{self, Rgb, Unit};
use crate::format;
use crate::model::{Model, Naming};
use crate::results::{CpuSample, MemorySample, RunRecord, SpanRecord};

/// What a bar of the timeline shows: a phase of a task, named and split as
/// the overhead breakdown splits worker time ([`crate::analysis::overhead`]), or a
/// gil-threads thread holding the lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mark {
    Task(Phase),
    GilHeld,
}

impl Mark {
    /// Every mark a timeline draws, in legend order.
    pub const ALL: [Mark; 5] = [
        Mark::Task(Phase::Compute),
        Mark::Task(Phase::StartUp),
        Mark::Task(Phase::Serialization),
        Mark::Task(Phase::Transfer),
        Mark::GilHeld,
    ];

    /// Its name in legends, hovers and traces.
    pub fn label(self) -> &'static str {
        match self {
            Mark::Task(phase) => phase.name(),
            Mark::GilHeld => "GIL held",
        }
    }

    /// Its colour: a phase's as in the time breakdown
    /// ([`chart::phase_color`]); the lock in the foreground colour, a thin
    /// strip over the bars.
    pub fn color(self, model: Model, dark: bool) -> Rgb {
        match self {
            Mark::Task(phase) => chart::phase_color(phase, model, dark),
            Mark::GilHeld => total_color(dark),
        }
    }
}

/// One bar of the timeline: a worker in one phase of one task, or
/// computing a group of consecutive tasks timed as one span.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TaskBar {
    /// The lane: the worker (or process-per-task slot).
    pub lane: u32,
    /// The (first) task.
    pub task: u32,
    /// Tasks it covers: 1, or a group's (`tasks 120–183`).
    pub tasks: u32,
    /// The last task it covers (`task` for one).
    pub last_task: u32,
    pub mark: Mark,
    /// Seconds from the start of the repetition shown.
    pub start: f64,
    pub end: f64,
}

impl TaskBar {
    pub fn duration(&self) -> f64 {
        (self.end - self.start).max(0.0)
    }

    /// The hover text: lane, task, phase, start, end and duration.
    pub fn describe(&self, timeline: &Timeline) -> String {
        let lane = timeline
            .lanes
            .get(self.lane as usize)
            .cloned()
            .unwrap_or_else(|| format!("worker {}", self.lane));
        let what = if self.mark == Mark::GilHeld {
            "GIL held".to_string()
        } else {
            format!(
                "{} · {}",
                crate::results::tasks_label(self.task, self.tasks, self.last_task),
                self.mark.label()
            )
        };
        format!(
            "{lane} · {what}\nstart {}\nend {}\nduration {}",
            format::seconds(self.start),
            format::seconds(self.end),
            format::seconds(self.duration())
        )
    }
}

/// A bar as drawn: one task's, or a stretch of tasks too short to draw
/// apart at the current zoom, drawn as one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DrawnBar {
    /// The bar; for a stretch, from its first task's start to its last
    /// task's end.
    pub bar: TaskBar,
    /// How many bars it joins (1: a bar alone).
    pub joined: u32,
    /// How many tasks it covers.
    pub tasks: u32,
}

impl DrawnBar {
    /// The hover text: the task's, or what the stretch covers.
    pub fn describe(&self, timeline: &Timeline) -> String {
        if self.joined == 1 {
            return self.bar.describe(timeline);
        }
        let lane = timeline
            .lanes
            .get(self.bar.lane as usize)
            .cloned()
            .unwrap_or_else(|| format!("worker {}", self.bar.lane));
        format!(
            "{lane} · {} tasks · {}\nstart {}\nend {}\ntoo short to draw apart here: zoom in",
            self.tasks,
            self.bar.mark.label(),
            format::seconds(self.bar.start),
            format::seconds(self.bar.end),
        )
    }
}

/// The bars of `mark` as drawn at `resolution` seconds to a pixel. Bars
/// narrower than a pixel that follow each other on a lane less than a
/// pixel apart become one stretch: a lane of 100,000 tiny tasks then shows
/// busy, where each bar alone would be thinner than the hairline that
/// keeps tasks apart (and the lane looked empty).
pub fn drawn_bars(bars: &[TaskBar], mark: Mark, resolution: f64) -> Vec<DrawnBar> {
    let mut picked: Vec<&TaskBar> = bars.iter().filter(|b| b.mark == mark).collect();
    let in_order =
        |a: &&TaskBar, b: &&TaskBar| a.lane.cmp(&b.lane).then(a.start.total_cmp(&b.start));
    if !picked.is_sorted_by(|a, b| in_order(a, b).is_le()) {
        picked.sort_by(in_order);
    }
    let mut drawn: Vec<DrawnBar> = Vec::new();
    for bar in picked {
        if let Some(last) = drawn.last_mut() {
            let tiny = |b: &TaskBar| b.duration() < resolution;
            let joins = last.bar.lane == bar.lane
                && tiny(bar)
                && (last.joined > 1 || tiny(&last.bar))
                && bar.start - last.bar.end < resolution;
            if joins {
                last.bar.end = last.bar.end.max(bar.end);
                last.joined += 1;
                last.tasks += bar.tasks;
                continue;
            }
        }
        drawn.push(DrawnBar {
            bar: *bar,
            joined: 1,
            tasks: bar.tasks,
        });
    }
    drawn
}

/// The timeline of a run's median repetition.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    pub title: String,
    pub model: Model,
    /// Lane names, by lane index.
    pub lanes: Vec<String>,
    /// Every task's bars, phase by phase.
    pub bars: Vec<TaskBar>,
    /// gil-threads: when each thread held the lock.
    pub holds: Vec<TaskBar>,
    /// The wall time of the repetition shown (its end on the time axis).
    pub wall_seconds: Option<f64>,
}

impl Timeline {
    /// The latest end of any bar, or the wall time if later.
    pub fn end(&self) -> f64 {
        self.bars
            .iter()
            .chain(&self.holds)
            .map(|b| b.end)
            .chain(self.wall_seconds)
            .fold(0.0, f64::max)
    }

    /// The marks that occur, in legend order.
    pub fn marks(&self) -> Vec<Mark> {
        Mark::ALL
            .into_iter()
            .filter(|m| self.bars.iter().chain(&self.holds).any(|b| b.mark == *m))
            .collect()
    }
}

/// A lane's name: what the worker is to the operating system.
pub fn lane_name(model: Model, lane: u32) -> String {
    Naming::fill(model.info().naming.lane, model, lane)
}

/// The wall time of the repetition whose spans are kept (the median one).
pub fn shown_wall(run: &RunRecord) -> Option<f64> {
    let walls: Vec<f64> = run.repetitions.iter().map(|r| r.wall_seconds).collect();
    crate::measure::stats::median_index(&walls).and_then(|i| walls.get(i).copied())
}

/// A run's title on its own charts: `processes ×2 · 32 × sqrt-sum`.
pub fn run_title(run: &RunRecord) -> String {
    let mut title = format!("{} · {} × {}", run.label(), run.tasks, run.workload);
    if run.payload_bytes > 0 {
        title.push_str(&format!(" · payload {}", format::bytes(run.payload_bytes)));
    }
    if run.model.uses_workers() {
        title.push_str(&format!(" · {} schedule", run.schedule));
    }
    title
}

/// The timeline of `run`'s median repetition: each task's compute from
/// its stamped start and end and, for worker processes, the IPC phases
/// around it (start-up, serialization, transfer; see [`task_bars`]).
pub fn timeline(run: &RunRecord) -> Timeline {
    let lanes = run
        .spans
        .iter()
        .chain(&run.gil_holds)
        .map(|s| s.worker + 1)
        .max()
        .unwrap_or(0)
        .max(if run.model.uses_workers() {
            run.workers
        } else {
            1
        });
    let mut bars = Vec::with_capacity(run.spans.len());
    for lane in 0..lanes {
        let mut spans: Vec<&SpanRecord> = run.spans.iter().filter(|s| s.worker == lane).collect();
        spans.sort_by(|a, b| a.start_seconds.total_cmp(&b.start_seconds));
        for (i, span) in spans.iter().enumerate() {
            let next = spans.get(i + 1).map(|n| first_instant(n));
            bars.extend(task_bars(span, next));
        }
    }
    let holds = run
        .gil_holds
        .iter()
        .map(|h| TaskBar {
            lane: h.worker,
            task: h.task,
            tasks: 1,
            last_task: h.task,
            mark: Mark::GilHeld,
            start: h.start_seconds,
            end: h.end_seconds,
        })
        .collect();
    Timeline {
        title: format!("Timeline — {}", run_title(run)),
        model: run.model,
        lanes: (0..lanes).map(|l| lane_name(run.model, l)).collect(),
        bars,
        holds,
        wall_seconds: shown_wall(run),
    }
}

/// When a task first occupies its worker: its process's start, the arrival
/// of its frame, or its compute.
fn first_instant(span: &SpanRecord) -> f64 {
    span.ipc
        .as_deref()
        .map_or(span.start_seconds, |ipc| {
            ipc.spawned_seconds.unwrap_or(ipc.received_seconds)
        })
        .min(span.start_seconds)
}

/// One task's bars on its worker's lane, in time order: start-up (its own
/// process starting), transfer (the task's body arriving), serialization
/// (decoding it), compute, serialization (encoding the result), transfer
/// (the result's body reaching the parent). The intervals are those of
/// [`crate::analysis::overhead`]. With tasks queued ahead (`--in-flight`), the
/// worker takes its next task while the parent still reads this result:
/// this task's bars stop where the next task's begin, so a lane never
/// shows two things at once.
pub fn task_bars(span: &SpanRecord, next_start: Option<f64>) -> Vec<TaskBar> {
    let limit = next_start.unwrap_or(f64::INFINITY);
    let bar = |mark: Phase, start: f64, end: f64| TaskBar {
        lane: span.worker,
        task: span.task,
        tasks: span.tasks,
        last_task: span.last_task(),
        mark: Mark::Task(mark),
        start,
        end: end.min(limit),
    };
    let compute = bar(Phase::Compute, span.start_seconds, span.end_seconds);
    let Some(ipc) = span.ipc.as_deref() else {
        return vec![compute];
    };
    let mut bars = Vec::with_capacity(6);
    if let Some(spawned) = ipc.spawned_seconds {
        bars.push(bar(Phase::StartUp, spawned, ipc.received_seconds));
    }
    bars.push(bar(Phase::Transfer, ipc.received_seconds, ipc.read_seconds));
    bars.push(bar(
        Phase::Serialization,
        ipc.read_seconds,
        span.start_seconds,
    ));
    bars.push(compute);
    bars.push(bar(
        Phase::Serialization,
        span.end_seconds,
        ipc.reply_seconds,
    ));
    bars.push(bar(Phase::Transfer, ipc.reply_seconds, ipc.replied_seconds));
    bars.retain(|b| b.end > b.start);
    bars
}

/// One line over time.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeSeries {
    pub name: String,
    pub color: Rgb,
    /// Drawn thicker: the line that sums the others.
    pub emphasis: bool,
    /// (seconds, value) in time order.
    pub points: Vec<(f64, f64)>,
}

/// A chart of values over time: per-core CPU or memory.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeChart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub unit: Unit,
    pub series: Vec<TimeSeries>,
    /// A fixed top of the y axis (100 % for CPU).
    pub y_max: Option<f64>,
    /// The median repetition's time range, shaded: the one the timeline
    /// shows.
    pub highlight: Option<(f64, f64)>,
    /// Each series in a band of its own, 0 to `y_max`, the first on top
    /// (one row per core): lines of busy cores would all lie on 100 %.
    pub banded: bool,
}

/// The space between two bands, as a share of a band's height.
pub const BAND_GAP: f64 = 0.3;

impl TimeChart {
    pub fn is_empty(&self) -> bool {
        self.series.iter().all(|s| s.points.is_empty())
    }

    /// Where band `index`'s zero lies on the y axis, in band heights.
    pub fn band_base(&self, index: usize) -> f64 {
        self.series.len().saturating_sub(index + 1) as f64 * (1.0 + BAND_GAP)
    }

    /// The height of the y axis when banded.
    pub fn bands_top(&self) -> f64 {
        self.band_base(0) + 1.0
    }

    /// A value of series `index` on the banded y axis.
    pub fn band_y(&self, index: usize, value: f64) -> f64 {
        self.band_base(index) + value / self.y_max.unwrap_or(1.0).max(f64::MIN_POSITIVE)
    }

    /// The series and value at a banded `y`, if it lies in a band.
    pub fn band_at(&self, y: f64) -> Option<(usize, f64)> {
        (0..self.series.len()).find_map(|i| {
            let base = self.band_base(i);
            (base..=base + 1.0)
                .contains(&y)
                .then(|| (i, (y - base) * self.y_max.unwrap_or(1.0)))
        })
    }
}

pub use crate::chart::theme::core_color;

/// The colour of totals: the theme's foreground, so it reads as "all".
pub fn total_color(dark: bool) -> Rgb {
    crate::chart::theme::foreground(dark)
}

/// The name of the CPU chart's row for the run's own processes.
pub const OWN_CPU_ROW: &str = "corescope + workers";

/// Per-core CPU usage over time: one row per logical core and, where the
/// samples say, a last row for what corescope and its worker processes
/// used of the whole machine (on a busy machine, the rest is other load).
pub fn cpu_chart(samples: &[CpuSample], title: &str, dark: bool) -> TimeChart {
    let cores = samples.iter().map(|s| s.per_core.len()).max().unwrap_or(0);
    let mut series: Vec<TimeSeries> = (0..cores)
        .map(|core| TimeSeries {
            name: format!("core {core}"),
            color: core_color(core, dark),
            emphasis: false,
            points: samples
                .iter()
                .filter_map(|s| s.per_core.get(core).map(|&u| (s.t_seconds, f64::from(u))))
                .collect(),
        })
        .collect();
    if cores > 0 && samples.iter().any(|s| s.corescope_percent > 0.0) {
        series.push(TimeSeries {
            name: OWN_CPU_ROW.to_string(),
            color: total_color(dark),
            emphasis: true,
            points: samples
                .iter()
                .map(|s| {
                    let share = f64::from(s.corescope_percent) / cores as f64;
                    (s.t_seconds, share.clamp(0.0, 100.0))
                })
                .collect(),
        });
    }
    TimeChart {
        title: format!("CPU per core — {title}"),
        x_label: "time since the run started".to_string(),
        y_label: "usage, each row 0–100 %".to_string(),
        unit: Unit::Percent,
        series,
        y_max: Some(100.0),
        highlight: None,
        banded: true,
    }
}

/// Resident memory over time: the corescope process, each worker process
/// and their total.
pub fn memory_chart(samples: &[MemorySample], title: &str, dark: bool) -> TimeChart {
    let workers = samples
        .iter()
        .map(|s| s.worker_rss_bytes.len())
        .max()
        .unwrap_or(0);
    let line = |name: String, color: Rgb, emphasis: bool, value: &dyn Fn(&MemorySample) -> u64| {
        TimeSeries {
            name,
            color,
            emphasis,
            points: samples
                .iter()
                .map(|s| (s.t_seconds, value(s) as f64))
                .collect(),
        }
    };
    let mut series = vec![line(
        chart::HOST_MEMORY.to_string(),
        chart::theme::host_color(dark),
        workers == 0,
        &|s| s.parent_rss_bytes,
    )];
    for w in 0..workers {
        series.push(line(
            format!("worker process {w}"),
            core_color(w, dark),
            false,
            &move |s| s.worker_rss_bytes.get(w).copied().unwrap_or(0),
        ));
    }
    if workers > 0 {
        series.push(line("total".to_string(), total_color(dark), true, &|s| {
            s.total_rss_bytes
        }));
    }
    TimeChart {
        title: format!("Memory (RSS) — {title}"),
        x_label: "time since the run started".to_string(),
        y_label: "resident memory".to_string(),
        unit: Unit::Bytes,
        series,
        y_max: None,
        highlight: None,
        banded: false,
    }
}

/// The time axis of a finished run's charts: stored samples and spans are
/// timed from the start of its median repetition.
pub const RUN_TIME_LABEL: &str = "time from the start of the median repetition";

/// The time axis of a finished run's CPU and memory charts, which shade the
/// median repetition.
pub const RUN_SAMPLES_LABEL: &str = "time from the start of the median repetition (shaded)";

/// The per-core CPU chart of a finished run, its median repetition shaded.
pub fn run_cpu_chart(run: &RunRecord, dark: bool) -> TimeChart {
    TimeChart {
        highlight: shown_wall(run).map(|wall| (0.0, wall)),
        x_label: RUN_SAMPLES_LABEL.to_string(),
        ..cpu_chart(&run.cpu_samples, &run_title(run), dark)
    }
}

/// The memory chart of a finished run, its median repetition shaded.
pub fn run_memory_chart(run: &RunRecord, dark: bool) -> TimeChart {
    TimeChart {
        highlight: shown_wall(run).map(|wall| (0.0, wall)),
        x_label: RUN_SAMPLES_LABEL.to_string(),
        ..memory_chart(&run.memory_samples, &run_title(run), dark)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_of_tasks_is_one_bar_that_names_its_tasks() {
        let mut run = crate::results::testing::record(Model::Threads, 1, 1.0);
        run.spans = vec![crate::results::testing::group(0, 120, 64, 0.0, 0.4)];
        let timeline = timeline(&run);
        assert_eq!(timeline.bars.len(), 1);
        let text = timeline.bars[0].describe(&timeline);
        assert!(text.contains("tasks 120\u{2013}183 · compute"), "{text}");
        let drawn = drawn_bars(&timeline.bars, Mark::Task(Phase::Compute), 1.0);
        assert_eq!((drawn[0].joined, drawn[0].tasks), (1, 64));
    }

    #[test]
    fn tiny_bars_draw_as_one_stretch_and_wide_ones_alone() {
        let bar = |lane: u32, task: u32, start: f64, end: f64| TaskBar {
            lane,
            task,
            tasks: 1,
            last_task: task,
            mark: Mark::Task(Phase::Compute),
            start,
            end,
        };
        // Lane 0: a wide task, then three tiny ones back to back, then a
        // gap of many pixels and another tiny one; lane 1: two tiny ones.
        let bars = [
            bar(0, 0, 0.0, 1.0),
            bar(0, 1, 1.0, 1.001),
            bar(0, 2, 1.0015, 1.0025),
            bar(0, 3, 1.003, 1.004),
            bar(0, 4, 2.0, 2.001),
            bar(1, 5, 0.0, 0.001),
            bar(1, 6, 0.001, 0.002),
        ];
        let drawn = drawn_bars(&bars, Mark::Task(Phase::Compute), 0.01);
        let shape: Vec<(u32, u32, f64, f64)> = drawn
            .iter()
            .map(|d| (d.bar.lane, d.tasks, d.bar.start, d.bar.end))
            .collect();
        assert_eq!(
            shape,
            [
                (0, 1, 0.0, 1.0),
                (0, 3, 1.0, 1.004),
                (0, 1, 2.0, 2.001),
                (1, 2, 0.0, 0.002),
            ]
        );
        // Zoomed in far enough, every task is its own bar again.
        assert_eq!(drawn_bars(&bars, Mark::Task(Phase::Compute), 1e-5).len(), 7);
    }
    use crate::results::testing::{record, span};

    #[test]
    fn a_timeline_has_a_lane_per_worker_and_a_bar_per_task() {
        let mut run = record(Model::GilThreads, 3, 1.0);
        run.spans = vec![span(0, 0, 0.0, 0.4), span(1, 1, 0.1, 0.5)];
        run.gil_holds = vec![span(0, 0, 0.0, 0.2), span(1, 1, 0.2, 0.4)];
        let timeline = timeline(&run);
        assert_eq!(timeline.lanes, ["thread 0", "thread 1", "thread 2"]);
        assert_eq!(timeline.bars.len(), 2);
        assert!(
            timeline
                .bars
                .iter()
                .all(|b| b.mark == Mark::Task(Phase::Compute))
        );
        assert_eq!(timeline.holds.len(), 2);
        assert_eq!(
            timeline.marks(),
            [Mark::Task(Phase::Compute), Mark::GilHeld]
        );
        assert_eq!(timeline.end(), 0.5);
        let hover = timeline.bars[1].describe(&timeline);
        assert!(hover.starts_with("thread 1 · task 1 · compute"), "{hover}");
        assert!(hover.contains("duration 400 ms"), "{hover}");
    }

    #[test]
    fn ipc_stamps_become_phases_that_stop_where_the_next_task_begins() {
        let ipc = |spawned: Option<f64>, at: f64| crate::results::SpanIpc {
            spawned_seconds: spawned,
            received_seconds: at,
            read_seconds: at + 0.1,
            reply_seconds: at + 0.6,
            replied_seconds: at + 0.8,
            returned_seconds: at + 0.9,
        };
        let mut first = span(0, 0, 0.2, 0.5);
        first.ipc = Some(Box::new(ipc(None, 0.0)));
        // The worker took its next task at 0.7, while the parent still read
        // the first result (until 0.8).
        let mut second = span(0, 1, 0.9, 1.0);
        second.ipc = Some(Box::new(ipc(None, 0.7)));
        let marks = |bars: &[TaskBar]| -> Vec<(Phase, f64, f64)> {
            bars.iter()
                .map(|b| match b.mark {
                    Mark::Task(p) => (p, b.start, b.end),
                    Mark::GilHeld => unreachable!(),
                })
                .collect()
        };
        let bars = task_bars(&first, Some(first_instant(&second)));
        assert_eq!(
            marks(&bars),
            [
                (Phase::Transfer, 0.0, 0.1),
                (Phase::Serialization, 0.1, 0.2),
                (Phase::Compute, 0.2, 0.5),
                (Phase::Serialization, 0.5, 0.6),
                (Phase::Transfer, 0.6, 0.7),
            ]
        );
        let mut own_process = span(0, 2, 0.5, 0.6);
        own_process.ipc = Some(Box::new(ipc(Some(0.1), 0.3)));
        let bars = task_bars(&own_process, None);
        assert_eq!(bars[0].mark, Mark::Task(Phase::StartUp));
        assert_eq!((bars[0].start, bars[0].end), (0.1, 0.3));
        let mut run = record(Model::Processes, 1, 1.0);
        run.spans = vec![second, first];
        let timeline = timeline(&run);
        assert_eq!(timeline.bars.len(), 10);
        for pair in timeline.bars.windows(2) {
            assert!(pair[0].end <= pair[1].start + 1e-12, "{pair:?}");
        }
    }

    #[test]
    fn charts_over_time_have_a_line_per_core_and_per_process() {
        let cpu = [
            CpuSample {
                t_seconds: -0.1,
                per_core: vec![10.0, 90.0],
                corescope_percent: 0.0,
            },
            CpuSample {
                t_seconds: 0.1,
                per_core: vec![100.0, 0.0],
                corescope_percent: 0.0,
            },
        ];
        let chart = cpu_chart(&cpu, "x", true);
        assert_eq!(chart.series.len(), 2);
        assert_eq!(chart.series[1].points, [(-0.1, 90.0), (0.1, 0.0)]);
        assert_ne!(chart.series[0].color, chart.series[1].color);
        let memory = [MemorySample {
            t_seconds: 0.0,
            parent_rss_bytes: 10,
            worker_rss_bytes: vec![5, 7],
            total_rss_bytes: 22,
        }];
        let chart = memory_chart(&memory, "x", false);
        let names: Vec<&str> = chart.series.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "corescope (all its threads)",
                "worker process 0",
                "worker process 1",
                "total"
            ]
        );
        assert_eq!(chart.series[3].points, [(0.0, 22.0)]);
        assert!(cpu_chart(&[], "x", false).is_empty());
        // With the run's own use known, a last row shows its share.
        let mut own = cpu.to_vec();
        own[1].corescope_percent = 100.0;
        let with_own = cpu_chart(&own, "x", true);
        assert_eq!(with_own.series.len(), 3);
        assert_eq!(with_own.series[2].name, OWN_CPU_ROW);
        assert_eq!(with_own.series[2].points, [(-0.1, 0.0), (0.1, 50.0)]);
        // Two cores, two bands: core 0 on top.
        let cpu = cpu_chart(&cpu, "x", true);
        assert_eq!(cpu.band_base(1), 0.0);
        assert_eq!(cpu.band_y(0, 100.0), cpu.bands_top());
        let (band, value) = cpu.band_at(cpu.band_y(0, 40.0)).unwrap();
        assert!(band == 0 && (value - 40.0).abs() < 1e-9, "{value}");
        assert_eq!(cpu.band_at(0.5), Some((1, 50.0)));
        assert_eq!(cpu.band_at(1.15), None);
    }
}
