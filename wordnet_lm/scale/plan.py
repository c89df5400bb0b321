"""Cutting map-reduce work into tasks that keep every worker busy until the end of a phase.

A phase ends when its last task does: five equal tasks on two workers take three task-times,
six take three too, so a phase is cut into a multiple of the workers of about equal tasks
(map: shards of equal tokens; reduce: key ranges of equal work, measured by the map tasks).
"""

from __future__ import annotations

import numpy as np

# reduce tasks per worker when there are several: key ranges are cut by a measure of their work
# that is close but not exact, and workers run at different speeds on a shared machine; with
# four apiece the one that finishes first takes another instead of waiting for the last
REDUCE_TASKS_PER_WORKER = 4


def reduce_task_count(workers: int) -> int:
    """How many key ranges a reduce phase is cut into (at least; a budget may ask for more)."""
    workers = max(1, int(workers))
    return 1 if workers == 1 else REDUCE_TASKS_PER_WORKER * workers


def shard_count(n_items: int, max_per_task: int, workers: int) -> int:
    """Tasks for ``n_items`` (tokens) of at most about ``max_per_task`` each: the fewest that
    fit, rounded up to a multiple of ``workers`` (equal tasks, so the workers finish together)."""
    workers = max(1, int(workers))
    needed = max(1, -(-int(n_items) // max(1, int(max_per_task))))
    return -(-needed // workers) * workers


def balanced_ranges(weights: np.ndarray, n_ranges: int) -> list[tuple[int, int]]:
    """``n_ranges`` (or fewer) consecutive ranges ``(first, stop)`` covering ``0..len(weights)``
    whose total weights are about equal (cut at the quantiles of the cumulative weight; a heavy
    item is never split, so a range holds at least one item)."""
    weights = np.asarray(weights, np.float64)
    size = len(weights)
    if size == 0:
        return []
    mass = np.cumsum(weights)
    if mass[-1] <= 0:
        return [(0, size)]
    cuts = np.searchsorted(mass, mass[-1] * np.arange(1, max(1, n_ranges)) / max(1, n_ranges)) + 1
    bounds = np.unique(np.concatenate([[0], np.clip(cuts, 1, size), [size]]))
    return [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:])]
