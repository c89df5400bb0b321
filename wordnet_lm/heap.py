"""Keeping freed memory for reuse, for loops that allocate the same large temporaries again and again.

glibc returns freed blocks above a threshold (128 KiB at first) to the kernel, so a loop whose
NumPy temporaries are a few MB maps and faults them in afresh on every pass: the ARPA reader
spent a fifth of its time in the kernel doing that.  :func:`keep_freed_memory` raises the
thresholds once per process (memory use stays that of the largest pass), and
:func:`release_freed_memory` hands what is free back at the end of the loop.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import sys
from typing import Any, Callable, Iterator, TypeVar

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD, _M_MMAP_MAX = -1, -3, -4
LARGEST_KEPT = 32 << 20  # glibc's ceiling for the mmap threshold on 64-bit systems
_NEVER = (1 << 31) - 1  # a trim threshold (bytes of free heap top) never reached
_DEFAULT_MMAP_MAX = 65536
_libc: ctypes.CDLL | None | bool = False  # False: not looked up yet; None: not glibc
_phase: str | None = None  # the task function whose freed memory this process keeps (see phase_task)
Task = TypeVar("Task", bound=Callable[..., Any])


def _glibc() -> ctypes.CDLL | None:
    global _libc
    if _libc is False:
        _libc = None
        if sys.platform.startswith("linux"):
            try:
                libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
                if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim"):
                    _libc = libc
            except OSError:
                pass
    return _libc


def keep_freed_memory(limit: int = 1 << 22) -> None:
    """Allocations below ``limit`` bytes come from the heap and up to twice that stays there
    when freed (glibc only; elsewhere nothing happens)."""
    libc = _glibc()
    if libc is not None:
        libc.mallopt(_M_MMAP_THRESHOLD, limit)
        libc.mallopt(_M_TRIM_THRESHOLD, 2 * limit)


def release_freed_memory() -> None:
    """Return the heap's free memory to the system (``malloc_trim``)."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)


@contextlib.contextmanager
def reusing_freed_memory(big_blocks_too: bool = False) -> Iterator[None]:
    """From here on the heap does not shrink: freed temporaries (below 32 MB, or of any size
    inside the block with ``big_blocks_too``) are reused by the next ones, in this task and the
    process's next tasks, instead of being handed back to the kernel and faulted in afresh,
    zero-filled, each time (:func:`release_freed_memory` hands them back).

    For map and reduce tasks, which allocate arrays of the same few sizes chunk after chunk: on a
    machine whose memory is full of page cache, the kernel's side of that (reclaiming, zeroing,
    faulting) took a quarter to a third of their CPU time, and more when two workers did it at
    once.  A process's memory stays the peak of its tasks (plus what fragmentation leaves)."""
    libc = _glibc()
    if libc is None:
        yield
        return
    libc.mallopt(_M_MMAP_THRESHOLD, LARGEST_KEPT)
    libc.mallopt(_M_TRIM_THRESHOLD, _NEVER)
    if big_blocks_too:
        libc.mallopt(_M_MMAP_MAX, 0)
    try:
        yield
    finally:
        if big_blocks_too:
            libc.mallopt(_M_MMAP_MAX, _DEFAULT_MMAP_MAX)


def phase_task(big_blocks_too: bool = False) -> Callable[[Task], Task]:
    """Decorator for the map and reduce tasks of one phase: inside a task, freed memory is kept
    for the next tasks of the same function (:func:`reusing_freed_memory`), and handed back when
    this process starts a task of another function.  Without that hand-back a worker carried the
    heap its counting tasks grew (~0.5 GB each on 256M tokens) under the next phases' own: the
    n-gram build's peak RSS rose by a quarter of a GB during estimation and writing."""

    def decorate(fn: Task) -> Task:
        name = f"{fn.__module__}.{fn.__qualname__}"

        @functools.wraps(fn)
        def task(*args: Any, **kwargs: Any) -> Any:
            global _phase
            if _phase != name:
                if _phase is not None:
                    release_freed_memory()
                _phase = name
            with reusing_freed_memory(big_blocks_too):
                return fn(*args, **kwargs)

        return task  # type: ignore[return-value]

    return decorate
