//! The curves of a chart: which runs one series stands for (a model, and
//! the schedule, workload or sharing mode a set compares), its name and
//! line, and its points; the [`Frame`] every line chart of a set is drawn
//! from, and the points of a law's [`curve`].

use super::{Chart, LineKind, Point, Series, XAxis};
use crate::results::{ResultSet, RunRecord};
use crate::spec::{Model, Schedule};
use crate::workload::{Sharing, Workload};

/// The runs a series stands for: one model, and one schedule when the set
/// compares schedules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Group {
    pub(super) model: Model,
    schedule: Option<Schedule>,
    /// The workload, when the set compares several.
    pub(super) workload: Option<Workload>,
    /// Position of the workload among those compared (0 when one).
    workload_rank: usize,
    /// `counter`: the sharing mode, when the set compares several.
    sharing: Option<Sharing>,
}

impl Group {
    pub(super) fn label(&self) -> String {
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
    pub(super) fn line(&self) -> LineKind {
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

    pub(super) fn contains(&self, run: &RunRecord) -> bool {
        run.model == self.model
            && self.schedule.is_none_or(|s| s == run.schedule)
            && self.workload.is_none_or(|w| w == run.workload)
            && self.sharing.is_none_or(|s| Some(s) == run.sharing)
    }
}

/// A group's series name: its label, and for MPI runs whose ranks
/// outnumbered a host's cores, from which worker count on
/// (`mpi (oversubscribed from ×2)`): there ranks share cores.
pub(super) fn series_name(set: &ResultSet, group: &Group) -> String {
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

/// The groups of a set's runs: a series each.
pub(super) fn groups_in(set: &ResultSet) -> Vec<Group> {
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
pub(super) type ValueOf<'a> = dyn Fn(&RunRecord) -> Option<(f64, Option<(f64, f64)>)> + 'a;

/// A run's confidence interval on a chart, where it has one.
pub(super) type CiOf<'a> = dyn Fn(&RunRecord) -> Option<(f64, f64)> + 'a;

/// The series of one model: a point per run, sorted by x. Over payloads,
/// the model's largest worker count stands for it.
pub(super) fn series(
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
pub(super) fn series_with_ci(
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

/// What every line chart of one set is drawn from.
pub(super) struct Frame<'a> {
    pub(super) set: &'a ResultSet,
    pub(super) groups: Vec<Group>,
    pub(super) x_axis: XAxis,
}

impl Frame<'_> {
    /// A series per group, named and drawn as the group; `workers_only`
    /// leaves out serial, which is 1× and 100 % by definition (the
    /// reference lines say so).
    pub(super) fn per_group(
        &self,
        chart: &mut Chart,
        workers_only: bool,
        value: &ValueOf<'_>,
        ci: &CiOf<'_>,
    ) {
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

/// Points of `law(p)` over x in `[from, to]` on a worker axis: whole worker
/// counts on a linear axis, eighths of a doubling on a log2 one.
pub(super) fn curve(axis: XAxis, from: f64, to: f64, law: impl Fn(f64) -> f64) -> Vec<(f64, f64)> {
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
