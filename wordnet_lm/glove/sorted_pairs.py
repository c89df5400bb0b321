"""Window counts of a piece of corpus by one sort of packed 64-bit keys (the counting kernel).

Each pair ``d`` apart becomes one int64: ``(left * n_words + right) << d_bits | (d - 1)``.
NumPy sorts plain integers with SIMD sort networks, many times faster than SciPy's COO -> CSR
conversion sorts rows of (row, column, value) triples; after the sort, equal pairs are
adjacent, their distance bits give their integer weights (``units[d - 1]``), and
``np.add.reduceat`` sums them exactly.  The sorted keys are already in CSR order, so the
matrix is canonical (sorted columns, no duplicates) without another sort.  When the packed
key does not fit 63 bits (vocabularies of tens of millions of words) the caller falls back to
SciPy.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse

# bytes of scratch per pair of a piece: the packed key, the weights gathered after the sort,
# the boundary mask, and the unique keys, sums, columns and rows (at most one per pair)
BYTES_PER_PAIR = 34
WEIGHT_KEY_BITS = 63  # keys carry the weight itself when two word ids and it fit this many bits


def _bits(n: int) -> int:
    return max(1, int(n - 1).bit_length())


def fits(n_words: int, window: int) -> bool:
    """Whether a packed key (two word ids and a distance) fits a non-negative int64."""
    return 2 * _bits(n_words) + _bits(window) <= 63


def right_context_sorted(ids: np.ndarray, room: np.ndarray, start: int, stop: int, units: np.ndarray,
                         n_words: int) -> scipy.sparse.csr_matrix:
    """``X[ids[t], ids[t + d]] += units[d - 1]`` for ``start <= t < stop`` and ``d <= room[t]``,
    as a canonical int64 CSR matrix (``fits(n_words, len(units))`` must hold).  The low bits of
    a key hold the pair's weight itself when it fits (no gather after the sort), else ``d - 1``."""
    word_bits = _bits(n_words)
    unit_bits = int(units.max()).bit_length()
    if 2 * word_bits + unit_bits <= WEIGHT_KEY_BITS:
        d_bits, low = unit_bits, units
    else:
        d_bits, low = _bits(len(units)), None
    room = room[start:stop]
    positions = [np.flatnonzero(room >= d) for d in range(1, len(units) + 1)]
    packed = np.empty(sum(len(p) for p in positions), np.int64)
    at = 0
    left = ids[start:stop].astype(np.int64) << (word_bits + d_bits)
    for d, t in enumerate(positions, start=1):
        part = packed[at:at + len(t)]
        part[:] = ids[t + (start + d)]
        part <<= d_bits
        part |= left[t]
        part |= d - 1 if low is None else int(low[d - 1])
        at += len(t)
    del positions, left
    return _reduce_packed(packed, word_bits, d_bits, None if low is not None else units, n_words)


def _reduce_packed(packed: np.ndarray, word_bits: int, d_bits: int, units: np.ndarray | None,
                   n_words: int) -> scipy.sparse.csr_matrix:
    """Sort ``packed`` in place and sum the weights of equal pairs into a canonical CSR matrix
    (the low ``d_bits`` are the weight, or with ``units`` the index of the weight)."""
    if len(packed) == 0:
        return scipy.sparse.csr_matrix((n_words, n_words), dtype=np.int64)
    packed.sort()
    weights = packed & ((1 << d_bits) - 1)
    if units is not None:
        weights = np.take(units, weights)
    packed >>= d_bits
    last = np.empty(len(packed), bool)  # the last of each run of equal pairs
    np.not_equal(packed[1:], packed[:-1], out=last[:-1])
    last[-1] = True
    ends = np.flatnonzero(last)
    del last
    np.cumsum(weights, out=weights)
    sums = weights[ends]
    sums[1:] -= sums[:-1].copy()
    del weights
    pairs = packed[ends]
    del packed, ends
    columns = (pairs & ((1 << word_bits) - 1)).astype(np.int32)
    pairs >>= word_bits
    indptr = np.zeros(n_words + 1, np.int64)
    np.cumsum(np.bincount(pairs, minlength=n_words), out=indptr[1:])
    matrix = scipy.sparse.csr_matrix((sums, columns, indptr), shape=(n_words, n_words))
    matrix.has_sorted_indices = True
    matrix.has_canonical_format = True
    return matrix
