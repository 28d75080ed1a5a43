//! The workshop deck: every lesson's claim, its main chart (SVG, embedded
//! in the page) and the verdict of this machine's measurement, in one
//! self-contained HTML page for a screen or for participants afterwards.
//! The page names the machine the figures were measured on. Each lesson
//! shows its own main charts ([`Preset::charts`]) side by side and fits
//! one 1280×720 screen with its verdict; a lesson this machine cannot
//! run says why, and the one command that gets what it lacks
//! ([`missing`]).

use std::fmt::Write as _;
use std::path::Path;

use super::{ExportError, plot};
use crate::chart::{self, ChartOptions};
use crate::engine::availability::Unavailable;
use crate::format;
use crate::model::Requirement;
use crate::presets::{self, Preset};
use crate::results::{MachineInfo, ResultSet};

/// What a lesson needs that this machine lacks: the reason and the one
/// command that gets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    pub reason: String,
    pub command: String,
}

/// What lesson `preset` needs and this machine lacks, with the python
/// interpreter `python` (see [`crate::engine::availability`]); `None`
/// when it can run.
pub fn missing(preset: &Preset, python: &Path) -> Option<Missing> {
    let spec = preset.experiment.validate(&[1]).ok()?;
    let why = crate::engine::availability::check_all(&spec.models, python).err()?;
    Some(Missing {
        reason: why.to_string(),
        command: remedy_command(&why),
    })
}

/// The one command that gets what `why` says is lacking.
pub fn remedy_command(why: &Unavailable) -> String {
    match why {
        Unavailable::Python { model, .. }
            if model
                .info()
                .requires
                .contains(&Requirement::FreeThreadedPython) =>
        {
            FREE_THREADED_BUILD.to_string()
        }
        Unavailable::Python { .. } => "sudo apt install python3".to_string(),
        Unavailable::Launcher {
            launcher: "mpirun", ..
        } => "sudo apt install openmpi-bin libopenmpi-dev".to_string(),
        Unavailable::Launcher { launcher, .. } => format!("install {launcher} on PATH"),
        Unavailable::Feature { feature, .. } => format!("cargo build --features {feature}"),
    }
}

/// The script that builds the free-threaded CPython, from the
/// repository's root.
pub const FREE_THREADED_BUILD: &str = "scripts/build-free-threaded-python.sh";

/// The size of one chart of a lesson's pair in the deck: two side by
/// side fill a 1280-wide screen and leave room for the title, the claim
/// and the verdict within 720.
const CHART_STYLE: plot::PlotStyle = plot::PlotStyle {
    width: 620,
    height: 380,
    dark: false,
};

/// One lesson of the deck, with its measurement if it has one.
#[derive(Debug, Clone, Copy)]
pub struct Slide<'a> {
    pub preset: &'a Preset,
    pub set: Option<&'a ResultSet>,
}

/// The deck as HTML text: a title slide with the machine, then a section
/// per lesson (number, title, claim, chart, verdict).
pub fn html(
    slides: &[Slide<'_>],
    machine: &MachineInfo,
    options: &ChartOptions,
) -> Result<String, ExportError> {
    let style = CHART_STYLE;
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>corescope workshop deck</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n"
    );
    let physical = machine
        .physical_cores
        .map_or(String::new(), |p| format!(" ({p} physical)"));
    let _ = write!(
        out,
        "<section class=\"title\">\n<h1>Parallelism, measured</h1>\n\
         <p class=\"machine\">Measured on {} — {} logical cores{physical}, {} memory, {} (kernel {}, {}).</p>\n\
         <p>{} lessons, each a claim and what this machine showed.</p>\n</section>\n",
        escape(&machine.cpu_model),
        machine.logical_cores,
        format::bytes(machine.memory_bytes),
        escape(&machine.os),
        escape(&machine.kernel),
        escape(&machine.arch),
        slides.len(),
    );
    for (i, slide) in slides.iter().enumerate() {
        slide_html(&mut out, i, slide, &style, options)?;
    }
    out.push_str("</body>\n</html>\n");
    Ok(out)
}

/// One lesson's section.
fn slide_html(
    out: &mut String,
    index: usize,
    slide: &Slide<'_>,
    style: &plot::PlotStyle,
    options: &ChartOptions,
) -> Result<(), ExportError> {
    let preset = slide.preset;
    let _ = write!(
        out,
        "<section class=\"lesson\" id=\"{}\">\n<h2>{}. {}</h2>\n<p class=\"claim\">{}</p>\n",
        escape(&preset.name),
        index + 1,
        escape(&preset.title),
        escape(&preset.claim)
    );
    match slide.set.filter(|set| !set.runs.is_empty()) {
        Some(set) => {
            out.push_str("<div class=\"charts\">\n");
            for kind in preset.charts() {
                let chart = chart::build_with(kind, set, options);
                let svg = plot::render(&chart, style, plot::ImageFormat::Svg)?;
                let svg = String::from_utf8_lossy(&svg);
                // The XML declaration has no place inside HTML.
                let svg = svg.trim_start_matches(|c| c != '<');
                let svg = match svg.strip_prefix("<?xml") {
                    Some(rest) => rest.split_once("?>").map_or(rest, |(_, after)| after),
                    None => svg,
                };
                let _ = writeln!(out, "<figure>{}</figure>", svg.trim());
            }
            out.push_str("</div>\n");
            let verdict = presets::verdict(preset, set);
            let class = match verdict.holds {
                Some(true) => "holds",
                Some(false) => "fails",
                None => "none",
            };
            let _ = writeln!(
                out,
                "<p class=\"verdict {class}\">{}</p>",
                escape(&verdict.sentence)
            );
        }
        None => {
            let python = Path::new(crate::python::DEFAULT_INTERPRETER);
            match missing(preset, python) {
                Some(lack) => {
                    let _ = writeln!(
                        out,
                        "<p class=\"verdict none\">Not measured on this machine: {}.</p>\n\
                         <p class=\"remedy\">To run it: <code>{}</code></p>",
                        escape(&lack.reason),
                        escape(&lack.command)
                    );
                }
                None => out.push_str(
                    "<p class=\"verdict none\">Not measured on this machine: the lesson \
                     was not run before the deck was written (run it, then write the deck \
                     again).</p>\n",
                ),
            }
        }
    }
    let _ = write!(
        out,
        "<p class=\"look\">Look at: {}</p>\n</section>\n",
        escape(&preset.look_at)
    );
    Ok(())
}

/// Writes the deck to `path` (atomically: a temporary file, then a rename).
pub fn write(
    path: &Path,
    slides: &[Slide<'_>],
    machine: &MachineInfo,
    options: &ChartOptions,
) -> Result<(), ExportError> {
    let page = html(slides, machine, options)?;
    super::data::write_bytes(path, page.as_bytes())
}

/// Text made safe inside HTML elements and attributes.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// One slide per screen, readable from the back of a room.
const CSS: &str = "body { font-family: sans-serif; margin: 0; background: #fafafa; color: #222; }
section { height: 100vh; max-height: 720px; min-height: 100vh; box-sizing: border-box; overflow: hidden; padding: 16px 28px; page-break-after: always; display: flex; flex-direction: column; }
section.title { justify-content: center; }
h1 { font-size: 56px; margin: 0 0 0.5em; }
h2 { font-size: 32px; line-height: 1.15; margin: 0 0 6px; }
.claim { font-size: 20px; line-height: 1.3; margin: 0 0 8px; display: -webkit-box; -webkit-line-clamp: 3; -webkit-box-orient: vertical; overflow: hidden; }
.machine { font-size: 28px; }
.charts { display: flex; gap: 16px; flex: 1 1 auto; min-height: 0; }
figure { margin: 0; flex: 1 1 0; min-width: 0; display: flex; }
figure svg { width: 100%; height: 100%; max-height: 380px; }
.verdict { font-size: 26px; font-weight: bold; margin: 8px 0 4px; }
.verdict.holds { color: #1b7f3b; }
.verdict.fails { color: #b3261e; }
.verdict.none { color: #222; }
.remedy { font-size: 26px; }
.remedy code { background: #e8e8e8; padding: 2px 8px; }
.look { font-size: 18px; font-style: italic; color: #444; margin: 4px 0 0; display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; }
";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::testing::record;
    use crate::spec::Model;

    #[test]
    fn the_deck_holds_every_lesson_and_each_measured_ones_chart() {
        let machine = MachineInfo {
            cpu_model: "Test <CPU>".to_string(),
            logical_cores: 4,
            ..Default::default()
        };
        let mut set = ResultSet::new(machine.clone());
        set.preset = Some("cpu-parallelism".to_string());
        set.runs = vec![
            record(Model::Serial, 1, 4.0),
            record(Model::Processes, 2, 2.0),
        ];
        crate::analysis::fill_speedups(&mut set);
        let all = presets::all().unwrap();
        let slides: Vec<Slide<'_>> = all
            .iter()
            .map(|preset| Slide {
                preset,
                set: (preset.name == "cpu-parallelism").then_some(&set),
            })
            .collect();
        let page = html(&slides, &machine, &ChartOptions::default()).unwrap();
        for preset in all {
            assert!(page.contains(&escape(&preset.claim)), "{}", preset.name);
        }
        assert_eq!(page.matches("<svg").count(), 2, "its two main charts");
        assert!(!page.contains("<?xml"));
        assert!(page.contains("Measured on Test &lt;CPU&gt; — 4 logical cores"));
        let cpu = presets::find("cpu-parallelism").unwrap();
        assert!(page.contains(&escape(&presets::verdict(&cpu, &set).sentence)));
        assert_eq!(
            page.matches("Not measured on this machine").count(),
            all.len() - 1
        );
    }
}
