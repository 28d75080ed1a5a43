"""python-mpi: the workloads as MPI ranks through mpi4py.

corescope runs `mpirun -n WORKERS+1 python -c <the harness> --mpi`. Rank 0
speaks the protocol (mpirun forwards its stdin and stdout; its ready line adds
"mpi": the library and every rank's host, pid, cores and clock offset; its rep
line adds "traffic" per worker rank) and hands chunks of tasks to the other
ranks through mpi4py, pickled by hand so the bytes are counted where they are
handed to MPI. A failing rank prints its traceback and aborts the whole job.
"""

import json
import os
import pickle
import sys
import time
import traceback

TAG_ABOUT, TAG_CLOCK, TAG_WORK, TAG_RESULT = 1, 2, 3, 4
CLOCK_ROUND_TRIPS = 8


def boot_id():
    """This kernel's boot id: ranks that share it run under one kernel (their
    clocks agree unless a time namespace moved one: see measure_clock)."""
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
            if spec["workload"] == "code":
                # Every rank imports the file afresh: say what that did.
                load_code(spec, worker=True)
                mpi_send(comm, MPI, _CODE_NOTE, 0, TAG_ABOUT)
        elif spec["workload"] == "code":
            # The user's errors, and results that cannot be pickled, go
            # back to rank 0 as one line rather than abort the job.
            try:
                mpi_send(comm, MPI, (time.process_time_ns(), run_chunk(spec, obj[1])), 0, TAG_RESULT)
            except Exception as error:
                failure = str(result_failure(spec["model"], error))
                mpi_send(comm, MPI, ("error", failure), 0, TAG_RESULT)
        else:
            done = run_chunk(spec, obj[1])
            mpi_send(comm, MPI, (time.process_time_ns(), done), 0, TAG_RESULT)


def run_chunk(spec, chunk):
    """A worker rank's chunk of tasks: (index, value, start, end, output)."""
    done = []
    for index, payload in chunk:
        start = time.monotonic_ns()
        value, out = run_task(spec, index, payload)
        done.append((index, value, start, time.monotonic_ns(), out))
    return done


def measure_clock(comm, MPI, rank, same_kernel):
    """(offset, round trip) of a rank's clock, as corescope's own ranks do
    (mpi::clock::align). A rank of this kernel gets one round trip, and no
    offset if its reading lies between the send and the answer: the boot id
    does not prove one clock, a time namespace moves CLOCK_MONOTONIC. Any
    other rank gets CLOCK_ROUND_TRIPS, and the fastest one's offset."""
    best = None
    for n in range(CLOCK_ROUND_TRIPS):
        sent = time.monotonic_ns()
        mpi_send(comm, MPI, None, rank, TAG_CLOCK)
        remote = mpi_recv(comm, MPI, rank, TAG_CLOCK)[0]
        received = time.monotonic_ns()
        if n == 0 and same_kernel and sent <= remote <= received:
            return 0, 0
        trip = received - sent
        if best is None or trip < best[1]:
            best = (remote - (sent + trip // 2), trip)
    return best


def to_local(stamp, clock, after, before):
    """A rank's stamp on the coordinator's clock. A measured offset is right
    to within half its round trip, so the stamp is kept between the hand-out
    and the answer, which bound it for certain (mpi::clock's
    to_local_between); the same clock is left as read."""
    offset, trip = clock
    if trip == 0:
        return stamp
    return min(max(stamp - offset, after), max(before, after))


class MpiJob:
    """Rank 0's view: the worker ranks, their clocks, CPU and traffic."""

    def __init__(self, comm, MPI, run):
        self.comm, self.MPI, self.run = comm, MPI, run
        self.workers = comm.Get_size() - 1
        own = about(MPI)
        del own["cpu_ns"]
        self.ranks = [dict(rank=0, clock_offset_ns=0, clock_round_trip_ns=0, **own)]
        self.clocks, self.cpu = [], []
        for rank in range(1, self.workers + 1):
            peer = mpi_recv(comm, MPI, rank, TAG_ABOUT)[0]
            self.cpu.append(peer.pop("cpu_ns"))
            same_kernel = bool(own["boot_id"]) and own["boot_id"] == peer["boot_id"]
            offset, trip = measure_clock(comm, MPI, rank, same_kernel)
            self.clocks.append((offset, trip))
            self.ranks.append(dict(rank=rank, clock_offset_ns=offset, clock_round_trip_ns=trip, **peer))
        for rank in range(1, self.workers + 1):
            mpi_send(comm, MPI, ("spec", run), rank, TAG_WORK)
        if run["workload"] == "code":
            for rank in range(1, self.workers + 1):
                adopt_note(mpi_recv(comm, MPI, rank, TAG_ABOUT)[0])
        self.payload = run_payload(run)
        if run["workload"] == "code":
            check_arguments(run, self.payload)
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
        outs = []
        running = 0
        handed = [0] * self.workers
        start = time.monotonic_ns()

        def hand_out(w):
            chunk = claim(w)
            if chunk is None:
                return 0
            job = ("job", [(i, task_input(self.run, self.payload, i)) for i in chunk])
            handed[w] = time.monotonic_ns()
            traffic[w]["to_rank"] += mpi_send(comm, MPI, job, w + 1, TAG_WORK)
            traffic[w]["messages"] += 1
            return 1

        for w in range(self.workers):
            running += hand_out(w)
        while running:
            (cpu, done), source, _, size = mpi_recv(comm, MPI, MPI.ANY_SOURCE, TAG_RESULT)
            if cpu == "error":
                raise RuntimeError(done)
            answered = time.monotonic_ns()
            w = source - 1
            traffic[w]["from_rank"] += size
            traffic[w]["messages"] += 1
            self.cpu[w] = cpu
            for index, value, t0, t1, out in done:
                t0, t1 = (to_local(t, self.clocks[w], handed[w], answered) for t in (t0, t1))
                tasks.append([index, w, value, t0, t1])
                outs.append(out)
                emit({"type": "task", "index": index})
            running += hand_out(w) - 1
        end = time.monotonic_ns()
        cpu_ns = time.process_time_ns() - main_cpu
        cpu_ns += sum(c - b for c, b in zip(self.cpu, cpu_before))
        message = rep_message(
            start,
            end,
            cpu_ns,
            tasks,
            sum(t["to_rank"] for t in traffic),
            sum(t["from_rank"] for t in traffic),
            sum(t["messages"] for t in traffic),
        )
        message["traffic"] = traffic
        if self.run["workload"] == "code":
            message["digest"] = digest_of(outs)
        return message

    def close(self):
        for rank in range(1, self.workers + 1):
            mpi_send(self.comm, self.MPI, None, rank, TAG_WORK)


def mpi_coordinate(comm, MPI):
    """Rank 0: the protocol with corescope, the job's tasks handed out."""
    run = run_of(json.loads(sys.stdin.readline()))
    if run["workload"] == "code":
        keep_protocol_apart()
        load_code(run)
    job = MpiJob(comm, MPI, run)
    ready = {
        "type": "ready",
        "spawn_ns": 0,
        "pid": os.getpid(),
        "version": sys.version.split()[0],
        "mpi": {"version": 1, "library": MPI.Get_library_version(), "ranks": job.ranks},
    }
    if run["workload"] == "code":
        ready["code"] = code_ready()
    serve(job, ready)


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
