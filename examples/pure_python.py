"""A pure-Python loop: it holds the GIL the whole time.

Every step is a bytecode of the interpreter's loop, so CPython's threads take
turns on one core: python-threads gains nothing over python-serial, while
worker processes (python-processes) each have an interpreter and a GIL of
their own and scale with the cores.

    corescope sweep --code examples/pure_python.py:work
"""


def work(i):
    """Sums squares for a few tens of milliseconds; task i starts at i."""
    total = 0
    for k in range(i, i + 300_000):
        total += k * k % 7
    return total
