"""``np.unique`` of non-negative int64 keys with the inverse and counts, by a value sort.

``np.unique(..., return_inverse=True)`` sorts with ``argsort``, which for int64 is about ten
times slower than ``np.sort`` (NumPy's SIMD sort only sorts values).  When a key and its
position fit together in 63 bits, both are packed into one int64 (key in the high bits),
sorted by value, and unpacked: the same unique keys, inverse and counts, several times faster.
Keys are packed as offsets from the smallest (a block of a k-way merge spans a narrow stretch of
big keys: order-5 keys of a merged table exceed 40 bits at 64M tokens, their spread in a block
does not); a wider spread falls back to ``np.unique``.  Keys that are a concatenation of a few
sorted runs (a k-way merge) are sorted with ``kind="stable"`` (a merge sort that finds the runs:
a few times faster than the SIMD sort there, O(n log k) instead of O(n log n)).
"""

from __future__ import annotations

import numpy as np


def _packable(keys: np.ndarray) -> tuple[int, int]:
    """Bits for positions and the smallest key, if ``keys - smallest`` can be packed with them
    (0 bits if not)."""
    if len(keys) == 0:
        return 0, 0
    smallest = int(keys.min())
    position_bits = max(1, (len(keys) - 1).bit_length())
    return (position_bits if (int(keys.max()) - smallest).bit_length() + position_bits <= 63 else 0), smallest


def narrowest_index(bound: int) -> type:
    """``int32`` when every value below ``bound`` fits it (indices into ``bound`` items, counts
    of at most ``bound - 1``), else ``int64``: half the memory and file bytes when it can."""
    return np.int32 if bound <= np.iinfo(np.int32).max else np.int64


def unique_inverse(keys: np.ndarray, counts: bool = False, sorted_runs: bool = False, overwrite: bool = False,
                   inverse_type: type = np.int64):
    """``np.unique(keys, return_inverse=True[, return_counts=True])`` for int64 keys;
    ``sorted_runs``: ``keys`` is a few sorted runs one after the other (merged, not sorted);
    ``overwrite``: ``keys`` may be used as the work array (its values are lost);
    ``inverse_type``: e.g. ``int32`` when the caller knows the indices fit (half the memory)."""
    keys = np.asarray(keys, np.int64)
    bits, smallest = _packable(keys)
    if not bits:
        found = np.unique(keys, return_inverse=True, return_counts=counts)
        return (found[0], found[1].astype(inverse_type, copy=False)) + tuple(found[2:])
    if overwrite:
        packed = keys
        packed -= smallest
    else:
        packed = keys - smallest
    packed <<= bits
    packed |= np.arange(len(packed), dtype=np.int64)
    packed.sort(kind="stable" if sorted_runs else None)
    position = packed & ((1 << bits) - 1)
    packed >>= bits  # the sorted keys
    first = np.empty(len(packed), bool)
    first[0] = True
    np.not_equal(packed[1:], packed[:-1], out=first[1:])
    rank = np.cumsum(first, dtype=inverse_type)
    rank -= 1
    inverse = np.empty(len(packed), inverse_type)
    inverse[position] = rank
    starts = np.flatnonzero(first)
    unique = packed[starts]
    unique += smallest
    if not counts:
        return unique, inverse
    return unique, inverse, np.diff(np.append(starts, len(packed)))


def unique_counts(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(keys, return_counts=True)`` by a value sort."""
    ordered = np.sort(np.asarray(keys))
    if len(ordered) == 0:
        return ordered, np.zeros(0, np.int64)
    first = np.empty(len(ordered), bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    return ordered[starts], np.diff(np.append(starts, len(ordered)))
