//! Clocks shared by every process of a run.
//!
//! Workers stamp the start and end of each task on `CLOCK_MONOTONIC`, a clock
//! all processes on a machine share, so the parent can place their spans on
//! its own timeline. CPU time is read from `CLOCK_PROCESS_CPUTIME_ID`
//! (user + system time of every thread of the calling process).

/// Nanoseconds on the machine-wide monotonic clock.
#[cfg(unix)]
pub fn monotonic_ns() -> u64 {
    timespec_ns(rustix::time::clock_gettime(
        rustix::time::ClockId::Monotonic,
    ))
}

/// CPU time (user + system) consumed so far by this process, all threads.
#[cfg(unix)]
pub fn process_cpu_ns() -> u64 {
    timespec_ns(rustix::time::clock_gettime(
        rustix::time::ClockId::ProcessCPUTime,
    ))
}

#[cfg(unix)]
fn timespec_ns(ts: rustix::time::Timespec) -> u64 {
    let secs = u64::try_from(ts.tv_sec).unwrap_or(0);
    let nanos = u64::try_from(ts.tv_nsec).unwrap_or(0);
    secs.saturating_mul(1_000_000_000).saturating_add(nanos)
}

/// Fallback where no shared clock is wired up: a process-local clock, so
/// spans of worker processes are only approximately placed.
#[cfg(not(unix))]
pub fn monotonic_ns() -> u64 {
    use std::sync::OnceLock;
    use std::time::Instant;
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    let nanos = EPOCH.get_or_init(Instant::now).elapsed().as_nanos();
    u64::try_from(nanos).unwrap_or(u64::MAX)
}

/// Fallback: CPU time is not measured on this platform.
#[cfg(not(unix))]
pub fn process_cpu_ns() -> u64 {
    0
}

/// Converts nanoseconds to seconds for reporting.
pub fn ns_to_s(ns: u64) -> f64 {
    ns as f64 / 1e9
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monotonic_clock_advances() {
        let a = monotonic_ns();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = monotonic_ns();
        assert!(b >= a + 1_000_000, "{a} then {b}");
    }

    #[test]
    fn cpu_clock_counts_busy_work() {
        let before = process_cpu_ns();
        let mut x = 0u64;
        for i in 0..20_000_000u64 {
            x = std::hint::black_box(x.wrapping_add(i * i));
        }
        std::hint::black_box(x);
        assert!(process_cpu_ns() > before);
    }
}
