//! The line charts of one result set, one function per kind: wall time,
//! speedup, efficiency, IPC bytes, the counter's cost per increment and a
//! command's throughput.

use super::groups::{Frame, Group, curve, series};
use super::{Chart, LineKind, Point, Reference, Series, Unit, XAxis};
use crate::analysis;
use crate::spec::{Model, Scaling};

/// Wall time by model and workers, with the serial baselines.
pub(super) fn wall_time(frame: &Frame<'_>, chart: &mut Chart) {
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
pub(super) fn speedup(
    frame: &Frame<'_>,
    chart: &mut Chart,
    predictions: &[(Group, analysis::ScalingFit)],
) {
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

/// Tasks finished per second by model and workers (`--command`): the
/// wall time's reciprocal times the tasks, its spread and interval turned
/// over with it, and serial's rate as the level to beat.
pub(super) fn throughput(frame: &Frame<'_>, chart: &mut Chart) {
    chart.title = "Throughput".to_string();
    chart.y_label = "tasks per second".to_string();
    chart.unit = Unit::PerSecond;
    let rate = |tasks: u32, wall: f64| {
        if wall > 0.0 {
            f64::from(tasks) / wall
        } else {
            0.0
        }
    };
    frame.per_group(
        chart,
        false,
        &|r| {
            let w = r.wall_seconds;
            Some((
                rate(r.tasks, w.median),
                Some((rate(r.tasks, w.max), rate(r.tasks, w.min))),
            ))
        },
        &|r| {
            r.wall_ci
                .map(|ci| (rate(r.tasks, ci.high), rate(r.tasks, ci.low)))
        },
    );
    for baseline in Model::ALL.into_iter().filter(|m| !m.uses_workers()) {
        let serial = frame.set.runs.iter().find(|r| r.model == baseline);
        if let Some(serial) = serial.filter(|_| frame.x_axis == XAxis::Workers) {
            chart.references.push(Reference::Horizontal {
                name: format!("{baseline}: one at a time"),
                y: rate(serial.tasks, serial.wall_seconds.median),
                model: Some(baseline),
            });
        }
    }
}

/// Efficiency against the 100 % line.
pub(super) fn efficiency(frame: &Frame<'_>, chart: &mut Chart) {
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
pub(super) fn ipc_bytes(frame: &Frame<'_>, chart: &mut Chart) {
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
pub(super) fn increment_cost(frame: &Frame<'_>, chart: &mut Chart) {
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
