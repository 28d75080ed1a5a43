//! The charts in a 1280×720 window, each kind — the scaling charts, a
//! run's timeline, its CPU and memory charts: tick labels drawn (at least
//! three on each numeric axis, in the unit the axis title names), legends
//! whose entries tell their line style and marker (through the
//! accessibility tree), and the window and a file drawn from one layout
//! agreeing on ranges, ticks and legend (`chart_images.rs` compares the
//! two as images). The result set is a real sweep,
//! saved by the command line and dropped on the window.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::gui::{app, click, drop_file};
use corescope::chart::ChartKind;
use corescope::chart::layout::LegendPlace;
use corescope::export::plot::{self, ImageFormat, PlotStyle};
use corescope::gui::chart_view::{self, DrawnChart};
use egui_kittest::kittest::Queryable;

/// What the window drew of the chart titled `title`.
fn drawn(
    harness: &egui_kittest::Harness<'_, corescope::gui::CorescopeApp>,
    title: &str,
) -> DrawnChart {
    chart_view::drawn(&harness.ctx, title).unwrap_or_else(|| panic!("{title} was not drawn"))
}

/// The texts of an SVG's text elements, unescaped.
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|element| {
            let (_, rest) = element.split_once('>')?;
            let (content, _) = rest.split_once("</text>")?;
            Some(
                content
                    .trim()
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&apos;", "'")
                    .replace("&amp;", "&"),
            )
        })
        .collect()
}

/// Checks one drawn chart: ticks, units, and a legend a reader can use.
fn check_drawn(harness: &egui_kittest::Harness<'_, corescope::gui::CorescopeApp>, kind: ChartKind) {
    let chart = harness.state().chart(kind).unwrap();
    let drawn = drawn(harness, &chart.title);
    let layout = drawn.layout.clone().unwrap();
    assert!(drawn.y_ticks.len() >= 3, "{kind:?}: y ticks {:?}", drawn);
    assert!(drawn.x_ticks.len() >= 3, "{kind:?}: x ticks {:?}", drawn);
    assert_eq!(
        drawn.y_ticks,
        layout.y.labels(),
        "{kind:?}: a y label left out"
    );
    assert_eq!(
        drawn.x_ticks,
        layout.x.labels(),
        "{kind:?}: an x label left out"
    );
    assert!(drawn.y_title.ends_with(']'), "{kind:?}: {}", drawn.y_title);
    // The window shows the layout's ranges.
    let close = |a: (f64, f64), b: (f64, f64)| {
        (a.0 - b.0).abs() < 1e-6 * (b.1 - b.0) && (a.1 - b.1).abs() < 1e-6 * (b.1 - b.0)
    };
    assert!(
        close(drawn.x_range, (layout.x.min, layout.x.max)),
        "{kind:?}: {drawn:?}"
    );
    assert!(
        close(drawn.y_range, (layout.y.min, layout.y.max)),
        "{kind:?}: {drawn:?}"
    );
    // Every legend entry is on screen with its style in words.
    assert!(!drawn.legend.is_empty(), "{kind:?}");
    for entry in &drawn.legend {
        assert!(
            harness.query_all_by_label(entry).next().is_some(),
            "{kind:?}: legend entry {entry:?} is not in the window"
        );
    }
    if kind != ChartKind::Overhead {
        assert!(
            drawn.legend.iter().any(|e| e.contains("markers")),
            "{kind:?}: {:?}",
            drawn.legend
        );
    }

    // The same layout drawn to a file: the same tick labels and legend.
    let style = PlotStyle {
        width: 1280,
        height: 720,
        dark: layout.dark,
        text_px: None,
    };
    let svg = plot::render_layout(&chart, &layout, &style, ImageFormat::Svg).unwrap();
    let texts = svg_texts(&String::from_utf8(svg).unwrap());
    let mut expected: Vec<String> = vec![drawn.x_title.clone(), drawn.y_title.clone()];
    expected.extend(drawn.y_ticks.iter().cloned());
    expected.extend(
        drawn
            .x_ticks
            .iter()
            .flat_map(|t| t.lines().map(str::to_string).collect::<Vec<_>>()),
    );
    expected.extend(layout.legend.iter().map(|e| e.name.clone()));
    for text in expected {
        assert!(
            texts.contains(&text),
            "{kind:?}: the file lacks {text:?}: {texts:?}"
        );
    }
}

/// What the window drew of the run chart whose title `title_of` a stored
/// run gives (the run picker shows one of them).
fn drawn_activity(
    harness: &egui_kittest::Harness<'_, corescope::gui::CorescopeApp>,
    title_of: impl Fn(&corescope::results::RunRecord) -> String,
) -> DrawnChart {
    let set = &harness.state().session.results.experiments[0];
    set.runs
        .iter()
        .find_map(|run| chart_view::drawn(&harness.ctx, &title_of(run)))
        .expect("a run's chart was drawn")
}

/// Checks a run's chart: a time axis with three labelled ticks in the unit
/// its title names, and every legend entry on screen with its style.
fn check_activity(
    harness: &egui_kittest::Harness<'_, corescope::gui::CorescopeApp>,
    drawn: &DrawnChart,
    what: &str,
) {
    assert!(drawn.x_ticks.len() >= 3, "{what}: {drawn:?}");
    assert!(
        ["[s]", "[ms]", "[µs]"]
            .iter()
            .any(|unit| drawn.x_title.ends_with(unit)),
        "{what}: {drawn:?}"
    );
    assert!(!drawn.legend.is_empty(), "{what}: {drawn:?}");
    for entry in &drawn.legend {
        assert!(
            entry.contains(": "),
            "{what}: legend entry {entry:?} has no style"
        );
        assert!(
            harness.query_all_by_label(entry).next().is_some(),
            "{what}: legend entry {entry:?} is not in the window"
        );
    }
}

#[test]
fn every_chart_is_readable_at_1280_by_720_and_matches_its_file() {
    let dir = tempfile::tempdir().unwrap();
    // Sleep tasks: the one-worker runs last 360 ms whatever the machine,
    // longer than a sampling interval, so their CPU charts have rows.
    let saved = common::saved_sweep(
        dir.path(),
        "sweep",
        &[
            "--workers",
            "1..3",
            "--tasks",
            "6",
            "--workload",
            "sleep",
            "--size",
            "60",
        ],
    );
    let data = tempfile::tempdir().unwrap();
    let mut harness = app(data.path()).size(1280.0, 720.0).build();
    drop_file(&mut harness, &saved);
    harness.run_steps(3);
    assert_eq!(harness.state().session.results.experiments.len(), 1);

    // The grid: wall time, speedup, efficiency, IPC bytes.
    for kind in [
        ChartKind::WallTime,
        ChartKind::Speedup,
        ChartKind::Efficiency,
        ChartKind::IpcBytes,
    ] {
        check_drawn(&harness, kind);
    }
    // Charts keep a readable height at 1280×720.
    let wall = harness.state().chart(ChartKind::WallTime).unwrap();
    let layout = drawn(&harness, &wall.title).layout.unwrap();
    assert!(layout.y.ticks.len() >= 3);

    // The fourth cell switches to the time breakdown (the second row of
    // charts scrolls into view first).
    fn menu<'h>(
        harness: &'h egui_kittest::Harness<'_, corescope::gui::CorescopeApp>,
    ) -> egui_kittest::Node<'h> {
        harness
            .get_all_by_role(egui::accesskit::Role::ComboBox)
            .find(|node| node.value().as_deref() == Some("IPC bytes per repetition"))
            .expect("the fourth cell's chart menu")
    }
    menu(&harness).scroll_to_me();
    harness.run_steps(3);
    menu(&harness).click();
    harness.run_steps(3);
    click(&mut harness, "Where the time went");
    harness.run_steps(3);
    assert_eq!(harness.state().settings.charts.fourth, ChartKind::Overhead);
    check_drawn(&harness, ChartKind::Overhead);

    // Predictions, asked for, go in a panel of their own beside the
    // enlarged chart (a grid cell says where): the measured chart keeps
    // its range.
    let before = drawn(&harness, "Speedup").y_range;
    // Laws are fitted from worker counts that had a core each: as if this
    // machine had 4, all three do, whatever machine runs the test.
    harness.state_mut().session.results.experiments[0]
        .machine
        .logical_cores = 4;
    harness.state_mut().settings.charts.predict_to = 32;
    harness.run_steps(3);
    assert_eq!(drawn(&harness, "Speedup").y_range, before);
    assert!(
        harness
            .query_by_label_contains("Fitted laws, to 32 workers — Enlarge")
            .is_some()
    );
    harness
        .get_all_by_label("Enlarge")
        .nth(1)
        .unwrap()
        .scroll_to_me();
    harness.run_steps(3);
    harness.get_all_by_label("Enlarge").nth(1).unwrap().click();
    harness.run_steps(3);
    assert_eq!(harness.state().focused, Some(ChartKind::Speedup));
    let panel = drawn(&harness, "Fitted laws, to 32 workers");
    assert!(panel.x_ticks.contains(&"32".to_string()), "{panel:?}");
    assert!(harness.query_by_label_contains("Amdahl fit:").is_some());
    harness.get_by_label("All charts").click();
    harness.run_steps(3);

    // Enlarged, the chart gets more ticks and its legend moves inside.
    let small = drawn(&harness, "Wall time").layout.unwrap();
    harness.get_all_by_label("Enlarge").next().unwrap().click();
    harness.run_steps(3);
    check_drawn(&harness, ChartKind::WallTime);
    let large = drawn(&harness, "Wall time").layout.unwrap();
    assert!(large.y.ticks.len() >= small.y.ticks.len());
    assert!(
        matches!(large.legend_place, LegendPlace::Inside(_)),
        "{:?}",
        large.legend_place
    );

    // A run's timeline and memory: legends with their styles, as in files.
    harness
        .get_all_by_label("All charts")
        .next()
        .unwrap()
        .click();
    harness.run_steps(2);
    click(&mut harness, "Timeline");
    harness.run_steps(3);
    let timeline = drawn_activity(&harness, |run| corescope::activity::timeline(run).title);
    check_activity(&harness, &timeline, "Timeline");
    assert!(!timeline.y_ticks.is_empty(), "{timeline:?}");
    assert!(
        timeline
            .y_ticks
            .iter()
            .all(|lane| lane.starts_with("thread ")
                || lane.starts_with("process ")
                || lane.starts_with("task ")),
        "{timeline:?}"
    );
    assert!(
        harness
            .query_all_by_label("compute: filled block")
            .next()
            .is_some()
    );
    assert!(
        harness
            .query_all_by_label_contains("): dashed line")
            .next()
            .is_some()
    );
    click(&mut harness, "CPU & memory");
    harness.run_steps(3);
    let cpu = drawn_activity(&harness, |run| {
        corescope::activity::run_cpu_chart(run, false).title
    });
    check_activity(&harness, &cpu, "CPU");
    // Rows per core (a run that lasted a sampling interval has them):
    // named on the axis.
    let sampled = harness.state().session.results.experiments[0]
        .runs
        .iter()
        .filter(|run| !run.cpu_samples.is_empty())
        .count();
    assert!(sampled > 0, "no run was sampled");
    assert!(cpu.y_ticks.contains(&"core 0".to_string()), "{cpu:?}");
    let memory = drawn_activity(&harness, |run| {
        corescope::activity::run_memory_chart(run, false).title
    });
    check_activity(&harness, &memory, "memory");
    assert!(memory.y_ticks.len() >= 3, "{memory:?}");
    assert!(memory.y_title.ends_with("B]"), "{memory:?}");
    assert!(
        harness
            .query_all_by_label("corescope (all its threads): solid line")
            .next()
            .is_some()
    );
    assert!(
        harness
            .query_all_by_label("worker processes (in the model's colour): filled block")
            .next()
            .is_some()
    );
}

#[test]
fn a_lesson_with_flags_leaves_the_charts_their_room_at_1280_by_720() {
    let dir = tempfile::tempdir().unwrap();
    let saved = common::saved_sweep(
        dir.path(),
        "lesson",
        &[
            "--workload",
            "echo",
            "--payload",
            "1KiB,4KiB",
            "--size",
            "1",
            "--tasks",
            "4",
            "--models",
            "serial,processes",
            "--workers",
            "1..2",
        ],
    );
    let mut set = corescope::results::ResultSet::load(&saved).unwrap();
    // Shown as the lesson it could be, with a flag on every run: the
    // lesson's text and the flags banner both want room above the charts.
    set.preset = Some("ipc-cost".to_string());
    // Only the flags set here: a busy machine's own (the set's come first)
    // would push them past the lines shown without hovering.
    set.warnings.clear();
    for run in &mut set.runs {
        run.warnings.clear();
        run.warnings.push(corescope::results::Warning {
            code: corescope::noise::code::WIDE_SPREAD.to_string(),
            message: "flagged by the test".to_string(),
            remedy: "more repeats".to_string(),
        });
    }
    let data = tempfile::tempdir().unwrap();
    let mut harness = app(data.path()).size(1280.0, 720.0).build();
    harness.state_mut().session.results.experiments.push(set);
    harness.run_steps(4);
    harness.get_by_label_contains("These figures may not be what the machine can do");
    // The flags folded to one line.
    harness.get_by(|n| n.label().is_some_and(|l| l.ends_with(" flags")));
    let flags = harness.get_by(|n| n.label().is_some_and(|l| l.ends_with(" flags")));
    flags.click();
    harness.run_steps(3);
    assert!(
        harness
            .query_all_by_label_contains("flagged by the test")
            .next()
            .is_some()
    );
    harness
        .get_by(|n| n.label().is_some_and(|l| l.ends_with(" flags")))
        .click();
    harness.run_steps(3);
    let table_top = harness
        .get_by_label_contains("runs in 1 experiment")
        .rect()
        .min
        .y;
    for title in ["Wall time", "Speedup"] {
        let frame = drawn(&harness, title).frame.unwrap();
        // The plot's least height, less its x axis's ticks and title.
        assert!(
            frame.height() >= corescope::chart::theme::MIN_PLOT_HEIGHT - 60.0,
            "{title}: {frame:?}"
        );
        // Within the window, not pushed off its right edge, and above the
        // results table rather than under it.
        assert!(frame.max.x <= 1280.0, "{title}: {frame:?}");
        assert!(
            frame.max.y <= table_top,
            "{title}: {frame:?}, table at {table_top}"
        );
    }
}
