//! One clock for ranks on several hosts.
//!
//! Every rank stamps on its own host's `CLOCK_MONOTONIC`. A rank on another
//! host is aligned to the coordinator's clock with the offset of the
//! fastest of a few round trips (Cristian's method): the remote stamp taken
//! halfway, give or take half the round trip. The kernel's boot id says
//! whether two processes run under one kernel, but not that they read one
//! clock: a container in a time namespace of its own (`unshare --time`)
//! keeps the boot id and moves `CLOCK_MONOTONIC` by any amount. So a rank
//! with the coordinator's boot id is checked with one round trip — the
//! same clock reads between the trip's send and its answer — and measured
//! like a remote one when the reading lies outside ([`align`]).

use serde::{Deserialize, Serialize};

/// Round trips measured per rank whose clock is not the coordinator's.
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

    /// A remote stamp taken between two local instants (after a task was
    /// handed out, before its result came back), on the local clock. A
    /// measured offset is right only to within half its round trip, so the
    /// stamp is kept inside the instants that bound it for certain; the
    /// same clock (no offset) is left as read.
    pub fn to_local_between(self, remote_ns: u64, after_ns: u64, before_ns: u64) -> u64 {
        let local = self.to_local(remote_ns);
        if self == ClockOffset::default() {
            local
        } else {
            local.clamp(after_ns, before_ns.max(after_ns))
        }
    }
}

/// Whether round trips show the remote clock to be the local one: each
/// remote reading lies between its trip's send and its answer.
pub fn reads_the_same_clock(trips: &[RoundTrip]) -> bool {
    !trips.is_empty()
        && trips
            .iter()
            .all(|t| t.sent_ns <= t.remote_ns && t.remote_ns <= t.received_ns)
}

/// A rank's clock against the local one, measured with `trip` (one round
/// trip each call). A rank of this kernel (`same_kernel`: equal boot ids)
/// gets one trip, and no offset if that trip shows the same clock; any
/// other rank (or one whose clock was moved) gets [`ROUND_TRIPS`] and the
/// fastest one's offset.
pub fn align<E>(
    same_kernel: bool,
    mut trip: impl FnMut() -> Result<RoundTrip, E>,
) -> Result<ClockOffset, E> {
    let mut trips = Vec::with_capacity(ROUND_TRIPS);
    trips.push(trip()?);
    if same_kernel && reads_the_same_clock(&trips) {
        return Ok(ClockOffset::default());
    }
    while trips.len() < ROUND_TRIPS {
        trips.push(trip()?);
    }
    Ok(ClockOffset::estimate(&trips).unwrap_or_default())
}

/// This kernel's boot id (`/proc/sys/kernel/random/boot_id`): equal for
/// every process of this kernel (whose pids name the same processes, and
/// whose clocks agree unless a time namespace moved one); empty where
/// unknown.
pub fn boot_id() -> String {
    std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
        .map(|id| id.trim().to_string())
        .unwrap_or_default()
}

/// Whether two processes with these boot ids run under one kernel.
pub fn same_kernel(a: &str, b: &str) -> bool {
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
    fn one_kernel_by_its_boot_id() {
        let id = boot_id();
        assert!(same_kernel(&id, &boot_id()) || id.is_empty());
        assert!(!same_kernel("", ""));
        assert!(!same_kernel("a", "b"));
    }

    /// Round trips to a clock `offset_ns` ahead, each 100 ns long with the
    /// remote reading in its middle, one every microsecond from 10^13 ns.
    fn trips_to(offset_ns: i64) -> impl FnMut() -> Result<RoundTrip, ()> {
        let mut sent_ns = 10_000_000_000_000u64;
        move || {
            sent_ns += 1_000;
            Ok(RoundTrip {
                sent_ns,
                remote_ns: sent_ns.wrapping_add(50).wrapping_add_signed(offset_ns),
                received_ns: sent_ns + 100,
            })
        }
    }

    #[test]
    fn one_round_trip_checks_the_same_kernel_and_a_moved_clock_is_measured() {
        let count = std::cell::Cell::new(0);
        let counted = |offset_ns| {
            count.set(0);
            let mut trip = trips_to(offset_ns);
            let count = &count;
            move || {
                count.set(count.get() + 1);
                trip()
            }
        };
        // The same kernel and the same clock: one trip, no offset.
        assert_eq!(align(true, counted(0)), Ok(ClockOffset::default()));
        assert_eq!(count.get(), 1);
        // The same boot id, but a clock 5000 s behind (a time namespace).
        let behind = -5_000_000_000_000;
        let offset = align(true, counted(behind)).unwrap();
        assert_eq!(count.get(), ROUND_TRIPS);
        assert_eq!(offset.offset_ns, behind);
        assert_eq!(offset.round_trip_ns, 100);
        // Another kernel is always measured, whatever its clock reads.
        let offset = align(false, counted(0)).unwrap();
        assert_eq!(count.get(), ROUND_TRIPS);
        assert_eq!((offset.offset_ns, offset.round_trip_ns), (0, 100));
        // A failed trip is the caller's error.
        assert_eq!(align(true, || Err::<RoundTrip, _>("gone")), Err("gone"));
    }

    #[test]
    fn a_reading_outside_its_trip_is_another_clock() {
        let trip = |remote_ns| RoundTrip {
            sent_ns: 10,
            remote_ns,
            received_ns: 20,
        };
        assert!(reads_the_same_clock(&[trip(10), trip(15), trip(20)]));
        assert!(!reads_the_same_clock(&[trip(15), trip(21)]));
        assert!(!reads_the_same_clock(&[trip(9)]));
        assert!(!reads_the_same_clock(&[]));
    }

    #[test]
    fn a_measured_stamp_stays_between_the_instants_that_bound_it() {
        let measured = ClockOffset {
            offset_ns: 1_000,
            round_trip_ns: 40,
        };
        // Within the bounds: moved by the offset only.
        assert_eq!(measured.to_local_between(1_550, 500, 600), 550);
        // The offset's error put it before the hand-out, or after the answer.
        assert_eq!(measured.to_local_between(1_490, 500, 600), 500);
        assert_eq!(measured.to_local_between(1_610, 500, 600), 600);
        // The same clock is left as read: a stamp outside is a real fault.
        assert_eq!(ClockOffset::default().to_local_between(490, 500, 600), 490);
    }
}
