//! The noise guard: whether a result set's figures can be trusted, and
//! what to do when they cannot.
//!
//! A shared or busy machine makes wrong claims look measured: a serial run
//! slowed down by another program gives the parallel runs a speedup above
//! their worker count. corescope knows the machine's cores and watches
//! their use ([`crate::measure::sampler`]), so it flags such figures
//! instead of showing them as findings. Each flag is a [`Warning`]: a
//! stable code, a sentence on what was seen, and a remedy.
//!
//! Per run: other programs busy while it ran (`busy-machine`), efficiency
//! above 100 % (`efficiency-over-100`), a CPU-bound speedup above the core
//! count (`speedup-over-cores`), repetitions spread wider than half their
//! median (`wide-spread`), a flagged serial baseline (`baseline-flagged`).
//! Per set: other programs busy before the first run (`busy-before`) or
//! across the whole measurement by the kernel's counters (`busy-during`,
//! seen whatever a run's length), and how many runs are flagged (`flagged-runs`). [`assess`] decides them all
//! from the records alone, so it gives the same flags wherever it runs.

use std::time::Duration;

use crate::analysis;
use crate::format;
use crate::measure::sampler::{SAMPLE_INTERVAL, Sample, Sampler, Turns};
use crate::measure::system_load::{self, Snapshot};
use crate::model::Work;
use crate::results::{LoadReading, MachineInfo, ResultSet, RunRecord, Warning};
use crate::workload::Workload;

/// Other programs' CPU use, in cores' worth, from which the machine counts
/// as busy: half a core taken from the run on average.
pub const OTHER_CPU_LIMIT: f64 = 0.5;

/// Efficiency (speedup per worker, and speedup per core) above which a
/// figure is flagged: 100 % plus a margin for timer and scheduling jitter.
pub const EFFICIENCY_LIMIT: f64 = 1.10;

/// The widest spread of repetitions, (max − min) / median, that passes.
pub const SPREAD_LIMIT: f64 = 0.5;

/// The stable codes of [`Warning::code`].
pub mod code {
    pub const BUSY_BEFORE: &str = "busy-before";
    pub const BUSY_MACHINE: &str = "busy-machine";
    pub const BUSY_DURING: &str = "busy-during";
    pub const EFFICIENCY_OVER_100: &str = "efficiency-over-100";
    pub const SPEEDUP_OVER_CORES: &str = "speedup-over-cores";
    pub const WIDE_SPREAD: &str = "wide-spread";
    pub const BASELINE_FLAGGED: &str = "baseline-flagged";
    pub const FLAGGED_RUNS: &str = "flagged-runs";
}

/// What to do, in the words the flags share.
mod remedy {
    pub const CLOSE_AND_RERUN: &str = "close other programs, then re-run";
    pub const RERUN: &str = "re-run (interleaved order), with more repeats if it persists";
    pub const MORE_REPEATS: &str = "more repeats, or re-run on a quieter machine";
    pub const RERUN_FLAGGED: &str = "re-run flagged runs";
}

fn warning(code: &str, message: String, remedy: &str) -> Warning {
    Warning {
        code: code.to_string(),
        message,
        remedy: remedy.to_string(),
    }
}

/// Other programs' use of the machine over `samples`: every core's use
/// minus corescope's own. `None` without samples.
pub fn reading(samples: &[Sample]) -> Option<LoadReading> {
    if samples.is_empty() {
        return None;
    }
    let others: Vec<f64> = samples
        .iter()
        .map(|s| {
            let total: f64 = s.per_core.iter().map(|&u| f64::from(u)).sum();
            ((total - f64::from(s.own_cpu)) / 100.0).max(0.0)
        })
        .collect();
    Some(LoadReading {
        other_cpu_cores: others.iter().sum::<f64>() / others.len() as f64,
        peak_other_cpu_cores: others.iter().copied().fold(0.0, f64::max),
        load_average: sysinfo::System::load_average().ok().map(|l| l.one),
        samples: u32::try_from(samples.len()).unwrap_or(u32::MAX),
    })
}

/// Other programs' use of the machine right now, over one sampling
/// interval (about 0.2 s) with nothing of corescope's running.
pub fn probe_before() -> Option<LoadReading> {
    let sampler = Sampler::start(Turns::default(), SAMPLE_INTERVAL, None).ok()?;
    std::thread::sleep(SAMPLE_INTERVAL + Duration::from_millis(20));
    reading(&sampler.finish())
}

/// Whether the run keeps a core busy all the time (so its speedup cannot
/// pass the core count): not on waiting-bound work (sleep, net, mixed, or
/// a `--code` function or a `--command`, which may wait), nor on a model made for waiting,
/// whose point is to overlap waits.
fn cpu_bound(run: &RunRecord) -> bool {
    let waits = matches!(
        run.workload,
        Workload::Sleep | Workload::Net | Workload::Mixed | Workload::Code | Workload::Command
    );
    !waits && run.io_percent == 0 && run.model.suited_to() != Some(Work::Io)
}

/// How long [`wait_for_calm`] watches the machine at a time.
pub const CALM_STEP: Duration = Duration::from_secs(1);

/// Waits, up to `limit`, for other programs to use less than
/// [`OTHER_CPU_LIMIT`] of the machine, watching it a second at a time
/// through the kernel's counters; `on_busy` hears each busy reading (so a
/// front end can say it is waiting) and answers whether to go on waiting.
/// The last reading, `None` where the kernel's counters cannot be read.
pub fn wait_for_calm(
    limit: Duration,
    mut on_busy: impl FnMut(&LoadReading) -> bool,
) -> Option<LoadReading> {
    let started = std::time::Instant::now();
    loop {
        let start = Snapshot::now()?;
        std::thread::sleep(CALM_STEP);
        let reading = system_load::between(&start, &Snapshot::now()?)?;
        if reading.other_cpu_cores < OTHER_CPU_LIMIT || started.elapsed() + CALM_STEP > limit {
            return Some(reading);
        }
        if !on_busy(&reading) {
            return Some(reading);
        }
    }
}

/// The flags of one run, from its own figures and its baseline's.
pub fn run_warnings(
    run: &RunRecord,
    baseline: Option<&RunRecord>,
    machine: &MachineInfo,
) -> Vec<Warning> {
    let mut flags = Vec::new();
    if let Some(load) = run
        .load
        .as_deref()
        .filter(|l| l.other_cpu_cores >= OTHER_CPU_LIMIT)
    {
        flags.push(warning(
            code::BUSY_MACHINE,
            format!(
                "other programs used {:.1} cores' worth of CPU while it ran (at most {:.1})",
                load.other_cpu_cores, load.peak_other_cpu_cores
            ),
            remedy::CLOSE_AND_RERUN,
        ));
    }
    if let Some(e) = run.efficiency.filter(|&e| e > EFFICIENCY_LIMIT) {
        flags.push(warning(
            code::EFFICIENCY_OVER_100,
            format!(
                "efficiency {} is above 100 %: {} worker{} cannot do more than {}× the serial work, so the baseline was probably slowed down",
                format::efficiency(e),
                run.workers,
                if run.workers == 1 { "" } else { "s" },
                run.workers
            ),
            remedy::RERUN,
        ));
    }
    let cores = f64::from(machine.logical_cores.max(1));
    if let Some(s) = run
        .speedup
        .filter(|&s| cpu_bound(run) && s > cores * EFFICIENCY_LIMIT)
    {
        flags.push(warning(
            code::SPEEDUP_OVER_CORES,
            format!(
                "speedup {} is above this machine's {} logical cores, which CPU-bound work cannot pass",
                format::speedup(s),
                machine.logical_cores
            ),
            remedy::RERUN,
        ));
    }
    let wall = run.wall_seconds;
    if run.repetitions.len() >= 2 && wall.median > 0.0 {
        let spread = (wall.max - wall.min) / wall.median;
        if spread > SPREAD_LIMIT {
            flags.push(warning(
                code::WIDE_SPREAD,
                format!(
                    "its repetitions took {} to {}, a spread of {:.0} % of the median",
                    format::seconds(wall.min),
                    format::seconds(wall.max),
                    spread * 100.0
                ),
                remedy::MORE_REPEATS,
            ));
        }
    }
    if let Some(baseline) = baseline.filter(|b| b.model != run.model) {
        let codes: Vec<&str> = baseline.warnings.iter().map(|w| w.code.as_str()).collect();
        if !codes.is_empty() && run.speedup.is_some() {
            flags.push(warning(
                code::BASELINE_FLAGGED,
                format!(
                    "its speedup is measured against {}, which is flagged ({})",
                    baseline.label(),
                    codes.join(", ")
                ),
                remedy::RERUN_FLAGGED,
            ));
        }
    }
    flags
}

/// Sets the flags of `record` against the runs of `set` measured before
/// it (where its baseline is).
pub fn assess_run(record: &mut RunRecord, set: &ResultSet) {
    let baseline = analysis::baseline_run(&set.runs, record);
    record.warnings = run_warnings(record, baseline, &set.machine);
}

/// Sets every run's flags and the set's own, from the records alone.
/// Baselines are assessed first, since their flags reach the runs read
/// against them. The set's recommendation reads the flags, so it is
/// decided here, after them, wherever a set is finished.
pub fn assess(set: &mut ResultSet) {
    let order: Vec<usize> = {
        let (baselines, others): (Vec<usize>, Vec<usize>) =
            (0..set.runs.len()).partition(|&i| !set.runs[i].model.uses_workers());
        baselines.into_iter().chain(others).collect()
    };
    for i in order {
        let baseline = analysis::baseline_run(&set.runs, &set.runs[i]).cloned();
        let flags = run_warnings(&set.runs[i], baseline.as_ref(), &set.machine);
        set.runs[i].warnings = flags;
    }
    set.warnings = set_warnings(set);
    set.recommendation = analysis::recommendation::recommend(set);
}

/// The set's own flags: a busy machine before it started, and how many
/// runs are flagged.
fn set_warnings(set: &ResultSet) -> Vec<Warning> {
    let mut flags = Vec::new();
    if let Some(load) = set
        .load_before
        .as_deref()
        .filter(|l| l.other_cpu_cores >= OTHER_CPU_LIMIT)
    {
        flags.push(warning(
            code::BUSY_BEFORE,
            format!(
                "other programs used {:.1} cores' worth of CPU just before the first run",
                load.other_cpu_cores
            ),
            remedy::CLOSE_AND_RERUN,
        ));
    }
    if let Some(load) = set
        .load_during
        .as_deref()
        .filter(|l| l.other_cpu_cores >= OTHER_CPU_LIMIT)
    {
        flags.push(warning(
            code::BUSY_DURING,
            format!(
                "other programs used {:.1} cores' worth of CPU while it was measured",
                load.other_cpu_cores
            ),
            remedy::CLOSE_AND_RERUN,
        ));
    }
    let flagged = flagged_runs(set).len();
    if flagged > 0 {
        flags.push(warning(
            code::FLAGGED_RUNS,
            format!(
                "{flagged} of {} runs are flagged: their figures are not shown as findings",
                set.runs.len()
            ),
            remedy::RERUN_FLAGGED,
        ));
    }
    flags
}

/// The indices of the runs of `set` that carry a flag.
pub fn flagged_runs(set: &ResultSet) -> Vec<usize> {
    (0..set.runs.len())
        .filter(|&i| !set.runs[i].warnings.is_empty())
        .collect()
}

/// Whether other programs were seen busy before or during the set's
/// measurement (its own flags, or any run's).
pub fn busy(set: &ResultSet) -> bool {
    let busy = |w: &Warning| {
        [code::BUSY_BEFORE, code::BUSY_DURING, code::BUSY_MACHINE].contains(&w.code.as_str())
    };
    set.warnings.iter().any(busy) || set.runs.iter().flat_map(|r| &r.warnings).any(busy)
}

/// Whether anything in `set` is flagged.
pub fn is_flagged(set: &ResultSet) -> bool {
    !set.warnings.is_empty() || set.runs.iter().any(|r| !r.warnings.is_empty())
}

/// A short name for a flag, for a table cell: `busy`, `> 100 %`, …
pub fn short_name(code: &str) -> &str {
    match code {
        code::BUSY_MACHINE | code::BUSY_BEFORE | code::BUSY_DURING => "busy machine",
        code::EFFICIENCY_OVER_100 => "over 100 %",
        code::SPEEDUP_OVER_CORES => "over the cores",
        code::WIDE_SPREAD => "wide spread",
        code::BASELINE_FLAGGED => "baseline flagged",
        other => other,
    }
}

/// One line per flag: `label: message (remedy)`.
pub fn describe(set: &ResultSet) -> Vec<String> {
    descriptions(set).collect()
}

/// [`describe`]'s lines, each formatted only when it is taken: the window
/// shows a few of them every frame, whatever the set holds.
pub fn descriptions(set: &ResultSet) -> impl Iterator<Item = String> + '_ {
    let line = |who: &str, w: &Warning| format!("{who}{} — {}", w.message, w.remedy);
    let own = set.warnings.iter().map(move |w| line("", w));
    let runs = set.runs.iter().flat_map(move |run| {
        run.warnings
            .iter()
            .map(move |w| line(&format!("{}: ", run.label()), w))
    });
    own.chain(runs)
}

/// How many lines [`describe`] gives, without formatting them.
pub fn flag_count(set: &ResultSet) -> usize {
    set.warnings.len() + set.runs.iter().map(|r| r.warnings.len()).sum::<usize>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::testing::record;
    use crate::spec::Model;

    fn machine(cores: u32) -> MachineInfo {
        MachineInfo {
            logical_cores: cores,
            ..MachineInfo::default()
        }
    }

    fn set(runs: Vec<RunRecord>) -> ResultSet {
        let mut set = ResultSet::new(machine(2));
        set.runs = runs;
        for run in &mut set.runs {
            let (lo, hi) = (run.wall_seconds.min, run.wall_seconds.max);
            run.repetitions = [lo, run.wall_seconds.median, hi]
                .iter()
                .map(|&w| crate::results::RepetitionRecord {
                    wall_seconds: w,
                    compute_seconds: 0.0,
                    cpu_seconds: 0.0,
                    ipc: Default::default(),
                    sequence: None,
                    total: None,
                })
                .collect();
        }
        analysis::fill_speedups(&mut set);
        set
    }

    fn codes(run: &RunRecord) -> Vec<&str> {
        run.warnings.iter().map(|w| w.code.as_str()).collect()
    }

    #[test]
    fn a_clean_set_has_no_flags() {
        let mut set = set(vec![
            record(Model::Serial, 1, 4.0),
            record(Model::Processes, 2, 2.1),
        ]);
        assess(&mut set);
        assert!(!is_flagged(&set), "{:?}", describe(&set));
    }

    #[test]
    fn the_issue_s_numbers_are_flagged_with_reasons_and_remedies() {
        // Serial's median 26 ms, its minimum 10 ms; processes ×2 at 10 ms:
        // 2.6× on two workers and two cores.
        let mut serial = record(Model::Serial, 1, 0.026);
        serial.wall_seconds.min = 0.010;
        let mut set = set(vec![serial, record(Model::Processes, 2, 0.010)]);
        assess(&mut set);
        assert_eq!(codes(&set.runs[0]), [code::WIDE_SPREAD]);
        assert_eq!(
            codes(&set.runs[1]),
            [
                code::EFFICIENCY_OVER_100,
                code::SPEEDUP_OVER_CORES,
                code::BASELINE_FLAGGED
            ]
        );
        let over = &set.runs[1].warnings[0];
        assert!(
            over.message.starts_with("efficiency 130 % is above 100 %"),
            "{over:?}"
        );
        assert!(over.remedy.contains("re-run"));
        assert_eq!(set.warnings.len(), 1);
        assert_eq!(set.warnings[0].code, code::FLAGGED_RUNS);
        assert!(
            set.warnings[0]
                .message
                .starts_with("2 of 2 runs are flagged")
        );
        assert_eq!(flagged_runs(&set), [0, 1]);
        // Idempotent.
        let before = set.clone();
        assess(&mut set);
        assert_eq!(set, before);
    }

    #[test]
    fn waiting_work_may_pass_the_core_count_but_not_its_workers() {
        let mut serial = record(Model::Serial, 1, 1.6);
        serial.workload = Workload::Sleep;
        let mut threads = record(Model::GilThreads, 8, 0.2);
        threads.workload = Workload::Sleep;
        let mut set = set(vec![serial, threads]);
        assess(&mut set);
        assert!(!is_flagged(&set), "{:?}", describe(&set));
    }

    #[test]
    fn a_busy_machine_is_flagged_per_run_and_per_set() {
        let busy = LoadReading {
            other_cpu_cores: 1.6,
            peak_other_cpu_cores: 2.0,
            load_average: Some(2.5),
            samples: 4,
        };
        let mut set = set(vec![
            record(Model::Serial, 1, 4.0),
            record(Model::Threads, 2, 2.0),
        ]);
        set.runs[1].load = Some(Box::new(busy));
        set.load_before = Some(Box::new(busy));
        assess(&mut set);
        assert_eq!(codes(&set.runs[1]), [code::BUSY_MACHINE]);
        assert!(set.runs[0].warnings.is_empty());
        let set_codes: Vec<&str> = set.warnings.iter().map(|w| w.code.as_str()).collect();
        assert_eq!(set_codes, [code::BUSY_BEFORE, code::FLAGGED_RUNS]);
        // The set's lines first, then each run's; counted without formatting.
        let lines = describe(&set);
        assert_eq!(lines.len(), flag_count(&set));
        assert!(lines[2].starts_with("threads ×2: "), "{lines:?}");
        assert!(
            describe(&set)
                .iter()
                .any(|l| l.contains("close other programs"))
        );
    }

    #[test]
    fn readings_subtract_corescope_s_own_share() {
        let sample = |cores: [f32; 2], own: f32| Sample {
            at_ns: 0,
            per_core: cores.to_vec(),
            own_cpu: own,
            parent_rss: 0,
            worker_rss: Vec::new(),
            turn: None,
        };
        let r = reading(&[sample([100.0, 100.0], 50.0), sample([50.0, 50.0], 100.0)]).unwrap();
        assert!((r.other_cpu_cores - 0.75).abs() < 1e-9, "{r:?}");
        assert!((r.peak_other_cpu_cores - 1.5).abs() < 1e-9);
        assert_eq!(r.samples, 2);
        assert!(reading(&[]).is_none());
    }
}
