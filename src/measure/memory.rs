//! Resident set sizes (RSS): the memory each process of a run really holds,
//! to show that every worker process carries its own copy of the program and
//! its data while threads share one.
//!
//! The only place that asks sysinfo about processes. A read goes through
//! `/proc` on Linux and costs tens of microseconds per process, so the
//! engine reads between repetitions, never while one is timed (except
//! process-per-task, whose workers live only inside a repetition: see that
//! executor).

use sysinfo::{Pid, Process, ProcessRefreshKind, ProcessesToUpdate, System};

/// Reads resident set sizes of processes by pid.
#[derive(Debug)]
pub struct MemoryProbe {
    /// `None` where sysinfo does not support this platform: every read is 0.
    system: Option<System>,
}

impl Default for MemoryProbe {
    fn default() -> Self {
        MemoryProbe::new()
    }
}

impl MemoryProbe {
    /// A probe that has read nothing yet (creating one reads no process).
    pub fn new() -> MemoryProbe {
        MemoryProbe {
            system: System::new().ok(),
        }
    }

    /// The resident set size in bytes of each of `pids`, in order: 0 for a
    /// process that has exited or whose memory the OS does not tell.
    pub fn rss(&mut self, pids: &[u32]) -> Vec<u64> {
        let Some(system) = self.system.as_mut() else {
            return vec![0; pids.len()];
        };
        let pids: Vec<Pid> = pids.iter().map(|&pid| Pid::from_u32(pid)).collect();
        // Only memory: sysinfo then skips names, command lines and the rest.
        // Removing dead processes keeps an exited pid from reporting the
        // figure it had when last read.
        system.refresh_processes_specifics(
            ProcessesToUpdate::Some(&pids),
            true,
            ProcessRefreshKind::nothing().with_memory(),
        );
        pids.iter()
            .map(|&pid| system.process(pid).map_or(0, Process::memory))
            .collect()
    }

    /// The resident set size in bytes of each of `pids` and its CPU use
    /// since this probe last read it, in percent of one core (0 at a first
    /// read, or for a process that is gone).
    pub fn rss_and_cpu(&mut self, pids: &[u32]) -> Vec<(u64, f32)> {
        let Some(system) = self.system.as_mut() else {
            return vec![(0, 0.0); pids.len()];
        };
        let pids: Vec<Pid> = pids.iter().map(|&pid| Pid::from_u32(pid)).collect();
        system.refresh_processes_specifics(
            ProcessesToUpdate::Some(&pids),
            true,
            ProcessRefreshKind::nothing().with_memory().with_cpu(),
        );
        pids.iter()
            .map(|&pid| {
                system
                    .process(pid)
                    .map_or((0, 0.0), |p| (p.memory(), p.cpu_usage()))
            })
            .collect()
    }

    /// The resident set size in bytes and the CPU time used so far, in
    /// milliseconds, of each of `pids`, in order; `None` for a process that
    /// is gone.
    pub fn rss_and_cpu_time(&mut self, pids: &[u32]) -> Vec<Option<(u64, u64)>> {
        let Some(system) = self.system.as_mut() else {
            return vec![None; pids.len()];
        };
        let pids: Vec<Pid> = pids.iter().map(|&pid| Pid::from_u32(pid)).collect();
        system.refresh_processes_specifics(
            ProcessesToUpdate::Some(&pids),
            true,
            ProcessRefreshKind::nothing().with_memory().with_cpu(),
        );
        pids.iter()
            .map(|&pid| {
                system
                    .process(pid)
                    .map(|p| (p.memory(), p.accumulated_cpu_time()))
            })
            .collect()
    }

    /// The resident set size in bytes of one process (0 if it is gone).
    pub fn rss_of(&mut self, pid: u32) -> u64 {
        self.rss(&[pid]).first().copied().unwrap_or(0)
    }

    /// The resident set size in bytes of this process (all its threads).
    pub fn own_rss(&mut self) -> u64 {
        self.rss_of(std::process::id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn this_process_holds_what_it_wrote() {
        let mut probe = MemoryProbe::new();
        // 64 MiB written page by page is resident. (Other tests run in this
        // process at the same time, so only a floor is certain.)
        let big = vec![1u8; 64 << 20];
        let rss = probe.own_rss();
        assert!(rss >= 64 << 20, "{rss}");
        assert_eq!(big.iter().map(|&b| u64::from(b)).sum::<u64>(), 64 << 20);
    }

    #[test]
    fn gone_processes_read_as_zero() {
        let mut probe = MemoryProbe::new();
        // Above the kernel's pid_max: no such process.
        assert_eq!(probe.rss(&[u32::MAX - 1, u32::MAX - 2]), [0, 0]);
        assert!(probe.rss(&[]).is_empty());
    }
}
