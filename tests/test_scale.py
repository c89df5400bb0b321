"""The scale helpers: executors, windowed disk arrays, memory budgets, temporary folders."""

import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wordnet_lm.errors import WordnetLMError
from wordnet_lm.scale.budget import parse_memory
from wordnet_lm.scale.disk import DiskArray, PartedArray, SortedKeys, SplitKeys
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


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 300), st.integers(0, 2 ** 31), st.sampled_from([10, 1 << 31, 1 << 33, 1 << 40, 1 << 62]))
def test_split_keys_read_and_search_as_the_int64_keys(tmp_path_factory, size, seed, spread):
    """Sorted keys kept as 32-bit lows and high-value starts: every slice reads back the int64
    keys (across high values, empty ones between), and sorted searches agree with NumPy's."""
    folder = tmp_path_factory.mktemp("split")
    rng = np.random.default_rng(seed)
    keys = np.sort(rng.integers(0, spread, size, dtype=np.int64))
    if size > 5:
        keys[2:5] = keys[2]  # repeats
    split = SplitKeys.write(folder / "k", keys)
    assert len(split) == size and np.array_equal(split.read(), keys)
    assert split.path.stat().st_size == 4 * size
    for lo, hi in [(0, size), (size // 3, size // 2), (1, size - 1), (size, size)] + \
            [tuple(sorted(rng.integers(0, size + 1, 2))) for _ in range(8)]:
        assert np.array_equal(split.read(lo, hi), keys[lo:hi])
    probes = [-1, 0, spread, int(keys.max(initial=0)) + 1, (1 << 32) - 1, 1 << 32, (1 << 32) + 1]
    probes += [int(k) for k in keys[::7]] + [int(k) + d for k in keys[::11] for d in (-1, 1)]
    for value in probes:
        for side in ("left", "right"):
            assert split.searchsorted(value, side) == np.searchsorted(keys, value, side), (value, side)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=1, max_size=6), st.integers(0, 2 ** 31), st.integers(1, 50))
def test_parted_arrays_read_as_their_shifted_concatenation(tmp_path_factory, lengths, seed, step):
    """Parts (some empty), each plus its shift, read exactly as the one array they make: slices,
    blocks, every step-th entry, and sorted searches for present, absent and outside values."""
    folder = tmp_path_factory.mktemp("parted")
    rng = np.random.default_rng(seed)
    pieces, shifts, files = [], [], []
    low = 0
    for k, length in enumerate(lengths):  # each part numbered from 0; shifted, the whole is sorted
        local = np.sort(rng.integers(0, 30, length)) if length else np.zeros(0, np.int64)
        shifts.append(low)
        pieces.append(local + low)
        files.append(DiskArray.from_array(folder / f"p{k}", local.astype(np.int64)))
        low += int(local[-1]) + int(rng.integers(0, 3)) if length else 0
    whole = np.concatenate(pieces)
    parted = PartedArray(files, shifts)
    assert len(parted) == len(whole) and np.array_equal(parted.read(), whole)
    for lo, hi in [(0, len(whole)), (1, len(whole) - 1), (len(whole) // 3, len(whole) // 2), (len(whole), len(whole))]:
        assert np.array_equal(parted.read(lo, hi), whole[lo:hi])
    assert np.array_equal(np.concatenate([b for _, b in parted.blocks(step)] or [np.zeros(0, np.int64)]), whole)
    assert [start for start, _ in parted.blocks(step, 1)] == list(range(1, len(whole), step))
    assert np.array_equal(parted.every(step), whole[::step])
    for value in list(range(-1, low + 35, 3)) + [int(v) for v in whole[::5]]:
        for side in ("left", "right"):
            assert parted.searchsorted(value, side) == np.searchsorted(whole, value, side)
    plain = DiskArray.from_array(folder / "whole", whole)
    assert plain.searchsorted(int(whole[len(whole) // 2]) if len(whole) else 3) == \
        np.searchsorted(whole, int(whole[len(whole) // 2]) if len(whole) else 3)
    assert np.array_equal(plain.every(step), whole[::step])
    parted.remove()
    assert not any(f.path.exists() for f in files)


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
