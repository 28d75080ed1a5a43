//! The optional parts a test may need, and one rule for all of them: where
//! a part is missing, the test is skipped with a line naming it and why
//! (`skipped TEST: REASON` on stderr) — unless the environment says the
//! part must be there, and then the test fails. CI installs every part and
//! sets `CORESCOPE_REQUIRE_ALL=1`, so a missing one is never a green run
//! without its tests; a single part can be required alone with its own
//! variable ([`Part::variable`]).
//!
//! The integration tests reach this file as `common::require`, the
//! library's unit tests as `crate::require` (the same file).
#![allow(dead_code, clippy::print_stderr)]

use std::fmt::Display;

/// Requires every part at once.
pub const REQUIRE_ALL: &str = "CORESCOPE_REQUIRE_ALL";

/// Something a test needs that a machine may lack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// A CPython 3 (the python-* models).
    Python,
    /// A free-threaded CPython (python-threads-nogil).
    FreeThreaded,
    /// Open MPI's `mpirun` (the mpi models) and, for python-mpi, mpi4py.
    Mpi,
    /// `/dev/shm` (shared memory; Open MPI's segments).
    DevShm,
    /// Root: network namespaces, links given away to other users.
    Root,
    /// Stand-in hosts: network, host-name and time namespaces (root,
    /// iproute2's `ip netns`, util-linux's `unshare --time`).
    Namespaces,
}

impl Part {
    /// The variable that makes this part required (besides
    /// [`REQUIRE_ALL`]).
    pub fn variable(self) -> &'static str {
        match self {
            Part::Python => "CORESCOPE_REQUIRE_PYTHON",
            Part::FreeThreaded => "CORESCOPE_REQUIRE_FREE_THREADED",
            Part::Mpi => "CORESCOPE_REQUIRE_MPI",
            Part::DevShm => "CORESCOPE_REQUIRE_DEV_SHM",
            Part::Root => "CORESCOPE_REQUIRE_ROOT",
            Part::Namespaces => "CORESCOPE_REQUIRE_NAMESPACES",
        }
    }

    /// Whether this environment says the part must be there.
    pub fn required(self) -> bool {
        [REQUIRE_ALL, self.variable()]
            .iter()
            .any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0"))
    }
}

/// The running test's name (libtest names each test's thread after it).
fn test_name() -> String {
    std::thread::current()
        .name()
        .unwrap_or("this test")
        .to_string()
}

/// Says that the running test is skipped, and why. For what no variable
/// can require (a cargo feature this build lacks); a part goes through
/// [`require`].
pub fn skipped(why: impl Display) {
    eprintln!("skipped {}: {why}", test_name());
}

/// What `found` found, where it found it; where it did not (the error
/// says why), `None` after a `skipped TEST: why` line — or a panic where
/// `part` is required.
pub fn require<T, E: Display>(part: Part, found: Result<T, E>) -> Option<T> {
    match found {
        Ok(value) => Some(value),
        Err(why) => {
            let test = test_name();
            if part.required() {
                panic!(
                    "{test}: {why} ({} or {REQUIRE_ALL} is set: CI must have every part)",
                    part.variable()
                );
            }
            skipped(why);
            None
        }
    }
}

/// [`require`] for a yes-or-no check: whether `present`, else skipped (or
/// failed) saying `why`.
pub fn require_that(part: Part, present: bool, why: &str) -> bool {
    require(part, if present { Ok(()) } else { Err(why) }).is_some()
}

/// Whether this process runs as root.
pub fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}
