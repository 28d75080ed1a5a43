//! MPI: the `mpi` and `python-mpi` models' shared pieces.
//!
//! Both run their workers as ranks under `mpirun` ([`launch`]): rank 0
//! coordinates (it talks to corescope over its stdin and stdout, which
//! `mpirun` forwards, and hands out tasks by the run's schedule), every
//! other rank is a worker. Corescope's own ranks are this binary under the
//! hidden subcommand [`RANK_SUBCOMMAND`] ([`rank`], built with the `mpi`
//! cargo feature); CPython's are the harness under mpi4py. Each rank
//! stamps on its own host's monotonic clock; [`clock`] aligns the stamps
//! of ranks on other hosts to the coordinator's. [`protocol`] holds the
//! messages between corescope and the coordinating rank, and [`record`]
//! turns what the job said into the run's [`MpiRecord`].

pub mod clock;
pub mod launch;
pub mod protocol;
#[cfg(feature = "mpi")]
pub mod rank;

use std::collections::HashMap;
use std::path::Path;

use crate::measure::clock::ns_to_s;
use crate::results::{MpiRecord, RankRecord};
use protocol::{JobInfo, RankTraffic};

/// The hidden subcommand that turns the binary into an MPI rank.
pub const RANK_SUBCOMMAND: &str = "__mpi-rank";

/// What a run's ranks did, for its record: the job's ranks with the bytes
/// each exchanged (`traffic`: per worker rank, summed over the run).
pub fn record(job: &JobInfo, traffic: &[RankTraffic], hostfile: Option<&Path>) -> MpiRecord {
    let mut ranks: Vec<RankRecord> = job
        .ranks
        .iter()
        .map(|rank| RankRecord {
            rank: rank.rank,
            host: rank.host.clone(),
            pid: rank.pid,
            cpus: rank.cpus,
            clock_offset_seconds: rank.clock_offset_ns as f64 / 1e9,
            clock_round_trip_seconds: ns_to_s(rank.clock_round_trip_ns),
            ..RankRecord::default()
        })
        .collect();
    for (worker, t) in traffic.iter().enumerate() {
        if let Some(rank) = ranks.get_mut(worker + 1) {
            rank.bytes_sent += t.from_rank;
            rank.bytes_received += t.to_rank;
            rank.messages += t.messages;
        }
        if let Some(coordinator) = ranks.first_mut() {
            coordinator.bytes_sent += t.to_rank;
            coordinator.bytes_received += t.from_rank;
            coordinator.messages += t.messages;
        }
    }
    MpiRecord {
        library: job
            .library
            .lines()
            .next()
            .unwrap_or_default()
            .trim_matches(|c: char| c.is_whitespace() || c == '\0')
            .to_string(),
        hostfile: hostfile.map(|p| p.display().to_string()),
        oversubscribed: oversubscribed(job),
        ranks,
    }
}

/// Whether some host runs more ranks than it has logical cores (hosts told
/// apart by their boot id, else their name).
pub fn oversubscribed(job: &JobInfo) -> bool {
    let mut per_host: HashMap<&str, (u32, u32)> = HashMap::new();
    for rank in &job.ranks {
        let host = if rank.boot_id.is_empty() {
            rank.host.as_str()
        } else {
            rank.boot_id.as_str()
        };
        let entry = per_host.entry(host).or_insert((0, rank.cpus));
        entry.0 += 1;
    }
    per_host.values().any(|&(ranks, cpus)| ranks > cpus.max(1))
}

/// Each rank's pid where it shares this machine's kernel, else 0 (a pid
/// on another host names nothing here), rank 0 first.
pub fn local_pids(job: &JobInfo) -> Vec<u32> {
    let own = clock::boot_id();
    job.ranks
        .iter()
        .map(|r| {
            if clock::same_kernel(&r.boot_id, &own) {
                r.pid
            } else {
                0
            }
        })
        .collect()
}

/// The end of `mpirun`'s stderr, `n` lines, without the rules of dashes
/// Open MPI frames its messages with.
pub fn stderr_tail(stderr: &str, n: usize) -> String {
    let text: String = stderr
        .lines()
        .filter(|line| !line.trim().chars().all(|c| c == '-'))
        .collect::<Vec<_>>()
        .join("\n");
    crate::python::last_lines(&text, n)
}

/// Adds one repetition's traffic per worker rank to the run's totals.
pub fn add_traffic(totals: &mut Vec<RankTraffic>, rep: &[RankTraffic]) {
    if totals.len() < rep.len() {
        totals.resize(rep.len(), RankTraffic::default());
    }
    for (total, t) in totals.iter_mut().zip(rep) {
        total.to_rank += t.to_rank;
        total.from_rank += t.from_rank;
        total.messages += t.messages;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::RankInfo;

    fn rank(rank: u32, boot_id: &str, cpus: u32) -> RankInfo {
        RankInfo {
            rank,
            host: format!("host-{boot_id}"),
            boot_id: boot_id.to_string(),
            pid: 100 + rank,
            cpus,
            ..RankInfo::default()
        }
    }

    #[test]
    fn ranks_beyond_a_hosts_cores_are_oversubscription() {
        let mut job = JobInfo {
            version: protocol::MPI_PROTOCOL_VERSION,
            library: "Open MPI v4.1.4, package: Debian\nmore".to_string(),
            ranks: vec![rank(0, "a", 2), rank(1, "a", 2), rank(2, "b", 1)],
        };
        assert!(!oversubscribed(&job));
        job.ranks.push(rank(3, "a", 2));
        assert!(oversubscribed(&job));
        let record = record(&job, &[], None);
        assert_eq!(record.library, "Open MPI v4.1.4, package: Debian");
        assert!(record.oversubscribed);
    }

    #[test]
    fn open_mpis_rules_are_left_out_of_error_messages() {
        let stderr = "----\nPrimary job terminated\n\n-----\nmpirun noticed that process rank 2 exited on signal 9 (Killed).\n---\n";
        assert_eq!(
            stderr_tail(stderr, 2),
            "Primary job terminated | mpirun noticed that process rank 2 exited on signal 9 (Killed)."
        );
    }

    #[test]
    fn traffic_is_each_ranks_and_the_coordinators_sum() {
        let job = JobInfo {
            version: protocol::MPI_PROTOCOL_VERSION,
            library: String::new(),
            ranks: vec![rank(0, "a", 4), rank(1, "a", 4), rank(2, "a", 4)],
        };
        let mut totals = Vec::new();
        let rep = [
            RankTraffic {
                to_rank: 10,
                from_rank: 20,
                messages: 2,
            },
            RankTraffic {
                to_rank: 1,
                from_rank: 2,
                messages: 2,
            },
        ];
        add_traffic(&mut totals, &rep);
        add_traffic(&mut totals, &rep);
        let record = record(&job, &totals, Some(Path::new("hosts")));
        let sent: Vec<u64> = record.ranks.iter().map(|r| r.bytes_sent).collect();
        let received: Vec<u64> = record.ranks.iter().map(|r| r.bytes_received).collect();
        assert_eq!(sent, [22, 40, 4]);
        assert_eq!(received, [44, 20, 2]);
        assert_eq!(record.ranks[0].messages, 8);
        assert_eq!(record.hostfile.as_deref(), Some("hosts"));
    }
}
