"""The harness's start: the model's pool, then the conversation.

`--mpi` makes this process one rank of a python-mpi job (mpi.py); otherwise
the first line of stdin names the model, whose pool is started and served
until stdin closes.
"""

import json
import os
import sys
import traceback

THREAD_MODELS = ("python-serial", "python-threads", "python-threads-nogil")
ASYNC_MODELS = ("python-asyncio", "python-asyncio+processes")


def pool_of(run):
    """The pool of the run's model, started."""
    if run["model"] in ASYNC_MODELS:
        return AsyncPool(run)
    if run["model"] in THREAD_MODELS:
        return ThreadModels(run)
    return ProcessModels(run)


def main():
    die_with_parent()
    main_from_descriptor()
    run = run_of(json.loads(sys.stdin.readline()))
    if run["workload"] == "code":
        keep_protocol_apart()
        load_code(run)
    pool = pool_of(run)
    ready = {
        "type": "ready",
        "spawn_ns": pool.spawn_ns,
        "pid": os.getpid(),
        "version": sys.version.split()[0],
        "gil_enabled": getattr(sys, "_is_gil_enabled", lambda: True)(),
        "worker_pids": list(pool.keys) if pool.process else [],
    }
    if run["workload"] == "code":
        ready["code"] = code_ready()
    serve(pool, ready)


if __name__ == "__main__":
    if "--mpi" in sys.argv[1:]:
        mpi_main()
    else:
        try:
            main()
        except BaseException as error:
            traceback.print_exc()
            report(error)
            sys.exit(1)
