"""Counting on Dask (a LocalCluster of 2 worker processes): the same ARPA file as one process,
also when a worker is killed in the middle of the job."""

import os
import signal
import warnings

import pytest

from wordnet_lm.ngram.external import build_arpa
from wordnet_lm.scale.executor import DaskExecutor

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
