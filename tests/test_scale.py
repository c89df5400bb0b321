"""The scale helpers: executors, windowed disk arrays, memory budgets, temporary folders."""

import os

import numpy as np
import pytest

from wordnet_lm.errors import WordnetLMError
from wordnet_lm.scale.budget import parse_memory
from wordnet_lm.scale.disk import DiskArray, SortedKeys
from wordnet_lm.scale.executor import InProcess, ProcessPool, make_executor
from wordnet_lm.scale.tempdir import TempFolder


def square(x):
    return x * x


def test_executors_give_results_in_order():
    items = list(range(23))
    expected = [x * x for x in items]
    with InProcess() as one, ProcessPool(2) as two:
        assert one.map(square, items) == two.map(square, items) == expected
        assert list(one.imap(square, items)) == list(two.imap(square, items, window=3)) == expected
    assert isinstance(make_executor(), InProcess)
    with pytest.raises(WordnetLMError):
        make_executor(processes=0)


def test_disk_arrays(tmp_path):
    rng = np.random.default_rng(0)
    values = rng.integers(0, 100, 50_000)
    array = DiskArray.from_array(tmp_path / "a", values)
    assert len(array) == len(values) and np.array_equal(array.read(), values)
    idx = rng.integers(0, len(values), 3000)
    for window in (7, 1000, 1 << 20):
        assert np.array_equal(array.gather(idx, window=window), values[idx])
    add = rng.integers(0, 5, 3000)
    expected = values.copy()
    np.add.at(expected, idx, add)
    array.scatter_add(idx, add, window=97)
    assert np.array_equal(array.read(), expected)
    assert np.array_equal(np.concatenate([b for _, b in array.blocks(999)]), expected)
    keys = np.unique(rng.integers(0, 10 ** 9, 20_000))
    sorted_keys = SortedKeys(DiskArray.from_array(tmp_path / "k", keys), window=333)
    queries = np.concatenate([keys[rng.integers(0, len(keys), 500)], rng.integers(0, 10 ** 9, 500), [-5, 10 ** 10]])
    at = np.searchsorted(keys, queries)
    hit = at < len(keys)
    hit[hit] = keys[at[hit]] == queries[hit]
    assert np.array_equal(sorted_keys.find(queries), np.where(hit, at, -1))


@pytest.mark.parametrize("text, expected", [("2G", 2 << 30), ("512M", 512 << 20), ("1.5g", 3 << 29),
                                            ("100000", 100000), ("64KiB", 64 << 10), (1 << 20, 1 << 20)])
def test_parse_memory(text, expected):
    assert parse_memory(text) == expected


@pytest.mark.parametrize("text", ["", "2X", "-1G", "1K", "nan", "1e3G", "99999T"])
def test_parse_memory_rejects(text):
    with pytest.raises(WordnetLMError):
        parse_memory(text)


def test_temp_folder_removed(tmp_path):
    with TempFolder(tmp_path) as folder:
        (folder / "x").write_bytes(b"1")
    assert not folder.exists()
    with pytest.raises(ValueError), TempFolder(tmp_path) as folder:
        raise ValueError
    assert os.listdir(tmp_path) == []
    with pytest.raises(WordnetLMError, match="does not exist"), TempFolder(tmp_path / "missing"):
        pass
