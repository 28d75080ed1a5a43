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

python-mpi: corescope runs `mpirun -n WORKERS+1 python -c <this file> --mpi`.
Rank 0 speaks the protocol above (mpirun forwards its stdin and stdout; its
ready line adds "mpi": the library and every rank's host, pid, cores and
clock offset; its rep line adds "traffic" per worker rank) and hands chunks
of tasks to the other ranks through mpi4py, pickled by hand so the bytes
are counted where they are handed to MPI. A failing rank prints its
traceback and aborts the whole job.

Every task computes bit for bit what corescope's Rust workloads compute: the
same loop order, float operations and wrapping arithmetic (sqrt-sum is an
explicit loop: from CPython 3.12 on, sum() of floats is compensated).
Times are time.monotonic_ns() (CLOCK_MONOTONIC on Linux, the clock corescope
itself stamps spans on) and time.process_time_ns() for CPU time.
"""

import json
import math
import os
import socket
import pickle
import struct
import sys
import threading
import time
import traceback
import zlib

U64 = (1 << 64) - 1
FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3
TERMS_PER_MS = 400000
MANDELBROT_MAX_ITERATIONS = 500
# Rotate each byte left by 3, then xor 0x5a: echo's transform as a table.
ECHO_TABLE = bytes((((b << 3) | (b >> 5)) & 0xFF) ^ 0x5A for b in range(256))
THREAD_MODELS = ("python-serial", "python-threads", "python-threads-nogil")
ASYNC_MODELS = ("python-asyncio", "python-asyncio+processes")


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


def fnv1a(data):
    """The net workload's reply hash (replies are short)."""
    h = FNV_OFFSET
    for b in data:
        h = ((h ^ b) * FNV_PRIME) & U64
    return h


def payload_checksum(data):
    # CRC-32 (zlib's), as corescope's crc32fast computes it: C speed, so the
    # checksum never hides the transport being measured.
    return zlib.crc32(data) & 0xFFFFFFFF


def make_payload(length):
    # (i * 131 >> 3) as u8 repeats every 2048 bytes (131 is odd).
    block = bytes(((i * 131) >> 3) & 0xFF for i in range(2048))
    return (block * (length // 2048 + 1))[:length]


# ------------------------------------------------------------------ net

NET_SLACK_S = 30.0
MAX_REPLY = 64 * 1024 * 1024
_NET_PREFIX = {}


def net_prefix(length):
    """The reply's bytes before the task index, and their FNV-1a state
    (the same for every task of a run: computed once per process)."""
    if length not in _NET_PREFIX:
        prefix = make_payload(length)[: length - min(length, 4)]
        _NET_PREFIX[length] = (prefix, fnv1a(prefix))
    return _NET_PREFIX[length]


def net_request(index, wait_ms):
    return struct.pack("<IQ", index, wait_ms)


def net_value(reply, index, length):
    """FNV-1a of the service's reply, checked against what it must be: the
    echo pattern with the task's index in its last (up to four) bytes."""
    prefix, h = net_prefix(length)
    tail = struct.pack("<I", index)[: min(length, 4)]
    if len(reply) != length or reply[: len(prefix)] != prefix or reply[len(prefix) :] != tail:
        raise ValueError("net task %d: the service's reply is not the expected one" % index)
    for b in tail:
        h = ((h ^ b) * FNV_PRIME) & U64
    return h


def net_task(spec, index):
    """One blocking request to the run's service on 127.0.0.1."""
    wait_ms = spec["size"]
    with socket.create_connection(("127.0.0.1", spec["net_port"])) as conn:
        conn.settimeout(wait_ms / 1000.0 + NET_SLACK_S)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn.sendall(net_request(index, wait_ms))
        chunks = []
        received = 0
        while True:
            chunk = conn.recv(1 << 16)
            if not chunk:
                break
            received += len(chunk)
            if received > MAX_REPLY:
                raise ValueError("net task %d: the reply is too long" % index)
            chunks.append(chunk)
    return net_value(b"".join(chunks), index, spec["payload_bytes"])


async def net_task_async(spec, index):
    """The same request on an asyncio stream: the wait suspends the task."""
    import asyncio

    wait_ms = spec["size"]

    async def exchange():
        reader, writer = await asyncio.open_connection("127.0.0.1", spec["net_port"])
        try:
            writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            writer.write(net_request(index, wait_ms))
            await writer.drain()
            reply = await reader.read(MAX_REPLY + 1)
            chunks = [reply]
            received = len(reply)
            while reply and received <= MAX_REPLY:
                reply = await reader.read(MAX_REPLY + 1 - received)
                chunks.append(reply)
                received += len(reply)
            if received > MAX_REPLY:
                raise ValueError("net task %d: the reply is too long" % index)
            return b"".join(chunks)
        finally:
            writer.close()

    reply = await asyncio.wait_for(exchange(), wait_ms / 1000.0 + NET_SLACK_S)
    return net_value(reply, index, spec["payload_bytes"])


def mixed_parts(spec):
    """mixed's compute (sqrt-sum terms) and wait (microseconds)."""
    size = spec["size"]
    io = min(spec["io_percent"], 100)
    terms = min(min(size * (100 - io), U64) * TERMS_PER_MS, U64) // 100
    wait_us = min(min(size * io, U64) * 10, U64)
    return terms, wait_us
# The counter workload's shared state. Threads share this module's global;
# worker processes each have their own copy of it, so the process models
# share a multiprocessing.Value (shared memory, with its lock) instead.
_COUNTER = 0
_COUNTER_LOCK = threading.Lock()
_VALUE = None


def count(n, sharing):
    """counter: n increments shared as `sharing` says; the task's own count."""
    global _COUNTER
    if sharing == "isolated":
        partial = 0
        for _ in range(n):
            partial += 1
        return partial
    if sharing not in ("racy", "locked"):
        raise ValueError("CPython has no %r counter" % sharing)
    if _VALUE is not None:
        if sharing == "locked":
            lock = _VALUE.get_lock()
            for _ in range(n):
                with lock:
                    _VALUE.value += 1
        else:
            for _ in range(n):
                # Reading and writing .value each take its lock, but not
                # together: another process can write in between.
                _VALUE.value += 1
        return n
    if sharing == "locked":
        for _ in range(n):
            with _COUNTER_LOCK:
                _COUNTER += 1
    else:
        for _ in range(n):
            _COUNTER += 1
    return n


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
    if workload == "net":
        return net_task(spec, index), None
    if workload == "mixed":
        terms, wait_us = mixed_parts(spec)
        total = sqrt_sum(terms)
        time.sleep(wait_us / 1e6)
        return f64_bits(total) ^ wait_us, None
    if workload == "echo":
        if _SHM_IN is not None:
            return echo_shared(size, spec["payload_bytes"])
        out = payload
        for _ in range(size):
            out = out.translate(ECHO_TABLE)
        return payload_checksum(out), out
    if workload == "counter":
        return count(size, spec["sharing"]), None
    raise ValueError("unknown workload %r" % workload)


# ------------------------------------------------------------ worker side

_SPEC = None
_BARRIER = None
# --transport shm: the run's input payload, shared by the parent, and this
# worker's output region (multiprocessing.shared_memory).
_SHM_IN = None
_SHM_OUT = None


def attach_shared(spec):
    """A pool worker under --transport shm: maps the parent's input and
    makes its own output region. The output's name is unlinked at once (the
    mapping stays), so nothing outlives the worker however it ends."""
    global _SHM_IN, _SHM_OUT
    from multiprocessing import shared_memory

    _SHM_IN = shared_memory.SharedMemory(name=spec["shm_input"])
    _SHM_OUT = shared_memory.SharedMemory(create=True, size=max(spec["payload_bytes"], 1))
    _SHM_OUT.unlink()


def echo_shared(size, length):
    """echo with its payload in shared memory: the task crosses the pipe as
    an index only, the bytes are read from the input region and the result
    left in this worker's output region, as corescope's shm transport does."""
    out = bytes(_SHM_IN.buf[:length])
    for _ in range(size):
        out = out.translate(ECHO_TABLE)
    _SHM_OUT.buf[:length] = out
    return payload_checksum(out), None


def die_with_parent():
    """PR_SET_PDEATHSIG(SIGKILL): a harness whose parent is killed goes too."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None).prctl(1, 9)
        except Exception:
            pass


def init_worker(spec, barrier, process, value=None):
    global _SPEC, _BARRIER, _VALUE
    _SPEC = spec
    _BARRIER = barrier
    _VALUE = value
    if process:
        die_with_parent()
        if spec.get("shm_input"):
            attach_shared(spec)


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


def compute_part(terms):
    """python-asyncio+processes, in a pool worker: mixed's computing."""
    return f64_bits(sqrt_sum(terms)), None, os.getpid(), time.process_time_ns()


def compute_task(index, payload):
    """python-asyncio+processes, in a pool worker: a CPU-bound task whole."""
    value, out = run_task(_SPEC, index, payload)
    return value, out, os.getpid(), time.process_time_ns()


def queue_worker(spec, tasks, results, barrier, value):
    """python-queue: the seed's Process worker, fed by a Queue until None."""
    init_worker(spec, barrier, True, value)
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
        self.shm = None
        if payload and spec["transport"] == "shm" and self.model == "python-processes":
            # Written once, before any clock: the workers map it by name and
            # only task indices cross the pool's pipes.
            from multiprocessing import shared_memory

            self.shm = shared_memory.SharedMemory(create=True, size=len(payload))
            self.shm.buf[: len(payload)] = payload
            spec["shm_input"] = self.shm.name
            payload = None
        self.jobs = [[(i, payload) for i in indices] for indices in jobs_of(spec)]
        self.cpu = {}
        self.keys = {}
        self.pool = None
        self.procs = []
        self.value = None
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
            # The counter the workers share: handed over as they start.
            self.value = ctx.Value("q", 0)
            initargs = (spec, barrier, True, self.value)
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
                        target=queue_worker,
                        args=(spec, q, self.results, barrier, self.value),
                        daemon=True,
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

    def counter(self):
        """The shared counter as the main process reads it."""
        return _COUNTER if self.value is None else self.value.value

    def reset_counter(self):
        global _COUNTER
        _COUNTER = 0
        if self.value is not None:
            self.value.value = 0

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
        if self.spec["workload"] == "counter":
            message["counter"] = self.counter()
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
        if self.shm is not None:
            shared = self.spec["payload_bytes"] * len(tasks)
            message["bytes_shared_to_workers"] = shared
            message["bytes_shared_from_workers"] = shared
        return message

    def close(self):
        if self.model == "python-processes":
            self.pool.close()
            self.pool.join()
            if self.shm is not None:
                self.shm.close()
                self.shm.unlink()
        elif self.pool is not None:
            self.pool.shutdown(wait=True)
        for q in getattr(self, "queues", []):
            for _ in range(self.workers):
                q.put(None)
        for p in self.procs:
            p.join(5)
            if p.is_alive():
                p.kill()


class AsyncPool:
    """python-asyncio (+processes): tasks as coroutines on one asyncio event
    loop, `workers` of them in flight. Waits are awaited; computing runs in
    the loop (python-asyncio, blocking it) or goes to a ProcessPoolExecutor
    through run_in_executor (python-asyncio+processes: mixed's computing,
    or a CPU-bound task whole)."""

    def __init__(self, spec):
        import asyncio
        import multiprocessing

        self.spec = spec
        self.model = spec["model"]
        self.workers = spec["workers"]
        self.process = self.model == "python-asyncio+processes"
        spec["process"] = self.process
        init_worker(spec, None, False)
        self.payload = make_payload(spec["payload_bytes"]) if spec["workload"] == "echo" else None
        self.jobs = jobs_of(spec)
        self.cpu = {}
        self.executor = None
        start = time.monotonic_ns()
        self.loop = asyncio.new_event_loop()
        if self.process:
            from concurrent.futures import ProcessPoolExecutor

            # One process per core (fewer with fewer tasks in flight), as
            # corescope's async+processes.
            size = max(1, min(self.workers, os.cpu_count() or 1))
            ctx = multiprocessing.get_context(spec["start_method"])
            barrier = ctx.Barrier(size + 1)
            self.executor = ProcessPoolExecutor(
                size, mp_context=ctx, initializer=init_worker, initargs=(spec, barrier, True)
            )
            futures = [self.executor.submit(worker_ready) for _ in range(size)]
            barrier.wait(60)
            for f in futures:
                pid, cpu = f.result()
                self.cpu[pid] = cpu
        self.keys = dict.fromkeys(self.cpu)
        self.spawn_ns = time.monotonic_ns() - start

    async def compute(self, function, *args):
        """Runs `function(*args)` in the pool; notes what was pickled."""
        self.sent.append((function, args))
        result = await self.loop.run_in_executor(self.executor, function, *args)
        self.returned.append(result)
        value, _, pid, cpu = result
        self.cpu[pid] = max(self.cpu.get(pid, 0), cpu)
        return value

    async def task(self, index):
        import asyncio

        spec = self.spec
        workload = spec["workload"]
        if workload == "sleep":
            await asyncio.sleep(spec["size"] / 1000.0)
            return spec["size"]
        if workload == "net":
            return await net_task_async(spec, index)
        if workload == "mixed":
            terms, wait_us = mixed_parts(spec)
            if self.executor is None:
                bits = f64_bits(sqrt_sum(terms))
            else:
                bits = await self.compute(compute_part, terms)
            await asyncio.sleep(wait_us / 1e6)
            return bits ^ wait_us
        if self.executor is None:
            return run_task(spec, index, self.payload)[0]
        return await self.compute(compute_task, index, self.payload)

    async def slot(self, lane, jobs, done):
        import asyncio

        for job in jobs:
            for index in job:
                start = time.monotonic_ns()
                value = await self.task(index)
                done.append([index, lane, value, start, time.monotonic_ns()])
                emit({"type": "task", "index": index})
                # Let the other ready tasks run, as corescope's slots do.
                await asyncio.sleep(0)

    async def run_all(self):
        import asyncio

        done = []
        if self.spec["schedule"] == "static":
            # jobs_of gives each slot its own chunks.
            lanes = [[job] for job in self.jobs]
        else:
            shared = iter(self.jobs)
            lanes = [shared] * self.workers
        await asyncio.gather(*(self.slot(n, jobs, done) for n, jobs in enumerate(lanes)))
        return done

    def repetition(self):
        from multiprocessing.reduction import ForkingPickler

        self.sent = []
        self.returned = []
        main_cpu = time.process_time_ns()
        cpu_before = dict(self.cpu)
        start = time.monotonic_ns()
        tasks = self.loop.run_until_complete(self.run_all())
        end = time.monotonic_ns()
        cpu_ns = time.process_time_ns() - main_cpu
        cpu_ns += sum(c - cpu_before.get(k, 0) for k, c in self.cpu.items())
        # Measured after the clock stopped, as for the other pools: what
        # run_in_executor pickled, each call and each result.
        return {
            "type": "rep",
            "start_ns": start,
            "end_ns": end,
            "cpu_ns": cpu_ns,
            "tasks": tasks,
            "bytes_to_workers": sum(len(ForkingPickler.dumps(c)) + 4 for c in self.sent),
            "bytes_from_workers": sum(len(ForkingPickler.dumps(r)) + 4 for r in self.returned),
            "messages": len(self.sent) + len(self.returned),
        }

    def close(self):
        if self.executor is not None:
            self.executor.shutdown(wait=True)
        self.loop.close()


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


def main():
    die_with_parent()
    run = run_of(json.loads(sys.stdin.readline()))
    pool = AsyncPool(run) if run["model"] in ASYNC_MODELS else Pool(run)
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


# ------------------------------------------------------------ python-mpi

TAG_ABOUT, TAG_CLOCK, TAG_WORK, TAG_RESULT = 1, 2, 3, 4
CLOCK_ROUND_TRIPS = 8


def boot_id():
    """This kernel's boot id: ranks that share it share CLOCK_MONOTONIC."""
    try:
        with open("/proc/sys/kernel/random/boot_id") as f:
            return f.read().strip()
    except OSError:
        return ""


def about(MPI):
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "host": MPI.Get_processor_name(),
        "boot_id": boot_id(),
        "pid": os.getpid(),
        "cpus": cpus or 1,
        "cpu_ns": time.process_time_ns(),
    }


def mpi_send(comm, MPI, obj, dest, tag):
    """Sends a pickled object; returns the bytes handed to MPI."""
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    comm.Send([data, MPI.BYTE], dest=dest, tag=tag)
    return len(data)


def mpi_recv(comm, MPI, source, tag):
    """Receives a pickled object: (object, source, tag, bytes). Waits by
    probing, briefly without pause, then with naps of up to 100 us: a
    blocking probe would spin on a core that a computing rank needs."""
    status = MPI.Status()
    spin_until = time.monotonic_ns() + 50_000
    nap = 10e-6
    while not comm.Iprobe(source=source, tag=tag, status=status):
        if time.monotonic_ns() > spin_until:
            time.sleep(nap)
            nap = min(nap * 2, 100e-6)
    data = bytearray(status.Get_count(MPI.BYTE))
    comm.Recv([data, MPI.BYTE], source=status.Get_source(), tag=status.Get_tag())
    return pickle.loads(data), status.Get_source(), status.Get_tag(), len(data)


def mpi_serve(comm, MPI):
    """A worker rank: answer clock pings, then run each job sent until None."""
    mpi_send(comm, MPI, about(MPI), 0, TAG_ABOUT)
    spec = None
    while True:
        obj, _, tag, _ = mpi_recv(comm, MPI, 0, MPI.ANY_TAG)
        if tag == TAG_CLOCK:
            mpi_send(comm, MPI, time.monotonic_ns(), 0, TAG_CLOCK)
        elif obj is None:
            return
        elif obj[0] == "spec":
            spec = obj[1]
        else:
            done = []
            for index, payload in obj[1]:
                start = time.monotonic_ns()
                value, out = run_task(spec, index, payload)
                done.append((index, value, start, time.monotonic_ns(), out))
            mpi_send(comm, MPI, (time.process_time_ns(), done), 0, TAG_RESULT)


def measure_clock(comm, MPI, rank):
    """(offset, round trip) of a rank's clock from the fastest round trip."""
    best = None
    for _ in range(CLOCK_ROUND_TRIPS):
        sent = time.monotonic_ns()
        mpi_send(comm, MPI, None, rank, TAG_CLOCK)
        remote = mpi_recv(comm, MPI, rank, TAG_CLOCK)[0]
        trip = time.monotonic_ns() - sent
        if best is None or trip < best[1]:
            best = (remote - (sent + trip // 2), trip)
    return best


class MpiJob:
    """Rank 0's view: the worker ranks, their clocks, CPU and traffic."""

    def __init__(self, comm, MPI, run):
        self.comm, self.MPI, self.run = comm, MPI, run
        self.workers = comm.Get_size() - 1
        own = about(MPI)
        del own["cpu_ns"]
        self.ranks = [dict(rank=0, clock_offset_ns=0, clock_round_trip_ns=0, **own)]
        self.offsets, self.cpu = [], []
        for rank in range(1, self.workers + 1):
            peer = mpi_recv(comm, MPI, rank, TAG_ABOUT)[0]
            self.cpu.append(peer.pop("cpu_ns"))
            same = own["boot_id"] and own["boot_id"] == peer["boot_id"]
            offset, trip = (0, 0) if same else measure_clock(comm, MPI, rank)
            self.offsets.append(offset)
            self.ranks.append(dict(rank=rank, clock_offset_ns=offset, clock_round_trip_ns=trip, **peer))
        for rank in range(1, self.workers + 1):
            mpi_send(comm, MPI, ("spec", run), rank, TAG_WORK)
        echo = run["workload"] == "echo"
        self.payload = make_payload(run["payload_bytes"]) if echo else None
        tasks, chunk = run["tasks"], max(run["chunk"], 1)
        self.chunks = [list(range(s, min(s + chunk, tasks))) for s in range(0, tasks, chunk)]

    def claims(self):
        """The schedule: each worker's chunks up front (static), or the next
        chunk to whichever worker is free (queue), like corescope's own."""
        if self.run["schedule"] == "static":
            mine = [iter(self.chunks[w :: self.workers]) for w in range(self.workers)]
            return lambda w: next(mine[w], None)
        shared = iter(self.chunks)
        return lambda w: next(shared, None)

    def repetition(self):
        comm, MPI = self.comm, self.MPI
        claim = self.claims()
        traffic = [{"to_rank": 0, "from_rank": 0, "messages": 0} for _ in range(self.workers)]
        main_cpu = time.process_time_ns()
        cpu_before = list(self.cpu)
        tasks = []
        running = 0
        start = time.monotonic_ns()

        def hand_out(w):
            chunk = claim(w)
            if chunk is None:
                return 0
            job = ("job", [(i, self.payload) for i in chunk])
            traffic[w]["to_rank"] += mpi_send(comm, MPI, job, w + 1, TAG_WORK)
            traffic[w]["messages"] += 1
            return 1

        for w in range(self.workers):
            running += hand_out(w)
        while running:
            (cpu, done), source, _, size = mpi_recv(comm, MPI, MPI.ANY_SOURCE, TAG_RESULT)
            w = source - 1
            traffic[w]["from_rank"] += size
            traffic[w]["messages"] += 1
            self.cpu[w] = cpu
            offset = self.offsets[w]
            for index, value, t0, t1, _ in done:
                tasks.append([index, w, value, max(t0 - offset, 0), max(t1 - offset, 0)])
                emit({"type": "task", "index": index})
            running += hand_out(w) - 1
        end = time.monotonic_ns()
        cpu_ns = time.process_time_ns() - main_cpu
        cpu_ns += sum(c - b for c, b in zip(self.cpu, cpu_before))
        return {
            "type": "rep",
            "start_ns": start,
            "end_ns": end,
            "cpu_ns": cpu_ns,
            "tasks": tasks,
            "bytes_to_workers": sum(t["to_rank"] for t in traffic),
            "bytes_from_workers": sum(t["from_rank"] for t in traffic),
            "messages": sum(t["messages"] for t in traffic),
            "traffic": traffic,
        }

    def close(self):
        for rank in range(1, self.workers + 1):
            mpi_send(self.comm, self.MPI, None, rank, TAG_WORK)


def mpi_coordinate(comm, MPI):
    """Rank 0: the protocol with corescope, the job's tasks handed out."""
    run = run_of(json.loads(sys.stdin.readline()))
    job = MpiJob(comm, MPI, run)
    emit(
        {
            "type": "ready",
            "spawn_ns": 0,
            "pid": os.getpid(),
            "version": sys.version.split()[0],
            "mpi": {"version": 1, "library": MPI.Get_library_version(), "ranks": job.ranks},
        }
    )
    for line in sys.stdin:
        if line.strip() == "rep":
            emit(job.repetition())
    job.close()


def mpi_main():
    """python-mpi: this process is one rank of the job."""
    die_with_parent()
    from mpi4py import MPI

    comm = MPI.COMM_WORLD
    try:
        if comm.Get_rank() == 0:
            mpi_coordinate(comm, MPI)
        else:
            # A worker's stdout would mix into rank 0's protocol lines.
            os.dup2(2, 1)
            mpi_serve(comm, MPI)
    except BaseException as error:
        traceback.print_exc()
        if comm.Get_rank() == 0:
            report(error)
        sys.stderr.flush()
        # Ending alone would leave MPI_Finalize waiting for the others.
        comm.Abort(1)


def report(error):
    detail = str(error)
    name = type(error).__name__
    emit({"type": "error", "message": "%s: %s" % (name, detail) if detail else name})


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
