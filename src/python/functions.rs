//! What the window asks of a Python file before a `--code` sweep: the
//! functions it defines ([`functions`], read with `ast`: the file is
//! parsed, not run), and how long one call of the chosen one takes
//! ([`time_one_call`]: the file imported and the function called once, as
//! task 0 would be, its prints sent nowhere). Both run the interpreter as
//! a child with the probes' time limit, killed and reaped past it; callers
//! run them off the UI thread.

use std::path::Path;

use serde::Deserialize;

use super::PythonError;
use super::code::{IMPORT_QUIETLY, READ_TREE, ask_json};
use crate::workload::CodeTarget;

/// After [`READ_TREE`]: the top-level functions (`inputs` left out).
const LIST: &str = r#"
found = []
for n in tree.body:
    if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name != "inputs":
        found.append({"name": n.name, "line": n.lineno, "is_async": isinstance(n, ast.AsyncFunctionDef), "takes_one": takes_one(n)})
answer(functions=found[:200])
"#;

/// After [`IMPORT_QUIETLY`]: times one call of function `sys.argv[2]`
/// with task 0's argument.
const TIME: &str = r#"
import asyncio, inspect, time, traceback
name = sys.argv[2]
def line(e):
    text = str(e).splitlines()[0] if str(e) else ""
    where = traceback.extract_tb(e.__traceback__)
    at = " (line %d)" % where[-1].lineno if where else ""
    return ("%s: %s" % (type(e).__name__, text) if text else type(e).__name__) + at
try:
    module = load()
    function = getattr(module, name)
    argument = 0
    if callable(getattr(module, "inputs", None)):
        argument = next(iter(module.inputs()))
    start = time.perf_counter()
    result = function(argument)
    if inspect.iscoroutine(result):
        result = asyncio.run(result)
    out = {"seconds": time.perf_counter() - start}
except BaseException as e:
    out = {"error": line(e)}
say(out)
"#;

/// One function the file defines at its top level.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Function {
    pub name: String,
    /// Its `def` line.
    pub line: u32,
    pub is_async: bool,
    /// Whether it can be called with one argument (corescope's `f(i)`).
    pub takes_one: bool,
}

#[derive(Debug, Deserialize)]
struct Listed {
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    functions: Vec<Function>,
}

#[derive(Debug, Deserialize)]
struct Timed {
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    seconds: Option<f64>,
}

/// The functions `file` defines at its top level (`inputs` left out: it
/// gives the arguments), read by `python` without running the file; or
/// what is wrong, in one line.
pub fn functions(python: &Path, file: &Path) -> Result<Vec<Function>, String> {
    let listed: Listed = ask(python, &[READ_TREE, LIST], &[&file.to_string_lossy()])?;
    match listed.error {
        Some(error) => Err(error),
        None => Ok(listed.functions),
    }
}

/// Seconds one call of `target` takes with task 0's argument (`0`, or the
/// first of `inputs()`), the file imported first (not timed); or the
/// exception it raised, in one line.
pub fn time_one_call(python: &Path, target: &CodeTarget) -> Result<f64, String> {
    let file = target.file.to_string_lossy();
    let timed: Timed = ask(python, &[IMPORT_QUIETLY, TIME], &[&file, &target.function])?;
    match (timed.error, timed.seconds) {
        (Some(error), _) => Err(format!("{}(…) raised {error}", target.function)),
        (None, Some(seconds)) => Ok(seconds),
        (None, None) => Err("the interpreter gave no time".to_string()),
    }
}

/// Runs the script made of `script` with `args` and reads its one JSON
/// line; what went wrong, in a line for the form.
fn ask<T: serde::de::DeserializeOwned>(
    python: &Path,
    script: &[&str],
    args: &[&str],
) -> Result<T, String> {
    ask_json(python, script, args).map_err(|e| match e {
        PythonError::Broken { reason, .. } => {
            format!("{} could not read it: {reason}", python.display())
        }
        other => other.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::require::{Part, require};

    fn python() -> Option<&'static Path> {
        let python = Path::new(super::super::DEFAULT_INTERPRETER);
        require(Part::Python, super::super::probe(python)).map(|_| python)
    }

    #[test]
    fn functions_are_listed_without_running_the_file() {
        let Some(python) = python() else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("work.py");
        let source = "raise SystemExit('never run')\ndef inputs():\n    return [3]\n\
                      def f(x):\n    return x\nasync def g(x, y=1):\n    return x\n\
                      def h():\n    pass\n";
        std::fs::write(&file, source).unwrap();
        let found = functions(python, &file).unwrap();
        let names: Vec<(&str, u32, bool, bool)> = found
            .iter()
            .map(|f| (f.name.as_str(), f.line, f.is_async, f.takes_one))
            .collect();
        assert_eq!(
            names,
            [
                ("f", 4, false, true),
                ("g", 6, true, true),
                ("h", 8, false, false)
            ]
        );
        std::fs::write(&file, "def f(:\n").unwrap();
        let error = functions(python, &file).unwrap_err();
        assert!(error.contains("is not valid Python: line 1"), "{error}");
        let missing = functions(python, &dir.path().join("none.py")).unwrap_err();
        assert!(missing.contains("cannot be read"), "{missing}");
    }

    #[test]
    fn one_call_is_timed_with_task_zeros_argument() {
        let Some(python) = python() else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("work.py");
        let source = "import time\nprint('noise')\ndef inputs():\n    return [0.05]\n\
                      def f(x):\n    time.sleep(x)\n    return x\n\
                      async def g(x):\n    return 1 / x\n";
        std::fs::write(&file, source).unwrap();
        let target = |function: &str| CodeTarget {
            file: file.clone(),
            function: function.to_string(),
        };
        let seconds = time_one_call(python, &target("f")).unwrap();
        assert!(seconds >= 0.05, "{seconds}");
        std::fs::write(&file, source.replace("[0.05]", "[0]")).unwrap();
        let error = time_one_call(python, &target("g")).unwrap_err();
        assert_eq!(
            error,
            "g(…) raised ZeroDivisionError: division by zero (line 9)"
        );
    }
}
