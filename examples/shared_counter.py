"""A module-level counter: threads share it, processes each have their own.

Each task adds one to COUNT and returns the new value. Under python-serial and
python-threads every task sees the one counter (a lock keeps the updates
whole), so the results are 1, 2, ... N in some order; under python-processes
each worker process counts in its own copy of the module, so values repeat.
corescope compares the results of every model and says they differ: this
function depends on state shared between tasks.

    corescope sweep --code examples/shared_counter.py:count --workers 2
"""

import threading
import time

COUNT = 0
LOCK = threading.Lock()


def count(i):
    """Adds one to the module's counter and returns it."""
    global COUNT
    with LOCK:
        COUNT += 1
        seen = COUNT
    # Long enough that every worker gets tasks.
    time.sleep(0.005)
    return seen
