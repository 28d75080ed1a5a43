"""python-serial and python-threads(-nogil): tasks in one process's threads.

python-serial runs every job in order on the main thread (the baseline of the
other python models' speedups); python-threads hands them to a
ThreadPoolExecutor, GIL and all, with the run's switch interval;
python-threads-nogil is the same pool on a free-threaded interpreter.
"""

import sys
import threading


class ThreadModels(Pool):
    """The pool of python-serial, python-threads and python-threads-nogil."""

    def __init__(self, spec):
        self.workers = 1 if spec["model"] == "python-serial" else spec["workers"]
        Pool.__init__(self, spec, run_payload(spec))

    def start(self):
        if self.model == "python-serial":
            init_worker(self.spec, None, False)
            return
        from concurrent.futures import ThreadPoolExecutor

        sys.setswitchinterval(self.spec["switch_interval_us"] / 1e6)
        barrier = threading.Barrier(self.workers + 1)
        self.pool = ThreadPoolExecutor(
            self.workers, initializer=init_worker, initargs=(self.spec, barrier, False)
        )
        futures = [self.pool.submit(worker_ready) for _ in range(self.workers)]
        barrier.wait(60)
        for f in futures:
            f.result()

    def results_of_rep(self):
        """Yields each job's result as it arrives."""
        if self.model == "python-serial":
            for job in self.jobs:
                yield run_job(job)
            return
        from concurrent.futures import as_completed

        futures = [self.pool.submit(run_job, job) for job in self.jobs]
        for f in as_completed(futures):
            yield f.result()

    def close(self):
        if self.pool is not None:
            self.pool.shutdown(wait=True)
