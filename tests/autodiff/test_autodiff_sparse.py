"""Row-sparse gradients of embedding lookups: RowSparse arithmetic against np.add.at, and the
``sparse_rows`` option of the differential operators."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wordnet_lm.autodiff import RowSparse, check_grad, grad, value_and_grad, vjp
from wordnet_lm.autodiff import numpy as anp


def reference_dense(indices, values, shape):
    dense = np.zeros(shape, dtype=values.dtype)
    np.add.at(dense, np.asarray(indices).reshape(-1) % shape[0], values.reshape((-1,) + tuple(shape[1:])))
    return dense


@settings(max_examples=40, deadline=None)
@given(rows=st.integers(1, 30), tail=st.sampled_from([(), (1,), (3,), (2, 3)]),
       n=st.integers(0, 40), seed=st.integers(0, 2**32 - 1), dtype=st.sampled_from([np.float32, np.float64]))
def test_row_sparse_matches_add_at(rows, tail, n, seed, dtype):
    r = np.random.default_rng(seed)
    shape = (rows,) + tail
    indices = r.integers(-rows, rows, n)  # negative indices count from the end, as in NumPy
    values = r.standard_normal((n,) + tail).astype(dtype)
    sparse = RowSparse(indices, values, shape)
    expected = reference_dense(indices, values, shape)
    dense = sparse.to_dense()
    assert dense.shape == shape and dense.dtype == dtype
    np.testing.assert_allclose(dense, expected, rtol=1e-6, atol=1e-6)

    base = r.standard_normal(shape).astype(dtype)
    out = sparse.add_to(base.copy(), scale=-0.5)
    np.testing.assert_allclose(out, base - 0.5 * expected, rtol=1e-5, atol=1e-5)

    merged = sparse.coalesce()
    assert np.all(np.diff(merged.indices) > 0) and merged.coalesce() is merged
    np.testing.assert_allclose(merged.to_dense(), expected, rtol=1e-6, atol=1e-6)

    np.testing.assert_allclose((sparse + base), base + expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose((base + sparse), base + expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose((sparse + sparse).to_dense(), 2 * expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose((3 * sparse).to_dense(), 3 * expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose((-sparse).to_dense(), -expected, rtol=1e-5, atol=1e-5)


def test_embedding_lookup_gradient_is_row_sparse_on_request():
    r = np.random.default_rng(0)
    table = r.standard_normal((10, 3))
    ids = np.array([[1, 4, 4], [9, 1, 4]])  # repeated rows accumulate
    w = r.standard_normal((2, 9))

    def loss(p):
        return anp.sum(anp.tanh(anp.reshape(p["C"][ids], (2, 9)) * w)) + anp.sum(anp.take(p["C"], ids[0], axis=0) ** 2)

    value, dense = value_and_grad(loss)({"C": table})
    value2, sparse = value_and_grad(loss, sparse_rows=True)({"C": table})
    assert value == value2
    assert type(dense["C"]) is np.ndarray and isinstance(sparse["C"], RowSparse)
    np.testing.assert_allclose(sparse["C"].to_dense(), dense["C"], rtol=1e-12)
    assert set(sparse["C"].indices) == {1, 4, 9}
    assert check_grad(loss, {"C": table}) < 1e-6

    e = np.tanh(table[ids].reshape(2, 9) * w)
    expected = reference_dense(ids, ((1 - e ** 2) * w).reshape(2, 3, 3), table.shape)
    expected += reference_dense(ids[0], 2 * table[ids[0]], table.shape)
    np.testing.assert_allclose(dense["C"], expected, rtol=1e-12)


def test_a_table_also_used_densely_gets_a_dense_gradient():
    table = np.arange(12.0).reshape(4, 3)
    ids = np.array([0, 0, 2])
    g = grad(lambda C: anp.sum(C[ids]) + anp.sum(C * C), sparse_rows=True)(table)
    assert type(g) is np.ndarray
    np.testing.assert_allclose(g, 2 * table + reference_dense(ids, np.ones((3, 3)), (4, 3)))
    # the sparse cotangent is densified before it flows further back (here into a reshape)
    flat = np.arange(12.0)
    g = grad(lambda x: anp.sum(anp.reshape(x, (4, 3))[ids] ** 2), sparse_rows=True)(flat)
    np.testing.assert_allclose(g, reference_dense(ids, 2 * table[ids], (4, 3)).ravel())


def test_sparse_gradient_needs_no_dense_table_temporary():
    table = np.zeros((200_000, 50), np.float32)  # 40 MB
    ids = np.random.default_rng(0).integers(0, len(table), (64, 4))
    w = np.ones((64, 200), np.float32)

    def loss(C):
        return anp.sum(anp.reshape(C[ids], (64, 200)) * w)

    tracemalloc.start()
    _, g = value_and_grad(loss, sparse_rows=True)(table)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert isinstance(g, RowSparse) and g.dtype == np.float32
    assert peak < 2_000_000, peak  # far below the 40 MB of one dense gradient
    tracemalloc.start()
    _, g = value_and_grad(loss)(table)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert type(g) is np.ndarray and peak >= table.nbytes  # the dense default does allocate it


def test_vjp_and_higher_order_through_lookups():
    table = np.random.default_rng(1).standard_normal((5, 2))
    ids = np.array([3, 3, 0])
    _, pullback = vjp(lambda C: C[ids] * 2, table, sparse_rows=True)
    g = pullback(np.ones((3, 2)))
    assert isinstance(g, RowSparse)
    np.testing.assert_allclose(g.to_dense(), reference_dense(ids, np.full((3, 2), 2.0), (5, 2)))
    # second order through a lookup: d/dC of sum(C[ids]^3) is 3 C[ids]^2 scattered; differentiate again
    hvp_diag = grad(lambda C: anp.sum(grad(lambda D: anp.sum(D[ids] ** 3))(C)))(table)
    np.testing.assert_allclose(hvp_diag, reference_dense(ids, 6 * table[ids], (5, 2)))


@pytest.mark.parametrize("ids", [np.array([], dtype=np.int64), np.array([[2]])])
def test_empty_and_single_lookups(ids):
    table = np.ones((3, 2))
    g = grad(lambda C: anp.sum(C[ids]), sparse_rows=True)(table)
    np.testing.assert_allclose(g.to_dense(), reference_dense(ids, np.ones((ids.size, 2)), (3, 2)))


@pytest.mark.parametrize("n_rows", [3, 1 << 16, (1 << 16) + 1, 200_000])
def test_coalesce_sums_in_lookup_order_with_16_bit_or_wide_keys(n_rows):
    """Repeated rows are summed in the order of their lookups (bit for bit np.add.at), whether
    the ids are sorted as 16-bit keys (up to 65,536 rows) or as they are, ids at the edges included."""
    rng = np.random.default_rng(n_rows)
    ids = np.concatenate([rng.integers(0, n_rows, 300), [0, n_rows - 1, n_rows - 1, 0], rng.integers(0, 3, 50)])
    values = rng.standard_normal((len(ids), 4)).astype(np.float32)
    merged = RowSparse(ids, values, (n_rows, 4)).coalesce()
    np.testing.assert_array_equal(merged.indices, np.unique(ids))
    np.testing.assert_array_equal(merged.values, reference_dense(ids, values, (n_rows, 4))[np.unique(ids)])
