"""The constant-memory shuffle of big training sets: a bijection of range(n), seeded, resumable."""

import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wordnet_lm.nplm import windows
from wordnet_lm.nplm.shuffle import FeistelPermutation
from wordnet_lm.nplm.windows import batches


@settings(max_examples=80, deadline=None)
@given(n=st.integers(0, 5000), seed=st.integers(0, 2**32 - 1))
def test_feistel_is_a_permutation_of_range_n(n, seed):
    order = FeistelPermutation(n, np.random.default_rng(seed))[0:n]
    assert order.dtype == np.int64
    np.testing.assert_array_equal(np.sort(order), np.arange(n))


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 255, 256, 257, 65535, 65536, 65537])
def test_feistel_edges_of_the_power_of_four_domain(n):
    order = FeistelPermutation(n, np.random.default_rng(7))[0:n]
    np.testing.assert_array_equal(np.sort(order), np.arange(n))


def test_feistel_slices_agree_with_the_whole_and_seeds_differ():
    perm = FeistelPermutation(10_000, np.random.default_rng(1))
    whole = perm[0:10_000]
    np.testing.assert_array_equal(np.concatenate([perm[0:3333], perm[3333:10_000]]), whole)
    np.testing.assert_array_equal(perm.take(np.array([5, 9999, 0])), whole[[5, 9999, 0]])
    other = FeistelPermutation(10_000, np.random.default_rng(2))[0:10_000]
    assert (other != whole).mean() > 0.99
    assert abs(np.corrcoef(np.arange(10_000), whole)[0, 1]) < 0.05  # shuffled, not nearly sorted
    with pytest.raises(IndexError):
        perm.take(np.array([10_000]))


def test_big_training_sets_are_shuffled_without_an_n_sized_array():
    n = 10**9  # rng.permutation would need 8 GB
    tracemalloc.start()
    try:
        gen = batches(n, 512, np.random.default_rng(0))
        seen = np.concatenate([next(gen) for _ in range(300)])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 * 2**20
    assert len(np.unique(seen)) == len(seen) == 300 * 512
    assert seen.min() >= 0 and seen.max() < n
    assert seen.max() > n // 2  # drawn from the whole range


def test_feistel_batches_cover_every_example_once_and_resume(monkeypatch):
    monkeypatch.setattr(windows, "PERMUTED_UP_TO", 100)
    monkeypatch.setattr(windows, "SHUFFLE_BLOCK", 64)
    first = np.concatenate(list(batches(1003, 10, np.random.default_rng(3))))
    np.testing.assert_array_equal(np.sort(first), np.arange(1003))
    assert not np.array_equal(first, np.arange(1003))
    np.testing.assert_array_equal(np.concatenate(list(batches(1003, 10, np.random.default_rng(3)))), first)
    rest = list(batches(1003, 10, np.random.default_rng(3), start=37))
    assert all(len(b) == 10 for b in rest[:-1]) and len(rest[-1]) == 3
    np.testing.assert_array_equal(np.concatenate(rest), first[370:])
