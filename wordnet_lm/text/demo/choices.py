"""Seeded random choices for the demo generator, stable across Python versions."""

from __future__ import annotations

import random
from bisect import bisect
from itertools import accumulate
from typing import Sequence

SEED = 2003  # Bengio et al.'s year


class Rng:
    """Choices drawn from ``random.Random(seed).random()`` only (stable across Python versions)."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed).random

    def index(self, n: int) -> int:
        return min(int(self._random() * n), n - 1)

    def choice(self, items: Sequence):
        return items[self.index(len(items))]

    def zipf(self, items: Sequence, exponent: float = 0.7):
        """Earlier items more often (weight ``1 / rank ** exponent``), like real word frequencies."""
        weights = _ZIPF_CACHE.get((len(items), exponent))
        if weights is None:
            weights = _ZIPF_CACHE[len(items), exponent] = list(
                accumulate(1.0 / (r + 1) ** exponent for r in range(len(items))))
        return self.weighted(items, weights)

    def weighted(self, items: Sequence, cumulative_weights: Sequence[float]):
        """An item drawn with the given cumulative weights."""
        r = self._random() * cumulative_weights[-1]
        return items[min(bisect(cumulative_weights, r), len(items) - 1)]

    def chance(self, p: float) -> bool:
        return self._random() < p

    def sample2(self, items: Sequence) -> tuple:
        """Two distinct items."""
        i = self.index(len(items))
        j = self.index(len(items) - 1)
        return items[i], items[j + (j >= i)]


_ZIPF_CACHE: dict = {}
