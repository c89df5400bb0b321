"""Keeping freed memory for reuse, for loops that allocate the same large temporaries again and again.

glibc returns freed blocks above a threshold (128 KiB at first) to the kernel, so a loop whose
NumPy temporaries are a few MB maps and faults them in afresh on every pass: the ARPA reader
spent a fifth of its time in the kernel doing that.  :func:`keep_freed_memory` raises the
thresholds once per process; memory use stays that of the largest pass.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_done = False


def keep_freed_memory(limit: int = 1 << 26) -> None:
    """Allocations below ``limit`` bytes come from the heap and freed ones stay there (glibc only;
    elsewhere nothing happens)."""
    global _done
    if _done or not sys.platform.startswith("linux"):
        return
    _done = True
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(_M_MMAP_THRESHOLD, limit)
        libc.mallopt(_M_TRIM_THRESHOLD, 4 * limit)
    except (OSError, AttributeError):  # not glibc
        pass
