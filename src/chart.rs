//! The chart model: each chart described once, as data, from a result set.
//!
//! A [`Chart`] holds its title, axis titles with units, one [`Series`] per
//! model (in that model's colour, with min–max whiskers where they apply)
//! and reference lines (ideal speedup, the physical core count). The GUI
//! draws it with egui_plot; file export can draw the same description, so
//! colours, titles and units cannot drift apart between window and slide.
//!
//! The speedup chart also carries each curve's fitted scaling law as a
//! dashed prediction continued to [`ChartOptions::predict_to`] workers (on a
//! log2 worker axis), and the overhead chart is stacked bars
//! ([`StackedBars`]) rather than lines. The `counter` workload adds two:
//! the share of increments lost, one bar per model and sharing mode, and
//! the core time one increment cost against workers. The memory of every
//! run is bars too, the corescope process and its worker processes stacked.
//! [`overlay`] puts the charts of two result sets on one.
//!
//! Building lives in `build.rs` (axes, predictions), `kinds.rs` (the line
//! charts), `bars.rs` (the bar charts) and `groups.rs` (which runs a series
//! stands for); [`layout`] decides how a chart is drawn, for every renderer.

use crate::analysis::{self, Phase};
use crate::format;
use crate::results::{ResultSet, RunRecord};
use crate::spec::Model;

pub mod activity;
mod axis;
mod bars;
mod build;
mod groups;
mod kinds;
pub mod layout;
mod legend;
pub mod marks;
mod overlay;
mod style;
pub mod theme;

pub use bars::HOST_MEMORY;
pub use build::{MIN_FIT_WORKER_COUNTS, build, build_with};
pub use overlay::{build_compared, overlay};

pub use crate::palette::Rgb;

/// A model's colour on a dark or a light background: the one choice both
/// renderers (window and file) make, read from the model catalogue.
pub fn model_color_on(model: Model, dark: bool) -> Rgb {
    model.color(dark)
}

pub use theme::{REFERENCE_COLOR, phase_color};

/// A phase's name in the time breakdown's legend.
pub fn phase_legend(phase: Phase) -> &'static str {
    match phase {
        Phase::Compute => "compute (in the model's colour)",
        other => other.name(),
    }
}

/// The kinds of chart every result set gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChartKind {
    WallTime,
    Speedup,
    Efficiency,
    IpcBytes,
    /// Stacked bars: where each run's worker time went.
    Overhead,
    /// `counter`: bars of the increments lost, per model and sharing mode.
    LostUpdates,
    /// `counter`: core time per increment against workers.
    IncrementCost,
    /// Stacked bars: the memory of every run, the corescope process and
    /// its worker processes.
    MemoryByRun,
    /// `--command`: tasks finished per second against workers, as
    /// `xargs -P N` would get through them.
    Throughput,
}

impl ChartKind {
    pub const ALL: [ChartKind; 9] = [
        ChartKind::WallTime,
        ChartKind::Speedup,
        ChartKind::Efficiency,
        ChartKind::IpcBytes,
        ChartKind::Overhead,
        ChartKind::LostUpdates,
        ChartKind::IncrementCost,
        ChartKind::MemoryByRun,
        ChartKind::Throughput,
    ];

    /// Whether the chart means anything for these sets: the counter's
    /// charts need a run that counted.
    pub fn shows_in(self, sets: &[&ResultSet]) -> bool {
        match self {
            ChartKind::LostUpdates | ChartKind::IncrementCost => sets
                .iter()
                .any(|set| set.runs.iter().any(|r| r.sharing.is_some())),
            // Only where the number of jobs at once is the question: the
            // other workloads read the same from speedup.
            ChartKind::Throughput => sets
                .iter()
                .any(|set| set.runs.iter().any(|r| r.command.is_some())),
            _ => true,
        }
    }

    /// A short name for files and menus, e.g. `speedup`.
    pub fn slug(self) -> &'static str {
        match self {
            ChartKind::WallTime => "wall-time",
            ChartKind::Speedup => "speedup",
            ChartKind::Efficiency => "efficiency",
            ChartKind::IpcBytes => "ipc-bytes",
            ChartKind::Overhead => "overhead",
            ChartKind::LostUpdates => "lost-updates",
            ChartKind::IncrementCost => "increment-cost",
            ChartKind::MemoryByRun => "memory-by-run",
            ChartKind::Throughput => "throughput",
        }
    }
}

/// Choices that shape charts beyond the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChartOptions {
    /// Continue each speedup curve's fitted law up to this many workers
    /// (0: no predictions).
    pub predict_to: u32,
}

impl ChartOptions {
    /// Predictions are opt-in: the measurement comes first.
    pub const DEFAULT_PREDICT_TO: u32 = 0;
}

impl Default for ChartOptions {
    fn default() -> Self {
        ChartOptions {
            predict_to: Self::DEFAULT_PREDICT_TO,
        }
    }
}

/// What the y values are, so renderers can format ticks and hovers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Seconds,
    /// A ratio shown as `2.0×`.
    Times,
    Percent,
    Bytes,
    /// Tasks per second.
    PerSecond,
}

/// One point of a series, with its spread over repetitions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
    /// Min and max over repetitions, where the chart shows whiskers.
    pub spread: Option<(f64, f64)>,
    /// The 95 % confidence interval of `y` (bootstrap over repetitions),
    /// drawn as a thicker whisker.
    pub ci: Option<(f64, f64)>,
}

/// One line of a chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub model: Model,
    pub line: LineKind,
    pub points: Vec<Point>,
    /// A fitted law's curve, not measurements: drawn dashed, no markers.
    pub prediction: Option<analysis::ScalingFit>,
}

/// How a series' line is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    Solid,
    Dashed,
    Dotted,
    /// Long dashes: a fourth style, for the fourth sharing mode.
    LongDashed,
}

/// A line for orientation, not measured data.
#[derive(Debug, Clone, PartialEq)]
pub enum Reference {
    /// A polyline in data coordinates (ideal speedup: y = workers).
    Curve {
        name: String,
        points: Vec<(f64, f64)>,
    },
    /// A level, in `model`'s colour when it is that model's baseline.
    Horizontal {
        name: String,
        y: f64,
        model: Option<Model>,
    },
    Vertical {
        name: String,
        x: f64,
    },
}

/// A chart, ready to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub kind: ChartKind,
    pub title: String,
    pub x_label: String,
    /// What y is, without its unit: the layout ([`layout::Layout`]) adds
    /// the unit its ticks are written in, e.g. `wall time [ms]`.
    pub y_label: String,
    pub unit: Unit,
    pub series: Vec<Series>,
    pub references: Vec<Reference>,
    /// What x is: worker counts, or (for payload sweeps) payload sizes.
    pub x_axis: XAxis,
    /// The x range to show: the smallest and largest x of any run (or
    /// prediction).
    pub x_min: f64,
    pub x_max: f64,
    /// The overhead chart's bars (no series then); x is the bar's index.
    pub bars: Option<StackedBars>,
    /// The speedup chart's fitted laws continued past the measured
    /// workers: a small chart of its own, drawn beside this one.
    pub predictions: Option<Box<Chart>>,
}

/// Bars stacked from segments, one bar per run.
#[derive(Debug, Clone, PartialEq)]
pub struct StackedBars {
    /// Each bar's label, e.g. `processes ×2`.
    pub labels: Vec<String>,
    /// Each bar's model: its compute is drawn in the model's colour.
    pub models: Vec<Model>,
    /// One segment per phase, bottom first, with a value per bar.
    pub segments: Vec<BarSegment>,
}

/// What colours a bar segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fill {
    /// The phase it stands for (compute in the bar's model's colour).
    Phase(Phase),
    /// A measure in each bar's model colour, named by the bars' labels.
    Model,
    /// The corescope process itself, in the host's colour.
    Host,
}

/// One phase (or one measure) across all bars.
#[derive(Debug, Clone, PartialEq)]
pub struct BarSegment {
    /// What colours it.
    pub fill: Fill,
    /// Its name in the legend and on hover.
    pub name: String,
    pub values: Vec<f64>,
}

impl BarSegment {
    /// The segment's colour in the bar of `model`.
    pub fn color(&self, model: Model, dark: bool) -> Rgb {
        match self.fill {
            Fill::Phase(phase) => phase_color(phase, model, dark),
            Fill::Model => model_color_on(model, dark),
            Fill::Host => theme::host_color(dark),
        }
    }
}

/// The quantity on a chart's x axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XAxis {
    /// Worker count.
    Workers,
    /// Echo payload per task, as log2(bytes) so that 1 KiB … 64 MiB spread
    /// evenly; renderers label ticks as 2^x bytes.
    PayloadBytes,
    /// Worker count as log2(workers), so that a prediction to 64 workers
    /// leaves room for the measured 1, 2, 4; ticks are labelled 2^x.
    WorkersLog2,
    /// Bars, one per run: x is the bar's index, labelled by the bars.
    Runs,
}

impl XAxis {
    /// The x of a run on this axis.
    pub fn of(self, run: &RunRecord) -> f64 {
        match self {
            XAxis::Workers | XAxis::Runs => f64::from(run.workers),
            XAxis::PayloadBytes => (run.payload_bytes.max(1) as f64).log2(),
            XAxis::WorkersLog2 => f64::from(run.workers.max(1)).log2(),
        }
    }

    /// Whether x is log2 of the quantity (ticks at whole numbers are
    /// powers of two).
    pub fn is_log2(self) -> bool {
        matches!(self, XAxis::PayloadBytes | XAxis::WorkersLog2)
    }
}

impl Chart {
    /// Whether there is any measured point to draw.
    pub fn is_empty(&self) -> bool {
        match &self.bars {
            Some(bars) => bars.labels.is_empty(),
            None => self
                .series
                .iter()
                .filter(|s| s.prediction.is_none())
                .all(|s| s.points.is_empty()),
        }
    }

    /// One line naming each prediction's fit, e.g. `Amdahl fit: threads
    /// f = 9.3 ± 1.2 % (at most 10.8×) · …`; `None` without predictions.
    pub fn prediction_caption(&self) -> Option<String> {
        let mut law = None;
        let parts: Vec<String> = self
            .series
            .iter()
            .filter_map(|s| {
                let fit = s.prediction?;
                law = Some(fit.law);
                let marker = format!(" · {}", fit.law.name());
                let curve = s.name.split(&marker).next().unwrap_or(&s.name);
                let f = fit.serial_fraction;
                Some(match fit.law {
                    analysis::Law::Amdahl if f > 0.0 => format!(
                        "{curve} f = {:.1} ± {:.1} % (at most {:.1}×)",
                        f * 100.0,
                        fit.serial_fraction_error * 100.0,
                        1.0 / f
                    ),
                    analysis::Law::Amdahl => format!("{curve} f = 0 % (no limit)"),
                    analysis::Law::Gustafson => format!(
                        "{curve} f = {:.1} ± {:.1} %",
                        f * 100.0,
                        fit.serial_fraction_error * 100.0
                    ),
                })
            })
            .collect();
        Some(format!("{} fit: {}", law?.name(), parts.join(" · ")))
    }

    /// The legend name of every series and reference, in order.
    pub fn legend_names(&self) -> Vec<String> {
        let mut names: Vec<String> = match &self.bars {
            // A measure in the bars' own colours has no legend entry: the
            // bars' labels name it.
            Some(bars) => bars
                .segments
                .iter()
                .filter(|s| s.fill != Fill::Model)
                .map(|s| s.name.clone())
                .collect(),
            None => self.series.iter().map(|s| s.name.clone()).collect(),
        };
        names.extend(self.references.iter().map(|r| match r {
            Reference::Curve { name, .. }
            | Reference::Horizontal { name, .. }
            | Reference::Vertical { name, .. } => name.clone(),
        }));
        names
    }
}

/// Formats a y value in the chart's unit, for ticks and hovers alike.
pub fn format_value(unit: Unit, y: f64) -> String {
    match unit {
        Unit::Seconds => format::seconds(y),
        Unit::Times => format!("{y:.2}×"),
        // Small fractions keep a decimal, so 0.2 % never reads 0 %.
        Unit::Percent if y.fract() != 0.0 && y.abs() < 10.0 => format!("{y:.1} %"),
        Unit::Percent => format!("{y:.0} %"),
        Unit::Bytes => format::bytes(y.max(0.0).round() as u64),
        Unit::PerSecond if y.abs() < 10.0 => format!("{y:.2}/s"),
        Unit::PerSecond => format!("{y:.1}/s"),
    }
}

/// Formats an x value: a worker count, or a payload stored as log2(bytes).
pub fn format_x(axis: XAxis, x: f64) -> String {
    match axis {
        XAxis::Workers | XAxis::Runs => format!("{x}"),
        XAxis::PayloadBytes => format::bytes(x.exp2().round() as u64),
        XAxis::WorkersLog2 => format!("{}", x.exp2().round()),
    }
}

/// Formats an x tick compactly: a worker count, or a payload as `64 KiB`.
pub fn format_x_short(axis: XAxis, x: f64) -> String {
    match axis {
        XAxis::PayloadBytes => format::bytes_short(x.exp2().round() as u64),
        _ => format_x(axis, x),
    }
}

/// The part of a polyline at or below `top`, ended where it crosses it (a
/// prediction or the ideal line would otherwise run off the plot).
pub fn clip_below(points: &[(f64, f64)], top: f64) -> Vec<(f64, f64)> {
    let mut kept = Vec::new();
    for (i, &(x, y)) in points.iter().enumerate() {
        if y <= top {
            kept.push((x, y));
            continue;
        }
        if let Some(&(px, py)) = i.checked_sub(1).and_then(|j| points.get(j)) {
            if py < top {
                kept.push((px + (x - px) * (top - py) / (y - py), top));
            }
        }
        break;
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::MachineInfo;
    use crate::results::testing::record;
    use crate::workload::{CountedIn, Sharing, Workload};

    fn set() -> ResultSet {
        let mut set = ResultSet::new(MachineInfo::detect());
        set.machine.physical_cores = Some(2);
        for (model, workers, wall) in [
            (Model::Serial, 1, 4.0),
            (Model::Processes, 2, 2.0),
            (Model::Processes, 1, 4.0),
            (Model::Threads, 1, 4.0),
        ] {
            let mut r = record(model, workers, wall);
            r.ipc.bytes_to_workers = 100 * u64::from(model == Model::Processes);
            set.runs.push(r);
        }
        crate::analysis::fill_speedups(&mut set);
        set
    }

    #[test]
    fn shared_memory_runs_show_the_bytes_they_did_not_copy() {
        let piped = build(ChartKind::IpcBytes, &set());
        assert!(piped.series.iter().all(|s| !s.name.contains("shared, not")));
        let mut set = set();
        for r in set.runs.iter_mut().filter(|r| r.model == Model::Processes) {
            r.ipc.bytes_shared_to_workers = 4096;
            r.ipc.bytes_shared_from_workers = 4096;
        }
        let chart = build(ChartKind::IpcBytes, &set);
        let shared = chart
            .series
            .iter()
            .find(|s| s.name == "processes shared, not copied")
            .unwrap();
        assert_eq!(shared.line, LineKind::Dotted);
        assert!(shared.points.iter().all(|p| p.y == 8192.0));
    }

    #[test]
    fn oversubscribed_mpi_runs_say_so_in_their_series_name() {
        let mut set = set();
        for workers in [1, 2, 3] {
            let mut r = record(Model::Mpi, workers, 4.0 / f64::from(workers));
            r.mpi = Some(Box::new(crate::results::MpiRecord {
                oversubscribed: workers >= 2,
                ..crate::results::MpiRecord::default()
            }));
            set.runs.push(r);
        }
        let chart = build(ChartKind::WallTime, &set);
        let names: Vec<&str> = chart.series.iter().map(|s| s.name.as_str()).collect();
        assert!(names.contains(&"mpi (oversubscribed from ×2)"), "{names:?}");
        assert!(names.contains(&"processes"), "{names:?}");
    }

    #[test]
    fn speedup_chart_has_a_sorted_series_per_model_and_references() {
        let chart = build_with(ChartKind::Speedup, &set(), &ChartOptions { predict_to: 0 });
        let names: Vec<&str> = chart.series.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["threads", "processes"]);
        let processes = &chart.series[1];
        assert_eq!(
            processes
                .points
                .iter()
                .map(|p| (p.x, p.y))
                .collect::<Vec<_>>(),
            [(1.0, 1.0), (2.0, 2.0)]
        );
        assert_eq!(processes.model, Model::Processes);
        assert!(
            chart
                .references
                .iter()
                .any(|r| matches!(r, Reference::Vertical { x, .. } if *x == 2.0))
        );
        assert!(
            chart
                .references
                .iter()
                .any(|r| matches!(r, Reference::Curve { .. }))
        );
        assert_eq!(chart.x_max, 2.0);
        assert_eq!(chart.x_axis, XAxis::Workers);
    }

    #[test]
    fn points_carry_their_confidence_intervals() {
        let mut set = set();
        set.runs[1].wall_ci = Some(crate::results::Interval {
            low: 1.9,
            high: 2.2,
        });
        set.runs[1].speedup_ci = Some(crate::results::Interval {
            low: 1.8,
            high: 2.1,
        });
        let point = |kind: ChartKind| -> Point {
            let chart = build_with(kind, &set, &ChartOptions { predict_to: 0 });
            let series = chart
                .series
                .iter()
                .find(|s| s.model == Model::Processes)
                .unwrap();
            *series.points.iter().find(|p| p.x == 2.0).unwrap()
        };
        assert_eq!(point(ChartKind::WallTime).ci, Some((1.9, 2.2)));
        assert_eq!(point(ChartKind::Speedup).ci, Some((1.8, 2.1)));
        let efficiency = point(ChartKind::Efficiency).ci.unwrap();
        assert!((efficiency.0 - 90.0).abs() < 1e-9 && (efficiency.1 - 105.0).abs() < 1e-9);
        assert_eq!(point(ChartKind::IpcBytes).ci, None);
    }

    #[test]
    fn speedup_predictions_continue_each_fit_to_the_knob() {
        let mut set = set();
        set.machine.logical_cores = 4;
        // A law needs three worker counts.
        let mut four = crate::results::testing::record(Model::Processes, 4, 1.0);
        four.ipc.bytes_to_workers = 100;
        set.runs.push(four);
        crate::analysis::fill_speedups(&mut set);
        let options = ChartOptions { predict_to: 64 };
        let measured = build_with(ChartKind::Speedup, &set, &options);
        assert_eq!(measured.x_axis, XAxis::Workers);
        let chart = *measured.predictions.unwrap();
        assert_eq!(chart.x_axis, XAxis::WorkersLog2);
        assert_eq!(chart.x_max, 6.0, "log2(64)");
        let predicted: Vec<&Series> = chart
            .series
            .iter()
            .filter(|s| s.prediction.is_some())
            .collect();
        // processes scaled perfectly (f = 0); threads had one worker only.
        assert_eq!(predicted.len(), 1, "{:?}", chart.series);
        let processes = predicted[0];
        assert_eq!(processes.model, Model::Processes);
        assert!(
            processes.name.contains("Amdahl f = 0.0 %"),
            "{}",
            processes.name
        );
        assert!(processes.name.ends_with("(prediction)"));
        assert_eq!(processes.line, LineKind::Dashed);
        let last = processes.points.last().unwrap();
        assert_eq!(last.x, 6.0);
        assert!((last.y - 64.0).abs() < 1e-9, "{last:?}");
        // Measured points sit at log2(workers).
        let measured = chart
            .series
            .iter()
            .find(|s| s.model == Model::Processes && s.prediction.is_none())
            .unwrap();
        assert_eq!(
            measured.points.iter().map(|p| p.x).collect::<Vec<_>>(),
            [0.0, 1.0, 2.0]
        );
        // The physical cores (2) at log2 = 1.
        assert!(
            chart
                .references
                .iter()
                .any(|r| matches!(r, Reference::Vertical { x, .. } if *x == 1.0))
        );
        assert_eq!(format_x(XAxis::WorkersLog2, 5.0), "32");
        assert_eq!(
            chart.prediction_caption().as_deref(),
            Some("Amdahl fit: processes f = 0 % (no limit)")
        );
        assert_eq!(build(ChartKind::WallTime, &set).prediction_caption(), None);
    }

    #[test]
    fn overhead_chart_stacks_every_phase_per_run() {
        let chart = build(ChartKind::Overhead, &set());
        let bars = chart.bars.as_ref().unwrap();
        assert_eq!(
            bars.labels,
            ["serial", "threads ×1", "processes ×1", "processes ×2"]
        );
        assert_eq!(bars.segments.len(), Phase::ALL.len());
        for segment in &bars.segments {
            assert_eq!(segment.values.len(), 4);
        }
        // No spans: all of workers × wall is waiting.
        let waiting = &bars.segments[4];
        assert_eq!(waiting.fill, Fill::Phase(Phase::Waiting));
        assert_eq!(waiting.values, [4.0, 4.0, 4.0, 4.0]);
        assert!(!chart.is_empty());
        assert_eq!(chart.legend_names()[0], "compute (in the model's colour)");
    }

    #[test]
    fn overlay_names_each_set_and_dashes_the_second() {
        let a = set();
        let mut b = set();
        for run in &mut b.runs {
            run.wall_seconds.median *= 2.0;
        }
        let chart = build_compared(
            ChartKind::WallTime,
            &[("laptop", &a), ("server", &b)],
            &ChartOptions::default(),
        );
        let names: Vec<&str> = chart.series.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "laptop: serial",
                "laptop: threads",
                "laptop: processes",
                "server: serial",
                "server: threads",
                "server: processes"
            ]
        );
        assert!(chart.series[..3].iter().all(|s| s.line == LineKind::Solid));
        assert!(chart.series[3..].iter().all(|s| s.line == LineKind::Dashed));
        // The serial baseline is drawn once per distinct level.
        assert_eq!(chart.references.len(), 2);
        let bars = build_compared(
            ChartKind::Overhead,
            &[("a", &a), ("b", &b)],
            &ChartOptions::default(),
        );
        assert_eq!(bars.bars.unwrap().labels.len(), 8);
    }

    #[test]
    fn wall_chart_keeps_whiskers_and_units() {
        let chart = build(ChartKind::WallTime, &set());
        assert_eq!(chart.y_label, "wall time");
        assert_eq!(chart.series[0].points[0].spread, Some((3.6, 4.4)));
    }

    #[test]
    fn ipc_chart_has_both_directions() {
        let chart = build(ChartKind::IpcBytes, &set());
        assert_eq!(chart.series.len(), 4);
        assert!(
            chart
                .series
                .iter()
                .any(|s| s.name == "threads (shared memory)")
        );
        assert!(
            chart
                .series
                .iter()
                .any(|s| s.line == LineKind::Dashed && s.name == "processes from workers")
        );
        let efficiency = build(ChartKind::Efficiency, &set());
        assert_eq!(efficiency.unit, Unit::Percent);
        assert!(build(ChartKind::WallTime, &ResultSet::new(MachineInfo::detect())).is_empty());
    }

    /// A counter sweep: threads lose updates racy at ×2, processes count
    /// racy in their own copies, isolated loses nothing.
    fn counted() -> ResultSet {
        let mut set = ResultSet::new(MachineInfo::default());
        for (model, workers, sharing, lost, counted) in [
            (
                Model::Threads,
                1,
                Sharing::Racy,
                0,
                CountedIn::SharedCounter,
            ),
            (
                Model::Threads,
                2,
                Sharing::Racy,
                300,
                CountedIn::SharedCounter,
            ),
            (
                Model::Threads,
                2,
                Sharing::Isolated,
                0,
                CountedIn::PartialSums,
            ),
            (
                Model::Processes,
                2,
                Sharing::Racy,
                1000,
                CountedIn::WorkerCopies,
            ),
            (
                Model::Processes,
                2,
                Sharing::Isolated,
                0,
                CountedIn::PartialSums,
            ),
        ] {
            let mut r = record(model, workers, 2.0);
            r.workload = Workload::Counter;
            r.sharing = Some(sharing);
            r.expected_total = Some(1000);
            r.total = Some(1000 - lost);
            r.lost_updates = Some(lost);
            r.counted_in = Some(counted);
            set.runs.push(r);
        }
        set
    }

    #[test]
    fn lost_updates_are_a_bar_per_model_and_sharing_mode() {
        let chart = build(ChartKind::LostUpdates, &counted());
        let bars = chart.bars.as_ref().unwrap();
        assert_eq!(
            bars.labels,
            [
                "racy · threads ×2",
                "isolated · threads ×2",
                "racy · processes ×2 · own copies",
                "isolated · processes ×2"
            ]
        );
        assert_eq!(bars.segments.len(), 1);
        assert_eq!(bars.segments[0].fill, Fill::Model);
        assert_eq!(bars.segments[0].values, [30.0, 0.0, 100.0, 0.0]);
        assert_eq!(chart.unit, Unit::Percent);
        assert!(ChartKind::LostUpdates.shows_in(&[&counted()]));
        assert!(!ChartKind::LostUpdates.shows_in(&[&set()]));
    }

    #[test]
    fn increment_cost_is_a_curve_per_sharing_mode() {
        let chart = build(ChartKind::IncrementCost, &counted());
        let names: Vec<(&str, LineKind)> = chart
            .series
            .iter()
            .map(|s| (s.name.as_str(), s.line))
            .collect();
        assert_eq!(
            names,
            [
                ("threads · racy", LineKind::Dotted),
                ("threads · isolated", LineKind::Solid),
                ("processes · racy", LineKind::Dotted),
                ("processes · isolated", LineKind::Solid),
            ]
        );
        // 2 s × 2 workers over 1000 increments.
        let racy = &chart.series[0].points;
        assert_eq!(racy.iter().map(|p| p.x).collect::<Vec<_>>(), [1.0, 2.0]);
        assert!((racy[1].y - 0.004).abs() < 1e-12, "{racy:?}");
        // Other sets have no counter figures: nothing to draw.
        assert!(build(ChartKind::IncrementCost, &set()).is_empty());
    }
}
