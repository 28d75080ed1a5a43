//! How the models that run outside corescope's own binary fail: the python
//! models' harness under CPython, and the MPI models' job under `mpirun`.
//! Each failure is a value (what went wrong, during which phase, how the
//! process ended, the end of its stderr), so a front end can act on the
//! kind (word the way out with its own names for the settings, see
//! [`crate::remedy`]) without reading it back from text.

use std::fmt;
use std::process::ExitStatus;

use crate::mpi::launch::HostfileError;
use crate::python::PythonError;
use crate::remedy::{Remedied, Remedy, Setting};
use crate::spec::Model;
use crate::worker::process::describe_status;
use crate::worker::protocol::ProtocolError;

/// When a harness or a job failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Starting its pool or ranks, before the first repetition.
    StartUp,
    /// While a repetition ran.
    Repetition,
    /// Ending a healthy job.
    Shutdown,
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Phase::StartUp => "start-up",
            Phase::Repetition => "a repetition",
            Phase::Shutdown => "shutdown",
        })
    }
}

/// What a harness or a job said or did that ended the run.
#[derive(Debug, thiserror::Error)]
pub enum Fault {
    /// It reported an error of its own (a Python exception, an MPI
    /// error), quoted.
    #[error("{0}")]
    Raised(String),
    /// It printed a line that is no harness message (quoted).
    #[error("it printed '{0}', not a harness message")]
    Garbage(String),
    /// It printed a line longer than any message can be.
    #[error("it printed a line longer than {limit} bytes, not a harness message")]
    TooLong { limit: usize },
    /// A message that does not belong where it came.
    #[error("unexpected message {0}")]
    Unexpected(String),
    #[error("no answer within {seconds} s")]
    NoAnswer { seconds: u64 },
    /// Its output stopped being frames.
    #[error("its output broke off: {0}")]
    BrokeOff(ProtocolError),
    /// A frame to it could not be written.
    #[error("{0}")]
    Protocol(ProtocolError),
    #[error("its ranks speak MPI protocol {found}, this corescope {expected}")]
    ProtocolVersion { found: u32, expected: u32 },
    #[error("it has {ranks} ranks, {asked} were asked for")]
    WrongRanks { ranks: usize, asked: u32 },
    /// python-threads-nogil under an interpreter that turned the GIL on.
    #[error("the GIL is enabled in this interpreter")]
    GilEnabled,
    #[error("it reported {reported} worker processes for {workers} workers")]
    TooManyWorkers { reported: usize, workers: u32 },
    /// Its figures cannot be right (a task twice, outside its repetition,
    /// a counter above its increments); the text says which.
    #[error("{0}")]
    Implausible(String),
}

/// The end of a harness or a job that failed.
#[derive(Debug)]
pub struct Ended {
    pub during: Phase,
    /// What it said or did, if anything (otherwise it just ended).
    pub fault: Option<Fault>,
    /// Who `exit` is about: "the harness" or "mpirun".
    pub who: &'static str,
    /// How it ended, once reaped.
    pub exit: Option<ExitStatus>,
    /// The last lines of its stderr, joined with " | ".
    pub stderr: String,
}

impl fmt::Display for Ended {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "during {}", self.during)?;
        if let Some(fault) = &self.fault {
            write!(f, ": {fault}")?;
        }
        if let Some(exit) = self.exit {
            write!(f, "; {} {}", self.who, describe_status(exit))?;
        }
        if !self.stderr.is_empty() {
            write!(f, "; its stderr ends: {}", self.stderr)?;
        }
        Ok(())
    }
}

/// Why a python model failed.
#[derive(Debug, thiserror::Error)]
pub enum PythonFailure {
    /// No interpreter can run the model.
    #[error("{model} needs python: {source}")]
    Interpreter { model: Model, source: PythonError },
    #[error("cannot write the python harness for {model}: {source}")]
    Script {
        model: Model,
        source: std::io::Error,
    },
    /// The interpreter (or, for python-mpi, mpirun) could not be started.
    #[error("cannot start {program} for {model}: {source}")]
    Spawn {
        model: Model,
        program: String,
        source: std::io::Error,
    },
    #[error("the python harness's pipes were not created")]
    Pipes,
    #[error("cannot encode the run spec: {0}")]
    EncodeSpec(serde_json::Error),
    /// The harness raised, broke its protocol or died.
    #[error("{model} failed in CPython ({interpreter}) {ended}")]
    Harness {
        model: Model,
        interpreter: String,
        ended: Ended,
    },
}

impl Remedied for PythonFailure {
    fn remedy(&self) -> Option<Remedy> {
        match self {
            PythonFailure::Interpreter { source, .. } => source.remedy(),
            _ => None,
        }
    }
}

/// Why an MPI model failed.
#[derive(Debug, thiserror::Error)]
pub enum MpiFailure {
    #[error(transparent)]
    Hostfile(#[from] HostfileError),
    #[error("cannot start {launcher}: {source}")]
    Spawn {
        launcher: &'static str,
        source: std::io::Error,
    },
    #[error("{launcher}'s pipes were not created")]
    Pipes { launcher: &'static str },
    /// The net workload's service is on this machine's loopback only.
    #[error(
        "{model} does not run the net workload: its service listens on 127.0.0.1 only, \
         which ranks on other hosts cannot reach"
    )]
    NetWorkload { model: Model },
    /// A rank raised, broke the protocol or died.
    #[error("mpi failed {0}")]
    Job(Ended),
}

impl Remedied for MpiFailure {
    fn remedy(&self) -> Option<Remedy> {
        match self {
            MpiFailure::Hostfile(_) => Some(Remedy::Set(Setting::Hostfile)),
            _ => None,
        }
    }
}
