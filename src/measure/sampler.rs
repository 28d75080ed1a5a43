//! The system sampler: per-core CPU usage and the resident memory of the
//! run's processes, read every [`SAMPLE_INTERVAL`] on a thread of its own
//! (`corescope-sampler`) while a run is live.
//!
//! The engine starts one [`Sampler`] per batch of runs (one run, or the
//! runs interleaved together: see [`Turns`]) and stops it when they end;
//! dropping it (success, failure, cancel) stops and joins the thread. It
//! reads only what a front end draws: `/proc/stat` for the cores (through
//! sysinfo) and the memory of the pids on a [`PidBoard`], which the
//! executors keep current as worker processes come and go. Core usage is
//! the whole machine's, not corescope's alone: what the audience sees is
//! what the cores did.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Sender, bounded};
use sysinfo::{CpuRefreshKind, RefreshKind, System};

use super::clock::monotonic_ns;
use super::memory::MemoryProbe;

/// Time between samples: sysinfo on Linux ignores CPU refreshes closer than
/// 200 ms (`sysinfo::MINIMUM_CPU_UPDATE_INTERVAL`), so this is the fastest
/// rate that gives a fresh figure every time.
pub const SAMPLE_INTERVAL: Duration = Duration::from_millis(200);

/// The name of the sampler's thread.
pub const SAMPLER_THREAD: &str = "corescope-sampler";

/// One reading, stamped on the shared monotonic clock.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// When it was read, in nanoseconds on [`monotonic_ns`].
    pub at_ns: u64,
    /// Usage of each logical core over the last interval, 0 to 100 %.
    pub per_core: Vec<f32>,
    /// CPU used by corescope and its worker processes over the last
    /// interval, in percent of one core (200 = two cores' worth): the share
    /// of `per_core` that is the run's own. Workers that lived and exited
    /// between two samples count too (through the CPU time of reaped
    /// children), so a busy neighbour is what is left.
    pub own_cpu: f32,
    /// Resident set size of the corescope process.
    pub parent_rss: u64,
    /// Resident set size of each worker process by worker (or slot); 0
    /// where none runs at that moment.
    pub worker_rss: Vec<u64>,
    /// Whose turn it was among the sampler's [`Turns`] (`None` before the
    /// first turn): the run whose repetition was measuring.
    pub turn: Option<usize>,
}

/// Called with every sample as it is taken, from the sampler's thread.
pub type SampleSink = Arc<dyn Fn(&Sample) + Send + Sync>;

/// The pids of a run's live worker processes, by worker (or slot), shared
/// between the executor that starts them and the sampler that reads them.
#[derive(Debug, Clone, Default)]
pub struct PidBoard(Arc<Mutex<Vec<u32>>>);

impl PidBoard {
    pub fn new() -> PidBoard {
        PidBoard::default()
    }

    /// Worker `slot` is now process `pid`.
    pub fn set(&self, slot: usize, pid: u32) {
        let mut pids = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if pids.len() <= slot {
            pids.resize(slot + 1, 0);
        }
        pids[slot] = pid;
    }

    /// Worker `slot` runs no process now.
    pub fn clear(&self, slot: usize) {
        self.set(slot, 0);
    }

    /// The pids by slot; 0 for an empty slot.
    pub fn snapshot(&self) -> Vec<u32> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// The pid boards of the runs alive at once (one run's, or an interleaved
/// batch's) and whose turn it is: the sampler counts every board's
/// processes as corescope's own, and reads the memory of the current one's.
#[derive(Debug, Clone, Default)]
pub struct Turns(Arc<Mutex<TurnState>>);

#[derive(Debug, Default)]
struct TurnState {
    boards: Vec<PidBoard>,
    current: Option<usize>,
}

impl Turns {
    /// The boards of runs alive together; nobody's turn yet.
    pub fn new(boards: Vec<PidBoard>) -> Turns {
        Turns(Arc::new(Mutex::new(TurnState {
            boards,
            current: None,
        })))
    }

    /// It is now run `turn`'s turn (an index into the boards).
    pub fn set_current(&self, turn: usize) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .current = Some(turn);
    }

    /// Whose turn it is, that run's pids by slot, and every board's pids.
    fn snapshot(&self) -> (Option<usize>, Vec<u32>, Vec<u32>) {
        let state = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let current = state
            .current
            .and_then(|i| state.boards.get(i))
            .map(PidBoard::snapshot)
            .unwrap_or_default();
        let mut all: Vec<u32> = state
            .boards
            .iter()
            .flat_map(PidBoard::snapshot)
            .filter(|&p| p != 0)
            .collect();
        all.sort_unstable();
        all.dedup();
        (state.current, current, all)
    }
}

impl From<PidBoard> for Turns {
    /// One run's board, its turn from the start.
    fn from(board: PidBoard) -> Turns {
        let turns = Turns::new(vec![board]);
        turns.set_current(0);
        turns
    }
}

/// A running sampler; [`Sampler::finish`] or dropping it stops its thread.
#[derive(Debug)]
pub struct Sampler {
    stop: Option<Sender<()>>,
    handle: Option<JoinHandle<Vec<Sample>>>,
}

impl Sampler {
    /// Starts sampling every `interval` on a thread named
    /// [`SAMPLER_THREAD`]; each sample is kept and handed to `sink`.
    pub fn start(
        turns: impl Into<Turns>,
        interval: Duration,
        sink: Option<SampleSink>,
    ) -> std::io::Result<Sampler> {
        let board = turns.into();
        let (stop, stopped) = bounded::<()>(1);
        let (ready, readied) = bounded::<()>(1);
        let handle = std::thread::Builder::new()
            .name(SAMPLER_THREAD.to_string())
            .spawn(move || {
                // Before it opens anything: sharing the process's table
                // would slow every descriptor call of the measuring thread.
                super::file_table::own_descriptor_table();
                let mut reader = Reader::new(board);
                let _ = ready.send(());
                let mut samples = Vec::new();
                let mut take = |reader: &mut Reader| {
                    let sample = reader.read();
                    if let Some(sink) = &sink {
                        sink(&sample);
                    }
                    samples.push(sample);
                };
                loop {
                    match stopped.recv_timeout(interval) {
                        Err(crossbeam_channel::RecvTimeoutError::Timeout) => take(&mut reader),
                        // Stopped: a last reading covers the run's tail when
                        // enough time has passed for sysinfo to refresh.
                        _ => {
                            if reader.can_refresh() {
                                take(&mut reader);
                            }
                            break;
                        }
                    }
                }
                samples
            })?;
        // The reader's setup (sysinfo's first pass over /proc) is done before
        // any measuring starts, so its CPU time is no run's. A thread that
        // died in it has dropped `ready`, which ends the wait too.
        let _ = readied.recv();
        Ok(Sampler {
            stop: Some(stop),
            handle: Some(handle),
        })
    }

    /// Stops the thread, joins it and returns every sample, in order.
    pub fn finish(mut self) -> Vec<Sample> {
        self.stop_and_join()
    }

    fn stop_and_join(&mut self) -> Vec<Sample> {
        if let Some(stop) = self.stop.take() {
            // A full channel or a gone thread both mean it is stopping.
            let _ = stop.try_send(());
        }
        self.handle
            .take()
            .and_then(|handle| handle.join().ok())
            .unwrap_or_default()
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

/// What the sampler's thread reads with.
struct Reader {
    system: Option<System>,
    memory: MemoryProbe,
    board: Turns,
    last_refresh: Instant,
    /// When own CPU was last read.
    last_read: Instant,
    /// The CPU time (ms) each of corescope's processes had used at the last
    /// read, this process included.
    seen_cpu_ms: HashMap<u32, u64>,
    /// Reaped children's CPU time (ms) at the last read.
    reaped_ms: Option<u64>,
}

impl Reader {
    fn new(board: Turns) -> Reader {
        // The first refresh sets the baseline each later usage is a delta to.
        let system = System::new_with_specifics(
            RefreshKind::nothing().with_cpu(CpuRefreshKind::nothing().with_usage()),
        )
        .ok();
        let mut reader = Reader {
            system,
            memory: MemoryProbe::new(),
            board,
            last_refresh: Instant::now(),
            last_read: Instant::now(),
            seen_cpu_ms: HashMap::new(),
            reaped_ms: crate::platform::reaped_children_cpu_ms(),
        };
        // The baseline this process's first interval is measured from.
        let own = std::process::id();
        if let Some(Some((_, cpu))) = reader.memory.rss_and_cpu_time(&[own]).first() {
            reader.seen_cpu_ms.insert(own, *cpu);
        }
        reader
    }

    fn can_refresh(&self) -> bool {
        self.last_refresh.elapsed() >= sysinfo::MINIMUM_CPU_UPDATE_INTERVAL
    }

    fn per_core(&mut self) -> Vec<f32> {
        match self.system.as_mut() {
            Some(system) => {
                system.refresh_cpu_specifics(CpuRefreshKind::nothing().with_usage());
                self.last_refresh = Instant::now();
                system
                    .cpus()
                    .iter()
                    .map(|cpu| cpu.usage().clamp(0.0, 100.0))
                    .collect()
            }
            None => Vec::new(),
        }
    }

    fn read(&mut self) -> Sample {
        let per_core = self.per_core();
        let at_ns = monotonic_ns();
        let (turn, current, all) = self.board.snapshot();
        let own = std::process::id();
        // This process, every board's workers, and any worker seen before
        // (to notice when it is gone).
        let mut ask = vec![own];
        ask.extend(all.iter().copied().filter(|&p| p != own));
        let earlier: Vec<u32> = self
            .seen_cpu_ms
            .keys()
            .copied()
            .filter(|p| !ask.contains(p))
            .collect();
        ask.extend(earlier);
        let read = self.memory.rss_and_cpu_time(&ask);
        let mut rss_of = HashMap::with_capacity(ask.len());
        let (mut used_ms, mut gone_ms) = (0i64, 0i64);
        for (&pid, reading) in ask.iter().zip(&read) {
            match reading {
                Some((rss, cpu)) => {
                    rss_of.insert(pid, *rss);
                    let before = self.seen_cpu_ms.insert(pid, *cpu).unwrap_or(0);
                    used_ms += i64::try_from(cpu.saturating_sub(before)).unwrap_or(0);
                }
                None => {
                    // Reaped: its whole CPU time now sits in the reaped
                    // children's, of which this much was counted already.
                    let before = self.seen_cpu_ms.remove(&pid).unwrap_or(0);
                    gone_ms += i64::try_from(before).unwrap_or(0);
                }
            }
        }
        let reaped = crate::platform::reaped_children_cpu_ms();
        if let (Some(now), Some(then)) = (reaped, self.reaped_ms) {
            used_ms += i64::try_from(now.saturating_sub(then)).unwrap_or(0) - gone_ms;
        }
        self.reaped_ms = reaped;
        let interval_ms = self.last_read.elapsed().as_secs_f64() * 1000.0;
        self.last_read = Instant::now();
        let own_cpu = if interval_ms > 0.0 {
            (used_ms.max(0) as f64 / interval_ms * 100.0) as f32
        } else {
            0.0
        };
        Sample {
            at_ns,
            per_core,
            own_cpu,
            parent_rss: rss_of.get(&own).copied().unwrap_or(0),
            // Empty slots (pid 0) read 0: no process has pid 0.
            worker_rss: current
                .iter()
                .map(|p| rss_of.get(p).copied().unwrap_or(0))
                .collect(),
            turn,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_board_keeps_pids_by_slot() {
        let board = PidBoard::new();
        board.set(2, 42);
        assert_eq!(board.snapshot(), [0, 0, 42]);
        board.set(0, 7);
        board.clear(2);
        assert_eq!(board.clone().snapshot(), [7, 0, 0]);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn samples_cover_every_core_and_reach_the_sink() {
        let seen = Arc::new(Mutex::new(0usize));
        let counter = Arc::clone(&seen);
        let board = PidBoard::new();
        board.set(1, std::process::id());
        let sampler = Sampler::start(
            board,
            SAMPLE_INTERVAL,
            Some(Arc::new(move |_: &Sample| *counter.lock().unwrap() += 1)),
        )
        .unwrap();
        // Busy for two and a half intervals: this process uses a core.
        let until = Instant::now() + SAMPLE_INTERVAL * 2 + SAMPLE_INTERVAL / 2;
        let mut spins = 0u64;
        while Instant::now() < until {
            spins = std::hint::black_box(spins.wrapping_add(1));
        }
        let samples = sampler.finish();
        assert!(samples.iter().any(|s| s.own_cpu > 0.0), "{samples:?}");
        assert!(samples.len() >= 2, "{samples:?}");
        assert_eq!(*seen.lock().unwrap(), samples.len());
        let cores =
            System::new_with_specifics(RefreshKind::nothing().with_cpu(CpuRefreshKind::nothing()))
                .unwrap()
                .cpus()
                .len();
        assert!(cores >= 1);
        for s in &samples {
            assert_eq!(s.per_core.len(), cores);
            assert!(s.per_core.iter().all(|u| (0.0..=100.0).contains(u)));
            assert!(s.own_cpu >= 0.0);
            assert!(s.parent_rss > 0);
            // Slot 0 is empty; slot 1 is this process.
            assert_eq!(s.worker_rss.len(), 2);
            assert_eq!(s.worker_rss[0], 0);
            assert!(s.worker_rss[1] > 0);
        }
        assert!(samples.windows(2).all(|w| w[0].at_ns < w[1].at_ns));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_worker_that_lived_between_samples_still_counts_as_our_own() {
        let sampler = Sampler::start(Turns::default(), SAMPLE_INTERVAL, None).unwrap();
        let before = crate::platform::reaped_children_cpu_ms().unwrap();
        // Never on a board: its CPU reaches us only once it is reaped.
        let status = std::process::Command::new("sh")
            .args(["-c", "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done"])
            .status()
            .unwrap();
        assert!(status.success());
        let burnt_ms = crate::platform::reaped_children_cpu_ms().unwrap() - before;
        // At least one reading after the child was reaped.
        std::thread::sleep(SAMPLE_INTERVAL * 2 + SAMPLE_INTERVAL / 4);
        let samples = sampler.finish();
        let seconds = SAMPLE_INTERVAL.as_secs_f64();
        let own_ms: f64 = samples
            .iter()
            .map(|s| f64::from(s.own_cpu) / 100.0 * seconds * 1000.0)
            .sum();
        assert!(burnt_ms > 0, "the child used no CPU");
        assert!(
            own_ms >= 0.5 * burnt_ms as f64,
            "own {own_ms:.0} ms of the child's {burnt_ms} ms: {samples:?}"
        );
    }
}
