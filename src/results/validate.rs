//! A loaded result set, checked whole before anything trusts it.
//!
//! A result file may have been edited, truncated or written by anyone:
//! every count and index in it is bounded (a worker index sizes the
//! timeline's lanes, a worker count its rows), every time, ratio and
//! percentage must be finite and in range, and the fields that restate one
//! another must agree (a span's worker below the run's worker count, its
//! end after its start, a memory total equal to its parts). The first
//! problem found is reported with the field's path, such as
//! `runs[2].spans[5].worker`.

use super::{
    CodeRecord, CpuSample, Interval, IpcTotals, Isolation, MachineInfo, MemoryRecord, MemorySample,
    MpiRecord, Recommendation, RepetitionRecord, ResultSet, RunRecord, SpanIpc, SpanRecord,
};
use crate::measure::stats::Summary;
use crate::spec::Model;
use crate::spec::{
    MAX_IN_FLIGHT, MAX_PAYLOAD_BYTES, MAX_REPEATS, MAX_RUNTIME_THREADS, MAX_TASKS, MAX_WORKERS,
};

/// Most runs in one set: a sweep of every model, worker count, workload,
/// payload and schedule stays far below; an experiment is refused past it.
pub use crate::limits::MAX_RUNS;
/// Longest time any field may hold: about 115 days.
pub const MAX_SECONDS: f64 = 1e7;
/// Largest speedup or efficiency believed (1024 workers of sleep tasks
/// reach ~1000).
pub const MAX_RATIO: f64 = 1e5;
/// Most logical cores a machine (and a CPU sample) may have.
pub const MAX_CORES: u32 = 65_536;
/// Largest byte count of any memory or pipe figure: 1 PiB.
pub const MAX_BYTES: u64 = 1 << 50;

/// A field that failed its check, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The field's path in the file, such as `runs[2].spans[5].worker`.
    pub field: String,
    pub reason: String,
}

type Checked = Result<(), Invalid>;

fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Invalid {
    Invalid {
        field: field.into(),
        reason: reason.into(),
    }
}

/// A number of seconds: finite, from 0 to [`MAX_SECONDS`].
fn seconds(field: &str, value: f64) -> Checked {
    if value.is_finite() && (0.0..=MAX_SECONDS).contains(&value) {
        Ok(())
    } else {
        Err(invalid(
            field,
            format!("{value} is not a time from 0 to {MAX_SECONDS} s"),
        ))
    }
}

/// A time relative to a repetition's start: may be negative (samples taken
/// before it), never beyond [`MAX_SECONDS`] either way.
fn offset(field: &str, value: f64) -> Checked {
    if value.is_finite() && value.abs() <= MAX_SECONDS {
        Ok(())
    } else {
        Err(invalid(
            field,
            format!("{value} is not a time within ±{MAX_SECONDS} s"),
        ))
    }
}

fn count(field: &str, value: u64, low: u64, high: u64) -> Checked {
    if (low..=high).contains(&value) {
        Ok(())
    } else {
        Err(invalid(
            field,
            format!("{value} is not from {low} to {high}"),
        ))
    }
}

fn bytes(field: &str, value: u64) -> Checked {
    count(field, value, 0, MAX_BYTES)
}

fn summary(field: &str, s: &Summary) -> Checked {
    seconds(&format!("{field}.median"), s.median)?;
    seconds(&format!("{field}.min"), s.min)?;
    seconds(&format!("{field}.max"), s.max)?;
    if s.min <= s.median && s.median <= s.max {
        Ok(())
    } else {
        Err(invalid(
            field,
            format!(
                "min {} ≤ median {} ≤ max {} does not hold",
                s.min, s.median, s.max
            ),
        ))
    }
}

fn ratio(field: &str, value: Option<f64>) -> Checked {
    match value {
        Some(v) if !(v.is_finite() && v > 0.0 && v <= MAX_RATIO) => Err(invalid(
            field,
            format!("{v} is not a ratio above 0 and at most {MAX_RATIO}"),
        )),
        _ => Ok(()),
    }
}

/// Checks a whole result set; the first problem found names its field.
pub fn check(set: &ResultSet) -> Checked {
    machine(&set.machine)?;
    if set.runs.len() > MAX_RUNS {
        return Err(invalid(
            "runs",
            format!("{} runs; at most {MAX_RUNS} are read", set.runs.len()),
        ));
    }
    for (i, run) in set.runs.iter().enumerate() {
        run_record(&format!("runs[{i}]"), run)?;
    }
    if set.timed_out.len() > MAX_RUNS {
        return Err(invalid("timed_out", format!("more than {MAX_RUNS} runs")));
    }
    for (i, run) in set.timed_out.iter().enumerate() {
        let at = format!("timed_out[{i}]");
        count(&format!("{at}.index"), run.index as u64, 0, MAX_RUNS as u64)?;
        seconds(&format!("{at}.limit_seconds"), run.limit_seconds)?;
        if run.label.chars().count() > 200 {
            return Err(invalid(format!("{at}.label"), "longer than 200 characters"));
        }
    }
    if let Some(isolation) = &set.isolation {
        check_isolation(isolation, set.runs.len())?;
    }
    if let Some(recommendation) = &set.recommendation {
        check_recommendation(recommendation)?;
    }
    Ok(())
}

/// A text field of at most `most` characters.
fn text(field: &str, value: &str, most: usize) -> Checked {
    if value.chars().count() > most {
        return Err(invalid(field, format!("longer than {most} characters")));
    }
    Ok(())
}

/// `--code`'s record: a digest of SHA-256's 64 hex digits (none if the
/// run measured nothing), a function name and a file path of the sizes
/// `--code` takes.
fn code_record(at: &str, c: &CodeRecord) -> Checked {
    let f = |name: &str| format!("{at}.{name}");
    if !(c.digest.is_empty()
        || (c.digest.len() == 64 && c.digest.chars().all(|d| d.is_ascii_hexdigit())))
    {
        return Err(invalid(f("digest"), "not 64 hex digits"));
    }
    let most = crate::workload::code::MAX_CODE_TEXT;
    text(&f("function"), &c.target.function, most)?;
    text(&f("file"), &c.target.file.to_string_lossy(), most)?;
    text(&f("reimport"), c.reimport.as_deref().unwrap_or(""), 1000)
}

/// The set's isolation finding: no more groups or labels than runs, each
/// text bounded.
fn check_isolation(i: &Isolation, runs: usize) -> Checked {
    text("isolation.sentence", &i.sentence, 1000)?;
    let labels =
        i.groups.iter().map(|g| g.runs.len()).sum::<usize>() + i.changed_between_repetitions.len();
    if labels > 2 * runs {
        return Err(invalid(
            "isolation.groups",
            format!("{labels} run labels for {runs} runs"),
        ));
    }
    let named = i.between.iter().flatten();
    let grouped = i.groups.iter().flat_map(|g| g.runs.iter());
    for label in named.chain(grouped).chain(&i.changed_between_repetitions) {
        text("isolation", label, 200)?;
    }
    for (n, group) in i.groups.iter().enumerate() {
        text(&format!("isolation.groups[{n}].digest"), &group.digest, 64)?;
    }
    Ok(())
}

/// The set's recommendation: a figure and a cost per model at most,
/// worker counts, ratios and times in range, texts bounded.
fn check_recommendation(r: &Recommendation) -> Checked {
    let at = "recommendation";
    text(&format!("{at}.sentence"), &r.sentence, 1000)?;
    text(
        &format!("{at}.threshold.sentence"),
        &r.threshold.sentence,
        1000,
    )?;
    text(
        &format!("{at}.threshold.varied"),
        r.threshold.varied.as_deref().unwrap_or(""),
        20,
    )?;
    let workers = |field: String, n: u32| count(&field, n.into(), 1, MAX_WORKERS.into());
    if let Some(n) = r.workers {
        workers(format!("{at}.workers"), n)?;
    }
    if r.models.len() > Model::ALL.len() || r.costs.len() > Model::ALL.len() {
        return Err(invalid(at, "more than one figure or cost per model"));
    }
    let interval = |field: String, i: Option<Interval>| match i {
        Some(i) => ratio(&format!("{field}.low"), Some(i.low))
            .and(ratio(&format!("{field}.high"), Some(i.high))),
        None => Ok(()),
    };
    for (n, f) in r.models.iter().enumerate() {
        let field = format!("{at}.models[{n}]");
        workers(format!("{field}.workers"), f.workers)?;
        ratio(&format!("{field}.speedup"), Some(f.speedup))?;
        interval(format!("{field}.interval"), f.interval)?;
    }
    for (n, c) in r.costs.iter().enumerate() {
        let field = format!("{at}.costs[{n}]");
        workers(format!("{field}.workers"), c.workers)?;
        seconds(&format!("{field}.startup_seconds"), c.startup_seconds)?;
        seconds(
            &format!("{field}.startup_per_task_seconds"),
            c.startup_per_task_seconds,
        )?;
        let per_task = c.ipc_seconds_per_task.unwrap_or(0.0);
        seconds(&format!("{field}.ipc_seconds_per_task"), per_task)?;
        if !(c.ipc_bytes_per_task.is_finite()
            && (0.0..=MAX_BYTES as f64).contains(&c.ipc_bytes_per_task))
        {
            return Err(invalid(
                format!("{field}.ipc_bytes_per_task"),
                "not a byte count",
            ));
        }
    }
    Ok(())
}

fn machine(m: &MachineInfo) -> Checked {
    let cores = u64::from(MAX_CORES);
    count("machine.logical_cores", m.logical_cores.into(), 1, cores)?;
    if let Some(p) = m.physical_cores {
        count("machine.physical_cores", p.into(), 1, cores)?;
    }
    Ok(())
}

fn run_record(at: &str, r: &RunRecord) -> Checked {
    let f = |name: &str| format!("{at}.{name}");
    count(&f("workers"), r.workers.into(), 1, MAX_WORKERS.into())?;
    count(&f("tasks"), r.tasks.into(), 1, MAX_TASKS.into())?;
    count(&f("chunk"), r.chunk.into(), 1, r.tasks.into())?;
    count(&f("repeats"), r.repeats.into(), 1, MAX_REPEATS.into())?;
    count(&f("warmup"), r.warmup.into(), 0, MAX_REPEATS.into())?;
    count(&f("payload_bytes"), r.payload_bytes, 0, MAX_PAYLOAD_BYTES)?;
    // The size the command line allows for the workload: a file's 10^12
    // sleep would rerun for ever.
    let most = match crate::settings::Setting::Size.info().kind {
        crate::settings::ValueKind::Count { max, .. } => max,
        _ => u64::MAX,
    };
    let (low, high) = (r.workload.min_size(), r.workload.max_size().min(most));
    count(&f("size"), r.size, low, high)?;
    // The settings a run is re-run with (`rerun`), bounded as the command
    // line bounds them: an in-flight of 0 would never send a task.
    count(&f("in_flight"), r.in_flight.into(), 1, MAX_IN_FLIGHT.into())?;
    if let Some(threads) = r.runtime_threads {
        count(
            &f("runtime_threads"),
            threads.into(),
            1,
            MAX_RUNTIME_THREADS.into(),
        )?;
    }
    summary(&f("wall_seconds"), &r.wall_seconds)?;
    summary(&f("compute_seconds"), &r.compute_seconds)?;
    summary(&f("cpu_seconds"), &r.cpu_seconds)?;
    seconds(&f("spawn_seconds"), r.spawn_seconds)?;
    ratio(&f("speedup"), r.speedup)?;
    ratio(&f("efficiency"), r.efficiency)?;
    ipc(&f("ipc"), &r.ipc)?;
    if r.checksum.len() > 64 {
        return Err(invalid(f("checksum"), "longer than 64 characters"));
    }
    if let Some(s) = r.switch_interval_seconds {
        if !(s.is_finite() && s > 0.0 && s <= 1.0) {
            return Err(invalid(
                f("switch_interval_seconds"),
                format!("{s} is not from 0 to 1 s"),
            ));
        }
    }
    // The engine keeps one record per measured repetition.
    if r.repetitions.len() > r.repeats as usize {
        return Err(invalid(
            f("repetitions"),
            format!(
                "{} repetitions, but repeats is {}",
                r.repetitions.len(),
                r.repeats
            ),
        ));
    }
    for (i, rep) in r.repetitions.iter().enumerate() {
        repetition(&format!("{at}.repetitions[{i}]"), rep)?;
    }
    spans(&f("spans"), &r.spans, r, true)?;
    spans(&f("gil_holds"), &r.gil_holds, r, false)?;
    model_figures(at, r)?;
    // Process-per-task starts one per task and repetition, plus retries
    // never; anything beyond is made up.
    let most = u64::from(r.tasks) * u64::from(r.repeats + r.warmup) + u64::from(r.workers);
    count(&f("processes_started"), r.processes_started, 0, most)?;
    memory(&f("memory"), &r.memory, r)?;
    for (i, s) in r.cpu_samples.iter().enumerate() {
        cpu_sample(&format!("{at}.cpu_samples[{i}]"), s)?;
    }
    for (i, s) in r.memory_samples.iter().enumerate() {
        memory_sample(&format!("{at}.memory_samples[{i}]"), s, r)?;
    }
    Ok(())
}

/// The figures only some models record are present only for them, and
/// sized as the catalogue says: GIL holds for the emulated GIL, the
/// interpreter for CPython's models, an MPI job's ranks for MPI's.
fn model_figures(at: &str, r: &RunRecord) -> Checked {
    let f = |name: &str| format!("{at}.{name}");
    let model = r.model;
    if !r.gil_holds.is_empty() && !model.records_gil_holds() {
        return Err(invalid(
            f("gil_holds"),
            format!("{model} holds no emulated lock"),
        ));
    }
    let python = [
        ("python_interpreter", r.python_interpreter.is_some()),
        ("python_version", r.python_version.is_some()),
        ("gil_enabled", r.gil_enabled.is_some()),
    ];
    if let Some((name, _)) = python.iter().find(|(_, set)| *set && !model.is_python()) {
        return Err(invalid(f(name), format!("{model} runs no CPython")));
    }
    if let Some(code) = &r.code {
        if !model.is_python() {
            return Err(invalid(f("code"), format!("{model} runs no CPython")));
        }
        code_record(&f("code"), code)?;
    }
    if let Some(command) = &r.command {
        if !model.runs_commands() {
            return Err(invalid(f("command"), format!("{model} runs no command")));
        }
        crate::workload::command::parse(command).map_err(|why| invalid(f("command"), why))?;
    }
    match (&r.mpi, model.mpi_ranks(r.workers)) {
        (None, _) => Ok(()),
        (Some(_), None) => Err(invalid(f("mpi"), format!("{model} runs no MPI job"))),
        (Some(mpi), Some(most)) => mpi_record(&f("mpi"), mpi, most),
    }
}

/// An MPI job's ranks: at most rank 0 and one per worker, each with
/// finite clock figures and bounded counts.
fn mpi_record(at: &str, m: &MpiRecord, most: u32) -> Checked {
    if m.ranks.len() > most as usize {
        return Err(invalid(
            format!("{at}.ranks"),
            format!("{} ranks; the run had at most {most}", m.ranks.len()),
        ));
    }
    for (i, rank) in m.ranks.iter().enumerate() {
        let f = |name: &str| format!("{at}.ranks[{i}].{name}");
        count(&f("rank"), rank.rank.into(), 0, most.into())?;
        count(&f("cpus"), rank.cpus.into(), 0, MAX_CORES.into())?;
        offset(&f("clock_offset_seconds"), rank.clock_offset_seconds)?;
        seconds(
            &f("clock_round_trip_seconds"),
            rank.clock_round_trip_seconds,
        )?;
        bytes(&f("bytes_sent"), rank.bytes_sent)?;
        bytes(&f("bytes_received"), rank.bytes_received)?;
        bytes(&f("messages"), rank.messages)?;
    }
    Ok(())
}

fn ipc(at: &str, t: &IpcTotals) -> Checked {
    bytes(&format!("{at}.bytes_to_workers"), t.bytes_to_workers)?;
    bytes(&format!("{at}.bytes_from_workers"), t.bytes_from_workers)?;
    bytes(&format!("{at}.messages"), t.messages)
}

fn repetition(at: &str, rep: &RepetitionRecord) -> Checked {
    seconds(&format!("{at}.wall_seconds"), rep.wall_seconds)?;
    seconds(&format!("{at}.compute_seconds"), rep.compute_seconds)?;
    seconds(&format!("{at}.cpu_seconds"), rep.cpu_seconds)?;
    ipc(&format!("{at}.ipc"), &rep.ipc)
}

/// Task spans (or lock holds): a worker below the run's worker count,
/// tasks within its task count, a start before the end; task spans cover
/// each task at most once, and a group of tasks never overlaps another
/// span on its worker.
fn spans(at: &str, list: &[SpanRecord], run: &RunRecord, one_per_task: bool) -> Checked {
    if one_per_task && list.len() > run.tasks as usize {
        return Err(invalid(
            at,
            format!("{} spans for {} tasks", list.len(), run.tasks),
        ));
    }
    // Each task once: a task twice would count its time twice.
    let mut seen = vec![false; if one_per_task { run.tasks as usize } else { 0 }];
    for (i, s) in list.iter().enumerate() {
        let f = |name: &str| format!("{at}[{i}].{name}");
        if s.worker >= run.workers {
            return Err(invalid(
                f("worker"),
                format!(
                    "{} is not below the run's {} workers",
                    s.worker, run.workers
                ),
            ));
        }
        if s.task >= run.tasks {
            return Err(invalid(
                f("task"),
                format!("{} is not below the run's {} tasks", s.task, run.tasks),
            ));
        }
        group(&f, s, run, one_per_task)?;
        for task in s.covered() {
            if let Some(was) = seen.get_mut(task as usize) {
                if std::mem::replace(was, true) {
                    return Err(invalid(
                        f("task"),
                        format!("task {task} has a span already"),
                    ));
                }
            }
        }
        seconds(&f("start_seconds"), s.start_seconds)?;
        seconds(&f("end_seconds"), s.end_seconds)?;
        if s.end_seconds < s.start_seconds {
            return Err(invalid(
                f("end_seconds"),
                format!("{} is before the start, {}", s.end_seconds, s.start_seconds),
            ));
        }
        if let Some(ipc) = &s.ipc {
            if s.tasks > 1 {
                return Err(invalid(f("ipc"), "a group of tasks has no IPC stamps"));
            }
            span_ipc(&f("ipc"), ipc)?;
        }
    }
    groups_apart(at, list)
}

/// A span's tasks: at least one, within the run's; a group only among
/// task spans; its members (where listed) as many, from its first task up.
fn group(f: &dyn Fn(&str) -> String, s: &SpanRecord, run: &RunRecord, task_spans: bool) -> Checked {
    let fits = s.tasks > 0 && (s.tasks == 1 || task_spans) && s.last_task() < run.tasks;
    if !fits {
        return Err(invalid(
            f("tasks"),
            format!(
                "{} tasks from task {} do not fit the run's {} tasks",
                s.tasks, s.task, run.tasks
            ),
        ));
    }
    if let Some(members) = &s.members {
        let increasing = members.windows(2).all(|w| w[0] < w[1]);
        if members.len() != s.tasks as usize || members.first() != Some(&s.task) || !increasing {
            return Err(invalid(
                f("members"),
                format!("not {} increasing tasks from task {}", s.tasks, s.task),
            ));
        }
    }
    Ok(())
}

/// A group of tasks (`tasks` > 1) shares its worker's time with no other
/// span: the worker ran its tasks one after another. (Single-task spans
/// are not checked against each other: an async worker runs many at once.)
fn groups_apart(at: &str, list: &[SpanRecord]) -> Checked {
    if list.iter().all(|s| s.tasks <= 1) {
        return Ok(());
    }
    let mut order: Vec<usize> = (0..list.len()).collect();
    order.sort_by(|&a, &b| {
        (list[a].worker, list[a].start_seconds)
            .partial_cmp(&(list[b].worker, list[b].start_seconds))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    for pair in order.windows(2) {
        let (a, b) = (&list[pair[0]], &list[pair[1]]);
        let grouped = a.tasks > 1 || b.tasks > 1;
        if grouped && a.worker == b.worker && b.start_seconds < a.end_seconds {
            return Err(invalid(
                format!("{at}[{}].start_seconds", pair[1]),
                format!(
                    "{} overlaps {} on worker {} (until {})",
                    b.tasks_label(),
                    a.tasks_label(),
                    a.worker,
                    a.end_seconds
                ),
            ));
        }
    }
    Ok(())
}

fn span_ipc(at: &str, s: &SpanIpc) -> Checked {
    if let Some(t) = s.spawned_seconds {
        seconds(&format!("{at}.spawned_seconds"), t)?;
    }
    seconds(&format!("{at}.received_seconds"), s.received_seconds)?;
    seconds(&format!("{at}.read_seconds"), s.read_seconds)?;
    seconds(&format!("{at}.reply_seconds"), s.reply_seconds)?;
    seconds(&format!("{at}.replied_seconds"), s.replied_seconds)?;
    seconds(&format!("{at}.returned_seconds"), s.returned_seconds)
}

/// Parent and workers add up to the total, without overflow.
fn rss_parts(at: &str, parent: u64, workers: &[u64], total: u64, run: &RunRecord) -> Checked {
    bytes(&format!("{at}.parent_rss_bytes"), parent)?;
    let slots = run.model.memory_slots(run.workers);
    if workers.len() > slots {
        return Err(invalid(
            format!("{at}.worker_rss_bytes"),
            format!(
                "{} entries for a {} run of {} workers (at most {slots})",
                workers.len(),
                run.model,
                run.workers
            ),
        ));
    }
    for (i, &w) in workers.iter().enumerate() {
        bytes(&format!("{at}.worker_rss_bytes[{i}]"), w)?;
    }
    // Each part is at most 2^50 and there are at most 1025 of them.
    let sum = parent + workers.iter().sum::<u64>();
    if sum == total {
        Ok(())
    } else {
        Err(invalid(
            format!("{at}.total_rss_bytes"),
            format!("{total} is not the parent plus the workers, {sum}"),
        ))
    }
}

fn memory(at: &str, m: &MemoryRecord, run: &RunRecord) -> Checked {
    rss_parts(
        at,
        m.parent_rss_bytes,
        &m.worker_rss_bytes,
        m.total_rss_bytes,
        run,
    )
}

fn memory_sample(at: &str, s: &MemorySample, run: &RunRecord) -> Checked {
    offset(&format!("{at}.t_seconds"), s.t_seconds)?;
    rss_parts(
        at,
        s.parent_rss_bytes,
        &s.worker_rss_bytes,
        s.total_rss_bytes,
        run,
    )
}

fn cpu_sample(at: &str, s: &CpuSample) -> Checked {
    offset(&format!("{at}.t_seconds"), s.t_seconds)?;
    if s.per_core.len() > MAX_CORES as usize {
        return Err(invalid(
            format!("{at}.per_core"),
            format!("{} cores; at most {MAX_CORES}", s.per_core.len()),
        ));
    }
    let percent = |field: String, v: f32, high: f32| {
        if v.is_finite() && (0.0..=high).contains(&v) {
            Ok(())
        } else {
            Err(invalid(
                field,
                format!("{v} is not a percentage from 0 to {high}"),
            ))
        }
    };
    // Sampled usage overshoots a little when an interval runs long.
    for (i, &v) in s.per_core.iter().enumerate() {
        percent(format!("{at}.per_core[{i}]"), v, 101.0)?;
    }
    // In percent of one core: up to every core's worth, with the same slack.
    let cores = s.per_core.len().max(1) as f32;
    percent(
        format!("{at}.corescope_percent"),
        s.corescope_percent,
        200.0 * cores,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::testing::{group, record, span};
    use crate::spec::Model;

    fn set_of(run: RunRecord) -> ResultSet {
        let mut set = ResultSet::new(MachineInfo {
            logical_cores: 2,
            ..MachineInfo::default()
        });
        set.runs.push(run);
        set
    }

    fn field_of(set: &ResultSet) -> String {
        check(set).unwrap_err().field
    }

    #[test]
    fn grouped_spans_cover_each_task_once_and_never_overlap_on_a_worker() {
        // Tasks 0..2 as a group on worker 0, 2 alone on 1, 3 alone on 0.
        let mut run = record(Model::Threads, 2, 1.0);
        run.spans = vec![
            group(0, 0, 2, 0.0, 0.2),
            span(1, 2, 0.0, 0.1),
            span(0, 3, 0.2, 0.3),
        ];
        assert_eq!(check(&set_of(run.clone())), Ok(()));
        type Break = fn(&mut RunRecord);
        // A queue's group: the worker's tasks, not consecutive.
        let mut scattered = run.clone();
        scattered.spans = vec![
            group(0, 0, 2, 0.0, 0.2),
            span(1, 2, 0.0, 0.1),
            span(0, 3, 0.2, 0.3),
        ];
        scattered.spans[0].members = Some(Box::new(vec![0, 1]));
        assert_eq!(check(&set_of(scattered.clone())), Ok(()));
        scattered.spans[0].members = Some(Box::new(vec![0, 2]));
        assert_eq!(
            field_of(&set_of(scattered.clone())),
            "runs[0].spans[1].task"
        );
        scattered.spans[0].members = Some(Box::new(vec![1, 0]));
        assert_eq!(field_of(&set_of(scattered)), "runs[0].spans[0].members");
        let broken: [(&str, Break); 4] = [
            // Past the run's last task.
            ("runs[0].spans[2].tasks", |r| r.spans[2].tasks = 2),
            // Task 1 twice: in the group and alone.
            ("runs[0].spans[1].task", |r| r.spans[1].task = 1),
            ("runs[0].spans[0].tasks", |r| r.spans[0].tasks = 0),
            // Task 3 starts before the group on its worker ends.
            ("runs[0].spans[2].start_seconds", |r| {
                r.spans[2].start_seconds = 0.15
            }),
        ];
        for (field, breaks) in broken {
            let mut bad = run.clone();
            breaks(&mut bad);
            assert_eq!(field_of(&set_of(bad)), field);
        }
    }

    #[test]
    fn a_code_record_is_bounded_and_only_cpythons() {
        let mut run = record(Model::PythonThreads, 2, 1.0);
        run.code = Some(Box::new(CodeRecord {
            target: crate::workload::CodeTarget::parse("a.py:f").unwrap(),
            is_async: false,
            inputs: false,
            digest: "ab".repeat(32),
            stable: true,
            reimport: None,
        }));
        let mut set = set_of(run.clone());
        set.isolation = crate::analysis::isolation::find(&set.runs);
        assert_eq!(check(&set), Ok(()));
        let mut lying = set.clone();
        lying.runs[0].code.as_mut().unwrap().digest = "zz".to_string();
        assert_eq!(field_of(&lying), "runs[0].code.digest");
        let mut lying = set.clone();
        lying.runs[0].model = Model::Threads;
        lying.runs[0].python_version = None;
        assert_eq!(field_of(&lying), "runs[0].code");
        let mut lying = set;
        if let Some(isolation) = lying.isolation.as_mut() {
            isolation.sentence = "x".repeat(2000);
        }
        assert_eq!(field_of(&lying), "isolation.sentence");
    }

    #[test]
    fn a_recommendation_is_bounded() {
        use crate::results::testing::measured;
        let mut set = set_of(measured(Model::Serial, 1, &[2.0, 2.0, 2.0]));
        set.runs
            .push(measured(Model::Processes, 2, &[1.0, 1.0, 1.0]));
        crate::analysis::fill_speedups(&mut set);
        crate::noise::assess(&mut set);
        assert!(set.recommendation.is_some());
        assert_eq!(check(&set), Ok(()));
        type Lie = fn(&mut Recommendation);
        let lies: [(&str, Lie); 4] = [
            ("recommendation.sentence", |r| r.sentence = "x".repeat(2000)),
            ("recommendation.workers", |r| r.workers = Some(0)),
            ("recommendation.models[0].speedup", |r| {
                r.models[0].speedup = f64::NAN;
            }),
            ("recommendation.costs[0].startup_seconds", |r| {
                r.costs[0].startup_seconds = -1.0;
            }),
        ];
        for (field, lie) in lies {
            let mut lying = set.clone();
            lie(lying.recommendation.as_mut().unwrap());
            assert_eq!(field_of(&lying), field);
        }
    }

    #[test]
    fn a_made_up_run_passes_and_each_lie_names_its_field() {
        let mut run = record(Model::Threads, 2, 1.0);
        run.spans = vec![span(0, 0, 0.0, 0.4), span(1, 1, 0.1, 0.5)];
        assert_eq!(check(&set_of(run.clone())), Ok(()));
        type Lie = fn(&mut RunRecord);
        let lies: [(&str, Lie); 13] = [
            ("runs[0].spans[1].worker", |r| r.spans[1].worker = 2),
            ("runs[0].size", |r| r.size = 1_000_000_000_000),
            ("runs[0].spans[1].task", |r| r.spans[1].task = 0),
            ("runs[0].in_flight", |r| r.in_flight = 0),
            ("runs[0].runtime_threads", |r| {
                r.runtime_threads = Some(3000)
            }),
            ("runs[0].spans[0].task", |r| r.spans[0].task = 4),
            ("runs[0].spans[0].end_seconds", |r| {
                r.spans[0].end_seconds = -0.1
            }),
            ("runs[0].spans[1].start_seconds", |r| {
                r.spans[1].start_seconds = f64::NAN
            }),
            ("runs[0].speedup", |r| r.speedup = Some(f64::INFINITY)),
            ("runs[0].wall_seconds", |r| r.wall_seconds.min = 2.0),
            ("runs[0].workers", |r| r.workers = 5000),
            ("runs[0].chunk", |r| r.chunk = 0),
            ("runs[0].memory.total_rss_bytes", |r| {
                r.memory.parent_rss_bytes = 7
            }),
        ];
        for (field, lie) in lies {
            let mut lying = run.clone();
            lie(&mut lying);
            assert_eq!(field_of(&set_of(lying)), field);
        }
        let mut held = run.clone();
        held.model = Model::Threads;
        held.gil_holds = vec![span(0, 0, 0.0, 0.1)];
        assert_eq!(field_of(&set_of(held)), "runs[0].gil_holds");
        let mut python = run.clone();
        python.python_version = Some("3.12.1".to_string());
        assert_eq!(field_of(&set_of(python)), "runs[0].python_version");
        let mut job = run.clone();
        job.mpi = Some(Box::default());
        assert_eq!(field_of(&set_of(job.clone())), "runs[0].mpi");
        job.model = Model::Mpi;
        assert_eq!(check(&set_of(job.clone())), Ok(()));
        job.mpi = Some(Box::new(MpiRecord {
            ranks: vec![crate::results::RankRecord::default(); 4],
            ..MpiRecord::default()
        }));
        assert_eq!(field_of(&set_of(job)), "runs[0].mpi.ranks");
        let mut many = run.clone();
        many.spans = (0..5).map(|t| span(0, t % 4, 0.0, 0.1)).collect();
        assert_eq!(field_of(&set_of(many)), "runs[0].spans");
    }
}
