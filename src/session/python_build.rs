//! The free-threaded CPython build started from the window, as the session
//! holds it: at most one at a time, polled each frame, and once built the
//! interpreter probes are forgotten so that the lesson that needed it can
//! run at once.

use super::Session;
use crate::free_threaded::Build;

impl Session {
    /// Starts building the free-threaded CPython (nothing while one builds).
    pub fn start_python_build(&mut self) {
        if self
            .python_build
            .as_ref()
            .is_some_and(|b| b.outcome.is_none())
        {
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

    /// Stops the build; its script and everything it started end.
    pub fn cancel_python_build(&mut self) {
        if self.python_build.take().is_some() {
            self.messages.notice = Some("the free-threaded CPython build was stopped".to_string());
        }
    }

    /// Takes the build's news; once it is done, says how it ended (and
    /// keeps its last lines on screen where it failed).
    pub fn drain_python_build(&mut self) {
        let Some(build) = &mut self.python_build else {
            return;
        };
        if !build.poll() {
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

    /// Whether a build is running.
    pub fn python_building(&self) -> bool {
        self.python_build
            .as_ref()
            .is_some_and(|b| b.outcome.is_none())
    }
}
