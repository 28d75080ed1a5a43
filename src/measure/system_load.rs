//! Other programs' use of the machine between two instants, from the
//! kernel's own CPU counters.
//!
//! The sampler looks every 200 ms, so a run of 8 ms passes between two
//! looks and a busy machine goes unseen. The kernel counts every core's
//! busy time (and, on a virtual machine, the time the host gave to others:
//! steal) all the time, and this process's own CPU time with its reaped
//! children's: reading both at a measurement's start and end gives what
//! other programs used across it, whatever its length. Linux only
//! (`/proc/stat`, `/proc/self/stat`); elsewhere [`Snapshot::now`] is `None`.

use crate::results::LoadReading;

/// The counters at one instant, in clock ticks (USER_HZ, the same unit in
/// both files).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Snapshot {
    /// Every core's ticks, idle or not.
    pub total: u64,
    /// Ticks spent running something (user, nice, system, irq, softirq).
    pub busy: u64,
    /// Ticks the hypervisor gave to other guests.
    pub steal: u64,
    /// This process's user and system ticks, with its reaped children's.
    pub own: u64,
    /// Logical cores counted in `/proc/stat`.
    pub cores: u32,
}

impl Snapshot {
    /// The counters now; `None` where the kernel does not offer them.
    pub fn now() -> Option<Snapshot> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let own = std::fs::read_to_string("/proc/self/stat").ok()?;
        Snapshot::parse(&stat, &own)
    }

    /// The counters from the text of `/proc/stat` and `/proc/self/stat`.
    pub fn parse(stat: &str, own_stat: &str) -> Option<Snapshot> {
        let mut lines = stat.lines();
        let first = lines.next()?;
        let mut fields = first.split_whitespace();
        if fields.next()? != "cpu" {
            return None;
        }
        let ticks: Vec<u64> = fields.filter_map(|f| f.parse().ok()).collect();
        // user nice system idle iowait irq softirq steal (guest time is
        // already inside user and nice).
        let at = |i: usize| ticks.get(i).copied().unwrap_or(0);
        let steal = at(7);
        let busy = at(0) + at(1) + at(2) + at(5) + at(6);
        let total = busy + at(3) + at(4) + steal;
        let cores = lines
            .take_while(|l| l.starts_with("cpu"))
            .filter(|l| l.as_bytes().get(3).is_some_and(u8::is_ascii_digit))
            .count();
        // The command name in parentheses may hold spaces: fields count
        // from the last ')'.
        let rest = &own_stat[own_stat.rfind(')')? + 1..];
        let own_fields: Vec<u64> = rest
            .split_whitespace()
            .map(|f| f.parse().unwrap_or(0))
            .collect();
        // utime stime cutime cstime are fields 14 to 17: 11 to 14 after ')'.
        let own = (11..=14)
            .map(|i| own_fields.get(i).copied().unwrap_or(0))
            .sum();
        Some(Snapshot {
            total,
            busy,
            steal,
            own,
            cores: u32::try_from(cores.max(1)).unwrap_or(1),
        })
    }
}

/// Other programs' use between `start` and `end`, in cores' worth of CPU
/// on average: every core's busy and stolen time minus this process's own
/// (and its reaped children's). `None` when no time passed.
pub fn between(start: &Snapshot, end: &Snapshot) -> Option<LoadReading> {
    let total = end.total.checked_sub(start.total)?;
    if total == 0 {
        return None;
    }
    let busy = end.busy.saturating_sub(start.busy) + end.steal.saturating_sub(start.steal);
    let own = end.own.saturating_sub(start.own);
    // Ticks per core elapsed: the wall time, in ticks.
    let wall = total as f64 / f64::from(end.cores.max(1));
    let others = (busy.saturating_sub(own) as f64 / wall).max(0.0);
    Some(LoadReading {
        other_cpu_cores: others,
        peak_other_cpu_cores: others,
        load_average: sysinfo::System::load_average().ok().map(|l| l.one),
        samples: 2,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWN: &str = "42 (core scope) S 1 2 3 4 5 6 7 8 9 10 100 50 20 10 0";

    #[test]
    fn parses_both_files() {
        let stat = "cpu  100 0 50 800 10 5 5 30 0 0\ncpu0 1 2\ncpu1 1 2\nintr 5\n";
        let s = Snapshot::parse(stat, OWN).unwrap();
        assert_eq!(s.busy, 160);
        assert_eq!(s.steal, 30);
        assert_eq!(s.total, 1000);
        assert_eq!(s.own, 180);
        assert_eq!(s.cores, 2);
    }

    #[test]
    fn others_are_the_busy_time_not_ours() {
        let start = Snapshot {
            total: 0,
            busy: 0,
            steal: 0,
            own: 0,
            cores: 2,
        };
        // 1 s on 2 cores (200 ticks): 150 busy, of which 50 ours, 20 stolen.
        let end = Snapshot {
            total: 200,
            busy: 150,
            steal: 20,
            own: 50,
            cores: 2,
        };
        let r = between(&start, &end).unwrap();
        assert!((r.other_cpu_cores - 1.2).abs() < 1e-9, "{r:?}");
        assert!(between(&start, &start).is_none());
    }

    #[test]
    fn reads_this_machine_where_it_can() {
        if let Some(s) = Snapshot::now() {
            assert!(s.total > 0 && s.cores >= 1);
        }
    }
}
