"""Deterministic data parallelism on a few threads.

NumPy and SciPy release the GIL in the kernels the models spend their time in (``take``,
``einsum``, sparse-dense products, element-wise ufuncs), so threads working on disjoint
slices of the same arrays run in parallel: GloVe's batches, the fused softmax of the neural
LM.  Every task writes its own slice: results never depend on the number of threads or on
their timing.  :func:`thread_limit` caps the threads (``train-lm --threads`` sets it with the
BLAS threads).
"""

from __future__ import annotations

import contextlib
import os
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Callable, Iterator, Sequence

import numpy as np

_pools: dict[int, ThreadPoolExecutor] = {}
_limit: int | None = None  # set by thread_limit()


def default_threads() -> int:
    """Threads to use by default: the CPUs this process may run on, at most 4."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover (not Linux)
        cpus = os.cpu_count() or 1
    return max(1, min(4, cpus))


@contextlib.contextmanager
def thread_limit(threads: int | None) -> Iterator[None]:
    """Inside the block, element-wise kernels use at most ``threads`` threads (None: no cap)."""
    global _limit
    previous, _limit = _limit, threads
    try:
        yield
    finally:
        _limit = previous


def kernel_threads(n_elements: int, min_elements: int = 1 << 20) -> int:
    """Threads for an element-wise kernel over ``n_elements``: one for small work (threads
    cost more than they gain), else :func:`default_threads` within :func:`thread_limit`."""
    if n_elements < min_elements:
        return 1
    threads = default_threads()
    return threads if _limit is None else max(1, min(_limit, threads))


CACHE_BLOCK = 1 << 15  # elements per block of an element-wise chain: its operands stay in L2


def elementwise(update: Callable[..., None], *arrays: np.ndarray | None) -> None:
    """Apply an in-place element-wise ``update(*slices)`` to same-shaped arrays, block by block.

    The arrays are cut into matching flat blocks of :data:`CACHE_BLOCK` elements, so a chain of
    ufuncs reads each array from memory once, and large arrays are split over
    :func:`kernel_threads` threads.  The result is the same as ``update(*arrays)``.  ``None``
    entries are passed as ``None``; if an array is not C-contiguous the whole arrays go at once.
    """
    present = [a for a in arrays if a is not None]
    if not present or not all(a.flags.c_contiguous for a in present):
        update(*arrays)
        return
    flat = [None if a is None else a.reshape(-1) for a in arrays]

    def run(first: int, last: int) -> None:
        for start in range(first, last, CACHE_BLOCK):
            stop = min(start + CACHE_BLOCK, last)
            update(*(None if f is None else f[start:stop] for f in flat))

    parts = split_range(present[0].size, kernel_threads(present[0].size))
    run_tasks([partial(run, first, last) for first, last in parts], len(parts))


def run_tasks(tasks: Sequence[Callable[[], object]], n_threads: int) -> list:
    """Run ``tasks`` (callables without arguments) on up to ``n_threads`` threads; return their results in order."""
    if n_threads <= 1 or len(tasks) <= 1:
        return [task() for task in tasks]
    pool = _pools.get(n_threads)
    if pool is None:
        pool = _pools[n_threads] = ThreadPoolExecutor(max_workers=n_threads, thread_name_prefix="wordnet_lm")
    errors = np.geterr()  # NumPy's error state is per thread: carry the caller's over

    def with_caller_errstate(task: Callable[[], object]) -> object:
        with np.errstate(**errors):
            return task()

    futures = [pool.submit(with_caller_errstate, task) for task in tasks[1:]]
    first = tasks[0]()  # the calling thread works too
    return [first] + [f.result() for f in futures]


def split_range(n: int, parts: int) -> list[tuple[int, int]]:
    """``parts`` contiguous ranges covering ``0..n`` (sizes differ by at most one; none empty unless n is small)."""
    parts = max(1, min(parts, n)) if n else 1
    bounds = [n * k // parts for k in range(parts + 1)]
    return list(zip(bounds[:-1], bounds[1:]))
