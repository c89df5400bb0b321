"""Counting co-occurrences within a memory budget: sorted runs spilled to disk, merged by row range.

:class:`BoundedCounter` adds chunk counts (integer CSR matrices, see
:mod:`~wordnet_lm.glove.pair_counts`) to a running sum; when the sum outgrows its share of the
budget it is written to the spill folder as a *run*: a CSR matrix, i.e. entries sorted by
(row, column), in three raw files.  At the end :meth:`BoundedCounter.row_blocks` merges the
runs one range of rows at a time (each range reads its slice of every run, a few reads per run
and no file held open), sized so that the slices fit the budget.  This is Stanford
``cooccur``'s design (sorted overflow files, then a merge) with a merge by key range instead of
a heap: the ranges are independent, so they vectorise and could run in parallel.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
import scipy.sparse

from wordnet_lm.glove.pair_counts import SparseSum, canonical, csr_nbytes
from wordnet_lm.scale.spill import read_raw, write_raw

# a record read (12 bytes: column and count) and the pairwise sums of the slices (at most
# twice that while two levels of the summing tree are alive), rounded up
MERGE_BYTES_PER_RECORD = 40
# shares of the budget: the running sum (peaks at twice its size while two partial sums
# are added), one chunk's pairs, and the merge's slices plus their sum
SUM_SHARE, PIECE_SHARE, MERGE_SHARE = 0.25, 0.5, 0.5


@dataclass(frozen=True)
class Run:
    """One spilled matrix as its CSR arrays in raw files: ``{stem}.cols`` (int32),
    ``{stem}.counts`` (``count_type``: int32 when every count of the run fits, a third less to
    write and read back, else int64) and ``{stem}.indptr`` (int64), read back a range of rows
    at a time (counts as int64)."""

    stem: Path
    n_rows: int
    n_cols: int
    nnz: int
    count_type: str = "int64"

    @classmethod
    def write(cls, stem: Path, matrix: scipy.sparse.csr_matrix) -> "Run":
        narrow = matrix.nnz == 0 or int(matrix.data.max()) <= np.iinfo(np.int32).max  # counts are >= 0
        count_type = np.dtype(np.int32 if narrow else np.int64)
        write_raw(stem.with_suffix(".cols"), matrix.indices.astype(np.int32, copy=False))
        write_raw(stem.with_suffix(".counts"), matrix.data.astype(count_type, copy=False))
        write_raw(stem.with_suffix(".indptr"), matrix.indptr.astype(np.int64, copy=False))
        return cls(stem, matrix.shape[0], matrix.shape[1], matrix.nnz, count_type.name)

    def indptr(self) -> np.ndarray:
        return read_raw(self.stem.with_suffix(".indptr"), np.int64, 0, self.n_rows + 1)

    def rows(self, first: int, stop: int) -> scipy.sparse.csr_matrix:
        """Rows ``first..stop-1`` as a canonical CSR matrix (three reads at offsets)."""
        indptr = read_raw(self.stem.with_suffix(".indptr"), np.int64, first, stop + 1)
        start, end = int(indptr[0]), int(indptr[-1])
        cols = read_raw(self.stem.with_suffix(".cols"), np.int32, start, end)
        counts = read_raw(self.stem.with_suffix(".counts"), np.dtype(self.count_type), start, end).astype(
            np.int64, copy=False)
        matrix = scipy.sparse.csr_matrix((counts, cols, indptr - start), shape=(stop - first, self.n_cols))
        matrix.has_sorted_indices = True
        matrix.has_canonical_format = True
        return matrix

    def files(self) -> list[Path]:
        return [self.stem.with_suffix(suffix) for suffix in (".cols", ".counts", ".indptr")]

    def remove(self) -> None:
        for path in self.files():
            path.unlink(missing_ok=True)


def run_row_nnz(runs: list[Run], n_rows: int) -> np.ndarray:
    """Records per row over all ``runs`` (an upper bound of the merged row's entries)."""
    row_nnz = np.zeros(n_rows, np.int64)
    for run in runs:
        row_nnz += np.diff(run.indptr())
    return row_nnz


def merge_runs(runs: list[Run], n_rows: int, n_cols: int, max_entries: int,
               ranges: list[tuple[int, int]] | None = None) -> Iterator[tuple[int, scipy.sparse.csr_matrix]]:
    """The sum of ``runs`` as ``(first_row, rows)`` blocks of at most about ``max_entries``
    records read (or the given row ``ranges``, consecutive): each block reads its rows from
    every run once (no file held open between reads) and adds the canonical slices pairwise,
    as a balanced tree of linear merges."""
    if ranges is None:
        ranges = row_ranges(run_row_nnz(runs, n_rows), max_entries)
    if not ranges:
        return
    for first, stop in ranges:
        slices = [run.rows(first, stop) for run in runs]
        yield first, sum_tree(slices)


def sum_tree(matrices: list[scipy.sparse.csr_matrix]) -> scipy.sparse.csr_matrix:
    """The sum of canonical CSR matrices, added in pairs level by level (each level a linear
    merge of everything once: ``log2(k)`` passes instead of a sort)."""
    while len(matrices) > 1:
        paired = [matrices[k] + matrices[k + 1] for k in range(0, len(matrices) - 1, 2)]
        if len(matrices) % 2:
            paired.append(matrices[-1])
        matrices = paired
    return canonical(matrices[0])


def row_ranges(row_nnz: np.ndarray, max_entries: int) -> list[tuple[int, int]]:
    """Consecutive row ranges covering all rows, each holding at most ``max_entries`` entries
    (or one row, if a single row holds more)."""
    ends = np.cumsum(row_nnz)
    ranges, first = [], 0
    n_rows = len(row_nnz)
    while first < n_rows:
        base = ends[first - 1] if first else 0
        stop = int(np.searchsorted(ends, base + max_entries, side="right"))
        stop = min(max(stop, first + 1), n_rows)
        ranges.append((first, stop))
        first = stop
    return ranges


class BoundedCounter:
    """Sum integer count matrices within ``memory`` bytes, spilling sorted runs to ``folder``.

    Parameters
    ----------
    n_words : int
        The matrices are ``n_words x n_words``.
    memory : int or None
        Budget in bytes; None: never spill.
    folder : Path or None
        Where runs go (required when ``memory`` is set).
    symmetric : bool
        Add the transpose of the total (done per run: the transpose of a sum is the sum of
        the transposes, and integer sums are exact).
    """

    def __init__(self, n_words: int, memory: int | None = None, folder: Path | None = None,
                 symmetric: bool = True) -> None:
        self.shape = (n_words, n_words)
        self.memory = memory
        self.folder = folder
        self.symmetric = symmetric
        self.sum = SparseSum(self.shape)
        self.runs: list[Run] = []

    @property
    def piece_bytes(self) -> int | None:
        """Scratch a chunk's pairs may use, or None without a budget."""
        return None if self.memory is None else int(self.memory * PIECE_SHARE)

    def add(self, counts: scipy.sparse.csr_matrix) -> None:
        self.sum.add(counts)
        if self.memory is not None and self.sum.nbytes > self.memory * SUM_SHARE:
            self.spill()

    def spill(self) -> None:
        """Write the running sum as a run and start a new one."""
        total = self._finished(self.sum.total())
        if total.nnz:
            self.runs.append(Run.write(self.folder / f"run{len(self.runs):05d}", total))

    def _finished(self, total: scipy.sparse.csr_matrix) -> scipy.sparse.csr_matrix:
        return canonical(total + total.T) if self.symmetric else total

    def row_blocks(self) -> Iterator[tuple[int, scipy.sparse.csr_matrix]]:
        """``(first_row, rows)`` blocks of the total in row order (runs are deleted when merged)."""
        if not self.runs:
            yield 0, self._finished(self.sum.total())
            return
        self.spill()
        max_entries = max(1, int(self.memory * MERGE_SHARE) // MERGE_BYTES_PER_RECORD)
        yield from merge_runs(self.runs, self.shape[0], self.shape[1], max_entries)
        for run in self.runs:
            run.remove()
        self.runs = []


def stack_blocks(blocks: Iterator[tuple[int, scipy.sparse.csr_matrix]], n_rows: int) -> scipy.sparse.csr_matrix:
    """One CSR matrix of ``n_rows`` rows from row blocks in order."""
    parts = [matrix for _, matrix in blocks]
    if len(parts) == 1 and parts[0].shape[0] == n_rows:
        return parts[0]
    return canonical(scipy.sparse.vstack(parts, format="csr"))


__all__ = ["BoundedCounter", "Run", "csr_nbytes", "merge_runs", "row_ranges", "run_row_nnz", "stack_blocks"]
