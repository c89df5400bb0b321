"""Losses: against independent NumPy computations, finite differences and extreme logits."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wordnet_lm.autodiff import numpy as anp
from wordnet_lm.autodiff import check_grad, value_and_grad, vjp
from wordnet_lm.nn import functional as F
from wordnet_lm.nn import fused_softmax as FS

RNG = np.random.default_rng(1234)


def np_log_softmax(z):
    z = np.asarray(z, dtype=np.float64)
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def np_cross_entropy(logits, targets, reduction="mean"):
    losses = -np_log_softmax(logits)[np.arange(len(targets)), targets]
    return {"mean": losses.mean(), "sum": losses.sum(), "none": losses}[reduction]


def np_cross_entropy_grad(logits, targets, weights):
    """d/dlogits of sum_i weights_i * loss_i: (softmax - onehot) * weights."""
    p = np.exp(np_log_softmax(logits))
    p[np.arange(len(targets)), targets] -= 1.0
    return p * np.asarray(weights, dtype=np.float64).reshape(-1, 1)


# ---------------------------------------------------------------------------- fused softmax CE


@settings(max_examples=40, deadline=None)
@given(batch=st.integers(1, 6), classes=st.integers(1, 9), reduction=st.sampled_from(["mean", "sum"]),
       scale=st.sampled_from([0.1, 1.0, 30.0]), seed=st.integers(0, 2**31))
def test_softmax_cross_entropy_value_and_gradient(batch, classes, reduction, scale, seed):
    rng = np.random.default_rng(seed)
    logits = scale * rng.standard_normal((batch, classes))
    targets = rng.integers(0, classes, batch)
    loss, grad = value_and_grad(lambda z: FS.softmax_cross_entropy(z, targets, reduction))(logits)
    assert loss == pytest.approx(np_cross_entropy(logits, targets, reduction), rel=1e-12, abs=1e-12)
    weights = np.full(batch, 1.0 / batch if reduction == "mean" else 1.0)
    np.testing.assert_allclose(grad, np_cross_entropy_grad(logits, targets, weights), rtol=1e-10, atol=1e-14)


def test_softmax_cross_entropy_matches_finite_differences():
    logits = RNG.standard_normal((4, 6))
    targets = np.array([0, 5, 5, 2])
    f = lambda z: FS.softmax_cross_entropy(z, targets)  # noqa: E731
    _, grad = value_and_grad(f)(logits)
    assert check_grad(f, logits) < 1e-6


def test_per_example_losses_and_their_vjp():
    logits = RNG.standard_normal((5, 4))
    targets = np.array([3, 1, 0, 0, 2])
    weights = RNG.standard_normal(5)
    losses = FS.softmax_cross_entropy(logits, targets, "none")
    np.testing.assert_allclose(losses, np_cross_entropy(logits, targets, "none"), rtol=1e-12)
    f = lambda z: anp.sum(FS.softmax_cross_entropy(z, targets, "none") * weights)  # noqa: E731
    _, grad = value_and_grad(f)(logits)
    np.testing.assert_allclose(grad, np_cross_entropy_grad(logits, targets, weights), rtol=1e-10, atol=1e-14)
    assert check_grad(f, logits) < 1e-6


def test_softmax_cross_entropy_scaled_cotangent():
    """The upstream cotangent scales the in-place gradient (loss used inside a larger expression)."""
    logits = RNG.standard_normal((3, 5))
    targets = np.array([1, 4, 0])
    _, grad = value_and_grad(lambda z: 2.5 * FS.softmax_cross_entropy(z, targets) + 1.0)(logits)
    np.testing.assert_allclose(grad, np_cross_entropy_grad(logits, targets, np.full(3, 2.5 / 3)), rtol=1e-10)


def test_fused_equals_composable_log_softmax_version():
    logits = RNG.standard_normal((6, 11))
    targets = RNG.integers(0, 11, 6)
    fused = value_and_grad(lambda z: FS.softmax_cross_entropy(z, targets))(logits)
    composed = value_and_grad(lambda z: F.nll_loss(F.log_softmax(z), targets))(logits)
    assert fused[0] == pytest.approx(composed[0], rel=1e-12)
    np.testing.assert_allclose(fused[1], composed[1], rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_is_stable_for_huge_logits(dtype):
    logits = np.array([[1e4, 0.0, -1e4], [0.0, 1e4, 1e4], [-1e4, -1e4, -1e4]], dtype=dtype)
    targets = np.array([0, 0, 2])
    loss, grad = value_and_grad(lambda z: FS.softmax_cross_entropy(z, targets, "sum"))(logits)
    assert np.isfinite(loss) and np.all(np.isfinite(grad))
    # exact: row 1 -> 0, row 2 -> 1e4 + log 2, row 3 -> log 3
    assert float(loss) == pytest.approx(1e4 + np.log(2) + np.log(3), rel=1e-6)
    expected = np.array([[0, 0, 0], [-1, 0.5, 0.5], [1 / 3, 1 / 3, -2 / 3]])
    np.testing.assert_allclose(grad, expected, atol=1e-6)
    assert grad.dtype == dtype
    losses = FS.softmax_cross_entropy(logits, targets, "none")
    assert np.all(np.isfinite(losses))
    fused_linear = FS.linear_softmax_cross_entropy(np.eye(3, dtype=dtype), logits, None, targets, "sum")
    assert float(fused_linear) == pytest.approx(float(loss), rel=1e-6)


def test_cross_entropy_keeps_float32():
    logits = RNG.standard_normal((4, 7)).astype(np.float32)
    loss, grad = value_and_grad(lambda z: FS.softmax_cross_entropy(z, np.arange(4)))(logits)
    assert np.asarray(loss).dtype == np.float32 and grad.dtype == np.float32


def test_backward_reuses_the_forward_buffer():
    """Forward + backward of the fused loss hold one B x V buffer (plus O(B) vectors)."""
    batch, classes = 64, 4096
    logits = RNG.standard_normal((batch, classes))
    targets = RNG.integers(0, classes, batch)
    f = value_and_grad(lambda z: FS.softmax_cross_entropy(z, targets))
    f(logits)  # warm up
    tracemalloc.start()
    try:
        _, grad = f(logits)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert grad.shape == logits.shape
    assert peak < 1.25 * logits.nbytes, f"peak {peak} bytes for a {logits.nbytes}-byte B x V array"


@pytest.mark.parametrize("fused", ["logits", "linear"])
def test_pullback_may_be_called_again(fused):
    """The backward consumes its buffer in place; later pullbacks (same cotangent object, or
    another) recompute and do not alias earlier results."""
    x, W = RNG.standard_normal((3, 2)), RNG.standard_normal((2, 4))
    targets = np.array([0, 3, 1])
    if fused == "logits":
        f = lambda x, W: FS.softmax_cross_entropy(x @ W, targets)  # noqa: E731
    else:
        f = lambda x, W: FS.linear_softmax_cross_entropy(x, W, None, targets)  # noqa: E731
    _, pullback = vjp(f, x, W, argnum=(0, 1))
    dlogits = np_cross_entropy_grad(x @ W, targets, np.full(3, 1 / 3))
    one = np.ones(())
    first = pullback(one)
    np.testing.assert_allclose(first[1], x.T @ dlogits, rtol=1e-12)
    first[0][...] = np.nan  # the caller owns its results
    first[1][...] = np.nan
    again = pullback(one)
    np.testing.assert_allclose(again[0], dlogits @ W.T, rtol=1e-12)
    np.testing.assert_allclose(again[1], x.T @ dlogits, rtol=1e-12)
    scaled = pullback(np.array(3.0))
    np.testing.assert_allclose(scaled[0], 3 * dlogits @ W.T, rtol=1e-12)


def test_pullback_on_logits_input_does_not_alias():
    logits = RNG.standard_normal((3, 4))
    targets = np.array([2, 2, 0])
    _, pullback = vjp(lambda z: FS.softmax_cross_entropy(z, targets), logits)
    one = np.ones(())
    first = pullback(one)
    first[...] = np.nan  # the in-place buffer itself went to the caller
    np.testing.assert_allclose(pullback(one), np_cross_entropy_grad(logits, targets, np.full(3, 1 / 3)), rtol=1e-12)


@pytest.mark.parametrize("targets, message", [
    (np.array([0, 5]), "out of range"),
    (np.array([-1, 0]), "out of range"),
    (np.array([0.0, 1.0]), "integer"),
    (np.array([0, 1, 2]), "integer class ids"),
])
def test_cross_entropy_rejects_bad_targets(targets, message):
    with pytest.raises(ValueError, match=message):
        FS.softmax_cross_entropy(np.zeros((2, 5)), targets)


def test_cross_entropy_rejects_bad_reduction_and_shapes():
    with pytest.raises(ValueError, match="reduction"):
        FS.softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 1]), "avg")
    with pytest.raises(ValueError, match="2-D"):
        FS.softmax_cross_entropy(np.zeros(3), np.array([0]))
    with pytest.raises(ValueError, match="empty batch"):
        FS.softmax_cross_entropy(np.zeros((0, 3)), np.zeros(0, dtype=int))
    with pytest.raises(ValueError, match="do not make"):
        FS.linear_softmax_cross_entropy(np.zeros((2, 3)), np.zeros((4, 5)), None, np.array([0, 1]))
    with pytest.raises(ValueError, match="bias"):
        FS.linear_softmax_cross_entropy(np.zeros((2, 3)), np.zeros((3, 5)), np.zeros(4), np.array([0, 1]))


# ---------------------------------------------------------------------------- fused output layer


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_linear_softmax_cross_entropy_gradients(reduction):
    x, W, b = RNG.standard_normal((5, 3)), RNG.standard_normal((3, 7)), RNG.standard_normal(7)
    x2, W2 = RNG.standard_normal((5, 2)), RNG.standard_normal((2, 7))
    targets = np.array([6, 0, 0, 3, 1])

    def fused(x, W, b, x2, W2):
        return FS.linear_softmax_cross_entropy(x, W, b, targets, reduction, extra=[(x2, W2)])

    args = [x, W, b, x2, W2]
    reference = np_cross_entropy(x @ W + b + x2 @ W2, targets, reduction)
    for k in range(len(args)):
        loss, grad = value_and_grad(fused, k)(*args)
        assert loss == pytest.approx(reference, rel=1e-12)
        np.testing.assert_allclose(grad, value_and_grad(fused, k)(*args)[1])
    assert check_grad(fused, *args) < 1e-6


def test_linear_softmax_cross_entropy_equals_unfused():
    x, W, b = RNG.standard_normal((4, 6)), RNG.standard_normal((6, 9)), RNG.standard_normal(9)
    targets = RNG.integers(0, 9, 4)
    for k in range(3):
        fused = value_and_grad(lambda x, W, b: FS.linear_softmax_cross_entropy(x, W, b, targets), k)(x, W, b)
        plain = value_and_grad(lambda x, W, b: FS.softmax_cross_entropy(x @ W + b, targets), k)(x, W, b)
        assert fused[0] == pytest.approx(plain[0], rel=1e-12)
        np.testing.assert_allclose(fused[1], plain[1], rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_fused_output_layer_in_many_blocks_and_threads(monkeypatch, reduction):
    """Row blocks of a few rows and rows split over threads give the independent NumPy values,
    and the same bits whatever the number of threads."""
    monkeypatch.setattr(FS, "_BLOCK_ELEMENTS", 40)  # 2 rows of 17 classes per block
    x, W, b = RNG.standard_normal((11, 4)), RNG.standard_normal((4, 17)), RNG.standard_normal(17)
    targets = RNG.integers(0, 17, 11)
    cotangent = RNG.random(11) if reduction == "none" else 1.0
    logits = x @ W + b
    weights = np.broadcast_to(cotangent / (11 if reduction == "mean" else 1), (11,))
    dlogits = np_cross_entropy_grad(logits, targets, weights)
    results = []
    for threads in (1, 3):
        monkeypatch.setattr(FS, "kernel_threads", lambda n_elements, threads=threads: threads)
        loss, pullback = vjp(lambda x, W, b: FS.linear_softmax_cross_entropy(x, W, b, targets, reduction),
                             x, W, b, argnum=(0, 1, 2))
        results.append((loss, pullback(np.asarray(cotangent))))
    for loss, (gx, gW, gb) in results:
        np.testing.assert_allclose(loss, np_cross_entropy(logits, targets, reduction), rtol=1e-12)
        np.testing.assert_allclose(gx, dlogits @ W.T, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(gW, x.T @ dlogits, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(gb, dlogits.sum(axis=0), rtol=1e-10, atol=1e-14)
    assert all(np.array_equal(a, b) for a, b in zip(results[0][1], results[1][1]))


def test_fused_output_layer_threads_follow_the_limit():
    from wordnet_lm.parallel import default_threads, kernel_threads, thread_limit

    assert kernel_threads(10) == 1  # small work stays on the calling thread
    with thread_limit(1):
        assert kernel_threads(1 << 24) == 1
    assert kernel_threads(1 << 24) == default_threads()


# ---------------------------------------------------------------------------- other losses


def test_squared_error():
    pred, target = RNG.standard_normal((4, 3)), RNG.standard_normal((4, 3))
    assert F.squared_error(pred, target) == pytest.approx(np.mean((pred - target) ** 2), rel=1e-12)
    assert F.squared_error(pred, target, "sum") == pytest.approx(np.sum((pred - target) ** 2), rel=1e-12)
    np.testing.assert_allclose(F.squared_error(pred, target, "none"), (pred - target) ** 2)
    f = lambda p: F.squared_error(p, target)  # noqa: E731
    _, grad = value_and_grad(f)(pred)
    np.testing.assert_allclose(grad, 2 * (pred - target) / pred.size, rtol=1e-12)
    assert check_grad(f, pred) < 1e-6


def test_logistic_loss_values_gradient_and_stability():
    z = RNG.standard_normal(8) * 3
    y = (RNG.random(8) > 0.5).astype(float)
    sig = 1 / (1 + np.exp(-z))
    reference = -(y * np.log(sig) + (1 - y) * np.log(1 - sig))
    np.testing.assert_allclose(F.logistic_loss(z, y, "none"), reference, rtol=1e-10)
    f = lambda a: F.logistic_loss(a, y)  # noqa: E731
    _, grad = value_and_grad(f)(z)
    np.testing.assert_allclose(grad, (sig - y) / len(z), rtol=1e-10)
    assert check_grad(f, z) < 1e-6
    huge = np.array([1e4, -1e4, 1e4, -1e4])
    labels = np.array([1.0, 0.0, 0.0, 1.0])
    losses = F.logistic_loss(huge, labels, "none")
    np.testing.assert_allclose(losses, [0.0, 0.0, 1e4, 1e4], atol=1e-12)
    _, g = value_and_grad(lambda a: F.logistic_loss(a, labels, "sum"))(huge)
    np.testing.assert_allclose(g, [0.0, 0.0, 1.0, -1.0], atol=1e-12)


def test_multiclass_hinge_against_a_loop():
    scores = RNG.standard_normal((6, 4))
    targets = RNG.integers(0, 4, 6)
    reference = [sum(max(0.0, 1.0 + s[j] - s[t]) for j in range(4) if j != t) for s, t in zip(scores, targets)]
    np.testing.assert_allclose(F.multiclass_hinge(scores, targets, reduction="none"), reference, rtol=1e-12)
    assert F.multiclass_hinge(scores, targets) == pytest.approx(np.mean(reference), rel=1e-12)
    assert F.multiclass_hinge(scores, targets, margin=0.5, reduction="sum") == pytest.approx(
        sum(max(0.0, 0.5 + s[j] - s[t]) for s, t in zip(scores, targets) for j in range(4) if j != t), rel=1e-12)
    f = lambda s: F.multiclass_hinge(s, targets)  # noqa: E731
    _, grad = value_and_grad(f)(scores)
    expected = np.zeros_like(scores)
    for i, (s, t) in enumerate(zip(scores, targets)):
        for j in range(4):
            if j != t and 1.0 + s[j] - s[t] > 0:
                expected[i, j] += 1 / 6
                expected[i, t] -= 1 / 6
    np.testing.assert_allclose(grad, expected, atol=1e-15)
    assert check_grad(f, scores) < 1e-6  # random scores lie off the kinks


def test_l2_penalty():
    params = {"w.W": RNG.standard_normal((3, 2)), "w.b": RNG.standard_normal(2)}
    assert F.l2_penalty(params) == pytest.approx(0.5 * np.sum(params["w.W"] ** 2))
    assert F.l2_penalty(params, ["w.W", "w.b"]) == pytest.approx(
        0.5 * (np.sum(params["w.W"] ** 2) + np.sum(params["w.b"] ** 2)))
    _, grad = value_and_grad(lambda W: F.l2_penalty({"w.W": W}))(params["w.W"])
    np.testing.assert_allclose(grad, params["w.W"])


def test_log_softmax_and_softmax_helpers():
    z = RNG.standard_normal((3, 5)) * 10
    np.testing.assert_allclose(F.log_softmax(z), np_log_softmax(z), rtol=1e-12)
    np.testing.assert_allclose(F.softmax(z), np.exp(np_log_softmax(z)), rtol=1e-12)
    np.testing.assert_allclose(F.softmax(z).sum(axis=1), 1.0)


# ---------------------------------------------------------------------------- dropout


def test_dropout():
    x = np.ones((200, 50))
    assert F.dropout(x, 0.5, None, training=False) is x
    assert F.dropout(x, 0.0, None) is x
    a = F.dropout(x, 0.3, np.random.default_rng(7))
    b = F.dropout(x, 0.3, np.random.default_rng(7))
    np.testing.assert_array_equal(a, b)  # seeded
    kept = a != 0
    assert abs(kept.mean() - 0.7) < 0.02
    keep_rate = 1 - round(0.3 * 65536) / 65536  # the rate is a multiple of 1/65536
    assert abs(keep_rate - 0.7) < 1e-5
    np.testing.assert_allclose(a[kept], 1 / keep_rate, rtol=1e-15)  # inverted: expectation preserved
    many = F.dropout(np.ones(400_000), 0.25, np.random.default_rng(1))
    assert abs(many.mean() - 1.0) < 0.005 and set(np.unique(many)) == {0.0, 4 / 3}
    odd = F.dropout(np.ones((3, 5, 7)), 0.5, np.random.default_rng(2))  # a size that is not a multiple of 4
    assert odd.shape == (3, 5, 7) and set(np.unique(odd)) <= {0.0, 2.0}
    _, grad = value_and_grad(lambda v: anp.sum(F.dropout(v, 0.3, np.random.default_rng(7))))(x)
    np.testing.assert_array_equal(grad, a)  # d sum(x * mask) / dx = mask
    with pytest.raises(ValueError, match="rng"):
        F.dropout(x, 0.5, None)
    with pytest.raises(ValueError, match="rate"):
        F.dropout(x, 1.0, np.random.default_rng(0))
    assert F.dropout(x.astype(np.float32), 0.5, np.random.default_rng(0)).dtype == np.float32


def test_activation_lookup():
    z = np.linspace(-3, 3, 7)
    np.testing.assert_allclose(F.activation("tanh")(z), np.tanh(z))
    np.testing.assert_allclose(F.activation("relu")(z), np.maximum(z, 0))
    np.testing.assert_allclose(F.activation("sigmoid")(z), 1 / (1 + np.exp(-z)))
    assert F.activation("identity")(z) is z
    with pytest.raises(ValueError, match="unknown activation"):
        F.activation("swish2")
