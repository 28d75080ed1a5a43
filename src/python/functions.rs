//! What the window asks of a Python file before a `--code` sweep: the
//! functions it defines ([`functions`], read with `ast`: the file is
//! parsed, not run), and how long one call of the chosen one takes
//! ([`time_one_call`]: the file imported and the function called once, as
//! task 0 would be, its prints sent nowhere). Both run the interpreter as
//! a child with the probes' time limit, killed and reaped past it; callers
//! run them off the UI thread.

use std::path::Path;

use serde::Deserialize;

use super::run_script;
use crate::workload::CodeTarget;

/// Lists the top-level functions with `ast`, as one JSON line.
const LIST_SCRIPT: &str = r#"
import ast, json, sys
path = sys.argv[1]
def answer(**fields):
    print(json.dumps(fields))
    sys.exit(0)
try:
    with open(path, "rb") as f:
        source = f.read()
except OSError as e:
    answer(error="%s cannot be read: %s" % (path, e.strerror))
if b"\0" in source:
    answer(error="%s is not a Python file (it holds binary data)" % path)
try:
    tree = ast.parse(source, filename=path)
except SyntaxError as e:
    answer(error="%s is not valid Python: line %s: %s" % (path, e.lineno, e.msg))
except (ValueError, UnicodeError) as e:
    answer(error="%s is not a Python file: %s" % (path, e))
found = []
for n in tree.body:
    if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name != "inputs":
        a = n.args
        positional = getattr(a, "posonlyargs", []) + a.args
        required = len(positional) - len(a.defaults)
        kw_required = sum(1 for d in a.kw_defaults if d is None)
        takes_one = (len(positional) >= 1 or a.vararg is not None) and required <= 1 and kw_required == 0
        found.append({"name": n.name, "line": n.lineno, "is_async": isinstance(n, ast.AsyncFunctionDef), "takes_one": takes_one})
answer(functions=found[:200])
"#;

/// Imports the file (its prints sent nowhere) and times one call of the
/// function with task 0's argument.
const TIME_SCRIPT: &str = r#"
import asyncio, importlib.util, inspect, json, os, sys, time, traceback
path, name = os.path.abspath(sys.argv[1]), sys.argv[2]
answer = os.dup(1)
quiet = os.open(os.devnull, os.O_WRONLY)
os.dup2(quiet, 1)
os.dup2(quiet, 2)
sys.path.insert(0, os.path.dirname(path))
module_name = os.path.splitext(os.path.basename(path))[0]
def line(e):
    text = str(e).splitlines()[0] if str(e) else ""
    where = traceback.extract_tb(e.__traceback__)
    at = " (line %d)" % where[-1].lineno if where else ""
    return ("%s: %s" % (type(e).__name__, text) if text else type(e).__name__) + at
try:
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
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
os.write(answer, (json.dumps(out) + "\n").encode())
os._exit(0)
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
    let listed: Listed = ask(python, LIST_SCRIPT, &[&file.to_string_lossy()])?;
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
    let timed: Timed = ask(python, TIME_SCRIPT, &[&file, &target.function])?;
    match (timed.error, timed.seconds) {
        (Some(error), _) => Err(format!("{}(…) raised {error}", target.function)),
        (None, Some(seconds)) => Ok(seconds),
        (None, None) => Err("the interpreter gave no time".to_string()),
    }
}

/// Runs `script` with `args` and reads its one JSON line.
fn ask<T: serde::de::DeserializeOwned>(
    python: &Path,
    script: &str,
    args: &[&str],
) -> Result<T, String> {
    let (status, stdout, stderr) = run_script(python, script, args).map_err(|e| e.to_string())?;
    let line = stdout.lines().rev().find(|l| !l.trim().is_empty());
    match line.and_then(|l| serde_json::from_str(l).ok()) {
        Some(answer) if status.success() => Ok(answer),
        _ => Err(format!(
            "{} could not read it: {}",
            python.display(),
            super::last_lines(&stderr, 1)
        )),
    }
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
