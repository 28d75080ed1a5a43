//! Reading a `--code` file before anything runs: [`prepare`] checks that
//! it is Python and defines the function, with the interpreter's own `ast`
//! (the file is parsed, not run), and where the file has an `inputs()`
//! function, calls it once to learn the task count. Each problem is a
//! [`SpecError`] on `--code` (or `--tasks`, `--scaling`): one line, exit
//! status 2 on the command line.

use std::path::Path;

use serde::Deserialize;

use super::{PythonError, run_script};
use crate::limits::MAX_TASKS;
use crate::model::Model;
use crate::settings::Setting;
use crate::settings::values::Scaling;
use crate::spec::{ExperimentSpec, RawExperiment, SpecError};
use crate::workload::CodeTarget;

/// The start of every script that reads a file (`sys.argv[1]`) without
/// running it: `answer(**fields)` prints one JSON line and exits; the file
/// is read and parsed into `tree`, or what is wrong with it is answered;
/// `takes_one(node)` says whether a `def` can be called with one argument.
pub(super) const READ_TREE: &str = r#"
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
    if "unicode error" in str(e.msg) or "UTF-8" in str(e.msg):
        answer(error="%s is not a Python file (it is not UTF-8 text)" % path)
    answer(error="%s is not valid Python: line %s: %s" % (path, e.lineno, e.msg))
except (ValueError, UnicodeError) as e:
    answer(error="%s is not a Python file: %s" % (path, e))
def takes_one(node):
    a = node.args
    positional = getattr(a, "posonlyargs", []) + a.args
    required = len(positional) - len(a.defaults)
    kw_required = sum(1 for d in a.kw_defaults if d is None)
    return (len(positional) >= 1 or a.vararg is not None) and required <= 1 and kw_required == 0
"#;

/// After [`READ_TREE`]: what the file says of function `sys.argv[2]`.
const INSPECT: &str = r#"
name = sys.argv[2]
defs = (ast.FunctionDef, ast.AsyncFunctionDef)
functions = {n.name: n for n in tree.body if isinstance(n, defs)}
if name not in functions:
    if functions:
        answer(error="%s has no function %s(); it defines %s" % (path, name, ", ".join(sorted(functions))))
    answer(error="%s has no function %s(); it defines no function at its top level" % (path, name))
node = functions[name]
answer(is_async=isinstance(node, ast.AsyncFunctionDef), inputs="inputs" in functions, takes_one=takes_one(node))
"#;

/// The start of every script that imports the file (`sys.argv[1]`): the
/// answer goes to a copy of stdout, the module's own prints nowhere;
/// `load()` imports it as its own module, its folder first on the path.
pub(super) const IMPORT_QUIETLY: &str = r#"
import importlib.util, json, os, sys
path = os.path.abspath(sys.argv[1])
answer = os.dup(1)
quiet = os.open(os.devnull, os.O_WRONLY)
os.dup2(quiet, 1)
os.dup2(quiet, 2)
sys.path.insert(0, os.path.dirname(path))
def load():
    name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
def say(out):
    os.write(answer, (json.dumps(out) + "\n").encode())
    os._exit(0)
"#;

/// After [`IMPORT_QUIETLY`]: counts `inputs()`.
const COUNT: &str = r#"
try:
    out = {"count": len(list(load().inputs()))}
except BaseException as e:
    text = str(e).splitlines()[0] if str(e) else ""
    out = {"error": "%s: %s" % (type(e).__name__, text) if text else type(e).__name__}
say(out)
"#;

/// What the `ast` reading found.
#[derive(Debug, Deserialize)]
struct Inspected {
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    is_async: bool,
    #[serde(default)]
    inputs: bool,
    #[serde(default)]
    takes_one: bool,
}

/// What counting `inputs()` gave.
#[derive(Debug, Deserialize)]
struct Counted {
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    count: Option<u64>,
}

/// Checks a `--code` experiment's file with `python` and settles what
/// depends on it: the task count (`inputs()`'s length), and the models
/// when none were named (python-asyncio added for an `async def`). Does
/// nothing for other experiments. An interpreter that cannot run is left
/// to the runner, which refuses the models with the reason.
pub fn prepare(
    raw: &RawExperiment,
    spec: &mut ExperimentSpec,
    python: &Path,
) -> Result<(), SpecError> {
    let Some(code) = spec.workloads.iter().find_map(|p| p.spec.code) else {
        return Ok(());
    };
    let target = code.target();
    let refuse = |message: String| SpecError::new(Setting::Code, message);
    let Ok(found) = ask::<Inspected>(python, &[READ_TREE, INSPECT], target) else {
        return Ok(());
    };
    if let Some(error) = found.error {
        return Err(refuse(error));
    }
    if !found.takes_one {
        return Err(refuse(format!(
            "{}() must take one argument: corescope calls {0}(i) with the task's index, \
             or {0}(x) for each x of inputs()",
            target.function
        )));
    }
    if found.is_async && raw.get(Setting::Models).is_none() {
        spec.models.push(Model::PythonAsyncio);
    }
    if found.inputs {
        let tasks = count_inputs(python, target)?;
        if let Some(given) = raw.count(Setting::Tasks)?
            && given != u64::from(tasks)
        {
            return Err(SpecError::new(
                Setting::Tasks,
                format!(
                    "{} has inputs(), which sets the task count ({tasks}); drop --tasks",
                    target.file.display()
                ),
            ));
        }
        if spec.scaling == Scaling::Weak {
            return Err(SpecError::new(
                Setting::Scaling,
                "weak scaling grows the task count with the workers; inputs() fixes it: \
                 use strong scaling",
            ));
        }
        for plan in &mut spec.workloads {
            plan.spec.tasks = tasks;
        }
    }
    Ok(())
}

/// `len(list(inputs()))`, within the task bounds.
fn count_inputs(python: &Path, target: &CodeTarget) -> Result<u32, SpecError> {
    let refuse = |message: String| SpecError::new(Setting::Code, message);
    let counted = ask::<Counted>(python, &[IMPORT_QUIETLY, COUNT], target).map_err(|e| {
        refuse(format!(
            "inputs() of {} could not be counted: {e}",
            target.file.display()
        ))
    })?;
    if let Some(error) = counted.error {
        return Err(refuse(format!(
            "importing {} and calling inputs() raised {error}",
            target.file.display()
        )));
    }
    match counted.count.unwrap_or(0) {
        0 => Err(refuse(format!(
            "inputs() of {} gave no input: nothing to run",
            target.file.display()
        ))),
        n if n > u64::from(MAX_TASKS) => Err(refuse(format!(
            "inputs() of {} gave {n} inputs; a run holds at most {MAX_TASKS} tasks",
            target.file.display()
        ))),
        n => Ok(u32::try_from(n).unwrap_or(MAX_TASKS)),
    }
}

/// Runs `script FILE FUNCTION` and reads its one JSON line.
fn ask<T: serde::de::DeserializeOwned>(
    python: &Path,
    script: &[&str],
    target: &CodeTarget,
) -> Result<T, PythonError> {
    let file = target.file.to_string_lossy();
    ask_json(python, script, &[&file, &target.function])
}

/// Runs the script made of the pieces of `script` with `args` and reads
/// its one JSON line (the last line of its stdout).
pub(super) fn ask_json<T: serde::de::DeserializeOwned>(
    python: &Path,
    script: &[&str],
    args: &[&str],
) -> Result<T, PythonError> {
    let (status, stdout, stderr) = run_script(python, &script.concat(), args)?;
    let line = stdout.lines().rev().find(|l| !l.trim().is_empty());
    match line.and_then(|l| serde_json::from_str(l).ok()) {
        Some(answer) if status.success() => Ok(answer),
        _ => Err(PythonError::Broken {
            interpreter: python.display().to_string(),
            reason: super::last_lines(&stderr, 1),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::require::{Part, require};

    /// A validated `--code` experiment on `source`, prepared with python3.
    fn prepared(
        source: &str,
        extra: &[(Setting, &str)],
    ) -> Option<Result<ExperimentSpec, SpecError>> {
        let python = Path::new(super::super::DEFAULT_INTERPRETER);
        require(Part::Python, super::super::probe(python))?;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("work.py");
        std::fs::write(&file, source).unwrap();
        let code = format!("{}:f", file.display());
        let mut raw = RawExperiment::of([(Setting::Code, code.as_str())]);
        for (setting, text) in extra {
            raw = raw.with(*setting, *text);
        }
        let mut spec = raw.validate(&[2]).unwrap();
        Some(prepare(&raw, &mut spec, python).map(|()| spec))
    }

    #[test]
    fn inputs_set_the_task_count_and_an_async_def_adds_asyncio() {
        let source =
            "print('hi')\ndef inputs():\n    return 'abc'\nasync def f(x):\n    return x\n";
        let Some(spec) = prepared(source, &[]) else {
            return;
        };
        let spec = spec.unwrap();
        assert_eq!(spec.workloads[0].spec.tasks, 3);
        assert!(spec.models.contains(&Model::PythonAsyncio));
        let err = prepared(source, &[(Setting::Tasks, "5")])
            .unwrap()
            .unwrap_err();
        assert_eq!(err.setting, Setting::Tasks);
        assert!(err.message.contains("sets the task count (3)"), "{err}");
        let raising = "def inputs():\n    raise ValueError('no data')\ndef f(x):\n    return x\n";
        let err = prepared(raising, &[]).unwrap().unwrap_err();
        assert!(
            err.message
                .ends_with("calling inputs() raised ValueError: no data"),
            "{err}"
        );
    }
}
