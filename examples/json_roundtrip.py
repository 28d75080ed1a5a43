"""json round trips: dumps and loads hold the GIL.

The json module's C accelerator builds and reads Python objects, which it
cannot do without the GIL: python-threads takes turns as with a pure-Python
loop, and only processes scale.

    corescope sweep --code examples/json_roundtrip.py:roundtrip
"""

import json


def roundtrip(i):
    """Writes and reads back a document of 2,000 records twenty times."""
    document = [{"id": i * 10_000 + k, "name": "item %d" % k, "tags": ["a", "b"]} for k in range(2000)]
    for _ in range(20):
        document = json.loads(json.dumps(document))
    return len(document)
