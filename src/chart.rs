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
//! the core time one increment cost against workers. [`overlay`] puts the
//! charts of two result sets on one.

use crate::analysis::{self, Phase};
use crate::format;
use crate::results::{MachineInfo, ResultSet, RunRecord};
use crate::spec::{Model, Scaling, Schedule};
use crate::workload::{CountedIn, Sharing, Workload};

pub mod activity;
pub mod layout;
pub mod theme;

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
}

impl ChartKind {
    pub const ALL: [ChartKind; 7] = [
        ChartKind::WallTime,
        ChartKind::Speedup,
        ChartKind::Efficiency,
        ChartKind::IpcBytes,
        ChartKind::Overhead,
        ChartKind::LostUpdates,
        ChartKind::IncrementCost,
    ];

    /// Whether the chart means anything for these sets: the counter's
    /// charts need a run that counted.
    pub fn shows_in(self, sets: &[&ResultSet]) -> bool {
        match self {
            ChartKind::LostUpdates | ChartKind::IncrementCost => sets
                .iter()
                .any(|set| set.runs.iter().any(|r| r.sharing.is_some())),
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

/// One phase (or one measure) across all bars.
#[derive(Debug, Clone, PartialEq)]
pub struct BarSegment {
    /// The phase it stands for, which gives its colour; `None`: a measure
    /// drawn in each bar's model colour, named by the bars' labels.
    pub phase: Option<Phase>,
    /// Its name in the legend and on hover.
    pub name: String,
    pub values: Vec<f64>,
}

impl BarSegment {
    /// The segment's colour in the bar of `model`.
    pub fn color(&self, model: Model, dark: bool) -> Rgb {
        match self.phase {
            Some(phase) => phase_color(phase, model, dark),
            None => model_color_on(model, dark),
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
                .filter(|s| s.phase.is_some())
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

/// Builds a chart of `kind` from the runs of `set`, with default options.
pub fn build(kind: ChartKind, set: &ResultSet) -> Chart {
    build_with(kind, set, &ChartOptions::default())
}

/// Builds a chart of `kind` from the runs of `set`.
///
/// The speedup chart shows what was measured, on the workers measured;
/// fitted laws continued to [`ChartOptions::predict_to`] workers go in a
/// panel of their own ([`Chart::predictions`]), so they never rescale the
/// measured points.
pub fn build_with(kind: ChartKind, set: &ResultSet, options: &ChartOptions) -> Chart {
    let mut chart = build_on(kind, set, options, false);
    if kind == ChartKind::Speedup {
        let panel = build_on(kind, set, options, true);
        if panel.x_axis == XAxis::WorkersLog2 {
            // No ideal line there: on a log2 worker axis it would look
            // exponential; the chart beside it has it.
            let references = panel
                .references
                .iter()
                .filter(|r| !matches!(r, Reference::Curve { .. }))
                .cloned()
                .collect();
            chart.predictions = Some(Box::new(Chart {
                title: format!("Fitted laws, to {} workers", options.predict_to),
                references,
                ..panel
            }));
        }
    }
    chart
}

/// The fewest worker counts a scaling law is fitted from: through two
/// points almost any curve fits.
pub const MIN_FIT_WORKER_COUNTS: usize = 3;

/// Builds a chart of `kind`; `predict`: the predictions panel (a log2
/// worker axis to the fitted laws' end), when there is a law to continue.
fn build_on(kind: ChartKind, set: &ResultSet, options: &ChartOptions, predict: bool) -> Chart {
    let groups = groups_in(set);
    let predictions = if predict {
        fits_to_continue(kind, set, &groups, options)
    } else {
        Vec::new()
    };
    let x_axis = x_axis_of(kind, set, !predictions.is_empty());
    let mut chart = empty_chart(kind, set, x_axis, options);
    let frame = Frame {
        set,
        groups,
        x_axis,
    };
    match kind {
        ChartKind::WallTime => wall_time(&frame, &mut chart),
        ChartKind::Speedup => speedup(&frame, &mut chart, &predictions),
        ChartKind::Efficiency => efficiency(&frame, &mut chart),
        ChartKind::IpcBytes => ipc_bytes(&frame, &mut chart),
        ChartKind::Overhead => {
            chart.title = "Where the time went".to_string();
            chart.y_label = "worker time".to_string();
            chart.bars = Some(overhead_bars(set, &frame.groups));
        }
        ChartKind::LostUpdates => {
            chart.title = "Lost updates".to_string();
            chart.y_label = "increments the main process never saw".to_string();
            chart.unit = Unit::Percent;
            chart.bars = Some(lost_update_bars(set, &frame.groups));
        }
        ChartKind::IncrementCost => increment_cost(&frame, &mut chart),
    }
    chart
}

/// The fitted laws to continue past the measured workers: asked for, on a
/// worker axis, to beyond the largest count, and only from groups with
/// three or more worker counts measured.
fn fits_to_continue(
    kind: ChartKind,
    set: &ResultSet,
    groups: &[Group],
    options: &ChartOptions,
) -> Vec<(Group, analysis::ScalingFit)> {
    let most_workers = set.runs.iter().map(|r| r.workers).max().unwrap_or(1);
    if kind != ChartKind::Speedup || set.sweeps_payloads() || options.predict_to <= most_workers {
        return Vec::new();
    }
    groups
        .iter()
        .filter(|g| g.model.uses_workers())
        .filter(|g| {
            let mut counts: Vec<u32> = set
                .runs
                .iter()
                .filter(|r| g.contains(r) && r.speedup.is_some())
                .map(|r| r.workers)
                .collect();
            counts.sort_unstable();
            counts.dedup();
            counts.len() >= MIN_FIT_WORKER_COUNTS
        })
        .filter_map(|g| {
            Some((
                *g,
                analysis::fit_runs(
                    set.runs
                        .iter()
                        .filter(|r| g.contains(r) && analysis::had_cores(&set.machine, r)),
                )?,
            ))
        })
        .collect()
}

/// The quantity on the x axis: one bar per run for the bar charts, the
/// payload for payload sweeps, log2(workers) when laws are continued.
fn x_axis_of(kind: ChartKind, set: &ResultSet, predicts: bool) -> XAxis {
    if matches!(kind, ChartKind::Overhead | ChartKind::LostUpdates) {
        XAxis::Runs
    } else if set.sweeps_payloads() {
        XAxis::PayloadBytes
    } else if predicts {
        XAxis::WorkersLog2
    } else {
        XAxis::Workers
    }
}

/// A chart with its axes and nothing drawn yet.
fn empty_chart(kind: ChartKind, set: &ResultSet, x_axis: XAxis, options: &ChartOptions) -> Chart {
    let xs = set.runs.iter().map(|r| x_axis.of(r));
    let (x_min, x_max) = match x_axis {
        XAxis::Workers => (0.0, xs.fold(1.0, f64::max)),
        XAxis::PayloadBytes => (
            xs.clone().fold(f64::INFINITY, f64::min),
            xs.fold(f64::NEG_INFINITY, f64::max),
        ),
        XAxis::WorkersLog2 => (0.0, f64::from(options.predict_to).log2()),
        XAxis::Runs => (0.0, 0.0),
    };
    // An async model's workers are tasks in flight: the axis says so.
    let tasks_note = if set.runs.iter().any(|r| r.model.workers_are_tasks()) {
        " (async: tasks in flight)"
    } else {
        ""
    };
    Chart {
        kind,
        title: String::new(),
        x_label: match x_axis {
            XAxis::Workers => format!("workers{tasks_note}"),
            XAxis::PayloadBytes => "payload per task (each way)".to_string(),
            XAxis::WorkersLog2 if tasks_note.is_empty() => "workers (log scale)".to_string(),
            XAxis::WorkersLog2 => format!("workers, log scale{tasks_note}"),
            XAxis::Runs => "run (model ×workers)".to_string(),
        },
        y_label: String::new(),
        unit: Unit::Seconds,
        series: Vec::new(),
        references: Vec::new(),
        x_axis,
        x_min,
        x_max,
        bars: None,
        predictions: None,
    }
}

/// What every line chart of one set is drawn from.
struct Frame<'a> {
    set: &'a ResultSet,
    groups: Vec<Group>,
    x_axis: XAxis,
}

impl Frame<'_> {
    /// A series per group, named and drawn as the group; `workers_only`
    /// leaves out serial, which is 1× and 100 % by definition (the
    /// reference lines say so).
    fn per_group(&self, chart: &mut Chart, workers_only: bool, value: &ValueOf<'_>, ci: &CiOf<'_>) {
        for group in self
            .groups
            .iter()
            .filter(|g| !workers_only || g.model.uses_workers())
        {
            chart.series.push(series_with_ci(
                self.set,
                group,
                (&series_name(self.set, group), group.line()),
                self.x_axis,
                value,
                ci,
            ));
        }
    }
}

/// Wall time by model and workers, with the serial baselines.
fn wall_time(frame: &Frame<'_>, chart: &mut Chart) {
    chart.title = "Wall time".to_string();
    chart.y_label = "wall time".to_string();
    frame.per_group(
        chart,
        false,
        &|r| {
            Some((
                r.wall_seconds.median,
                Some((r.wall_seconds.min, r.wall_seconds.max)),
            ))
        },
        &|r| r.wall_ci.map(|ci| (ci.low, ci.high)),
    );
    for baseline in Model::ALL.into_iter().filter(|m| !m.uses_workers()) {
        let serial = frame.set.runs.iter().find(|r| r.model == baseline);
        if let Some(serial) = serial.filter(|_| frame.x_axis == XAxis::Workers) {
            chart.references.push(Reference::Horizontal {
                name: format!("{baseline} baseline"),
                y: serial.wall_seconds.median,
                model: Some(baseline),
            });
        }
    }
}

/// Speedup over serial, the ideal line (or break-even for payload sweeps),
/// the physical cores and the continued laws.
fn speedup(frame: &Frame<'_>, chart: &mut Chart, predictions: &[(Group, analysis::ScalingFit)]) {
    let weak = frame.set.runs.iter().any(|r| r.scaling == Scaling::Weak);
    if weak {
        chart.title = "Scaled speedup (weak scaling)".to_string();
        chart.y_label = "scaled speedup".to_string();
    } else {
        chart.title = "Speedup".to_string();
        chart.y_label = "speedup".to_string();
    }
    chart.unit = Unit::Times;
    frame.per_group(chart, true, &|r| r.speedup.map(|s| (s, None)), &|r| {
        r.speedup_ci.map(|ci| (ci.low, ci.high))
    });
    if frame.x_axis == XAxis::PayloadBytes {
        // Below this line the parallel model loses to serial.
        chart.references.push(Reference::Horizontal {
            name: "break-even with serial (1×)".to_string(),
            y: 1.0,
            model: None,
        });
    } else {
        // y = workers, sampled finely enough to look straight or
        // smoothly curved on either worker axis, to the edge of the
        // drawn range (see the renderers' extent).
        let edge = match frame.x_axis {
            XAxis::WorkersLog2 => chart.x_max + 0.25,
            _ => chart.x_max + 0.5,
        };
        let points = curve(frame.x_axis, chart.x_min, edge, |p| p);
        chart.references.push(Reference::Curve {
            name: "ideal (speedup = workers)".to_string(),
            points,
        });
    }
    for (group, fit) in predictions {
        let law = fit.law;
        let f = fit.serial_fraction;
        chart.series.push(Series {
            name: format!(
                "{} · {} f = {:.1} % (prediction)",
                group.label(),
                law.name(),
                f * 100.0
            ),
            model: group.model,
            line: LineKind::Dashed,
            points: curve(frame.x_axis, chart.x_min, chart.x_max, |p| {
                law.speedup(f, p)
            })
            .into_iter()
            .map(|(x, y)| Point {
                x,
                y,
                spread: None,
                ci: None,
            })
            .collect(),
            prediction: Some(*fit),
        });
    }
    if let Some(cores) = frame
        .set
        .machine
        .physical_cores
        .filter(|_| frame.x_axis != XAxis::PayloadBytes)
    {
        chart.references.push(Reference::Vertical {
            name: format!("physical cores ({cores})"),
            x: match frame.x_axis {
                XAxis::WorkersLog2 => f64::from(cores.max(1)).log2(),
                _ => f64::from(cores),
            },
        });
    }
}

/// Efficiency against the 100 % line.
fn efficiency(frame: &Frame<'_>, chart: &mut Chart) {
    chart.title = "Efficiency".to_string();
    chart.y_label = "efficiency".to_string();
    chart.unit = Unit::Percent;
    frame.per_group(
        chart,
        true,
        &|r| r.efficiency.map(|e| (e * 100.0, None)),
        &|r| {
            let per_worker = 100.0 / f64::from(r.workers.max(1));
            r.speedup_ci
                .map(|ci| ci.scaled(per_worker))
                .map(|ci| (ci.low, ci.high))
        },
    );
    chart.references.push(Reference::Horizontal {
        name: "ideal (100 %)".to_string(),
        y: 100.0,
        model: None,
    });
}

/// Bytes to and from the worker processes per repetition.
fn ipc_bytes(frame: &Frame<'_>, chart: &mut Chart) {
    chart.title = "IPC bytes per repetition".to_string();
    chart.y_label = "bytes sent".to_string();
    chart.unit = Unit::Bytes;
    // Comparing workloads, zero lines for shared memory would only
    // crowd the legend.
    let compares_workloads = frame.groups.iter().any(|g| g.workload.is_some());
    for group in frame
        .groups
        .iter()
        .filter(|g| !compares_workloads || g.model.uses_processes())
    {
        let model = group.model;
        if model.uses_processes() {
            chart.series.push(series(
                frame.set,
                group,
                &format!("{} to workers", group.label()),
                group.line(),
                frame.x_axis,
                &|r| Some((r.ipc.bytes_to_workers as f64, None)),
            ));
            chart.series.push(series(
                frame.set,
                group,
                &format!("{} from workers", group.label()),
                LineKind::Dashed,
                frame.x_axis,
                &|r| Some((r.ipc.bytes_from_workers as f64, None)),
            ));
            if frame.set.runs.iter().any(|r| {
                r.model == model
                    && r.ipc.bytes_shared_to_workers + r.ipc.bytes_shared_from_workers > 0
            }) {
                // `--transport shm`: the payload bytes that never crossed a
                // pipe, beside the few the pipes still copied.
                chart.y_label = "bytes sent or shared".to_string();
                chart.series.push(series(
                    frame.set,
                    group,
                    &format!("{} shared, not copied", group.label()),
                    LineKind::Dotted,
                    frame.x_axis,
                    &|r| {
                        Some((
                            (r.ipc.bytes_shared_to_workers + r.ipc.bytes_shared_from_workers)
                                as f64,
                            None,
                        ))
                    },
                ));
            }
        } else {
            // Nothing crosses a process boundary: one line at zero
            // says so without doubling the legend.
            chart.series.push(series(
                frame.set,
                group,
                &format!("{} (shared memory)", group.label()),
                group.line(),
                frame.x_axis,
                &|r| {
                    Some((
                        (r.ipc.bytes_to_workers + r.ipc.bytes_from_workers) as f64,
                        None,
                    ))
                },
            ));
        }
    }
}

/// The counter's core time per increment against workers.
fn increment_cost(frame: &Frame<'_>, chart: &mut Chart) {
    chart.title = "Time per increment".to_string();
    chart.y_label = "core time per increment (wall × workers ÷ increments)".to_string();
    frame.per_group(
        chart,
        true,
        &|r| {
            let increments = r.expected_total.filter(|&n| n > 0)? as f64;
            let per = |wall: f64| wall * f64::from(r.workers) / increments;
            Some((
                per(r.wall_seconds.median),
                Some((per(r.wall_seconds.min), per(r.wall_seconds.max))),
            ))
        },
        &|r| {
            let increments = r.expected_total.filter(|&n| n > 0)? as f64;
            let per = |wall: f64| wall * f64::from(r.workers) / increments;
            r.wall_ci.map(|ci| (per(ci.low), per(ci.high)))
        },
    );
}

/// `counter`: one bar per model and sharing mode (per curve of the other
/// charts), at its largest worker count: the share of the expected
/// increments the main process did not get. A bar is empty where nothing
/// was lost.
fn lost_update_bars(set: &ResultSet, groups: &[Group]) -> StackedBars {
    let runs: Vec<&RunRecord> = groups
        .iter()
        .filter(|g| g.model.uses_workers())
        .filter_map(|g| {
            set.runs
                .iter()
                .filter(|r| g.contains(r) && r.lost_updates.is_some())
                .max_by_key(|r| r.workers)
        })
        .collect();
    let labels = runs
        .iter()
        .map(|r| {
            let sharing = r.sharing.map_or("", Sharing::name);
            let own = if r.counted_in == Some(CountedIn::WorkerCopies) {
                " · own copies"
            } else {
                ""
            };
            format!("{sharing} · {}{own}", r.label())
        })
        .collect();
    let share = |r: &&RunRecord| match (r.lost_updates, r.expected_total) {
        (Some(lost), Some(expected)) if expected > 0 => lost as f64 * 100.0 / expected as f64,
        _ => 0.0,
    };
    StackedBars {
        labels,
        models: runs.iter().map(|r| r.model).collect(),
        segments: vec![BarSegment {
            phase: None,
            name: "lost updates (in the model's colour)".to_string(),
            values: runs.iter().map(share).collect(),
        }],
    }
}

/// Points of `law(p)` over x in `[from, to]` on a worker axis: whole worker
/// counts on a linear axis, eighths of a doubling on a log2 one.
fn curve(axis: XAxis, from: f64, to: f64, law: impl Fn(f64) -> f64) -> Vec<(f64, f64)> {
    let (step, workers): (f64, fn(f64) -> f64) = match axis {
        XAxis::WorkersLog2 => (0.125, f64::exp2),
        _ => (1.0, |x| x),
    };
    let mut points = Vec::new();
    let mut x = from;
    while x <= to + 1e-9 {
        let p = workers(x);
        if p >= 1.0 {
            points.push((x, law(p)));
        }
        x += step;
    }
    // A linear axis starts at 0 workers, before the first whole count.
    if axis == XAxis::Workers && from < 1.0 {
        points.insert(0, (from, law(from)));
    }
    points
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

/// The most bars an overhead chart shows before it keeps only each
/// curve's largest worker count (and serial).
const MAX_BARS: usize = 12;

/// One bar per run, grouped as the lines of the other charts are, serial
/// first; with many runs, one bar per group at its largest worker count.
fn overhead_bars(set: &ResultSet, groups: &[Group]) -> StackedBars {
    let mut runs: Vec<&RunRecord> = Vec::new();
    for group in groups {
        let mut members: Vec<&RunRecord> = set.runs.iter().filter(|r| group.contains(r)).collect();
        members.sort_by_key(|r| (r.payload_bytes, r.workers));
        runs.extend(members);
    }
    if runs.len() > MAX_BARS {
        // Each curve's largest worker count, found in one pass (a set of
        // thousands of runs is charted every frame).
        let curve = |r: &RunRecord| (r.model, r.schedule, r.workload, r.payload_bytes);
        let mut most = std::collections::HashMap::new();
        for r in &runs {
            let workers = most.entry(curve(r)).or_insert(r.workers);
            *workers = (*workers).max(r.workers);
        }
        runs.retain(|r| most.get(&curve(r)) == Some(&r.workers));
    }
    let payload_sweep = runs
        .iter()
        .any(|r| r.payload_bytes != runs[0].payload_bytes);
    let workload_compare = runs.iter().any(|r| r.workload != runs[0].workload);
    let labels = runs
        .iter()
        .map(|r| {
            let mut label = r.label();
            if payload_sweep {
                label = format!("{label} · {}", format::bytes(r.payload_bytes));
            }
            if workload_compare {
                label = format!("{} · {label}", r.workload);
            }
            label
        })
        .collect();
    let parts: Vec<analysis::Overhead> = runs.iter().map(|r| analysis::overhead(r)).collect();
    StackedBars {
        labels,
        models: runs.iter().map(|r| r.model).collect(),
        segments: Phase::ALL
            .iter()
            .map(|&phase| BarSegment {
                phase: Some(phase),
                name: phase_legend(phase).to_string(),
                values: parts.iter().map(|p| p.get(phase)).collect(),
            })
            .collect(),
    }
}

/// The chart of `kind` for one result set, or for several on one chart
/// ([`overlay`]), each named by its label.
pub fn build_compared(
    kind: ChartKind,
    sets: &[(&str, &ResultSet)],
    options: &ChartOptions,
) -> Chart {
    match sets {
        [(_, set)] => build_with(kind, set, options),
        _ => {
            let charts: Vec<(String, Chart)> = sets
                .iter()
                .map(|(label, set)| (label.to_string(), build_with(kind, set, options)))
                .collect();
            overlay(charts).unwrap_or_else(|| {
                build_with(kind, &ResultSet::new(MachineInfo::default()), options)
            })
        }
    }
}

/// Puts the same chart of several result sets on one: each set's series
/// and bars named after it (`label: …`), the second set's lines dashed and
/// the third's dotted, references kept once, predictions of the first set
/// only.
pub fn overlay(charts: Vec<(String, Chart)>) -> Option<Chart> {
    let mut charts = charts.into_iter();
    let (first_label, mut merged) = charts.next()?;
    let rename = |label: &str, name: &str| format!("{label}: {name}");
    for series in &mut merged.series {
        series.name = rename(&first_label, &series.name);
    }
    if let Some(bars) = &mut merged.bars {
        for label in &mut bars.labels {
            *label = rename(&first_label, label);
        }
    }
    for (rank, (label, chart)) in charts.enumerate() {
        let line = if rank == 0 {
            LineKind::Dashed
        } else {
            LineKind::Dotted
        };
        merged.x_min = merged.x_min.min(chart.x_min);
        merged.x_max = merged.x_max.max(chart.x_max);
        if chart.x_axis != merged.x_axis && chart.bars.is_none() {
            // Different axes (a payload sweep beside a worker sweep) cannot
            // share a chart.
            continue;
        }
        // Predictions of the first set only: dashed curves of every set
        // would drown the measured lines, which are dashed here too.
        for mut series in chart.series.into_iter().filter(|s| s.prediction.is_none()) {
            series.name = rename(&label, &series.name);
            series.line = line;
            merged.series.push(series);
        }
        for reference in chart.references {
            if !merged.references.contains(&reference) {
                merged.references.push(reference);
            }
        }
        if let (Some(bars), Some(more)) = (&mut merged.bars, chart.bars) {
            bars.labels
                .extend(more.labels.iter().map(|l| rename(&label, l)));
            bars.models.extend(more.models);
            for (segment, extra) in bars.segments.iter_mut().zip(more.segments) {
                segment.values.extend(extra.values);
            }
        }
    }
    Some(merged)
}

/// The runs a series stands for: one model, and one schedule when the set
/// compares schedules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Group {
    model: Model,
    schedule: Option<Schedule>,
    /// The workload, when the set compares several.
    workload: Option<Workload>,
    /// Position of the workload among those compared (0 when one).
    workload_rank: usize,
    /// `counter`: the sharing mode, when the set compares several.
    sharing: Option<Sharing>,
}

impl Group {
    fn label(&self) -> String {
        let mut label = self.model.to_string();
        if let Some(schedule) = self.schedule {
            label = format!("{label} · {schedule}");
        }
        if let Some(sharing) = self.sharing {
            label = format!("{label} · {sharing}");
        }
        if let Some(workload) = self.workload {
            label = format!("{workload} · {label}");
        }
        label
    }

    /// How the series is drawn: the first workload solid, others dashed
    /// and dotted; a static schedule dashed beside the solid queue.
    /// Comparing sharing modes, the mode decides: isolated solid, locked
    /// dashed, atomic long-dashed, racy dotted.
    fn line(&self) -> LineKind {
        if let Some(sharing) = self.sharing {
            return match sharing {
                Sharing::Isolated => LineKind::Solid,
                Sharing::Locked => LineKind::Dashed,
                Sharing::Atomic => LineKind::LongDashed,
                Sharing::Racy => LineKind::Dotted,
            };
        }
        match (self.workload_rank, self.schedule) {
            (0, Some(Schedule::Static)) | (1, _) => LineKind::Dashed,
            (0, _) => LineKind::Solid,
            _ => LineKind::Dotted,
        }
    }

    fn contains(&self, run: &RunRecord) -> bool {
        run.model == self.model
            && self.schedule.is_none_or(|s| s == run.schedule)
            && self.workload.is_none_or(|w| w == run.workload)
            && self.sharing.is_none_or(|s| Some(s) == run.sharing)
    }
}

/// A group's series name: its label, and for MPI runs whose ranks
/// outnumbered a host's cores, from which worker count on
/// (`mpi (oversubscribed from ×2)`): there ranks share cores.
fn series_name(set: &ResultSet, group: &Group) -> String {
    let label = group.label();
    let oversubscribed = set
        .runs
        .iter()
        .filter(|r| group.contains(r) && r.oversubscribed())
        .map(|r| r.workers)
        .min();
    match oversubscribed {
        Some(workers) => format!("{label} (oversubscribed from ×{workers})"),
        None => label,
    }
}

fn groups_in(set: &ResultSet) -> Vec<Group> {
    let mut models: Vec<Model> = set.runs.iter().map(|r| r.model).collect();
    models.sort();
    models.dedup();
    let compares_schedules = set.runs.iter().filter(|r| r.model.uses_workers()).any(|r| {
        set.runs
            .iter()
            .any(|o| o.model.uses_workers() && o.schedule != r.schedule)
    });
    let mut workloads: Vec<Workload> = Vec::new();
    for run in &set.runs {
        if !workloads.contains(&run.workload) {
            workloads.push(run.workload);
        }
    }
    let compares_workloads = workloads.len() > 1;
    let mut sharings: Vec<Sharing> = set.runs.iter().filter_map(|r| r.sharing).collect();
    sharings.sort();
    sharings.dedup();
    let sharings: Vec<Option<Sharing>> = if sharings.len() > 1 {
        sharings.into_iter().map(Some).collect()
    } else {
        vec![None]
    };
    let mut groups = Vec::new();
    for (workload_rank, &workload) in workloads.iter().enumerate() {
        for &model in &models {
            let schedules: Vec<Option<Schedule>> = if compares_schedules && model.uses_workers() {
                Schedule::ALL.into_iter().map(Some).collect()
            } else {
                vec![None]
            };
            for schedule in schedules {
                for &sharing in &sharings {
                    let group = Group {
                        model,
                        schedule,
                        workload: compares_workloads.then_some(workload),
                        workload_rank,
                        sharing,
                    };
                    if set
                        .runs
                        .iter()
                        .any(|r| r.workload == workload && group.contains(r))
                    {
                        groups.push(group);
                    }
                }
            }
        }
    }
    groups
}

/// A run's y value on a chart, with its min–max spread where it has one.
type ValueOf<'a> = dyn Fn(&RunRecord) -> Option<(f64, Option<(f64, f64)>)> + 'a;

/// A run's confidence interval on a chart, where it has one.
type CiOf<'a> = dyn Fn(&RunRecord) -> Option<(f64, f64)> + 'a;

/// The series of one model: a point per run, sorted by x. Over payloads,
/// the model's largest worker count stands for it.
fn series(
    set: &ResultSet,
    group: &Group,
    name: &str,
    line: LineKind,
    x_axis: XAxis,
    value: &ValueOf<'_>,
) -> Series {
    series_with_ci(set, group, (name, line), x_axis, value, &|_| None)
}

/// [`series`], each point with its confidence interval.
fn series_with_ci(
    set: &ResultSet,
    group: &Group,
    (name, line): (&str, LineKind),
    x_axis: XAxis,
    value: &ValueOf<'_>,
    ci: &CiOf<'_>,
) -> Series {
    let workers = set
        .runs
        .iter()
        .filter(|r| group.contains(r))
        .map(|r| r.workers)
        .max();
    let mut points: Vec<Point> = set
        .runs
        .iter()
        .filter(|r| group.contains(r))
        .filter(|r| x_axis != XAxis::PayloadBytes || Some(r.workers) == workers)
        .filter_map(|r| {
            value(r).map(|(y, spread)| Point {
                x: x_axis.of(r),
                y,
                spread,
                ci: ci(r),
            })
        })
        .collect();
    points.sort_by(|a, b| a.x.total_cmp(&b.x));
    Series {
        name: name.to_string(),
        model: group.model,
        line,
        points,
        prediction: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::MachineInfo;
    use crate::results::testing::record;

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
        assert_eq!(waiting.phase, Some(Phase::Waiting));
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
        assert_eq!(bars.segments[0].phase, None);
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
