"""Cutting map-reduce work into tasks: shard counts a multiple of the workers, ranges of equal
weight (checked against a brute-force search on small inputs)."""

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from wordnet_lm.scale.plan import balanced_ranges, reduce_task_count, shard_count


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 10 ** 9), st.integers(1, 10 ** 8), st.integers(1, 9))
def test_shard_count_fits_and_is_a_multiple_of_the_workers(items, per_task, workers):
    n = shard_count(items, per_task, workers)
    assert n % workers == 0 and n >= workers
    assert -(-items // n) <= per_task  # equal shards fit a task
    assert n - workers < max(1, -(-items // per_task))  # the fewest such


def test_shard_count_examples():
    assert shard_count(16_200_000, 3_800_000, 2) == 6  # 5 would leave a worker idle a fifth of the phase
    assert shard_count(16_200_000, 7_600_000, 1) == 3
    assert shard_count(4_000_000, 10 ** 9, 2) == 2
    assert shard_count(0, 100, 3) == 3


def _check_cover(ranges, size):
    assert ranges[0][0] == 0 and ranges[-1][1] == size
    assert all(a < b for a, b in ranges)
    assert all(b == c for (_, b), (c, _) in zip(ranges, ranges[1:]))


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(0, 50), min_size=1, max_size=9), st.integers(1, 4))
def test_balanced_ranges_are_as_even_as_the_best_cut(weights, n):
    ranges = balanced_ranges(np.array(weights), n)
    _check_cover(ranges, len(weights))
    assert len(ranges) <= n
    heaviest = max(sum(weights[a:b]) for a, b in ranges)
    best = min(max(sum(weights[a:b]) for a, b in zip((0,) + cut, cut + (len(weights),)))
               for k in range(min(n, len(weights)))
               for cut in itertools.combinations(range(1, len(weights)), k))  # brute force over all cuts
    # quantile cuts: within one item of the even share, and so of the best cut
    assert heaviest <= max(sum(weights) / n, 0) + max(weights)
    assert heaviest <= best + max(weights)


def test_balanced_ranges_examples():
    assert balanced_ranges(np.ones(8), 4) == [(0, 2), (2, 4), (4, 6), (6, 8)]
    assert balanced_ranges(np.array([0, 100, 0, 0, 1, 1]), 2) == [(0, 2), (2, 6)]  # a heavy item is not split
    assert balanced_ranges(np.zeros(5), 3) == [(0, 5)]
    assert balanced_ranges(np.zeros(0), 3) == []


def test_reduce_phases_give_each_of_several_workers_four_ranges():
    """One range for one worker (nothing to balance); four apiece for more, so that a worker
    that finishes early takes another instead of waiting for the slowest."""
    assert [reduce_task_count(w) for w in (0, 1, 2, 3)] == [1, 1, 8, 12]
