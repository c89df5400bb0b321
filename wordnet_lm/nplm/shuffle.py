"""A shuffled order of ``range(n)`` that takes constant memory: a keyed Feistel permutation.

Shuffling the training examples with ``rng.permutation(n)`` costs 8 bytes an example: 8 GB
for a billion-token corpus, which the memory-mapped training data was meant to avoid.  A
Feistel network on ``2k``-bit integers is a bijection for any round function; walking the
cycle (applying it again while the value is ``>= n``) makes it a bijection of ``range(n)``
(Black & Rogaway 2002, "Ciphers with arbitrary finite domains").  With ``4**k < 4 n`` the
expected number of walks is below 4, and every step is a vectorised NumPy operation on the
positions asked for, so a batch's indices cost O(batch) time and memory.
"""

from __future__ import annotations

import numpy as np

ROUNDS = 6  # Luby-Rackoff: 4 rounds already give a pseudo-random permutation
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: a fast bijective scrambling of 64-bit integers."""
    x = (x ^ (x >> np.uint64(30))) * _MIX1
    x = (x ^ (x >> np.uint64(27))) * _MIX2
    return x ^ (x >> np.uint64(31))


class FeistelPermutation:
    """A pseudo-random permutation of ``range(n)`` drawn by ``rng``: ``perm[i:j]`` is the slice
    of the shuffled order, computed on demand (no O(n) array).

    >>> perm = FeistelPermutation(10, np.random.default_rng(0))
    >>> sorted(perm[0:10].tolist()) == list(range(10))
    True
    """

    def __init__(self, n: int, rng: np.random.Generator) -> None:
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        self.n = int(n)
        half = max(1, (max(self.n - 1, 1).bit_length() + 1) // 2)  # 4**half >= n
        self._half = np.uint64(half)
        self._mask = np.uint64((1 << half) - 1)
        self._keys = rng.integers(0, 2**63, size=ROUNDS, dtype=np.uint64)

    def __len__(self) -> int:
        return self.n

    def _encrypt(self, x: np.ndarray) -> np.ndarray:
        left, right = x >> self._half, x & self._mask
        with np.errstate(over="ignore"):  # the mixing multiplies modulo 2**64 on purpose
            for key in self._keys:
                left, right = right, left ^ (_mix(right * _GOLDEN + key) & self._mask)
        return (left << self._half) | right

    def take(self, positions: np.ndarray) -> np.ndarray:
        """The shuffled order at ``positions`` (int64 in ``[0, n)``)."""
        positions = np.asarray(positions, np.int64)
        if positions.size and (positions.min() < 0 or positions.max() >= self.n):
            raise IndexError(f"positions must be in [0, {self.n})")
        out = self._encrypt(positions.astype(np.uint64))
        outside = np.flatnonzero(out >= self.n)
        while outside.size:  # cycle walking: each value re-enters the domain within a few steps
            out[outside] = self._encrypt(out[outside])
            outside = outside[out[outside] >= self.n]
        return out.astype(np.int64)

    def __getitem__(self, index: slice) -> np.ndarray:
        if not isinstance(index, slice):
            raise TypeError("index a FeistelPermutation with a slice")
        return self.take(np.arange(*index.indices(self.n), dtype=np.int64))
