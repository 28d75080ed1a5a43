//! The "Your code" workload's look at the chosen file, off the UI thread:
//! the functions it defines (read with `ast`, not run) and one timed call
//! of the chosen one, each asked of the interpreter by a named thread of
//! its own ([`crate::python::functions`]). The form asks every frame; an
//! answer arrives a frame later (the thread wakes the window), and a
//! question asked again gets the answer already had. Threads whose answer
//! is no longer wanted (a file typed further) are joined once they end,
//! and every one is joined when the probe is dropped.

use std::path::{Path, PathBuf};
use std::thread::JoinHandle;

use eframe::egui;

use crate::python::functions::{self, Function};
use crate::workload::CodeTarget;

/// An answer from the interpreter, or what went wrong, in one line.
type Answer<T> = Result<T, String>;

/// A question in flight or answered.
#[derive(Debug)]
enum Lookup<T> {
    Asking(JoinHandle<Answer<T>>),
    Answered(Answer<T>),
}

impl<T> Lookup<T> {
    /// Takes the thread's answer once it has ended.
    fn settle(&mut self) {
        if !matches!(self, Lookup::Asking(handle) if handle.is_finished()) {
            return;
        }
        let asked = std::mem::replace(self, Lookup::Answered(Err(String::new())));
        if let Lookup::Asking(handle) = asked {
            *self = Lookup::Answered(
                handle
                    .join()
                    .unwrap_or_else(|_| Err("the interpreter's reader stopped".to_string())),
            );
        }
    }

    fn view(&self) -> Probed<'_, T> {
        match self {
            Lookup::Asking(_) => Probed::Asking,
            Lookup::Answered(Ok(found)) => Probed::Found(found),
            Lookup::Answered(Err(why)) => Probed::Failed(why),
        }
    }
}

/// A thread whose answer is no longer wanted.
#[derive(Debug)]
enum Superseded {
    Listing(JoinHandle<Answer<Vec<Function>>>),
    Timing(JoinHandle<Answer<f64>>),
}

impl Superseded {
    fn is_finished(&self) -> bool {
        match self {
            Superseded::Listing(h) => h.is_finished(),
            Superseded::Timing(h) => h.is_finished(),
        }
    }

    fn join(self) {
        // Its answer is not wanted; a panic in it is one more.
        match self {
            Superseded::Listing(h) => drop(h.join()),
            Superseded::Timing(h) => drop(h.join()),
        }
    }
}

/// What the form shows for a question.
#[derive(Debug, PartialEq)]
pub enum Probed<'a, T> {
    /// Not asked (nothing chosen yet).
    Unasked,
    /// The interpreter is at it.
    Asking,
    Found(&'a T),
    Failed(&'a str),
}

/// The functions of a file (read with an interpreter), asked or known.
type Listing = ((PathBuf, PathBuf), Lookup<Vec<Function>>);

/// The questions about the chosen file and function.
#[derive(Debug, Default)]
pub struct CodeProbe {
    /// The functions of a file, as read by an interpreter.
    listed: Option<Listing>,
    /// One call of a function, timed by an interpreter.
    timed: Option<((PathBuf, CodeTarget), Lookup<f64>)>,
    /// Threads whose answer is no longer wanted, joined once they end.
    superseded: Vec<Superseded>,
}

impl CodeProbe {
    /// The functions `file` defines, read by `python`: asked once per file
    /// (and again by [`CodeProbe::forget`]).
    pub fn functions(
        &mut self,
        python: &Path,
        file: &Path,
        ctx: &egui::Context,
    ) -> Probed<'_, Vec<Function>> {
        self.reap();
        let key = (python.to_path_buf(), file.to_path_buf());
        if self.listed.as_ref().is_none_or(|(k, _)| *k != key) {
            let (python, file) = key.clone();
            let asked = ask(ctx, move || functions::functions(&python, &file));
            self.replace_listed(Some((key, asked)));
        }
        match &mut self.listed {
            Some((_, lookup)) => {
                lookup.settle();
                lookup.view()
            }
            None => Probed::Unasked,
        }
    }

    /// Times one call of `target` with `python`.
    pub fn time(&mut self, python: &Path, target: &CodeTarget, ctx: &egui::Context) {
        let key = (python.to_path_buf(), target.clone());
        let (python, target) = key.clone();
        let asked = ask(ctx, move || functions::time_one_call(&python, &target));
        if let Some((_, Lookup::Asking(handle))) = self.timed.replace((key, asked)) {
            self.superseded.push(Superseded::Timing(handle));
        }
    }

    /// The timed call of `target`, if one was asked for.
    pub fn timing(&mut self, python: &Path, target: &CodeTarget) -> Probed<'_, f64> {
        self.reap();
        match &mut self.timed {
            Some(((p, t), lookup)) if p == python && t == target => {
                lookup.settle();
                lookup.view()
            }
            _ => Probed::Unasked,
        }
    }

    /// Forgets what was read of the files, so the next look reads again
    /// (a file chosen again may have changed).
    pub fn forget(&mut self) {
        self.replace_listed(None);
    }

    fn replace_listed(&mut self, new: Option<Listing>) {
        let old = std::mem::replace(&mut self.listed, new);
        if let Some((_, Lookup::Asking(handle))) = old {
            self.superseded.push(Superseded::Listing(handle));
        }
    }

    /// Joins the superseded threads that have ended.
    fn reap(&mut self) {
        let (done, running): (Vec<_>, Vec<_>) = std::mem::take(&mut self.superseded)
            .into_iter()
            .partition(Superseded::is_finished);
        for handle in done {
            handle.join();
        }
        self.superseded = running;
    }
}

impl Drop for CodeProbe {
    fn drop(&mut self) {
        // Each thread ends within the interpreter probes' time limit.
        self.replace_listed(None);
        if let Some((_, Lookup::Asking(handle))) = self.timed.take() {
            let _ = handle.join();
        }
        for handle in self.superseded.drain(..) {
            handle.join();
        }
    }
}

/// Asks `question` on a named thread that wakes the window when answered.
fn ask<T: Send + 'static>(
    ctx: &egui::Context,
    question: impl FnOnce() -> Answer<T> + Send + 'static,
) -> Lookup<T> {
    let ctx = ctx.clone();
    let spawned = std::thread::Builder::new()
        .name("corescope-code-probe".to_string())
        .spawn(move || {
            let answer = question();
            ctx.request_repaint();
            answer
        });
    match spawned {
        Ok(handle) => Lookup::Asking(handle),
        Err(e) => Lookup::Answered(Err(format!("no thread to ask the interpreter: {e}"))),
    }
}
