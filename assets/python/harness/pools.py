"""What every pool of the serial, threads and process models shares.

The worker side: init_worker readies a worker (a thread or a process) with the
run, worker_ready forces the whole pool up before the clock starts, run_job runs
one job (a list of tasks) and says which worker ran it and its CPU time. The
parent side: jobs_of cuts the run into jobs by its schedule, and Pool measures a
repetition from the results its subclass yields (threads.py, processes.py).
"""

import os
import threading
import time

_SPEC = None
_BARRIER = None


def init_worker(spec, barrier, process, value=None):
    global _SPEC, _BARRIER, _VALUE
    _SPEC = spec
    _BARRIER = barrier
    _VALUE = value
    if process:
        die_with_parent()
        if spec.get("shm_input"):
            attach_shared(spec)
    if spec["workload"] == "code":
        load_code(spec, worker=process)


def worker_ready(_=None):
    """Blocks until every worker runs one: forces the whole pool up. Says
    what importing --code's file did here, if it is worth saying."""
    _BARRIER.wait(60)
    return os.getpid(), time.process_time_ns(), _CODE_NOTE


def run_job(job):
    """Runs a job (a list of (task index, payload)) on one worker."""
    done = []
    for index, payload in job:
        start = time.monotonic_ns()
        value, out = run_task(_SPEC, index, payload)
        done.append((index, value, start, time.monotonic_ns(), out))
    key = os.getpid() if _SPEC["process"] else threading.get_ident()
    return key, time.process_time_ns(), done


def jobs_of(spec):
    """Task indices per job: chunks (queue) or each worker's chunks (static)."""
    tasks, chunk, workers = spec["tasks"], max(spec["chunk"], 1), spec["workers"]
    chunks = [list(range(s, min(s + chunk, tasks))) for s in range(0, tasks, chunk)]
    if spec["schedule"] == "static" and spec["model"] != "python-serial":
        jobs = [[] for _ in range(workers)]
        for c, indices in enumerate(chunks):
            jobs[c % workers].extend(indices)
        return [j for j in jobs if j]
    return chunks


class Pool:
    """One model's pool, started once and asked for repetitions. A subclass
    sets `workers`, starts its workers (start), yields each job's result as
    it arrives (results_of_rep), counts what crossed to its workers
    (count_traffic) and shuts them down (close)."""

    # Whether the workers are processes: then their CPU time counts and
    # their pids are reported.
    process = False

    def __init__(self, spec, payload):
        self.spec = spec
        self.model = spec["model"]
        spec["process"] = self.process
        self.jobs = [[(i, task_input(spec, payload, i)) for i in indices] for indices in jobs_of(spec)]
        self.cpu = {}
        self.keys = {}
        self.pool = None
        self.value = None
        start = time.monotonic_ns()
        self.start()
        self.spawn_ns = time.monotonic_ns() - start

    def counter(self):
        """The shared counter as the main process reads it."""
        return _COUNTER if self.value is None else self.value.value

    def reset_counter(self):
        global _COUNTER
        _COUNTER = 0
        if self.value is not None:
            self.value.value = 0

    def count_traffic(self, message, results):
        """Adds what crossed to and from the workers to a rep message."""

    def repetition(self):
        self.reset_counter()
        main_cpu = time.process_time_ns()
        cpu_before = dict(self.cpu)
        results = []
        start = time.monotonic_ns()
        for result in self.results_of_rep():
            results.append(result)
            for task in result[2]:
                emit({"type": "task", "index": task[0]})
        end = time.monotonic_ns()
        main_cpu = time.process_time_ns() - main_cpu
        tasks = []
        outs = []
        for key, cpu, done in results:
            worker = self.keys.setdefault(key, len(self.keys))
            self.cpu[key] = max(self.cpu.get(key, 0), cpu)
            for index, value, t0, t1, out in done:
                tasks.append([index, worker, value, t0, t1])
                outs.append(out)
        cpu_ns = main_cpu
        if self.process:
            cpu_ns += sum(c - cpu_before.get(k, 0) for k, c in self.cpu.items())
        message = rep_message(start, end, cpu_ns, tasks)
        if self.spec["workload"] == "counter":
            message["counter"] = self.counter()
        if self.spec["workload"] == "code":
            message["digest"] = digest_of(outs)
        self.count_traffic(message, results)
        return message
