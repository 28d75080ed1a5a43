//! The MPI models against the real Open MPI: `mpi` (corescope's own ranks,
//! built with `--features mpi`) and `python-mpi` (CPython ranks through
//! mpi4py). Both compute serial's checksums under either schedule, count
//! the bytes handed to MPI, run on a hostfile, and fail cleanly — no
//! mpirun, no rank left — when a rank dies or the run is interrupted.
//! Skipped, saying why, where mpirun (or a python with mpi4py) is missing,
//! and failed there where MPI is required (`common::require`; CI installs
//! and requires it).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::gui::app;
use common::{alive, engine_config, exe, require_model, run, run_spec, run_with, stderr, wait_for};
use corescope::engine::{CancelToken, EngineConfig, availability, run_one};
use corescope::spec::{Model, Schedule};
use corescope::workload::Workload;

/// Small sizes: CPython is tens of times slower than Rust.
fn small(workload: Workload) -> u64 {
    match workload {
        Workload::SqrtSum => 20_000,
        Workload::Primes => 3_000,
        Workload::Mandelbrot => 40,
        Workload::Sleep | Workload::Mixed => 1,
        Workload::Echo => 2,
        #[allow(unreachable_patterns)]
        _ => workload.min_size(),
    }
}

/// Every workload under both schedules gives serial's checksum, with
/// every task on a worker rank and the ranks described.
fn checksums_match_serial(model: Model) {
    // python-mpi does not run the counter workload (see its descriptor).
    let counts = !model.info().sharing.is_empty();
    // Neither runs net: its service is on this machine's loopback only.
    for workload in Workload::ALL
        .into_iter()
        .filter(|&w| (counts || w != Workload::Counter) && w != Workload::Net)
    {
        let serial = run(&run_spec(Model::Serial, workload)
            .size(small(workload))
            .tasks(6)
            .payload(3000)
            .io_percent(50)
            .repeats(2)
            .build());
        for schedule in Schedule::ALL {
            let s = run_spec(model, workload)
                .size(small(workload))
                .tasks(6)
                .workers(2)
                .schedule(schedule)
                .payload(3000)
                .io_percent(50)
                .repeats(2)
                .build();
            let record = run(&s);
            let what = format!("{} {workload} {schedule}", s.label());
            assert_eq!(record.checksum, serial.checksum, "{what}");
            assert_eq!(record.spans.len(), 6, "{what}");
            assert!(record.spans.iter().all(|sp| sp.worker < 2), "{what}");
            assert!(record.spawn_seconds > 0.0, "{what}");
            assert_eq!(record.processes_started, 2, "{what}");
            let mpi = record.mpi.as_ref().expect("an mpi record");
            assert!(mpi.library.contains("MPI"), "{what}: {}", mpi.library);
            let ranks: Vec<u32> = mpi.ranks.iter().map(|r| r.rank).collect();
            assert_eq!(ranks, [0, 1, 2], "{what}");
            assert!(mpi.ranks.iter().all(|r| r.pid > 0 && r.cpus > 0), "{what}");
            if schedule == Schedule::Static {
                // Static: worker w runs the block of tasks it was given.
                for span in &record.spans {
                    assert_eq!(span.worker, span.task / 3, "{what}");
                }
            }
        }
    }
}

/// Echo's payload crosses to the worker ranks and back, counted per rank
/// and in the run's totals; the coordinator's counts are the sum of its
/// workers'.
fn bytes_are_counted(model: Model) {
    let tasks = 8u64;
    let payload = 20_000u64;
    let mut s = run_spec(model, Workload::Echo)
        .size(small(Workload::Echo))
        .tasks(6)
        .workers(2)
        .payload(3000)
        .repeats(2)
        .build();
    s.workload.tasks = tasks as u32;
    s.workload.payload_bytes = payload;
    s.warmup = 1;
    let record = run(&s);
    let payloads = tasks * payload;
    for (what, bytes) in [
        ("to", record.ipc.bytes_to_workers),
        ("from", record.ipc.bytes_from_workers),
    ] {
        assert!(
            bytes >= payloads && bytes < payloads + tasks * 1024,
            "{what} workers: {bytes} B for {payloads} B of payloads"
        );
    }
    assert_eq!(record.ipc.messages, 2 * tasks);
    let mpi = record.mpi.unwrap();
    let (coordinator, workers) = mpi.ranks.split_first().unwrap();
    let sum = |f: fn(&corescope::results::RankRecord) -> u64| workers.iter().map(f).sum::<u64>();
    assert_eq!(coordinator.bytes_sent, sum(|r| r.bytes_received));
    assert_eq!(coordinator.bytes_received, sum(|r| r.bytes_sent));
    assert_eq!(coordinator.messages, sum(|r| r.messages));
    // Three repetitions (a warm-up and two measured), each the same bytes.
    let runs = u64::from(s.warmup + s.repeats);
    assert_eq!(
        coordinator.bytes_sent,
        runs * record.ipc.bytes_to_workers,
        "{mpi:?}"
    );
    assert_eq!(coordinator.messages, runs * 2 * tasks);
    assert!(workers.iter().all(|r| r.bytes_sent > 0), "{mpi:?}");
}

/// A hostfile naming this machine twice (two slots) runs, with a worker
/// rank more than slots (mpirun oversubscribes) and the file on record.
fn a_hostfile_runs(model: Model) {
    let dir = tempfile::tempdir().unwrap();
    let hostfile = dir.path().join("hosts");
    std::fs::write(
        &hostfile,
        "# this machine, twice: two slots\nlocalhost\nlocalhost\n",
    )
    .unwrap();
    let serial = run(&run_spec(Model::Serial, Workload::Mandelbrot)
        .size(small(Workload::Mandelbrot))
        .tasks(6)
        .repeats(2)
        .build());
    let s = run_spec(model, Workload::Mandelbrot)
        .size(small(Workload::Mandelbrot))
        .tasks(6)
        .workers(2)
        .repeats(2)
        .build();
    let record = run_with(
        &s,
        &EngineConfig {
            hostfile: Some(hostfile.clone()),
            ..engine_config()
        },
    );
    assert_eq!(record.checksum, serial.checksum);
    let mpi = record.mpi.unwrap();
    assert_eq!(mpi.hostfile.as_deref(), hostfile.to_str());
    assert_eq!(mpi.ranks.len(), 3);
    // A hostfile that names nothing is refused before anything starts.
    let empty = dir.path().join("empty");
    std::fs::write(&empty, "\n").unwrap();
    let config = EngineConfig {
        hostfile: Some(empty),
        ..EngineConfig::new(exe())
    };
    let err = run_one(&s, &config, &CancelToken::new(), &mut |_, _| {}).unwrap_err();
    assert!(err.to_string().contains("names no host"), "{err}");
}

/// Starts a slow run of `model` with the real binary and waits for mpirun
/// and its three ranks; returns the child, mpirun's pid and the ranks'.
fn start_slow_run(model: Model) -> (Child, u32, Vec<u32>) {
    let child = Command::new(exe())
        .args(["run", "--model", model.name(), "--workers", "2"])
        .args(["--workload", "sleep", "--size", "200", "--tasks", "40"])
        .args(["--repeats", "1", "--warmup", "0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let found = wait_for(Duration::from_secs(60), || {
        let mpirun = *corescope::platform::child_pids(child.id()).first()?;
        let ranks = corescope::platform::child_pids(mpirun);
        (ranks.len() == 3).then_some((mpirun, ranks))
    });
    match found {
        Some((mpirun, ranks)) => (child, mpirun, ranks),
        None => {
            let out = child.wait_with_output().unwrap();
            panic!("no job of three ranks appeared: {}", stderr(&out));
        }
    }
}

fn kill(pid: u32, signal: rustix::process::Signal) {
    let pid = rustix::process::Pid::from_raw(pid as i32).unwrap();
    rustix::process::kill_process(pid, signal).unwrap();
}

fn assert_all_gone(pids: &[u32]) {
    for &pid in pids {
        assert!(
            wait_for(Duration::from_secs(10), || (!alive(pid)).then_some(())).is_some(),
            "process {pid} outlived the run"
        );
    }
}

/// A rank killed mid-run: the command fails with Open MPI's word on it,
/// and neither mpirun nor any rank survives.
fn a_killed_rank_fails_cleanly(model: Model) {
    let (child, mpirun, ranks) = start_slow_run(model);
    // Let the tasks begin, then kill the newest rank (a worker).
    std::thread::sleep(Duration::from_millis(1500));
    let victim = *ranks.iter().max().unwrap();
    kill(victim, rustix::process::Signal::KILL);
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("failed") && err.contains("mpirun"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let mut job = ranks.clone();
    job.push(mpirun);
    assert_all_gone(&job);
}

/// Ctrl-C: the run stops, reports the interruption, and ends the job.
fn ctrl_c_ends_the_job(model: Model) {
    let (child, mpirun, ranks) = start_slow_run(model);
    std::thread::sleep(Duration::from_millis(1000));
    kill(child.id(), rustix::process::Signal::INT);
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(130), "{err}");
    let mut job = ranks.clone();
    job.push(mpirun);
    assert_all_gone(&job);
}

#[cfg(feature = "mpi")]
mod rust_ranks {
    use super::*;
    use corescope::spec::Codec;

    #[test]
    fn every_workload_and_schedule_gives_serials_checksum() {
        if require_model(Model::Mpi) {
            checksums_match_serial(Model::Mpi);
        }
    }

    #[test]
    fn json_frames_between_ranks_compute_the_same() {
        if !require_model(Model::Mpi) {
            return;
        }
        let mut s = run_spec(Model::Mpi, Workload::Echo)
            .size(small(Workload::Echo))
            .tasks(6)
            .workers(2)
            .payload(3000)
            .repeats(2)
            .build();
        let bincode = run(&s);
        s.codec = Codec::Json;
        let json = run(&s);
        assert_eq!(json.checksum, bincode.checksum);
        // Text costs bytes: each payload byte is a number and a comma.
        assert!(json.ipc.bytes_to_workers > 2 * bincode.ipc.bytes_to_workers);
    }

    #[test]
    fn the_bytes_handed_to_mpi_are_counted() {
        if require_model(Model::Mpi) {
            bytes_are_counted(Model::Mpi);
        }
    }

    #[test]
    fn a_hostfile_naming_localhost_twice_runs() {
        if require_model(Model::Mpi) {
            a_hostfile_runs(Model::Mpi);
        }
    }

    #[test]
    fn a_killed_rank_fails_the_run_cleanly_and_leaves_no_process() {
        if require_model(Model::Mpi) {
            a_killed_rank_fails_cleanly(Model::Mpi);
        }
    }

    #[test]
    fn ctrl_c_ends_mpirun_and_every_rank() {
        if require_model(Model::Mpi) {
            ctrl_c_ends_the_job(Model::Mpi);
        }
    }
}

#[cfg(not(feature = "mpi"))]
#[test]
fn without_the_feature_mpi_is_refused_with_the_way_out() {
    let err = availability::check(Model::Mpi, Path::new("python3")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "mpi needs corescope built with `--features mpi`"
    );
    let out = common::corescope(&["run", "--model", "mpi", "--tasks", "2"]);
    assert_eq!(out.status.code(), Some(2));
    // run's flag is --model.
    assert!(stderr(&out).contains("--model: mpi needs corescope built with `--features mpi`"));
}

mod python_ranks {
    use super::*;

    #[test]
    fn python_mpi_gives_serials_checksum_for_every_workload_and_schedule() {
        if require_model(Model::PythonMpi) {
            checksums_match_serial(Model::PythonMpi);
        }
    }

    #[test]
    fn python_mpi_counts_the_bytes_it_hands_to_mpi() {
        if require_model(Model::PythonMpi) {
            bytes_are_counted(Model::PythonMpi);
        }
    }

    #[test]
    fn python_mpi_is_measured_against_a_python_serial_of_its_own_interpreter() {
        if !require_model(Model::PythonMpi) {
            return;
        }
        // python3 first on PATH may lack mpi4py: the whole set then runs
        // on the interpreter that has it, or the speedups would compare
        // two builds of CPython.
        let dir = tempfile::tempdir().unwrap();
        let saved = common::saved_sweep(
            dir.path(),
            "same-python",
            &[
                "--models",
                "python-serial,python-processes,python-mpi",
                "--workers",
                "2",
                "--size",
                "20000",
                "--tasks",
                "4",
                "--repeats",
                "1",
            ],
        );
        let set = corescope::results::ResultSet::load(&saved).unwrap();
        let interpreters: Vec<_> = set.runs.iter().map(|r| &r.python_interpreter).collect();
        assert_eq!(set.runs.len(), 3);
        assert!(
            interpreters
                .iter()
                .all(|i| i.is_some() && *i == interpreters[0]),
            "{interpreters:?}"
        );
    }

    #[test]
    fn python_mpi_runs_on_a_hostfile() {
        if require_model(Model::PythonMpi) {
            a_hostfile_runs(Model::PythonMpi);
        }
    }

    #[test]
    fn a_killed_python_rank_fails_the_run_cleanly_and_leaves_no_process() {
        if require_model(Model::PythonMpi) {
            a_killed_rank_fails_cleanly(Model::PythonMpi);
        }
    }

    #[test]
    fn ctrl_c_ends_mpirun_and_every_python_rank() {
        if require_model(Model::PythonMpi) {
            ctrl_c_ends_the_job(Model::PythonMpi);
        }
    }

    #[test]
    fn python_mpi_uses_an_interpreter_with_mpi4py() {
        if !require_model(Model::PythonMpi) {
            return;
        }
        let info = corescope::python::interpreter_for(Model::PythonMpi, &PathBuf::from("python3"))
            .unwrap();
        assert!(corescope::python::has_module(&info.interpreter, "mpi4py"));
        // An interpreter that is no python at all is refused up front.
        let err = availability::check(Model::PythonMpi, Path::new("corescope-no-such-python"))
            .unwrap_err();
        assert!(err.to_string().contains("python-mpi needs python"), "{err}");
    }
}

#[test]
fn the_window_greys_mpi_where_it_cannot_run_and_asks_for_a_hostfile_when_ticked() {
    use egui_kittest::kittest::{NodeT, Queryable};
    let data = tempfile::tempdir().unwrap();
    let mut harness = app(data.path()).build();
    // Disabled exactly where availability refuses it (without the feature
    // or without mpirun), with the reason on hover.
    let refused = availability::check(Model::Mpi, Path::new("python3")).is_err();
    let node = harness.get_by_label("mpi");
    assert_eq!(node.accesskit_node().is_disabled(), refused);
    assert!(harness.query_by_label("Hostfile").is_none());
    harness
        .state_mut()
        .settings
        .form
        .set_model(Model::Mpi, true);
    harness.run_steps(4);
    harness.get_by_label("Hostfile");
    harness.state_mut().settings.hostfile = " hosts.txt ".to_string();
    assert_eq!(
        harness.state().settings.hostfile(),
        Some(PathBuf::from("hosts.txt"))
    );
}
