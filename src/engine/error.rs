//! [`EngineError`]: why a run did not finish, from a worker that died to a
//! model this machine cannot run; the python and MPI models' failures are
//! boxed in it as told by [`super::failure`].

use super::availability;
use super::failure::{MpiFailure, PythonFailure};
use crate::model::Model;
use crate::remedy::{Remedied, Remedy};
use crate::worker::protocol::ProtocolError;

/// Why a run did not finish.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("could not start worker {worker}: {source}")]
    Spawn {
        worker: usize,
        source: std::io::Error,
    },
    #[error("could not start thread {name}: {source}")]
    Thread {
        name: String,
        source: std::io::Error,
    },
    #[error("worker {worker} (pid {pid}) {how} while running {tasks}")]
    WorkerDied {
        worker: usize,
        pid: u32,
        how: String,
        tasks: String,
    },
    #[error("worker {worker} (pid {pid}) broke the protocol: {source}")]
    Protocol {
        worker: usize,
        pid: u32,
        source: ProtocolError,
    },
    #[error("worker {worker} (pid {pid}) sent a result for task {task}, which it was not running")]
    UnexpectedResult { worker: usize, pid: u32, task: u32 },
    #[error("worker {worker} did not say hello within {seconds} s")]
    StartTimeout { worker: usize, seconds: u64 },
    #[error("a thread of the {model} model stopped unexpectedly")]
    ThreadLost { model: Model },
    #[error("repetition {rep} gave checksum {found}, the first gave {expected}")]
    Nondeterministic {
        rep: usize,
        expected: String,
        found: String,
    },
    /// A python model failed: no interpreter for it, or the harness could
    /// not start, raised, crashed or broke its protocol.
    #[error(transparent)]
    Python(Box<PythonFailure>),
    /// An MPI model failed: an unusable hostfile, mpirun could not start,
    /// or a rank died or broke the protocol.
    #[error(transparent)]
    Mpi(Box<MpiFailure>),
    /// A model cannot run on this machine (refused before anything runs).
    #[error(transparent)]
    Unavailable(#[from] availability::Unavailable),
    /// The `net` workload's service could not be started.
    #[error(transparent)]
    Service(#[from] crate::net_service::ServiceError),
    /// A task could not be done (net: the service did not answer).
    #[error("{0}")]
    Task(String),
    #[error("cancelled")]
    Cancelled,
    #[error("not enough memory for {what} ({bytes} bytes)")]
    OutOfMemory { what: &'static str, bytes: u64 },
    /// The run outgrew the process's limits before it started.
    #[error("{0}")]
    Limits(String),
}

// Boxed: a failure carries its ending, which would make every engine
// result as large.
impl From<PythonFailure> for EngineError {
    fn from(failure: PythonFailure) -> Self {
        EngineError::Python(Box::new(failure))
    }
}

impl From<MpiFailure> for EngineError {
    fn from(failure: MpiFailure) -> Self {
        EngineError::Mpi(Box::new(failure))
    }
}

impl Remedied for EngineError {
    /// Another interpreter or hostfile may get past a failure of the
    /// python or MPI models; nothing else is a setting's to fix.
    fn remedy(&self) -> Option<Remedy> {
        match self {
            EngineError::Python(failure) => failure.remedy(),
            EngineError::Mpi(failure) => failure.remedy(),
            EngineError::Unavailable(why) => why.remedy(),
            _ => None,
        }
    }
}
