//! MPI across two hosts on one machine: two network namespaces joined by a
//! veth pair (10.99.0.1 and 10.99.0.2, addresses that exist only inside
//! them), each with a host name of its own. corescope runs on the first;
//! Open MPI's remote shell (`plm_rsh_agent`) is a script that starts the
//! daemon on the second, in a time namespace whose `CLOCK_MONOTONIC` runs
//! [`OFFSET_S`] ahead — the same kernel and boot id, another clock, as a
//! container in a time namespace of its own. The run's ranks sit on both
//! hosts, compute serial's checksum, and the second host's clock offset is
//! measured and applied (corescope refuses a task outside its repetition).
//! The namespaces go with the test, on failure too, and no process of the
//! run is left in either.
//!
//! Needs root, `ip`, `unshare --time`, `mpirun` and a python with mpi4py;
//! skipped elsewhere, saying why, unless those parts are required
//! (`common::require`): CI runs as root with all of them and requires them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use common::require::{Part, require};
use common::{exe, read_json, wait_for};
use corescope::spec::Model;

/// How far the second host's monotonic clock runs ahead, in seconds.
const OFFSET_S: u64 = 5000;
/// The veth subnet: the only addresses Open MPI may use.
const SUBNET: &str = "10.99.0.0/24";
const HOSTS: [(&str, &str); 2] = [("hostA", "10.99.0.1"), ("hostB", "10.99.0.2")];
/// Workers: four ranks with the coordinator, two slots on each host.
const WORKERS: u32 = 3;

/// One job at a time: the machine is small, and each job is five processes.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Two stand-in hosts: network namespaces joined by a veth pair, an Open
/// MPI remote shell that reaches the second, and a hostfile naming both.
/// Dropping it kills whatever still runs in them and deletes them (with
/// the veth pair).
struct TwoHosts {
    namespaces: [String; 2],
    dir: tempfile::TempDir,
}

fn ip(args: &[&str]) {
    let out = Command::new("ip").args(args).output().expect("ip runs");
    assert!(
        out.status.success(),
        "ip {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

impl TwoHosts {
    fn create() -> TwoHosts {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let tag = format!(
            "{}{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        // The guard exists before anything it removes does.
        let hosts = TwoHosts {
            namespaces: [format!("cs{tag}a"), format!("cs{tag}b")],
            dir: tempfile::tempdir().unwrap(),
        };
        let [a, b] = &hosts.namespaces;
        ip(&["netns", "add", a]);
        ip(&["netns", "add", b]);
        ip(&[
            "link", "add", a, "netns", a, "type", "veth", "peer", "name", b, "netns", b,
        ]);
        for (ns, (_, address)) in hosts.namespaces.iter().zip(HOSTS) {
            ip(&["-n", ns, "addr", "add", &format!("{address}/24"), "dev", ns]);
            ip(&["-n", ns, "link", "set", "lo", "up"]);
            ip(&["-n", ns, "link", "set", ns, "up"]);
        }
        let (name, address) = HOSTS[1];
        let agent = format!(
            "#!/bin/sh\n\
             # Open MPI's remote shell: HOST COMMAND...\n\
             case \"$1\" in\n\
             {address}) shift; exec ip netns exec {b} unshare --uts --time --monotonic {OFFSET_S} \
             sh -c \"hostname {name} && $*\" ;;\n\
             *) echo \"no stand-in host $1\" >&2; exit 1 ;;\n\
             esac\n"
        );
        std::fs::write(hosts.agent(), agent).unwrap();
        let mode = std::os::unix::fs::PermissionsExt::from_mode(0o755);
        std::fs::set_permissions(hosts.agent(), mode).unwrap();
        let slots: String = HOSTS
            .iter()
            .map(|(_, a)| format!("{a} slots=2\n"))
            .collect();
        std::fs::write(hosts.hostfile(), slots).unwrap();
        hosts
    }

    fn agent(&self) -> PathBuf {
        self.dir.path().join("agent")
    }

    fn hostfile(&self) -> PathBuf {
        self.dir.path().join("hostfile")
    }

    /// The processes in a namespace.
    fn pids(namespace: &str) -> Vec<i32> {
        let out = Command::new("ip")
            .args(["netns", "pids", namespace])
            .output()
            .expect("ip runs");
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .filter_map(|pid| pid.parse().ok())
            .collect()
    }

    /// Runs corescope with `args` on the first host (its namespace, its host
    /// name, Open MPI told the way to the second) and waits for it; its
    /// `--export-json` record's first run.
    fn corescope(&self, args: &[&str]) -> serde_json::Value {
        let out_json = self.dir.path().join("out.json");
        let (name, _) = HOSTS[0];
        let mut child = Command::new("ip")
            .args([
                "netns",
                "exec",
                &self.namespaces[0],
                "unshare",
                "--uts",
                "sh",
                "-c",
            ])
            .arg(format!("hostname {name} && exec \"$@\""))
            .arg("sh")
            .arg(exe())
            .args(args)
            .arg("--export-json")
            .arg(&out_json)
            .env("OMPI_MCA_plm_rsh_agent", self.agent())
            .env("OMPI_MCA_btl_tcp_if_include", SUBNET)
            .env("OMPI_MCA_oob_tcp_if_include", SUBNET)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let ended = wait_for(Duration::from_secs(180), || child.try_wait().unwrap());
        // Dropping `self` on the panic kills what still runs.
        let status = ended.expect("corescope ended within 3 minutes");
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
        assert!(status.success(), "corescope {}: {stderr}", args.join(" "));
        read_json(&out_json)["runs"][0].clone()
    }

    /// Asserts that no process is left in either namespace.
    fn assert_empty(&self) {
        for ns in &self.namespaces {
            let left = wait_for(Duration::from_secs(10), || {
                Self::pids(ns).is_empty().then_some(())
            });
            assert!(left.is_some(), "left in {ns}: {:?}", Self::pids(ns));
        }
    }
}

impl Drop for TwoHosts {
    fn drop(&mut self) {
        for ns in &self.namespaces {
            for pid in Self::pids(ns) {
                if let Some(pid) = rustix::process::Pid::from_raw(pid) {
                    let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
                }
            }
            let _ = Command::new("ip").args(["netns", "del", ns]).output();
        }
    }
}

/// Why two hosts cannot be made here, if they cannot.
fn cannot_make_two_hosts() -> Option<String> {
    if !common::require::is_root() {
        return Some("network namespaces need root".to_string());
    }
    let runs = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !runs("ip", &["netns", "list"]) {
        return Some("no `ip` (iproute2) with network namespaces".to_string());
    }
    if !runs("unshare", &["--uts", "--time", "--monotonic", "1", "true"]) {
        return Some(
            "`unshare --time` does not work (util-linux 2.36 and Linux 5.6 or later)".to_string(),
        );
    }
    None
}

/// `model` on both hosts: serial's checksum, ranks on each host, the
/// second host's clock offset measured and applied to its ranks, and
/// nothing left behind.
fn runs_on_two_hosts(model: Model, python: &Path) {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let hosts = TwoHosts::create();
    let python = python.to_str().unwrap();
    let workers = WORKERS.to_string();
    let hostfile = hosts.hostfile();
    let run = |model: &str, workers: &str| {
        hosts.corescope(&[
            "run",
            "--model",
            model,
            "--workers",
            workers,
            "--workload",
            "sqrt-sum",
            "--size",
            "20000",
            "--tasks",
            "12",
            "--schedule",
            "static",
            "--repeats",
            "2",
            "--warmup",
            "0",
            "--python",
            python,
            "--hostfile",
            hostfile.to_str().unwrap(),
        ])
    };
    let serial = run("serial", "1");
    let record = run(model.name(), &workers);
    assert_eq!(record["checksum"], serial["checksum"], "{record}");
    let ranks = record["mpi"]["ranks"].as_array().unwrap();
    assert_eq!(ranks.len(), WORKERS as usize + 1, "{record}");
    let mut on_b = Vec::new();
    for rank in ranks {
        let host = rank["host"].as_str().unwrap();
        let offset = rank["clock_offset_seconds"].as_f64().unwrap();
        let trip = rank["clock_round_trip_seconds"].as_f64().unwrap();
        eprintln!(
            "{}: rank {} on {host}: clock offset {offset:.6} s, round trip {:.1} us",
            model.name(),
            rank["rank"],
            trip * 1e6
        );
        match host {
            "hostA" => assert_eq!((offset, trip), (0.0, 0.0), "{rank}"),
            "hostB" => {
                // Right to within half the round trip it was measured with.
                assert!(trip > 0.0, "{rank}");
                assert!((offset - OFFSET_S as f64).abs() <= trip, "{rank}");
                on_b.push(rank["rank"].as_u64().unwrap());
            }
            other => panic!("a rank on {other}: {record}"),
        }
    }
    assert!(!on_b.is_empty(), "no rank on hostB: {record}");
    assert!(
        ranks.iter().any(|r| r["host"] == "hostA" && r["rank"] != 0),
        "{record}"
    );
    // The second host's workers ran tasks, on the coordinator's clock:
    // inside their repetition, not 5000 s after it.
    let longest = record["repetitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["wall_seconds"].as_f64().unwrap())
        .fold(0.0, f64::max);
    let spans = record["spans"].as_array().unwrap();
    let remote: Vec<_> = spans
        .iter()
        .filter(|s| on_b.contains(&(s["worker"].as_u64().unwrap() + 1)))
        .collect();
    assert!(!remote.is_empty(), "{record}");
    for span in remote {
        let (start, end) = (
            span["start_seconds"].as_f64().unwrap(),
            span["end_seconds"].as_f64().unwrap(),
        );
        assert!(
            0.0 <= start && start <= end && end <= longest,
            "{span} in {longest} s"
        );
    }
    hosts.assert_empty();
}

/// The python for `model` (for python-mpi, one with mpi4py) where this
/// test can run here; else skipped, saying why, or failed where the part
/// is required.
fn can_run(model: Model) -> Option<PathBuf> {
    let hosts = cannot_make_two_hosts().map_or(Ok(()), Err);
    require(Part::Namespaces, hosts)?;
    if !common::require_model(model) {
        return None;
    }
    let python = Path::new("python3");
    if model != Model::PythonMpi {
        return Some(python.to_path_buf());
    }
    let found = corescope::python::interpreter_for(model, python);
    require(Part::Mpi, found).map(|info| info.interpreter)
}

#[test]
fn python_mpi_runs_on_two_hosts_with_the_second_hosts_clock_aligned() {
    if let Some(python) = can_run(Model::PythonMpi) {
        runs_on_two_hosts(Model::PythonMpi, &python);
    }
}

#[cfg(feature = "mpi")]
#[test]
fn mpi_runs_on_two_hosts_with_the_second_hosts_clock_aligned() {
    if let Some(python) = can_run(Model::Mpi) {
        runs_on_two_hosts(Model::Mpi, &python);
    }
}
