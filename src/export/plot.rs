//! Charts as image files for slides: the chart model ([`crate::chart`])
//! drawn to SVG or PNG without a window.
//!
//! The same [`Chart`] the window shows with egui_plot is drawn here with
//! plotters, as its [`Layout`] decided: title, axis titles with units,
//! ticks in the chart's unit, each series' line (moved aside, cut, thinned
//! where crowded) with its markers and whiskers, reference lines, bars in
//! their colours and a legend naming every line, packed into the rows the
//! window packs too. Sizes are set for a projector (a 48 px title and 5 px
//! lines at 1080p) and scale with the image.
//!
//! The image formats and files are in `plot_image.rs`, the embedded font
//! in `plot_text.rs`, the frame shared with the activity charts in
//! `plot_frame.rs`, and the legend and markers in `plot_legend.rs`.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::ExportError;
use super::plot_frame::{
    Frame, Palette, Plot, Sizes, draw_frame, draw_line, in_area, pen, plot_fit, rgb,
};
use super::plot_image::{Drawing, Drawn, render_drawing, render_rgb_drawing, write_drawing};
use super::plot_legend::draw_marker;
use crate::chart::layout::Layout;
use crate::chart::{self, Chart};

pub use super::plot_image::{ImageFormat, MAX_SIDE, PlotStyle};
pub use super::plot_text::FontMeasure;

impl Drawing for Chart {
    fn draw_on<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &PlotStyle,
    ) -> Drawn<DB> {
        draw(root, self, style)
    }
}

/// Draws `chart` and returns the file's bytes: SVG text or a PNG image.
pub fn render(
    chart: &Chart,
    style: &PlotStyle,
    format: ImageFormat,
) -> Result<Vec<u8>, ExportError> {
    render_drawing(chart, style, format)
}

/// Draws `chart` as raw pixels, 8-bit RGB rows top to bottom (for a PNG,
/// or for the clipboard).
pub fn render_rgb(chart: &Chart, style: &PlotStyle) -> Result<Vec<u8>, ExportError> {
    render_rgb_drawing(chart, style)
}

/// Draws `chart` into the file at `path`, as SVG or PNG by its extension.
/// The file is replaced atomically: a failed export leaves no half image.
pub fn write(chart: &Chart, style: &PlotStyle, path: &Path) -> Result<(), ExportError> {
    write_drawing(chart, style, path)
}

/// Draws the whole chart on `root`: the chart, and its predictions panel
/// (when it has one) to its right, in the same fonts.
fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Chart,
    style: &PlotStyle,
) -> Drawn<DB> {
    root.fill(&Palette::new(style.dark).background)?;
    match &chart.predictions {
        Some(panel) => {
            let (width, _) = root.dim_in_pixel();
            let (left, right) = root.split_horizontally(width * 62 / 100);
            draw_panel(&left, chart, style, None)?;
            draw_panel(&right, panel, style, None)
        }
        None => draw_panel(root, chart, style, None),
    }
}

/// Draws `chart` alone (no predictions panel) as `layout` says, a layout
/// decided elsewhere (the window's, say), and returns the file's bytes: so
/// that what the window and a file draw of one layout can be compared.
pub fn render_layout(
    chart: &Chart,
    layout: &Layout,
    style: &PlotStyle,
    format: ImageFormat,
) -> Result<Vec<u8>, ExportError> {
    render_drawing(&Laid { chart, layout }, style, format)
}

/// A chart with the layout to draw it in.
struct Laid<'a> {
    chart: &'a Chart,
    layout: &'a Layout,
}

impl Drawing for Laid<'_> {
    fn draw_on<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &PlotStyle,
    ) -> Drawn<DB> {
        root.fill(&Palette::new(style.dark).background)?;
        draw_panel(root, self.chart, style, Some(self.layout))
    }
}

/// The layout of `chart` in an area of `width` × `height` pixels: what it
/// would be, and what the window's plot of that size draws too.
pub fn layout_for(chart: &Chart, style: &PlotStyle, size: (u32, u32)) -> Layout {
    Layout::of(chart, style.dark, plot_fit(style, size))
}

/// Draws one chart in `area`, as its layout says (`given`, or the one
/// for the area's size).
fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &Chart,
    style: &PlotStyle,
    given: Option<&Layout>,
) -> Drawn<DB> {
    let layout = given
        .cloned()
        .unwrap_or_else(|| layout_for(chart, style, area.dim_in_pixel()));
    let frame = Frame {
        title: &layout.title,
        caption: layout.caption.as_deref(),
        x: &layout.x,
        y: &layout.y,
        rows: false,
        legend: &layout.legend,
        legend_place: layout.legend_place,
        empty: chart.is_empty().then_some("no data"),
    };
    let mut framed = draw_frame(area, &frame, style)?;
    draw_data(area, &mut framed.plot, chart, &layout, &Sizes::new(style))?;
    framed.finish(area, &frame, style)
}

/// References under the data, then whiskers, lines and markers, then bars;
/// each as the layout decided.
fn draw_data<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    plot: &mut Plot<'_, DB>,
    chart: &Chart,
    layout: &Layout,
    sizes: &Sizes,
) -> Drawn<DB> {
    for (i, stroke) in layout.references.iter().enumerate() {
        let line = layout.reference_line(chart, i);
        if line.len() >= 2 {
            let (color, width, pattern) = pen(stroke, sizes);
            draw_line(plot, line, color, width, pattern)?;
        }
    }
    draw_whiskers(plot, chart, layout, sizes)?;
    draw_series(area, plot, chart, layout, sizes)?;
    if let Some(bars) = &chart.bars {
        draw_bars(plot, bars, layout)?;
    }
    Ok(())
}

/// Min–max whiskers, and thicker, the median's 95 % confidence interval,
/// at the points the layout marks.
fn draw_whiskers<DB: DrawingBackend>(
    plot: &mut Plot<'_, DB>,
    chart: &Chart,
    layout: &Layout,
    sizes: &Sizes,
) -> Drawn<DB> {
    let whisker_width = u32::try_from(sizes.px(3.0)).unwrap_or(1);
    for (i, style) in layout.series.iter().enumerate() {
        let color = rgb(style.stroke.color);
        for whisker in layout.whiskers(chart, i) {
            let width = if whisker.ci {
                whisker_width * 3
            } else {
                whisker_width
            };
            plot.draw_series(std::iter::once(PathElement::new(
                vec![(whisker.x, whisker.low), (whisker.x, whisker.high)],
                color.stroke_width(width),
            )))?;
        }
    }
    Ok(())
}

/// Each series' line and its markers, as the layout drew and thinned them.
fn draw_series<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    plot: &mut Plot<'_, DB>,
    chart: &Chart,
    layout: &Layout,
    sizes: &Sizes,
) -> Drawn<DB> {
    let background = rgb(chart::theme::background(layout.dark));
    for (i, style) in layout.series.iter().enumerate() {
        let (color, width, pattern) = pen(&style.stroke, sizes);
        draw_line(plot, layout.series_line(chart, i), color, width, pattern)?;
        if let Some(marker) = style.stroke.marker {
            for point in layout.marker_points(chart, i) {
                let coord = in_area(area, plot.backend_coord(&point));
                draw_marker(area, coord, sizes.px(11.0), (color, background), marker)?;
            }
        }
    }
    Ok(())
}

/// The stacked bars, each segment in the colour the layout gave it.
fn draw_bars<DB: DrawingBackend>(
    plot: &mut Plot<'_, DB>,
    bars: &chart::StackedBars,
    layout: &Layout,
) -> Drawn<DB> {
    let half = layout.bar_width / 2.0;
    for bar in 0..bars.labels.len() {
        let at = bar as f64;
        let mut bottom = 0.0;
        for (s, segment) in bars.segments.iter().enumerate() {
            let value = segment.values.get(bar).copied().unwrap_or(0.0);
            if !(value.is_finite() && value > 0.0) {
                continue;
            }
            let color = rgb(layout.bar_color(s, bar));
            plot.draw_series(std::iter::once(Rectangle::new(
                [(at - half, bottom), (at + half, bottom + value)],
                color.filled(),
            )))?;
            bottom += value;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::layout::label_lines;
    use crate::chart::{ChartKind, LineKind, XAxis, build};
    use crate::results::testing::record;
    use crate::results::{MachineInfo, ResultSet};
    use crate::spec::Model;
    use crate::workload::Workload;

    /// A worker sweep of every kind of model, with IPC traffic for processes.
    fn sweep() -> ResultSet {
        let mut set = ResultSet::new(MachineInfo::detect());
        set.machine.physical_cores = Some(4);
        set.machine.logical_cores = 8;
        set.runs.push(record(Model::Serial, 1, 4.0));
        for model in [
            Model::Threads,
            Model::GilThreads,
            Model::Processes,
            Model::ProcessPerTask,
        ] {
            for workers in [1, 2, 4, 8] {
                let mut r = record(model, workers, 4.0 / f64::from(workers.min(4)) + 0.1);
                if model.uses_processes() {
                    r.ipc.bytes_to_workers = 40_000 * u64::from(workers);
                    r.ipc.bytes_from_workers = 1_000 * u64::from(workers);
                }
                set.runs.push(r);
            }
        }
        crate::analysis::fill_speedups(&mut set);
        set
    }

    /// Echo runs over payloads of 1 KiB … 1 MiB: the x axis shows bytes.
    fn payload_sweep() -> ResultSet {
        let mut set = ResultSet::new(MachineInfo::detect());
        for payload in [1024, 4096, 16_384, 65_536, 262_144, 1_048_576] {
            for (model, workers) in [(Model::Serial, 1), (Model::Processes, 4)] {
                let mut r = record(model, workers, 1.0 + payload as f64 / 1e6);
                r.workload = Workload::Echo;
                r.payload_bytes = payload;
                if model == Model::Processes {
                    r.ipc.bytes_to_workers = payload * 4;
                    r.ipc.bytes_from_workers = payload * 4;
                }
                set.runs.push(r);
            }
        }
        crate::analysis::fill_speedups(&mut set);
        set
    }

    /// Three workloads compared: solid, dashed and dotted lines.
    fn workloads() -> ResultSet {
        let mut set = ResultSet::new(MachineInfo::detect());
        for workload in [Workload::SqrtSum, Workload::Primes, Workload::Sleep] {
            for (model, workers) in [(Model::Serial, 1), (Model::Threads, 2), (Model::Threads, 4)] {
                let mut r = record(model, workers, 2.0 / f64::from(workers));
                r.workload = workload;
                set.runs.push(r);
            }
        }
        crate::analysis::fill_speedups(&mut set);
        set
    }

    /// Text as the SVG backend writes it.
    fn escaped(text: &str) -> String {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&apos;")
    }

    fn svg(chart: &Chart, style: &PlotStyle) -> String {
        let bytes = render(chart, style, ImageFormat::Svg).unwrap();
        String::from_utf8(bytes).unwrap()
    }

    /// The contents of the SVG's text elements.
    fn texts(svg: &str) -> Vec<String> {
        svg.split("<text")
            .skip(1)
            .filter_map(|element| {
                let (_, rest) = element.split_once('>')?;
                let (content, _) = rest.split_once("</text>")?;
                Some(content.trim().to_string())
            })
            .collect()
    }

    fn has_text(svg: &str, text: &str) -> bool {
        texts(svg).contains(&escaped(text))
    }

    /// Every text of the chart's layout (and its predictions panel's) is
    /// in the SVG: title, axis titles with units, tick labels, legend.
    fn assert_names_everything(svg: &str, chart: &Chart, style: &PlotStyle) {
        assert!(svg.trim_start().starts_with("<svg"), "{}", &svg[..80]);
        assert!(svg.trim_end().ends_with("</svg>"));
        let mut panels = vec![(chart, style.width)];
        if let Some(panel) = &chart.predictions {
            panels = vec![
                (chart, style.width * 62 / 100),
                (panel, style.width - style.width * 62 / 100),
            ];
        }
        for (chart, width) in panels {
            let layout = layout_for(chart, style, (width, style.height));
            let mut expected = vec![
                layout.title.clone(),
                layout.x.title.clone(),
                layout.y.title.clone(),
            ];
            expected.extend(layout.legend.iter().map(|e| e.name.clone()));
            for tick in layout.x.ticks.iter().chain(&layout.y.ticks) {
                expected.extend(tick.label.lines().map(str::to_string));
            }
            for text in expected {
                assert!(
                    has_text(svg, &text),
                    "{:?} chart lacks {text:?} in {:?}",
                    chart.kind,
                    texts(svg)
                );
            }
        }
    }

    /// Width and height from a PNG's header, after checking its signature.
    fn png_size(png: &[u8]) -> (u32, u32) {
        assert!(png.len() > 33, "too short for a PNG");
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(&png[12..16], b"IHDR");
        let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
        (be(&png[16..20]), be(&png[20..24]))
    }

    #[test]
    fn every_chart_draws_to_svg_with_its_texts() {
        let set = sweep();
        // The counter's charts show only for sets that counted.
        for kind in ChartKind::ALL.into_iter().filter(|k| k.shows_in(&[&set])) {
            let chart = build(kind, &set);
            assert!(!chart.is_empty(), "{kind:?}");
            for dark in [false, true] {
                let style = PlotStyle {
                    dark,
                    text_px: None,
                    ..PlotStyle::default()
                };
                let svg = svg(&chart, &style);
                assert_names_everything(&svg, &chart, &style);
                assert!(svg.contains("width=\"1920\"") && svg.contains("height=\"1080\""));
            }
        }
        let wall = svg(&build(ChartKind::WallTime, &set), &PlotStyle::default());
        // Ticks in the unit the axis title names; worker counts on x.
        assert!(
            has_text(&wall, "wall time [s]") && has_text(&wall, "0") && has_text(&wall, "4"),
            "{:?}",
            texts(&wall)
        );
        assert!(has_text(&wall, "8"));
        let speedup = svg(&build(ChartKind::Speedup, &set), &PlotStyle::default());
        assert!(
            has_text(&speedup, "speedup [×]") && has_text(&speedup, "2"),
            "{:?}",
            texts(&speedup)
        );
        let efficiency = svg(&build(ChartKind::Efficiency, &set), &PlotStyle::default());
        assert!(has_text(&efficiency, "100"), "{:?}", texts(&efficiency));
        let ipc = svg(&build(ChartKind::IpcBytes, &set), &PlotStyle::default());
        assert!(has_text(&ipc, "bytes sent [KiB]"), "{:?}", texts(&ipc));
        // With predictions: the panel beside, with its fitted laws.
        let options = crate::chart::ChartOptions { predict_to: 64 };
        let predicted = crate::chart::build_with(ChartKind::Speedup, &set, &options);
        assert!(predicted.predictions.is_some());
        let style = PlotStyle::default();
        let both = svg(&predicted, &style);
        assert_names_everything(&both, &predicted, &style);
        assert!(
            has_text(&both, "Fitted laws, to 64 workers"),
            "{:?}",
            texts(&both)
        );
    }

    #[test]
    fn a_file_thins_crowded_markers_as_the_layout_says() {
        // Threads at every worker count from 1 to 300: far more points
        // than a 640-pixel plot has room for markers.
        let mut set = ResultSet::new(MachineInfo::detect());
        for workers in 1..=300 {
            set.runs
                .push(record(Model::Threads, workers, 1.0 + f64::from(workers)));
        }
        let chart = build(ChartKind::WallTime, &set);
        let style = PlotStyle {
            width: 640,
            height: 360,
            dark: false,
            text_px: None,
        };
        let layout = layout_for(&chart, &style, (640, 360));
        let threads = &layout.series[0];
        assert!(threads.crowded, "{:?}", threads.marked.len());
        assert!(threads.marked.len() < 100, "{}", threads.marked.len());
        // Threads' squares are polygons; the legend's sample adds one.
        let svg = svg(&chart, &style);
        assert_eq!(svg.matches("<polygon").count(), threads.marked.len() + 1);
        // Roomy, every point keeps its marker.
        let roomy = layout_for(&chart, &PlotStyle::default(), (7680, 1080));
        assert!(!roomy.series[0].crowded);
    }

    #[test]
    fn every_chart_draws_to_png_of_the_asked_size() {
        let set = sweep();
        for kind in ChartKind::ALL {
            let chart = build(kind, &set);
            for (width, height, dark) in [(960, 540, false), (800, 600, true)] {
                let style = PlotStyle {
                    width,
                    height,
                    dark,
                    text_px: None,
                };
                let png = render(&chart, &style, ImageFormat::Png).unwrap();
                assert_eq!(png_size(&png), (width, height));
            }
        }
        let full = render(
            &build(ChartKind::Speedup, &set),
            &PlotStyle::default(),
            ImageFormat::Png,
        );
        assert_eq!(png_size(&full.unwrap()), (1920, 1080));
    }

    #[test]
    fn payload_sweeps_label_x_in_bytes() {
        let set = payload_sweep();
        for kind in ChartKind::ALL.into_iter().filter(|k| k.shows_in(&[&set])) {
            let chart = build(kind, &set);
            let svg = svg(&chart, &PlotStyle::default());
            assert_names_everything(&svg, &chart, &PlotStyle::default());
            if matches!(kind, ChartKind::Overhead | ChartKind::MemoryByRun) {
                // A bar per run, labelled with its payload.
                assert_eq!(chart.x_axis, XAxis::Runs);
                assert!(has_text(&svg, "×4"), "{:?}", texts(&svg));
                assert!(has_text(&svg, "1.00 MiB"), "{:?}", texts(&svg));
                assert_eq!(
                    label_lines("a: threads ×2 · 1.00 MiB"),
                    ["a:", "threads", "×2", "1.00 MiB"]
                );
            } else {
                assert_eq!(chart.x_axis, XAxis::PayloadBytes);
                assert!(has_text(&svg, "1 KiB"), "{kind:?}: {:?}", texts(&svg));
                assert!(has_text(&svg, "1 MiB"), "{kind:?}: {:?}", texts(&svg));
            }
            let style = PlotStyle {
                width: 640,
                height: 360,
                dark: true,
                text_px: None,
            };
            let png = render(&chart, &style, ImageFormat::Png).unwrap();
            assert_eq!(png_size(&png), (640, 360));
        }
    }

    #[test]
    fn dashed_and_dotted_series_draw() {
        let chart = build(ChartKind::Speedup, &workloads());
        let lines: Vec<LineKind> = chart.series.iter().map(|s| s.line).collect();
        assert!(lines.contains(&LineKind::Dashed) && lines.contains(&LineKind::Dotted));
        assert_names_everything(
            &svg(&chart, &PlotStyle::default()),
            &chart,
            &PlotStyle::default(),
        );
        let png = render(&chart, &PlotStyle::default(), ImageFormat::Png).unwrap();
        assert_eq!(png_size(&png), (1920, 1080));
    }

    #[test]
    fn an_empty_chart_is_still_an_image() {
        let set = ResultSet::new(MachineInfo::detect());
        for kind in ChartKind::ALL {
            let chart = build(kind, &set);
            assert!(chart.is_empty());
            let svg = svg(&chart, &PlotStyle::default());
            assert!(has_text(&svg, &chart.title) && has_text(&svg, "no data"));
            let png = render(&chart, &PlotStyle::default(), ImageFormat::Png).unwrap();
            assert_eq!(png_size(&png), (1920, 1080));
        }
    }

    #[test]
    fn impossible_sizes_are_refused() {
        let chart = build(ChartKind::WallTime, &sweep());
        for (width, height) in [(0, 100), (100, 0), (100_000, 100)] {
            let style = PlotStyle {
                width,
                height,
                dark: false,
                text_px: None,
            };
            let result = render(&chart, &style, ImageFormat::Png);
            assert!(matches!(result, Err(ExportError::Render { .. })));
        }
    }

    #[test]
    fn formats_follow_the_extension() {
        assert_eq!(
            ImageFormat::from_path(Path::new("a/b.SVG")),
            Some(ImageFormat::Svg)
        );
        assert_eq!(
            ImageFormat::from_path(Path::new("b.png")),
            Some(ImageFormat::Png)
        );
        assert_eq!(ImageFormat::from_path(Path::new("b.jpg")), None);
        assert_eq!(ImageFormat::from_path(Path::new("png")), None);
        assert_eq!(ImageFormat::Png.extension(), "png");
    }

    #[test]
    fn write_replaces_the_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let chart = build(ChartKind::Speedup, &sweep());
        let style = PlotStyle {
            width: 640,
            height: 360,
            dark: false,
            text_px: None,
        };
        let svg_path = dir.path().join("speedup.svg");
        let png_path = dir.path().join("speedup.png");
        write(&chart, &style, &svg_path).unwrap();
        write(&chart, &style, &png_path).unwrap();
        // Writing again replaces the file.
        write(&chart, &style, &png_path).unwrap();
        let svg = std::fs::read_to_string(&svg_path).unwrap();
        assert!(svg.starts_with("<svg"));
        assert_eq!(png_size(&std::fs::read(&png_path).unwrap()), (640, 360));
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["speedup.png", "speedup.svg"]);

        let missing = dir.path().join("missing").join("speedup.png");
        assert!(write(&chart, &style, &missing).is_err());
        assert!(!missing.exists());
        let unknown = dir.path().join("speedup.gif");
        assert!(matches!(
            write(&chart, &style, &unknown),
            Err(ExportError::Unwritable { .. })
        ));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    #[ignore = "writes preview images to $CORESCOPE_PLOT_PREVIEW for a look by eye"]
    fn preview() {
        // Asked for by name (it is ignored otherwise): a missing folder is
        // a mistake to say, not a pass.
        let dir = std::env::var_os("CORESCOPE_PLOT_PREVIEW")
            .map(std::path::PathBuf::from)
            .expect("set CORESCOPE_PLOT_PREVIEW to the folder for the preview images");
        for (name, set) in [
            ("sweep", sweep()),
            ("payload", payload_sweep()),
            ("workloads", workloads()),
        ] {
            for kind in ChartKind::ALL {
                for dark in [false, true] {
                    let chart = build(kind, &set);
                    let style = if dark {
                        PlotStyle {
                            dark,
                            text_px: None,
                            ..PlotStyle::default()
                        }
                    } else {
                        PlotStyle {
                            width: 800,
                            height: 600,
                            dark,
                            text_px: None,
                        }
                    };
                    let theme = if dark { "dark" } else { "light" };
                    for format in [ImageFormat::Svg, ImageFormat::Png] {
                        let file =
                            dir.join(format!("{name}-{kind:?}-{theme}.{}", format.extension()));
                        write(&chart, &style, &file).unwrap();
                        assert!(std::fs::metadata(&file).unwrap().len() > 0, "{file:?}");
                    }
                }
            }
        }
    }
}
