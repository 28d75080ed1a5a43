"""python-asyncio and python-asyncio+processes: tasks as coroutines.

Tasks run as coroutines on one asyncio event loop, `workers` of them in
flight. Waits are awaited; computing runs in the loop (python-asyncio,
blocking it) or goes to a ProcessPoolExecutor through run_in_executor
(python-asyncio+processes: mixed's computing, or a CPU-bound task whole), as
corescope's async and async+processes models do.
"""

import os
import threading
import time


def compute_part(terms):
    """python-asyncio+processes, in a pool worker: mixed's computing."""
    return f64_bits(sqrt_sum(terms)), None, os.getpid(), time.process_time_ns()


def compute_task(index, payload):
    """python-asyncio+processes, in a pool worker: a CPU-bound task whole."""
    value, out = run_task(_SPEC, index, payload)
    return value, out, os.getpid(), time.process_time_ns()


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
        self.payload = run_payload(spec)
        # --code: an async def is awaited in the loop; a plain function
        # runs in the loop (python-asyncio) or in the process pool.
        self.code = spec["workload"] == "code"
        if self.code and self.process and not _CODE_ASYNC:
            check_arguments(spec, self.payload)
        self.outs = []
        self.jobs = jobs_of(spec)
        self.cpu = {}
        self.executor = None
        # python-asyncio+processes: the pool's processes, watched for an
        # early end as the other process pools' are (a task that only waits
        # never touches the pool, so nothing else would see one die).
        self.watched = []
        self.closing = threading.Event()
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
                pid, cpu, note = f.result()
                self.cpu[pid] = cpu
                adopt_note(note)
        self.keys = {pid: worker for worker, pid in enumerate(self.cpu)}
        if self.executor is not None:
            self.watched = list(self.executor._processes.values())
            watch_workers(self)
        self.spawn_ns = time.monotonic_ns() - start

    async def compute(self, function, *args):
        """Runs `function(*args)` in the pool; notes what was pickled.
        Returns the task's value and output."""
        self.sent.append((function, args))
        try:
            result = await self.loop.run_in_executor(self.executor, function, *args)
        except Exception as error:
            if not self.code:
                raise
            raise result_failure(self.model, error)
        self.returned.append(result)
        value, out, pid, cpu = result
        self.cpu[pid] = max(self.cpu.get(pid, 0), cpu)
        return value, out

    async def code_task(self, index):
        """--code: the task's result, kept for the digest."""
        x = task_input(self.spec, self.payload, index)
        if _CODE_ASYNC:
            result = await call_code_async(index, x)
        elif self.executor is None:
            result = call_code(index, x)
        else:
            result = (await self.compute(compute_task, index, x))[1]
        self.outs.append(result)
        return 0

    async def task(self, index):
        import asyncio

        spec = self.spec
        workload = spec["workload"]
        if workload == "code":
            return await self.code_task(index)
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
                bits = (await self.compute(compute_part, terms))[0]
            await asyncio.sleep(wait_us / 1e6)
            return bits ^ wait_us
        if self.executor is None:
            return run_task(spec, index, self.payload)[0]
        return (await self.compute(compute_task, index, self.payload))[0]

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
        self.outs = []
        main_cpu = time.process_time_ns()
        cpu_before = dict(self.cpu)
        start = time.monotonic_ns()
        tasks = self.loop.run_until_complete(self.run_all())
        end = time.monotonic_ns()
        cpu_ns = time.process_time_ns() - main_cpu
        cpu_ns += sum(c - cpu_before.get(k, 0) for k, c in self.cpu.items())
        # Measured after the clock stopped, as for the other pools: what
        # run_in_executor pickled, each call and each result.
        message = rep_message(
            start,
            end,
            cpu_ns,
            tasks,
            sum(len(ForkingPickler.dumps(c)) + 4 for c in self.sent),
            sum(len(ForkingPickler.dumps(r)) + 4 for r in self.returned),
            len(self.sent) + len(self.returned),
        )
        if self.code:
            message["digest"] = digest_of(self.outs)
        return message

    def close(self):
        self.closing.set()
        if self.executor is not None:
            self.executor.shutdown(wait=True)
        self.loop.close()
