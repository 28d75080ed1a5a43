//! The workshop deck: every lesson's claim, its main chart (SVG, embedded
//! in the page) and the verdict of this machine's measurement, in one
//! self-contained HTML page for a screen or for participants afterwards.
//! The page names the machine the figures were measured on.

use std::fmt::Write as _;
use std::path::Path;

use super::{ExportError, plot};
use crate::chart::{self, ChartKind, ChartOptions};
use crate::format;
use crate::presets::{self, Preset};
use crate::results::{MachineInfo, ResultSet};

/// The chart a lesson is read on: speedup (against payload size for a
/// payload sweep), whose break-even line shows the claim.
pub const MAIN_CHART: ChartKind = ChartKind::Speedup;

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
    let style = plot::PlotStyle {
        width: 1280,
        height: 720,
        dark: false,
    };
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
            let chart = chart::build_with(MAIN_CHART, set, options);
            let svg = plot::render(&chart, style, plot::ImageFormat::Svg)?;
            let svg = String::from_utf8_lossy(&svg);
            // The XML declaration has no place inside HTML.
            let svg = svg.trim_start_matches(|c| c != '<');
            let svg = match svg.strip_prefix("<?xml") {
                Some(rest) => rest.split_once("?>").map_or(rest, |(_, after)| after),
                None => svg,
            };
            let _ = writeln!(out, "<figure>{}</figure>", svg.trim());
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
            out.push_str("<p class=\"verdict none\">Not measured on this machine.</p>\n");
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
section { min-height: 100vh; box-sizing: border-box; padding: 3vh 5vw; page-break-after: always; }
section.title { display: flex; flex-direction: column; justify-content: center; }
h1 { font-size: 4em; margin: 0 0 0.5em; }
h2 { font-size: 2.2em; margin: 0 0 0.3em; }
.claim { font-size: 1.5em; margin: 0 0 1em; }
.machine { font-size: 1.4em; }
figure { margin: 0; }
figure svg { width: 100%; height: auto; max-height: 70vh; }
.verdict { font-size: 1.5em; font-weight: bold; }
.verdict.holds { color: #1b7f3b; }
.verdict.fails { color: #b3261e; }
.verdict.none { color: #6b6b6b; }
.look { font-style: italic; color: #555; }
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
        assert_eq!(page.matches("<svg").count(), 1);
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
