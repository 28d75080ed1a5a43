//! Lesson presets: one click (or `sweep --preset NAME`) per claim of the
//! module corescope teaches.
//!
//! Each preset is a JSON file in `assets/presets/`, compiled into the
//! binary: a name, the claim, what to look at, and the experiment as a
//! [`RawExperiment`] (validated like any typed experiment). [`findings`]
//! turns a finished result set into sentences on what this machine measured.

use crate::settings::Setting;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::format;
use crate::model::Work;
use crate::results::{ResultSet, RunRecord};
use crate::spec::{Model, RawExperiment};
use crate::workload::{CountedIn, Sharing, Workload};

pub mod calibrate;
mod examples;
pub mod measure;
mod verdict;

pub use verdict::{Expect, FASTER, Figure, Judge, Outcome, Verdict, verdict};

/// A lesson: the claim, what to look at, and the experiment that shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preset {
    pub name: String,
    pub title: String,
    pub claim: String,
    pub look_at: String,
    pub experiment: RawExperiment,
    /// The figures that decide the claim ([`verdict`]).
    #[serde(default)]
    pub judge: Vec<Judge>,
    /// How the lesson's work is sized for the machine at hand.
    #[serde(default)]
    pub calibrate: calibrate::Calibrate,
    /// How long its serial run (or its first run at one worker) lasts once
    /// sized, in milliseconds (absent: [`calibrate::TARGET_SECONDS`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calibrate_ms: Option<u32>,
    /// The lesson's main charts, the ones its point is read on: what
    /// presentation mode and the deck show (see [`Preset::charts`]).
    #[serde(default)]
    pub charts: Vec<crate::chart::ChartKind>,
}

impl Preset {
    /// The two charts the lesson is read on: its own `charts`, else
    /// speedup and wall time.
    pub fn charts(&self) -> Vec<crate::chart::ChartKind> {
        use crate::chart::ChartKind;
        if self.charts.is_empty() {
            vec![ChartKind::Speedup, ChartKind::WallTime]
        } else {
            self.charts.clone()
        }
    }
}

/// The bundled preset files, in lesson order.
const FILES: [(&str, &str); 11] = [
    (
        "0-shared-state.json",
        include_str!("../../assets/presets/0-shared-state.json"),
    ),
    (
        "1-why-processes.json",
        include_str!("../../assets/presets/1-why-processes.json"),
    ),
    (
        "2-cpu-parallelism.json",
        include_str!("../../assets/presets/2-cpu-parallelism.json"),
    ),
    (
        "3-ipc-cost.json",
        include_str!("../../assets/presets/3-ipc-cost.json"),
    ),
    (
        "4-pools.json",
        include_str!("../../assets/presets/4-pools.json"),
    ),
    (
        "5-queue-workers.json",
        include_str!("../../assets/presets/5-queue-workers.json"),
    ),
    (
        "6-rule-of-thumb.json",
        include_str!("../../assets/presets/6-rule-of-thumb.json"),
    ),
    (
        "7-gil-real.json",
        include_str!("../../assets/presets/7-gil-real.json"),
    ),
    (
        "8-beyond-one-machine.json",
        include_str!("../../assets/presets/8-beyond-one-machine.json"),
    ),
    (
        "8-gil-removed.json",
        include_str!("../../assets/presets/8-gil-removed.json"),
    ),
    (
        "9-gil-release.json",
        include_str!("../../assets/presets/9-gil-release.json"),
    ),
];

/// Why a preset could not be had.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PresetError {
    #[error("unknown preset '{name}'; expected one of {known}")]
    Unknown { name: String, known: String },
    #[error("bundled preset {file} is malformed: {reason}")]
    Malformed { file: &'static str, reason: String },
}

/// Every preset, in lesson order, written for this machine: its core
/// count in the claim's text, its work sized by [`calibrate::fit`], and
/// `python-mpi` in place of `mpi` where corescope was built without MPI.
///
/// Made once per process: the window asks for them on every frame.
pub fn all() -> Result<&'static [Preset], PresetError> {
    static PRESETS: OnceLock<Result<Vec<Preset>, PresetError>> = OnceLock::new();
    PRESETS
        .get_or_init(|| {
            let cores = std::thread::available_parallelism().map_or(1, usize::from);
            let mut presets = bundled(cores)?;
            for preset in &mut presets {
                let target = preset
                    .calibrate_ms
                    .map_or(calibrate::TARGET_SECONDS, |ms| f64::from(ms) / 1000.0);
                calibrate::fit(&mut preset.experiment, preset.calibrate, target);
                examples::place(&mut preset.experiment);
            }
            Ok(presets)
        })
        .as_deref()
        .map_err(Clone::clone)
}

/// The bundled presets as written, for a machine of `cores` logical
/// cores (`{cores}` in their text), uncalibrated.
pub fn bundled(cores: usize) -> Result<Vec<Preset>, PresetError> {
    FILES
        .iter()
        .map(|(file, text)| {
            let text = text.replace("{cores}", &cores.max(1).to_string());
            let mut preset: Preset =
                serde_json::from_str(&text).map_err(|e| PresetError::Malformed {
                    file,
                    reason: e.to_string(),
                })?;
            if !cfg!(feature = "mpi") {
                without_rust_mpi(&mut preset);
            }
            Ok(preset)
        })
        .collect()
}

/// A lesson that asks for the Rust `mpi` model becomes its CPython twin
/// where corescope was built without MPI: `python-mpi` against
/// `python-processes`, each read against `python-serial` (one interpreter
/// for all three, see [`crate::engine::availability::shared_interpreter`]),
/// its work sized in CPython.
fn without_rust_mpi(preset: &mut Preset) {
    let listed = preset
        .experiment
        .get(Setting::Models)
        .unwrap_or_default()
        .to_string();
    if !listed.split(',').any(|m| m.trim() == "mpi") {
        return;
    }
    let twin = |model: &str| match model {
        "serial" | "processes" | "mpi" => format!("python-{model}"),
        other => other.to_string(),
    };
    let mut models: Vec<String> = Vec::new();
    for model in listed.split(',').map(|m| twin(m.trim())) {
        if !models.contains(&model) {
            models.push(model);
        }
    }
    preset
        .experiment
        .set(Setting::Models, Some(models.join(",")));
    for judge in &mut preset.judge {
        judge.model = twin(&judge.model);
        judge.against = judge.against.as_deref().map(twin);
    }
    if preset.calibrate == calibrate::Calibrate::Size {
        preset.calibrate = calibrate::Calibrate::PythonSize;
    }
}

/// The preset called `name`.
pub fn find(name: &str) -> Result<Preset, PresetError> {
    let presets = all()?;
    let known = presets
        .iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    presets
        .iter()
        .find(|p| p.name == name.trim())
        .cloned()
        .ok_or(PresetError::Unknown {
            name: name.to_string(),
            known,
        })
}

/// The kind of work a workload is, for the rule of thumb.
fn bound(workload: Workload) -> Work {
    match workload {
        Workload::Sleep | Workload::Net => Work::Io,
        Workload::Mixed => Work::Mixed,
        _ => Work::Cpu,
    }
}

/// The rule of thumb's three lines with this set's figures, when it
/// measured I/O-bound, CPU-bound and mixed work: for each, the models the
/// rule names first (those the catalogue says suit that kind of work),
/// then the others, each at its best speedup.
pub fn rule_of_thumb(set: &ResultSet) -> Vec<String> {
    let lines = [
        (Work::Io, "I/O-bound", "threads or async"),
        (Work::Cpu, "CPU-bound", "processes"),
        (Work::Mixed, "mixed", "async + process pool"),
    ];
    let mut out = Vec::new();
    for (kind, name, rule) in lines {
        let Some(workload) = set
            .runs
            .iter()
            .map(|r| r.workload)
            .find(|&w| bound(w) == kind)
        else {
            return Vec::new();
        };
        let mut models: Vec<Model> = Vec::new();
        for r in set
            .runs
            .iter()
            .filter(|r| r.workload == workload && r.model.uses_workers())
        {
            if !models.contains(&r.model) {
                models.push(r.model);
            }
        }
        // The models the rule names first.
        models.sort_by_key(|m| m.suited_to() != Some(kind));
        let figures: Vec<String> = models
            .iter()
            .filter_map(|&model| {
                let best = set
                    .runs
                    .iter()
                    .filter(|r| r.workload == workload && r.model == model)
                    .filter_map(|r| r.speedup.map(|s| (s, r.workers)))
                    .max_by(|a, b| a.0.total_cmp(&b.0))?;
                Some(format!("{model} {:.2}× (×{})", best.0, best.1))
            })
            .collect();
        if figures.is_empty() {
            return Vec::new();
        }
        out.push(format!(
            "{name} ({workload}) → {rule}: {}.",
            figures.join(", ")
        ));
    }
    out
}

/// What the measurement says: the rule of thumb's lines when the set
/// measured all three kinds of work ([`rule_of_thumb`]); for runs that
/// counted, what each model lost and what an increment cost
/// ([`counter_findings`]); then one sentence per model (per schedule and
/// workload where the set compares them): its best speedup and where, or
/// for a payload sweep, from which payload it beats serial. None from a
/// set measured on a busy machine (one sentence says so). A model whose
/// runs (or their baselines) are flagged by the noise guard gets no
/// verdict: the sentence says why it is withheld.
pub fn findings(set: &ResultSet) -> Vec<String> {
    if crate::noise::busy(set) {
        return vec![
            "No findings: other programs were busy while this was measured; close them and measure again."
                .to_string(),
        ];
    }
    let mut sentences = rule_of_thumb(set);
    sentences.extend(counter_findings(set));
    sentences.extend(speedup_findings(set));
    sentences
}

/// `counter`: one sentence per model with workers, at its largest worker
/// count: which sharing modes lost updates (and how many), which lost
/// none, where the increments went when the main process never saw them,
/// and the core time an increment cost locked against isolated.
pub fn counter_findings(set: &ResultSet) -> Vec<String> {
    let mut models: Vec<Model> = Vec::new();
    for r in set
        .runs
        .iter()
        .filter(|r| r.sharing.is_some() && r.model.uses_workers())
    {
        if !models.contains(&r.model) {
            models.push(r.model);
        }
    }
    models
        .into_iter()
        .filter_map(|model| {
            let workers = set
                .runs
                .iter()
                .filter(|r| r.model == model && r.lost_updates.is_some())
                .map(|r| r.workers)
                .max()?;
            let mut runs: Vec<&RunRecord> = set
                .runs
                .iter()
                .filter(|r| r.model == model && r.workers == workers && r.lost_updates.is_some())
                .collect();
            runs.sort_by_key(|r| r.sharing);
            Some(counter_sentence(model, workers, &runs))
        })
        .collect()
}

/// One model's counter sentence, from its runs at `workers`.
fn counter_sentence(model: Model, workers: u32, runs: &[&RunRecord]) -> String {
    let name = |r: &&RunRecord| r.sharing.map_or("", Sharing::name);
    let copies: Vec<&str> = runs
        .iter()
        .filter(|r| r.counted_in == Some(CountedIn::WorkerCopies))
        .map(name)
        .collect();
    let raced: Vec<String> = runs
        .iter()
        .filter(|r| r.counted_in != Some(CountedIn::WorkerCopies))
        .filter(|r| r.lost_updates.unwrap_or(0) > 0)
        .map(|r| {
            let (lost, expected) = (r.lost_updates.unwrap_or(0), r.expected_total.unwrap_or(0));
            format!(
                "{} lost {} of {} increments ({})",
                name(r),
                format::count(lost),
                format::count(expected),
                format::share(lost, expected)
            )
        })
        .collect();
    let clean: Vec<&str> = runs
        .iter()
        .filter(|r| r.lost_updates == Some(0))
        .map(name)
        .collect();
    let mut parts = raced;
    if !copies.is_empty() {
        parts.push(format!(
            "{} counted in each worker process's own copy, so the main process's counter stayed 0",
            copies.join(", ")
        ));
    }
    if !clean.is_empty() {
        parts.push(format!("{} lost none", clean.join(", ")));
    }
    let cost = |sharing: Sharing| {
        runs.iter()
            .find(|r| r.sharing == Some(sharing))
            .and_then(|r| {
                let increments = r.expected_total.filter(|&n| n > 0)? as f64;
                Some(r.wall_seconds.median * f64::from(r.workers) / increments)
            })
    };
    let mut sentence = format!("{model} ×{workers}: {}", parts.join("; "));
    if let (Some(locked), Some(isolated)) = (cost(Sharing::Locked), cost(Sharing::Isolated)) {
        sentence.push_str(&format!(
            "; an increment cost {} locked, {} isolated",
            format::seconds(locked),
            format::seconds(isolated)
        ));
    }
    sentence.push('.');
    sentence
}

/// One sentence per model on its best speedup (see [`findings`]).
fn speedup_findings(set: &ResultSet) -> Vec<String> {
    let mut keys: Vec<(String, Model)> = Vec::new();
    let several_schedules = set
        .runs
        .iter()
        .any(|r| r.model.uses_workers() && r.schedule != set.runs[0].schedule);
    let several_workloads = set.runs.iter().any(|r| r.workload != set.runs[0].workload);
    let several_payloads = set.sweeps_payloads();
    let key_of = |r: &RunRecord| {
        let mut key = r.model.to_string();
        if several_schedules {
            key = format!("{key} ({})", r.schedule);
        }
        if several_workloads {
            key = format!("{}: {key}", r.workload);
        }
        key
    };
    for r in set.runs.iter().filter(|r| r.model.uses_workers()) {
        let key = key_of(r);
        if !keys.iter().any(|(k, _)| *k == key) {
            keys.push((key, r.model));
        }
    }
    keys.iter()
        .filter_map(|(key, model)| {
            let baseline = model.baseline();
            let runs: Vec<&RunRecord> = set.runs.iter().filter(|r| key_of(r) == *key).collect();
            if let Some(withheld) = withheld(set, key, &runs) {
                return Some(withheld);
            }
            if several_payloads {
                let mut by_payload = runs.clone();
                by_payload.sort_by_key(|r| r.payload_bytes);
                let wins: Vec<&&RunRecord> = by_payload.iter().filter(|r| r.speedup.is_some_and(|s| s > 1.0)).collect();
                let best = by_payload.iter().filter_map(|r| r.speedup.map(|s| (s, r.payload_bytes))).max_by(|a, b| a.0.total_cmp(&b.0))?;
                Some(match wins.first() {
                    Some(first) => format!(
                        "{key} beats {baseline} from {} per task on (best {:.2}× at {}).",
                        format::bytes(first.payload_bytes),
                        best.0,
                        format::bytes(best.1)
                    ),
                    None => format!(
                        "{key} never beats {baseline} here: the data costs more to ship than to compute (best {:.2}× at {}).",
                        best.0,
                        format::bytes(best.1)
                    ),
                })
            } else {
                let best = runs.iter().filter_map(|r| r.speedup.map(|s| (s, *r))).max_by(|a, b| a.0.total_cmp(&b.0))?;
                let (speedup, run) = best;
                let scaled = match run.scaling {
                    crate::spec::Scaling::Strong => "",
                    crate::spec::Scaling::Weak => " (scaled, weak scaling)",
                };
                Some(format!(
                    "{key}: best {speedup:.2}× {baseline}{scaled} at {} worker{} ({:.0} % efficiency, {} wall).",
                    run.workers,
                    if run.workers == 1 { "" } else { "s" },
                    run.efficiency.unwrap_or(0.0) * 100.0,
                    format::seconds(run.wall_seconds.median)
                ))
            }
        })
        .collect()
}

/// The sentence that replaces a verdict whose figures are flagged: the
/// runs of `key`, or the serial runs they are read against.
fn withheld(set: &ResultSet, key: &str, runs: &[&RunRecord]) -> Option<String> {
    let mut codes: Vec<&str> = Vec::new();
    let mut flagged = 0;
    for run in runs {
        let baseline = crate::analysis::baseline_run(&set.runs, run);
        let warnings: Vec<&crate::results::Warning> = run
            .warnings
            .iter()
            .chain(baseline.iter().flat_map(|b| &b.warnings))
            .collect();
        if !warnings.is_empty() {
            flagged += 1;
        }
        for w in warnings {
            let name = crate::noise::short_name(&w.code);
            if !codes.contains(&name) {
                codes.push(name);
            }
        }
    }
    (flagged > 0).then(|| {
        format!(
            "{key}: no verdict — {flagged} of its {} runs are flagged ({}); re-run flagged runs for one.",
            runs.len(),
            codes.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_preset_parses_and_validates() {
        let presets = all().unwrap();
        let names: Vec<&str> = presets.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "shared-state",
                "why-processes",
                "cpu-parallelism",
                "ipc-cost",
                "pools",
                "queue-workers",
                "rule-of-thumb",
                "gil-real",
                "beyond-one-machine",
                "gil-removed",
                "gil-release"
            ]
        );
        for preset in presets {
            let spec = preset
                .experiment
                .validate(&[1, 2])
                .unwrap_or_else(|e| panic!("{}: {e}", preset.name));
            assert!(!spec.runs().is_empty());
            assert!(!preset.claim.is_empty() && !preset.look_at.is_empty());
        }
    }

    #[test]
    fn unknown_presets_list_the_known_ones() {
        let err = find("why-not").unwrap_err().to_string();
        assert!(
            err.contains("why-processes") && err.contains("rule-of-thumb"),
            "{err}"
        );
        assert_eq!(find("pools").unwrap().name, "pools");
    }

    #[test]
    fn the_rule_of_thumb_is_stated_with_the_measured_figures() {
        use crate::results::testing::record;
        let mut set = ResultSet::new(crate::results::MachineInfo::detect());
        for (workload, models) in [
            (
                Workload::Net,
                [(Model::Async, 8.0), (Model::Processes, 4.0)],
            ),
            (
                Workload::SqrtSum,
                [(Model::Async, 1.0), (Model::Processes, 2.0)],
            ),
            (
                Workload::Mixed,
                [(Model::Processes, 2.5), (Model::AsyncProcesses, 3.5)],
            ),
        ] {
            let mut serial = record(Model::Serial, 1, 8.0);
            serial.workload = workload;
            set.runs.push(serial);
            for (model, speedup) in models {
                let mut r = record(model, 8, 8.0 / speedup);
                r.workload = workload;
                set.runs.push(r);
            }
        }
        crate::analysis::fill_speedups(&mut set);
        let lines = findings(&set);
        assert_eq!(
            lines[..3],
            [
                "I/O-bound (net) → threads or async: async 8.00× (×8), processes 4.00× (×8).",
                "CPU-bound (sqrt-sum) → processes: processes 2.00× (×8), async 1.00× (×8).",
                "mixed (mixed) → async + process pool: async+processes 3.50× (×8), processes 2.50× (×8).",
            ]
        );
        // Without the three kinds of work, no rule.
        set.runs.retain(|r| r.workload != Workload::Mixed);
        assert!(rule_of_thumb(&set).is_empty());
    }

    #[test]
    fn findings_name_the_best_speedup() {
        let mut set = ResultSet::new(crate::results::MachineInfo::detect());
        set.runs = vec![
            crate::results::testing::record(Model::Serial, 1, 4.0),
            crate::results::testing::record(Model::Processes, 1, 4.0),
            crate::results::testing::record(Model::Processes, 2, 2.0),
        ];
        crate::analysis::fill_speedups(&mut set);
        assert_eq!(
            findings(&set),
            ["processes: best 2.00× serial at 2 workers (100 % efficiency, 2.00 s wall)."]
        );
    }

    #[test]
    fn counter_findings_say_what_each_model_lost_and_where() {
        let mut set = ResultSet::new(crate::results::MachineInfo::default());
        for (model, sharing, lost, counted) in [
            (Model::Threads, Sharing::Racy, 250, CountedIn::SharedCounter),
            (Model::Threads, Sharing::Locked, 0, CountedIn::SharedCounter),
            (Model::Threads, Sharing::Isolated, 0, CountedIn::PartialSums),
            (
                Model::Processes,
                Sharing::Racy,
                1000,
                CountedIn::WorkerCopies,
            ),
            (
                Model::Processes,
                Sharing::Isolated,
                0,
                CountedIn::PartialSums,
            ),
        ] {
            let mut r = crate::results::testing::record(model, 2, 1e-6);
            r.sharing = Some(sharing);
            r.expected_total = Some(1000);
            r.total = Some(1000 - lost);
            r.lost_updates = Some(lost);
            r.counted_in = Some(counted);
            set.runs.push(r);
        }
        assert_eq!(
            findings(&set),
            [
                "threads ×2: racy lost 250 of 1,000 increments (25 %); locked, isolated lost \
                 none; an increment cost 2.00 ns locked, 2.00 ns isolated.",
                "processes ×2: racy counted in each worker process's own copy, so the main \
                 process's counter stayed 0; isolated lost none."
            ]
        );
    }
}
