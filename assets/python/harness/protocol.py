"""corescope's CPython harness: the same workloads, run by CPython's own tools.

corescope embeds the harness's modules, joins them into one script in the
order src/python.rs lists them, writes it to a temporary file and runs it with
the interpreter it was given. Only the standard library is used (CPython 3.8+).
The modules share the script's one namespace: each may use what another
defines, since nothing runs before the last one starts the harness.

  protocol.py        this conversation with corescope (the lines, the run)
  workloads.py       the tasks, bit for bit as corescope computes them
  code.py            --code: the user's own function as the workload
  pools.py           what every pool shares: the worker side, the repetition
  threads.py         python-serial, python-threads, python-threads-nogil
  processes.py       python-processes, python-executor, python-queue
  asyncio_models.py  python-asyncio, python-asyncio+processes
  mpi.py             python-mpi
  main.py            picks the model's pool and starts

Protocol (one JSON object per line):
  stdin, first line:  the run spec (corescope's RunSpec as JSON)
  stdout:             {"type": "ready", ...} once the pool is started
  stdin:              "rep" -> stdout: {"type": "task", ...} per finished task,
                      then one {"type": "rep", ...} with the repetition's figures
  stdin closed:       the pool is shut down and the harness exits 0
A Python error prints its traceback on stderr, a {"type": "error"} line on
stdout, and exits 1.

Times are time.monotonic_ns() (CLOCK_MONOTONIC on Linux, the clock corescope
itself stamps spans on) and time.process_time_ns() for CPU time.
"""

import json
import os
import sys
import threading

# One line at a time: the worker watch (processes.py) reports from a thread
# of its own while the main thread reports tasks.
_EMIT = threading.Lock()


def emit(message):
    line = json.dumps(message, separators=(",", ":")) + "\n"
    out = _PROTOCOL or sys.stdout
    with _EMIT:
        out.write(line)
        out.flush()


def main_from_descriptor():
    """corescope hands the script over as an open, nameless file (a memfd,
    /dev/fd/N), so nothing of it outlives the run however corescope ends.
    A spawn or forkserver worker re-imports the main module by path: point
    it at this process's descriptor, readable while this process lives."""
    main = sys.modules["__main__"]
    path = getattr(main, "__file__", None) or ""
    for prefix in ("/dev/fd/", "/proc/self/fd/"):
        if path.startswith(prefix):
            main.__file__ = "/proc/%d/fd/%s" % (os.getpid(), path[len(prefix) :])


def report(error):
    detail = str(error)
    name = type(error).__name__
    if detail.startswith(CODE_MARK):
        # A problem of the user's code, already said in one line.
        emit({"type": "error", "message": detail[len(CODE_MARK) :], "code": True})
        return
    emit({"type": "error", "message": "%s: %s" % (name, detail) if detail else name})


def run_of(spec):
    """The run as the harness uses it: the workload's fields and the model's."""
    run = dict(spec["workload"])
    run.update(
        model=spec["model"],
        workers=spec["workers"],
        schedule=spec["schedule"],
        chunk=spec["chunk"],
        switch_interval_us=spec["switch_interval_us"],
        start_method=spec.get("start_method", "fork"),
        net_port=spec.get("net_port", 0),
        transport=spec.get("transport", "pipe"),
    )
    return run


def die_with_parent():
    """PR_SET_PDEATHSIG(SIGKILL): a harness whose parent is killed goes too."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None).prctl(1, 9)
        except Exception:
            pass


def rep_message(start_ns, end_ns, cpu_ns, tasks, to_workers=0, from_workers=0, messages=0):
    """A repetition as its "rep" line tells it: its start and end on the
    monotonic clock, its CPU time, each task as [index, worker, value,
    start_ns, end_ns], and the bytes and messages its workers were sent and
    sent back."""
    return {
        "type": "rep",
        "start_ns": start_ns,
        "end_ns": end_ns,
        "cpu_ns": cpu_ns,
        "tasks": tasks,
        "bytes_to_workers": to_workers,
        "bytes_from_workers": from_workers,
        "messages": messages,
    }


def serve(pool, ready):
    """Says `ready`, then measures one repetition per "rep" line until stdin
    closes, and shuts the pool down."""
    emit(ready)
    for line in _PROTOCOL_IN or sys.stdin:
        if line.strip() == "rep":
            emit(pool.repetition())
    pool.close()
