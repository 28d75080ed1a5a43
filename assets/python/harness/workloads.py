"""The workloads: what one task computes, waits for or counts.

Every task computes bit for bit what corescope's Rust workloads compute: the
same loop order, float operations and wrapping arithmetic (sqrt-sum is an
explicit loop: from CPython 3.12 on, sum() of floats is compensated). The net
workload calls the run's service on 127.0.0.1, blocking (net_task) or on an
asyncio stream (net_task_async); counter shares its count as the run's sharing
mode says. run_task runs any task by its index.
"""

import math
import socket
import struct
import threading
import time
import zlib

U64 = (1 << 64) - 1
FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3
TERMS_PER_MS = 400000
MANDELBROT_MAX_ITERATIONS = 500
# Rotate each byte left by 3, then xor 0x5a: echo's transform as a table.
ECHO_TABLE = bytes((((b << 3) | (b >> 5)) & 0xFF) ^ 0x5A for b in range(256))


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


def echo_payload(spec):
    """The run's echo payload (None for other workloads)."""
    return make_payload(spec["payload_bytes"]) if spec["workload"] == "echo" else None


def run_payload(spec):
    """What the run's tasks are handed: --code's arguments (one per task),
    else the echo payload (the same for every task) or None."""
    if spec["workload"] == "code":
        return code_inputs(spec)
    return echo_payload(spec)


def task_input(spec, payload, index):
    """Task `index`'s share of run_payload."""
    return payload[index] if spec["workload"] == "code" else payload


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
    if workload == "code":
        # The result travels back as the task's output; its digest is
        # taken after the clock stops.
        return 0, call_code(index, payload)
    raise ValueError("unknown workload %r" % workload)
