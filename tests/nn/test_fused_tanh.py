"""The fused hidden layer ``out_mask * tanh((in_mask * x) W + b)``: central differences in
float64, and bit for bit the composition of the engine's own ops it replaces (float32)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wordnet_lm.autodiff import check_grad, value_and_grad
from wordnet_lm.autodiff import numpy as anp
from wordnet_lm.nn.functional import dropout, dropout_mask
from wordnet_lm.nn.fused_tanh import tanh_layer


def arrays(seed, batch, features, hidden, dtype, rate):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, features)).astype(dtype)
    W = (rng.standard_normal((features, hidden)) / np.sqrt(features)).astype(dtype)
    b = (0.3 * rng.standard_normal(hidden)).astype(dtype)
    masks = (None, None)
    if rate:
        masks = (dropout_mask((batch, features), rate, rng, dtype), dropout_mask((batch, hidden), rate, rng, dtype))
    return x, W, b, masks


@settings(max_examples=20, deadline=None)
@given(batch=st.integers(1, 5), features=st.integers(1, 6), hidden=st.integers(1, 5),
       rate=st.sampled_from([0.0, 0.25, 0.5]), seed=st.integers(0, 1000))
def test_matches_central_differences(batch, features, hidden, rate, seed):
    x, W, b, masks = arrays(seed, batch, features, hidden, np.float64, rate)
    assert check_grad(lambda x, W, b: tanh_layer(x, W, b, *masks), x, W, b) < 1e-6


def composed(x, W, b, masks):
    """The layer from the engine's ops, as the model wrote it before fusing (masks applied as
    ``dropout`` applies them)."""
    if masks[0] is not None:
        x = x * masks[0]
    t = anp.tanh(x @ W + b)
    return t * masks[1] if masks[1] is not None else t


@pytest.mark.parametrize("rate", [0.0, 0.25])
@pytest.mark.parametrize("shape", [(512, 240, 100), (7, 12, 5), (1, 3, 2)])
def test_values_and_gradients_equal_the_composition_bit_for_bit(shape, rate):
    x, W, b, masks = arrays(1, *shape, np.float32, rate)
    cotangent = np.random.default_rng(2).standard_normal((shape[0], shape[2])).astype(np.float32)

    def loss(layer):
        return lambda args: anp.sum(layer(*args, masks) * cotangent)

    value, grads = value_and_grad(loss(lambda x, W, b, m: tanh_layer(x, W, b, *m)))((x, W, b))
    value_ref, grads_ref = value_and_grad(loss(composed))((x, W, b))
    assert value == value_ref
    for got, want in zip(grads, grads_ref):
        assert got.dtype == np.float32
        np.testing.assert_array_equal(got, want)


def test_dropout_mask_is_the_mask_dropout_applies():
    x = np.random.default_rng(0).standard_normal((40, 30)).astype(np.float32)
    mask = dropout_mask(x.shape, 0.3, np.random.default_rng(5), np.float32)
    np.testing.assert_array_equal(dropout(x, 0.3, np.random.default_rng(5)), x * mask)
    kept = mask != 0
    assert abs(kept.mean() - 0.7) < 0.05 and np.all(mask[kept] == np.float32(65536 / (65536 - round(0.3 * 65536))))


def test_bad_shapes_are_refused():
    x, W, b, _ = arrays(0, 3, 4, 2, np.float64, 0.0)
    with pytest.raises(ValueError):
        tanh_layer(x, W.T, b)
    with pytest.raises(ValueError):
        tanh_layer(x, W, b, np.ones((3, 5)))
