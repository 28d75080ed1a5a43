//! One clock for ranks on several hosts.
//!
//! Every rank stamps on its own host's `CLOCK_MONOTONIC`. Processes of one
//! kernel share that clock exactly, and the kernel's boot id tells whether
//! two processes run under the same kernel: then no correction is needed.
//! A rank on another host is aligned to the coordinator's clock with the
//! offset of the fastest of a few round trips (Cristian's method): the
//! remote stamp taken halfway, give or take half the round trip.

use serde::{Deserialize, Serialize};

/// Round trips measured per rank on another host.
pub const ROUND_TRIPS: usize = 8;

/// One round trip: sent and answered on the local clock, and the remote
/// clock's reading in between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoundTrip {
    pub sent_ns: u64,
    pub remote_ns: u64,
    pub received_ns: u64,
}

/// How far a remote clock is ahead of the local one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockOffset {
    /// Remote minus local, in nanoseconds.
    pub offset_ns: i64,
    /// The round trip it was measured with (0: the same clock).
    pub round_trip_ns: u64,
}

impl ClockOffset {
    /// The offset from the fastest round trip (the least room for delay
    /// on either leg); `None` without any.
    pub fn estimate(trips: &[RoundTrip]) -> Option<ClockOffset> {
        let fastest = trips
            .iter()
            .min_by_key(|t| t.received_ns.saturating_sub(t.sent_ns))?;
        let round_trip_ns = fastest.received_ns.saturating_sub(fastest.sent_ns);
        let midpoint = i128::from(fastest.sent_ns) + i128::from(round_trip_ns / 2);
        let offset = i128::from(fastest.remote_ns) - midpoint;
        Some(ClockOffset {
            offset_ns: i64::try_from(offset).unwrap_or(if offset < 0 {
                i64::MIN
            } else {
                i64::MAX
            }),
            round_trip_ns,
        })
    }

    /// A remote stamp on the local clock.
    pub fn to_local(self, remote_ns: u64) -> u64 {
        let local = i128::from(remote_ns) - i128::from(self.offset_ns);
        u64::try_from(local.max(0)).unwrap_or(u64::MAX)
    }
}

/// This kernel's boot id (`/proc/sys/kernel/random/boot_id`): equal for
/// every process that shares this `CLOCK_MONOTONIC`; empty where unknown.
pub fn boot_id() -> String {
    std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
        .map(|id| id.trim().to_string())
        .unwrap_or_default()
}

/// Whether two processes with these boot ids share one monotonic clock.
pub fn same_clock(a: &str, b: &str) -> bool {
    !a.is_empty() && a == b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fastest_round_trip_sets_the_offset() {
        // The remote clock is 1000 ns ahead; the slow trip's remote stamp
        // came late in its trip and would mislead by 400 ns.
        let trips = [
            RoundTrip {
                sent_ns: 0,
                remote_ns: 1_900,
                received_ns: 1_000,
            },
            RoundTrip {
                sent_ns: 5_000,
                remote_ns: 6_050,
                received_ns: 5_100,
            },
        ];
        let offset = ClockOffset::estimate(&trips).unwrap();
        assert_eq!(offset.round_trip_ns, 100);
        assert_eq!(offset.offset_ns, 1_000);
        assert_eq!(offset.to_local(7_000), 6_000);
        assert_eq!(ClockOffset::estimate(&[]), None);
        // A clock behind ours, and a stamp before our clock's zero.
        let behind = ClockOffset {
            offset_ns: -500,
            round_trip_ns: 10,
        };
        assert_eq!(behind.to_local(100), 600);
        assert_eq!(ClockOffset::default().to_local(42), 42);
        let ahead = ClockOffset {
            offset_ns: 500,
            round_trip_ns: 10,
        };
        assert_eq!(ahead.to_local(100), 0);
    }

    #[test]
    fn one_kernel_one_clock() {
        let id = boot_id();
        assert!(same_clock(&id, &boot_id()) || id.is_empty());
        assert!(!same_clock("", ""));
        assert!(!same_clock("a", "b"));
    }
}
