"""Co-occurrence counting as map-reduce on Dask (a LocalCluster of 2 worker processes): the
single-process matrix bit for bit, also when a worker is killed mid-job."""

from __future__ import annotations

import os
import signal
import threading
import time

import numpy as np
import pytest

from wordnet_lm.glove import count_cooccurrences
from wordnet_lm.glove.distributed import count_cooccurrences_on
from wordnet_lm.glove.matrix_file import CooccurrenceFile
from wordnet_lm.scale.executor import InProcess, make_executor
from wordnet_lm.text.demo import demo_paths

pytest.importorskip("distributed")


def assert_identical(a, b) -> None:
    np.testing.assert_array_equal(a.indptr, b.indptr)
    np.testing.assert_array_equal(a.indices, b.indices)
    np.testing.assert_array_equal(a.data, b.data)


@pytest.fixture(scope="module")
def dask_executor():
    with make_executor(workers=2, dask=True) as executor:
        yield executor


@pytest.fixture(scope="module")
def expected():
    return count_cooccurrences(demo_paths()["train"], window=6)


def test_dask_equals_one_process(dask_executor, expected, tmp_path):
    matrix, vocab = expected
    got, got_vocab = count_cooccurrences_on(dask_executor, demo_paths()["train"], window=6, memory="2M",
                                            temp=tmp_path)
    assert got_vocab == vocab
    assert_identical(got, matrix)
    assert list(tmp_path.iterdir()) == []


def test_in_process_to_a_folder_equals_one_process(expected, tmp_path):
    matrix, vocab = expected
    with InProcess() as one:
        written = count_cooccurrences_on(one, demo_paths()["train"], out=tmp_path / "X", window=6, memory="1M")
    assert_identical(CooccurrenceFile.open(tmp_path / "X").to_csr(), matrix)
    assert written.vocab() == vocab


def test_a_worker_killed_mid_job_is_survived(dask_executor, expected, tmp_path):
    matrix, vocab = expected
    client = dask_executor.client
    pids = list(client.run(os.getpid).values())
    result, killed = {}, {}

    def job():
        result["matrix"] = count_cooccurrences_on(dask_executor, demo_paths()["train"], window=6, memory="1M",
                                                  temp=tmp_path)[0]

    worker = threading.Thread(target=job)
    worker.start()
    deadline = time.time() + 120
    while time.time() < deadline and not killed:  # kill a worker once the map tasks are writing runs
        if any(p.name.startswith("shard") for d in tmp_path.iterdir() for p in d.iterdir()):
            killed["running"] = worker.is_alive()
            os.kill(pids[0], signal.SIGKILL)
        time.sleep(0.05)
    worker.join(300)
    assert killed.get("running"), "the worker should have been killed while the job ran"
    assert_identical(result["matrix"], matrix)
