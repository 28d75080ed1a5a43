"""zlib.compress: it releases the GIL while it compresses.

zlib lets go of the GIL around its C loop, so python-threads runs several
compressions at once; python-processes does too, but first ships each 1 MiB
buffer to a worker as a pickle (the small compressed result comes back the
same way): compare their IPC bytes.

    corescope sweep --code examples/compress.py:squeeze
"""

import zlib


def inputs():
    """Eight buffers of 1 MiB: task i compresses the i-th."""
    return [bytes((k * 131 + i) % 251 for k in range(4096)) * 256 for i in range(8)]


def squeeze(data):
    """The buffer compressed at level 6; its length is what varies."""
    return zlib.compress(data, 6)
