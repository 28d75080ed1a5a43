//! [`Command`]: what the panels ask the app to do. Panels draw from the
//! narrow state they are handed and push commands; the app applies them
//! once the frame is drawn, so no panel needs the app itself.

use std::path::PathBuf;

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
    ShowOpen,
    CloseOpen,
    OpenFile(PathBuf),
    /// Compare the shown experiment with this stored one (none: stop).
    Compare(Option<usize>),
    /// Show one chart over the whole central area (none: the grid).
    Focus(Option<ChartKind>),
}
