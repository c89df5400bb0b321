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

from wordnet_lm.autodiff import def_linear, defvjp, primitive
from wordnet_lm.autodiff import numpy as anp

PIECE_ROWS = 2048  # pairs per gathered piece in sampled_dots: two pieces of float32 rows fit in L2


def weighting(x: np.ndarray, x_max: float = 100.0, alpha: float = 0.75) -> np.ndarray:
    """GloVe's weighting function ``f(x) = min(1, (x / x_max) ** alpha)``, in ``x``'s float dtype."""
    x = np.asarray(x)
    f = np.power(x / x.dtype.type(x_max), x.dtype.type(alpha))
    return np.minimum(f, 1, out=f)


class PairIndex:
    """The pairs ``(rows[k], cols[k])`` of a batch, as the sparsity pattern of a matrix.

    ``matrix(values)`` is the ``n_rows x n_cols`` CSR matrix with ``values[k]`` at
    ``(rows[k], cols[k])`` (repeated pairs add up).  Sorting by row is done once here; the
    trainer's batches come sorted by row already and skip it.

    Parameters
    ----------
    rows, cols : int arrays of equal length
    n_rows, n_cols : int
        The matrix shape (rows of ``A`` and ``B`` in :func:`sampled_dots`).
    """

    __slots__ = ("rows", "cols", "shape", "_order", "_indptr", "_sorted_cols")

    def __init__(self, rows: np.ndarray, cols: np.ndarray, n_rows: int, n_cols: int) -> None:
        self.rows = np.asarray(rows, dtype=np.int32)
        self.cols = np.asarray(cols, dtype=np.int32)
        if self.rows.shape != self.cols.shape or self.rows.ndim != 1:
            raise ValueError("rows and cols must be 1-d arrays of the same length")
        self.shape = (int(n_rows), int(n_cols))
        already_sorted = len(self.rows) < 2 or bool(np.all(self.rows[1:] >= self.rows[:-1]))
        self._order = None if already_sorted else np.argsort(self.rows, kind="stable")
        sorted_rows = self.rows if self._order is None else self.rows[self._order]
        self._sorted_cols = self.cols if self._order is None else self.cols[self._order]
        self._indptr = np.searchsorted(sorted_rows, np.arange(self.shape[0] + 1)).astype(np.int32)

    def __len__(self) -> int:
        return len(self.rows)

    def matrix(self, values: np.ndarray) -> scipy.sparse.csr_matrix:
        """The CSR matrix with ``values[k]`` at ``(rows[k], cols[k])``."""
        values = np.asarray(values)
        if self._order is not None:
            values = values[self._order]
        return scipy.sparse.csr_matrix((values, self._sorted_cols, self._indptr), shape=self.shape)


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
    dtype = np.result_type(A, B)
    out = np.empty(len(pairs), dtype=dtype)
    piece = min(PIECE_ROWS, len(pairs))
    a_rows = np.empty((piece, A.shape[1]), dtype=A.dtype)
    b_rows = np.empty((piece, B.shape[1]), dtype=B.dtype)
    for start in range(0, len(pairs), PIECE_ROWS):
        stop = min(start + PIECE_ROWS, len(pairs))
        n = stop - start
        np.take(A, pairs.rows[start:stop], axis=0, out=a_rows[:n])
        np.take(B, pairs.cols[start:stop], axis=0, out=b_rows[:n])
        np.einsum("ij,ij->i", a_rows[:n], b_rows[:n], out=out[start:stop])
    return out


def _sampled_dots_vjp_a(g, ans, A, B, pairs):
    """d/dA of sum_k g[k] * A[rows[k]] . B[cols[k]]  =  S @ B with S = pairs.matrix(g)."""
    return np.asarray(pairs.matrix(g.astype(B.dtype, copy=False)) @ B, dtype=A.dtype)


def _sampled_dots_vjp_b(g, ans, A, B, pairs):
    """d/dB of the same sum  =  S.T @ A."""
    return np.asarray(pairs.matrix(g.astype(A.dtype, copy=False)).T @ A, dtype=B.dtype)


defvjp(sampled_dots, _sampled_dots_vjp_a, _sampled_dots_vjp_b)
def_linear(sampled_dots, 0, 1)  # bilinear: linear in A and in B separately


def batch_loss(blocks: tuple, pairs: PairIndex, log_x: np.ndarray, weights: np.ndarray, shift=0.0):
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
    diff = sampled_dots(W, W_tilde, pairs) + anp.take(b, pairs.rows) + anp.take(b_tilde, pairs.cols) - log_x + shift
    return 0.5 * anp.sum(weights * diff * diff)
