"""Counting on Dask (a LocalCluster of 2 worker processes): the same ARPA file as one process,
also when a worker is killed in the middle of the job."""

import os
import signal
import warnings

import pytest

from wordnet_lm.ngram import external
from wordnet_lm.ngram.external import build_arpa
from wordnet_lm.scale.executor import DaskExecutor
from wordnet_lm.scale.process_tree import is_local, tree_processes

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        executor = DaskExecutor(workers=2)
    yield executor
    executor.close()


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    path = tmp_path_factory.mktemp("ref") / "one.arpa"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_arpa("demo", path, order=3, memory="6M")  # one process
    return path.read_bytes()


class _KillOnce(DaskExecutor):
    """Kills one worker process right after the first batch of tasks is submitted."""

    def __init__(self, inner: DaskExecutor) -> None:
        self.client, self._cluster, self._own_client, self.workers = inner.client, None, False, inner.workers
        self.killed = None

    def map(self, fn, items):
        futures = self.client.map(fn, list(items), pure=False, retries=3)
        if self.killed is None:
            pids = self.client.run(os.getpid)
            self.killed = sorted(pids.values())[0]
            os.kill(self.killed, signal.SIGKILL)
        return self.client.gather(futures)


def test_local_cluster_equals_one_process(cluster, reference, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = build_arpa("demo", tmp_path / "dask.arpa", order=3, memory="6M", executor=cluster, temp=tmp_path)
    assert result.n_runs > 4 and result.n_ranges >= 2
    assert (tmp_path / "dask.arpa").read_bytes() == reference
    assert sorted(os.listdir(tmp_path)) == ["dask.arpa"]


def test_killed_worker_is_survived(cluster, reference, tmp_path):
    killer = _KillOnce(cluster)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_arpa("demo", tmp_path / "dask.arpa", order=3, memory="6M", executor=killer, temp=tmp_path)
    assert killer.killed is not None
    assert (tmp_path / "dask.arpa").read_bytes() == reference
    cluster.client.wait_for_workers(2, timeout=60)  # the nanny restarted it


def _profiler_enabled():
    import dask

    return dask.config.get("distributed.worker.profile.enabled")


def test_local_cluster_is_quiet_and_its_nannies_are_threads_of_the_driver(cluster):
    """Our LocalCluster's workers run without Dask's profiler and with glibc's adaptive malloc
    (also a worker the nanny restarted after the kill above); they are children of this process
    (their nannies run here), so the budget counts the driver and the workers only."""
    assert list(cluster.client.run(_profiler_enabled).values()) == [False, False]
    assert list(cluster.client.run(os.environ.get, "MALLOC_TRIM_THRESHOLD_").values()) == [None, None]
    # one thread a worker, and no BLAS / OpenMP thread pools in them (1 worker vs 2 compares cores)
    assert [w["nthreads"] for w in cluster.client.scheduler_info()["workers"].values()] == [1, 1]
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "MALLOC_ARENA_MAX"):
        assert list(cluster.client.run(os.environ.get, variable).values()) == ["1", "1"]
    assert list(cluster.client.run(os.getppid).values()) == [os.getpid(), os.getpid()]
    assert tree_processes(cluster) == 3 and is_local(cluster)
    budget = external.count_budget(2 << 30, cluster, 1000)
    assert (budget.processes, budget.concurrent, budget.vocab_size) == (3, 2, 1000)
    remote = DaskExecutor.from_client(cluster.client)  # a cluster started elsewhere: its own budget
    assert not is_local(remote) and tree_processes(remote) == 4
    assert external.count_budget(2 << 30, remote, 1000).vocab_size == 0
