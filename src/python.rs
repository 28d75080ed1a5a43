//! CPython for the python models: which interpreter runs them, what it is,
//! and the harness script it runs.
//!
//! The harness (the modules of `assets/python/harness/`, joined into one
//! script: [`HARNESS`]) is compiled into the binary, so an installed
//! corescope needs nothing beside it but an interpreter. [`probe`] asks an interpreter for its version and whether
//! it is free-threaded, once per path (the GUI asks every frame); its error
//! is the reason a python model is unavailable, in the CLI's error line and
//! on the GUI's disabled checkboxes alike. A free-threaded interpreter for
//! `python-threads-nogil` is looked for on PATH and where
//! `scripts/build-free-threaded-python.sh` builds one ([`built_free_threaded`]).

pub mod code;
pub mod functions;

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::model::{Model, Requirement};
use crate::remedy::{Remedied, Remedy, Setting};
use crate::worker::process::describe_status;

/// Declares the harness from its modules in `assets/python/harness/`, in
/// the order they are joined.
macro_rules! harness_modules {
    ($($name:literal),+ $(,)?) => {
        /// The harness every python model runs: its modules joined into one
        /// script, in a fixed order. They share its namespace, and nothing
        /// runs before the last one starts it, so the order only keeps
        /// tracebacks readable.
        pub const HARNESS: &str = concat!(
            $(include_str!(concat!("../assets/python/harness/", $name)), "\n"),+
        );

        /// Each module of the harness by file name, in [`HARNESS`]'s order.
        pub const HARNESS_MODULES: &[(&str, &str)] = &[
            $(($name, include_str!(concat!("../assets/python/harness/", $name)))),+
        ];
    };
}

harness_modules!(
    "protocol.py",
    "workloads.py",
    "code.py",
    "pools.py",
    "threads.py",
    "processes.py",
    "asyncio_models.py",
    "mpi.py",
    "main.py",
);

/// The interpreter used when none is set: `python3` on PATH.
pub const DEFAULT_INTERPRETER: &str = "python3";

/// The oldest CPython the harness supports.
pub const MIN_VERSION: (u32, u32) = (3, 8);

/// Names a free-threaded CPython goes by on PATH, newest first.
const FREE_THREADED_NAMES: [&str; 3] = ["python3.14t", "python3.13t", "python3t"];

/// Overrides the folder the build script installs the free-threaded CPython
/// into (and corescope looks in).
pub const FREE_THREADED_DIR_VAR: &str = "CORESCOPE_FREE_THREADED_DIR";

/// How long a probe may take (a cold interpreter on a busy machine).
const PROBE_TIMEOUT: Duration = Duration::from_secs(20);

/// What a probe learned about an interpreter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PythonInfo {
    /// The interpreter as given (a name on PATH or a path).
    pub interpreter: PathBuf,
    /// `major.minor.micro`.
    pub version: String,
    /// A free-threaded build (`Py_GIL_DISABLED`): threads without a GIL.
    pub free_threaded: bool,
}

/// Why an interpreter cannot run the python models.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PythonError {
    #[error("{0} not found on PATH")]
    NotOnPath(String),
    #[error("{0} does not exist")]
    Missing(String),
    #[error("{interpreter} could not be run: {reason}")]
    Broken { interpreter: String, reason: String },
    #[error("{interpreter} is Python {version}; the python models need 3.8 or newer")]
    TooOld {
        interpreter: String,
        version: String,
    },
    #[error(
        "no free-threaded CPython found ({interpreter} has a GIL, none of python3.14t, python3.13t, python3t is on PATH, and {built} is not built: scripts/build-free-threaded-python.sh builds it)"
    )]
    NoFreeThreaded { interpreter: String, built: String },
    #[error(
        "no python with {module} found (tried {}); install it for one of them (Debian: apt-get install python3-{module}; or pip install {module})",
        .tried.join(", ")
    )]
    NoModule {
        module: String,
        /// Every interpreter looked at, the configured one first.
        tried: Vec<String>,
    },
}

impl Remedied for PythonError {
    /// Another interpreter gets past a missing one or a missing module;
    /// a broken or old one names its own way out.
    fn remedy(&self) -> Option<Remedy> {
        match self {
            PythonError::NotOnPath(_) | PythonError::Missing(_) => {
                Some(Remedy::Set(Setting::Python))
            }
            PythonError::NoModule { .. } => Some(Remedy::OrSet(Setting::Python)),
            PythonError::Broken { .. }
            | PythonError::TooOld { .. }
            | PythonError::NoFreeThreaded { .. } => None,
        }
    }
}

/// What the probe script prints.
#[derive(Debug, Deserialize)]
struct ProbeReport {
    major: u32,
    minor: u32,
    micro: u32,
    free_threaded: bool,
}

/// Checks the version and the modules the harness imports; prints one line.
const PROBE_SCRIPT: &str = "import sys, json, sysconfig, pickle, threading, multiprocessing, \
     concurrent.futures; v = sys.version_info; print(json.dumps({'major': v[0], 'minor': v[1], \
     'micro': v[2], 'free_threaded': bool(sysconfig.get_config_var('Py_GIL_DISABLED'))}))";

/// Each interpreter's probe, by path, once per process (until
/// [`forget_probes`]).
type Probes = Mutex<HashMap<PathBuf, Result<PythonInfo, PythonError>>>;
static PROBES: OnceLock<Probes> = OnceLock::new();

/// Probes `interpreter` once per path and process; later calls return the
/// first answer (so a fixed or installed interpreter shows after a restart,
/// or under another path).
pub fn probe(interpreter: &Path) -> Result<PythonInfo, PythonError> {
    let cache = PROBES.get_or_init(Mutex::default);
    if let Some(known) = cache
        .lock()
        .ok()
        .and_then(|map| map.get(interpreter).cloned())
    {
        return known;
    }
    let answer = probe_uncached(interpreter);
    if let Ok(mut map) = cache.lock() {
        map.insert(interpreter.to_path_buf(), answer.clone());
    }
    answer
}

/// Forgets every probe's answer, so that an interpreter installed or
/// built since is seen (the window calls it once the free-threaded build
/// is done).
pub fn forget_probes() {
    if let Some(cache) = PROBES.get()
        && let Ok(mut map) = cache.lock()
    {
        map.clear();
    }
}

fn probe_uncached(interpreter: &Path) -> Result<PythonInfo, PythonError> {
    let name = interpreter.display().to_string();
    let broken = |reason: String| PythonError::Broken {
        interpreter: name.clone(),
        reason,
    };
    let (status, stdout, stderr) = run_script(interpreter, PROBE_SCRIPT, &[])?;
    if !status.success() {
        let tail = last_lines(&stderr, 3);
        return Err(broken(if tail.is_empty() {
            format!("it {}", describe_status(status))
        } else {
            format!("it {}: {tail}", describe_status(status))
        }));
    }
    let report: ProbeReport = serde_json::from_str(stdout.trim())
        .map_err(|_| broken(format!("unexpected answer '{}'", last_lines(&stdout, 1))))?;
    let version = format!("{}.{}.{}", report.major, report.minor, report.micro);
    if (report.major, report.minor) < MIN_VERSION {
        return Err(PythonError::TooOld {
            interpreter: name,
            version,
        });
    }
    Ok(PythonInfo {
        interpreter: interpreter.to_path_buf(),
        version,
        free_threaded: report.free_threaded,
    })
}

/// Runs `python -c script args…` with a time limit: its exit status,
/// stdout and stderr (short: the scripts print a line or a traceback).
fn run_script(
    interpreter: &Path,
    script: &str,
    args: &[&str],
) -> Result<(std::process::ExitStatus, String, String), PythonError> {
    let name = interpreter.display().to_string();
    let broken = |reason: String| PythonError::Broken {
        interpreter: name.clone(),
        reason,
    };
    let mut child = Command::new(interpreter)
        .args(["-c", script])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound if interpreter.components().count() > 1 => {
                PythonError::Missing(name.clone())
            }
            std::io::ErrorKind::NotFound => PythonError::NotOnPath(name.clone()),
            _ => broken(e.to_string()),
        })?;
    // The probe's output is a line or a short traceback: it fits in the
    // pipes, so waiting before reading cannot deadlock.
    let deadline = Instant::now() + PROBE_TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(broken(format!(
                    "no answer within {} s",
                    PROBE_TIMEOUT.as_secs()
                )));
            }
            Err(e) => return Err(broken(e.to_string())),
        }
    };
    let stdout = child.stdout.take().map(drain).unwrap_or_default();
    let stderr = child.stderr.take().map(drain).unwrap_or_default();
    Ok((status, stdout, stderr))
}

/// What an exited child left in its pipe, without waiting for the pipe to
/// close: a wrapper's background child may hold it open for ever.
fn drain<P: Read + std::os::fd::AsFd>(mut pipe: P) -> String {
    let mut bytes = Vec::new();
    if crate::platform::set_nonblocking(&pipe).is_ok() {
        let mut chunk = [0u8; 8192];
        loop {
            match pipe.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => bytes.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Whether `interpreter` can import `module` (found, not imported: an
/// import could start MPI). Asked once per interpreter and module.
pub fn has_module(interpreter: &Path, module: &str) -> bool {
    static CACHE: OnceLock<Mutex<HashMap<(PathBuf, String), bool>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Mutex::default);
    let key = (interpreter.to_path_buf(), module.to_string());
    if let Some(known) = cache.lock().ok().and_then(|map| map.get(&key).copied()) {
        return known;
    }
    let script =
        "import importlib.util, sys; sys.exit(0 if importlib.util.find_spec(sys.argv[1]) else 3)";
    let found =
        run_script(interpreter, script, &[module]).is_ok_and(|(status, _, _)| status.success());
    if let Ok(mut map) = cache.lock() {
        map.insert(key, found);
    }
    found
}

/// Every `python3` on PATH, as a path, in PATH order.
fn python3_on_path() -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join(DEFAULT_INTERPRETER))
                .filter(|candidate| candidate.is_file())
                .collect()
        })
        .unwrap_or_default();
    found.dedup();
    found
}

/// The interpreter for a model that needs `module`: `configured` if it
/// has it, else the first `python3` on PATH that has it (a pyenv python
/// first on PATH may lack what Debian installed for /usr/bin/python3).
fn with_module(configured: PythonInfo, module: &str) -> Result<PythonInfo, PythonError> {
    if has_module(&configured.interpreter, module) {
        return Ok(configured);
    }
    let others = python3_on_path();
    others
        .iter()
        .filter(|candidate| has_module(candidate, module))
        .find_map(|candidate| probe(candidate).ok())
        .ok_or_else(|| {
            let mut tried = vec![configured.interpreter.display().to_string()];
            tried.extend(others.iter().map(|p| p.display().to_string()));
            tried.dedup();
            PythonError::NoModule {
                module: module.to_string(),
                tried,
            }
        })
}

/// Where `scripts/build-free-threaded-python.sh` puts its interpreter:
/// `bin/python3.13t` under `$CORESCOPE_FREE_THREADED_DIR`, else under
/// `${XDG_CACHE_HOME:-$HOME/.cache}/corescope/python3.13t`. `None` without
/// any of these variables.
pub fn built_free_threaded() -> Option<PathBuf> {
    let dir = std::env::var_os(FREE_THREADED_DIR_VAR)
        .filter(|value| !value.is_empty())
        .map(PathBuf::from)
        .or_else(|| cache_folder().map(|cache| cache.join("python3.13t")))?;
    Some(dir.join("bin").join("python3.13t"))
}

/// corescope's folder for what it builds or writes out to run:
/// `${XDG_CACHE_HOME:-$HOME/.cache}/corescope`. `None` without either
/// variable.
pub fn cache_folder() -> Option<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty());
    var("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| var("HOME").map(|home| Path::new(&home).join(".cache")))
        .map(|cache| cache.join("corescope"))
}

/// The interpreter that runs `model`: the configured one, or for
/// `python-threads-nogil` a free-threaded one (the configured one if it is,
/// else the first free-threaded name on PATH, else the built one), or
/// for a model that needs a module (`python-mpi`: mpi4py) one that has it.
pub fn interpreter_for(model: Model, configured: &Path) -> Result<PythonInfo, PythonError> {
    let info = probe(configured)?;
    let module = model.info().requires.iter().find_map(|r| match r {
        Requirement::PythonModule(module) => Some(*module),
        _ => None,
    });
    if let Some(module) = module {
        return with_module(info, module);
    }
    let needs_free_threaded = model
        .info()
        .requires
        .contains(&Requirement::FreeThreadedPython);
    if !needs_free_threaded || info.free_threaded {
        return Ok(info);
    }
    let built = built_free_threaded();
    FREE_THREADED_NAMES
        .iter()
        .map(PathBuf::from)
        .chain(built.clone())
        .filter_map(|candidate| probe(&candidate).ok())
        .find(|found| found.free_threaded)
        .ok_or_else(|| PythonError::NoFreeThreaded {
            interpreter: info.interpreter.display().to_string(),
            built: built.map_or_else(
                || format!("python3.13t (no HOME: set {FREE_THREADED_DIR_VAR})"),
                |path| path.display().to_string(),
            ),
        })
}

/// The last `n` non-empty lines of `text`, joined with " | ".
pub fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect();
    lines[lines.len().saturating_sub(n)..].join(" | ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_interpreter_is_named_with_the_way_out() {
        let err = probe(Path::new("corescope-no-such-python")).unwrap_err();
        // The way out is named by each front end; here as the command line
        // names it.
        assert_eq!(
            err.worded(|_| "--python"),
            "corescope-no-such-python not found on PATH (set --python)"
        );
        let err = probe(Path::new("/nonexistent/python3")).unwrap_err();
        assert!(matches!(err, PythonError::Missing(_)), "{err}");
    }

    #[test]
    fn every_harness_module_says_what_it_holds_and_the_script_ends_by_starting() {
        for (name, text) in HARNESS_MODULES {
            assert!(
                text.starts_with("\"\"\""),
                "{name} opens without a docstring"
            );
            assert!(HARNESS.contains(text), "{name} is not in the script");
        }
        let (last, text) = HARNESS_MODULES[HARNESS_MODULES.len() - 1];
        assert!(text.contains("if __name__ == \"__main__\":"), "{last}");
        // The start is the script's last statement: every module is defined
        // before it runs.
        let start = HARNESS.find("if __name__ == ").unwrap();
        assert_eq!(HARNESS.matches("if __name__ == ").count(), 1);
        assert!(start > HARNESS.find("class ThreadModels").unwrap());
        assert!(start > HARNESS.find("def mpi_main").unwrap());
    }

    #[test]
    fn the_harness_is_valid_python() {
        // Compiles the joined script without running it.
        let checked = Command::new(DEFAULT_INTERPRETER)
            .args([
                "-c",
                "import sys; compile(sys.stdin.read(), 'harness', 'exec')",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn();
        let python = crate::require::Part::Python;
        let Some(mut child) = crate::require::require(python, checked) else {
            return;
        };
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(HARNESS.as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    #[test]
    fn last_lines_keeps_the_end() {
        assert_eq!(last_lines("a\n\nb\nc\n", 2), "b | c");
        assert_eq!(last_lines("", 2), "");
    }
}
