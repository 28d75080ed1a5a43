//! Whether a model can run on this machine, and why not: the one place
//! that reads a model's [`Requirement`]s against what is installed.
//!
//! The runner calls [`check_all`] before anything runs, so no front end
//! can forget it; the GUI calls [`check`] to grey out a model's checkbox
//! with the reason, and the CLI prints the runner's refusal.

use std::path::Path;

use crate::model::{Model, Requirement};
use crate::python::{self, PythonError};
use crate::remedy::{Remedied, Remedy};

/// Why a model cannot run here.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unavailable {
    #[error("{model} needs python: {source}")]
    Python { model: Model, source: PythonError },
    #[error("{model} needs {launcher} on PATH")]
    Launcher {
        model: Model,
        launcher: &'static str,
    },
    #[error("{model} needs corescope built with `--features {feature}`")]
    Feature { model: Model, feature: &'static str },
}

impl Unavailable {
    /// The model that cannot run.
    pub fn model(&self) -> Model {
        match self {
            Unavailable::Python { model, .. }
            | Unavailable::Launcher { model, .. }
            | Unavailable::Feature { model, .. } => *model,
        }
    }
}

impl Remedied for Unavailable {
    /// Another interpreter may get past a python model's refusal; a
    /// launcher or a feature is installed or built, not set.
    fn remedy(&self) -> Option<Remedy> {
        match self {
            Unavailable::Python { source, .. } => source.remedy(),
            Unavailable::Launcher { .. } | Unavailable::Feature { .. } => None,
        }
    }
}

/// Whether `model` can run with the interpreter `python` (a name on PATH or
/// a path), and if not, why.
pub fn check(model: Model, python: &Path) -> Result<(), Unavailable> {
    for requirement in model.info().requires {
        match *requirement {
            Requirement::Python
            | Requirement::FreeThreadedPython
            | Requirement::PythonModule(_) => {
                python::interpreter_for(model, python)
                    .map_err(|source| Unavailable::Python { model, source })?;
            }
            Requirement::Launcher(launcher) => {
                if !on_path(launcher) {
                    return Err(Unavailable::Launcher { model, launcher });
                }
            }
            Requirement::Feature { name, built } => {
                if !built {
                    return Err(Unavailable::Feature {
                        model,
                        feature: name,
                    });
                }
            }
        }
    }
    Ok(())
}

/// The first model of `models` that cannot run, with the reason.
pub fn check_all(models: &[Model], python: &Path) -> Result<(), Unavailable> {
    models.iter().try_for_each(|&model| check(model, python))
}

/// The interpreter every python model of `models` runs on, so that each
/// is measured against a python-serial of the same interpreter: the
/// configured `python`, or, where a model needs another (a free-threaded
/// build for python-threads-nogil, mpi4py for python-mpi) that can run
/// every python model of the set, that one. A free-threaded build runs
/// the GIL-bound models with their GIL turned back on (see
/// [`crate::engine::python`]). Left as configured where no one
/// interpreter serves all of them: each model then finds its own, and the
/// CLI and the window say which ran which.
pub fn shared_interpreter(models: &[Model], python: &Path) -> std::path::PathBuf {
    let special = |model: &Model| {
        model.info().requires.iter().any(|r| {
            matches!(
                r,
                Requirement::FreeThreadedPython | Requirement::PythonModule(_)
            )
        })
    };
    let python_models: Vec<Model> = models
        .iter()
        .copied()
        .filter(|m| m.info().requires.contains(&Requirement::Python) || special(m))
        .collect();
    let candidates = python_models
        .iter()
        .filter(|m| special(m))
        .filter_map(|&m| python::interpreter_for(m, python).ok());
    for candidate in candidates {
        let serves_all = python_models.iter().all(|&m| {
            python::interpreter_for(m, &candidate.interpreter)
                .is_ok_and(|found| found.interpreter == candidate.interpreter)
        });
        if serves_all {
            return candidate.interpreter;
        }
    }
    python.to_path_buf()
}

/// Whether `program` is an executable file in a folder on PATH.
fn on_path(program: &str) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| {
            std::fs::metadata(dir.join(program))
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_interpreter_makes_python_models_unavailable_with_the_reason() {
        let missing = Path::new("corescope-no-such-python");
        let err = check_all(&[Model::Serial, Model::PythonThreads], missing).unwrap_err();
        assert_eq!(err.model(), Model::PythonThreads);
        assert!(
            err.to_string()
                .starts_with("python-threads needs python: corescope-no-such-python not found"),
            "{err}"
        );
        // corescope's own models never need python.
        assert!(check_all(&[Model::Threads, Model::Processes], missing).is_ok());
    }

    #[test]
    fn launchers_are_looked_up_on_path() {
        assert!(on_path("sh"));
        assert!(!on_path("corescope-no-such-launcher"));
    }
}
