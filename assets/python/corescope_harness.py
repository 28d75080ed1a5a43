"""corescope's CPython harness: the same workloads, run by CPython's own tools.

corescope embeds this file, writes it to a temporary file and runs it with the
interpreter it was given. Only the standard library is used (CPython 3.8+).

Protocol (one JSON object per line):
  stdin, first line:  the run spec (corescope's RunSpec as JSON)
  stdout:             {"type": "ready", ...} once the pool is started
  stdin:              "rep" -> stdout: {"type": "task", ...} per finished task,
                      then one {"type": "rep", ...} with the repetition's figures
  stdin closed:       the pool is shut down and the harness exits 0
A Python error prints its traceback on stderr, a {"type": "error"} line on
stdout, and exits 1.

Every task computes bit for bit what corescope's Rust workloads compute: the
same loop order, float operations and wrapping arithmetic (sqrt-sum is an
explicit loop: from CPython 3.12 on, sum() of floats is compensated).
Times are time.monotonic_ns() (CLOCK_MONOTONIC on Linux, the clock corescope
itself stamps spans on) and time.process_time_ns() for CPU time.
"""

import json
import math
import os
import struct
import sys
import threading
import time
import traceback
import zlib

U64 = (1 << 64) - 1
TERMS_PER_MS = 400000
MANDELBROT_MAX_ITERATIONS = 500
# Rotate each byte left by 3, then xor 0x5a: echo's transform as a table.
ECHO_TABLE = bytes((((b << 3) | (b >> 5)) & 0xFF) ^ 0x5A for b in range(256))
THREAD_MODELS = ("python-serial", "python-threads", "python-threads-nogil")


# ---------------------------------------------------------------- workloads


def f64_bits(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def sqrt_sum(n):
    total = 0.0
    sqrt = math.sqrt
    for i in range(n):
        total += sqrt(i)
    return total


def is_prime(k):
    if k < 2:
        return False
    if k < 4:
        return True
    if k % 2 == 0:
        return False
    d = 3
    while d * d <= k:
        if k % d == 0:
            return False
        d += 2
    return True


def count_primes(n, index):
    start = min(index * n, U64)
    end = min(start + n, U64)
    count = 0
    for k in range(start, end):
        if is_prime(k):
            count += 1
    return count


def mandelbrot_band(size, index, tasks):
    tasks = max(tasks, 1)
    first = index * size // tasks
    last = (index + 1) * size // tasks
    scale = 3.0 / float(size)
    total = 0
    for row in range(first, last):
        cy = -0.6 + float(row) * scale
        for col in range(size):
            cx = -2.0 + float(col) * scale
            x = 0.0
            y = 0.0
            i = 0
            while i < MANDELBROT_MAX_ITERATIONS:
                x2 = x * x
                y2 = y * y
                if x2 + y2 > 4.0:
                    break
                y = 2.0 * x * y + cy
                x = x2 - y2 + cx
                i += 1
            total += i
    return total


def payload_checksum(data):
    # CRC-32 (zlib's), as corescope's crc32fast computes it: C speed, so the
    # checksum never hides the transport being measured.
    return zlib.crc32(data) & 0xFFFFFFFF


def make_payload(length):
    # (i * 131 >> 3) as u8 repeats every 2048 bytes (131 is odd).
    block = bytes(((i * 131) >> 3) & 0xFF for i in range(2048))
    return (block * (length // 2048 + 1))[:length]


def run_task(spec, index, payload):
    """One task: returns (value, echo output or None)."""
    workload = spec["workload"]
    size = spec["size"]
    if workload == "sqrt-sum":
        return f64_bits(sqrt_sum(size)), None
    if workload == "primes":
        return count_primes(size, index), None
    if workload == "mandelbrot":
        return mandelbrot_band(size, index, spec["tasks"]), None
    if workload == "sleep":
        time.sleep(size / 1000.0)
        return size, None
    if workload == "mixed":
        io = min(spec["io_percent"], 100)
        terms = min(min(size * (100 - io), U64) * TERMS_PER_MS, U64) // 100
        total = sqrt_sum(terms)
        wait_us = min(min(size * io, U64) * 10, U64)
        time.sleep(wait_us / 1e6)
        return f64_bits(total) ^ wait_us, None
    if workload == "echo":
        out = payload
        for _ in range(size):
            out = out.translate(ECHO_TABLE)
        return payload_checksum(out), out
    raise ValueError("unknown workload %r" % workload)


# ------------------------------------------------------------ worker side

_SPEC = None
_BARRIER = None


def die_with_parent():
    """PR_SET_PDEATHSIG(SIGKILL): a harness whose parent is killed goes too."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None).prctl(1, 9)
        except Exception:
            pass


def init_worker(spec, barrier, process):
    global _SPEC, _BARRIER
    _SPEC = spec
    _BARRIER = barrier
    if process:
        die_with_parent()


def worker_ready(_=None):
    """Blocks until every worker runs one: forces the whole pool up."""
    _BARRIER.wait(60)
    return os.getpid(), time.process_time_ns()


def run_job(job):
    """Runs a job (a list of (task index, payload)) on one worker."""
    done = []
    for index, payload in job:
        start = time.monotonic_ns()
        value, out = run_task(_SPEC, index, payload)
        done.append((index, value, start, time.monotonic_ns(), out))
    key = os.getpid() if _SPEC["process"] else threading.get_ident()
    return key, time.process_time_ns(), done


def queue_worker(spec, tasks, results, barrier):
    """python-queue: the seed's Process worker, fed by a Queue until None."""
    init_worker(spec, barrier, True)
    results.put(("ready",) + worker_ready())
    while True:
        job = tasks.get()
        if job is None:
            break
        results.put(run_job(job))


# ------------------------------------------------------------ parent side


def emit(message):
    sys.stdout.write(json.dumps(message, separators=(",", ":")) + "\n")
    sys.stdout.flush()


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
    """One model's pool, started once and asked for repetitions."""

    def __init__(self, spec):
        import multiprocessing

        self.spec = spec
        self.model = spec["model"]
        self.workers = spec["workers"] if self.model != "python-serial" else 1
        self.process = self.model not in THREAD_MODELS
        spec["process"] = self.process
        payload = make_payload(spec["payload_bytes"]) if spec["workload"] == "echo" else None
        self.jobs = [[(i, payload) for i in indices] for indices in jobs_of(spec)]
        self.cpu = {}
        self.keys = {}
        self.pool = None
        self.procs = []
        start = time.monotonic_ns()
        if self.model in ("python-threads", "python-threads-nogil"):
            from concurrent.futures import ThreadPoolExecutor

            sys.setswitchinterval(spec["switch_interval_us"] / 1e6)
            barrier = threading.Barrier(self.workers + 1)
            self.pool = ThreadPoolExecutor(
                self.workers, initializer=init_worker, initargs=(spec, barrier, False)
            )
            futures = [self.pool.submit(worker_ready) for _ in range(self.workers)]
            barrier.wait(60)
            for f in futures:
                f.result()
        elif self.model == "python-serial":
            init_worker(spec, None, False)
        else:
            ctx = multiprocessing.get_context(spec["start_method"])
            barrier = ctx.Barrier(self.workers + 1)
            initargs = (spec, barrier, True)
            if self.model == "python-processes":
                self.pool = ctx.Pool(self.workers, initializer=init_worker, initargs=initargs)
                ready = self.pool.map_async(worker_ready, range(self.workers), chunksize=1)
                barrier.wait(60)
                readies = ready.get(60)
            elif self.model == "python-executor":
                from concurrent.futures import ProcessPoolExecutor

                self.pool = ProcessPoolExecutor(
                    self.workers, mp_context=ctx, initializer=init_worker, initargs=initargs
                )
                futures = [self.pool.submit(worker_ready) for _ in range(self.workers)]
                barrier.wait(60)
                readies = [f.result() for f in futures]
            elif self.model == "python-queue":
                static = spec["schedule"] == "static"
                self.queues = [ctx.Queue() for _ in range(self.workers if static else 1)]
                self.results = ctx.Queue()
                for w in range(self.workers):
                    q = self.queues[w % len(self.queues)]
                    p = ctx.Process(
                        target=queue_worker, args=(spec, q, self.results, barrier), daemon=True
                    )
                    p.start()
                    self.procs.append(p)
                barrier.wait(60)
                readies = [self.results.get(60)[1:] for _ in range(self.workers)]
            else:
                raise ValueError("unknown model %r" % self.model)
            for pid, cpu in readies:
                self.cpu[pid] = cpu
                self.keys.setdefault(pid, len(self.keys))
        self.spawn_ns = time.monotonic_ns() - start

    def results_of_rep(self):
        """Yields each job's result as it arrives."""
        if self.model == "python-serial":
            for job in self.jobs:
                yield run_job(job)
        elif self.model == "python-processes":
            for result in self.pool.imap_unordered(run_job, self.jobs, chunksize=1):
                yield result
        elif self.model == "python-queue":
            for n, job in enumerate(self.jobs):
                self.queues[n % len(self.queues)].put(job)
            for _ in self.jobs:
                yield self.results.get()
        else:
            from concurrent.futures import as_completed

            futures = [self.pool.submit(run_job, job) for job in self.jobs]
            for f in as_completed(futures):
                yield f.result()

    def repetition(self):
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
        for key, cpu, done in results:
            worker = self.keys.setdefault(key, len(self.keys))
            self.cpu[key] = max(self.cpu.get(key, 0), cpu)
            for index, value, t0, t1, _ in done:
                tasks.append([index, worker, value, t0, t1])
        cpu_ns = main_cpu
        if self.process:
            cpu_ns += sum(c - cpu_before.get(k, 0) for k, c in self.cpu.items())
        message = {
            "type": "rep",
            "start_ns": start,
            "end_ns": end,
            "cpu_ns": cpu_ns,
            "tasks": tasks,
            "bytes_to_workers": 0,
            "bytes_from_workers": 0,
            "messages": 0,
        }
        if self.process:
            # Measured after the clock stopped: what multiprocessing pickled
            # through the pool (function reference and arguments of each job,
            # each result), plus its 4-byte length header per message.
            from multiprocessing.reduction import ForkingPickler

            message["bytes_to_workers"] = sum(
                len(ForkingPickler.dumps((run_job, (job,)))) + 4 for job in self.jobs
            )
            message["bytes_from_workers"] = sum(len(ForkingPickler.dumps(r)) + 4 for r in results)
            message["messages"] = len(self.jobs) + len(results)
        return message

    def close(self):
        if self.model == "python-processes":
            self.pool.close()
            self.pool.join()
        elif self.pool is not None:
            self.pool.shutdown(wait=True)
        for q in getattr(self, "queues", []):
            for _ in range(self.workers):
                q.put(None)
        for p in self.procs:
            p.join(5)
            if p.is_alive():
                p.kill()


def main():
    die_with_parent()
    spec = json.loads(sys.stdin.readline())
    run = dict(spec["workload"])
    run.update(
        model=spec["model"],
        workers=spec["workers"],
        schedule=spec["schedule"],
        chunk=spec["chunk"],
        switch_interval_us=spec["switch_interval_us"],
        start_method=spec.get("start_method", "fork"),
    )
    pool = Pool(run)
    emit(
        {
            "type": "ready",
            "spawn_ns": pool.spawn_ns,
            "pid": os.getpid(),
            "version": sys.version.split()[0],
            "gil_enabled": getattr(sys, "_is_gil_enabled", lambda: True)(),
            "worker_pids": list(pool.keys) if pool.process else [],
        }
    )
    for line in sys.stdin:
        if line.strip() == "rep":
            emit(pool.repetition())
    pool.close()


if __name__ == "__main__":
    try:
        main()
    except BaseException as error:
        traceback.print_exc()
        detail = str(error)
        name = type(error).__name__
        emit({"type": "error", "message": "%s: %s" % (name, detail) if detail else name})
        sys.exit(1)
