//! [`Runner`]: an experiment on a named thread of its own.
//!
//! Front ends start a runner and drain its event channel; every event is
//! followed by a call to the wake-up callback (the GUI passes its repaint
//! request, the CLI a no-op). The last event is always one of `Finished`,
//! `Failed` or `Cancelled`. Dropping the runner cancels it and joins its
//! thread, which in turn kills and reaps any worker process.

use std::sync::Arc;
use std::thread::JoinHandle;

use crossbeam_channel::Receiver;

use super::availability;
use super::contract::EngineConfig;
use super::error::EngineError;
use super::event::RunEvent;
use super::run::{LiveSink, Plan, run_plan};
use crate::cancel::CancelToken;
use crate::results::ResultSet;
use crate::spec::ExperimentSpec;

/// A wake-up callback, called after every event is sent.
pub type Wake = Arc<dyn Fn() + Send + Sync>;

/// What a runner's thread measures, with the runner's config, cancel
/// flag, event sink and live-sample sink.
pub type Job = Box<
    dyn FnOnce(
            &EngineConfig,
            &CancelToken,
            &mut dyn FnMut(RunEvent),
            LiveSink,
        ) -> Result<ResultSet, EngineError>
        + Send,
>;

/// A running experiment.
#[derive(Debug)]
pub struct Runner {
    events: Receiver<RunEvent>,
    cancel: CancelToken,
    handle: Option<JoinHandle<()>>,
}

impl Runner {
    /// Starts `spec` on a thread named `corescope-runner`, or refuses at
    /// once (`EngineError::Unavailable`) when one of its models cannot run
    /// on this machine, so a front end can show the reason by the form.
    pub fn start(
        spec: ExperimentSpec,
        config: EngineConfig,
        wake: Wake,
    ) -> Result<Runner, EngineError> {
        Runner::start_plan(Plan::of(&spec), config, wake)
    }

    /// [`Runner::start`] for a [`Plan`]: runs chosen one by one (say, the
    /// flagged runs of a result set, measured again).
    pub fn start_plan(plan: Plan, config: EngineConfig, wake: Wake) -> Result<Runner, EngineError> {
        availability::check_all(&plan.models(), &config.python)?;
        Runner::start_job(
            config,
            wake,
            Box::new(move |config, cancel, emit, live| {
                run_plan(&plan, config, cancel, emit, Some(live))
            }),
        )
    }

    /// Runs `job` (one or more plans, say a lesson's: see
    /// [`crate::presets::measure`]) on the runner's thread; its set is the
    /// `Finished` event.
    pub fn start_job(config: EngineConfig, wake: Wake, job: Job) -> Result<Runner, EngineError> {
        let (tx, events) = crossbeam_channel::unbounded();
        let cancel = CancelToken::new();
        let token = cancel.clone();
        let name = "corescope-runner".to_string();
        // Samples arrive from the sampler's thread, on the same channel.
        let live_tx = tx.clone();
        let live_wake = Arc::clone(&wake);
        let live: LiveSink = Arc::new(move |event| {
            let _ = live_tx.send(event);
            live_wake();
        });
        let handle = std::thread::Builder::new()
            .name(name.clone())
            .spawn(move || {
                let mut emit = |event: RunEvent| {
                    // A receiver that is gone only means nobody listens.
                    let _ = tx.send(event);
                    wake();
                };
                let last = match job(&config, &token, &mut emit, live) {
                    Ok(set) => RunEvent::Finished(set),
                    Err(EngineError::Cancelled) => RunEvent::Cancelled,
                    Err(error) => RunEvent::Failed(error),
                };
                emit(last);
            })
            .map_err(|source| EngineError::Thread { name, source })?;
        Ok(Runner {
            events,
            cancel,
            handle: Some(handle),
        })
    }

    /// The event stream.
    pub fn events(&self) -> &Receiver<RunEvent> {
        &self.events
    }

    /// Asks the experiment to stop; a `Cancelled` event follows shortly.
    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    /// The runner's cancel flag, e.g. for a Ctrl-C handler.
    pub fn cancel_token(&self) -> CancelToken {
        self.cancel.clone()
    }

    /// Whether the runner's thread has ended.
    pub fn is_finished(&self) -> bool {
        self.handle.as_ref().is_none_or(JoinHandle::is_finished)
    }
}

impl Drop for Runner {
    fn drop(&mut self) {
        self.cancel.cancel();
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}
