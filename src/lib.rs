//! corescope: a lab for parallelism experiments, measured for real.
//!
//! A user picks a [`workload`], a worker count and one of 17 execution
//! models ([`model`]): serial, threads, GIL-threads, processes,
//! process-per-task, async, async+processes, MPI, and nine CPython models.
//! The [`engine`] runs it for real — OS threads, worker processes of this
//! same binary talking over pipes or shared memory, tokio tasks, a CPython
//! harness, `mpirun` ranks — and measures wall time, CPU time, per-task
//! spans and the bytes that cross a process boundary. Results are
//! [`results::ResultSet`]s that [`analysis`] turns into speedup, efficiency
//! and fitted scaling laws, [`chart`] into charts for the window and for
//! files, and [`export`] writes as JSON, CSV, Markdown, images and reports.
//!
//! The engine never prints and never imports a UI toolkit: front ends (the
//! command line in [`cli`], the desktop app) build one validated
//! [`spec::ExperimentSpec`] and consume the engine's typed events.

#[macro_use]
mod named;

pub mod activity;
pub mod analysis;
pub mod cancel;
pub mod chart;
pub mod cli;
pub mod engine;
pub mod export;
pub mod format;
pub mod free_threaded;
pub mod gui;
pub mod limits;
pub mod measure;
pub mod model;
pub mod mpi;
pub mod net_service;
pub mod noise;
pub mod palette;
pub mod platform;
pub mod presets;
pub mod python;
pub mod remedy;
pub mod rerun;
pub mod results;
pub mod session;
pub mod settings;
pub mod spec;
pub mod table;
pub mod untrusted;
pub mod worker;
pub mod workload;

/// The tests' rule for optional parts (skip saying why, or fail in CI),
/// shared with the integration tests.
#[cfg(test)]
#[path = "../tests/common/require.rs"]
mod require;
