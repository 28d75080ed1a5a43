//! The desktop app driven headless with egui_kittest: real clicks and typing
//! on the real app, real runs with real worker processes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use corescope::chart::ChartKind;
use std::time::Duration;

use common::gui::{app, app_harness, click, type_into, wait_until_idle};
use corescope::gui::CorescopeApp;
use corescope::gui::dialogs::Purpose;
use corescope::settings::Setting;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// A quick experiment set up by clicking and typing.
fn set_up_small_experiment(harness: &mut Harness<'_, CorescopeApp>) {
    harness
        .get_by_role_and_label(Role::ComboBox, "Workload")
        .click();
    harness.run_steps(2);
    click(harness, "primes");
    type_into(harness, "Size", "3000");
    type_into(harness, "Tasks", "6");
    click(harness, "threads");
    type_into(harness, "From", "1");
    type_into(harness, "To", "2");
    type_into(harness, "Repeats", "1");
    type_into(harness, "Warm-ups", "0");
}

#[test]
fn a_clicked_experiment_fills_the_table_and_the_charts() {
    let data = tempfile::tempdir().unwrap();
    let mut harness = app_harness(data.path());
    set_up_small_experiment(&mut harness);
    let form = &harness.state().settings.form;
    assert_eq!(
        (
            form.text(Setting::Size),
            form.text(Setting::Tasks),
            form.models.contains(&corescope::spec::Model::Threads)
        ),
        ("3000", "6", false)
    );

    click(&mut harness, "▶ Run");
    assert!(
        harness.state().is_running() || !harness.state().session.results.experiments.is_empty()
    );
    wait_until_idle(&mut harness);

    let app = harness.state();
    assert!(
        app.session.messages.error.is_none(),
        "{:?}",
        app.session.messages.error
    );
    assert_eq!(app.session.results.experiments.len(), 1);
    let labels: Vec<String> = app.session.results.runs().map(|(_, r)| r.label()).collect();
    assert_eq!(labels, ["serial", "processes ×1", "processes ×2"]);
    // The table shows every run; the charts hold the same numbers.
    let walls: Vec<String> = app
        .session
        .results
        .runs()
        .map(|(_, r)| corescope::format::seconds(r.wall_seconds.median))
        .collect();
    for wall in walls {
        assert!(
            harness.query_all_by_label(&wall).count() >= 1,
            "{wall} is not in the table"
        );
    }
    let shown = harness.state().shown().unwrap();
    // The chart drawn: the measured points on the workers measured; no
    // law from two worker counts, and predictions are opt-in anyway.
    let speedup = harness.state().chart(ChartKind::Speedup).unwrap();
    let processes = speedup
        .series
        .iter()
        .find(|s| s.name == "processes")
        .unwrap();
    let xs: Vec<f64> = processes.points.iter().map(|p| p.x).collect();
    assert_eq!(xs, [1.0, 2.0], "1 and 2 workers");
    assert!(speedup.predictions.is_none());
    assert_eq!(processes.points[1].y, shown.runs[2].speedup.unwrap());
    // Results survive a restart: a new app reads them back.
    assert!(data.path().join("results.json").exists());
    let again = app_harness(data.path());
    assert_eq!(again.state().session.results.runs().count(), 3);
}

#[test]
fn an_invalid_value_shows_an_error_and_runs_nothing() {
    let data = tempfile::tempdir().unwrap();
    let mut harness = app_harness(data.path());
    type_into(&mut harness, "Tasks", "0");
    click(&mut harness, "▶ Run");
    assert!(!harness.state().is_running());
    harness.get_by_label_contains("Tasks: 0 is out of range");
    type_into(&mut harness, "Tasks", "lots");
    click(&mut harness, "▶ Run");
    harness.get_by_label_contains("Tasks: 'lots' is not a number");
    assert!(harness.state().session.results.experiments.is_empty());
    assert!(!data.path().join("results.json").exists());
}

#[test]
fn cancel_stops_the_run_and_every_worker() {
    let data = tempfile::tempdir().unwrap();
    // Workers started through a link of this test's own: tests beside it
    // start processes too, and only this one's count.
    let own = data.path().join("own-worker");
    std::os::unix::fs::symlink(common::exe(), &own).unwrap();
    let mut harness = app(data.path()).worker_exe(&own).build();
    harness
        .get_by_role_and_label(Role::ComboBox, "Workload")
        .click();
    harness.run_steps(2);
    click(&mut harness, "sleep");
    type_into(&mut harness, "Size", "300");
    type_into(&mut harness, "Tasks", "40");
    click(&mut harness, "serial");
    click(&mut harness, "threads");
    click(&mut harness, "One count");
    type_into(&mut harness, "Workers", "2");
    click(&mut harness, "▶ Run");

    let workers = common::wait_for(Duration::from_secs(30), || {
        harness.step();
        let mine = own_workers(&own);
        (mine.len() == 2).then_some(mine)
    })
    .unwrap_or_else(|| {
        let app = harness.state();
        panic!(
            "no two workers: running {}, form error {:?}, error {:?}, {} experiments, form {:?}",
            app.is_running(),
            app.session.messages.form_error,
            app.session.messages.error,
            app.session.results.experiments.len(),
            app.settings.form
        )
    });
    std::thread::sleep(Duration::from_millis(300));
    click(&mut harness, "■ Cancel");
    wait_until_idle(&mut harness);
    // Cancelled, not finished: the run's 40 tasks of 300 ms did not all
    // end (so no run was kept), and the notice says the cancel took.
    assert!(harness.state().session.results.experiments.is_empty());
    assert!(
        harness
            .state()
            .session
            .messages
            .notice
            .as_deref()
            .unwrap_or_default()
            .contains("cancelled")
    );
    for pid in workers {
        assert!(!common::alive(pid), "worker {pid} survived the cancel");
    }
    assert_eq!(own_workers(&own), [0u32; 0], "workers outlived the cancel");
}

/// This process's children started from `exe` (their first argument).
fn own_workers(exe: &std::path::Path) -> Vec<u32> {
    corescope::platform::child_pids(std::process::id())
        .into_iter()
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|cmdline| {
                cmdline.split(|&b| b == 0).next() == Some(exe.as_os_str().as_encoded_bytes())
            })
        })
        .collect()
}

#[test]
fn clear_asks_first() {
    let data = tempfile::tempdir().unwrap();
    let mut harness = app_harness(data.path());
    set_up_small_experiment(&mut harness);
    click(&mut harness, "processes");
    click(&mut harness, "▶ Run");
    wait_until_idle(&mut harness);
    assert_eq!(harness.state().session.results.experiments.len(), 1);

    click(&mut harness, "Clear results…");
    assert!(harness.state().confirm_clear, "Clear asks first");
    click(&mut harness, "Keep them");
    assert_eq!(harness.state().session.results.experiments.len(), 1);
    click(&mut harness, "Clear results…");
    click(&mut harness, "Clear results");
    assert!(harness.state().session.results.experiments.is_empty());
    let again = app_harness(data.path());
    assert!(again.state().session.results.experiments.is_empty());
}

#[test]
fn a_lesson_runs_in_one_click_and_explains_itself() {
    let data = tempfile::tempdir().unwrap();
    let mut harness = app_harness(data.path());
    click(&mut harness, "3 cpu-parallelism");
    wait_until_idle(&mut harness);
    let app = harness.state();
    assert!(
        app.session.messages.error.is_none(),
        "{:?}",
        app.session.messages.error
    );
    let set = app.session.results.experiments.last().unwrap();
    assert_eq!(set.preset.as_deref(), Some("cpu-parallelism"));
    assert!(
        set.runs
            .iter()
            .any(|r| r.model == corescope::spec::Model::Processes)
    );
    let unflagged = corescope::noise::flagged_runs(set).is_empty();
    let busy = corescope::noise::busy(set);
    // The claim, what to look at and this machine's findings sit beside
    // the charts, folded to the lesson's title line until opened.
    let title = corescope::presets::find("cpu-parallelism").unwrap().title;
    harness
        .get_by_role_and_label(egui::accesskit::Role::DisclosureTriangle, &title)
        .click();
    harness.run_steps(3);
    harness.get_by_label_contains("Processes run on separate cores simultaneously");
    harness.get_by_label_contains("Look at:");
    harness.get_by_label_contains("On this machine:");
    // A verdict, or (on a busy machine) why there is none, with the flags.
    // (The verdict line shows it too, under the lesson's title.)
    let verdict = if unflagged {
        "processes: best"
    } else if busy {
        "No findings: other programs were busy"
    } else {
        "processes: no verdict"
    };
    assert!(harness.query_all_by_label_contains(verdict).count() >= 1);
    if !unflagged {
        harness.get_by_label_contains("These figures may not be what the machine can do");
    }
}

/// A file dropped on the window, as the windowing layer hands it over.
/// Every file in `folder` whose name starts with `prefix`.
fn files_starting(folder: &std::path::Path, prefix: &str) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(folder)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn result_sets_come_in_by_menu_or_drop_and_leave_as_files() {
    let data = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    // Two result sets measured by the real binary, as two machines would.
    let small = [
        "--workload",
        "primes",
        "--size",
        "2000",
        "--models",
        "serial,processes",
    ];
    let saved = [
        common::saved_sweep(files.path(), "laptop", &small),
        common::saved_sweep(files.path(), "server", &small),
    ];
    let garbage = files.path().join("notes.json");
    std::fs::write(&garbage, "{\"hello\": ").unwrap();

    let mut harness = app_harness(data.path());
    let exports = files.path().join("exports");
    // Dialogs start in the export folder, or the folder above it.
    harness.state_mut().settings.export.folder = exports.display().to_string();

    // File ▸ Open, in the dialog drawn inside the window: a broken file
    // is refused by name, nothing is added, and the dialog stays.
    click(&mut harness, "File");
    harness.get_by_label_contains("Open a result set…").click();
    harness.run_steps(4);
    assert_eq!(harness.state().dialogs.purpose(), Some(Purpose::Open));
    click(&mut harness, "🗋 notes.json");
    click(&mut harness, "Open");
    assert!(harness.state().session.results.experiments.is_empty());
    let error = harness.state().session.messages.error.clone().unwrap();
    assert!(
        error.contains("notes.json") && error.contains("not a corescope result set"),
        "{error}"
    );
    harness.get_by_label_contains("not a corescope result set");
    assert_eq!(harness.state().dialogs.purpose(), Some(Purpose::Open));
    // The real one opens, is shown, and the dialog closes.
    click(&mut harness, "🗋 laptop.json");
    click(&mut harness, "Open");
    assert_eq!(harness.state().session.results.experiments.len(), 1);
    assert_eq!(harness.state().dialogs.purpose(), None);
    assert_eq!(
        harness.state().session.results.experiments[0]
            .source
            .as_deref(),
        Some("laptop")
    );

    // Dropping the other one on the window opens it too.
    harness
        .input_mut()
        .dropped_files
        .push(std::sync::Arc::new(common::gui::DroppedPath(
            saved[1].clone(),
        )));
    harness.run_steps(3);
    assert_eq!(harness.state().session.results.experiments.len(), 2);
    assert_eq!(harness.state().shown_index(), Some(1));

    // Compare the shown one (server) with the laptop: one chart, both named.
    harness
        .get_by_role_and_label(Role::ComboBox, "Compare with")
        .click();
    harness.run_steps(2);
    harness.get_by_label_contains("laptop ·").click();
    harness.run_steps(2);
    assert_eq!(harness.state().session.compare_with, Some(0));
    let wall = harness.state().chart(ChartKind::WallTime).unwrap();
    let names: Vec<&str> = wall.series.iter().map(|s| s.name.as_str()).collect();
    assert!(names.contains(&"server: processes"), "{names:?}");
    assert!(names.contains(&"laptop: processes"), "{names:?}");

    // Export the wall-time chart (the first chart's menu) as SVG: the
    // first "Export" whose menu offers it (the top bar has one too).
    let menus = harness.get_all_by_label("Export").count();
    let mut opened = false;
    for i in 0..menus {
        harness.get_all_by_label("Export").nth(i).unwrap().click();
        harness.run_steps(2);
        if harness
            .query_by_label("Save as SVG (slides, print)")
            .is_some()
        {
            opened = true;
            break;
        }
        harness.key_press(egui::Key::Escape);
        harness.run_steps(2);
    }
    assert!(opened, "no chart's Export menu offers SVG");
    click(&mut harness, "Save as SVG (slides, print)");
    // Whichever chart's menu came first: a compared chart names both sets.
    let svgs: Vec<_> = std::fs::read_dir(&exports)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().contains("-compared-"))
        .collect();
    assert_eq!(svgs.len(), 1, "{svgs:?}");
    let svg = std::fs::read_to_string(&svgs[0]).unwrap();
    assert!(svg.contains("laptop: processes") && svg.contains("server: processes"));
    assert!(
        harness
            .state()
            .session
            .messages
            .notice
            .as_deref()
            .is_some_and(|n| n.starts_with("saved "))
    );

    // Copy as image: the clipboard gets the chart at the export size.
    harness.get_all_by_label("Export").nth(1).unwrap().click();
    harness.run_steps(2);
    harness.get_by_label("Copy as image").click();
    harness.step();
    let copied =
        harness.output().platform_output.commands.iter().any(
            |c| matches!(c, egui::OutputCommand::CopyImage(image) if image.size == [1920, 1080]),
        );
    assert!(copied, "{:?}", harness.output().platform_output.commands);
    harness.run_steps(2);

    // File ▸ data as CSV.
    click(&mut harness, "File");
    click(&mut harness, "Data as CSV (a row per run)");
    let csvs = files_starting(&exports, "results-");
    assert_eq!(csvs.len(), 1, "{csvs:?}");
    let csv = std::fs::read_to_string(&csvs[0]).unwrap();
    assert_eq!(
        csv.lines().count(),
        1 + 3,
        "a header and a row per run:\n{csv}"
    );

    // An export folder that cannot be made is an error, not a panic.
    harness.state_mut().settings.export.folder = "/proc/corescope-cannot".to_string();
    harness.get_all_by_label("Export").next().unwrap().click();
    harness.run_steps(2);
    click(&mut harness, "Save as PNG");
    let error = harness.state().session.messages.error.clone().unwrap();
    assert!(
        error.starts_with("not exported: cannot create the export folder"),
        "{error}"
    );
}

#[test]
fn flagged_figures_are_shown_with_a_re_run_button() {
    let data = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let saved = common::saved_sweep(
        files.path(),
        "flagged",
        &[
            "--models",
            "serial,processes",
            "--workers",
            "2",
            "--repeats",
            "2",
        ],
    );
    let mut set = corescope::results::ResultSet::load(&saved).unwrap();
    // Only the flag set by hand: a busy machine's own flags (the set's come
    // first) would push it past the lines shown without hovering.
    // What other programs used is dropped too: the flags box would say so
    // first.
    set.warnings.clear();
    set.load_before = None;
    set.load_during = None;
    for run in &mut set.runs {
        run.warnings.clear();
    }
    // processes ×2 flagged by hand.
    set.runs[1].warnings.push(corescope::results::Warning {
        code: corescope::noise::code::WIDE_SPREAD.to_string(),
        message: "flagged by the test".to_string(),
        remedy: "more repeats".to_string(),
    });
    let mut harness = app_harness(data.path());
    harness.state_mut().session.results.experiments.push(set);
    harness.run_steps(3);
    harness.get_by_label_contains("These figures may not be what the machine can do");
    // The flags fold to one line; opened, they say what was found.
    harness
        .get_by(|n| {
            n.label()
                .is_some_and(|l| l.ends_with(" flag") || l.ends_with(" flags"))
        })
        .click();
    harness.run_steps(3);
    harness.get_by_label_contains("flagged by the test");
    click(&mut harness, "Re-run flagged runs");
    assert!(harness.state().is_running());
    wait_until_idle(&mut harness);
    let experiments = &harness.state().session.results.experiments;
    assert_eq!(
        experiments.len(),
        2,
        "{:?}",
        harness.state().session.messages
    );
    // serial and processes ×2 measured again, taking turns.
    let fresh = &experiments[1];
    assert_eq!(fresh.runs.len(), 2);
    let sequences: Vec<Vec<u64>> = fresh
        .runs
        .iter()
        .map(|r| r.repetitions.iter().filter_map(|x| x.sequence).collect())
        .collect();
    assert_eq!(sequences, [vec![0, 2], vec![1, 3]]);
    assert!(
        fresh.runs[1]
            .warnings
            .iter()
            .all(|w| w.message != "flagged by the test")
    );
}
