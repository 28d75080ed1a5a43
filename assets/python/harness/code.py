"""--code FILE.py:FUNCTION: the user's own function as the workload.

The file is imported by path (its folder first on sys.path, under its own
name, so that what it defines pickles by reference) once per process: in the
harness, and again in every worker that does not inherit it (spawn, MPI
ranks). Task i calls FUNCTION(i), or FUNCTION(x) for the i-th x of the file's
inputs(), read once in the harness: the arguments travel with the jobs and
the results come back through the pool, so what crosses a process boundary
is counted as for the built-in workloads. An async def is awaited on the
asyncio models and run with asyncio.run per task on the others.

Each result is digested (SHA-256 of pickle.dumps(result, protocol=4)) in the
harness after the clock stops; a repetition's digest is the SHA-256 of its
tasks' digests sorted, so models that finish tasks in another order agree on
a pure function. corescope runs the harness with PYTHONHASHSEED=0, so sets of
strings pickle alike in every process.

A problem is raised as code_error(message): one line that report() prints as
it is (which task, its exception's last line, and what to change).
"""

import hashlib
import os
import pickle
import sys
import time

# Messages that name a problem of the user's code start with this.
CODE_MARK = "corescope-code: "
# Importing the file in a spawned worker that takes longer than this, or
# prints, is said: module-level code runs again in every such worker.
REIMPORT_SECONDS = 0.2

_CODE = None
_CODE_ASYNC = False
_CODE_INPUTS = False
_CODE_NOTE = None
# Where the protocol's lines go, and come from, once stdout and stdin are
# taken from the user's code.
_PROTOCOL = None
_PROTOCOL_IN = None


def code_error(message):
    return RuntimeError(CODE_MARK + message)


def keep_protocol_apart():
    """The user's prints (and any worker's) go to stderr, which corescope
    keeps the bounded tail of, and its reads of stdin find nothing; the
    protocol keeps the real stdout and stdin. (corescope sends nothing after
    the spec line until the harness is ready, so stdin's buffer holds no
    line of it yet.)"""
    global _PROTOCOL, _PROTOCOL_IN
    _PROTOCOL = os.fdopen(os.dup(1), "w")
    sys.stdout.flush()
    os.dup2(2, 1)
    _PROTOCOL_IN = os.fdopen(os.dup(0), "r")
    nothing = os.open(os.devnull, os.O_RDONLY)
    os.dup2(nothing, 0)
    os.close(nothing)


class _Counting:
    """A stream that counts what is written through it."""

    def __init__(self, inner):
        self.inner = inner
        self.written = 0

    def write(self, text):
        self.written += len(text)
        return self.inner.write(text)

    def __getattr__(self, name):
        return getattr(self.inner, name)


def load_code(spec, worker=False):
    """Imports the file and finds the function, once per process; in a
    worker that imports it afresh, notes module-level code that printed or
    took long."""
    global _CODE, _CODE_ASYNC, _CODE_INPUTS, _CODE_NOTE
    if _CODE is not None:
        return _CODE
    import importlib.util
    import inspect

    target = spec["code"]
    path = os.path.abspath(target["file"])
    name = os.path.splitext(os.path.basename(path))[0]
    module = sys.modules.get(name)
    if module is not None and os.path.abspath(getattr(module, "__file__", "") or "") != path:
        raise code_error(
            "%s has the name of the module %s, which corescope's harness uses: rename the file"
            % (target["file"], name)
        )
    if module is None:
        folder = os.path.dirname(path)
        if folder not in sys.path:
            sys.path.insert(0, folder)
        module_spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[name] = module
        out, err = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = _Counting(out), _Counting(err)
        start = time.monotonic()
        try:
            module_spec.loader.exec_module(module)
        except BaseException as error:
            del sys.modules[name]
            raise code_error("importing %s raised %s" % (target["file"], last_line(error)))
        finally:
            printed = sys.stdout.written + sys.stderr.written
            sys.stdout, sys.stderr = out, err
        took = time.monotonic() - start
        if worker and (printed or took > REIMPORT_SECONDS):
            what = "printed" if printed else "took %.1f s" % took
            _CODE_NOTE = (
                "the module-level code of %s runs again in every spawned worker (it %s): "
                # (Split so the harness's own start stays its one guard.)
                "move it under `if __name__ " "== \"__main__\":` or into a function"
                % (target["file"], what)
            )
    function = getattr(module, target["function"], None)
    if not callable(function):
        raise code_error("%s has no function %s()" % (target["file"], target["function"]))
    _CODE = function
    _CODE_ASYNC = inspect.iscoroutinefunction(function)
    _CODE_INPUTS = callable(getattr(module, "inputs", None))
    return function


def code_inputs(spec):
    """Each task's argument: inputs() once, or the task indices."""
    module = sys.modules[os.path.splitext(os.path.basename(spec["code"]["file"]))[0]]
    if not _CODE_INPUTS:
        return list(range(spec["tasks"]))
    try:
        inputs = list(module.inputs())
    except Exception as error:
        raise code_error("inputs() raised %s" % last_line(error))
    if len(inputs) != spec["tasks"]:
        raise code_error(
            "inputs() gave %d inputs this time and %d when corescope counted them: "
            "it must give the same ones every call" % (len(inputs), spec["tasks"])
        )
    return inputs


def check_arguments(spec, inputs):
    """Process models: every argument must pickle, said before any clock."""
    for index, x in enumerate(inputs):
        try:
            pickle.dumps(x, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as error:
            raise code_error(
                "the argument of task %d (%s) cannot be pickled (%s): under %s each argument "
                "crosses to a worker process as a pickle, the price of isolation; make "
                "inputs() give plain data (numbers, strings, bytes, lists, dicts) or use "
                "python-threads" % (index, shown(x), last_line(error), spec["model"])
            )


def call_code(index, x):
    """Task `index`: FUNCTION(x), an async def through asyncio.run."""
    try:
        if _CODE_ASYNC:
            import asyncio

            return asyncio.run(_CODE(x))
        return _CODE(x)
    except Exception as error:
        raise code_error(task_failure(index, x, error))


async def call_code_async(index, x):
    """Task `index` of an async def on an event loop: awaited."""
    try:
        return await _CODE(x)
    except Exception as error:
        raise code_error(task_failure(index, x, error))


def task_failure(index, x, error):
    """Which task raised what, and where in the user's file."""
    import traceback

    where = ""
    frames = traceback.extract_tb(error.__traceback__)
    if frames:
        last = frames[-1]
        where = " (%s, line %d)" % (os.path.basename(last.filename), last.lineno)
    name = getattr(_CODE, "__name__", "the function")
    return "task %d: %s(%s) raised %s%s" % (index, name, shown(x), last_line(error), where)


def result_failure(model, error):
    """An error of the pool's: a result that could not be pickled is the
    price of isolation; anything else is said as it is."""
    text = str(error)
    if text.startswith(CODE_MARK):
        return error
    if "pickl" in text.lower() or "MaybeEncodingError" in type(error).__name__:
        # multiprocessing.Pool wraps the reason with the whole result.
        reason = getattr(error, "exc", error)
        if isinstance(reason, str):
            # The exception's repr, Type("message"): said as Type: message.
            import re

            parts = re.match(r"^(\w+)\((['\"])(.*)\2\)$", reason)
            reason = "%s: %s" % (parts.group(1), parts.group(3)) if parts else reason
        else:
            reason = last_line(reason)
        return code_error(
            "a result cannot be pickled (%s): under %s each result crosses back from a "
            "worker process as a pickle, the price of isolation; return plain data "
            "(numbers, strings, bytes, lists, dicts) or use python-threads" % (reason, model)
        )
    return error


def last_line(error):
    """An exception's last traceback line: `Type: message`."""
    text = str(error).strip().splitlines()
    name = type(error).__name__
    return "%s: %s" % (name, text[-1]) if text else name


def shown(x):
    text = repr(x)
    return text if len(text) <= 40 else text[:37] + "..."


def digest_of(results):
    """The repetition's digest: SHA-256 of its results' digests, sorted."""
    digests = []
    for result in results:
        try:
            data = pickle.dumps(result, protocol=4)
        except Exception:
            # No boundary was crossed (threads): the type stands for it.
            data = b"unpicklable " + type(result).__qualname__.encode()
        digests.append(hashlib.sha256(data).digest())
    return hashlib.sha256(b"".join(sorted(digests))).hexdigest()


def code_ready():
    """What the ready line says about the function."""
    return {"is_async": _CODE_ASYNC, "inputs": _CODE_INPUTS, "note": _CODE_NOTE}


def adopt_note(note):
    """A worker's note about re-running the file's module-level code."""
    global _CODE_NOTE
    if note and not _CODE_NOTE:
        _CODE_NOTE = note
