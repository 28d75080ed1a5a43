//! The central area's views: a tab strip on top switches between the
//! scaling charts ([`super::plots`]), a run's timeline
//! ([`super::timeline`]) and the cores and memory ([`super::live`]). The
//! chosen tab and run live in egui's memory for the session.

use eframe::egui::{self, RichText};

use super::app::{Command, CorescopeApp};
use super::{live, plots, timeline};
use crate::activity;
use crate::results::{ResultSet, RunRecord};

/// The least height of the central area: the top bar, the tabs, a line of
/// lesson and the charts at their least readable height.
pub const CENTRAL_MIN_HEIGHT: f32 = 40.0 + 45.0 + 26.0 + plots::CHARTS_MIN_HEIGHT;

/// The views of the central area.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum View {
    #[default]
    Scaling,
    Timeline,
    CpuMemory,
}

impl View {
    const ALL: [View; 3] = [View::Scaling, View::Timeline, View::CpuMemory];

    fn label(self) -> &'static str {
        match self {
            View::Scaling => "Scaling",
            View::Timeline => "Timeline",
            View::CpuMemory => "CPU & memory",
        }
    }
}

/// What the views remember between frames.
#[derive(Debug, Clone, Default)]
pub struct ViewState {
    pub view: View,
    /// The run shown by the timeline and CPU views: the experiment (by its
    /// creation time) and the run's index in it; otherwise its last run.
    pub run: Option<(String, usize)>,
}

fn state_id() -> egui::Id {
    egui::Id::unique("corescope-views")
}

/// Reads the views' state.
pub fn state(ctx: &egui::Context) -> ViewState {
    ctx.data(|d| d.get_temp::<ViewState>(state_id()))
        .unwrap_or_default()
}

/// Stores the views' state.
pub fn set_state(ctx: &egui::Context, state: ViewState) {
    ctx.data_mut(|d| d.insert_temp(state_id(), state));
}

/// The tab strip and the chosen view below it.
pub fn central_ui(app: &mut CorescopeApp, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
    let mut state = state(ui.ctx());
    ui.horizontal(|ui| {
        for view in View::ALL {
            let text = RichText::new(view.label()).size(17.0);
            if ui.selectable_label(state.view == view, text).clicked() {
                state.view = view;
            }
        }
    });
    ui.separator();
    set_state(ui.ctx(), state.clone());
    match state.view {
        View::Scaling => plots::charts_ui(app, ui, commands),
        View::Timeline => timeline::timeline_ui(app, ui, commands),
        View::CpuMemory => live::cpu_memory_ui(app, ui, commands),
    }
}

/// The run the timeline and CPU views show, with its index.
pub fn chosen_run<'a>(set: &'a ResultSet, state: &ViewState) -> Option<(usize, &'a RunRecord)> {
    let index = state
        .run
        .as_ref()
        .filter(|(created, i)| *created == set.created && *i < set.runs.len())
        .map(|(_, i)| *i)
        .or_else(|| set.runs.len().checked_sub(1))?;
    set.runs.get(index).map(|run| (index, run))
}

/// A menu of the experiment's runs; returns the index of the one chosen.
pub fn run_picker_ui(ui: &mut egui::Ui, set: &ResultSet) -> Option<usize> {
    let mut state = state(ui.ctx());
    let (index, run) = chosen_run(set, &state)?;
    let label = |i: usize, r: &RunRecord| format!("{}: {}", i + 1, activity::run_title(r));
    ui.label("Run:");
    egui::ComboBox::from_id_salt("run-picker")
        .selected_text(label(index, run))
        .width(ui.available_width().min(520.0))
        .show_ui(ui, |ui| {
            for (i, r) in set.runs.iter().enumerate() {
                if ui.selectable_label(i == index, label(i, r)).clicked() {
                    state.run = Some((set.created.clone(), i));
                }
            }
        });
    set_state(ui.ctx(), state.clone());
    chosen_run(set, &state).map(|(i, _)| i)
}

/// The step egui_plot is told lies between named rows (lanes, cores,
/// runs): larger than the real 1, so it never fades their names out when
/// rows are close together.
pub const LABEL_STEP: f64 = 4.0;

/// Names the rows of a plot's y axis, one per whole y, the first name on
/// top (at y = count − 1), with a grid line at each.
pub fn named_rows(plot: egui_plot::Plot<'_>, names: Vec<String>) -> egui_plot::Plot<'_> {
    let count = names.len();
    plot.y_grid_spacer(move |_| {
        (0..count)
            .map(|i| egui_plot::GridMark {
                value: i as f64,
                step_size: LABEL_STEP,
            })
            .collect()
    })
    .y_axis_formatter(move |mark, _| {
        let index = count as f64 - 1.0 - mark.value;
        if index >= 0.0 && index.fract() == 0.0 {
            names.get(index as usize).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    })
}

/// The line under the tabs when there is nothing to show.
pub fn placeholder_ui(ui: &mut egui::Ui, text: &str) {
    ui.centered_and_justified(|ui| {
        ui.label(RichText::new(text).size(22.0).weak());
    });
}
