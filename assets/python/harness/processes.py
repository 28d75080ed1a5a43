"""python-processes, python-executor and python-queue: worker processes.

Workers are processes started by the run's start method (fork, spawn or
forkserver): a multiprocessing.Pool, a ProcessPoolExecutor, or the seed's
Process workers fed by a Queue. They share the counter through a
multiprocessing.Value; under --transport shm (python-processes, echo) the
payload stays in shared memory and only task indices cross the pipes. What
multiprocessing pickled is measured after the clock stops.
"""

import pickle

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


# What each pool would do about a dead worker, left to itself.
_LEFT_TO_ITSELF = {
    "python-processes": "multiprocessing.Pool would wait forever for the task it held (cpython#96062)",
    "python-queue": "the result Queue would wait forever for its results",
    "python-executor": "ProcessPoolExecutor would break the whole pool",
    "python-asyncio+processes": "its ProcessPoolExecutor would break, unseen by the "
    "tasks that only wait in the event loop",
}


def ended_how(code):
    """A worker's exit code in words: its signal's name or its code."""
    import signal

    if code >= 0:
        return "exited with code %d" % code
    try:
        return "was killed by %s" % signal.Signals(-code).name
    except ValueError:
        return "was killed by signal %d" % -code


def watch_workers(pool):
    """Ends the harness as soon as one of the pool's workers ends before the
    pool is closed: says which worker and how, and exits at once (corescope
    then kills what is left). A thread of its own, polling every 50 ms, so no
    pool's own handling of a lost worker is waited for."""

    def watch():
        while not pool.closing.wait(0.05):
            for proc in pool.watched:
                code = proc.exitcode
                if code is None or pool.closing.is_set():
                    continue
                # Before the workers said ready, by the order they started.
                worker = pool.keys.get(proc.pid, pool.watched.index(proc))
                emit(
                    {
                        "type": "error",
                        "message": "worker %s (pid %d) %s mid-run; %s, so corescope "
                        "ended the run instead"
                        % (worker, proc.pid, ended_how(code), _LEFT_TO_ITSELF[pool.model]),
                    }
                )
                os._exit(1)

    watcher = threading.Thread(target=watch, name="corescope-watch", daemon=True)
    watcher.start()


def queue_worker(spec, tasks, results, barrier, value):
    """python-queue: the seed's Process worker, fed by a Queue until None.
    A --code task's error, or a result that cannot be pickled (the Queue
    pickles in a thread of its own, where it would be lost), is sent back
    as ("error", message)."""
    init_worker(spec, barrier, True, value)
    results.put(("ready",) + worker_ready())
    while True:
        job = tasks.get()
        if job is None:
            break
        if spec["workload"] != "code":
            results.put(run_job(job))
            continue
        try:
            result = run_job(job)
            pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as error:
            results.put(("error", str(result_failure(spec["model"], error))))
            continue
        results.put(result)


class ProcessModels(Pool):
    """The pool of python-processes, python-executor and python-queue."""

    process = True

    def __init__(self, spec):
        # Imported before the clock starts, as the pools' own modules.
        import multiprocessing

        self.workers = spec["workers"]
        self.procs = []
        self.queues = []
        self.shm = None
        # The worker processes watched for an early end, and the flag that
        # stops the watch once the pool is closing.
        self.watched = []
        self.closing = threading.Event()
        payload = run_payload(spec)
        if spec["workload"] == "code":
            check_arguments(spec, payload)
        shm = spec["transport"] == "shm" and spec["workload"] == "echo"
        if payload and shm and spec["model"] == "python-processes":
            # Written once, before any clock: the workers map it by name and
            # only task indices cross the pool's pipes.
            from multiprocessing import shared_memory

            self.shm = shared_memory.SharedMemory(create=True, size=len(payload))
            self.shm.buf[: len(payload)] = payload
            spec["shm_input"] = self.shm.name
            payload = None
        try:
            Pool.__init__(self, spec, payload)
        except BaseException:
            # A pool that failed to start never unlinked the name (start
            # does once every worker mapped it).
            if self.shm is not None:
                self.shm.unlink()
            raise

    def start(self):
        import multiprocessing

        ctx = multiprocessing.get_context(self.spec["start_method"])
        barrier = ctx.Barrier(self.workers + 1)
        # The counter the workers share: handed over as they start.
        self.value = ctx.Value("q", 0)
        initargs = (self.spec, barrier, True, self.value)
        if self.model == "python-processes":
            self.pool = ctx.Pool(self.workers, initializer=init_worker, initargs=initargs)
            # Watched from the start: a worker lost before the barrier would
            # be replaced by the Pool unseen.
            self.watched = list(self.pool._pool)
            watch_workers(self)
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
            readies = self.start_queue(ctx, barrier)
        else:
            raise ValueError("unknown model %r" % self.model)
        for pid, cpu, note in readies:
            self.cpu[pid] = cpu
            self.keys.setdefault(pid, len(self.keys))
            adopt_note(note)
        if self.shm is not None:
            # Every worker mapped it before saying ready: the name can go
            # now, so no end of the harness, however abrupt, leaves it.
            self.shm.unlink()
        if self.model == "python-executor":
            # Its processes start as tasks come: all are there by now.
            self.watched = list(self.pool._processes.values())
            watch_workers(self)

    def start_queue(self, ctx, barrier):
        """python-queue: one task queue per worker (static) or one for all
        (queue), one result queue; returns each worker's ready report."""
        static = self.spec["schedule"] == "static"
        self.queues = [ctx.Queue() for _ in range(self.workers if static else 1)]
        self.results = ctx.Queue()
        for w in range(self.workers):
            q = self.queues[w % len(self.queues)]
            p = ctx.Process(
                target=queue_worker,
                args=(self.spec, q, self.results, barrier, self.value),
                daemon=True,
            )
            p.start()
            self.procs.append(p)
        # Watched from the start: one lost before the barrier would leave
        # the others waiting at it for a minute.
        self.watched = list(self.procs)
        watch_workers(self)
        barrier.wait(60)
        return [self.results.get(60)[1:] for _ in range(self.workers)]

    def results_of_rep(self):
        """Yields each job's result as it arrives; --code's errors said as
        one line (a result that cannot be pickled: the price of isolation)."""
        try:
            for result in self.pool_results():
                if result[0] == "error":
                    raise RuntimeError(result[1])
                yield result
        except Exception as error:
            if self.spec["workload"] != "code":
                raise
            raise result_failure(self.model, error)

    def pool_results(self):
        if self.model == "python-processes":
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

    def count_traffic(self, message, results):
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
            shared = self.spec["payload_bytes"] * len(message["tasks"])
            message["bytes_shared_to_workers"] = shared
            message["bytes_shared_from_workers"] = shared

    def close(self):
        self.closing.set()
        if self.model == "python-processes":
            self.pool.close()
            self.pool.join()
            if self.shm is not None:
                self.shm.close()
        elif self.pool is not None:
            self.pool.shutdown(wait=True)
        for q in self.queues:
            for _ in range(self.workers):
                q.put(None)
        for p in self.procs:
            p.join(5)
            if p.is_alive():
                p.kill()
