//! The one theme every chart is drawn in, window and file alike: the
//! background and text colours of each theme, the reference colour, the
//! phase colours of the timeline and the time breakdown, the per-core
//! colours of the CPU rows, and the smallest text sizes a chart may use.
//!
//! Model colours and markers live in the model catalogue
//! ([`crate::model`]); they are Okabe–Ito based, colour-blind safe, and
//! every model also has its own marker shape, so no series needs colour to
//! be told apart. The colours here are chosen *not* to be any model's, so a
//! phase or a core never reads as a model.

use crate::analysis::Phase;
use crate::model::{Family, Runtime};
use crate::palette::Rgb;
use crate::spec::Model;

/// The colour of reference lines (ideal, core count): Okabe–Ito's bluish
/// green, which no model uses.
pub const REFERENCE_COLOR: Rgb = Rgb(0x00, 0x9e, 0x73);

/// A chart's background.
pub fn background(dark: bool) -> Rgb {
    if dark {
        Rgb(0x1b, 0x1b, 0x1b)
    } else {
        Rgb(0xff, 0xff, 0xff)
    }
}

/// Text, axes and neutral lines (the wall-time mark, totals).
pub fn foreground(dark: bool) -> Rgb {
    if dark {
        Rgb(0xe6, 0xe6, 0xe6)
    } else {
        Rgb(0x1e, 0x1e, 0x1e)
    }
}

/// The corescope process's own colour (its memory, beside its workers'):
/// the colour of the serial model of corescope's own runtime, as the
/// model catalogue has it.
pub fn host_color(dark: bool) -> Rgb {
    Model::of_runtime(Runtime::Corescope)
        .find(|m| m.info().family == Family::Serial)
        .map_or(foreground(dark), |m| m.color(dark))
}

/// A phase's colour, the same on the timeline and in the time breakdown:
/// compute in the model's own colour; the IPC phases in hues no process
/// model uses (vermillion, bluish green, violet); waiting grey.
pub fn phase_color(phase: Phase, model: Model, dark: bool) -> Rgb {
    match (phase, dark) {
        (Phase::Compute, _) => model.color(dark),
        (Phase::StartUp, true) => Rgb(0xe8, 0x6b, 0x1f),
        (Phase::StartUp, false) => Rgb(0xd5, 0x5e, 0x00),
        (Phase::Serialization, _) => REFERENCE_COLOR,
        (Phase::Transfer, true) => Rgb(0xb5, 0x8c, 0xf0),
        (Phase::Transfer, false) => Rgb(0x6a, 0x3d, 0x9a),
        (Phase::Waiting, true) => Rgb(0x5a, 0x5a, 0x5a),
        (Phase::Waiting, false) => Rgb(0xc8, 0xc8, 0xc8),
    }
}

/// Colours for cores (and per-worker memory lines), cycled past four: hues
/// from Paul Tol's colour-blind safe sets that no model, phase or
/// reference line uses, so a core's row never looks like a model's line.
pub fn core_color(core: usize, dark: bool) -> Rgb {
    const DARK: [Rgb; 4] = [
        Rgb(0x44, 0xbb, 0x99),
        Rgb(0xbb, 0xcc, 0x33),
        Rgb(0x99, 0xdd, 0xff),
        Rgb(0xdd, 0xdd, 0x77),
    ];
    const LIGHT: [Rgb; 4] = [
        Rgb(0x11, 0x77, 0x33),
        Rgb(0x99, 0x99, 0x33),
        Rgb(0x33, 0x22, 0x88),
        Rgb(0x44, 0xaa, 0x99),
    ];
    let colors = if dark { DARK } else { LIGHT };
    colors[core % colors.len()]
}

/// The smallest text sizes of a chart in the window, in points (they grow
/// with the UI scale, as all egui text does). Files scale theirs with the
/// image (see `export::plot`), from sizes larger than these.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextSizes {
    /// Tick labels.
    pub tick: f32,
    /// Axis titles.
    pub axis: f32,
    /// Legend entries.
    pub legend: f32,
    /// The chart's title.
    pub title: f32,
}

impl TextSizes {
    /// Every size times `factor` (presentation mode's, growing with the
    /// window).
    pub fn scaled(self, factor: f32) -> TextSizes {
        TextSizes {
            tick: self.tick * factor,
            axis: self.axis * factor,
            legend: self.legend * factor,
            title: self.title * factor,
        }
    }
}

/// Text sizes in the window: readable from the back of a room at
/// 1280×720.
pub const WINDOW_TEXT: TextSizes = TextSizes {
    tick: 14.0,
    axis: 15.0,
    legend: 14.0,
    title: 19.0,
};

/// The lowest a chart's plot (with its axes) may get in the window, in
/// points, before the results table and the lesson text give way: a
/// plot read from the back of a room at 1280×720.
pub const MIN_PLOT_HEIGHT: f32 = 300.0;

#[cfg(test)]
mod tests {
    use super::*;

    fn distance(a: Rgb, b: Rgb) -> f64 {
        let d = |x: u8, y: u8| f64::from(x) - f64::from(y);
        (d(a.0, b.0).powi(2) + d(a.1, b.1).powi(2) + d(a.2, b.2).powi(2)).sqrt()
    }

    #[test]
    fn core_colours_are_no_models_and_no_phases() {
        for dark in [false, true] {
            let mut taken: Vec<(String, Rgb)> = Model::ALL
                .iter()
                .map(|m| (m.to_string(), m.color(dark)))
                .collect();
            for phase in Phase::ALL.into_iter().filter(|p| *p != Phase::Compute) {
                taken.push((
                    phase.name().to_string(),
                    phase_color(phase, Model::Serial, dark),
                ));
            }
            taken.push(("reference".to_string(), REFERENCE_COLOR));
            for core in 0..4 {
                let color = core_color(core, dark);
                for (name, other) in &taken {
                    assert!(
                        distance(color, *other) > 50.0,
                        "core {core} ({color:?}) looks like {name} ({other:?}), dark {dark}"
                    );
                }
                assert_ne!(color, core_color(core + 1, dark));
            }
        }
    }
}
