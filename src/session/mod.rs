//! A [`Session`]: what the desktop app knows and does, without its window.
//! It starts an experiment, drains the engine's events through the
//! [`progress::RunProgress`] reducer (shared with the command line's
//! progress bar), finishes it into the [`store::ResultsStore`], chooses what
//! is shown and compared, exports it and opens saved result sets
//! (remembering them in [`recent::RecentFiles`]), clears results into a
//! pile they can be restored from, and names what is shown. It never
//! imports a UI toolkit: the window draws from it and asks it to act.

pub mod export;
pub mod progress;
mod python_build;
pub mod recent;
pub mod store;

use std::path::Path;
use std::time::{Duration, Instant};

use crossbeam_channel::TryRecvError;

use crate::chart::{self, Chart, ChartKind, ChartOptions};
use crate::engine::runner::{Runner, Wake};
use crate::engine::{EngineConfig, EngineError, Plan};
use crate::measure::system_load::{self, Snapshot};
use crate::noise;
use crate::presets::measure as lesson;
use crate::remedy::{Remedied, SettingNames};
use crate::rerun;
use crate::results::{MachineInfo, ResultSet};
use crate::spec::{ExperimentSpec, Setting, SpecError};
use progress::{Ending, RunProgress, Step};
use recent::RecentFiles;
use store::ResultsStore;

/// The status line: what went wrong, or how the last action ended.
#[derive(Debug, Default)]
pub struct Messages {
    /// The last error, shown until dismissed or the next run.
    pub error: Option<String>,
    /// A value of the form that failed validation.
    pub form_error: Option<SpecError>,
    /// A note on how the last action ended (cancelled, saved, …).
    pub notice: Option<String>,
    /// The status line offers to undo the last Clear.
    pub offer_undo: bool,
}

impl Messages {
    /// Clears the error, the notice and the Undo offer (a form error
    /// stays until the next Run; Undo stays in the menu).
    pub fn dismiss(&mut self) {
        self.error = None;
        self.notice = None;
        self.offer_undo = false;
    }
}

/// An experiment in progress.
#[derive(Debug)]
pub struct LiveRun {
    runner: Runner,
    pub started: Instant,
    /// Everything the engine reported so far.
    pub progress: RunProgress,
    pub cancelling: bool,
    /// The runs that finished so far, as a result set the charts show.
    pub partial: ResultSet,
    /// Re-running the flagged runs of this stored experiment: what
    /// finishes is merged into a copy of it.
    pub rerun_of: Option<usize>,
    /// The kernel's CPU counters when it started: what other programs
    /// used across it, whatever its runs' length (`load_during`, where
    /// the job did not say: a lesson's counts from after its calm wait).
    cpu_start: Option<Snapshot>,
}

impl LiveRun {
    /// Fraction of all tasks done, 0 to 1.
    pub fn fraction(&self) -> f32 {
        self.progress.fraction()
    }

    /// Seconds left, extrapolated from the fraction done so far.
    pub fn seconds_left(&self) -> Option<f64> {
        let fraction = f64::from(self.fraction());
        let elapsed = self.started.elapsed().as_secs_f64();
        (fraction > 0.02 && elapsed > 0.5).then(|| elapsed * (1.0 - fraction) / fraction)
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The workloads and models of a set, each once: `primes · serial, threads`.
fn experiment_summary(set: &ResultSet) -> Option<String> {
    fn names<T: PartialEq>(
        values: impl Iterator<Item = T>,
        name: impl Fn(&T) -> &'static str,
    ) -> String {
        let mut seen: Vec<T> = Vec::new();
        for v in values {
            if !seen.contains(&v) {
                seen.push(v);
            }
        }
        seen.iter().map(name).collect::<Vec<_>>().join(", ")
    }
    set.runs.first()?;
    let workloads = names(set.runs.iter().map(|r| r.workload), |w| w.name());
    let models = names(set.runs.iter().map(|r| r.model), |m| m.name());
    Some(format!("{workloads} · {models}"))
}

/// The app's state apart from its settings and its window.
#[derive(Debug)]
pub struct Session {
    pub machine: MachineInfo,
    pub results: ResultsStore,
    /// Result sets opened or saved lately.
    pub recent: RecentFiles,
    /// The experiment shown when none is running; `None`: the newest.
    pub selected: Option<usize>,
    /// The stored experiment drawn beside the shown one, if any.
    pub compare_with: Option<usize>,
    pub live: Option<LiveRun>,
    pub messages: Messages,
    /// The report folder being written, if one is.
    pub report: Option<export::ReportJob>,
    /// The free-threaded CPython being built from the window, if it is
    /// (or its failure, until dismissed or tried again).
    pub python_build: Option<crate::free_threaded::Build>,
    /// The front end's names for the settings an error's way out changes
    /// (the window's form fields).
    pub setting_names: SettingNames,
}

impl Session {
    /// A session on this machine with the results stored in `data_dir`
    /// (none: kept in memory only), naming settings in its errors as
    /// `setting_names` does.
    pub fn open(data_dir: Option<&Path>, setting_names: SettingNames) -> Session {
        let (results, error) = ResultsStore::open(data_dir);
        Session {
            machine: MachineInfo::detect(),
            results,
            recent: RecentFiles::open(data_dir),
            selected: None,
            compare_with: None,
            live: None,
            report: None,
            python_build: None,
            setting_names,
            messages: Messages {
                error,
                ..Messages::default()
            },
        }
    }

    /// Whether an experiment is running.
    pub fn is_running(&self) -> bool {
        self.live.is_some()
    }

    /// The result set the charts show: the running experiment, else the
    /// selected one, else the newest.
    pub fn shown(&self) -> Option<&ResultSet> {
        if let Some(live) = &self.live {
            return Some(&live.partial);
        }
        match self.selected {
            Some(i) => self.results.experiments.get(i),
            None => self.results.experiments.last(),
        }
    }

    /// Index of the experiment the charts show, if it is a stored one.
    pub fn shown_index(&self) -> Option<usize> {
        if self.live.is_some() {
            return None;
        }
        self.selected
            .or_else(|| self.results.experiments.len().checked_sub(1))
    }

    /// The stored experiment compared with the shown one, with its index
    /// (none when it is the shown one itself).
    pub fn compared(&self) -> Option<(usize, &ResultSet)> {
        let i = self
            .compare_with
            .filter(|&i| Some(i) != self.shown_index())?;
        self.results.experiments.get(i).map(|set| (i, set))
    }

    /// The result sets the charts show, labelled: the shown experiment and,
    /// when one is chosen, the one compared with it.
    pub fn shown_sources(&self) -> Vec<(String, &ResultSet)> {
        let Some(shown) = self.shown() else {
            return Vec::new();
        };
        let shown_label = match self.shown_index() {
            Some(i) => export::set_label(shown, i),
            None => "this run".to_string(),
        };
        let mut sources = vec![(shown_label, shown)];
        if let Some((i, other)) = self.compared() {
            sources.push((export::set_label(other, i), other));
        }
        sources
    }

    /// The newest measurement of lesson `name`: the running one if it is
    /// that lesson, else the newest stored experiment that ran it.
    pub fn lesson_set(&self, name: &str) -> Option<&ResultSet> {
        if let Some(live) = &self.live
            && live.partial.preset.as_deref() == Some(name)
        {
            return Some(&live.partial);
        }
        self.results
            .experiments
            .iter()
            .rev()
            .find(|set| set.preset.as_deref() == Some(name))
    }

    /// The index of the newest stored experiment of lesson `name`.
    pub fn lesson_index(&self, name: &str) -> Option<usize> {
        self.results
            .experiments
            .iter()
            .rposition(|set| set.preset.as_deref() == Some(name))
    }

    /// The chart of `kind` for what is shown (compared, if chosen).
    pub fn chart(&self, kind: ChartKind, options: &ChartOptions) -> Option<Chart> {
        let sources = self.shown_sources();
        if sources.is_empty() {
            return None;
        }
        let labelled: Vec<(&str, &ResultSet)> =
            sources.iter().map(|(l, s)| (l.as_str(), *s)).collect();
        Some(chart::build_compared(kind, &labelled, options))
    }

    /// Starts a validated experiment; `wake` is called after every engine
    /// event. Does nothing while another one runs.
    pub fn start(&mut self, spec: ExperimentSpec, config: EngineConfig, wake: Wake) {
        if self.live.is_some() {
            return;
        }
        self.start_plan(Plan::of(&spec), config, wake, None);
    }

    /// Measures the flagged runs of the shown experiment again (with the
    /// serial runs they are read against); the merged result becomes a new
    /// experiment. Does nothing while another one runs or when nothing is
    /// flagged.
    pub fn rerun_flagged(&mut self, config: EngineConfig, wake: Wake) {
        let Some(index) = self.shown_index() else {
            return;
        };
        match self.results.experiments.get(index).and_then(rerun::plan) {
            Some(plan) => self.start_plan(plan, config, wake, Some(index)),
            None => self.messages.notice = Some("no run is flagged".to_string()),
        }
    }

    /// Measures lesson `preset` (as [`crate::presets::measure`] does from
    /// the command line: the models this machine lacks left out and named,
    /// a wait for the machine to calm down, flagged runs measured once
    /// more); `default_workers` where the lesson names none.
    pub fn start_lesson(
        &mut self,
        preset: &crate::presets::Preset,
        default_workers: &[u32],
        config: EngineConfig,
        wake: Wake,
    ) {
        if self.live.is_some() {
            return;
        }
        // The window does not half-run a lesson: its screen says in large
        // type what is missing and the command that gets it (the command
        // line runs the rest, for its JSON).
        if let Some(lack) = crate::export::deck::missing(preset, &config.python) {
            let why = format!("{}: {}", lack.reason, lack.command);
            self.messages.form_error = Some(SpecError::new(Setting::Models, why));
            return;
        }
        let planned = lesson::lesson_plan(
            preset,
            &preset.experiment,
            &config.python,
            default_workers,
            self.setting_names,
        );
        let (plan, not_measured) = match planned {
            Ok(planned) => planned,
            Err(e) => {
                self.messages.error = Some(format!("lesson {}: {e}", preset.name));
                return;
            }
        };
        let job = lesson::lesson_job(plan, preset.name.clone(), not_measured);
        let started = Runner::start_job(config, wake, job);
        self.watch(started, Some(preset.name.clone()), None);
    }

    fn start_plan(
        &mut self,
        plan: Plan,
        config: EngineConfig,
        wake: Wake,
        rerun_of: Option<usize>,
    ) {
        if self.live.is_some() {
            return;
        }
        let preset = plan.preset.clone();
        let started = Runner::start_plan(plan, config, wake);
        self.watch(started, preset, rerun_of);
    }

    /// Follows a runner that `started` (or says why it could not start).
    fn watch(
        &mut self,
        started: Result<Runner, EngineError>,
        preset: Option<String>,
        rerun_of: Option<usize>,
    ) {
        let cpu_start = Snapshot::now();
        match started {
            Ok(runner) => {
                let mut partial = ResultSet::new(self.machine.clone());
                partial.preset = preset;
                self.live = Some(LiveRun {
                    runner,
                    started: Instant::now(),
                    progress: RunProgress::default(),
                    cancelling: false,
                    partial,
                    rerun_of,
                    cpu_start,
                });
            }
            // The runner refuses a model this machine cannot run: the
            // reason goes under the form, by the models it concerns.
            Err(EngineError::Unavailable(why)) => {
                let why = why.worded(self.setting_names);
                self.messages.form_error = Some(SpecError::new(Setting::Models, why));
            }
            Err(e) => {
                let why = e.worded(self.setting_names);
                self.messages.error = Some(format!("could not start the run: {why}"));
            }
        }
    }

    /// Asks the running experiment to stop.
    pub fn cancel(&mut self) {
        if let Some(live) = &mut self.live {
            live.runner.cancel();
            live.cancelling = true;
        }
    }

    /// Folds engine events until the channel is empty or `budget` is spent.
    pub fn drain_events(&mut self, budget: Duration) {
        let deadline = Instant::now() + budget;
        while Instant::now() < deadline {
            let Some(live) = &mut self.live else {
                return;
            };
            let step = match live.runner.events().try_recv() {
                Ok(event) => live.progress.apply(event),
                Err(TryRecvError::Empty) => return,
                Err(TryRecvError::Disconnected) => Step::Ended(Ending::Lost),
            };
            match step {
                // Flagged runs measured again replace theirs only when the
                // lesson finishes: a cancelled one keeps its first pass.
                Step::RunFinished { record, .. } if !live.progress.remeasuring => {
                    live.partial.runs.push(record);
                }
                Step::Ended(ending) => self.finish(ending),
                Step::Started
                | Step::RunFinished { .. }
                | Step::Note
                | Step::RunStarted(_)
                | Step::Turn(_)
                | Step::Progress
                | Step::Sample => {}
            }
        }
    }

    /// Clears every stored experiment from the results file; they stay
    /// restorable ([`Session::undo_clear`]) until the app quits, and the
    /// files any of them were opened from are never touched.
    pub fn clear_results(&mut self) {
        let count = self.results.clear();
        self.selected = None;
        self.compare_with = None;
        self.messages.dismiss();
        self.messages.notice = Some(format!("cleared {count} experiment{}", plural(count)));
        self.messages.offer_undo = true;
        if let Err(e) = self.results.save() {
            self.messages.error = Some(e);
        }
    }

    /// Brings back every experiment cleared in this session.
    pub fn undo_clear(&mut self) {
        let count = self.results.restore();
        if count == 0 {
            return;
        }
        self.selected = None;
        self.compare_with = None;
        self.messages.dismiss();
        self.messages.notice = Some(format!("restored {count} experiment{}", plural(count)));
        if let Err(e) = self.results.save() {
            self.messages.error = Some(e);
        }
    }

    /// What the window's title names: the lesson or experiment shown (or
    /// running), the file it came from, or nothing yet.
    pub fn title(&self) -> String {
        let (set, running) = match &self.live {
            Some(live) => (Some(&live.partial), true),
            None => (self.shown(), false),
        };
        let Some(set) = set else {
            return "corescope — parallelism, measured".to_string();
        };
        let lesson = set
            .preset
            .as_deref()
            .and_then(|name| crate::presets::find(name).ok());
        let what = match (&lesson, &set.source, self.shown_index()) {
            (Some(lesson), _, _) => format!("lesson: {}", lesson.title),
            (None, Some(source), _) => format!("{source}.json"),
            (None, None, Some(i)) if !running => format!("experiment #{}", i + 1),
            (None, None, _) => "new experiment".to_string(),
        };
        let what = match experiment_summary(set) {
            Some(summary) if lesson.is_none() => format!("{what} · {summary}"),
            _ => what,
        };
        let state = if running { " (running)" } else { "" };
        format!("corescope — {what}{state}")
    }

    /// Ends the live experiment; whatever runs finished are kept.
    fn finish(&mut self, ending: Ending) {
        let Some(live) = self.live.take() else {
            return;
        };
        let error = ending.error(self.setting_names);
        let cancelled = matches!(ending, Ending::Cancelled);
        let set = match ending {
            Ending::Finished(set) => Some(set),
            Ending::Failed(_) | Ending::Cancelled | Ending::Lost => {
                Some(live.partial).filter(|s| !s.runs.is_empty())
            }
        };
        // A re-run replaces the runs it measured in a copy of the original.
        let set = match (set, live.rerun_of) {
            (Some(fresh), Some(i)) => self
                .results
                .experiments
                .get(i)
                .map(|old| rerun::merge(old, &fresh)),
            (set, _) => set,
        };
        if let Some(mut set) = set {
            if set.load_during.is_none() {
                set.load_during = live
                    .cpu_start
                    .zip(Snapshot::now())
                    .and_then(|(a, b)| system_load::between(&a, &b))
                    .map(Box::new);
            }
            noise::assess(&mut set);
            self.results.experiments.push(set);
            self.selected = None;
            if let Err(e) = self.results.save() {
                self.messages.error = Some(e);
            }
        }
        if error.is_some() {
            self.messages.error = error;
        }
        if cancelled {
            self.messages.notice = Some("cancelled; every worker process was stopped".to_string());
        }
    }
}
