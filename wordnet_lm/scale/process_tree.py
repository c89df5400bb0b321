"""A memory budget for a whole process tree: the driver, its worker processes (and Dask's
nannies on a remote cluster) each cost a fixed overhead before they hold any data; the rest is
shared by the workers.

``--memory 2G`` with two local worker processes: three interpreters (driver and two workers)
at :data:`PROCESS_OVERHEAD` each, the remaining 1.5 GB split between the workers' counting.
"""

from __future__ import annotations

from typing import Any

from wordnet_lm.scale.executor import DaskExecutor, InProcess

# measured: an interpreter with NumPy, SciPy and wordnet_lm's counting modules imported is
# ~62 MB resident; tokenising a batch of text (BATCH_BYTES of str objects in lists) ~70 MB
# more, the vocabulary and the allocator's slack the rest
PROCESS_OVERHEAD = 160 << 20
# the driver's Vocab (strings, dict, lists) and per-word arrays in each process
VOCAB_BYTES_PER_WORD = 300


def is_local(executor: Any) -> bool:
    """True if the executor's workers run on this machine (their memory is in the budget)."""
    return not isinstance(executor, DaskExecutor) or getattr(executor, "_cluster", None) is not None


def tree_processes(executor: Any) -> int:
    """Processes whose memory a run's budget covers: the driver plus the executor's workers (a
    local Dask cluster's nannies are threads of the driver, checked in the tests); a remote
    cluster's workers and their nanny processes only, the budget being theirs."""
    workers = max(1, int(getattr(executor, "workers", 1)))
    if isinstance(executor, InProcess):
        return 1
    if not is_local(executor):
        return 2 * workers
    return workers + 1


def worker_budget(memory: int, executor: Any, floor: int = 1 << 16, driver_words: int = 0) -> int:
    """The data budget of each worker: ``memory`` less the fixed overhead of every process (and
    of a vocabulary of ``driver_words`` the driver holds meanwhile, when it is local), shared by
    the workers; at least a quarter of ``memory`` per worker's share (a budget below the
    overhead cannot be kept, and is then a budget for the data alone)."""
    workers = max(1, int(getattr(executor, "workers", 1)))
    driver = driver_words * VOCAB_BYTES_PER_WORD if is_local(executor) else 0
    data = memory - tree_processes(executor) * PROCESS_OVERHEAD - driver
    return max(data // workers, memory // (4 * workers), floor)
