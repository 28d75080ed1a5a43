//! The experiment as typed, and its validation: [`RawExperiment`] holds
//! every setting's text (the command line's, the form's, a lesson's), and
//! [`RawExperiment::validate`] turns it into an [`ExperimentSpec`] once.

use serde::{Deserialize, Serialize};

use crate::limits::{MAX_JSON_PAYLOAD_BYTES, MAX_TASKS, MAX_WORKERS};
use crate::model::Model;
use crate::settings::Setting;
use crate::settings::values::{Order, Scaling, StartMethod};
use crate::worker::codec::Codec;
use crate::worker::shm::Transport;
use crate::workload::{Sharing, Workload};

use super::experiment::{ExperimentSpec, WorkloadPlan, WorkloadSpec};
use super::parse::*;

/// An experiment as typed by a person: every value still text, every
/// optional value still absent. Shared by the command line, the GUI form
/// and lesson presets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RawExperiment {
    pub workload: String,
    pub size: Option<String>,
    pub tasks: Option<String>,
    pub payload: Option<String>,
    /// Comma-separated model names.
    pub models: String,
    /// `4`, `1..8`, `1..=8` or `1,2,4,8`; absent means the front end's default.
    pub workers: Option<String>,
    pub schedule: String,
    pub chunk: Option<String>,
    pub repeats: String,
    pub warmup: String,
    pub in_flight: Option<String>,
    /// gil-threads' switch interval, e.g. `5ms`, `500us`.
    pub switch_interval: Option<String>,
    /// `mixed`: percent of each task spent blocked, 0 to 100.
    pub io_percent: Option<String>,
    /// How worker frames are encoded: `bincode` (default) or `json`.
    pub codec: Option<String>,
    /// `strong` (default) or `weak`: tasks per worker.
    pub scaling: Option<String>,
    /// How CPython's process models start workers: `fork` (default) or `spawn`.
    pub start_method: Option<String>,
    /// The async models' runtime threads: `1` (default, current-thread) or more.
    pub runtime_threads: Option<String>,
    /// How the processes model's echo payloads travel: `pipe` (default) or `shm`.
    pub transport: Option<String>,
    /// Stop a run still going after this long, e.g. `30s`; absent: never.
    pub time_limit: Option<String>,
    /// `interleaved` (default) or `sequential` repetitions.
    pub order: Option<String>,
    /// `counter`: how workers share the counter, one mode or several
    /// comma-separated (`racy,locked,atomic,isolated`).
    pub sharing: Option<String>,
}

/// A text field of a [`RawExperiment`]: a required one (blank: absent) or
/// an optional one.
trait Text {
    fn text(&self) -> Option<&str>;
    fn put(&mut self, text: Option<String>);
}

impl Text for String {
    fn text(&self) -> Option<&str> {
        (!self.trim().is_empty()).then_some(self.as_str())
    }

    fn put(&mut self, text: Option<String>) {
        *self = text.unwrap_or_default();
    }
}

impl Text for Option<String> {
    fn text(&self) -> Option<&str> {
        self.as_deref()
    }

    fn put(&mut self, text: Option<String>) {
        *self = text;
    }
}

impl RawExperiment {
    /// The field that holds `setting`'s text; `None` for the machine's
    /// settings (interpreter, hostfile), which no experiment holds.
    fn slot(&mut self, setting: Setting) -> Option<&mut dyn Text> {
        let slot: &mut dyn Text = match setting {
            Setting::Workload => &mut self.workload,
            Setting::Size => &mut self.size,
            Setting::Tasks => &mut self.tasks,
            Setting::Payload => &mut self.payload,
            Setting::IoPercent => &mut self.io_percent,
            Setting::Sharing => &mut self.sharing,
            Setting::Scaling => &mut self.scaling,
            Setting::Models => &mut self.models,
            Setting::Workers => &mut self.workers,
            Setting::Schedule => &mut self.schedule,
            Setting::Chunk => &mut self.chunk,
            Setting::Repeats => &mut self.repeats,
            Setting::Warmup => &mut self.warmup,
            Setting::Order => &mut self.order,
            Setting::TimeLimit => &mut self.time_limit,
            Setting::InFlight => &mut self.in_flight,
            Setting::Codec => &mut self.codec,
            Setting::Transport => &mut self.transport,
            Setting::SwitchInterval => &mut self.switch_interval,
            Setting::RuntimeThreads => &mut self.runtime_threads,
            Setting::StartMethod => &mut self.start_method,
            Setting::Python | Setting::Hostfile => return None,
        };
        Some(slot)
    }

    /// The text given for `setting`, if any.
    pub fn get(&self, setting: Setting) -> Option<String> {
        let mut copy = self.clone();
        copy.slot(setting)
            .and_then(|slot| slot.text().map(str::to_string))
    }

    /// Sets the text for `setting` (`None`: absent); the machine's
    /// settings are no experiment's and are left alone.
    pub fn set(&mut self, setting: Setting, text: Option<String>) {
        if let Some(slot) = self.slot(setting) {
            slot.put(text);
        }
    }

    /// The text of `setting`, blank counting as absent.
    fn text(&self, setting: Setting) -> Option<String> {
        self.get(setting).filter(|t| !t.trim().is_empty())
    }

    /// A count setting's value, its fallback when absent.
    fn count(&self, setting: Setting) -> Result<Option<u64>, SpecError> {
        parse_setting_count(setting, self.text(setting).as_deref())
    }

    /// Validates the workload knobs for one workload of the experiment.
    fn workload_plan(&self, workload: Workload) -> Result<WorkloadPlan, SpecError> {
        let size = self
            .count(Setting::Size)?
            .unwrap_or(workload.default_size());
        if size > workload.max_size() {
            return Err(SpecError::new(
                Setting::Size,
                format!(
                    "must be at most {} for {workload} ({})",
                    workload.max_size(),
                    workload.size_meaning()
                ),
            ));
        }
        if size < workload.min_size() {
            return Err(SpecError::new(
                Setting::Size,
                format!(
                    "must be at least {} for {workload} ({})",
                    workload.min_size(),
                    workload.size_meaning()
                ),
            ));
        }
        let tasks = self
            .count(Setting::Tasks)?
            .unwrap_or(u64::from(workload.default_tasks()));
        let tasks = u32::try_from(tasks).unwrap_or(MAX_TASKS);
        if workload == Workload::Mandelbrot && u64::from(tasks) > size {
            return Err(SpecError::new(
                Setting::Tasks,
                format!(
                    "mandelbrot splits the image into row bands: at most --size ({size}) tasks"
                ),
            ));
        }
        let payloads = match self.text(Setting::Payload) {
            Some(text) if workload.takes_payload() => parse_payloads(&text)?,
            // Checked even where unused, so a typo is never silently ignored.
            Some(text) => parse_payloads(&text).map(|_| vec![0])?,
            None => vec![workload.default_payload()],
        };
        let payload_bytes = payloads[0];
        // Checked even where unused, like the payload.
        let io_percent = self.count(Setting::IoPercent)?.unwrap_or(0) as u8;
        let sharings: Vec<Sharing> = match self.text(Setting::Sharing) {
            Some(text) => parse_list(Setting::Sharing, &text)?,
            None => vec![Sharing::default()],
        };
        let applies = |setting: Setting| setting.applies_to_workload(workload);
        Ok(WorkloadPlan {
            spec: WorkloadSpec {
                workload,
                size,
                tasks,
                payload_bytes,
                io_percent: if applies(Setting::IoPercent) {
                    io_percent
                } else {
                    0
                },
                sharing: if applies(Setting::Sharing) {
                    sharings[0]
                } else {
                    Sharing::default()
                },
            },
            payloads,
            sharings: if applies(Setting::Sharing) {
                sharings
            } else {
                vec![Sharing::default()]
            },
        })
    }

    /// Validates every setting; `default_workers` fills an absent worker
    /// count.
    pub fn validate(&self, default_workers: &[u32]) -> Result<ExperimentSpec, SpecError> {
        let workloads = self.workload_plans()?;
        let models = parse_models(&self.models)?;
        for plan in workloads
            .iter()
            .filter(|p| p.spec.workload == Workload::Counter)
        {
            check_sharing(&models, &plan.sharings)?;
        }
        let workers = match self.text(Setting::Workers) {
            Some(text) => parse_workers(&text)?,
            None if default_workers.is_empty() => vec![1],
            None => default_workers
                .iter()
                .map(|&w| w.clamp(1, MAX_WORKERS))
                .collect(),
        };
        let schedule = self.text(Setting::Schedule);
        let schedules = parse_list(
            Setting::Schedule,
            schedule
                .as_deref()
                .or(Setting::Schedule.default_text())
                .unwrap_or_default(),
        )?;
        let choice = |setting: Setting| self.text(setting);
        let codec: Codec = parse_choice(Setting::Codec, choice(Setting::Codec).as_deref())?;
        check_json_payloads(codec, &workloads)?;
        let scaling: Scaling = parse_choice(Setting::Scaling, choice(Setting::Scaling).as_deref())?;
        if scaling == Scaling::Weak {
            check_weak_tasks(&workloads, &workers)?;
        }
        // Counts with a fallback always have a value.
        let count = |setting: Setting| -> Result<u32, SpecError> {
            Ok(self.count(setting)?.unwrap_or_default() as u32)
        };
        Ok(ExperimentSpec {
            workloads,
            models,
            workers,
            schedules,
            chunk: self.count(Setting::Chunk)?.map(|c| c as u32),
            repeats: count(Setting::Repeats)?,
            warmup: count(Setting::Warmup)?,
            in_flight: count(Setting::InFlight)?,
            switch_interval_us: parse_setting_interval(
                Setting::SwitchInterval,
                choice(Setting::SwitchInterval).as_deref(),
            )?,
            codec,
            scaling,
            start_method: parse_choice::<StartMethod>(
                Setting::StartMethod,
                choice(Setting::StartMethod).as_deref(),
            )?,
            runtime_threads: count(Setting::RuntimeThreads)?,
            transport: parse_choice::<Transport>(
                Setting::Transport,
                choice(Setting::Transport).as_deref(),
            )?,
            order: parse_choice::<Order>(Setting::Order, choice(Setting::Order).as_deref())?,
            preset: None,
            time_limit: parse_duration(Setting::TimeLimit, self.time_limit.as_deref())?,
        })
    }

    /// Each workload named once, with its validated knobs.
    fn workload_plans(&self) -> Result<Vec<WorkloadPlan>, SpecError> {
        let workload = self.text(Setting::Workload);
        let text = workload
            .as_deref()
            .or(Setting::Workload.default_text())
            .unwrap_or_default();
        parse_list(Setting::Workload, text)?
            .into_iter()
            .map(|workload| self.workload_plan(workload))
            .collect()
    }
}

/// JSON writes each payload byte as a number (up to four bytes): past
/// 16 MiB a frame would outgrow the protocol's limit mid-run.
fn check_json_payloads(codec: Codec, workloads: &[WorkloadPlan]) -> Result<(), SpecError> {
    let largest = workloads
        .iter()
        .flat_map(|w| w.payloads.iter())
        .max()
        .copied()
        .unwrap_or(0);
    if codec == Codec::Json && largest > MAX_JSON_PAYLOAD_BYTES {
        return Err(SpecError::new(
            Setting::Payload,
            format!(
                "{} is too large for --codec json (at most 16MiB); use bincode for larger payloads",
                crate::format::bytes(largest)
            ),
        ));
    }
    Ok(())
}

/// Weak scaling multiplies tasks by workers: the product must stay a run.
fn check_weak_tasks(workloads: &[WorkloadPlan], workers: &[u32]) -> Result<(), SpecError> {
    let most_workers = workers.iter().copied().max().unwrap_or(1);
    for plan in workloads {
        let grown = u64::from(plan.spec.tasks) * u64::from(most_workers);
        if grown > u64::from(MAX_TASKS) {
            return Err(SpecError::new(
                Setting::Tasks,
                format!(
                    "{} per worker × {most_workers} workers is {grown} tasks, more than {MAX_TASKS}",
                    plan.spec.tasks
                ),
            ));
        }
    }
    Ok(())
}

/// Every model must run at least one of the sharing modes asked for.
fn check_sharing(models: &[Model], sharings: &[Sharing]) -> Result<(), SpecError> {
    for &model in models {
        let has = model.info().sharing;
        if !sharings.iter().any(|s| has.contains(s)) {
            let asked: Vec<&str> = sharings.iter().map(|s| s.name()).collect();
            let offered: Vec<&str> = has.iter().map(|s| s.name()).collect();
            return Err(SpecError::new(
                Setting::Sharing,
                if offered.is_empty() {
                    format!("{model} does not run the counter workload")
                } else {
                    format!(
                        "{model} cannot count {}; it has {}",
                        asked.join(" or "),
                        offered.join(", ")
                    )
                },
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::spec::RunSpec;

    pub(crate) fn raw() -> RawExperiment {
        RawExperiment {
            workload: "sqrt-sum".into(),
            models: "serial,threads,processes".into(),
            schedule: "queue".into(),
            repeats: "3".into(),
            warmup: "1".into(),
            ..RawExperiment::default()
        }
    }

    #[test]
    fn defaults_validate() {
        let spec = raw().validate(&[2]).unwrap();
        assert_eq!(spec.workers, vec![2]);
        assert_eq!(
            spec.workloads[0].spec.size,
            Workload::SqrtSum.default_size()
        );
        assert_eq!(spec.workloads[0].spec.payload_bytes, 0);
    }

    #[test]
    fn codecs_default_to_bincode_and_reach_every_run() {
        let spec = raw().validate(&[2]).unwrap();
        assert_eq!(spec.codec, Codec::Bincode);
        let mut r = raw();
        r.codec = Some("JSON".into());
        let runs = r.validate(&[2]).unwrap().runs();
        assert!(runs.iter().all(|run| run.codec == Codec::Json));
        r.codec = Some("xml".into());
        let err = r.validate(&[2]).unwrap_err();
        assert_eq!(err.setting.flag(), "--codec");
        assert!(err.message.contains("expected bincode or json"), "{err}");
    }

    #[test]
    fn start_methods_are_validated_once_and_reach_every_run() {
        let mut r = raw();
        r.models = "python-serial,python-processes".into();
        let runs = r.validate(&[2]).unwrap().runs();
        assert!(runs.iter().all(|run| run.start_method == StartMethod::Fork));
        r.start_method = Some("Spawn".into());
        let runs = r.validate(&[2]).unwrap().runs();
        assert!(
            runs.iter()
                .all(|run| run.start_method == StartMethod::Spawn)
        );
        // python-serial first among the python models: their baseline.
        assert_eq!(runs[0].model, Model::PythonSerial);
        r.start_method = Some("forkserver".into());
        let err = r.validate(&[2]).unwrap_err();
        assert_eq!(err.setting.flag(), "--start-method");
        assert!(err.message.contains("expected fork or spawn"), "{err}");
    }

    #[test]
    fn bad_values_name_their_flag() {
        type Breaker = fn(&mut RawExperiment);
        let cases: [(&str, Breaker); 7] = [
            ("--workload", |r| r.workload = "quicksort".into()),
            ("--models", |r| r.models = "serial,fibers".into()),
            ("--tasks", |r| r.tasks = Some("0".into())),
            ("--repeats", |r| r.repeats = "0".into()),
            ("--size", |r| r.size = Some("-3".into())),
            ("--payload", |r| r.payload = Some("65MiB".into())),
            ("--schedule", |r| r.schedule = "random".into()),
        ];
        for (flag, break_it) in cases {
            let mut r = raw();
            r.workload = "echo".into();
            break_it(&mut r);
            assert_eq!(r.validate(&[2]).unwrap_err().setting.flag(), flag);
        }
    }

    #[test]
    fn sharing_modes_sweep_and_each_model_runs_the_ones_it_has() {
        let mut r = raw();
        r.workload = "counter".into();
        r.models = "serial,threads,python-threads".into();
        r.workers = Some("2".into());
        r.sharing = Some("atomic, racy,atomic".into());
        let spec = r.validate(&[2]).unwrap();
        assert_eq!(spec.workloads[0].sharings, [Sharing::Atomic, Sharing::Racy]);
        let runs: Vec<(String, Sharing)> = spec
            .runs()
            .iter()
            .map(|r| (r.label(), r.workload.sharing))
            .collect();
        // CPython has no atomic counter: python-threads runs racy only.
        assert_eq!(
            runs,
            [
                ("serial".to_string(), Sharing::Atomic),
                ("threads ×2".to_string(), Sharing::Atomic),
                ("serial".to_string(), Sharing::Racy),
                ("threads ×2".to_string(), Sharing::Racy),
                ("python-threads ×2".to_string(), Sharing::Racy),
            ]
        );
        r.sharing = Some("atomic".into());
        let err = r.validate(&[2]).unwrap_err();
        assert_eq!(err.setting, Setting::Sharing);
        assert!(
            err.message.contains("python-threads cannot count atomic"),
            "{err}"
        );
        r.sharing = Some("sloppy".into());
        assert_eq!(r.validate(&[2]).unwrap_err().setting, Setting::Sharing);
        // Other workloads ignore the knob (but not a typo in it).
        r.workload = "sqrt-sum".into();
        r.sharing = Some("racy".into());
        let runs = r.validate(&[2]).unwrap().runs();
        assert!(runs.iter().all(|r| r.workload.sharing == Sharing::Isolated));
        assert_eq!(runs.len(), 3);
    }

    #[test]
    fn runs_put_serial_first_once() {
        let mut r = raw();
        r.models = "processes,serial".into();
        r.workers = Some("1..3".into());
        let runs = r.validate(&[2]).unwrap().runs();
        let labels: Vec<String> = runs.iter().map(RunSpec::label).collect();
        assert_eq!(
            labels,
            ["serial", "processes ×1", "processes ×2", "processes ×3"]
        );
        // Static chunks default to one block per worker.
        r.schedule = "static".into();
        r.tasks = Some("10".into());
        let runs = r.validate(&[2]).unwrap().runs();
        assert_eq!(runs[3].chunk, 4);
    }
}
