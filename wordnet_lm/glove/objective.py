"""The GloVe objective on the project's autodiff engine.

For the nonzero entries ``x_ij`` of a co-occurrence matrix, GloVe minimises

    J = 1/2 * sum_ij f(x_ij) * (w_i . w~_j + b_i + b~_j - log x_ij)^2,
    f(x) = (x / x_max)^alpha if x < x_max else 1

(Stanford's code, and its printed cost, carry the 1/2; the paper does not).  A mini-batch
touches a few rows of ``W`` and ``W~``: the trainer gathers those rows into compact blocks,
and :func:`batch_loss` is the batch's ``J`` as a function of the blocks, written with ``anp``
so that the engine's ``value_and_grad`` gives the gradients of exactly the rows used.

The one new primitive is :func:`sampled_dots`, ``A[rows[k]] . B[cols[k]]`` for every pair
``k`` (the dot products of a "sampled" matrix product).  Written with generic primitives it
would be ``anp.sum(anp.take(A, rows, axis=0) * anp.take(B, cols, axis=0), axis=1)``, whose
backward pass materialises three ``n_pairs x dim`` arrays; fused, its forward pass works in
cache-sized pieces and its VJPs are single sparse-dense products (``S @ B`` and ``S.T @ A``
with ``S`` the batch's pairs weighted by the cotangent), which is what makes the engine
version as fast as a hand-written step (``benchmarks/glove_nltk_mix.py --engine-overhead``).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse

from wordnet_lm.autodiff.extend import def_linear, defvjp, primitive
from wordnet_lm.autodiff import numpy as anp
from wordnet_lm.parallel import run_tasks, split_range

PIECE_ROWS = 2048  # pairs per gathered piece in sampled_dots: two pieces of float32 rows fit in L2


def weighting(x: np.ndarray, x_max: float = 100.0, alpha: float = 0.75) -> np.ndarray:
    """GloVe's weighting function ``f(x) = min(1, (x / x_max) ** alpha)``, in ``x``'s float dtype."""
    x = np.asarray(x)
    f = np.power(x / x.dtype.type(x_max), x.dtype.type(alpha))
    return np.minimum(f, 1, out=f)


class _Pattern:
    """A CSR sparsity pattern with a permutation of the values: ``matrix(v)`` puts ``v[order[k]]``
    at the ``k``-th stored position.  Rows are split into nnz-balanced parts for threads."""

    def __init__(self, indptr: np.ndarray, indices: np.ndarray, order: np.ndarray | None, shape: tuple[int, int],
                 n_parts: int) -> None:
        self.indptr, self.indices, self.order, self.shape = indptr, indices, order, shape
        nnz = int(indptr[-1])
        cuts = np.searchsorted(indptr, [nnz * k // n_parts for k in range(1, n_parts)]).tolist()
        bounds = sorted(set([0] + [min(c, shape[0]) for c in cuts] + [shape[0]]))
        self.parts = list(zip(bounds[:-1], bounds[1:]))

    def matmul(self, values: np.ndarray, dense: np.ndarray, n_threads: int) -> np.ndarray:
        """``matrix(values) @ dense`` (rows computed in parallel parts)."""
        values = values.astype(dense.dtype, copy=False)
        if self.order is not None:
            values = values[self.order]
        out = np.empty((self.shape[0], dense.shape[1]), dtype=dense.dtype)

        def part(first: int, stop: int) -> None:
            lo, hi = self.indptr[first], self.indptr[stop]
            block = scipy.sparse.csr_matrix((values[lo:hi], self.indices[lo:hi], self.indptr[first:stop + 1] - lo),
                                            shape=(stop - first, self.shape[1]))
            out[first:stop] = block @ dense

        run_tasks([lambda a=a, b=b: part(a, b) for a, b in self.parts], n_threads)
        return out

    def matrix(self, values: np.ndarray) -> scipy.sparse.csr_matrix:
        values = np.asarray(values)
        if self.order is not None:
            values = values[self.order]
        return scipy.sparse.csr_matrix((values, self.indices, self.indptr), shape=self.shape)


class PairIndex:
    """The pairs ``(rows[k], cols[k])`` of a batch, as the sparsity pattern of a matrix.

    ``matrix(values)`` is the ``n_rows x n_cols`` CSR matrix with ``values[k]`` at
    ``(rows[k], cols[k])`` (repeated pairs add up).  Both orientations (rows and columns
    grouped) are prepared once, by counting sorts; the trainer's batches come sorted by row.

    Parameters
    ----------
    rows, cols : int arrays of equal length
    n_rows, n_cols : int
        The matrix shape (rows of ``A`` and ``B`` in :func:`sampled_dots`).
    n_threads : int, default 1
        Threads for :func:`sampled_dots` and its derivatives (results do not depend on it).
    """

    __slots__ = ("rows", "cols", "shape", "n_threads", "by_row", "by_col")

    def __init__(self, rows: np.ndarray, cols: np.ndarray, n_rows: int, n_cols: int, n_threads: int = 1) -> None:
        self.rows = np.asarray(rows, dtype=np.int32)
        self.cols = np.asarray(cols, dtype=np.int32)
        if self.rows.shape != self.cols.shape or self.rows.ndim != 1:
            raise ValueError("rows and cols must be 1-d arrays of the same length")
        self.shape = (int(n_rows), int(n_cols))
        self.n_threads = max(1, int(n_threads))
        n = len(self.rows)
        is_sorted = n < 2 or bool(np.all(self.rows[1:] >= self.rows[:-1]))
        order = None if is_sorted else np.argsort(self.rows, kind="stable")
        indptr = np.zeros(self.shape[0] + 1, dtype=np.int32)
        np.cumsum(np.bincount(self.rows, minlength=self.shape[0]), out=indptr[1:])
        sorted_cols = self.cols if order is None else self.cols[order]
        self.by_row = _Pattern(indptr, sorted_cols, order, self.shape, self.n_threads)
        # the transpose's pattern: a counting sort by column (SciPy's CSR -> CSC conversion)
        positions = np.arange(n, dtype=np.int32) if order is None else order.astype(np.int32)
        by_col = scipy.sparse.csr_matrix((positions, sorted_cols, indptr), shape=self.shape).tocsc()
        self.by_col = _Pattern(by_col.indptr, by_col.indices, by_col.data, self.shape[::-1], self.n_threads)

    def __len__(self) -> int:
        return len(self.rows)

    def matrix(self, values: np.ndarray) -> scipy.sparse.csr_matrix:
        """The CSR matrix with ``values[k]`` at ``(rows[k], cols[k])``."""
        return self.by_row.matrix(values)


@primitive
def sampled_dots(A: np.ndarray, B: np.ndarray, pairs: PairIndex) -> np.ndarray:
    """``out[k] = A[pairs.rows[k]] . B[pairs.cols[k]]`` for every pair ``k``.

    Parameters
    ----------
    A : ndarray, shape (pairs.shape[0], dim)
    B : ndarray, shape (pairs.shape[1], dim)
    pairs : PairIndex

    Returns
    -------
    ndarray, shape (len(pairs),), of the dtype of ``A * B``
    """
    A, B = np.asarray(A), np.asarray(B)
    out = np.empty(len(pairs), dtype=np.result_type(A, B))

    def part(first: int, stop: int) -> None:
        piece = min(PIECE_ROWS, stop - first)
        a_rows = np.empty((piece, A.shape[1]), dtype=A.dtype)
        b_rows = np.empty((piece, B.shape[1]), dtype=B.dtype)
        for start in range(first, stop, PIECE_ROWS):
            end = min(start + PIECE_ROWS, stop)
            n = end - start
            np.take(A, pairs.rows[start:end], axis=0, out=a_rows[:n])
            np.take(B, pairs.cols[start:end], axis=0, out=b_rows[:n])
            np.einsum("ij,ij->i", a_rows[:n], b_rows[:n], out=out[start:end])

    run_tasks([lambda a=a, b=b: part(a, b) for a, b in split_range(len(pairs), pairs.n_threads)], pairs.n_threads)
    return out


def _sampled_dots_vjp_a(g, ans, A, B, pairs):
    """d/dA of sum_k g[k] * A[rows[k]] . B[cols[k]]  =  S @ B with S = pairs.matrix(g)."""
    return pairs.by_row.matmul(g, np.asarray(B), pairs.n_threads).astype(A.dtype, copy=False)


def _sampled_dots_vjp_b(g, ans, A, B, pairs):
    """d/dB of the same sum  =  S.T @ A."""
    return pairs.by_col.matmul(g, np.asarray(A), pairs.n_threads).astype(B.dtype, copy=False)


defvjp(sampled_dots, _sampled_dots_vjp_a, _sampled_dots_vjp_b)
def_linear(sampled_dots, 0, 1)  # bilinear: linear in A and in B separately


@primitive
def lookup(x: np.ndarray, index: np.ndarray) -> np.ndarray:
    """``x[index]`` for a 1-d ``x``: ``anp.take`` with a ``bincount`` VJP (no sort of ``index``)."""
    return np.take(x, index)


defvjp(lookup, lambda g, ans, x, index: np.bincount(index, g, minlength=len(x)).astype(np.result_type(x), copy=False))
def_linear(lookup, 0)


def batch_loss(blocks: tuple, pairs: PairIndex, log_x: np.ndarray, weights: np.ndarray):
    """GloVe's loss over one batch of nonzeros, as a function of the rows it uses.

    Parameters
    ----------
    blocks : (W, W_tilde, b, b_tilde)
        The word vectors, context vectors and biases of the batch's rows (``pairs.rows``
        index ``W``/``b``, ``pairs.cols`` index ``W_tilde``/``b_tilde``).
    pairs : PairIndex
    log_x : ndarray, shape (len(pairs),)
        ``log x_ij`` of each pair.
    weights : ndarray, shape (len(pairs),)
        ``f(x_ij)`` of each pair.

    Returns
    -------
    0-d array: ``1/2 sum_k f_k (w_i . w~_j + b_i + b~_j - log x_k)^2``
    """
    W, W_tilde, b, b_tilde = blocks
    diff = sampled_dots(W, W_tilde, pairs) + lookup(b, pairs.rows) + lookup(b_tilde, pairs.cols) - log_x
    return 0.5 * anp.sum(weights * diff * diff)
