//! The MPI models against the real Open MPI: `mpi` (corescope's own ranks,
//! built with `--features mpi`) and `python-mpi` (CPython ranks through
//! mpi4py). Both compute serial's checksums under either schedule, count
//! the bytes handed to MPI, run on a hostfile, and run with nothing of
//! theirs in /dev/shm once every rank is up. A rank killed or stopped,
//! mpirun killed, Ctrl-C or corescope SIGKILLed end the run as they should
//! and leave nothing: no mpirun, no rank, no session folder of Open MPI,
//! no segment.
//! Skipped, saying why, where mpirun (or a python with mpi4py) is missing,
//! and failed there where MPI is required (`common::require`; CI installs
//! and requires it).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::gui::app;
use common::{
    MarkedRun, alive, engine_config, exe, require_model, run, run_spec, run_with, signal, stderr,
    wait_for,
};
use corescope::engine::{CancelToken, EngineConfig, availability, run_one};
use corescope::spec::{Model, Schedule};
use corescope::workload::Workload;
use rustix::process::Signal;

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

/// Open MPI's segment folders of corescope run `pid` in /dev/shm.
fn segment_folders(pid: u32) -> Vec<PathBuf> {
    let prefix = format!(".corescope-tmp-{pid}-mpi-");
    std::fs::read_dir("/dev/shm")
        .map(|dir| {
            dir.flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
                .map(|e| e.path())
                .collect()
        })
        .unwrap_or_default()
}

/// The shared-memory segments of Open MPI that process `pid` has mapped,
/// with whether each one's name is gone (`(deleted)`).
fn mapped_segments(pid: u32) -> Vec<(String, bool)> {
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).unwrap_or_default();
    let mut found: Vec<(String, bool)> = maps
        .lines()
        .filter_map(|line| line.split_once(" /").map(|(_, path)| format!("/{path}")))
        .filter(|path| path.contains("vader_segment"))
        .map(|path| match path.strip_suffix(" (deleted)") {
            Some(name) => (name.to_string(), true),
            None => (path, false),
        })
        .collect();
    found.sort();
    found.dedup();
    found
}

/// Starts a slow run of `model` (far longer than any test waits) marked,
/// with `extra` flags; waits for mpirun and its three ranks, each with the
/// three ranks' segments mapped, and checks that their names are gone by
/// then: the job runs with nothing of it in /dev/shm. Returns the run,
/// mpirun's pid and the ranks'.
fn start_slow_run(model: Model, label: &str, extra: &[&str]) -> (MarkedRun, u32, Vec<u32>) {
    let mut args = vec!["run", "--model", model.name(), "--workers", "2"];
    args.extend(["--workload", "sleep", "--size", "500", "--tasks", "600"]);
    args.extend(["--repeats", "1", "--warmup", "0"]);
    args.extend_from_slice(extra);
    let run = MarkedRun::start(label, &args, &[]);
    let found = wait_for(Duration::from_secs(60), || {
        let mpirun = *corescope::platform::child_pids(run.pid).first()?;
        let ranks = corescope::platform::child_pids(mpirun);
        let mapped = ranks.iter().all(|&r| mapped_segments(r).len() >= 3);
        (ranks.len() == 3 && mapped).then_some((mpirun, ranks))
    });
    let Some((mpirun, ranks)) = found else {
        for pid in common::marked(&run.mark) {
            signal(pid, Signal::KILL);
        }
        panic!(
            "{label}: no job of three ranks appeared: {}",
            stderr(&run.output(label))
        );
    };
    let unlinked = wait_for(Duration::from_secs(30), || {
        let names_gone = ranks
            .iter()
            .all(|&r| mapped_segments(r).iter().all(|(_, deleted)| *deleted));
        (names_gone && segment_folders(run.pid).is_empty()).then_some(())
    });
    assert!(
        unlinked.is_some(),
        "{label}: the segments kept their names while the job ran: {:?} {:?}",
        segment_folders(run.pid),
        ranks
            .iter()
            .map(|&r| mapped_segments(r))
            .collect::<Vec<_>>()
    );
    (run, mpirun, ranks)
}

/// What is killed, stopped or interrupted mid-run.
#[derive(Debug, Clone, Copy)]
enum Victim {
    /// A worker rank.
    Rank(Signal),
    /// `mpirun` itself.
    Mpirun,
    /// corescope itself.
    Corescope(Signal),
}

impl Victim {
    fn name(self) -> String {
        let sig = |sig: Signal| match sig {
            Signal::KILL => "SIGKILL",
            Signal::TERM => "SIGTERM",
            Signal::STOP => "SIGSTOP",
            Signal::INT => "SIGINT",
            _ => "signal",
        };
        match self {
            Victim::Rank(s) => format!("rank-{}", sig(s)),
            Victim::Mpirun => "mpirun-SIGKILL".to_string(),
            Victim::Corescope(s) => format!("corescope-{}", sig(s)),
        }
    }
}

/// `victim` hit mid-run: the run ends as it should (a rank's death or
/// mpirun's: exit 1 with Open MPI's word on it; a stopped rank: the time
/// limit; Ctrl-C: 130; SIGKILL of corescope: killed) and leaves nothing:
/// no mpirun, no rank, nothing in its temporary folder (Open MPI's
/// session folder included) and nothing in /dev/shm.
fn a_hit_job_leaves_nothing(model: Model, victim: Victim) {
    let label = format!("{}-{}", model.name(), victim.name());
    let stopped = matches!(victim, Victim::Rank(Signal::STOP));
    let extra: &[&str] = if stopped {
        &["--time-limit", "20s"]
    } else {
        &[]
    };
    let (run, mpirun, ranks) = start_slow_run(model, &label, extra);
    // Let the tasks begin.
    std::thread::sleep(Duration::from_millis(1000));
    let worker = *ranks.iter().max().unwrap();
    match victim {
        Victim::Rank(sig) => signal(worker, sig),
        Victim::Mpirun => signal(mpirun, Signal::KILL),
        Victim::Corescope(sig) => signal(run.pid, sig),
    }
    let out = run.output(&label);
    let err = stderr(&out);
    match victim {
        Victim::Corescope(Signal::KILL) => assert_eq!(out.status.code(), None, "{label}"),
        Victim::Corescope(_) => assert_eq!(out.status.code(), Some(130), "{label}: {err}"),
        Victim::Rank(Signal::STOP) => {
            assert_eq!(out.status.code(), Some(1), "{label}: {err}");
            assert!(err.contains("timed out after 20"), "{label}: {err}");
        }
        Victim::Rank(_) | Victim::Mpirun => {
            assert_eq!(out.status.code(), Some(1), "{label}: {err}");
            assert!(
                err.contains("failed") && err.contains("mpirun"),
                "{label}: {err}"
            );
            assert!(!err.contains("panicked"), "{label}: {err}");
        }
    }
    let mut job = ranks;
    job.push(mpirun);
    for pid in job {
        let gone = wait_for(Duration::from_secs(10), || (!alive(pid)).then_some(()));
        assert!(gone.is_some(), "{label}: process {pid} outlived the run");
    }
    run.assert_nothing_left(&label);
    assert!(segment_folders(run.pid).is_empty(), "{label}");
}

/// Every way a job can be hit mid-run.
const VICTIMS: [Victim; 6] = [
    Victim::Rank(Signal::KILL),
    Victim::Rank(Signal::TERM),
    Victim::Rank(Signal::STOP),
    Victim::Mpirun,
    Victim::Corescope(Signal::INT),
    Victim::Corescope(Signal::KILL),
];

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
    fn a_killed_or_stopped_rank_mpirun_or_corescope_leaves_nothing() {
        if require_model(Model::Mpi) {
            for victim in VICTIMS {
                a_hit_job_leaves_nothing(Model::Mpi, victim);
            }
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
    fn a_killed_or_stopped_python_rank_mpirun_or_corescope_leaves_nothing() {
        if require_model(Model::PythonMpi) {
            for victim in VICTIMS {
                a_hit_job_leaves_nothing(Model::PythonMpi, victim);
            }
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
