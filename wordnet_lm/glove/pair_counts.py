"""Exact window counts: co-occurrence weights as integers, so that sums never depend on order.

A pair ``d`` positions apart adds ``units[d - 1]`` to its entry, where ``units[d - 1] / scale``
is the weight (GloVe's ``1/d`` with ``scale = lcm(1..window)``; flat and linear weights have
small scales).  Integer sums are exact: chunks, spilled runs and Dask workers may add their
partial counts in any order and the matrix is the same bit for bit; it becomes float64 once,
``counts / scale``, at the end.  For harmonic windows over 22, whose lcm no longer fits, the
weights are rounded to multiples of ``2**-32`` (relative error below ``d * 2**-33``, 1e-8 for
windows up to 80).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import scipy.sparse

from wordnet_lm.errors import WordnetLMError
from wordnet_lm.glove import sorted_pairs
from wordnet_lm.text.vocab import UNK_ID, Corpus

MAX_EXACT_SCALE = 1 << 32
INT64_MAX = np.iinfo(np.int64).max
BYTES_PER_PAIR = 48  # SciPy's path: row, column, unit, their CSR copies and its sort scratch, per pair of a piece
# pieces of fewer tokens cost more in per-matrix overhead (O(vocabulary) each) than they save:
# their scratch, BYTES_PER_PAIR * window a token, is part of the fixed overhead (2 MB at window 10)
MIN_PIECE_TOKENS = 4096


@dataclass(frozen=True)
class FixedPointWeights:
    """Integer weights: a pair ``d`` apart adds ``units[d - 1]``; the weight is ``units / scale``."""

    units: np.ndarray  # int64, shape (window,)
    scale: int

    @classmethod
    def from_weights(cls, weights: np.ndarray, weighting: str) -> "FixedPointWeights":
        """The fixed-point form of :func:`~wordnet_lm.glove.cooccur.distance_weights`."""
        window = len(weights)
        d = np.arange(1, window + 1)
        if weighting == "flat":
            return cls(np.ones(window, np.int64), 1)
        if weighting == "linear":
            return cls((window + 1 - d).astype(np.int64), window)
        if weighting == "harmonic":
            scale = math.lcm(*d.tolist())
            if scale > MAX_EXACT_SCALE:
                return cls(np.rint(MAX_EXACT_SCALE / d).astype(np.int64), MAX_EXACT_SCALE)
            return cls((scale // d).astype(np.int64), scale)
        raise WordnetLMError(f"unknown weighting {weighting!r}")

    @property
    def window(self) -> int:
        return len(self.units)

    def max_occurrences(self) -> int:
        """Occurrences a word may have before one of its entries could overflow int64 (each
        occurrence adds at most ``sum(units)`` to an entry from each side)."""
        return INT64_MAX // (2 * int(self.units.sum()))

    def to_float(self, counts: np.ndarray) -> np.ndarray:
        """Integer counts -> float64 weights (one correctly rounded division)."""
        return counts / np.float64(self.scale)


def sentence_room(corpus: Corpus, count_unk: bool) -> tuple[np.ndarray, np.ndarray]:
    """The ids to pair (``<unk>`` dropped unless ``count_unk``) and, per token, how many tokens
    follow it in its sentence: windows never cross a sentence end."""
    ids = np.asarray(corpus.ids)
    lengths = np.diff(np.asarray(corpus.offsets))
    if not count_unk:
        keep = ids != UNK_ID
        sentence = np.repeat(np.arange(len(lengths)), lengths)
        ids, lengths = ids[keep], np.bincount(sentence[keep], minlength=len(lengths))
    ends = np.cumsum(lengths)
    room = np.repeat(ends, lengths) - np.arange(1, len(ids) + 1)
    return ids, room


def piece_tokens_for(scratch_bytes: int, n_words: int, window: int) -> int:
    """Left-hand tokens a piece may have for its pairs' scratch to stay within ``scratch_bytes``."""
    per_pair = sorted_pairs.BYTES_PER_PAIR if sorted_pairs.fits(n_words, window) else BYTES_PER_PAIR
    return max(MIN_PIECE_TOKENS, scratch_bytes // (per_pair * window))


def window_counts(corpus: Corpus, n_words: int, weights: FixedPointWeights, *, symmetric: bool = True,
                  count_unk: bool = False, piece_tokens: int = 1_000_000) -> scipy.sparse.csr_matrix:
    """Integer co-occurrence counts of one corpus chunk as a canonical int64 CSR matrix
    (the sum of :func:`window_count_pieces`; ``symmetric`` adds the transpose)."""
    total = SparseSum((n_words, n_words))
    for piece in window_count_pieces(corpus, n_words, weights, count_unk=count_unk, piece_tokens=piece_tokens):
        total.add(piece)
    counts = total.total()
    if symmetric:
        counts = canonical(counts + counts.T)
    return counts


def window_count_pieces(corpus: Corpus, n_words: int, weights: FixedPointWeights, *, count_unk: bool = False,
                        piece_tokens: int = 1_000_000) -> Iterator[scipy.sparse.csr_matrix]:
    """Right-context counts of ``corpus``, ``piece_tokens`` left-hand tokens at a time (about
    ``BYTES_PER_PAIR * window`` bytes of scratch per token of a piece), as int64 CSR matrices."""
    ids, room = sentence_room(corpus, count_unk)
    if len(ids) and int(ids.max()) >= n_words:
        raise WordnetLMError(f"word id {int(ids.max())} is outside a vocabulary of {n_words} words")
    for start in range(0, len(ids), max(1, piece_tokens)):
        yield _right_context(ids, room, start, min(start + piece_tokens, len(ids)), weights.units, n_words)


def _right_context(ids: np.ndarray, room: np.ndarray, start: int, stop: int, units: np.ndarray,
                   n_words: int) -> scipy.sparse.csr_matrix:
    """``X[ids[t], ids[t + d]] += units[d - 1]`` for ``start <= t < stop``, ``d`` within the sentence
    (by one sort of packed keys, :mod:`~wordnet_lm.glove.sorted_pairs`, when they fit 63 bits)."""
    if sorted_pairs.fits(n_words, len(units)):
        return sorted_pairs.right_context_sorted(ids, room, start, stop, units, n_words)
    room = room[start:stop]
    positions = [np.flatnonzero(room >= d) + start for d in range(1, len(units) + 1)]
    sizes = [len(p) for p in positions]
    left = np.empty(sum(sizes), np.int32)
    right = np.empty(sum(sizes), np.int32)
    value = np.repeat(units, sizes)
    at = 0
    for d, t in enumerate(positions, start=1):
        np.take(ids, t, out=left[at:at + len(t)])
        np.take(ids, t + d, out=right[at:at + len(t)])
        at += len(t)
    coo = scipy.sparse.coo_matrix((value, (left, right)), shape=(n_words, n_words))
    return canonical(coo.tocsr())  # sums duplicate pairs


def canonical(matrix) -> scipy.sparse.csr_matrix:
    """CSR with sorted column indices, no duplicates and no explicit zeros."""
    matrix = matrix.tocsr()
    matrix.sum_duplicates()
    matrix.eliminate_zeros()
    return matrix


def csr_nbytes(matrix: scipy.sparse.csr_matrix) -> int:
    return matrix.data.nbytes + matrix.indices.nbytes + matrix.indptr.nbytes


class SparseSum:
    """A running sum of sparse matrices that merges like a binary counter: a partial sum is
    added to the one below it once it has grown as large, so each entry is merged O(log n)
    times however many chunks there are (adding every chunk to one total would be quadratic)."""

    def __init__(self, shape: tuple[int, int]) -> None:
        self.shape = shape
        self.stack: list[scipy.sparse.csr_matrix] = []

    def add(self, matrix: scipy.sparse.csr_matrix) -> None:
        while self.stack and self.stack[-1].nnz <= 2 * matrix.nnz:
            matrix = self.stack.pop() + matrix
        self.stack.append(matrix)

    @property
    def nbytes(self) -> int:
        return sum(csr_nbytes(m) for m in self.stack)

    def total(self) -> scipy.sparse.csr_matrix:
        """The sum (the stack is emptied)."""
        if not self.stack:
            return scipy.sparse.csr_matrix(self.shape, dtype=np.int64)
        total = self.stack.pop()
        while self.stack:
            total = self.stack.pop() + total
        return canonical(total)
