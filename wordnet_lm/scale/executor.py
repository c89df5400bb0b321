"""Executors: run one function over many items, in this process, in a local process pool, or
on a Dask cluster, with the same results in the same order.

Map-reduce jobs (counting n-grams or co-occurrences over shards of an encoded corpus) are
written once against :class:`Executor` and run anywhere::

    with make_executor(workers=2) as ex:          # or scheduler="tcp://host:8786"
        parts = ex.map(count_shard, shards)        # fn and items must be picklable

Functions take and return small values (paths, offsets, sizes); big arrays go through files in
a folder every worker can read (a shared file system on a real cluster).  Dask retries a task
whose worker died, so a lost worker costs time, not the result.
"""

from __future__ import annotations

import contextlib
import os
from concurrent.futures import ProcessPoolExecutor
from collections import deque
from typing import Any, Callable, Iterator, Protocol, Sequence

from wordnet_lm.errors import WordnetLMError

DASK_EXTRA_HINT = "pip install 'wordnet_lm[dask]'"
DASK_RETRIES = 3  # a task whose worker dies (or raises OSError on a flaky node) is run again
# A local cluster started here runs only our tasks, so Dask's diagnostics are turned down: a
# statistical profiler sampling every task's stack each 10 ms, a GIL monitor, event-loop ticks
# every 20 ms and memory polls every 100 ms cost 0.17 of a core with 2 idle workers (0.02 without),
# taken from the counting on a machine with a core per worker.  And the nannies' default
# MALLOC_TRIM_THRESHOLD_ is not set in the workers: it turns off glibc's adaptive mmap threshold,
# so every NumPy array over 128 KB is mapped afresh and page-faulted in; the n-gram tasks took
# 1.9x the CPU time with it (the reduce 3.3x).  MALLOC_ARENA_MAX=1: the tasks run in a thread of
# the worker, whose malloc arena would otherwise be a chain of 64 MB mmapped heaps that do not keep
# freed memory for the next task as the main heap does (``heap.reusing_freed_memory``); on 16M
# tokens the map tasks' kernel time (faulting memory in afresh) fell by a third with it.  A remote
# cluster keeps its own settings.
LOCAL_CLUSTER_CONFIG = {
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
    "distributed.nanny.pre-spawn-environ.MALLOC_ARENA_MAX": "1",
    "distributed.worker.profile.enabled": False,
    "distributed.admin.system-monitor.gil.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.memory.monitor-interval": "1s",
}


class Executor(Protocol):
    """Runs ``fn`` over ``items``; results in item order."""

    workers: int

    def map(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]: ...

    def imap(self, fn: Callable[[Any], Any], items: Sequence[Any], window: int = 4) -> Iterator[Any]: ...

    def close(self) -> None: ...

    def __enter__(self) -> "Executor": ...

    def __exit__(self, *exc: object) -> None: ...


class _Closing:
    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        pass


class InProcess(_Closing):
    """Everything in this process, one item after another (the reference result)."""

    workers = 1

    def map(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
        return [fn(item) for item in items]

    def imap(self, fn: Callable[[Any], Any], items: Sequence[Any], window: int = 4) -> Iterator[Any]:
        return map(fn, items)


class ProcessPool(_Closing):
    """A local pool of ``workers`` processes (both cores of a small machine)."""

    def __init__(self, workers: int, start_method: str | None = None) -> None:
        self.workers = max(1, int(workers))
        self.start_method = start_method  # e.g. "forkserver": workers do not inherit this process's memory
        self._pool: ProcessPoolExecutor | None = None

    def _start(self) -> ProcessPoolExecutor:
        if self._pool is None:
            import multiprocessing

            context = multiprocessing.get_context(self.start_method) if self.start_method else None
            self._pool = ProcessPoolExecutor(self.workers, mp_context=context)
        return self._pool

    def start(self) -> None:
        """Start the worker processes now (forked while this process is still small, so they
        do not carry copies of what it allocates later)."""
        if self.workers > 1:
            list(self._start().map(abs, range(self.workers)))

    def map(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
        items = list(items)
        if self.workers == 1 or len(items) <= 1:
            return [fn(item) for item in items]
        return list(self._start().map(fn, items))

    def imap(self, fn: Callable[[Any], Any], items: Sequence[Any], window: int = 4) -> Iterator[Any]:
        """Results in item order, at most ``window`` tasks ahead of the consumer (bounded memory)."""
        if self.workers == 1:
            yield from map(fn, items)
            return
        yield from _windowed(self._start().submit, lambda future: future.result(), fn, items, window)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


class DaskExecutor(_Closing):
    """Tasks on Dask distributed: a scheduler address, or a local cluster of ``workers``
    processes started (and stopped) here."""

    def __init__(self, scheduler: str | None = None, workers: int | None = None) -> None:
        distributed = import_distributed()
        if scheduler is not None:
            self._cluster = None
            self.client = distributed.Client(scheduler)
        else:
            import copy

            import dask

            with dask.config.set(LOCAL_CLUSTER_CONFIG):
                # the nannies hand their config to every worker process they start, also one restarted
                # after a crash: a deep copy (theirs is shallow, and set() is undone in place on exit)
                config = copy.deepcopy(dask.config.config)
                self._cluster = distributed.LocalCluster(n_workers=max(1, int(workers or 1)), threads_per_worker=1,
                                                         processes=True, dashboard_address=None, config=config)
                self.client = distributed.Client(self._cluster)
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})) or int(workers or 1))

    @classmethod
    def from_client(cls, client: Any) -> "DaskExecutor":
        """Use an existing ``distributed.Client`` (not closed by :meth:`close`)."""
        self = cls.__new__(cls)
        self._cluster, self.client = None, client
        self._own_client = False
        self.workers = max(1, len(client.scheduler_info().get("workers", {})))
        return self

    def map(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
        items = list(items)
        if not items:
            return []
        with _remote_imports():
            futures = self.client.map(fn, items, pure=False, retries=DASK_RETRIES)
            return self.client.gather(futures)

    def imap(self, fn: Callable[[Any], Any], items: Sequence[Any], window: int = 4) -> Iterator[Any]:
        submit = lambda f, item: self.client.submit(f, item, pure=False, retries=DASK_RETRIES)  # noqa: E731
        with _remote_imports():
            yield from _windowed(submit, lambda future: future.result(), fn, items, window)

    def close(self) -> None:
        if getattr(self, "_own_client", True):
            self.client.close()
        if self._cluster is not None:
            self._cluster.close()


@contextlib.contextmanager
def _remote_imports() -> Iterator[None]:
    """A task that cannot be unpickled on the cluster (wordnet_lm missing there): one line."""
    try:
        yield
    except (ImportError, RuntimeError) as e:
        if isinstance(e, RuntimeError) and "deserializ" not in str(e):
            raise
        raise WordnetLMError("the Dask scheduler or workers cannot load the tasks (is the same wordnet_lm "
                             "installed on the scheduler and every worker?)") from None


def _windowed(submit, result, fn, items, window: int) -> Iterator[Any]:
    """Submit ``fn(item)`` keeping at most ``window`` tasks in flight; yield results in order."""
    pending: deque = deque()
    try:
        for item in items:
            pending.append(submit(fn, item))
            if len(pending) >= max(1, window):
                yield result(pending.popleft())
        while pending:
            yield result(pending.popleft())
    finally:  # stopped early (an error, Ctrl-C): tasks not started are cancelled
        for future in pending:
            future.cancel()


def import_distributed():
    """``dask.distributed``, or a one-line error naming the optional extra."""
    try:
        import distributed
    except ImportError:
        raise WordnetLMError(f"--scheduler/--workers need Dask distributed, which is not installed: "
                             f"{DASK_EXTRA_HINT}") from None
    return distributed


def default_workers() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover (not Linux)
        return os.cpu_count() or 1


def make_executor(*, workers: int | None = None, scheduler: str | None = None, dask: bool = False,
                  processes: int | None = None) -> Executor:
    """The executor the options ask for.

    Parameters
    ----------
    scheduler : str, optional
        A Dask scheduler address (``tcp://host:8786``): run on that cluster.
    workers : int, optional
        With ``dask=True``: start a local Dask cluster of this many worker processes.
    dask : bool
        ``workers`` means Dask workers (the CLI's ``--workers``).
    processes : int, optional
        Without Dask: a local process pool of this size (1: in this process).
    """
    if scheduler is not None:
        return DaskExecutor(scheduler=scheduler)
    if dask:
        if workers is not None and workers < 1:
            raise WordnetLMError(f"--workers must be at least 1, got {workers}")
        return DaskExecutor(workers=workers or default_workers())
    n = processes if processes is not None else 1
    if n < 1:
        raise WordnetLMError(f"the number of processes must be at least 1, got {n}")
    return InProcess() if n == 1 else ProcessPool(n)


def check_dask_options(workers: int | None, scheduler: str | None) -> None:
    """Fail fast (before any long work) if Dask options are given and Dask is missing or the
    options are contradictory."""
    if workers is None and scheduler is None:
        return
    if workers is not None and scheduler is not None:
        raise WordnetLMError("give either --scheduler (an existing cluster) or --workers (a local one), not both")
    if workers is not None and workers < 1:
        raise WordnetLMError(f"--workers must be at least 1, got {workers}")
    import_distributed()

