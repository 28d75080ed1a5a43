//! What a run recorded inside its [`super::RunRecord`]: each repetition
//! ([`RepetitionRecord`]) with its task spans and their IPC stamps, the
//! CPU and memory samples taken while it ran, its memory and IPC totals,
//! and an MPI run's ranks.

use serde::{Deserialize, Serialize};

/// Where an MPI run's ranks ran and what they exchanged.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MpiRecord {
    /// The MPI library as it names itself (its first line), e.g.
    /// `Open MPI v4.1.4, …`.
    pub library: String,
    /// The hostfile given to `mpirun`, if any (else: this machine only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostfile: Option<String>,
    /// Some host ran more ranks (the coordinating rank included) than it
    /// has logical cores: `mpirun --oversubscribe` let it, and ranks then
    /// share cores.
    pub oversubscribed: bool,
    /// The coordinating rank (rank 0), then each worker rank.
    pub ranks: Vec<RankRecord>,
}

/// One MPI rank of a run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RankRecord {
    pub rank: u32,
    /// The host it ran on (`MPI_Get_processor_name`).
    pub host: String,
    /// Its process id on that host.
    pub pid: u32,
    /// Logical cores of that host.
    pub cpus: u32,
    /// Its host's monotonic clock minus the coordinator's, as measured by
    /// the fastest of a few round trips (0 on the coordinator's machine,
    /// which shares one clock); its spans are moved by it.
    pub clock_offset_seconds: f64,
    /// The round trip that measured the offset (its uncertainty is half).
    pub clock_round_trip_seconds: f64,
    /// Bytes it sent over the whole run (warm-ups included), counted at
    /// the coordinator's MPI calls (for rank 0: to every worker rank).
    pub bytes_sent: u64,
    /// Bytes it received, counted the same way.
    pub bytes_received: u64,
    /// Messages it sent and received.
    pub messages: u64,
}

/// IPC traffic of one repetition, counted at the pipes, framing included.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpcTotals {
    pub bytes_to_workers: u64,
    pub bytes_from_workers: u64,
    /// Frames in both directions.
    pub messages: u64,
    /// `--transport shm`: payload bytes the workers read from shared memory
    /// instead of the pipe (the bytes above are then only the small frames).
    #[serde(default, skip_serializing_if = "is_zero_u64")]
    pub bytes_shared_to_workers: u64,
    /// `--transport shm`: result bytes the workers left in shared memory.
    #[serde(default, skip_serializing_if = "is_zero_u64")]
    pub bytes_shared_from_workers: u64,
}

fn is_zero_u64(value: &u64) -> bool {
    *value == 0
}

/// Resident memory (RSS) of a run's processes, read once the repetition's
/// clock has stopped: each worker process holds its own copy of the program
/// and its data, threads share the parent's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemoryRecord {
    /// The corescope process itself, all its threads (serial, threads and
    /// gil-threads runs hold everything here).
    pub parent_rss_bytes: u64,
    /// Each worker process, by worker index (empty for serial, threads and
    /// gil-threads). process-per-task: per slot, the largest RSS among the
    /// processes that ran in it, each read just before it was shut down.
    pub worker_rss_bytes: Vec<u64>,
    /// The parent plus every worker.
    pub total_rss_bytes: u64,
}

/// One measured repetition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RepetitionRecord {
    pub wall_seconds: f64,
    pub compute_seconds: f64,
    pub cpu_seconds: f64,
    pub ipc: IpcTotals,
    /// Its place in the experiment's measuring order (0 first, warm-ups
    /// counted): interleaved runs' repetitions alternate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence: Option<u64>,
    /// `counter`: the total the main process read after this repetition
    /// (races make it differ from one repetition to the next).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
}

/// The compute of one task, or of a group of consecutive tasks, as stamped
/// by the worker that ran it.
///
/// Where tasks are short, serial and thread workers time a group of the
/// tasks a worker ran one after another with one pair of clock reads,
/// long enough that the reads cost under 1 % of it (`engine::grouping`);
/// where they are not, a span is one task. A group is `task .. task +
/// tasks`, or, where the worker's tasks were not consecutive (a queue
/// hands out chunks to whichever worker asks), the tasks in `members`.
/// 48 bytes (the IPC stamps and the members are boxed: only worker
/// processes have stamps, only some groups members).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpanRecord {
    pub worker: u32,
    /// The first task of the span.
    pub task: u32,
    /// How many consecutive tasks it covers (1 in files of schema
    /// version 1, which timed every task).
    #[serde(default = "one_task")]
    pub tasks: u32,
    /// Seconds from the start of the repetition.
    pub start_seconds: f64,
    pub end_seconds: f64,
    /// Worker-process models: how the task and its result travelled
    /// (always a single task's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipc: Option<Box<SpanIpc>>,
    /// A group whose tasks are not `task .. task + tasks`: every one of
    /// them, in increasing order (`task` first, `tasks` of them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<Box<Vec<u32>>>,
}

fn one_task() -> u32 {
    1
}

impl SpanRecord {
    /// The tasks it covers, in increasing order.
    pub fn covered(&self) -> Box<dyn Iterator<Item = u32> + '_> {
        match &self.members {
            Some(members) => Box::new(members.iter().copied()),
            None => Box::new(self.task..self.task.saturating_add(self.tasks)),
        }
    }

    /// The last task it covers.
    pub fn last_task(&self) -> u32 {
        match &self.members {
            Some(members) => members.last().copied().unwrap_or(self.task),
            None => self.task.saturating_add(self.tasks.max(1) - 1),
        }
    }

    /// "task 7", "tasks 120–183", or "64 tasks, 120 to 250".
    pub fn tasks_label(&self) -> String {
        tasks_label(self.task, self.tasks, self.last_task())
    }
}

/// "task 7" for one task, "tasks 120–183" for a group of consecutive
/// ones, "64 tasks, 120 to 250" for a group of `tasks` from `first` to
/// `last` that are not.
pub fn tasks_label(first: u32, tasks: u32, last: u32) -> String {
    if tasks <= 1 {
        format!("task {first}")
    } else if u64::from(last) - u64::from(first) + 1 == u64::from(tasks) {
        format!("tasks {first}\u{2013}{last}")
    } else {
        format!("{tasks} tasks, {first} to {last}")
    }
}

/// The instants a worker-process task passed through besides its compute
/// span (`start_seconds..end_seconds`), in seconds from the start of the
/// repetition. In order: spawned (process-per-task only) → received → read
/// → compute → reply → replied → returned.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SpanIpc {
    /// process-per-task: when this task's process was started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spawned_seconds: Option<f64>,
    /// The worker read the task frame's header (the body starts to flow).
    pub received_seconds: f64,
    /// The worker had the task's body; decoding takes it to `start_seconds`.
    pub read_seconds: f64,
    /// The parent read the result frame's header: from `end_seconds` to
    /// here the worker was encoding (and starting to write) its result.
    pub reply_seconds: f64,
    /// The parent had the result's body: the transfer back.
    pub replied_seconds: f64,
    /// The parent had decoded the result.
    pub returned_seconds: f64,
}

/// The usage of every logical core at one moment of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CpuSample {
    /// Seconds from the start of the median repetition (negative before it).
    pub t_seconds: f64,
    /// Usage of each logical core over the interval before `t_seconds`,
    /// 0 to 100 %, whoever used it.
    pub per_core: Vec<f32>,
    /// What corescope and its worker processes used of it, in percent of
    /// one core (200 = two cores' worth): other programs' load is the rest.
    #[serde(default)]
    pub corescope_percent: f32,
}

/// The resident memory of a run's processes at one moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemorySample {
    /// Seconds from the start of the median repetition (negative before it).
    pub t_seconds: f64,
    /// The corescope process, all its threads.
    pub parent_rss_bytes: u64,
    /// Each worker process by worker (process-per-task: by slot, 0 while
    /// the slot has no process); empty for models without processes.
    pub worker_rss_bytes: Vec<u64>,
    /// The parent plus every worker.
    pub total_rss_bytes: u64,
}
