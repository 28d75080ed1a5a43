//! A pool of worker processes whose events arrive on one channel, fed by a
//! reader thread per worker (and written by a writer thread each): the
//! pool of a dispatcher that does not live on a thread of its own.
//!
//! `async+processes` awaits its workers' replies inside a tokio runtime,
//! together with its task slots and the cancel flag, so it cannot sit in
//! the `processes` pool's poll loop ([`super::poll`]); it forwards this
//! channel to the runtime instead. The handshake and the failure reports
//! are the `processes` pool's ([`WorkerEvents`]); `Drop` kills and reaps
//! every worker.

use std::path::Path;

use crossbeam_channel::{Receiver, RecvTimeoutError};

use super::error::EngineError;
use super::processes::{POLL, WorkerEvents, await_hellos};
use crate::cancel::CancelToken;
use crate::measure::sampler::PidBoard;
use crate::worker::codec::Codec;
use crate::worker::process::{PipeSnapshot, WorkerEvent, WorkerEventKind, WorkerProcess};

/// The running pool.
pub(crate) struct ChannelPool {
    workers: Vec<WorkerProcess>,
    events: Receiver<WorkerEvent>,
    /// Each worker's CPU time at its last report.
    cpu_ns: Vec<u64>,
    /// False once anything went wrong: then `Drop` kills without waiting.
    healthy: bool,
}

impl ChannelPool {
    /// Starts `count` workers and waits for their hellos.
    pub fn start(
        exe: &Path,
        count: u32,
        codec: Codec,
        cancel: &CancelToken,
        board: &PidBoard,
    ) -> Result<ChannelPool, EngineError> {
        let (events_tx, events) = crossbeam_channel::unbounded();
        let mut pool = ChannelPool {
            workers: Vec::with_capacity(count as usize),
            events,
            cpu_ns: vec![0; count as usize],
            healthy: false,
        };
        for index in 0..count as usize {
            let worker =
                WorkerProcess::spawn(exe, index, codec, events_tx.clone()).map_err(|source| {
                    EngineError::Spawn {
                        worker: index,
                        source,
                    }
                })?;
            board.set(index, worker.pid());
            pool.workers.push(worker);
        }
        drop(events_tx);
        await_hellos(&mut pool, count as usize, cancel)?;
        pool.healthy = true;
        Ok(pool)
    }

    /// Another receiver of the workers' events, for a dispatcher that runs
    /// elsewhere. Closed once every worker is gone.
    pub(crate) fn events(&self) -> Receiver<WorkerEvent> {
        self.events.clone()
    }

    /// The running workers, by index.
    pub(crate) fn workers(&self) -> &[WorkerProcess] {
        &self.workers
    }

    /// The workers' CPU time at their latest reports, together.
    pub(crate) fn workers_cpu_ns(&self) -> u64 {
        self.cpu_ns.iter().sum()
    }

    /// Something went wrong: `Drop` kills without waiting.
    pub(crate) fn mark_unhealthy(&mut self) {
        self.healthy = false;
    }

    pub(crate) fn pipes(&self) -> PipeSnapshot {
        self.workers
            .iter()
            .map(WorkerProcess::pipe_snapshot)
            .fold(PipeSnapshot::default(), |a, b| a + b)
    }
}

impl WorkerEvents for ChannelPool {
    fn next_event(&mut self) -> Result<Option<WorkerEvent>, EngineError> {
        match self.events.recv_timeout(POLL) {
            Ok(event) => Ok(Some(event)),
            Err(RecvTimeoutError::Timeout) => Ok(None),
            // Every reader thread has ended, each after its worker's
            // `Closed` event: the first worker stands for them all.
            Err(RecvTimeoutError::Disconnected) => {
                Err(self.failure(0, WorkerEventKind::Closed, "its tasks"))
            }
        }
    }

    fn pid(&self, worker: usize) -> u32 {
        self.workers.get(worker).map_or(0, WorkerProcess::pid)
    }

    fn describe_exit(&mut self, worker: usize) -> String {
        self.workers
            .get_mut(worker)
            .map_or_else(|| "exited".to_string(), WorkerProcess::describe_exit)
    }

    fn note_cpu(&mut self, worker: usize, cpu_ns: u64) {
        // 0: the worker did not read it (more tasks were waiting).
        if let Some(slot) = self.cpu_ns.get_mut(worker).filter(|_| cpu_ns > 0) {
            *slot = cpu_ns;
        }
    }
}

impl Drop for ChannelPool {
    fn drop(&mut self) {
        if self.healthy {
            // Close every stdin first so the workers exit in parallel.
            for worker in &mut self.workers {
                worker.close_input();
            }
            for worker in &mut self.workers {
                worker.shutdown();
            }
        }
        // Whatever is left is killed and reaped by WorkerProcess::drop.
        self.workers.clear();
    }
}
