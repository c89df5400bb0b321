"""``affine``: one BLAS call with the bias as the output's start, bit for bit ``x @ W + b``."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from threadpoolctl import threadpool_limits

from wordnet_lm.nn.affine import MAX_DEPTH, affine
from wordnet_lm.parallel import thread_limit


@pytest.fixture(autouse=True)
def one_thread():
    """The fast path runs under a one-thread limit (BLAS libraries split columns differently)."""
    with threadpool_limits(1), thread_limit(1):
        yield


def operands(m, k, n, dtype, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((m, k)).astype(dtype), rng.standard_normal((k, n)).astype(dtype),
            rng.standard_normal(n).astype(dtype))


@settings(max_examples=60, deadline=None)
@given(m=st.integers(1, 40), k=st.integers(1, MAX_DEPTH), n=st.integers(1, 70),
       dtype=st.sampled_from([np.float32, np.float64]), seed=st.integers(0, 100))
def test_equals_matmul_plus_bias_bit_for_bit(m, k, n, dtype, seed):
    x, W, b = operands(m, k, n, dtype, seed)
    np.testing.assert_array_equal(affine(x, W, b), np.matmul(x, W) + b)


@pytest.mark.parametrize("m, k, n", [(512, 240, 100), (130, 100, 1002), (80, 25, 4000), (43, 6, 12130),
                                     (20, 1000, 30)])
def test_the_model_shapes_bit_for_bit_into_a_given_buffer(m, k, n):
    x, W, b = operands(m, k, n, np.float32)
    out = np.full((m, n), np.nan, np.float32)
    assert affine(x, W, b, out=out) is out
    np.testing.assert_array_equal(out, np.matmul(x, W) + b)


def test_strided_operands():
    x, W, b = operands(9, 8, 12, np.float32)
    np.testing.assert_array_equal(affine(x[::2], W[:, ::3], b[::3]), np.matmul(x[::2], W[:, ::3]) + b[::3])


def test_without_a_one_thread_limit_it_is_numpy():
    x, W, b = operands(130, 100, 1002, np.float32)
    with thread_limit(None):
        np.testing.assert_array_equal(affine(x, W, b), np.matmul(x, W) + b)
