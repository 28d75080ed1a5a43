//! The settings catalogue: every setting of an experiment (and the two of
//! the machine) described once, as `model.rs` describes the models.
//!
//! A [`SettingInfo`] holds a setting's command-line flag, its label in the
//! window's form, the kind of value it takes and its bounds, what it is
//! when left out, its help text, which models use it and where it is
//! shown. [`Setting::info`] is one exhaustive `match`: a new variant that is
//! not described does not compile. The command line's experiment flags and
//! `--help`, the form's fields and hover texts, the names in validation
//! errors and the names of an error's way out are all read from here.
//!
//! Adding a setting touches three files: a variant and its descriptor
//! here; its typed value in `spec/experiment.rs` (an `ExperimentSpec`
//! field read in `ExperimentSpec::read`, a `RunSpec` field with its default
//! in `RunSpec::new`, handed on in `ExperimentSpec::runs`); and the
//! executor that reads it. The flag, the form field, the help, the text as
//! typed (held, saved and checked by its kind in `spec/raw.rs`) follow.
//!
//! A leaf of the crate apart from the value types it names: it imports no
//! model and no spec, so the model catalogue can list its settings by these
//! names.

pub mod values;

use serde::{Deserialize, Serialize};

use crate::limits;
use crate::worker::codec::Codec;
use crate::worker::shm::Transport;
use crate::workload::{Sharing, Workload};
use values::{Order, Scaling, Schedule, StartMethod};

/// One setting: of the experiment, or of the machine it runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Setting {
    Workload,
    /// A Python function as the workload (`--code FILE.py:FUNCTION`).
    Code,
    /// A shell command as the workload (`--command 'CMD {}'`).
    Command,
    Size,
    Tasks,
    Scaling,
    Payload,
    Codec,
    Transport,
    IoPercent,
    Sharing,
    Models,
    Workers,
    Schedule,
    Chunk,
    Repeats,
    Warmup,
    Order,
    TimeLimit,
    InFlight,
    SwitchInterval,
    RuntimeThreads,
    StartMethod,
    /// The CPython interpreter of the python models (`--python`).
    Python,
    /// The Open MPI hostfile of the MPI models.
    Hostfile,
}

/// What a setting's text means, with its bounds: how it is parsed, which
/// widget the form gives it.
#[derive(Debug, Clone, Copy)]
pub enum ValueKind {
    /// A whole number from `min` to `max` (`1_000_000` and `1M` too).
    Count { min: u64, max: u64 },
    /// A time interval in microseconds from `min_us` to `max_us` (`5ms`,
    /// `0.5ms`, `200us`; a bare number is milliseconds).
    Interval { min_us: u32, max_us: u32 },
    /// A positive duration such as `30s` or `2m`.
    Duration,
    /// A size in bytes up to `max` (`64KiB`), a list or a ×4 range of them.
    Bytes { max: u64 },
    /// Worker counts from 1 to `max`: one, a range or a list.
    Workers { max: u32 },
    /// A name of a closed set (with `many`, several comma-separated).
    Choice {
        names: fn() -> Vec<&'static str>,
        many: bool,
    },
    /// Workload names, from the workload catalogue.
    Workloads,
    /// Model names, from the model catalogue.
    Models,
    /// A file, or a command on PATH.
    Path,
    /// A Python file and one of its functions: `FILE.py:FUNCTION`.
    Code,
    /// A shell command, `{}` standing for the task's index.
    Command,
}

/// What a setting is when it is left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fallback {
    /// This value, as it would be typed.
    Value(&'static str),
    /// Worked out from other settings (the help says how).
    Derived,
    /// Off: nothing is done.
    Off,
}

/// Which models a setting means something for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uses {
    /// Every model (the workload, the repetitions).
    Every,
    /// The models whose descriptor lists it (`ModelInfo::knobs`).
    Listed,
    /// The models that use another setting (the chunk, the schedule's).
    Like(Setting),
}

/// The heading a setting is listed under in `--help`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// What runs and how it is measured.
    Experiment,
    /// The CPython models' interpreter and how it starts workers.
    Interpreter,
    /// Where runs go on this machine, and how long they may take.
    Machine,
}

impl Group {
    /// Its heading in `--help`.
    pub fn heading(self) -> &'static str {
        match self {
            Group::Experiment => "Experiment",
            Group::Interpreter => "Interpreter (python-* models)",
            Group::Machine => "Machine",
        }
    }
}

/// Where the window's form shows a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// Beside the workload: what each task does and how much of it.
    Workload,
    /// Under the models: what only some models use.
    Models,
    /// With the worker counts: how tasks are handed out and measured.
    Runs,
    /// Nowhere: an expert's setting, on the command line only (the form
    /// keeps its height for what a lesson changes).
    CommandLine,
}

/// Everything corescope knows about one setting.
#[derive(Debug, Clone, Copy)]
pub struct SettingInfo {
    /// The command-line flag (`--runtime-threads`).
    pub flag: &'static str,
    /// The label of its field in the window's form.
    pub label: &'static str,
    /// What `--help` shows for its value (`N`, `TIME`, `pipe|shm`).
    pub value_name: &'static str,
    pub kind: ValueKind,
    /// What it is when left out.
    pub fallback: Fallback,
    /// What it changes, and its unit: `--help` and the form's hover text.
    pub help: &'static str,
    /// Which models use it.
    pub uses: Uses,
    /// Which workloads it means something for (`None`: every one).
    pub workloads: Option<fn(Workload) -> bool>,
    /// Its heading in `--help`.
    pub group: Group,
    /// Where the form shows it.
    pub section: Section,
    /// A lesson preset sets it (so `sweep --preset` refuses the flag).
    pub preset_sets: bool,
}

const fn count(min: u64, max: u32) -> ValueKind {
    ValueKind::Count {
        min,
        max: max as u64,
    }
}

/// The defaults of a descriptor, filled in by each below.
const BASE: SettingInfo = SettingInfo {
    flag: "",
    label: "",
    value_name: "N",
    kind: count(0, 0),
    fallback: Fallback::Derived,
    help: "",
    uses: Uses::Every,
    workloads: None,
    group: Group::Experiment,
    section: Section::Runs,
    preset_sets: true,
};

const WORKLOAD: SettingInfo = SettingInfo {
    flag: "--workload",
    label: "Workload",
    value_name: "NAME",
    kind: ValueKind::Workloads,
    fallback: Fallback::Value("sqrt-sum"),
    help: "What each task computes, and what the size means for it",
    section: Section::Workload,
    ..BASE
};

const CODE: SettingInfo = SettingInfo {
    flag: "--code",
    label: "Your code",
    value_name: "FILE.py:FUNCTION",
    kind: ValueKind::Code,
    fallback: Fallback::Off,
    help: "Your own Python function as the workload, under the CPython \
           models (the default: python-serial, python-threads, \
           python-processes): task i calls FUNCTION(i), or FUNCTION(x) for \
           each x of an inputs() function in the file (which then sets the \
           task count); an async def runs on the python-asyncio models and \
           through asyncio.run elsewhere",
    section: Section::CommandLine,
    ..BASE
};

const COMMAND: SettingInfo = SettingInfo {
    flag: "--command",
    label: "Your command",
    value_name: "'CMD {}'",
    kind: ValueKind::Command,
    fallback: Fallback::Off,
    help: "Any program as the workload: task i runs the shell command with \
           every {} replaced by i (and CORESCOPE_TASK=i), one at a time \
           under serial and N at once under threads (the default models), \
           as xargs -P N or make -jN would: how many jobs this machine \
           should run. A non-zero exit fails the run",
    section: Section::CommandLine,
    ..BASE
};

const SIZE: SettingInfo = SettingInfo {
    flag: "--size",
    label: "Size",
    kind: count(0, u32::MAX),
    help: "How much work one task does, in the workload's unit (a count: \
           1_000_000, 10M, 2k). Default: a size that takes ~10-30 ms",
    // Your function or command decides how much work a task is.
    workloads: Some(|w| !matches!(w, Workload::Code | Workload::Command)),
    section: Section::Workload,
    ..BASE
};

const TASKS: SettingInfo = SettingInfo {
    flag: "--tasks",
    label: "Tasks",
    kind: count(1, limits::MAX_TASKS),
    help: "How many tasks the work is cut into, per repetition (a count; \
           per worker under weak scaling)",
    section: Section::Workload,
    ..BASE
};

const PAYLOAD: SettingInfo = SettingInfo {
    flag: "--payload",
    label: "Payload",
    value_name: "BYTES",
    kind: ValueKind::Bytes {
        max: limits::MAX_PAYLOAD_BYTES,
    },
    help: "Bytes sent to a worker with each echo task and back, or each net \
           reply: 512, 64KiB, 1MiB (at most 64MiB); a list (1KiB,1MiB) or a \
           range stepping ×4 (1KiB..64MiB) sweeps payloads",
    workloads: Some(Workload::takes_payload),
    section: Section::Workload,
    ..BASE
};

const IO_PERCENT: SettingInfo = SettingInfo {
    flag: "--io-percent",
    label: "Waiting %",
    value_name: "PERCENT",
    kind: ValueKind::Count { min: 0, max: 100 },
    fallback: Fallback::Value("50"),
    help: "mixed: share of each task spent waiting (I/O) rather than \
           computing (percent, 0 to 100)",
    workloads: Some(|w| w == Workload::Mixed),
    section: Section::Workload,
    ..BASE
};

const SHARING: SettingInfo = SettingInfo {
    flag: "--sharing",
    label: "Sharing",
    value_name: "MODES",
    kind: ValueKind::Choice {
        names: || Sharing::ALL.map(Sharing::name).to_vec(),
        many: true,
    },
    fallback: Fallback::Value("isolated"),
    help: "counter: how the workers share the counter, one mode or several \
           to compare: racy (no synchronisation), locked (a mutex), atomic \
           (one atomic add; not in CPython), isolated (partial sums added at \
           the end)",
    workloads: Some(|w| w == Workload::Counter),
    section: Section::Workload,
    ..BASE
};

const SCALING: SettingInfo = SettingInfo {
    flag: "--scaling",
    label: "Scaling",
    value_name: "strong|weak",
    kind: ValueKind::Choice {
        names: || Scaling::ALL.map(Scaling::name).to_vec(),
        many: false,
    },
    fallback: Fallback::Value("strong"),
    help: "strong: the same tasks at every worker count (read against \
           Amdahl's law); weak: tasks per worker, so the work grows with the \
           workers (read against Gustafson's law)",
    section: Section::Workload,
    ..BASE
};

const MODELS: SettingInfo = SettingInfo {
    flag: "--models",
    label: "Models",
    value_name: "LIST",
    kind: ValueKind::Models,
    fallback: Fallback::Value("serial,threads,processes"),
    help: "The ways of running the tasks to compare, comma-separated",
    section: Section::Models,
    ..BASE
};

const WORKERS: SettingInfo = SettingInfo {
    flag: "--workers",
    label: "Workers",
    value_name: "RANGE",
    kind: ValueKind::Workers {
        max: limits::MAX_WORKERS,
    },
    help: "How many threads or processes run tasks at once: a count, a \
           range such as 1..8 or a list such as 1,2,4,8 (default: 1 to the \
           logical core count)",
    uses: Uses::Listed,
    ..BASE
};

const SCHEDULE: SettingInfo = SettingInfo {
    flag: "--schedule",
    label: "Schedule",
    value_name: "static|queue",
    kind: ValueKind::Choice {
        names: || Schedule::ALL.map(Schedule::name).to_vec(),
        many: true,
    },
    fallback: Fallback::Value("queue"),
    help: "How tasks reach the workers: static deals chunks out up front, \
           queue lets a free worker take the next chunk",
    uses: Uses::Listed,
    ..BASE
};

const CHUNK: SettingInfo = SettingInfo {
    flag: "--chunk",
    label: "Chunk",
    kind: count(1, limits::MAX_TASKS),
    help: "Tasks handed out at a time (a count; default: one block per \
           worker for static, 1 for queue)",
    uses: Uses::Like(Setting::Schedule),
    ..BASE
};

const REPEATS: SettingInfo = SettingInfo {
    flag: "--repeats",
    label: "Repeats",
    kind: count(1, limits::MAX_REPEATS),
    fallback: Fallback::Value("3"),
    help: "Measured repetitions of each run; tables and charts show their \
           median (a count)",
    ..BASE
};

const WARMUP: SettingInfo = SettingInfo {
    flag: "--warmup",
    label: "Warm-ups",
    kind: count(0, limits::MAX_REPEATS),
    fallback: Fallback::Value("1"),
    help: "Unmeasured repetitions before the measured ones, to warm caches \
           (a count)",
    ..BASE
};

const ORDER: SettingInfo = SettingInfo {
    flag: "--order",
    label: "Order",
    value_name: "interleaved|sequential",
    kind: ValueKind::Choice {
        names: || Order::ALL.map(Order::name).to_vec(),
        many: false,
    },
    fallback: Fallback::Value("interleaved"),
    help: "interleaved: the runs of one problem take turns, one repetition \
           each, so a busy moment slows every model alike; sequential: each \
           run's repetitions back to back",
    ..BASE
};

const TIME_LIMIT: SettingInfo = SettingInfo {
    flag: "--time-limit",
    label: "Time limit",
    value_name: "TIME",
    kind: ValueKind::Duration,
    fallback: Fallback::Off,
    help: "Stop any run still going after this long (30s, 2m): its processes \
           are killed and reaped, it is listed as timed out, the others go \
           on; the command line then exits with status 1",
    group: Group::Machine,
    preset_sets: false,
    ..BASE
};

const IN_FLIGHT: SettingInfo = SettingInfo {
    flag: "--in-flight",
    label: "In flight",
    kind: count(1, limits::MAX_IN_FLIGHT),
    fallback: Fallback::Value("2"),
    help: "Tasks queued ahead per worker process (a count; 1: strict \
           request and response)",
    uses: Uses::Listed,
    section: Section::CommandLine,
    ..BASE
};

const CODEC: SettingInfo = SettingInfo {
    flag: "--codec",
    label: "Codec",
    value_name: "bincode|json",
    kind: ValueKind::Choice {
        names: || Codec::ALL.map(Codec::name).to_vec(),
        many: false,
    },
    fallback: Fallback::Value("bincode"),
    help: "How messages to worker processes are encoded: bincode (compact \
           binary) or json (text: shows what serialization costs; for echo \
           payloads up to 16MiB)",
    uses: Uses::Listed,
    workloads: Some(Workload::uses_payload),
    section: Section::Workload,
    ..BASE
};

const TRANSPORT: SettingInfo = SettingInfo {
    flag: "--transport",
    label: "Transport",
    value_name: "pipe|shm",
    kind: ValueKind::Choice {
        names: || Transport::ALL.map(Transport::name).to_vec(),
        many: false,
    },
    fallback: Fallback::Value("pipe"),
    help: "How echo payloads reach the workers: pipe (copied through the \
           pipe both ways) or shm (memory shared with the workers; only the \
           task and its result cross the pipe)",
    uses: Uses::Listed,
    workloads: Some(Workload::uses_payload),
    section: Section::Workload,
    ..BASE
};

const SWITCH_INTERVAL: SettingInfo = SettingInfo {
    flag: "--switch-interval",
    label: "Switch interval",
    value_name: "TIME",
    kind: ValueKind::Interval {
        min_us: limits::MIN_SWITCH_INTERVAL_US,
        max_us: limits::MAX_SWITCH_INTERVAL_US,
    },
    fallback: Fallback::Value("5ms"),
    help: "How long a thread may hold the lock while others wait, as \
           CPython's sys.getswitchinterval() (5ms, 0.5ms, 200us)",
    uses: Uses::Listed,
    section: Section::Models,
    ..BASE
};

const RUNTIME_THREADS: SettingInfo = SettingInfo {
    flag: "--runtime-threads",
    label: "Runtime threads",
    kind: count(1, limits::MAX_RUNTIME_THREADS),
    fallback: Fallback::Value("1"),
    help: "Threads of the tokio runtime (a count; 1: a current-thread \
           runtime, every task on one thread)",
    uses: Uses::Listed,
    section: Section::Models,
    ..BASE
};

const START_METHOD: SettingInfo = SettingInfo {
    flag: "--start-method",
    label: "Start method",
    value_name: "fork|spawn",
    kind: ValueKind::Choice {
        names: || StartMethod::ALL.map(StartMethod::name).to_vec(),
        many: false,
    },
    fallback: Fallback::Value("fork"),
    help: "How CPython's process pools start workers: fork copies the \
           running interpreter (fast), spawn starts fresh ones (slow, \
           portable)",
    uses: Uses::Listed,
    group: Group::Interpreter,
    section: Section::Models,
    ..BASE
};

const PYTHON: SettingInfo = SettingInfo {
    flag: "--python",
    label: "Python",
    value_name: "PATH",
    kind: ValueKind::Path,
    fallback: Fallback::Value("python3"),
    help: "The CPython interpreter the python models run: a path, or a \
           command on PATH",
    uses: Uses::Listed,
    group: Group::Interpreter,
    section: Section::Models,
    preset_sets: false,
    ..BASE
};

const HOSTFILE: SettingInfo = SettingInfo {
    flag: "--hostfile",
    label: "Hostfile",
    value_name: "FILE",
    kind: ValueKind::Path,
    fallback: Fallback::Off,
    help: "An Open MPI hostfile for mpirun (a host per line, e.g. `node1 \
           slots=4`); without one every rank runs on this machine",
    uses: Uses::Listed,
    group: Group::Machine,
    section: Section::Models,
    preset_sets: false,
    ..BASE
};

impl Setting {
    /// Every setting, in the order `--help` and the form list them.
    pub const ALL: [Setting; 25] = [
        Setting::Workload,
        Setting::Code,
        Setting::Command,
        Setting::Size,
        Setting::Tasks,
        Setting::Scaling,
        Setting::Payload,
        Setting::Codec,
        Setting::Transport,
        Setting::IoPercent,
        Setting::Sharing,
        Setting::Models,
        Setting::Workers,
        Setting::Schedule,
        Setting::Chunk,
        Setting::Repeats,
        Setting::Warmup,
        Setting::Order,
        Setting::InFlight,
        Setting::SwitchInterval,
        Setting::RuntimeThreads,
        Setting::StartMethod,
        Setting::Python,
        Setting::TimeLimit,
        Setting::Hostfile,
    ];

    /// The setting's descriptor: the one place its facts live.
    pub const fn info(self) -> &'static SettingInfo {
        match self {
            Setting::Workload => &WORKLOAD,
            Setting::Code => &CODE,
            Setting::Command => &COMMAND,
            Setting::Size => &SIZE,
            Setting::Tasks => &TASKS,
            Setting::Payload => &PAYLOAD,
            Setting::IoPercent => &IO_PERCENT,
            Setting::Sharing => &SHARING,
            Setting::Scaling => &SCALING,
            Setting::Models => &MODELS,
            Setting::Workers => &WORKERS,
            Setting::Schedule => &SCHEDULE,
            Setting::Chunk => &CHUNK,
            Setting::Repeats => &REPEATS,
            Setting::Warmup => &WARMUP,
            Setting::Order => &ORDER,
            Setting::TimeLimit => &TIME_LIMIT,
            Setting::InFlight => &IN_FLIGHT,
            Setting::Codec => &CODEC,
            Setting::Transport => &TRANSPORT,
            Setting::SwitchInterval => &SWITCH_INTERVAL,
            Setting::RuntimeThreads => &RUNTIME_THREADS,
            Setting::StartMethod => &START_METHOD,
            Setting::Python => &PYTHON,
            Setting::Hostfile => &HOSTFILE,
        }
    }

    /// The command-line flag that sets it.
    pub fn flag(self) -> &'static str {
        self.info().flag
    }

    /// The label of its field in the window's form.
    pub fn label(self) -> &'static str {
        self.info().label
    }

    /// What it changes, and its unit.
    pub fn help(self) -> &'static str {
        self.info().help
    }

    /// Its value when left out, as typed; `None` where it is worked out
    /// from other settings or off.
    pub fn default_text(self) -> Option<&'static str> {
        match self.info().fallback {
            Fallback::Value(text) => Some(text),
            Fallback::Derived | Fallback::Off => None,
        }
    }

    /// Whether it means something for `workload`.
    pub fn applies_to_workload(self, workload: Workload) -> bool {
        self.info()
            .workloads
            .is_none_or(|applies| applies(workload))
    }

    /// The setting of the machine rather than of the experiment (the
    /// interpreter, the hostfile): no experiment records it.
    pub fn is_machine(self) -> bool {
        matches!(self.info().kind, ValueKind::Path)
    }
}

/// The words a front end names settings with: its flags, or its form's
/// fields.
pub type SettingNames = fn(Setting) -> &'static str;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_setting_is_listed_once_with_a_unique_flag_and_label() {
        let flags: HashSet<_> = Setting::ALL.iter().map(|s| s.flag()).collect();
        let labels: HashSet<_> = Setting::ALL.iter().map(|s| s.label()).collect();
        assert_eq!(flags.len(), Setting::ALL.len());
        assert_eq!(labels.len(), Setting::ALL.len());
        for setting in Setting::ALL {
            let info = setting.info();
            assert!(info.flag.starts_with("--"), "{setting:?}");
            assert!(!info.help.is_empty() && !info.label.is_empty());
            // Serialized as the flag is spelled.
            let json = serde_json::to_string(&setting).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", &info.flag[2..]));
        }
    }

    #[test]
    fn each_choice_falls_back_on_a_name_it_offers() {
        for setting in Setting::ALL {
            if let ValueKind::Choice { names, .. } = setting.info().kind {
                let fallback = setting.default_text().unwrap_or_default();
                assert!(names().contains(&fallback), "{setting:?}");
            }
        }
        assert_eq!(Setting::Codec.default_text(), Some(Codec::default().name()));
        assert_eq!(
            Setting::Transport.default_text(),
            Some(Transport::default().name())
        );
        assert_eq!(Setting::Order.default_text(), Some(Order::default().name()));
        assert_eq!(
            Setting::StartMethod.default_text(),
            Some(StartMethod::default().name())
        );
        assert_eq!(
            Setting::Sharing.default_text(),
            Some(Sharing::default().name())
        );
    }
}
