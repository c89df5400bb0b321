"""The nonzeros GloVe trains on: in memory, or memory-mapped from a co-occurrence folder, in blocks.

:class:`Nonzeros` packs row, column, ``log x`` and ``f(x)`` of each entry side by side.
:class:`NonzeroBlocks` cuts the entries (in row order) into blocks of ``block_nonzeros``
consecutive entries; an epoch visits the blocks in a shuffled order and draws its random
mini-batches within the block at hand, so only one block is ever packed in memory.  A matrix
in memory and the same matrix in a :class:`~wordnet_lm.glove.matrix_file.CooccurrenceFile`
give the same blocks, hence (for one seed) the same vectors; one block holding everything is
the in-memory trainer's schedule exactly.
"""

from __future__ import annotations

import math
from typing import Iterator

import numpy as np
import scipy.sparse

from wordnet_lm.errors import TrainingError
from wordnet_lm.glove.matrix_file import CooccurrenceFile
from wordnet_lm.glove.objective import weighting

FILE_BLOCK_NONZEROS = 1 << 22  # default block of a memory-mapped matrix: 4 M entries, ~100 MB while trained


class Nonzeros:
    """The nonzero entries of a co-occurrence matrix in row order, as the trainer needs them.

    Row, column, ``log x`` and ``f(x)`` of an entry are stored side by side (16 bytes), so a
    batch of random entries is gathered with one memory access per entry.
    """

    def __init__(self, rows: np.ndarray, cols: np.ndarray, log_x: np.ndarray, weight: np.ndarray,
                 n_words: int) -> None:
        self.packed = np.empty((len(rows), 4), dtype=np.int32)
        self.packed[:, 0], self.packed[:, 1] = rows, cols
        self.packed[:, 2] = np.asarray(log_x, np.float32).view(np.int32)
        self.packed[:, 3] = np.asarray(weight, np.float32).view(np.int32)
        self.n_words = int(n_words)

    @classmethod
    def from_matrix(cls, cooccurrences, x_max: float, alpha: float) -> "Nonzeros":
        """Validate a square non-negative matrix and extract its nonzeros."""
        matrix = scipy.sparse.csr_matrix(cooccurrences, dtype=np.float64, copy=True)
        _check_square(matrix.shape)
        matrix.sum_duplicates()
        matrix.eliminate_zeros()
        _check_values(matrix.data, matrix.nnz)
        rows = np.repeat(np.arange(matrix.shape[0], dtype=np.int32), np.diff(matrix.indptr))
        return cls.from_entries(rows, matrix.indices, matrix.data, matrix.shape[0], x_max, alpha)

    @classmethod
    def from_entries(cls, rows: np.ndarray, cols: np.ndarray, x: np.ndarray, n_words: int, x_max: float,
                     alpha: float) -> "Nonzeros":
        x = np.asarray(x, np.float64)
        return cls(rows, cols, np.log(x), weighting(x, x_max, alpha), n_words)

    def __len__(self) -> int:
        return len(self.packed)

    def slice(self, start: int, stop: int) -> "Nonzeros":
        """Entries ``start:stop`` (a view, no copy)."""
        part = Nonzeros.__new__(Nonzeros)
        part.packed, part.n_words = self.packed[start:stop], self.n_words
        return part

    def batch(self, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Rows, columns, ``log x`` and ``f(x)`` of the entries at ``positions``."""
        records = np.take(self.packed, positions, axis=0)
        return (records[:, 0].copy(), records[:, 1].copy(), records[:, 2].view(np.float32).copy(),
                records[:, 3].view(np.float32).copy())


def _check_square(shape: tuple[int, int]) -> None:
    if shape[0] != shape[1]:
        raise TrainingError(f"the co-occurrence matrix must be square, got shape {shape}")


def _check_values(x: np.ndarray, nnz: int) -> None:
    if nnz == 0:
        raise TrainingError("the co-occurrence matrix has no nonzero entries (empty corpus, or "
                            "min_count/window leave no pair of words)")
    if not np.all(np.isfinite(x)) or x.min() <= 0:
        raise TrainingError("co-occurrence counts must be finite and non-negative")


class NonzeroBlocks:
    """The nonzeros of a matrix as blocks of ``block_nonzeros`` consecutive entries (row order).

    Parameters
    ----------
    cooccurrences : scipy.sparse matrix, ndarray or CooccurrenceFile
    x_max, alpha : float
        GloVe's weighting function.
    block_nonzeros : int, optional
        Entries per block; default: one block for a matrix in memory,
        ``FILE_BLOCK_NONZEROS`` for a memory-mapped one.
    """

    def __init__(self, cooccurrences, x_max: float, alpha: float, block_nonzeros: int | None = None) -> None:
        self.x_max, self.alpha = x_max, alpha
        if isinstance(cooccurrences, CooccurrenceFile):
            self.source: CooccurrenceFile | None = cooccurrences
            self.in_memory = None
            self.n_words, self.nnz = cooccurrences.n_words, cooccurrences.nnz
            self._check_file()
            default = FILE_BLOCK_NONZEROS
        else:
            self.source = None
            self.in_memory = Nonzeros.from_matrix(cooccurrences, x_max, alpha)
            self.n_words, self.nnz = self.in_memory.n_words, len(self.in_memory)
            default = self.nnz
        size = default if block_nonzeros is None else int(block_nonzeros)
        if size < 1:
            raise TrainingError(f"block_nonzeros must be positive, got {block_nonzeros!r}")
        self.block_nonzeros = min(size, self.nnz)
        self.n_blocks = math.ceil(self.nnz / self.block_nonzeros)

    def __len__(self) -> int:
        return self.nnz

    def bounds(self, k: int) -> tuple[int, int]:
        return k * self.block_nonzeros, min(self.nnz, (k + 1) * self.block_nonzeros)

    def block(self, k: int) -> Nonzeros:
        """Block ``k`` packed for training (a view of the in-memory entries, or read from the file)."""
        start, stop = self.bounds(k)
        if self.in_memory is not None:
            return self.in_memory.slice(start, stop)
        indptr = self.source.array("indptr")
        first = int(np.searchsorted(indptr, start, side="right")) - 1
        last = int(np.searchsorted(indptr, stop, side="left"))
        row_starts = np.clip(np.asarray(indptr[first:last + 1]), start, stop)
        rows = np.repeat(np.arange(first, last, dtype=np.int32), np.diff(row_starts))
        cols = np.asarray(self.source.array("indices")[start:stop])
        x = np.asarray(self.source.array("data")[start:stop])
        return Nonzeros.from_entries(rows, cols, x, self.n_words, self.x_max, self.alpha)

    def blocks(self) -> Iterator[Nonzeros]:
        for k in range(self.n_blocks):
            yield self.block(k)

    def _check_file(self) -> None:
        """Validate a memory-mapped matrix block by block before training starts."""
        if self.nnz == 0:
            _check_values(np.zeros(0), 0)
        data, indices = self.source.array("data"), self.source.array("indices")
        indptr = self.source.array("indptr")
        if indptr[0] != 0 or indptr[-1] != self.nnz or np.any(np.diff(indptr) < 0):
            raise TrainingError(f"{self.source.path}: corrupt row pointers")
        for start in range(0, self.nnz, FILE_BLOCK_NONZEROS):
            stop = min(self.nnz, start + FILE_BLOCK_NONZEROS)
            _check_values(np.asarray(data[start:stop]), stop - start)
            cols = np.asarray(indices[start:stop])
            if cols.min() < 0 or cols.max() >= self.n_words:
                raise TrainingError(f"{self.source.path}: column index outside the vocabulary")
