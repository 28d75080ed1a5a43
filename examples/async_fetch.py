"""An async def: awaited on python-asyncio, with asyncio.run elsewhere.

Each task waits 20 ms as a request to a slow service would. On
python-asyncio the waits overlap on one event loop, so 16 tasks take about
one wait; python-threads overlaps them too, each thread running its own
asyncio.run; python-serial waits for each in turn.

    corescope sweep --code examples/async_fetch.py:fetch
"""

import asyncio


async def fetch(i):
    """Waits 20 ms, then answers with the task's number squared."""
    await asyncio.sleep(0.02)
    return i * i
