//! A run's timeline as Chrome trace-event JSON, to open in Perfetto UI or
//! `chrome://tracing` beside other traces.
//!
//! The file is the JSON object format (`{"traceEvents": […]}`): metadata
//! events name each process and thread, and each bar of the
//! [`crate::activity::Timeline`] is one complete (`"ph": "X"`) event with
//! `ts` and `dur` in microseconds from the start of the median repetition.
//! Worker processes (processes, process-per-task) get a pid each, named
//! `corescope worker N`; thread models share one pid, `corescope`, with a
//! tid per thread named as the engine names it (`corescope-threads-0`).
//! Each task is one slice (`cat` "task"; a group of short tasks timed as
//! one span is one slice, named "tasks 120–183"); where the IPC phases
//! were stamped (worker processes), each phase is a slice nested inside
//! its task's.
//! gil-threads' lock holds go on a track of their own beside each thread,
//! so they never cross a task's slice on the same track.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Value, json};

use super::{ExportError, write_atomic};
use crate::activity::{self, Mark, TaskBar};
use crate::analysis::Phase;
use crate::model::{Model, Naming};
use crate::results::RunRecord;

/// The pid given to the corescope process itself; workers get 2, 3, ….
/// (Trace viewers take pid 0 for the kernel's idle task.)
const PARENT_PID: u64 = 1;
/// Added to a thread's tid for its track of lock holds.
const HOLDS_TID_OFFSET: u64 = 1000;

/// Where a lane's slices go: (pid, tid).
fn track(model: Model, lane: u32) -> (u64, u64) {
    if model.info().naming.worker_process.is_some() {
        // A process's main thread has the process's id, as on Linux.
        let pid = u64::from(lane) + 2;
        (pid, pid)
    } else {
        (PARENT_PID, u64::from(lane))
    }
}

fn micros(seconds: f64) -> f64 {
    // Whole nanoseconds: the precision of the stamps.
    (seconds * 1e9).round() / 1e3
}

/// The trace of `run`'s median repetition, as a JSON value.
pub fn trace(run: &RunRecord) -> Value {
    let timeline = activity::timeline(run);
    let mut events = names(run, &timeline);
    events.extend(slices(run.model, &timeline));
    json!({
        "traceEvents": events,
        "displayTimeUnit": "ms",
        "otherData": {
            "tool": format!("corescope {}", env!("CARGO_PKG_VERSION")),
            "run": activity::run_title(run),
            "repetition": "median",
            "wall_seconds": timeline.wall_seconds,
        },
    })
}

/// A metadata event: a process's or thread's name or sort index.
fn meta(name: &str, pid: u64, tid: Option<u64>, value: Value) -> Value {
    let mut event = json!({ "name": name, "ph": "M", "pid": pid, "args": value });
    if let Some(tid) = tid {
        event["tid"] = json!(tid);
    }
    event
}

/// The metadata events that name and order every process and thread, as
/// the model catalogue names them.
fn names(run: &RunRecord, timeline: &activity::Timeline) -> Vec<Value> {
    let model = run.model;
    let naming = model.info().naming;
    let mut events = Vec::new();
    // Worker processes are named below; the parent runs no task of theirs.
    if naming.worker_process.is_none() {
        // CPython's serial and threads models run in the harness process.
        let process = format!("{} ({})", naming.host_process, run.label());
        events.push(meta(
            "process_name",
            PARENT_PID,
            None,
            json!({ "name": process }),
        ));
    }
    for lane in 0..timeline.lanes.len() {
        let lane = u32::try_from(lane).unwrap_or(u32::MAX);
        let (pid, tid) = track(model, lane);
        let thread = Naming::fill(naming.thread, model, lane);
        if let Some(template) = naming.worker_process {
            let process = Naming::fill(template, model, lane);
            events.push(meta("process_name", pid, None, json!({ "name": process })));
            events.push(meta(
                "process_sort_index",
                pid,
                None,
                json!({ "sort_index": pid }),
            ));
        }
        let mut thread_meta = |tid: u64, name: String, sort_index: u64| {
            events.push(meta("thread_name", pid, Some(tid), json!({ "name": name })));
            events.push(meta(
                "thread_sort_index",
                pid,
                Some(tid),
                json!({ "sort_index": sort_index }),
            ));
        };
        if !timeline.holds.is_empty() {
            thread_meta(tid, thread.clone(), tid * 2);
            thread_meta(
                tid + HOLDS_TID_OFFSET,
                format!("{thread} · GIL held"),
                tid * 2 + 1,
            );
        } else {
            thread_meta(tid, thread, tid * 2);
        }
    }
    events
}

/// A complete ("X") slice on a lane's track.
fn slice(
    model: Model,
    lane: u32,
    (start, end): (f64, f64),
    name: &str,
    cat: &str,
    args: Value,
) -> Value {
    let (pid, tid) = track(model, lane);
    json!({
        "name": name,
        "cat": cat,
        "ph": "X",
        "ts": micros(start),
        "dur": micros((end - start).max(0.0)),
        "pid": pid,
        "tid": tid,
        "args": args,
    })
}

/// One slice per task from its first phase to its last; where the IPC
/// phases are known, each is a slice nested inside it; and the lock holds
/// on their own tracks.
fn slices(model: Model, timeline: &activity::Timeline) -> Vec<Value> {
    let mut events = Vec::new();
    let mut tasks: BTreeMap<(u32, u32), Vec<&TaskBar>> = BTreeMap::new();
    for bar in &timeline.bars {
        tasks.entry((bar.lane, bar.task)).or_default().push(bar);
    }
    for ((lane, task), bars) in &tasks {
        let start = bars.iter().map(|b| b.start).fold(f64::INFINITY, f64::min);
        let end = bars.iter().map(|b| b.end).fold(f64::NEG_INFINITY, f64::max);
        let compute = bars
            .iter()
            .find(|b| b.mark == Mark::Task(Phase::Compute))
            .map_or(0.0, |b| b.duration());
        // A group of short tasks timed as one span: "tasks 120–183".
        let (count, last) = bars.first().map_or((1, *task), |b| (b.tasks, b.last_task));
        let args = json!({
            "worker": lane,
            "task": task,
            "tasks": count,
            "compute_us": micros(compute)
        });
        let name = crate::results::tasks_label(*task, count, last);
        events.push(slice(model, *lane, (start, end), &name, "task", args));
        if bars.len() > 1 {
            for bar in bars {
                let label = bar.mark.label();
                let args = json!({ "worker": lane, "task": task });
                events.push(slice(
                    model,
                    *lane,
                    (bar.start, bar.end),
                    label,
                    label,
                    args,
                ));
            }
        }
    }
    for hold in &timeline.holds {
        let args = json!({ "worker": hold.lane, "task": hold.task });
        let span = (hold.start, hold.end);
        let mut event = slice(model, hold.lane, span, "GIL held", "GIL held", args);
        event["tid"] = json!(track(model, hold.lane).1 + HOLDS_TID_OFFSET);
        events.push(event);
    }
    events
}

/// Writes the trace of `run` to `path` (atomically).
pub fn write(run: &RunRecord, path: &Path) -> Result<(), ExportError> {
    let value = trace(run);
    write_atomic(path, |w| {
        serde_json::to_writer(w, &value).map_err(|e| ExportError::Encode {
            path: path.display().to_string(),
            reason: e.to_string(),
        })
    })
}

/// The trace's name in a report's run folder.
pub const FILE_NAME: &str = "trace.json";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::testing::{record, span};

    fn slices(trace: &Value) -> Vec<&Value> {
        trace["traceEvents"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["ph"] == "X")
            .collect()
    }

    #[test]
    fn a_group_of_tasks_is_one_slice_named_by_its_tasks() {
        let mut run = record(Model::Threads, 1, 1.0);
        run.spans = vec![crate::results::testing::group(0, 120, 64, 0.0, 0.001)];
        let trace = trace(&run);
        let slices = slices(&trace);
        assert_eq!(slices.len(), 1);
        assert_eq!(slices[0]["name"], "tasks 120\u{2013}183");
        assert_eq!(slices[0]["args"]["tasks"], 64);
    }

    #[test]
    fn processes_get_a_pid_each_and_a_slice_per_task() {
        let mut run = record(Model::Processes, 2, 1.0);
        run.spans = vec![
            span(0, 0, 0.0, 0.001),
            span(1, 1, 0.0005, 0.002),
            span(0, 2, 0.001, 0.0025),
        ];
        let trace = trace(&run);
        let slices = slices(&trace);
        assert_eq!(slices.len(), 3);
        let task1 = slices.iter().find(|s| s["name"] == "task 1").unwrap();
        assert_eq!(task1["pid"], 3);
        assert_eq!(task1["tid"], 3);
        assert_eq!(task1["ts"], 500.0);
        assert_eq!(task1["dur"], 1500.0);
        assert!(
            slices
                .iter()
                .any(|s| s["name"] == "task 2" && s["pid"] == 2)
        );
        let names: Vec<&str> = trace["traceEvents"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["name"] == "process_name")
            .map(|e| e["args"]["name"].as_str().unwrap())
            .collect();
        assert!(names.contains(&"corescope worker 1"), "{names:?}");
    }

    #[test]
    fn ipc_phases_nest_inside_their_task() {
        let mut run = record(Model::Processes, 1, 1.0);
        let mut one = span(0, 0, 0.002, 0.005);
        one.ipc = Some(Box::new(crate::results::SpanIpc {
            spawned_seconds: None,
            received_seconds: 0.001,
            read_seconds: 0.0015,
            reply_seconds: 0.006,
            replied_seconds: 0.007,
            returned_seconds: 0.0075,
        }));
        run.spans = vec![one];
        let trace = trace(&run);
        let slices = slices(&trace);
        let task: Vec<&&Value> = slices.iter().filter(|s| s["cat"] == "task").collect();
        assert_eq!(task.len(), 1);
        assert_eq!(
            (task[0]["ts"].clone(), task[0]["dur"].clone()),
            (json!(1000.0), json!(6000.0))
        );
        assert_eq!(task[0]["args"]["compute_us"], 3000.0);
        let phases: Vec<&str> = slices
            .iter()
            .filter(|s| s["cat"] != "task")
            .map(|s| s["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            phases,
            [
                "transfer",
                "serialization",
                "compute",
                "serialization",
                "transfer"
            ]
        );
        for s in &slices {
            let (ts, dur) = (s["ts"].as_f64().unwrap(), s["dur"].as_f64().unwrap());
            assert!(ts >= 1000.0 && ts + dur <= 7000.0 + 1e-9, "{s}");
        }
    }

    #[test]
    fn gil_holds_get_their_own_track() {
        let mut run = record(Model::GilThreads, 2, 1.0);
        run.spans = vec![span(0, 0, 0.0, 0.01), span(1, 1, 0.0, 0.01)];
        run.gil_holds = vec![span(0, 0, 0.0, 0.005), span(1, 1, 0.005, 0.01)];
        let trace = trace(&run);
        let slices = slices(&trace);
        assert_eq!(slices.len(), 4);
        assert!(slices.iter().all(|s| s["pid"] == 1));
        let holds: Vec<&&Value> = slices.iter().filter(|s| s["name"] == "GIL held").collect();
        assert_eq!(holds.len(), 2);
        assert_eq!(holds[1]["tid"], 1001);
        let threads: Vec<&str> = trace["traceEvents"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["name"] == "thread_name")
            .map(|e| e["args"]["name"].as_str().unwrap())
            .collect();
        assert!(threads.contains(&"corescope-gil-threads-1"), "{threads:?}");
    }
}
