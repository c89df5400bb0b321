"""The GloVe loss and its gradient: finite differences, an independent NumPy computation, and
the same loss written with generic engine primitives."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wordnet_lm.autodiff import check_grad, value_and_grad
from wordnet_lm.autodiff import numpy as anp
from wordnet_lm.glove import PairIndex, batch_loss, sampled_dots, weighting


def random_problem(rng, n_rows=5, n_cols=4, dim=3, n_pairs=12, dtype=np.float64):
    rows = rng.integers(0, n_rows, n_pairs)
    cols = rng.integers(0, n_cols, n_pairs)
    blocks = (rng.standard_normal((n_rows, dim)).astype(dtype), rng.standard_normal((n_cols, dim)).astype(dtype),
              rng.standard_normal(n_rows).astype(dtype), rng.standard_normal(n_cols).astype(dtype))
    x = rng.uniform(0.5, 300, n_pairs)
    return blocks, PairIndex(rows, cols, n_rows, n_cols), np.log(x).astype(dtype), weighting(x, 100, 0.75).astype(dtype)


def numpy_loss_and_grads(blocks, pairs, log_x, f):
    """The objective and its gradient by hand, one pair at a time."""
    W, Wt, b, bt = blocks
    loss = 0.0
    grads = [np.zeros_like(p) for p in blocks]
    for k, (i, j) in enumerate(zip(pairs.rows, pairs.cols)):
        diff = W[i] @ Wt[j] + b[i] + bt[j] - log_x[k]
        loss += 0.5 * f[k] * diff ** 2
        grads[0][i] += f[k] * diff * Wt[j]
        grads[1][j] += f[k] * diff * W[i]
        grads[2][i] += f[k] * diff
        grads[3][j] += f[k] * diff
    return loss, grads


def test_weighting_function():
    x = np.array([0.5, 1.0, 50.0, 100.0, 100.5, 1e6])
    expected = [(0.5 / 100) ** 0.75, 0.01 ** 0.75, 0.5 ** 0.75, 1, 1, 1]
    np.testing.assert_allclose(weighting(x, 100, 0.75), expected, rtol=1e-15)
    assert weighting(x.astype(np.float32), 10, 0.5).dtype == np.float32
    np.testing.assert_allclose(weighting(np.array([2.5]), 10, 0.5), [0.5])


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n_rows=st.integers(1, 6), n_cols=st.integers(1, 6), dim=st.integers(1, 5),
       n_pairs=st.integers(1, 5000))
def test_sampled_dots_matches_gather(seed, n_rows, n_cols, dim, n_pairs):
    rng = np.random.default_rng(seed)
    A, B = rng.standard_normal((n_rows, dim)), rng.standard_normal((n_cols, dim))
    rows, cols = rng.integers(0, n_rows, n_pairs), rng.integers(0, n_cols, n_pairs)
    got = sampled_dots(A, B, PairIndex(rows, cols, n_rows, n_cols))  # > PIECE_ROWS pairs run in pieces
    np.testing.assert_allclose(got, np.sum(A[rows] * B[cols], axis=1), rtol=1e-12, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n_rows=st.integers(1, 5), n_cols=st.integers(1, 5), dim=st.integers(1, 4),
       n_pairs=st.integers(1, 15))
def test_sampled_dots_derivatives_vs_finite_differences(seed, n_rows, n_cols, dim, n_pairs):
    rng = np.random.default_rng(seed)
    A, B = rng.standard_normal((n_rows, dim)), rng.standard_normal((n_cols, dim))
    pairs = PairIndex(rng.integers(0, n_rows, n_pairs), rng.integers(0, n_cols, n_pairs), n_rows, n_cols)
    assert check_grad(lambda a, b: sampled_dots(a, b, pairs), A, B) < 1e-6  # reverse and forward mode


def test_pair_index_matrix_handles_unsorted_and_repeated_pairs():
    pairs = PairIndex(np.array([2, 0, 2, 1, 2]), np.array([1, 0, 1, 3, 0]), 3, 4)
    dense = pairs.matrix(np.array([1.0, 2.0, 3.0, 4.0, 5.0])).toarray()
    expected = np.zeros((3, 4))
    expected[2, 1], expected[0, 0], expected[1, 3], expected[2, 0] = 1 + 3, 2, 4, 5
    np.testing.assert_array_equal(dense, expected)


@pytest.mark.parametrize("seed", range(5))
def test_batch_loss_and_gradient_vs_numpy_loop(seed):
    blocks, pairs, log_x, f = random_problem(np.random.default_rng(seed))
    loss, grads = value_and_grad(batch_loss)(blocks, pairs, log_x, f)
    expected_loss, expected_grads = numpy_loss_and_grads(blocks, pairs, log_x, f)
    np.testing.assert_allclose(loss, expected_loss, rtol=1e-12)
    for got, expected in zip(grads, expected_grads):
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_batch_loss_gradient_vs_finite_differences(seed):
    blocks, pairs, log_x, f = random_problem(np.random.default_rng(seed), n_pairs=8)
    assert check_grad(lambda bl: batch_loss(bl, pairs, log_x, f), blocks, modes=("rev",)) < 1e-6


def generic_batch_loss(blocks, pairs, log_x, weights):
    """The same loss with only generic engine primitives (gather, multiply, sum)."""
    W, Wt, b, bt = blocks
    dots = anp.sum(anp.take(W, pairs.rows, axis=0) * anp.take(Wt, pairs.cols, axis=0), axis=1)
    diff = dots + anp.take(b, pairs.rows) + anp.take(bt, pairs.cols) - log_x
    return 0.5 * anp.sum(weights * diff * diff)


def test_fused_primitive_equals_generic_formulation_in_float32():
    blocks, pairs, log_x, f = random_problem(np.random.default_rng(7), n_rows=50, n_cols=60, dim=16,
                                             n_pairs=3000, dtype=np.float32)
    loss, grads = value_and_grad(batch_loss)(blocks, pairs, log_x, f)
    loss_generic, grads_generic = value_and_grad(generic_batch_loss)(blocks, pairs, log_x, f)
    assert loss.dtype == np.float32 and all(g.dtype == np.float32 for g in grads)
    np.testing.assert_allclose(loss, loss_generic, rtol=1e-5)
    for got, expected in zip(grads, grads_generic):
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4 * np.abs(expected).max())
