//! Messages between corescope and an MPI job's coordinating rank (rank 0).
//!
//! Corescope writes [`ToCoordinator`] frames into `mpirun`'s stdin, which
//! Open MPI forwards to rank 0; rank 0 answers with [`FromCoordinator`]
//! frames on its stdout, which `mpirun` forwards back. Frames are the
//! worker protocol's (`worker::protocol`: a length header and a body in
//! the run's codec). Between ranks, tasks and results travel as the worker
//! protocol's `ToWorker`/`FromWorker` bodies, one MPI message each (MPI
//! carries the length), tagged by [`Tag`].
//!
//! python-mpi's harness sends [`JobInfo`] and [`RankTraffic`] in the same
//! shape as JSON inside its own line protocol.

use serde::{Deserialize, Serialize};

use crate::spec::RunSpec;

/// Bumped whenever a message changes shape; corescope and its ranks must
/// agree (they are the same binary, unless a hostfile finds another one).
pub const MPI_PROTOCOL_VERSION: u32 = 1;

/// Finished tasks are reported in batches of at most this many (and at
/// least every [`BATCH_INTERVAL_NS`]), so one frame never grows with the
/// run and progress keeps flowing.
pub const BATCH_TASKS: usize = 4096;
/// The longest a finished task waits to be reported.
pub const BATCH_INTERVAL_NS: u64 = 20_000_000;

/// The MPI tag of a message between ranks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    /// A worker's [`RankAbout`], once at start-up.
    About = 1,
    /// A clock round trip: an empty message to the worker, its monotonic
    /// clock (8 bytes, little-endian) back.
    Clock = 2,
    /// Coordinator → worker: a `ToWorker` body.
    Work = 3,
    /// Worker → coordinator: a `FromWorker` body.
    Result = 4,
}

/// Corescope → coordinating rank.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum ToCoordinator {
    /// The run: sent first, before the job is ready.
    Start { version: u32, spec: RunSpec },
    /// Answer with `Pong` at once (checks that corescope and the
    /// coordinator read one clock, and aligns them where they do not).
    Ping,
    /// Run one repetition.
    Rep,
    /// Stop every rank and exit (closing stdin does the same).
    Shutdown,
}

/// Coordinating rank → corescope.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum FromCoordinator {
    /// Every rank is up, introduced and its clock aligned.
    Ready(JobInfo),
    /// The coordinator's monotonic clock, answering `Ping`.
    Pong { now_ns: u64 },
    /// Tasks that finished, in the order they did.
    Tasks(Vec<TaskReport>),
    /// The repetition is over: it follows its last tasks.
    RepEnd(RepEnd),
    /// The job cannot go on (it aborts right after).
    Error { message: String },
}

/// A worker rank introducing itself to the coordinator.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RankAbout {
    pub host: String,
    pub boot_id: String,
    pub pid: u32,
    pub cpus: u32,
}

/// One rank of the job, as the coordinator knows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RankInfo {
    pub rank: u32,
    pub host: String,
    /// Its kernel's boot id: ranks with the coordinator's share its pids
    /// (and its clock, unless a time namespace moved theirs).
    #[serde(default)]
    pub boot_id: String,
    pub pid: u32,
    pub cpus: u32,
    /// Its clock minus the coordinator's (0 when one round trip showed
    /// they read the same clock).
    #[serde(default)]
    pub clock_offset_ns: i64,
    #[serde(default)]
    pub clock_round_trip_ns: u64,
}

/// The job: the MPI library and every rank, rank 0 (the coordinator) first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobInfo {
    pub version: u32,
    pub library: String,
    pub ranks: Vec<RankInfo>,
}

/// A finished task. Every instant is on the coordinator's monotonic clock
/// (a worker's own stamps already moved by its rank's offset).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskReport {
    pub index: u32,
    /// The worker (rank − 1).
    pub worker: u32,
    pub value: u64,
    /// The worker saw the task message arrive (its probe matched).
    pub received_ns: u64,
    /// The worker had received it.
    pub read_ns: u64,
    pub start_ns: u64,
    pub end_ns: u64,
    /// The coordinator saw the result arrive.
    pub reply_ns: u64,
    /// The coordinator had received it.
    pub replied_ns: u64,
    /// The coordinator had decoded it.
    pub returned_ns: u64,
}

/// What one repetition measured besides its tasks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepEnd {
    /// The first task was handed out (coordinator's clock).
    pub start_ns: u64,
    /// The last result was in.
    pub end_ns: u64,
    /// CPU time of the coordinator and every worker rank.
    pub cpu_ns: u64,
    /// Per worker rank, counted at the coordinator's MPI calls.
    pub traffic: Vec<RankTraffic>,
}

/// The bytes a worker rank exchanged with the coordinator.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RankTraffic {
    /// Bytes the coordinator sent to the rank.
    pub to_rank: u64,
    /// Bytes the rank sent to the coordinator.
    pub from_rank: u64,
    /// Messages both ways.
    pub messages: u64,
}
