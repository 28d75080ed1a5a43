"""hashlib.sha256 over 1 MiB buffers: it releases the GIL while it hashes.

CPython's hashlib lets go of the GIL for any buffer over 2 KiB, so while one
thread hashes, another runs: python-threads scales with the cores like
python-processes, without pickling anything bigger than a digest.

    corescope sweep --code examples/hashing.py:digest
"""

import hashlib

BUFFER = bytes(range(256)) * 4096  # 1 MiB


def digest(i):
    """Hashes 1 MiB sixteen times, starting from task i's own seed."""
    h = hashlib.sha256(i.to_bytes(4, "little"))
    for _ in range(16):
        h.update(BUFFER)
    return h.hexdigest()
