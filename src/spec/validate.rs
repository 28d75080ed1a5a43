//! Validation: [`RawExperiment::validate`] turns the experiment as typed
//! into an [`ExperimentSpec`] once. The workloads with their knobs, the
//! models, the worker counts and the schedules are worked out here, with
//! the rules that tie one setting to another (a payload JSON can carry,
//! weak scaling's task count, a sharing mode each model has); every other
//! setting is read as a typed value by `ExperimentSpec::read`.

use crate::limits::{MAX_JSON_PAYLOAD_BYTES, MAX_RUNS, MAX_TASKS, MAX_WORKERS};
use crate::model::Model;
use crate::settings::Setting;
use crate::settings::values::Scaling;
use crate::worker::codec::Codec;
use crate::workload::{CodeRef, CodeTarget, CommandRef, Sharing, Workload};

use super::experiment::{ExperimentSpec, WorkloadPlan, WorkloadSpec};
use super::parse::*;
use super::raw::RawExperiment;

impl RawExperiment {
    /// Validates every setting; `default_workers` fills an absent worker
    /// count.
    pub fn validate(&self, default_workers: &[u32]) -> Result<ExperimentSpec, SpecError> {
        let code = self
            .get(Setting::Code)
            .map(|text| parse_code(Setting::Code, text))
            .transpose()?;
        let command = self
            .get(Setting::Command)
            .map(|text| parse_command(Setting::Command, text))
            .transpose()?;
        let workloads = match (code, command) {
            (Some(_), Some(_)) => {
                return Err(SpecError::new(
                    Setting::Command,
                    "--command and --code both set the workload; keep one",
                ));
            }
            (Some(target), None) => vec![self.code_plan(target)?],
            (None, Some(command)) => vec![self.command_plan(command)?],
            (None, None) => self.workload_plans()?,
        };
        let code = workloads.iter().any(|p| p.spec.code.is_some());
        let command = workloads.iter().any(|p| p.spec.command.is_some());
        let models = match self.get(Setting::Models) {
            None if code => CODE_MODELS.to_vec(),
            None if command => command_models(),
            text => parse_models(text.unwrap_or_default())?,
        };
        if code {
            check_code_models(&models)?;
        }
        if command {
            check_command_models(&models)?;
        }
        for plan in workloads
            .iter()
            .filter(|p| p.spec.workload == Workload::Counter)
        {
            check_sharing(&models, &plan.sharings)?;
        }
        let workers = match self.get(Setting::Workers) {
            Some(text) => parse_workers(text)?,
            None if default_workers.is_empty() => vec![1],
            None => default_workers
                .iter()
                .map(|&w| w.clamp(1, MAX_WORKERS))
                .collect(),
        };
        let schedules = self.choices(Setting::Schedule)?;
        let spec = ExperimentSpec::read(self, workloads, models, workers, schedules)?;
        // A set corescope writes is a set it reads back.
        let runs = spec.run_count();
        if runs > MAX_RUNS {
            return Err(SpecError::new(
                Setting::Workers,
                format!(
                    "the experiment has {runs} runs (models × workers × workloads × payloads × \
                     schedules); a result set holds at most {MAX_RUNS}"
                ),
            ));
        }
        check_json_payloads(spec.codec, &spec.workloads)?;
        if spec.scaling == Scaling::Weak {
            check_weak_tasks(&spec.workloads, &spec.workers)?;
        }
        self.check_every()?;
        Ok(spec)
    }

    /// Each workload named once, with its validated knobs.
    fn workload_plans(&self) -> Result<Vec<WorkloadPlan>, SpecError> {
        self.choices(Setting::Workload)?
            .into_iter()
            .map(|workload| self.workload_plan(workload))
            .collect()
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
        let payloads = match self.get(Setting::Payload) {
            Some(text) if workload.takes_payload() => parse_payloads(text)?,
            // Checked even where unused, so a typo is never silently ignored.
            Some(text) => parse_payloads(text).map(|_| vec![0])?,
            None => vec![workload.default_payload()],
        };
        let payload_bytes = payloads[0];
        // Checked even where unused, like the payload.
        let io_percent = self.count(Setting::IoPercent)?.unwrap_or(0) as u8;
        let sharings: Vec<Sharing> = match self.get(Setting::Sharing) {
            Some(_) => self.choices(Setting::Sharing)?,
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
                code: None,
                command: None,
            },
            payloads,
            sharings: if applies(Setting::Sharing) {
                sharings
            } else {
                vec![Sharing::default()]
            },
        })
    }
}

/// The models a `--code` run compares when none are named: the baseline,
/// threads and a process pool (an `async def` adds python-asyncio once the
/// file is read: `crate::python::code::prepare`).
pub const CODE_MODELS: [Model; 3] = [
    Model::PythonSerial,
    Model::PythonThreads,
    Model::PythonProcesses,
];

impl RawExperiment {
    /// The one workload of a `--code` run: the file must be there (what
    /// is in it is read by the interpreter, before the run); `--workload`
    /// and `--size` mean nothing beside it and are refused.
    fn code_plan(&self, target: CodeTarget) -> Result<WorkloadPlan, SpecError> {
        if self.get(Setting::Workload).is_some() {
            return Err(SpecError::new(
                Setting::Workload,
                "--code sets the workload (your function); drop --workload or --code",
            ));
        }
        if self.get(Setting::Size).is_some() {
            return Err(SpecError::new(
                Setting::Size,
                "a Python function (--code) has no size: its argument is the task's index \
                 or its input; drop --size",
            ));
        }
        let shown = target.file.display().to_string();
        match std::fs::metadata(&target.file) {
            Ok(meta) if meta.is_file() => {}
            Ok(meta) => {
                return Err(SpecError::new(
                    Setting::Code,
                    format!(
                        "{shown} is {}, not a Python file",
                        crate::platform::file_kind(meta.file_type())
                    ),
                ));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(SpecError::new(
                    Setting::Code,
                    format!("{shown}: no such file"),
                ));
            }
            Err(e) => {
                return Err(SpecError::new(
                    Setting::Code,
                    format!("{shown} cannot be read: {e}"),
                ));
            }
        }
        let tasks = self
            .count(Setting::Tasks)?
            .unwrap_or(u64::from(Workload::Code.default_tasks()));
        Ok(WorkloadPlan {
            spec: WorkloadSpec {
                workload: Workload::Code,
                size: 0,
                tasks: u32::try_from(tasks).unwrap_or(MAX_TASKS),
                payload_bytes: 0,
                io_percent: 0,
                sharing: Sharing::default(),
                code: Some(CodeRef::intern(target)),
                command: None,
            },
            payloads: vec![0],
            sharings: vec![Sharing::default()],
        })
    }
}

/// The models a `--command` run compares when none are named: those a new
/// experiment picks that can run a command (serial: one child at a time;
/// threads: N at once).
pub fn command_models() -> Vec<Model> {
    Model::default_picks()
        .filter(|m| m.runs_commands())
        .collect()
}

impl RawExperiment {
    /// The one workload of a `--command` run; `--workload` and `--size`
    /// mean nothing beside it and are refused.
    fn command_plan(&self, command: String) -> Result<WorkloadPlan, SpecError> {
        for (setting, why) in [
            (
                Setting::Workload,
                "--command sets the workload (your command); drop --workload or --command",
            ),
            (
                Setting::Size,
                "a command (--command) has no size: {} is the task's index; drop --size",
            ),
        ] {
            if self.get(setting).is_some() {
                return Err(SpecError::new(setting, why));
            }
        }
        let tasks = self
            .count(Setting::Tasks)?
            .unwrap_or(u64::from(Workload::Command.default_tasks()));
        Ok(WorkloadPlan {
            spec: WorkloadSpec {
                workload: Workload::Command,
                size: 0,
                tasks: u32::try_from(tasks).unwrap_or(MAX_TASKS),
                payload_bytes: 0,
                io_percent: 0,
                sharing: Sharing::default(),
                code: None,
                command: Some(CommandRef::intern(command)),
            },
            payloads: vec![0],
            sharings: vec![Sharing::default()],
        })
    }
}

/// A command runs only where corescope's own threads wait for it.
fn check_command_models(models: &[Model]) -> Result<(), SpecError> {
    let others: Vec<&str> = models
        .iter()
        .filter(|m| !m.runs_commands())
        .map(|m| m.name())
        .collect();
    if others.is_empty() {
        return Ok(());
    }
    let runners: Vec<&str> = Model::ALL
        .into_iter()
        .filter(|m| m.runs_commands())
        .map(Model::name)
        .collect();
    Err(SpecError::new(
        Setting::Models,
        format!(
            "{} cannot run a command (--command); choose among {}",
            others.join(", "),
            runners.join(", ")
        ),
    ))
}

/// A Python function runs only where CPython runs the tasks.
fn check_code_models(models: &[Model]) -> Result<(), SpecError> {
    let rust: Vec<&str> = models
        .iter()
        .filter(|m| !m.is_python())
        .map(|m| m.name())
        .collect();
    if rust.is_empty() {
        return Ok(());
    }
    let cpython: Vec<&str> = Model::ALL
        .into_iter()
        .filter(|m| m.is_python())
        .map(Model::name)
        .collect();
    Err(SpecError::new(
        Setting::Models,
        format!(
            "{} cannot run a Python function (--code): they run tasks in corescope's own \
             code; choose among the CPython models: {}",
            rust.join(", "),
            cpython.join(", ")
        ),
    ))
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
mod tests {
    use super::*;
    use crate::settings::values::StartMethod;
    use crate::spec::RunSpec;
    use crate::spec::raw::tests::raw;

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
        let r = raw().with(Setting::Codec, "JSON");
        let runs = r.validate(&[2]).unwrap().runs();
        assert!(runs.iter().all(|run| run.codec == Codec::Json));
        let r = r.with(Setting::Codec, "xml");
        let err = r.validate(&[2]).unwrap_err();
        assert_eq!(err.setting.flag(), "--codec");
        assert!(err.message.contains("expected bincode or json"), "{err}");
    }

    #[test]
    fn start_methods_are_validated_once_and_reach_every_run() {
        let r = raw().with(Setting::Models, "python-serial,python-processes");
        let runs = r.validate(&[2]).unwrap().runs();
        assert!(runs.iter().all(|run| run.start_method == StartMethod::Fork));
        let r = r.with(Setting::StartMethod, "Spawn");
        let runs = r.validate(&[2]).unwrap().runs();
        assert!(
            runs.iter()
                .all(|run| run.start_method == StartMethod::Spawn)
        );
        // python-serial first among the python models: their baseline.
        assert_eq!(runs[0].model, Model::PythonSerial);
        let r = r.with(Setting::StartMethod, "forkserver");
        let err = r.validate(&[2]).unwrap_err();
        assert_eq!(err.setting.flag(), "--start-method");
        assert!(err.message.contains("expected fork or spawn"), "{err}");
    }

    #[test]
    fn bad_values_name_their_flag() {
        let cases = [
            (Setting::Workload, "quicksort"),
            (Setting::Models, "serial,fibers"),
            (Setting::Tasks, "0"),
            (Setting::Repeats, "0"),
            (Setting::Size, "-3"),
            (Setting::Payload, "65MiB"),
            (Setting::Schedule, "random"),
            (Setting::TimeLimit, "soon"),
            (Setting::Order, "random"),
        ];
        for (setting, text) in cases {
            let r = raw().with(Setting::Workload, "echo").with(setting, text);
            assert_eq!(r.validate(&[2]).unwrap_err().setting, setting, "{text}");
        }
    }

    #[test]
    fn sharing_modes_sweep_and_each_model_runs_the_ones_it_has() {
        let r = raw()
            .with(Setting::Workload, "counter")
            .with(Setting::Models, "serial,threads,python-threads")
            .with(Setting::Workers, "2")
            .with(Setting::Sharing, "atomic, racy,atomic");
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
        let r = r.with(Setting::Sharing, "atomic");
        let err = r.validate(&[2]).unwrap_err();
        assert_eq!(err.setting, Setting::Sharing);
        assert!(
            err.message.contains("python-threads cannot count atomic"),
            "{err}"
        );
        let r = r.with(Setting::Sharing, "sloppy");
        assert_eq!(r.validate(&[2]).unwrap_err().setting, Setting::Sharing);
        // Other workloads ignore the knob (but not a typo in it).
        let r = r
            .with(Setting::Workload, "sqrt-sum")
            .with(Setting::Sharing, "racy");
        let runs = r.validate(&[2]).unwrap().runs();
        assert!(runs.iter().all(|r| r.workload.sharing == Sharing::Isolated));
        assert_eq!(runs.len(), 3);
    }

    #[test]
    fn code_runs_the_cpython_models_only_and_picks_them_by_default() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("work.py");
        std::fs::write(&file, "def f(i):\n    return i\n").unwrap();
        let code = format!("{}:f", file.display());
        let r = RawExperiment::of([(Setting::Code, code.as_str())]);
        let spec = r.validate(&[2]).unwrap();
        assert_eq!(spec.models, CODE_MODELS);
        let run = spec.runs()[0];
        assert_eq!(run.workload.workload, Workload::Code);
        assert_eq!(run.workload.code.unwrap().target().function, "f");
        assert_eq!(run.workload.tasks, Workload::Code.default_tasks());
        let r = r.with(Setting::Models, "python-threads,threads");
        let err = r.validate(&[2]).unwrap_err();
        assert_eq!(err.setting, Setting::Models);
        assert!(
            err.message
                .starts_with("threads cannot run a Python function"),
            "{err}"
        );
        let r = RawExperiment::of([(Setting::Code, code.as_str()), (Setting::Size, "3")]);
        assert_eq!(r.validate(&[2]).unwrap_err().setting, Setting::Size);
        let missing = format!("{}:f", dir.path().join("gone.py").display());
        let err = RawExperiment::of([(Setting::Code, missing.as_str())])
            .validate(&[2])
            .unwrap_err();
        assert!(err.message.ends_with("gone.py: no such file"), "{err}");
        // Saved and read back as the run it was.
        let json = serde_json::to_string(&run).unwrap();
        assert_eq!(serde_json::from_str::<RunSpec>(&json).unwrap(), run);
    }

    #[test]
    fn a_command_runs_on_corescopes_threads_and_picks_serial_and_threads() {
        let r = RawExperiment::of([(Setting::Command, " gzip -k part{}.csv ")]);
        let spec = r.validate(&[2]).unwrap();
        assert_eq!(spec.models, [Model::Serial, Model::Threads]);
        let run = spec.runs()[1];
        assert_eq!(run.workload.workload, Workload::Command);
        assert_eq!(run.workload.tasks, Workload::Command.default_tasks());
        let command = run.workload.command.unwrap();
        assert_eq!(command.for_task(3), "gzip -k part3.csv");
        // Saved and read back as the run it was.
        let json = serde_json::to_string(&run).unwrap();
        assert_eq!(serde_json::from_str::<RunSpec>(&json).unwrap(), run);
        let gil = r.clone().with(Setting::Models, "serial,gil-threads");
        assert!(gil.validate(&[2]).is_ok());
        let err = r
            .clone()
            .with(Setting::Models, "async,processes")
            .validate(&[2])
            .unwrap_err();
        assert_eq!(err.setting, Setting::Models);
        assert!(
            err.message
                .starts_with("async, processes cannot run a command")
        );
        for (setting, text) in [(Setting::Size, "3"), (Setting::Workload, "sleep")] {
            let err = r.clone().with(setting, text).validate(&[2]).unwrap_err();
            assert_eq!(err.setting, setting);
        }
    }

    #[test]
    fn runs_put_serial_first_once() {
        let r = raw()
            .with(Setting::Models, "processes,serial")
            .with(Setting::Workers, "1..3");
        let runs = r.validate(&[2]).unwrap().runs();
        let labels: Vec<String> = runs.iter().map(RunSpec::label).collect();
        assert_eq!(
            labels,
            ["serial", "processes ×1", "processes ×2", "processes ×3"]
        );
        // Static chunks default to one block per worker.
        let r = r
            .with(Setting::Schedule, "static")
            .with(Setting::Tasks, "10");
        let runs = r.validate(&[2]).unwrap().runs();
        assert_eq!(runs[3].chunk, 4);
    }
}
