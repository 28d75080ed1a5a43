//! The system sampler: per-core CPU usage and the resident memory of the
//! run's processes, read every [`SAMPLE_INTERVAL`] on a thread of its own
//! (`corescope-sampler`) while a run is live.
//!
//! The engine starts one [`Sampler`] per run and stops it when the run ends;
//! dropping it (success, failure, cancel) stops and joins the thread. It
//! reads only what a front end draws: `/proc/stat` for the cores (through
//! sysinfo) and the memory of the pids on a [`PidBoard`], which the
//! executors keep current as worker processes come and go. Core usage is
//! the whole machine's, not corescope's alone: what the audience sees is
//! what the cores did.

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
    /// of `per_core` that is the run's own.
    pub own_cpu: f32,
    /// Resident set size of the corescope process.
    pub parent_rss: u64,
    /// Resident set size of each worker process by worker (or slot); 0
    /// where none runs at that moment.
    pub worker_rss: Vec<u64>,
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
        board: PidBoard,
        interval: Duration,
        sink: Option<SampleSink>,
    ) -> std::io::Result<Sampler> {
        let (stop, stopped) = bounded::<()>(1);
        let handle = std::thread::Builder::new()
            .name(SAMPLER_THREAD.to_string())
            .spawn(move || {
                let mut reader = Reader::new(board);
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
    board: PidBoard,
    last_refresh: Instant,
}

impl Reader {
    fn new(board: PidBoard) -> Reader {
        // The first refresh sets the baseline each later usage is a delta to.
        let system = System::new_with_specifics(
            RefreshKind::nothing().with_cpu(CpuRefreshKind::nothing().with_usage()),
        )
        .ok();
        let mut memory = MemoryProbe::new();
        // The baseline the first interval's CPU use of this process is
        // measured from.
        memory.rss_and_cpu(&[std::process::id()]);
        Reader {
            system,
            memory,
            board,
            last_refresh: Instant::now(),
        }
    }

    fn can_refresh(&self) -> bool {
        self.last_refresh.elapsed() >= sysinfo::MINIMUM_CPU_UPDATE_INTERVAL
    }

    fn read(&mut self) -> Sample {
        let per_core = match self.system.as_mut() {
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
        };
        let at_ns = monotonic_ns();
        let pids = self.board.snapshot();
        // Empty slots (pid 0) are not asked about: no process has pid 0.
        let mut ask = vec![std::process::id()];
        ask.extend(pids.iter().copied().filter(|&p| p != 0));
        let read = self.memory.rss_and_cpu(&ask);
        let (parent_rss, parent_cpu) = read.first().copied().unwrap_or((0, 0.0));
        let mut workers = read.iter().skip(1);
        let mut own_cpu = parent_cpu;
        let worker_rss = pids
            .iter()
            .map(|&p| {
                if p == 0 {
                    return 0;
                }
                let (rss, cpu) = workers.next().copied().unwrap_or((0, 0.0));
                own_cpu += cpu;
                rss
            })
            .collect();
        Sample {
            at_ns,
            per_core,
            own_cpu,
            parent_rss,
            worker_rss,
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
}
