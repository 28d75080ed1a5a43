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

/// How a lesson's slide is laid out on the screen it is made for
/// (1280 × 720, in CSS pixels): each line of text has a size, a line
/// height and a most number of lines, and the two charts share what is
/// left, drawn at the size they are shown at, with their text at
/// [`CHART_TEXT_PX`].
pub mod screen {
    /// The screen a lesson fills.
    pub const WIDTH: u32 = 1280;
    pub const HEIGHT: u32 = 720;
    /// What a browser's vertical scroll bar may take of the width.
    pub const SCROLL_BAR: u32 = 16;
    /// The slide's padding, left and right, and above and below.
    pub const PAD_X: u32 = 28;
    pub const PAD_Y: u32 = 12;
    /// Between the two charts.
    pub const GAP: u32 = 16;

    /// One block of text on a slide: its font size and line height in
    /// pixels, its most lines (cut with an ellipsis past them), the space
    /// above and below it.
    #[derive(Debug, Clone, Copy)]
    pub struct Text {
        pub class: &'static str,
        pub font_px: u32,
        pub line_px: u32,
        pub lines: u32,
        pub above: u32,
        pub below: u32,
    }

    impl Text {
        /// The most height it takes.
        pub const fn height(&self) -> u32 {
            self.above + self.line_px * self.lines + self.below
        }
    }

    /// The lesson's number and title.
    pub const TITLE: Text = Text {
        class: "title",
        font_px: 30,
        line_px: 35,
        lines: 2,
        above: 0,
        below: 4,
    };
    /// Its claim.
    pub const CLAIM: Text = Text {
        class: "claim",
        font_px: 20,
        line_px: 26,
        lines: 3,
        above: 0,
        below: 6,
    };
    /// The verdict: never cut; a longer one than this takes its room from
    /// the charts.
    pub const VERDICT: Text = Text {
        class: "verdict",
        font_px: 24,
        line_px: 30,
        lines: 4,
        above: 8,
        below: 2,
    };
    /// What to look at, one line.
    pub const LOOK: Text = Text {
        class: "look",
        font_px: 18,
        line_px: 23,
        lines: 1,
        above: 2,
        below: 0,
    };

    /// One chart's width and height as shown: two side by side, under
    /// the title and the claim, over the verdict and what to look at.
    pub const fn chart() -> (u32, u32) {
        let width = (WIDTH - SCROLL_BAR - 2 * PAD_X - GAP) / 2;
        let text = TITLE.height() + CLAIM.height() + VERDICT.height() + LOOK.height();
        (width, HEIGHT - 2 * PAD_Y - text)
    }
}

/// The smallest text of a deck's chart (its caption; ticks and legends
/// a little larger), in pixels as shown at 1280 × 720: readable from the
/// back of a room.
pub const CHART_TEXT_PX: u32 = 20;

/// The style of one chart of a lesson's pair: drawn at the size it is
/// shown at on a 1280 × 720 screen, so its text is that size too.
const fn chart_style() -> plot::PlotStyle {
    let (width, height) = screen::chart();
    plot::PlotStyle {
        width,
        height,
        dark: false,
        text_px: Some(CHART_TEXT_PX),
    }
}

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
    let style = chart_style();
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>corescope workshop deck</title>\n<style>\n{}</style>\n</head>\n<body>\n",
        css()
    );
    let physical = machine
        .physical_cores
        .map_or(String::new(), |p| format!(" ({p} physical)"));
    let _ = write!(
        out,
        "<section class=\"cover\">\n<h1>Parallelism, measured</h1>\n\
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
        "<section class=\"lesson\" id=\"{}\">\n<h2 class=\"title\">{}. {}</h2>\n<p class=\"claim\">{}</p>\n",
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
        None => not_measured_html(out, preset, slide.set),
    }
    let _ = write!(
        out,
        "<p class=\"look\">Look at: {}</p>\n</section>\n",
        escape(&preset.look_at)
    );
    Ok(())
}

/// Why a lesson has no measurement, in large type, with the one command
/// that gets what it lacks: the parts its measurement left out (each
/// with its command), what this machine lacks, or else the command that
/// measures it.
fn not_measured_html(out: &mut String, preset: &Preset, set: Option<&ResultSet>) {
    let left_out = set.map_or(&[][..], |set| set.not_measured.as_slice());
    let python = Path::new(crate::python::DEFAULT_INTERPRETER);
    let (reason, command) = match (left_out.first(), missing(preset, python)) {
        (_, Some(lack)) => (lack.reason, lack.command),
        // "why: the command that gets it"
        (Some(why), None) => match why.rsplit_once(": ") {
            Some((reason, command)) => (reason.to_string(), command.to_string()),
            None => (
                why.clone(),
                format!("corescope sweep --preset {}", preset.name),
            ),
        },
        (None, None) => (
            "the lesson was not measured before the deck was written".to_string(),
            format!("corescope sweep --preset {}", preset.name),
        ),
    };
    let _ = writeln!(
        out,
        "<p class=\"verdict none\">Not measured on this machine: {}.</p>\n\
         <p class=\"remedy\">To run it: <code>{}</code></p>",
        escape(&reason),
        escape(&command)
    );
}

/// The charts' text in the font they were laid out with, embedded: a
/// viewer's own sans-serif (often wider) would run each legend name into
/// the next entry's sample.
fn chart_font() -> String {
    format!(
        "@font-face {{ font-family: \"corescope-chart\"; src: url(data:font/ttf;base64,{}) format(\"truetype\"); }}\n\
         figure svg text {{ font-family: \"corescope-chart\", sans-serif; }}\n",
        base64(epaint_default_fonts::UBUNTU_LIGHT)
    )
}

/// `bytes` in standard base64, padded.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
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

/// One slide per screen, readable from the back of a room: each block of
/// text within its [`screen`] lines, the charts in what is left, the
/// verdict always in view.
fn css() -> String {
    use screen::{CLAIM, GAP, HEIGHT, LOOK, PAD_X, PAD_Y, TITLE, VERDICT};
    let (_, chart_height) = screen::chart();
    let text = |t: screen::Text, cut: bool| {
        let clamp = if cut {
            format!(
                " display: -webkit-box; -webkit-line-clamp: {}; -webkit-box-orient: vertical; overflow: hidden;",
                t.lines
            )
        } else {
            String::new()
        };
        format!(
            ".{} {{ font-size: {}px; line-height: {}px; margin: {}px 0 {}px; flex: none;{clamp} }}\n",
            t.class, t.font_px, t.line_px, t.above, t.below
        )
    };
    let mut css = format!(
        "html {{ scroll-snap-type: y mandatory; }}
body {{ font-family: sans-serif; margin: 0; background: #fafafa; color: #222; }}
section {{ height: 100vh; max-height: {HEIGHT}px; min-height: 100vh; box-sizing: border-box; overflow: hidden; padding: {PAD_Y}px {PAD_X}px; page-break-after: always; display: flex; flex-direction: column; scroll-snap-align: start; }}
section.cover {{ justify-content: center; }}
h1 {{ font-size: 56px; margin: 0 0 0.5em; }}
.machine {{ font-size: 28px; }}
.charts {{ display: flex; gap: {GAP}px; flex: 0 1 {chart_height}px; min-height: 0; }}
figure {{ margin: 0; flex: 1 1 0; min-width: 0; display: flex; }}
figure svg {{ width: 100%; height: 100%; }}
.verdict {{ font-weight: bold; }}
.verdict.holds {{ color: #1b7f3b; }}
.verdict.fails {{ color: #b3261e; }}
.verdict.none {{ color: #222; }}
.remedy {{ font-size: 26px; }}
.remedy code {{ background: #e8e8e8; padding: 2px 8px; }}
.look {{ font-style: italic; color: #444; }}
"
    );
    css.push_str(&chart_font());
    css.push_str(&text(TITLE, true));
    css.push_str(&text(CLAIM, true));
    css.push_str(&text(VERDICT, false));
    css.push_str(&text(LOOK, true));
    css
}

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

    /// The numbers after `property:` in the CSS rules of `selector`.
    fn css_px(page: &str, selector: &str, property: &str) -> Vec<f64> {
        let open = format!("{selector} {{");
        let value = page
            .lines()
            .filter_map(|line| line.strip_prefix(&open))
            .flat_map(|rule| rule.trim_end_matches('}').split(';'))
            .find_map(|d| d.trim().strip_prefix(&format!("{property}:")))
            .unwrap_or_else(|| panic!("no {property} for {selector}"));
        value
            .split_whitespace()
            .filter_map(|v| v.trim_end_matches("px").parse().ok())
            .collect()
    }

    /// Each `name="N"` in `text`.
    fn attributes(text: &str, name: &str) -> Vec<f64> {
        let key = format!(" {name}=\"");
        text.split(&key)
            .skip(1)
            .filter_map(|rest| rest.split('"').next()?.parse().ok())
            .collect()
    }

    /// A set of `preset`'s shape that every chart can draw: serial and its
    /// models at 1 and 2 workers, or each model's runs at 2.
    fn measured(name: &str) -> ResultSet {
        let preset = presets::find(name).unwrap();
        let spec = preset.experiment.validate(&[1, 2]).unwrap();
        let mut set = ResultSet::new(MachineInfo::default());
        set.preset = Some(name.to_string());
        for run in spec.runs() {
            let mut r = record(run.model, run.workers, 1.0 / f64::from(run.workers));
            r.workload = run.workload.workload;
            r.payload_bytes = run.workload.payload_bytes;
            r.schedule = run.schedule;
            set.runs.push(r);
        }
        crate::analysis::fill_speedups(&mut set);
        set
    }

    #[test]
    fn at_1280_by_720_a_lesson_fits_one_screen_and_its_chart_text_is_20_px() {
        let all = presets::all().unwrap();
        let sets: Vec<ResultSet> = all.iter().map(|p| measured(&p.name)).collect();
        let slides: Vec<Slide<'_>> = all
            .iter()
            .zip(&sets)
            .map(|(preset, set)| Slide {
                preset,
                set: Some(set),
            })
            .collect();
        let page = html(&slides, &MachineInfo::default(), &ChartOptions::default()).unwrap();
        // The box each chart is shown in, from the page's own CSS, with
        // room for a scroll bar.
        let padding = css_px(&page, "section", "padding");
        let (pad_y, pad_x) = (padding[0], padding[1]);
        let gap = css_px(&page, ".charts", "gap")[0];
        let box_height = css_px(&page, ".charts", "flex")[2];
        let box_width = (1280.0 - 16.0 - 2.0 * pad_x - gap) / 2.0;
        // Every block of text at its most lines, the charts and the
        // padding: one screen, the verdict on it.
        let mut height = 2.0 * pad_y + box_height;
        for (class, lines) in [
            (".title", None),
            (".claim", None),
            (".verdict", Some(4.0)),
            (".look", None),
        ] {
            let line = css_px(&page, class, "line-height")[0];
            let margin = css_px(&page, class, "margin");
            let lines = lines.unwrap_or_else(|| css_px(&page, class, "-webkit-line-clamp")[0]);
            height += line * lines + margin[0] + margin[2];
            assert!(css_px(&page, class, "font-size")[0] >= 18.0, "{class}");
        }
        assert!(height <= 720.0, "a lesson is {height} px tall");
        let svgs: Vec<&str> = page.split("<svg").skip(1).collect();
        assert_eq!(
            svgs.len(),
            all.iter().map(|p| p.charts().len()).sum::<usize>()
        );
        let mut smallest = f64::MAX;
        for svg in svgs {
            let svg = svg.split("</svg>").next().unwrap();
            let tag = svg.split('>').next().unwrap();
            let view_box: Vec<f64> = tag
                .split("viewBox=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .split_whitespace()
                .map(|v| v.parse().unwrap())
                .collect();
            let scale = (box_width / view_box[2]).min(box_height / view_box[3]);
            let fonts = attributes(svg, "font-size");
            assert!(!fonts.is_empty());
            let least = fonts.iter().copied().fold(f64::MAX, f64::min);
            smallest = smallest.min(least * scale);
        }
        assert!(
            smallest >= 20.0,
            "the smallest chart text is shown at {smallest:.1} px"
        );
    }

    #[test]
    fn base64_is_standard() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(&[0xff, 0xfe]), "//4=");
    }
}
