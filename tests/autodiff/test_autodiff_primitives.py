"""Every primitive's VJP and JVP against central finite differences in float64, on random
shapes (hypothesis), with broadcasting, axes and repeated indices."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, mutually_broadcastable_shapes

from wordnet_lm.autodiff import check_grad
from wordnet_lm.autodiff import numpy as anp

TOL = 1e-6
FEW = settings(max_examples=12, deadline=None)

seeds = st.integers(0, 2**32 - 1)
small_shapes = array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)


def values(seed: int, shape: tuple, kind: str = "any") -> np.ndarray:
    """Random float64 values; ``positive`` > 0.1; ``away`` keeps |x| > 0.1 (off the kinks at 0);
    ``moderate`` keeps |x| <= 2.5."""
    x = np.random.default_rng(seed).standard_normal(shape)
    if kind == "positive":
        return 0.1 + np.abs(x)
    if kind == "moderate":  # |x| < 2.5: where erf is flat (|x| > 3), float64 round-off swamps central differences
        return np.clip(x, -2.5, 2.5)
    if kind == "away":
        return np.sign(x) * (0.1 + np.abs(x)) + (x == 0) * 0.5
    return x


def assert_derivatives(fun, *args, **kwargs):
    error = check_grad(fun, *args, **kwargs)
    assert error < TOL, error


# ---------------------------------------------------------------------------- elementwise

UNARY = {
    "exp": (anp.exp, "any"), "expm1": (anp.expm1, "any"), "log": (anp.log, "positive"),
    "log1p": (anp.log1p, "positive"), "sqrt": (anp.sqrt, "positive"), "sin": (anp.sin, "any"),
    "cos": (anp.cos, "any"), "tanh": (anp.tanh, "any"), "sigmoid": (anp.sigmoid, "any"),
    "relu": (anp.relu, "away"), "softplus": (anp.softplus, "any"),
    "leaky_relu": (lambda x: anp.leaky_relu(x, 0.1), "away"), "elu": (lambda x: anp.elu(x, alpha=0.7), "away"),
    "gelu": (anp.gelu, "any"), "erf": (anp.erf, "moderate"), "abs": (anp.abs, "away"),
    "negative": (anp.negative, "any"), "square": (anp.square, "any"), "neg operator": (lambda x: -x, "any"),
    "abs operator": (abs, "away"), "power int": (lambda x: x ** 3, "any"), "power float": (lambda x: x ** 2.5, "positive"),
    "rpow": (lambda x: 2.0 ** x, "any"), "power 0": (lambda x: x ** 0, "any"),
    "astype": (lambda x: anp.astype(x, np.float64) * 2, "any"),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@FEW
@given(shape=small_shapes, seed=seeds)
def test_elementwise(name, shape, seed):
    fun, kind = UNARY[name]
    assert_derivatives(fun, values(seed, shape, kind))


@FEW
@given(shape=small_shapes, seed=seeds)
def test_clip_both_and_one_sided(shape, seed):
    x = values(seed, shape)
    x = np.where(np.abs(np.abs(x) - 0.5) < 0.05, 0.0, x)  # off the kinks at +-0.5
    assert_derivatives(lambda x: anp.clip(x, -0.5, 0.5), x)
    assert_derivatives(lambda x: anp.clip(x, None, 0.5), x)
    assert_derivatives(lambda x: x.clip(-0.5, None), x)


BINARY = {
    "add": (anp.add, "any", "any"), "subtract": (anp.subtract, "any", "any"),
    "multiply": (anp.multiply, "any", "any"), "divide": (anp.divide, "any", "away"),
    "power": (anp.power, "positive", "any"), "maximum": (anp.maximum, "any", "any"),
    "minimum": (anp.minimum, "any", "any"), "operators": (lambda x, y: (x + y) * x / (y * y + 1) - y, "any", "any"),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@FEW
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3), seed=seeds)
def test_binary_with_broadcasting(name, shapes, seed):
    fun, kind_x, kind_y = BINARY[name]
    x = values(seed, shapes.input_shapes[0], kind_x)
    y = values(seed + 1, shapes.input_shapes[1], kind_y)
    assert_derivatives(fun, x, y)


@FEW
@given(shapes=mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3), seed=seeds)
def test_where_with_broadcasting(shapes, seed):
    c = values(seed, shapes.input_shapes[0]) > 0
    x, y = values(seed + 1, shapes.input_shapes[1]), values(seed + 2, shapes.input_shapes[2])
    assert_derivatives(lambda x, y: anp.where(c, x, y), x, y)


def test_binary_with_python_scalars():
    x = values(0, (3, 2))
    for fun in (lambda x: 2 + x, lambda x: x - 3, lambda x: 3 - x, lambda x: 2 * x, lambda x: x / 4,
                lambda x: 4 / (x * x + 1), lambda x: anp.maximum(x, 0.3), lambda x: anp.minimum(0.3, x)):
        assert_derivatives(fun, x)


# ---------------------------------------------------------------------------- reductions


@st.composite
def shape_and_axis(draw, min_dims=1):
    shape = draw(array_shapes(min_dims=min_dims, max_dims=3, min_side=1, max_side=4))
    ndim = len(shape)
    kind = draw(st.sampled_from(["none", "int", "negative", "tuple"]))
    if kind == "none":
        axis = None
    elif kind == "int":
        axis = draw(st.integers(0, ndim - 1))
    elif kind == "negative":
        axis = draw(st.integers(-ndim, -1))
    else:
        axis = tuple(sorted(draw(st.sets(st.integers(0, ndim - 1), min_size=1))))
    return shape, axis


REDUCTIONS = {
    "sum": anp.sum, "mean": anp.mean, "max": anp.max, "min": anp.min, "logsumexp": anp.logsumexp,
    "var": anp.var, "std": anp.std,
    "method sum": lambda x, axis, keepdims: x.sum(axis=axis, keepdims=keepdims),
    "method max": lambda x, axis, keepdims: x.max(axis, keepdims=keepdims),
}


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@FEW
@given(shape_axis=shape_and_axis(), keepdims=st.booleans(), seed=seeds)
def test_reductions(name, shape_axis, keepdims, seed):
    shape, axis = shape_axis
    fun = REDUCTIONS[name]
    reduced = np.prod([shape[a] for a in (range(len(shape)) if axis is None else np.atleast_1d(axis))])
    assume(name != "std" or reduced > 1)  # the standard deviation of one number is not differentiable
    assert_derivatives(lambda x: fun(x, axis=axis, keepdims=keepdims), values(seed, shape))


def test_max_ties_share_the_gradient():
    from wordnet_lm.autodiff import grad
    x = np.array([[1.0, 3.0, 3.0], [2.0, 0.0, 2.0]])
    np.testing.assert_allclose(grad(lambda x: anp.sum(anp.max(x, axis=1)))(x), [[0, 0.5, 0.5], [0.5, 0, 0.5]])
    np.testing.assert_allclose(grad(lambda x: anp.sum(anp.maximum(x, 2.0)))(x), [[0, 1, 1], [0.5, 0, 0.5]])


@pytest.mark.parametrize("fun", [anp.softmax, anp.log_softmax], ids=["softmax", "log_softmax"])
@FEW
@given(shape=array_shapes(min_dims=1, max_dims=3, max_side=4), data=st.data(), seed=seeds)
def test_softmax_family(fun, shape, data, seed):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    # Logits within +-4: a softmax saturated further has derivatives near 1e-5, below what
    # central differences resolve to 1e-6 in float64 (round-off 1e-16 / eps); large inputs
    # are covered by the stability test below.
    assert_derivatives(lambda x: fun(x, axis=axis), np.clip(values(seed, shape) * 3, -4, 4))


def test_softmax_family_is_stable_for_large_inputs():
    x = np.array([[1000.0, 0.0, -1000.0], [-np.inf, 0.0, 1.0]])
    assert np.all(np.isfinite(anp.softmax(x)))
    assert np.all(np.isfinite(anp.log_softmax(x)[:, 1:]))
    np.testing.assert_allclose(anp.logsumexp(np.array([1000.0, 1000.0])), 1000 + np.log(2))
    assert check_grad(lambda x: anp.logsumexp(x, axis=1), np.array([[700.0, 699.0], [-700.0, -701.0]])) < TOL


# ---------------------------------------------------------------------------- linear algebra

MATMUL_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((5, 2, 3), (5, 3, 4)),
                 ((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)), ((3,), (5, 3, 4)), ((5, 2, 3), (3,)),
                 ((1, 2, 3), (5, 3, 4)), ((2, 1, 2, 3), (1, 4, 3, 2))]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
def test_matmul_1d_2d_batched_and_broadcast(shapes):
    x, y = values(1, shapes[0]), values(2, shapes[1])
    assert_derivatives(anp.matmul, x, y)
    assert_derivatives(lambda x, y: x @ y, x, y)


@pytest.mark.parametrize("shapes", [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
                                    ((), (3, 2)), ((2, 3), ())], ids=str)
def test_dot(shapes):
    assert_derivatives(anp.dot, values(1, shapes[0]), values(2, shapes[1]))


def test_dot_of_3d_arrays_says_to_use_matmul():
    from wordnet_lm.autodiff import DifferentiationError, grad
    with pytest.raises(DifferentiationError, match="matmul"):
        grad(lambda x: anp.sum(anp.dot(x, x)))(np.ones((2, 2, 2)))


def test_outer():
    assert_derivatives(anp.outer, values(1, (3,)), values(2, (4,)))


# ---------------------------------------------------------------------------- shapes


@FEW
@given(shape=array_shapes(min_dims=1, max_dims=4, max_side=3), data=st.data(), seed=seeds)
def test_reshape_transpose_swapaxes_moveaxis(shape, data, seed):
    x = values(seed, shape)
    ndim = len(shape)
    perm = tuple(data.draw(st.permutations(range(ndim))))
    a, b = data.draw(st.integers(0, ndim - 1)), data.draw(st.integers(-ndim, -1))
    assert_derivatives(lambda x: anp.reshape(x, (-1,)) * np.arange(x.size), x)
    assert_derivatives(lambda x: x.reshape(*shape[::-1]) if ndim > 1 else x.reshape(-1), x)
    assert_derivatives(lambda x: anp.transpose(x, perm), x)
    assert_derivatives(lambda x: x.transpose(*perm) if ndim > 1 else x.T, x)
    assert_derivatives(lambda x: x.T, x)
    assert_derivatives(lambda x: anp.swapaxes(x, a, b), x)
    assert_derivatives(lambda x: anp.moveaxis(x, a, b), x)
    assert_derivatives(lambda x: anp.ravel(x), x)


@FEW
@given(shape=array_shapes(min_dims=0, max_dims=3, max_side=3), data=st.data(), seed=seeds)
def test_expand_dims_squeeze_broadcast_to(shape, data, seed):
    x = values(seed, shape)
    axis = data.draw(st.integers(-len(shape) - 1, len(shape)))
    assert_derivatives(lambda x: anp.expand_dims(x, axis), x)
    assert_derivatives(lambda x: anp.squeeze(anp.expand_dims(x, axis), axis), x)
    assert_derivatives(lambda x: anp.squeeze(x), x)
    assert_derivatives(lambda x: anp.broadcast_to(x, (2,) + tuple(shape)), x)


@FEW
@given(shape=array_shapes(min_dims=1, max_dims=3, max_side=3), data=st.data(), seed=seeds)
def test_concatenate_and_stack(shape, data, seed):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    other = list(shape)
    other[axis] += 1
    x, y = values(seed, shape), values(seed + 1, tuple(other))
    assert_derivatives(lambda x, y: anp.concatenate([x, y, x * 2], axis=axis), x, y)
    stack_axis = data.draw(st.integers(-len(shape) - 1, len(shape)))
    assert_derivatives(lambda x: anp.stack([x, x * x, np.ones(shape)], axis=stack_axis), x)
    assert_derivatives(lambda x: anp.array([x, 2 * x]), x)


# ---------------------------------------------------------------------------- indexing


@FEW
@given(rows=st.integers(1, 5), cols=st.integers(1, 4), data=st.data(), seed=seeds)
def test_integer_array_indexing_with_repeats(rows, cols, data, seed):
    x = values(seed, (rows, cols))
    idx = np.array(data.draw(st.lists(st.integers(-rows, rows - 1), min_size=1, max_size=8)))
    idx2d = np.resize(idx, (2, len(idx)))
    assert_derivatives(lambda x: x[idx], x)
    assert_derivatives(lambda x: x[idx2d], x)
    assert_derivatives(lambda x: x[list(idx)], x)
    assert_derivatives(lambda x: anp.take(x, idx, axis=0), x)
    assert_derivatives(lambda x: anp.take(x, idx % cols if cols else idx, axis=1), x)
    assert_derivatives(lambda x: anp.take(x, idx % x.size), x)
    assert_derivatives(lambda x: x[idx % rows, idx % cols], x)
    assert_derivatives(lambda x: x[:, idx % cols], x)
    assert_derivatives(lambda x: anp.take(x[:, 0], idx, axis=0), x)
    assert_derivatives(lambda x: anp.take(x, idx * 3, axis=0, mode="wrap"), x)
    assert_derivatives(lambda x: anp.take(x, idx * 3, axis=1, mode="clip"), x)


@FEW
@given(shape=array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=4), seed=seeds)
def test_basic_and_boolean_indexing(shape, seed):
    x = values(seed, shape)
    mask = values(seed + 1, shape) > 0
    assert_derivatives(lambda x: x[0], x)
    assert_derivatives(lambda x: x[-1:0:-1], x)
    assert_derivatives(lambda x: x[..., None, 1], x)
    assert_derivatives(lambda x: x[mask] * 2, x)
    assert_derivatives(lambda x: anp.scatter_add(x, (slice(1, 3),), (6,) + shape[1:]), x[:2])


def test_scatter_add_accumulates_repeats():
    idx = np.array([0, 2, 2, 0, 0])
    out = anp.scatter_add(np.ones((5, 2)), idx, (3, 2))
    np.testing.assert_array_equal(out, [[3, 3], [0, 0], [2, 2]])
    assert_derivatives(lambda v: anp.scatter_add(v, idx, (3, 2)) ** 2, values(0, (5, 2)))
