"""The value-sort ``unique`` equals ``np.unique`` (packed and fallback paths)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from wordnet_lm.ngram.sorting import _packable, unique_counts, unique_inverse


def _same(keys):
    keys = np.asarray(keys, np.int64)
    want = np.unique(keys, return_inverse=True, return_counts=True)
    got = unique_inverse(keys, counts=True)
    for w, g in zip(want, got):
        np.testing.assert_array_equal(g, w)
    u, inv = unique_inverse(keys)
    np.testing.assert_array_equal(u, want[0])
    np.testing.assert_array_equal(inv, want[1])
    work = keys.copy()  # overwrite=True: the same result, computed in the caller's array
    for w, g in zip(want, unique_inverse(work, counts=True, overwrite=True)):
        np.testing.assert_array_equal(g, w)
    u, c = unique_counts(keys)
    np.testing.assert_array_equal(u, want[0])
    np.testing.assert_array_equal(c, want[2])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 2 ** 62), max_size=200), st.integers(0, 60))
def test_equals_numpy_unique(values, shift):
    _same(np.asarray(values, np.int64) >> shift)  # narrow keys: packed; wide keys: np.unique


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 2 ** 20), max_size=200), st.integers(-2 ** 62, 2 ** 62))
def test_wide_keys_of_narrow_spread(values, offset):
    """Big (or negative) keys close together, as in a block of a k-way merge of order-5 keys:
    packed as offsets from the smallest, the same result as ``np.unique``."""
    keys = np.asarray(values, np.int64) + np.int64(offset)
    assert not values or _packable(keys)[0]
    _same(keys)


def test_large_random_keys_both_paths():
    rng = np.random.default_rng(3)
    _same(rng.integers(0, 1000, 100_000))
    wide = rng.integers(0, 2 ** 50, 100_000)  # too wide to pack with 17 position bits
    assert _packable(wide)[0] == 0
    _same(wide)
    _same(rng.integers(2 ** 50, 2 ** 50 + 2 ** 40, 100_000))  # a 40-bit spread of 50-bit keys: packed
    _same(np.zeros(0, np.int64))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 2 ** 40), max_size=60), min_size=1, max_size=6))
def test_sorted_runs_merge_equals_numpy_unique(runs):
    """Keys that are sorted runs one after the other (a k-way merge's blocks): the same result."""
    keys = np.concatenate([np.unique(np.asarray(r, np.int64)) for r in runs] + [np.zeros(0, np.int64)])
    want = np.unique(keys, return_inverse=True, return_counts=True)
    for w, g in zip(want, unique_inverse(keys, counts=True, sorted_runs=True)):
        np.testing.assert_array_equal(g, w)
