//! `sweep --command 'CMD {}'` with real processes: a waiting command
//! scales with the number run at once, a failing one fails the run in one
//! line naming its task, a time limit stops it, a flood of output is
//! dropped, and bad input is refused with exit status 2; never a process
//! left behind.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Output;

use common::{read_json, stdout};

/// Runs corescope marked (its children inherit the mark); checks that no
/// process it started survives it.
fn run_marked(label: &str, args: &[&str]) -> Output {
    common::run_marked(label, args, &[])
}

/// The most spans of `run` that overlap at one instant.
fn most_at_once(run: &serde_json::Value) -> usize {
    let spans = run["spans"].as_array().unwrap();
    let mut edges: Vec<(f64, i32)> = spans
        .iter()
        .flat_map(|s| {
            [
                (s["start_seconds"].as_f64().unwrap(), 1),
                (s["end_seconds"].as_f64().unwrap(), -1),
            ]
        })
        .collect();
    // Ends before starts at the same instant: touching spans do not overlap.
    edges.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut now = 0;
    let mut most = 0;
    for (_, step) in edges {
        now += step;
        most = most.max(now);
    }
    most as usize
}

#[test]
fn a_waiting_command_scales_with_the_jobs_run_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("set.json");
    let out = run_marked(
        "scales",
        &[
            "sweep",
            "--command",
            "sleep 0.2; test -n {}",
            "--tasks",
            "8",
            "--workers",
            "1,2,4",
            "--repeats",
            "1",
            "--warmup",
            "0",
            "--export-json",
            json.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert!(
        stdout(&out).contains("8 tasks, each `sleep 0.2; test -n {}`"),
        "{}",
        stdout(&out)
    );
    let set = read_json(&json);
    let runs = set["runs"].as_array().unwrap();
    let models: Vec<(&str, u64)> = runs
        .iter()
        .map(|r| (r["model"].as_str().unwrap(), r["workers"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        models,
        [
            ("serial", 1),
            ("threads", 1),
            ("threads", 2),
            ("threads", 4)
        ]
    );
    for run in runs {
        assert_eq!(run["command"], "sleep 0.2; test -n {}");
        assert_eq!(run["spans"].as_array().unwrap().len(), 8);
        // N children at once, never more: as xargs -P N.
        let workers = run["workers"].as_u64().unwrap() as usize;
        assert_eq!(most_at_once(run), workers, "{}", run["model"]);
    }
    // More jobs at once, less time: each count faster than the one before.
    let walls: Vec<f64> = runs[1..]
        .iter()
        .map(|r| r["wall_seconds"]["median"].as_f64().unwrap())
        .collect();
    assert!(walls.windows(2).all(|w| w[1] < w[0]), "{walls:?}");
    // The report draws tasks per second against workers.
    let folder = dir.path().join("report");
    let out = common::corescope(&[
        "report",
        json.to_str().unwrap(),
        "--out",
        folder.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let svg = std::fs::read_to_string(folder.join("throughput.svg")).unwrap();
    assert!(
        svg.contains("tasks per second"),
        "{}",
        &svg[..svg.len().min(400)]
    );
}

#[test]
fn a_failing_command_fails_the_run_naming_its_task_status_and_stderr() {
    let out = run_marked(
        "fails",
        &[
            "sweep",
            "--command",
            "if [ {} = 2 ]; then echo 'no such input' >&2; exit 3; fi",
            "--tasks",
            "4",
            "--workers",
            "2",
            "--repeats",
            "1",
            "--warmup",
            "0",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        common::error_line(&out),
        "error: the run failed: task 2: `if [ 2 = 2 ]; then echo 'no such input' >&2; exit 3; \
         fi` exited with status 3: no such input"
    );
}

#[test]
fn a_time_limit_kills_every_child_and_its_children() {
    // A child that leaves one of its own running in the background too.
    let out = run_marked(
        "time-limit",
        &[
            "sweep",
            "--command",
            "sleep 60 & sleep 60",
            "--tasks",
            "4",
            "--workers",
            "2",
            "--repeats",
            "1",
            "--warmup",
            "0",
            "--time-limit",
            "1s",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", common::stderr(&out));
    let text = format!("{}{}", stdout(&out), common::stderr(&out));
    assert!(text.contains("timed out"), "{text}");
}

#[test]
fn a_flood_of_output_is_read_and_dropped() {
    let out = run_marked(
        "flood",
        &[
            "sweep",
            "--command",
            "head -c 50000000 /dev/zero; head -c 50000000 /dev/zero >&2",
            "--tasks",
            "2",
            "--models",
            "serial",
            "--repeats",
            "1",
            "--warmup",
            "0",
        ],
    );
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert!(out.stdout.len() < 10_000, "{}", out.stdout.len());
}

#[test]
fn bad_input_is_refused_with_status_2() {
    let cases: [(&[&str], &str); 5] = [
        (&["--command", "  "], "error: --command: is empty"),
        (
            &["--command", "true", "--models", "processes,python-threads"],
            "error: --models: processes, python-threads cannot run a command (--command); \
             choose among serial, threads, gil-threads",
        ),
        (
            &["--command", "true", "--size", "5"],
            "error: --size: a command (--command) has no size",
        ),
        (
            &["--command", "true", "--workload", "sleep"],
            "error: --workload: --command sets the workload",
        ),
        (
            &["--command", "true", "--code", "a.py:f"],
            "error: --command: --command and --code both set the workload",
        ),
    ];
    for (args, expected) in cases {
        let mut all = vec!["sweep"];
        all.extend_from_slice(args);
        let out = run_marked("bad", &all);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let line = common::error_line(&out);
        assert!(line.starts_with(expected), "{args:?}: {line}");
        assert_eq!(line.lines().count(), 1, "{line}");
    }
}
