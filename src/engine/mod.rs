//! The engine: runs experiments for real and measures them.
//!
//! [`run_experiment`] executes every run of an [`ExperimentSpec`] in order
//! on the calling thread and reports [`RunEvent`]s through a callback;
//! [`runner::Runner`] does the same on a named thread of its own, feeding a
//! crossbeam channel and calling a wake-up callback (the GUI's repaint). Each
//! model is an [`Executor`]: a pool started once per run and reused by every
//! repetition, so pool start-up is measured apart from wall time.
//!
//! The rooms: `contract` (what every executor is given and hands back),
//! `run` (one run or a plan, on this thread), `interleave` (the measuring
//! order), `record` (a run's record from its repetitions), `cancel` and
//! `error`; `child` holds what the executors that drive a child process
//! over pipes share (the python models' harness, `mpirun`); then one file
//! per executor. This file only chooses the executor a run's model gets
//! (`start_executor`).
//!
//! The engine never prints and never imports a UI toolkit.
//!
//! [`ExperimentSpec`]: crate::spec::ExperimentSpec

mod async_processes;
mod async_tasks;
pub mod availability;
mod budget;
mod channel_pool;
mod child;
mod contract;
mod error;
mod event;
pub mod failure;
mod gil;
mod grouping;
pub mod interleave;
mod mpi;
mod per_task;
mod poll;
mod processes;
mod python;
mod record;
mod run;
pub mod runner;
pub mod schedule;
mod serial;
mod threads;

pub use crate::cancel::CancelToken;
pub use budget::{check_budget, check_plan_budget};
pub use contract::EngineConfig;
use contract::{Executor, Pool};
pub use error::EngineError;
pub use event::RunEvent;
pub use failure::{MpiFailure, PythonFailure};
pub use run::{
    LiveSink, Plan, run_experiment, run_experiment_live, run_one, run_one_sampled, run_plan,
};

use crate::measure::sampler::PidBoard;
use crate::net_service::NetService;
use crate::spec::{Model, RunSpec};
use crate::workload::Workload;

/// Starts the run's `net` service if its workload calls one, then its
/// executor.
fn start_pool(
    spec: &RunSpec,
    config: &EngineConfig,
    cancel: &CancelToken,
    board: &PidBoard,
) -> Result<Pool, EngineError> {
    let service = match spec.workload.workload {
        Workload::Net => Some(NetService::start(
            &config.worker_exe,
            spec.workload.payload_bytes,
        )?),
        _ => None,
    };
    let net_port = service.as_ref().map_or(0, NetService::port);
    let executor = start_executor(spec, config, cancel, board, net_port)?;
    Ok(Pool { executor, service })
}

/// The dispatch: starts the executor of the run's model (every model is
/// named here and in its own executor's file, nowhere else in the engine).
fn start_executor(
    spec: &RunSpec,
    config: &EngineConfig,
    cancel: &CancelToken,
    board: &PidBoard,
    net_port: u16,
) -> Result<Box<dyn Executor>, EngineError> {
    if spec.model.uses_mpirun() && spec.workload.workload == Workload::Net {
        // The service listens on this machine's loopback only; ranks of a
        // hostfile run elsewhere and could not reach it.
        return Err(MpiFailure::NetWorkload { model: spec.model }.into());
    }
    Ok(match spec.model {
        Model::Serial => Box::new(serial::Serial),
        Model::Threads => Box::new(threads::ThreadPool::start(spec.workers, None)?),
        Model::GilThreads => Box::new(threads::ThreadPool::start(
            spec.workers,
            Some(gil::Gil::new(spec.switch_interval_us)),
        )?),
        Model::ProcessPerTask => Box::new(per_task::ProcessPerTask::new(
            &config.worker_exe,
            spec.workers,
            spec.codec,
            board.clone(),
        )),
        Model::Processes => Box::new(processes::ProcessPool::start(
            &config.worker_exe,
            spec,
            cancel,
            board,
        )?),
        Model::Async => Box::new(async_tasks::AsyncTasks::start(
            spec.workers,
            spec.runtime_threads,
        )?),
        Model::AsyncProcesses => Box::new(async_processes::AsyncProcesses::start(
            spec,
            &config.worker_exe,
            cancel,
            board,
        )?),
        Model::PythonSerial
        | Model::PythonThreads
        | Model::PythonThreadsNogil
        | Model::PythonProcesses
        | Model::PythonExecutor
        | Model::PythonQueue
        | Model::PythonAsyncio
        | Model::PythonAsyncioProcesses
        | Model::PythonMpi => Box::new(python::HarnessExecutor::start(
            spec, config, cancel, board, net_port,
        )?),
        Model::Mpi => Box::new(mpi::MpiExecutor::start(spec, config, cancel, board)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{RawExperiment, Setting};
    use std::path::PathBuf;

    fn spec(workload: &str, model: Model) -> RunSpec {
        RawExperiment::of([
            (Setting::Workload, workload),
            (Setting::Models, model.name()),
            (Setting::Workers, "2"),
            (Setting::Schedule, "queue"),
            (Setting::Repeats, "1"),
            (Setting::Warmup, "0"),
        ])
        .validate(&[2])
        .unwrap()
        .runs()[0]
    }

    fn start(spec: &RunSpec, config: &EngineConfig) -> Result<Box<dyn Executor>, EngineError> {
        start_executor(spec, config, &CancelToken::new(), &PidBoard::new(), 0)
    }

    fn config() -> EngineConfig {
        let mut config = EngineConfig::new(PathBuf::from("/nonexistent/corescope"));
        config.python = PathBuf::from("/nonexistent/python3");
        config
    }

    #[test]
    fn the_models_corescope_runs_in_process_start_without_help() {
        let in_process = Model::ALL
            .into_iter()
            .filter(|m| !m.is_python() && !m.uses_processes() && !m.uses_mpirun());
        for model in in_process {
            let executor = start(&spec("sqrt-sum", model), &config());
            let executor = executor.unwrap_or_else(|e| panic!("{model}: {e}"));
            assert_eq!(executor.processes_started(), 0, "{model}");
            assert!(executor.worker_pids().is_empty(), "{model}");
        }
    }

    #[test]
    fn every_python_model_goes_to_the_harness_and_asks_for_its_interpreter() {
        for model in Model::ALL.into_iter().filter(|m| m.is_python()) {
            match start(&spec("sqrt-sum", model), &config()) {
                Err(EngineError::Python(failure)) => assert!(
                    matches!(*failure, PythonFailure::Interpreter { model: m, .. } if m == model),
                    "{model}: {failure}"
                ),
                Err(other) => panic!("{model}: {other}"),
                Ok(_) => panic!("{model} started without an interpreter"),
            }
        }
    }

    #[test]
    fn mpi_models_refuse_the_net_workload_before_starting_anything() {
        for model in Model::ALL.into_iter().filter(|m| m.uses_mpirun()) {
            match start(&spec("net", model), &config()) {
                Err(EngineError::Mpi(failure)) => assert!(
                    matches!(*failure, MpiFailure::NetWorkload { model: m } if m == model),
                    "{model}: {failure}"
                ),
                Err(other) => panic!("{model}: {other}"),
                Ok(_) => panic!("{model} started a net run"),
            }
        }
    }
}
