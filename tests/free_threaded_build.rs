//! The free-threaded CPython build the window starts: the script compiled
//! into corescope runs as a real process, its steps are read from its
//! output, and an interpreter already built is recognised in a moment
//! (the full build is CI's own first step, `scripts/build-free-threaded-python.sh`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::require::{Part, require};
use corescope::free_threaded::{Build, Step};

#[test]
fn a_built_interpreter_is_recognised_and_the_build_ends_done() {
    let built = corescope::python::built_free_threaded()
        .filter(|path| path.is_file())
        .ok_or("no free-threaded CPython built (scripts/build-free-threaded-python.sh)");
    let Some(interpreter) = require(Part::FreeThreaded, built) else {
        return;
    };
    let dir = interpreter.parent().unwrap().parent().unwrap();
    let mut build = Build::start(Some(dir)).unwrap();
    let ended = common::wait_for(Duration::from_secs(60), || {
        build.poll();
        build.outcome.clone()
    });
    assert_eq!(ended, Some(Ok(())), "{:?}", build.lines);
    assert_eq!(build.step, Step::Done);
    assert!((build.fraction() - 1.0).abs() < f32::EPSILON);
    assert!(
        build.lines.iter().any(|l| l.contains("already built")),
        "{:?}",
        build.lines
    );
}
