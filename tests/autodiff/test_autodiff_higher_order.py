"""Higher order: grad of grad with known derivatives, Hessian-vector products against a
finite-difference Hessian, and the curvature tools against numpy.linalg.eigvalsh."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wordnet_lm.autodiff import (Sharpness, grad, hessian, hessian_vector_product, jvp, ravel_pytree,
                                 top_hessian_eigenvalue, value_and_grad)
from wordnet_lm.autodiff import numpy as anp
from wordnet_lm.errors import TrainingError

# ---------------------------------------------------------------------------- known derivatives

SECOND_DERIVATIVES = {
    "sin": (anp.sin, lambda x: -np.sin(x)),
    "exp(2x)": (lambda x: anp.exp(2 * x), lambda x: 4 * np.exp(2 * x)),
    "x^4": (lambda x: x ** 4, lambda x: 12 * x ** 2),
    "log": (lambda x: anp.log(x * x + 1), lambda x: 2 * (1 - x * x) / (x * x + 1) ** 2),
    "tanh": (anp.tanh, lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2)),
    "sigmoid": (anp.sigmoid, lambda x: (s := 1 / (1 + np.exp(-x))) * (1 - s) * (1 - 2 * s)),
    "softplus": (anp.softplus, lambda x: (s := 1 / (1 + np.exp(-x))) * (1 - s)),
    "sqrt": (lambda x: anp.sqrt(x * x + 1), lambda x: (x * x + 1) ** -1.5),
    "1/x": (lambda x: 1 / (x * x + 1), lambda x: (6 * x * x - 2) / (x * x + 1) ** 3),
    "gelu": (anp.gelu, lambda x: np.exp(-x * x / 2) / np.sqrt(2 * np.pi) * (2 - x * x)),
}


@pytest.mark.parametrize("name", sorted(SECOND_DERIVATIVES))
@settings(max_examples=10, deadline=None)
@given(x=st.floats(-2.0, 2.0))
def test_grad_of_grad_matches_known_second_derivative(name, x):
    f, f2 = SECOND_DERIVATIVES[name]
    assert grad(grad(f))(x) == pytest.approx(f2(x), rel=1e-9, abs=1e-12)


def test_third_and_fourth_derivatives():
    x = 0.3
    t = np.tanh(x)
    third = -2 * (1 - t * t) * (1 - 3 * t * t)  # d^3/dx^3 tanh
    assert grad(grad(grad(anp.tanh)))(x) == pytest.approx(third, rel=1e-10)
    assert grad(grad(grad(grad(anp.sin))))(x) == pytest.approx(np.sin(x), rel=1e-10)


def test_mixed_partials_and_perturbation_confusion():
    f = lambda x, y: x * x * anp.sin(y)  # noqa: E731
    x, y = 1.3, 0.4
    assert grad(lambda y: grad(f, 0)(x, y))(y) == pytest.approx(2 * x * np.cos(y))
    # d/dx [x * d/dy (x + y)] = 1: the inner derivative must not see the outer x
    assert grad(lambda x: x * grad(lambda y: x + y)(2.0))(3.0) == pytest.approx(1.0)
    # forward over reverse and reverse over forward agree
    rev_fwd = grad(lambda x: jvp(lambda x: anp.sin(x) * x, (x,), (1.0,))[1])(x)
    fwd_rev = jvp(grad(lambda x: anp.sin(x) * x), (x,), (1.0,))[1]
    assert rev_fwd == pytest.approx(fwd_rev) == pytest.approx(2 * np.cos(x) - x * np.sin(x))


# ---------------------------------------------------------------------------- Hessians


def fd_hessian(f, x, eps=1e-5):
    """Central differences of the gradient, column by column."""
    g = grad(f)
    flat = x.ravel()
    cols = []
    for j in range(flat.size):
        step = np.zeros_like(flat)
        step[j] = eps
        cols.append((g((flat + step).reshape(x.shape)) - g((flat - step).reshape(x.shape))).ravel() / (2 * eps))
    return np.array(cols).T


def mixed_function(x):
    w = np.linspace(-1, 1, x.size * 3).reshape(3, x.size)
    z = anp.tanh(w @ x)
    return anp.sum(z * z) + anp.logsumexp(x) + anp.sum(anp.softplus(x) * x) + anp.max(anp.softmax(x) * x)


@settings(max_examples=10, deadline=None)
@given(n=st.integers(1, 6), seed=st.integers(0, 2**32 - 1))
def test_hvp_matches_finite_difference_hessian(n, seed):
    r = np.random.default_rng(seed)
    x, v = r.standard_normal(n), r.standard_normal(n)
    expected = fd_hessian(mixed_function, x)
    np.testing.assert_allclose(hessian_vector_product(mixed_function)(x, v), expected @ v, rtol=1e-5, atol=1e-6)
    H = hessian(mixed_function)(x)
    np.testing.assert_allclose(H, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(H, H.T, atol=1e-12)


def test_hessian_shape_follows_the_argument():
    x = np.arange(6.0).reshape(2, 3) / 10
    H = hessian(lambda x: anp.sum(x ** 3))(x)
    assert H.shape == (2, 3, 2, 3)
    np.testing.assert_allclose(H.reshape(6, 6), np.diag(6 * x.ravel()))


# ---------------------------------------------------------------------------- curvature


def quadratic(A, b):
    return lambda x: 0.5 * x @ (A @ x) + b @ x


@pytest.mark.parametrize("definite", [True, False], ids=["positive definite", "indefinite"])
def test_power_iteration_finds_the_top_eigenvalue_of_a_quadratic(definite):
    r = np.random.default_rng(3)
    Q = np.linalg.qr(r.standard_normal((8, 8)))[0]
    eigenvalues = np.array([4.0, 2.5, 1.0, 0.7, 0.5, 0.2, 0.1, 0.05])
    if not definite:  # the eigenvalue of largest magnitude is negative: needs the shifted iteration
        eigenvalues = np.array([2.0, 1.0, 0.5, 0.1, -0.3, -1.0, -4.0, -9.0])
    A = Q @ np.diag(eigenvalues) @ Q.T
    s = top_hessian_eigenvalue(quadratic(A, r.standard_normal(8)), r.standard_normal(8), iters=2000, tol=1e-12)
    assert s.converged
    assert s.eigenvalue == pytest.approx(np.linalg.eigvalsh(A).max(), rel=1e-8)
    assert s.lr_bound == pytest.approx(2 / eigenvalues.max())


def mlp_loss(params, x, y):
    h = anp.tanh(x @ params["W1"] + params["b1"])
    logits = h @ params["W2"] + params["b2"]
    return -anp.mean(anp.log_softmax(logits, axis=1)[np.arange(len(y)), y])


def test_power_iteration_on_a_small_mlp_matches_the_full_hessian():
    r = np.random.default_rng(7)
    params = {"W1": r.standard_normal((3, 4)), "b1": r.standard_normal(4),
              "W2": r.standard_normal((4, 3)), "b2": r.standard_normal(3)}
    x, y = r.standard_normal((10, 3)), r.integers(0, 3, 10)
    H = hessian(mlp_loss)(params, x, y)
    flat, unravel = ravel_pytree(params)
    assert H.shape == (flat.size, flat.size)
    # the pytree Hessian agrees with finite differences of the gradient on the raveled vector
    fd = fd_hessian(lambda v: mlp_loss(unravel(v), x, y), flat)
    np.testing.assert_allclose(H, fd, rtol=1e-5, atol=1e-6)
    s = top_hessian_eigenvalue(mlp_loss, params, x, y, iters=5000, tol=1e-13)
    assert s.eigenvalue == pytest.approx(np.linalg.eigvalsh((H + H.T) / 2).max(), rel=1e-6)


def test_the_stability_bound_separates_converging_from_diverging_gradient_descent():
    r = np.random.default_rng(5)
    Q = np.linalg.qr(r.standard_normal((5, 5)))[0]
    A = Q @ np.diag([10.0, 3.0, 1.0, 0.5, 0.2]) @ Q.T
    f = quadratic(A, np.zeros(5))
    x0 = r.standard_normal(5)
    s = top_hessian_eigenvalue(f, x0, iters=1000, tol=1e-12)

    def descend(lr, steps=300):
        x = x0.copy()
        for _ in range(steps):
            x -= lr * grad(f)(x)
        return f(x)

    assert descend(0.95 * s.lr_bound) < 1e-3 * f(x0)
    assert descend(1.05 * s.lr_bound) > 1e3 * f(x0)
    s.check(0.95 * s.lr_bound)
    assert s.allows(0.95 * s.lr_bound) and not s.allows(1.05 * s.lr_bound)
    with pytest.raises(TrainingError, match="stability bound"):
        s.check(1.05 * s.lr_bound)
    assert Sharpness(-1.0, 1, True).lr_bound == np.inf


def test_curvature_in_float32_parameters():
    r = np.random.default_rng(2)
    params = {"W1": r.standard_normal((3, 4)).astype(np.float32), "b1": np.zeros(4, np.float32),
              "W2": r.standard_normal((4, 3)).astype(np.float32), "b2": np.zeros(3, np.float32)}
    x, y = r.standard_normal((10, 3)).astype(np.float32), r.integers(0, 3, 10)
    s = top_hessian_eigenvalue(mlp_loss, params, x, y, iters=300, tol=1e-4)
    params64 = {k: v.astype(np.float64) for k, v in params.items()}
    s64 = top_hessian_eigenvalue(mlp_loss, params64, x.astype(np.float64), y, iters=300, tol=1e-4)
    assert s.eigenvalue == pytest.approx(s64.eigenvalue, rel=1e-2)
    assert value_and_grad(mlp_loss)(params, x, y)[1]["W1"].dtype == np.float32
