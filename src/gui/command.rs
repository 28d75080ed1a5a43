//! [`Command`]: what the panels ask the app to do. Panels draw from the
//! narrow state they are handed and push commands; the app applies them
//! once the frame is drawn, so no panel needs the app itself.

use std::path::PathBuf;

use super::state::View;
use crate::chart::ChartKind;
use crate::export::plot::ImageFormat;
use crate::session::export::{DataFormat, ExportTarget};

/// What the panels ask the app to do once the frame is drawn.
#[must_use = "a command does nothing until the app applies it"]
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Run,
    /// Run the lesson preset of this name.
    RunPreset(String),
    /// Measure the flagged runs of the shown experiment again.
    RerunFlagged,
    Cancel,
    /// Build the free-threaded CPython (the gil-removed lesson's part).
    BuildFreeThreaded,
    /// Stop that build.
    CancelBuild,
    AskClear,
    ConfirmClear,
    DismissClear,
    /// Show this experiment (index into the store) in the charts.
    Select(usize),
    DismissError,
    SetDark(bool),
    SetZoom(f32),
    ExportImage(ExportTarget, ImageFormat),
    CopyImage(ExportTarget),
    /// Save run `index` of the shown experiment as a Chrome trace.
    ExportTrace(usize),
    ExportData(DataFormat),
    ExportReport,
    /// Show the Open dialog.
    ShowOpen,
    /// Close whichever file dialog is open.
    CloseDialog,
    /// Open this result set (from the recent files, or dropped).
    OpenFile(PathBuf),
    /// Open the result set chosen in the Open dialog (which opens again
    /// where it was if the file is not one).
    OpenChosen(PathBuf),
    /// Ask where to save the shown experiment's data.
    AskSaveData,
    SaveDataAs(PathBuf),
    /// Ask where to save a chart (none: the chart shown now).
    AskExportChart(Option<ExportTarget>),
    ExportChartAs(ExportTarget, PathBuf),
    /// Ask for the Python file of the "Your code" workload.
    AskCodeFile,
    /// The Python file chosen for the "Your code" workload.
    SetCodeFile(PathBuf),
    /// Ask for the export folder.
    AskExportFolder,
    SetExportFolder(PathBuf),
    ClearRecent,
    /// Bring back the results cleared in this session.
    UndoClear,
    /// Switch the central area's tab.
    SetView(View),
    /// Enlarge the chart shown (or go back to the grid).
    ToggleEnlarge,
    /// Run the lesson after the one shown (the first if none is).
    NextLesson,
    /// Show or hide the keyboard shortcuts.
    ShowHelp(bool),
    /// Compare the shown experiment with this stored one (none: stop).
    Compare(Option<usize>),
    /// Show one chart over the whole central area (none: the grid).
    Focus(Option<ChartKind>),
    /// Unlock the form from the lesson it shows, to change the experiment.
    TweakLesson,
    /// Load lesson `name` into the form and show its newest measurement,
    /// without running it.
    ShowLesson(String),
    /// Enter (true) or leave presentation mode.
    Present(bool),
    TogglePresent,
    /// Show the lesson this many steps after (or before) the one shown.
    StepLesson(i32),
    /// Run the lesson the form shows (the first if none).
    RunLesson,
    /// Write the workshop deck, measuring the lessons not yet measured.
    WriteDeck,
}
