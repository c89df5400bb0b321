"""Layers and models: shapes, initialisation, gradients against a hand-written backprop and
finite differences, row-sparse embedding gradients, and an MLP that learns XOR."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wordnet_lm.autodiff import check_grad, grad, hessian_vector_product, value_and_grad
from wordnet_lm.autodiff import numpy as anp
from wordnet_lm.autodiff.sparse import RowSparse
from wordnet_lm.nn import (
    MLP, SGD, Activation, Adam, Dropout, Embedding, Linear, Sequential, cast_params, count_params, log_softmax,
    nll_loss, softmax_cross_entropy,
)
from wordnet_lm.nn import init as initializers


def dense(g):
    return g.to_dense() if isinstance(g, RowSparse) else np.asarray(g)


# ---------------------------------------------------------------------------- initialisation


def test_initialisers_have_the_documented_scale():
    rng = np.random.default_rng(0)
    shape = (400, 300)
    assert initializers.fans(shape) == (400, 300)
    assert initializers.fans((5, 4, 3, 3)) == (45, 36)
    w = initializers.fan_in_uniform(rng, shape)
    assert w.dtype == np.float32 and np.abs(w).max() <= 1 / np.sqrt(400)
    assert np.abs(w).max() > 0.99 / np.sqrt(400)
    w = initializers.glorot_uniform(rng, shape, np.float64)
    assert w.dtype == np.float64 and np.abs(w).max() <= np.sqrt(6 / 700)
    assert initializers.glorot_normal(rng, shape).std() == pytest.approx(np.sqrt(2 / 700), rel=0.02)
    assert initializers.he_normal(rng, shape).std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    assert np.abs(initializers.he_uniform(rng, shape)).max() <= np.sqrt(6 / 400)
    with pytest.raises(ValueError, match="unknown initialiser"):
        Linear(2, 3, init="orthogonal")


def test_layer_init_is_seeded_and_breaks_symmetry():
    model = Sequential([Embedding(10, 4), Linear(8, 6, name="hidden"), Activation("tanh"),
                        Linear(6, 10, init="glorot_uniform", name="out")])
    a, b, c = model.init(0), model.init(np.random.default_rng(0)), model.init(1)
    assert sorted(a) == ["embed.C", "hidden.W", "hidden.b", "out.W", "out.b"]
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["hidden.W"], c["hidden.W"])
    assert all(v.dtype == np.float32 for v in a.values())
    assert model.init(0, np.float64)["out.W"].dtype == np.float64
    assert a["embed.C"].shape == (10, 4) and a["hidden.W"].shape == (8, 6) and a["out.b"].shape == (10,)
    for w in (a["hidden.W"], a["out.W"]):  # no two hidden units start alike
        assert len(np.unique(w.T, axis=0)) == w.shape[1]
    assert np.any(a["hidden.b"] != 0) and not np.any(a["out.b"])  # torch-style bias vs zero bias
    assert count_params(a) == 40 + 48 + 6 + 60 + 10
    assert cast_params(a, np.float64)["embed.C"].dtype == np.float64


def test_parameter_names_must_not_clash():
    with pytest.raises(ValueError, match="linear.W"):
        Sequential([Linear(2, 2), Linear(2, 2)]).init(0)


def test_mlp_structure():
    mlp = MLP([3, 5, 4, 2], activation="relu", dropout=0.5)
    params = mlp.init(0)
    assert sorted(params) == ["mlp.0.W", "mlp.0.b", "mlp.1.W", "mlp.1.b", "mlp.2.W", "mlp.2.b"]
    assert sum(isinstance(layer, Dropout) for layer in mlp.layers) == 2
    x = np.random.default_rng(0).standard_normal((7, 3)).astype(np.float32)
    assert mlp.apply(params, x).shape == (7, 2)
    np.testing.assert_array_equal(mlp.apply(params, x), mlp.apply(params, x))  # eval: no dropout
    train_a = mlp.apply(params, x, training=True, rng=np.random.default_rng(1))
    train_b = mlp.apply(params, x, training=True, rng=np.random.default_rng(2))
    assert not np.array_equal(train_a, train_b)
    with pytest.raises(ValueError, match="at least"):
        MLP([3])


# ---------------------------------------------------------------------------- Linear, Embedding


def test_linear_apply():
    layer = Linear(3, 2, name="fc")
    params = layer.init(0, np.float64)
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(layer(params, x), x @ params["fc.W"] + params["fc.b"])
    nobias = Linear(3, 2, bias=False)
    p = nobias.init(0)
    assert list(p) == ["linear.W"]
    np.testing.assert_allclose(nobias(p, x), x @ p["linear.W"], rtol=1e-6)


def test_embedding_lookup_shapes_and_values():
    emb = Embedding(6, 3)
    params = emb.init(0, np.float64)
    C = params["embed.C"]
    ids = np.array([[0, 5, 5], [2, 1, 0]])
    out = emb(params, ids)
    assert out.shape == (2, 9)
    np.testing.assert_array_equal(out, np.concatenate([C[ids[:, j]] for j in range(3)], axis=1))
    np.testing.assert_array_equal(emb(params, np.array([4, 1])), C[[4, 1]])
    assert Embedding(6, 3, concat=False)(params, ids).shape == (2, 3, 3)
    with pytest.raises(ValueError, match="out of range"):
        emb(params, np.array([6]))
    with pytest.raises(ValueError, match="out of range"):
        emb(params, np.array([-1]))
    with pytest.raises(ValueError, match="integers"):
        emb(params, np.array([0.5]))


def test_embedding_gradient_is_the_scatter_of_the_rows_used():
    emb = Embedding(7, 2)
    params = emb.init(0, np.float64)
    ids = np.array([[1, 3], [3, 3], [0, 1]])
    weights = np.random.default_rng(0).standard_normal((3, 4))
    loss = lambda p: anp.sum(emb(p, ids) * weights)  # noqa: E731
    g = grad(loss)(params)["embed.C"]
    expected = np.zeros((7, 2))
    np.add.at(expected, ids.reshape(-1), weights.reshape(6, 2))
    np.testing.assert_allclose(dense(g), expected, rtol=1e-12)


# ---------------------------------------------------------------------------- gradients of a model


def manual_mlp_backprop(P, x, y):
    """Forward and backward of a 2-hidden-layer tanh MLP with softmax cross-entropy, by hand."""
    B = len(y)
    a1 = x @ P["mlp.0.W"] + P["mlp.0.b"]
    h1 = np.tanh(a1)
    a2 = h1 @ P["mlp.1.W"] + P["mlp.1.b"]
    h2 = np.tanh(a2)
    z = h2 @ P["mlp.2.W"] + P["mlp.2.b"]
    z = z - z.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    loss = -logp[np.arange(B), y].mean()
    dz = np.exp(logp)
    dz[np.arange(B), y] -= 1
    dz /= B
    G = {"mlp.2.W": h2.T @ dz, "mlp.2.b": dz.sum(0)}
    da2 = (dz @ P["mlp.2.W"].T) * (1 - h2 ** 2)
    G["mlp.1.W"], G["mlp.1.b"] = h1.T @ da2, da2.sum(0)
    da1 = (da2 @ P["mlp.1.W"].T) * (1 - h1 ** 2)
    G["mlp.0.W"], G["mlp.0.b"] = x.T @ da1, da1.sum(0)
    return loss, G


def test_mlp_gradients_equal_hand_written_backprop():
    rng = np.random.default_rng(42)
    mlp = MLP([4, 6, 5, 3], activation="tanh")
    params = mlp.init(rng, np.float64)
    x, y = rng.standard_normal((8, 4)), rng.integers(0, 3, 8)

    def loss(p):
        return softmax_cross_entropy(mlp(p, x), y)

    value, grads = value_and_grad(loss)(params)
    ref_value, ref_grads = manual_mlp_backprop(params, x, y)
    assert value == pytest.approx(ref_value, rel=1e-12)
    assert sorted(grads) == sorted(params)
    for k in params:
        np.testing.assert_allclose(grads[k], ref_grads[k], rtol=1e-10, atol=1e-14, err_msg=k)
    assert check_grad(loss, params) < 1e-6


def nplm_like():
    return Embedding(9, 3), Linear(6, 5, name="hidden"), Linear(5, 9, name="out")


def test_bengio_style_model_gradients():
    """Tied embedding for 2 context words, tanh hidden layer, fused output layer + loss."""
    embed, hidden, out = nplm_like()
    rng = np.random.default_rng(5)
    params = Sequential([embed, hidden, out]).init(rng, np.float64)
    ctx = np.array([[1, 2], [2, 2], [8, 0], [1, 1]])
    nxt = np.array([3, 3, 0, 8])

    def loss(p):
        h = anp.tanh(hidden(p, embed(p, ctx)))
        return out.softmax_cross_entropy(p, h, nxt)

    def unfused(p):
        return softmax_cross_entropy(out(p, anp.tanh(hidden(p, embed(p, ctx)))), nxt)

    value, grads = value_and_grad(loss)(params)
    value2, grads2 = value_and_grad(unfused)(params)
    assert value == pytest.approx(value2, rel=1e-12)
    for k in params:
        np.testing.assert_allclose(dense(grads[k]), dense(grads2[k]), rtol=1e-10, atol=1e-14)
    assert check_grad(loss, params) < 1e-6
    # unused rows of the table get no gradient
    assert not np.any(dense(grads["embed.C"])[[4, 5, 6, 7]])


def test_sparse_embedding_gradient_drives_an_exact_sparse_sgd_step():
    embed, hidden, out = nplm_like()
    params = Sequential([embed, hidden, out]).init(3, np.float64)
    ctx, nxt = np.array([[1, 2], [2, 2]]), np.array([3, 0])

    def loss(p):
        return out.softmax_cross_entropy(p, anp.tanh(hidden(p, embed(p, ctx))), nxt)

    grads = value_and_grad(loss, sparse_rows=True)(params)[1]
    assert isinstance(grads["embed.C"], RowSparse)
    a, b = cast_params(params, np.float64), cast_params(params, np.float64)
    opt = SGD(lr=0.5)
    opt.update(a, grads, opt.init(a))
    opt.update(b, {k: dense(g) for k, g in grads.items()}, opt.init(b))
    for k in params:
        np.testing.assert_array_equal(a[k], b[k])


# ---------------------------------------------------------------------------- learning


def test_mlp_learns_xor():
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    y = np.array([0, 1, 1, 0])
    mlp = MLP([2, 8, 2], activation="tanh")
    params = mlp.init(np.random.default_rng(0))
    opt = Adam(lr=0.05)
    state = opt.init(params)
    step = value_and_grad(lambda p: softmax_cross_entropy(mlp(p, x), y))
    for _ in range(300):
        loss, grads = step(params)
        opt.update(params, grads, state)
    assert np.array_equal(np.argmax(mlp(params, x), axis=1), y)  # 100% accuracy
    assert loss < 0.05


def test_second_order_through_a_model_with_the_composable_loss():
    """Hessian-vector products of an MLP loss (nll_loss(log_softmax)) match finite differences
    of the gradient; the fused loss refuses second order with a clear error."""
    rng = np.random.default_rng(8)
    mlp = MLP([3, 4, 3], activation="tanh")
    params = mlp.init(rng, np.float64)
    x, y = rng.standard_normal((5, 3)), rng.integers(0, 3, 5)

    def loss(p):
        return nll_loss(log_softmax(mlp(p, x)), y)

    vector = {k: rng.standard_normal(v.shape) for k, v in params.items()}
    hv = hessian_vector_product(loss)(params, vector)
    eps = 1e-5
    up = grad(loss)({k: params[k] + eps * vector[k] for k in params})
    down = grad(loss)({k: params[k] - eps * vector[k] for k in params})
    for k in params:
        np.testing.assert_allclose(hv[k], (up[k] - down[k]) / (2 * eps), rtol=1e-6, atol=1e-9)
    with pytest.raises(TypeError, match="first-order"):
        hessian_vector_product(lambda p: softmax_cross_entropy(mlp(p, x), y))(params, vector)


@settings(max_examples=30, deadline=None)
@given(rows=st.integers(1, 8), dim=st.integers(1, 4), batch=st.integers(1, 5), context=st.integers(1, 4),
       seed=st.integers(0, 2**31))
def test_embedding_gradient_property(rows, dim, batch, context, seed):
    """Any ids (repeats included): the row-sparse gradient densifies to the scatter-add, and
    the dense gradient passes the finite-difference check."""
    rng = np.random.default_rng(seed)
    emb = Embedding(rows, dim)
    params = emb.init(rng, np.float64)
    ids = rng.integers(0, rows, (batch, context))
    weights = rng.standard_normal((batch, context * dim))

    def loss(p):
        return anp.sum(anp.tanh(emb(p, ids)) * weights)

    sparse = grad(loss, sparse_rows=True)(params)["embed.C"]
    assert isinstance(sparse, RowSparse)
    expected = np.zeros((rows, dim))
    vectors = params["embed.C"][ids.reshape(-1)]
    np.add.at(expected, ids.reshape(-1), (weights.reshape(-1, dim) * (1 - np.tanh(vectors) ** 2)))
    np.testing.assert_allclose(sparse.to_dense(), expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(grad(loss)(params)["embed.C"], expected, rtol=1e-12, atol=1e-14)
    assert check_grad(loss, params) < 1e-6


@settings(max_examples=30, deadline=None)
@given(n_in=st.integers(1, 5), n_out=st.integers(1, 5), batch=st.integers(1, 4), bias=st.booleans(),
       seed=st.integers(0, 2**31))
def test_linear_gradient_property(n_in, n_out, batch, bias, seed):
    rng = np.random.default_rng(seed)
    layer = Linear(n_in, n_out, bias=bias)
    params = layer.init(rng, np.float64)
    x, cot = rng.standard_normal((batch, n_in)), rng.standard_normal((batch, n_out))
    grads = grad(lambda p, x: anp.sum(layer(p, x) * cot), (0, 1))(params, x)
    np.testing.assert_allclose(grads[0]["linear.W"], x.T @ cot, rtol=1e-12)
    np.testing.assert_allclose(grads[1], cot @ params["linear.W"].T, rtol=1e-12)
    if bias:
        np.testing.assert_allclose(grads[0]["linear.b"], cot.sum(axis=0), rtol=1e-12)
