//! The free-threaded CPython build started from the window, as the session
//! holds it: at most one at a time, polled each frame, and once built the
//! interpreter probes are forgotten so that the lesson that needed it can
//! run at once. A stopped build is kept until its threads are done
//! ([`Build::ended`]), then dropped: the window never waits for it.

use super::Session;
use crate::free_threaded::Build;

impl Session {
    /// Starts building the free-threaded CPython (nothing while one builds
    /// or stops).
    pub fn start_python_build(&mut self) {
        if self.python_building() {
            return;
        }
        self.python_build = None;
        match Build::start(None) {
            Ok(build) => {
                self.messages.error = None;
                self.python_build = Some(build);
            }
            Err(e) => {
                self.messages.error = Some(format!("could not start the build: {e}"));
            }
        }
    }

    /// Stops the build; its script and everything it started end (on the
    /// build's own threads: this returns at once).
    pub fn cancel_python_build(&mut self) {
        if let Some(build) = &mut self.python_build {
            build.stop();
            self.messages.notice = Some("the free-threaded CPython build was stopped".to_string());
        }
    }

    /// Takes the build's news; once it is done, says how it ended (and
    /// keeps its last lines on screen where it failed).
    pub fn drain_python_build(&mut self) {
        let Some(build) = &mut self.python_build else {
            return;
        };
        let changed = build.poll();
        if build.stopping() {
            // Said when it was stopped; gone once nothing waits on it.
            if build.ended() {
                self.python_build = None;
            }
            return;
        }
        if !changed {
            return;
        }
        match &build.outcome {
            Some(Ok(())) => {
                crate::python::forget_probes();
                self.messages.notice = Some(
                    "free-threaded CPython built: the gil-removed lesson can run now".to_string(),
                );
                self.python_build = None;
            }
            Some(Err(why)) => {
                let last = build.lines.last().cloned().unwrap_or_default();
                self.messages.error = Some(format!(
                    "the free-threaded CPython build failed: {why} ({last})"
                ));
            }
            None => {}
        }
    }

    /// Whether a build is running or still stopping.
    pub fn python_building(&self) -> bool {
        self.python_build
            .as_ref()
            .is_some_and(|b| b.outcome.is_none() || (b.stopping() && !b.ended()))
    }
}
