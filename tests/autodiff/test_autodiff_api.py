"""The differential operators: pytrees, argnum tuples, vjp/jvp, dtypes, Box methods, errors."""

from __future__ import annotations

from collections import namedtuple

import numpy as np
import pytest

from wordnet_lm.autodiff import (Box, DifferentiationError, check_grad, defvjp, grad, jvp, primitive,
                                 primitive_with_residual, value_and_grad, vjp)
from wordnet_lm.autodiff import numpy as anp
from wordnet_lm.autodiff.checking import relative_error
from wordnet_lm.errors import WordnetLMError

rng = np.random.default_rng(0)


def mlp_loss(params, x, y):
    h = anp.tanh(x @ params["W1"] + params["b1"])
    logits = h @ params["W2"] + params["b2"]
    return -anp.mean(anp.log_softmax(logits, axis=1)[np.arange(len(y)), y])


def mlp_params(dtype=np.float64, sizes=(3, 4, 2), seed=0):
    r = np.random.default_rng(seed)
    return {"W1": r.standard_normal(sizes[:2]).astype(dtype), "b1": r.standard_normal(sizes[1]).astype(dtype),
            "W2": r.standard_normal(sizes[1:]).astype(dtype), "b2": r.standard_normal(sizes[2]).astype(dtype)}


# ---------------------------------------------------------------------------- values and gradients


def test_value_and_grad_matches_hand_derivation():
    x = rng.standard_normal(5)
    value, g = value_and_grad(lambda x: anp.sum(anp.exp(x) * x))(x)
    assert value == pytest.approx(np.sum(np.exp(x) * x))
    np.testing.assert_allclose(g, np.exp(x) * (1 + x))


def test_grad_of_a_pytree_has_the_same_structure():
    params = mlp_params()
    x, y = rng.standard_normal((6, 3)), rng.integers(0, 2, 6)
    g = grad(mlp_loss)(params, x, y)
    assert set(g) == set(params) and all(g[k].shape == params[k].shape for k in params)
    assert check_grad(mlp_loss, params, x, y, argnums=[0]) < 1e-6

    Pair = namedtuple("Pair", "a b")
    tree = [{"u": np.ones(2)}, (np.arange(3.0), Pair(np.ones(1), 2.0)), None]

    def f(t):
        return anp.sum(t[0]["u"] * 3) + anp.sum(t[1][0] ** 2) + anp.sum(t[1][1].a) * t[1][1].b
    g = grad(f)(tree)
    assert isinstance(g, list) and isinstance(g[1], tuple) and isinstance(g[1][1], Pair) and g[2] is None
    np.testing.assert_allclose(g[0]["u"], [3, 3])
    np.testing.assert_allclose(g[1][0], [0, 2, 4])
    np.testing.assert_allclose(g[1][1].a, [2.0])
    assert g[1][1].b == pytest.approx(1.0)


def test_argnum_tuple_returns_a_tuple():
    x, y = rng.standard_normal(3), rng.standard_normal(3)
    value, (gx, gy) = value_and_grad(lambda x, y, scale=1.0: scale * anp.sum(x * y * y), argnum=(0, 1))(x, y, scale=2.0)
    assert value == pytest.approx(2 * np.sum(x * y * y))
    np.testing.assert_allclose(gx, 2 * y * y)
    np.testing.assert_allclose(gy, 4 * x * y)


def test_unused_inputs_get_zero_gradients():
    g = grad(lambda p: anp.sum(p["used"] ** 2))({"used": np.ones(2), "unused": np.ones((2, 2), np.float32)})
    np.testing.assert_array_equal(g["unused"], np.zeros((2, 2)))
    assert g["unused"].dtype == np.float32
    np.testing.assert_array_equal(grad(lambda x: 3.0)(np.ones(3)), np.zeros(3))


def test_returned_gradients_are_owned_writable_arrays():
    x, y = np.ones((2, 3)), np.ones((2, 3))
    gx, gy = grad(lambda x, y: anp.sum(anp.tanh(x + y)), argnum=(0, 1))(x, y)
    assert gx is not gy and gx.flags.writeable and gy.flags.writeable
    g = grad(lambda x: anp.sum(x))(x)  # the VJP of sum is a broadcast view
    assert g.flags.writeable and g.flags.owndata
    g += 1


def test_vjp_pulls_back_any_cotangent_and_can_be_reused():
    x = rng.standard_normal((3, 2))
    w = rng.standard_normal((2, 4))
    value, pullback = vjp(lambda x: anp.tanh(x @ w), x)
    np.testing.assert_allclose(value, np.tanh(x @ w))
    for _ in range(2):
        u = rng.standard_normal((3, 4))
        np.testing.assert_allclose(pullback(u), (u * (1 - value ** 2)) @ w.T)
    with pytest.raises(DifferentiationError, match=r"cotangent of shape \(4,\) for an output of shape \(3, 4\)"):
        pullback(np.ones(4))


def test_jvp_forward_mode_on_pytrees():
    params = mlp_params()
    x, y = rng.standard_normal((6, 3)), rng.integers(0, 2, 6)
    tangent = {k: rng.standard_normal(v.shape) for k, v in params.items()}
    value, out_tangent = jvp(lambda p: mlp_loss(p, x, y), (params,), (tangent,))
    g = grad(mlp_loss)(params, x, y)
    assert value == pytest.approx(mlp_loss(params, x, y))
    assert out_tangent == pytest.approx(sum(np.sum(g[k] * tangent[k]) for k in params), rel=1e-10)
    # a function returning a pytree; None marks a constant argument
    out, tangents = jvp(lambda a, b: {"s": a * b, "t": (a + b, 2.0)}, (np.ones(2), np.full(2, 3.0)), (np.ones(2), None))
    np.testing.assert_allclose(tangents["s"], [3, 3])
    np.testing.assert_allclose(tangents["t"][0], [1, 1])
    assert tangents["t"][1] == 0.0


def test_keyword_arguments_pass_through():
    assert grad(lambda x, power=2: x ** power)(3.0, power=3) == pytest.approx(27.0)


# ---------------------------------------------------------------------------- dtypes and copies


def _check_dtypes_of_every_rule(monkeypatch, dtype, seen):
    """Wrap every registered VJP so that it asserts its cotangent keeps ``dtype``."""
    from wordnet_lm.autodiff.numpy import wrapper as numpy_ops

    for prim in vars(numpy_ops).values():
        if not hasattr(prim, "fun"):
            continue
        for argnum, rule in list(prim.vjps.items()):
            def checked(g, ans, *args, _rule=rule, _name=prim.__name__, **kwargs):
                out = _rule(g, ans, *args, **kwargs)
                seen.add(_name)
                assert np.result_type(getattr(out, "values", out)) == dtype, (_name, np.result_type(out))
                return out
            monkeypatch.setitem(prim.vjps, argnum, checked)


def test_float32_stays_float32_through_every_vjp(monkeypatch):
    seen: set[str] = set()
    f32 = np.float32
    params = {k: v for k, v in mlp_params(f32, (4, 6, 3)).items()}
    table = rng.standard_normal((7, 2)).astype(f32)
    ids = np.array([[0, 3], [3, 6], [1, 1]])
    x2 = rng.standard_normal((3, 4)).astype(f32)

    def loss(p, table):
        x = anp.reshape(table[ids], (3, 4)) + anp.take(table, ids[:, 0], axis=0) @ np.ones((2, 4), f32)
        h = x @ p["W1"] + p["b1"]
        acts = [anp.tanh(h), anp.sigmoid(h), anp.relu(h), anp.softplus(h), anp.leaky_relu(h), anp.elu(h),
                anp.gelu(h), anp.abs(h), anp.sqrt(h * h + 1), anp.exp(-h * h), anp.log1p(h * h), anp.log(h * h + 1),
                anp.clip(h, -0.5, 0.5), anp.maximum(h, 0.1), anp.minimum(h, 0.1), h ** 2, 2.0 ** h, anp.square(h),
                anp.where(h > 0, h, 0.5 * h), anp.sin(h) + anp.cos(h), anp.expm1(h) / 2, anp.erf(h), -h]
        h = anp.mean(anp.stack(acts), axis=0) + anp.concatenate([h[:, :3], h[:, 3:]], axis=1) - 1
        z = anp.swapaxes(anp.expand_dims(h, 0), 0, 1)[:, 0].T.T @ p["W2"] + p["b2"]
        out = anp.mean(anp.log_softmax(z, axis=1)) + anp.mean(anp.softmax(z)) + anp.mean(anp.logsumexp(z, axis=1))
        out = out + anp.max(z) + anp.min(z, axis=0).sum() + anp.var(z) + anp.sum(x2 * anp.transpose(x2.T))
        return out / 3 + anp.dot(z[0], z[1]) + anp.sum(anp.matmul(z, z.T)) + anp.astype(anp.sum(z), f32)

    _check_dtypes_of_every_rule(monkeypatch, np.dtype(f32), seen)
    value, (gp, gt) = value_and_grad(loss, argnum=(0, 1))(params, table)
    assert value.dtype == f32
    assert all(g.dtype == f32 for g in gp.values()) and gt.dtype == f32
    assert len(seen) > 35  # the rules really ran
    tangent = {k: np.ones_like(v) for k, v in params.items()}
    value, out_tangent = jvp(lambda p: loss(p, table), (params,), (tangent,))
    assert np.result_type(out_tangent) == f32


def test_the_initial_cotangent_is_a_0d_array_of_the_loss_dtype():
    received = []
    probe = primitive(lambda x: x, "probe")
    defvjp(probe, lambda g, ans, x: received.append(g) or g)
    grad(lambda x: probe(anp.sum(x)))(np.ones(3, np.float32))
    assert type(received[0]) is np.ndarray and received[0].shape == () and received[0].dtype == np.float32


def test_accumulating_many_uses_of_one_node_does_not_corrupt_shared_cotangents():
    x = rng.standard_normal(4)

    def f(x):
        y = anp.tanh(x)
        z = y + y  # the VJP of add returns the same array for both arguments
        return anp.sum(z * y + y * 3 + anp.exp(y) + y)

    t = np.tanh(x)
    expected = (4 * t + 3 + np.exp(t) + 1) * (1 - t * t)
    np.testing.assert_allclose(grad(f)(x), expected)
    assert check_grad(f, x) < 1e-6


# ---------------------------------------------------------------------------- Box and namespace


def test_box_reads_like_an_array():
    kinds = []

    def f(x):
        kinds.append(type(x))
        assert x.shape == (2, 3) and x.ndim == 2 and x.size == 6 and x.dtype == np.float64 and len(x) == 2
        assert x.T.shape == (3, 2) and anp.shape(x) == (2, 3) and anp.ndim(x) == 2
        assert (x > 0).dtype == bool and bool((x == x).all()) and not (x != x).any()
        assert int(anp.argmax(x.sum(axis=0))) == 2 and x.argmax() == 5
        rows = [r for r in x]
        z = anp.zeros_like(x) + anp.ones(3) + anp.arange(3) + anp.full((2, 3), 1.0) + anp.eye(3)[0]
        assert type(z) is np.ndarray
        return (x.reshape(3, 2).sum() + x.reshape((6,)).mean() + x.max(axis=1).sum() + x.min()
                + rows[1].sum() + x.ravel()[0] + x.squeeze().swapaxes(0, 1)[0, 0] + x.clip(0, 1).sum()
                + x.transpose(1, 0)[0, 1] + (x @ x.T).sum() + x.dot(x.T)[0, 0] + x.take([0, 0], axis=0).sum())

    x = (np.arange(6.0).reshape(2, 3) + 0.5) / 6
    grad(f)(x)
    assert kinds == [Box]
    assert check_grad(f, x) < 1e-6


def test_astype_is_differentiable():
    x = np.array([1.5, 2.5])
    g = grad(lambda x: anp.sum(x.astype(np.float32) ** 2))(x)
    assert g.dtype == np.float64
    np.testing.assert_allclose(g, 2 * x)
    assert grad(lambda x: anp.sum(anp.astype(x, np.float32)))(x.astype(np.float32)).dtype == np.float32


def test_assigning_into_a_box_says_what_to_do():
    def f(x):
        x[0] = 1.0
        return anp.sum(x)
    with pytest.raises(TypeError, match="anp.where"):
        grad(f)(np.ones(3))


def test_primitives_cost_nothing_without_a_trace():
    x = np.ones(3)
    assert type(anp.tanh(x)) is np.ndarray and type(anp.sum(x)) is np.float64
    assert anp.tanh.fun is np.tanh


# ---------------------------------------------------------------------------- errors


def test_a_primitive_without_a_rule_is_named():
    double = primitive(lambda x: 2 * x, "double_it")
    with pytest.raises(DifferentiationError, match="no VJP rule .* 'double_it' with respect to argument 0"):
        grad(lambda x: anp.sum(double(x)))(np.ones(2))
    with pytest.raises(DifferentiationError, match="no JVP rule .* 'double_it'"):
        jvp(double, (np.ones(2),), (np.ones(2),))
    with pytest.raises(DifferentiationError, match="'clip' with respect to argument 1"):
        grad(lambda x: anp.sum(anp.clip(x, x, 1.0)))(np.ones(2))


def test_grad_of_a_non_scalar_output_asks_for_a_cotangent():
    with pytest.raises(DifferentiationError, match=r"scalar output, got shape \(3,\).*vjp"):
        grad(lambda x: x * 2)(np.ones(3))
    assert issubclass(DifferentiationError, WordnetLMError)


def test_check_grad_catches_a_wrong_rule():
    wrong = primitive(np.sin, "wrong_sin")
    defvjp(wrong, lambda g, ans, x: g * np.cos(x) * 1.001)
    assert check_grad(lambda x: wrong(x), np.ones(3), modes=("rev",)) > 1e-4
    assert relative_error([np.nan], [1.0]) == float("inf")


# ---------------------------------------------------------------------------- fused primitives


def _softmax_xent(logits, targets):
    shifted = logits - logits.max(axis=1, keepdims=True)
    probs = np.exp(shifted)
    probs /= probs.sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(probs[np.arange(len(targets)), targets]))
    return loss, probs  # residual: the softmax, rewritten in place by the VJP


def _softmax_xent_vjp(g, probs, logits, targets):
    probs[np.arange(len(targets)), targets] -= 1.0
    probs *= g / len(targets)
    return probs


softmax_xent = primitive_with_residual(_softmax_xent, "softmax_xent")
defvjp(softmax_xent, _softmax_xent_vjp)


def test_primitive_with_residual_reuses_its_buffer_in_the_backward_pass():
    params = mlp_params(sizes=(3, 5, 4))
    x, y = rng.standard_normal((6, 3)), rng.integers(0, 4, 6)

    def fused(p):
        return softmax_xent(anp.tanh(x @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"], y)

    value, g = value_and_grad(fused)(params)
    value2, g2 = value_and_grad(mlp_loss)(params, x, y)
    assert value == pytest.approx(value2, rel=1e-12)
    for k in params:
        np.testing.assert_allclose(g[k], g2[k], rtol=1e-10, atol=1e-14)
    assert softmax_xent(np.zeros((2, 3)), np.array([0, 1])) == pytest.approx(np.log(3))  # no trace: plain value

    # the cotangent of the logits IS the stored softmax buffer (no new B x C array)
    captured = {}
    recorder = primitive(lambda z: z, "recorder")
    defvjp(recorder, lambda g, ans, z: captured.setdefault("g", g))
    _, pullback = vjp(lambda z: softmax_xent(recorder(z), y), rng.standard_normal((6, 4)))
    pullback(1.0)
    assert captured["g"].base is None and captured["g"].shape == (6, 4)


def test_primitive_with_residual_refuses_higher_order():
    x, y = rng.standard_normal((2, 3)), np.array([0, 2])
    with pytest.raises(TypeError, match="first-order"):
        grad(lambda s: anp.sum(grad(lambda x: softmax_xent(x * s, y))(x)))(1.0)


def test_numpy_functions_on_boxes_differentiate_or_say_what_to_use():
    x = np.array([0.5, 1.0, 2.0])
    g = grad(lambda x: np.sum(np.exp(x) * np.ones(3) + np.tanh(x)) + np.mean(x) + np.max(np.sqrt(x)))(x)
    np.testing.assert_allclose(g, np.exp(x) + 1 - np.tanh(x) ** 2 + 1 / 3 + [0, 0, 0.5 / np.sqrt(2)])
    with pytest.raises(DifferentiationError, match="anp"):
        grad(lambda x: anp.sum(np.concatenate([x, x])))(x)
    with pytest.raises(DifferentiationError, match="numpy.add.reduce"):
        grad(lambda x: np.add.reduce(x))(x)
    with pytest.raises(DifferentiationError, match="out="):
        grad(lambda x: x.sum(out=np.zeros(())))(x)
