//! The chart model: each chart described once, as data, from a result set.
//!
//! A [`Chart`] holds its title, axis titles with units, one [`Series`] per
//! model (in that model's colour, with min–max whiskers where they apply)
//! and reference lines (ideal speedup, the physical core count). The GUI
//! draws it with egui_plot; file export can draw the same description, so
//! colours, titles and units cannot drift apart between window and slide.

use crate::format;
use crate::results::{ResultSet, RunRecord};
use crate::spec::{Model, Schedule};
use crate::workload::Workload;

/// An sRGB colour, independent of any drawing library.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

/// Each model's colour, the same on every chart. From the Okabe–Ito
/// palette, which stays distinct for colour-blind viewers and on projectors.
/// A python model takes its Rust counterpart's hue family, shifted
/// (threads: sky blue → indigo; processes: orange → vermilion and red), so
/// the pairs read as related but never the same line.
pub fn model_color(model: Model) -> Rgb {
    match model {
        Model::Serial => Rgb(0x9a, 0x9a, 0x9a),
        Model::Threads => Rgb(0x56, 0xb4, 0xe9),
        Model::GilThreads => Rgb(0xcc, 0x79, 0xa7),
        Model::Processes => Rgb(0xe6, 0x9f, 0x00),
        Model::ProcessPerTask => Rgb(0xf0, 0xe4, 0x42),
        Model::PythonSerial => Rgb(0xe0, 0xe0, 0xe0),
        Model::PythonThreads => Rgb(0x8c, 0x9e, 0xff),
        Model::PythonThreadsNogil => Rgb(0x4d, 0xd0, 0xe1),
        Model::PythonProcesses => Rgb(0xff, 0x6e, 0x40),
        Model::PythonExecutor => Rgb(0xff, 0xab, 0x91),
        Model::PythonQueue => Rgb(0xd5, 0x5e, 0x00),
    }
}

/// Each model's colour on a light background: the same hues, deeper, so
/// lines keep their contrast on white slides and light projector themes.
pub fn model_color_light(model: Model) -> Rgb {
    match model {
        Model::Serial => Rgb(0x5c, 0x5c, 0x5c),
        Model::Threads => Rgb(0x00, 0x72, 0xb2),
        Model::GilThreads => Rgb(0xa8, 0x3c, 0x7e),
        Model::Processes => Rgb(0xc2, 0x74, 0x00),
        Model::ProcessPerTask => Rgb(0x8a, 0x7d, 0x00),
        Model::PythonSerial => Rgb(0x22, 0x22, 0x22),
        Model::PythonThreads => Rgb(0x3f, 0x51, 0xb5),
        Model::PythonThreadsNogil => Rgb(0x00, 0x83, 0x8f),
        Model::PythonProcesses => Rgb(0xd8, 0x43, 0x15),
        Model::PythonExecutor => Rgb(0x9e, 0x4a, 0x2a),
        Model::PythonQueue => Rgb(0xa3, 0x3b, 0x00),
    }
}

/// A model's colour on a dark or a light background: the one choice both
/// renderers (window and file) make.
pub fn model_color_on(model: Model, dark: bool) -> Rgb {
    if dark {
        model_color(model)
    } else {
        model_color_light(model)
    }
}

/// The colour of reference lines (ideal, core count).
pub const REFERENCE_COLOR: Rgb = Rgb(0x00, 0x9e, 0x73);

/// The kinds of chart every result set gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChartKind {
    WallTime,
    Speedup,
    Efficiency,
    IpcBytes,
}

impl ChartKind {
    pub const ALL: [ChartKind; 4] = [
        ChartKind::WallTime,
        ChartKind::Speedup,
        ChartKind::Efficiency,
        ChartKind::IpcBytes,
    ];
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
}

/// One line of a chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub model: Model,
    pub line: LineKind,
    pub points: Vec<Point>,
}

/// How a series' line is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    Solid,
    Dashed,
    Dotted,
}

/// A line for orientation, not measured data.
#[derive(Debug, Clone, PartialEq)]
pub enum Reference {
    /// y = x: ideal speedup.
    Diagonal {
        name: String,
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
    pub y_label: String,
    pub unit: Unit,
    pub series: Vec<Series>,
    pub references: Vec<Reference>,
    /// What x is: worker counts, or (for payload sweeps) payload sizes.
    pub x_axis: XAxis,
    /// The x range to show: the smallest and largest x of any run.
    pub x_min: f64,
    pub x_max: f64,
}

/// The quantity on a chart's x axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XAxis {
    /// Worker count.
    Workers,
    /// Echo payload per task, as log2(bytes) so that 1 KiB … 64 MiB spread
    /// evenly; renderers label ticks as 2^x bytes.
    PayloadBytes,
}

impl XAxis {
    /// The x of a run on this axis.
    pub fn of(self, run: &RunRecord) -> f64 {
        match self {
            XAxis::Workers => f64::from(run.workers),
            XAxis::PayloadBytes => (run.payload_bytes.max(1) as f64).log2(),
        }
    }
}

impl Chart {
    /// Whether there is any measured point to draw.
    pub fn is_empty(&self) -> bool {
        self.series.iter().all(|s| s.points.is_empty())
    }
}

/// Formats a y value in the chart's unit, for ticks and hovers alike.
pub fn format_value(unit: Unit, y: f64) -> String {
    match unit {
        Unit::Seconds => format::seconds(y),
        Unit::Times => format!("{y:.2}×"),
        Unit::Percent => format!("{y:.0} %"),
        Unit::Bytes => format::bytes(y.max(0.0).round() as u64),
    }
}

/// Formats an x value: a worker count, or a payload stored as log2(bytes).
pub fn format_x(axis: XAxis, x: f64) -> String {
    match axis {
        XAxis::Workers => format!("{x}"),
        XAxis::PayloadBytes => format::bytes(x.exp2().round() as u64),
    }
}

/// Builds a chart of `kind` from the runs of `set`.
pub fn build(kind: ChartKind, set: &ResultSet) -> Chart {
    let mut payloads: Vec<u64> = set.runs.iter().map(|r| r.payload_bytes).collect();
    payloads.sort_unstable();
    payloads.dedup();
    let x_axis = if payloads.len() > 1 {
        XAxis::PayloadBytes
    } else {
        XAxis::Workers
    };
    let xs = set.runs.iter().map(|r| x_axis.of(r));
    let (x_min, x_max) = match x_axis {
        XAxis::Workers => (0.0, xs.fold(1.0, f64::max)),
        XAxis::PayloadBytes => (
            xs.clone().fold(f64::INFINITY, f64::min),
            xs.fold(f64::NEG_INFINITY, f64::max),
        ),
    };
    let mut chart = Chart {
        kind,
        title: String::new(),
        x_label: match x_axis {
            XAxis::Workers => "workers".to_string(),
            XAxis::PayloadBytes => "payload per task (each way)".to_string(),
        },
        y_label: String::new(),
        unit: Unit::Seconds,
        series: Vec::new(),
        references: Vec::new(),
        x_axis,
        x_min,
        x_max,
    };
    let groups = groups_in(set);
    match kind {
        ChartKind::WallTime => {
            chart.title = "Wall time".to_string();
            chart.y_label = "wall time [s]".to_string();
            for group in &groups {
                chart.series.push(series(
                    set,
                    group,
                    &group.label(),
                    group.line(),
                    x_axis,
                    |r| {
                        Some((
                            r.wall_seconds.median,
                            Some((r.wall_seconds.min, r.wall_seconds.max)),
                        ))
                    },
                ));
            }
            for baseline in [Model::Serial, Model::PythonSerial] {
                let serial = set.runs.iter().find(|r| r.model == baseline);
                if let Some(serial) = serial.filter(|_| x_axis == XAxis::Workers) {
                    chart.references.push(Reference::Horizontal {
                        name: format!("{baseline} baseline"),
                        y: serial.wall_seconds.median,
                        model: Some(baseline),
                    });
                }
            }
        }
        ChartKind::Speedup => {
            chart.title = "Speedup".to_string();
            chart.y_label = "speedup over serial [×]".to_string();
            chart.unit = Unit::Times;
            // Serial is 1× and 100 % by definition; the reference lines say so.
            for group in groups.iter().filter(|g| g.model.uses_workers()) {
                chart.series.push(series(
                    set,
                    group,
                    &group.label(),
                    group.line(),
                    x_axis,
                    |r| r.speedup.map(|s| (s, None)),
                ));
            }
            if x_axis == XAxis::PayloadBytes {
                // Below this line the parallel model loses to serial.
                chart.references.push(Reference::Horizontal {
                    name: "break-even with serial (1×)".to_string(),
                    y: 1.0,
                    model: None,
                });
            } else {
                chart.references.push(Reference::Diagonal {
                    name: "ideal (speedup = workers)".to_string(),
                });
            }
            if let Some(cores) = set
                .machine
                .physical_cores
                .filter(|_| x_axis == XAxis::Workers)
            {
                chart.references.push(Reference::Vertical {
                    name: format!("physical cores ({cores})"),
                    x: f64::from(cores),
                });
            }
        }
        ChartKind::Efficiency => {
            chart.title = "Efficiency".to_string();
            chart.y_label = "efficiency [%]".to_string();
            chart.unit = Unit::Percent;
            // Serial is 1× and 100 % by definition; the reference lines say so.
            for group in groups.iter().filter(|g| g.model.uses_workers()) {
                chart.series.push(series(
                    set,
                    group,
                    &group.label(),
                    group.line(),
                    x_axis,
                    |r| r.efficiency.map(|e| (e * 100.0, None)),
                ));
            }
            chart.references.push(Reference::Horizontal {
                name: "ideal (100 %)".to_string(),
                y: 100.0,
                model: None,
            });
        }
        ChartKind::IpcBytes => {
            chart.title = "IPC bytes per repetition".to_string();
            chart.y_label = "bytes per repetition".to_string();
            chart.unit = Unit::Bytes;
            // Comparing workloads, zero lines for shared memory would only
            // crowd the legend.
            let compares_workloads = groups.iter().any(|g| g.workload.is_some());
            for group in groups
                .iter()
                .filter(|g| !compares_workloads || g.model.uses_processes())
            {
                let model = group.model;
                if model.uses_processes() {
                    chart.series.push(series(
                        set,
                        group,
                        &format!("{} to workers", group.label()),
                        group.line(),
                        x_axis,
                        |r| Some((r.ipc.bytes_to_workers as f64, None)),
                    ));
                    chart.series.push(series(
                        set,
                        group,
                        &format!("{} from workers", group.label()),
                        LineKind::Dashed,
                        x_axis,
                        |r| Some((r.ipc.bytes_from_workers as f64, None)),
                    ));
                } else {
                    // Nothing crosses a process boundary: one line at zero
                    // says so without doubling the legend.
                    chart.series.push(series(
                        set,
                        group,
                        &format!("{} (shared memory)", group.label()),
                        group.line(),
                        x_axis,
                        |r| {
                            Some((
                                (r.ipc.bytes_to_workers + r.ipc.bytes_from_workers) as f64,
                                None,
                            ))
                        },
                    ));
                }
            }
        }
    }
    chart
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
}

impl Group {
    fn label(&self) -> String {
        let mut label = self.model.to_string();
        if let Some(schedule) = self.schedule {
            label = format!("{label} · {schedule}");
        }
        if let Some(workload) = self.workload {
            label = format!("{workload} · {label}");
        }
        label
    }

    /// How the series is drawn: the first workload solid, others dashed
    /// and dotted; a static schedule dashed beside the solid queue.
    fn line(&self) -> LineKind {
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
    let mut groups = Vec::new();
    for (workload_rank, &workload) in workloads.iter().enumerate() {
        for &model in &models {
            let schedules: Vec<Option<Schedule>> = if compares_schedules && model.uses_workers() {
                Schedule::ALL.into_iter().map(Some).collect()
            } else {
                vec![None]
            };
            for schedule in schedules {
                let group = Group {
                    model,
                    schedule,
                    workload: compares_workloads.then_some(workload),
                    workload_rank,
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
    groups
}

/// The series of one model: a point per run, sorted by x. Over payloads,
/// the model's largest worker count stands for it.
fn series(
    set: &ResultSet,
    group: &Group,
    name: &str,
    line: LineKind,
    x_axis: XAxis,
    value: impl Fn(&RunRecord) -> Option<(f64, Option<(f64, f64)>)>,
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
        .filter(|r| x_axis == XAxis::Workers || Some(r.workers) == workers)
        .filter_map(|r| {
            value(r).map(|(y, spread)| Point {
                x: x_axis.of(r),
                y,
                spread,
            })
        })
        .collect();
    points.sort_by(|a, b| a.x.total_cmp(&b.x));
    Series {
        name: name.to_string(),
        model: group.model,
        line,
        points,
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
    fn speedup_chart_has_a_sorted_series_per_model_and_references() {
        let chart = build(ChartKind::Speedup, &set());
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
                .any(|r| matches!(r, Reference::Diagonal { .. }))
        );
        assert_eq!(chart.x_max, 2.0);
    }

    #[test]
    fn wall_chart_keeps_whiskers_and_units() {
        let chart = build(ChartKind::WallTime, &set());
        assert!(chart.y_label.contains("[s]"));
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
}
