"""The fused two-level softmax (adaptive and class-factored): against central differences in
float64, an unfused composition of the engine's own ops, and plain NumPy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wordnet_lm.autodiff import check_grad, value_and_grad, vjp
from wordnet_lm.autodiff import numpy as anp
from wordnet_lm.nn import adaptive_softmax as A
from wordnet_lm.nn.adaptive_softmax import Cluster, Layout


def unfused_losses(x, head_W, head_b, tail, targets, layout):
    """Per-row losses from the engine's composable ops (log_softmax, indexing, products)."""
    batch = len(targets)
    head_t, cluster = A.head_targets(targets, layout)
    losses = -anp.log_softmax(x @ head_W + head_b, axis=1)[np.arange(batch), head_t]
    for index, rows in enumerate(A.group_rows(cluster, len(layout.clusters))):
        if len(rows) == 0:
            continue
        c = layout.clusters[index]
        z = x[rows] @ tail[c.proj] if c.proj >= 0 else x[rows]
        logits = z @ tail[c.weight][:, c.offset:c.offset + c.size]
        if c.bias >= 0:
            logits = logits + tail[c.bias][c.offset:c.offset + c.size]
        picked = -anp.log_softmax(logits, axis=1)[np.arange(len(rows)), targets[rows] - c.first]
        scatter = np.zeros((batch, len(rows)))
        scatter[rows, np.arange(len(rows))] = 1.0
        losses = losses + scatter @ picked
    return losses


def reduce(losses, reduction):
    return {"mean": anp.mean, "sum": anp.sum, "none": lambda v: v}[reduction](losses)


def numpy_log_probs(x, head_W, head_b, tail, layout):
    """Every word's log-probability, written out with plain NumPy."""
    def log_softmax(z):
        z = z - z.max(axis=1, keepdims=True)
        return z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    head = log_softmax(x @ head_W + head_b)
    columns = [head[:, :layout.shortlist]]
    for k, c in enumerate(layout.clusters):
        z = x @ tail[c.proj] if c.proj >= 0 else x
        logits = z @ tail[c.weight][:, c.offset:c.offset + c.size]
        if c.bias >= 0:
            logits = logits + tail[c.bias][c.offset:c.offset + c.size]
        columns.append(log_softmax(logits) + head[:, [layout.shortlist + k]])
    return np.concatenate(columns, axis=1)


@st.composite
def problems(draw, shared_weight=None):
    """A random two-level softmax problem: adaptive (own arrays per cluster, projections
    optional) or class-factored (one shared weight and bias, column ranges)."""
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    batch, features = draw(st.integers(1, 7)), draw(st.integers(1, 4))
    shortlist = draw(st.integers(0, 3))
    sizes = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    shared = draw(st.booleans()) if shared_weight is None else shared_weight
    tail, clusters, first = [], [], shortlist
    if shared:
        total = sum(sizes)
        tail = [rng.standard_normal((features, total)), rng.standard_normal(total)]
        for size in sizes:
            clusters.append(Cluster(first, first + size, weight=0, bias=1, offset=first - shortlist))
            first += size
    else:
        for size in sizes:
            proj = -1
            width = features
            if draw(st.booleans()):
                width = draw(st.integers(1, 3))
                proj = len(tail)
                tail.append(rng.standard_normal((features, width)))
            weight = len(tail)
            tail.append(rng.standard_normal((width, size)))
            bias = -1
            if draw(st.booleans()):
                bias = len(tail)
                tail.append(rng.standard_normal(size))
            clusters.append(Cluster(first, first + size, weight=weight, bias=bias, proj=proj))
            first += size
    layout = Layout(shortlist, tuple(clusters))
    x = rng.standard_normal((batch, features))
    head_W = rng.standard_normal((features, layout.head_size))
    head_b = rng.standard_normal(layout.head_size)
    targets = rng.integers(0, layout.n_words, batch)
    reduction = draw(st.sampled_from(["mean", "sum", "none"]))
    return x, head_W, head_b, tail, targets, layout, reduction


@settings(max_examples=30, deadline=None)
@given(problems())
def test_gradients_match_central_differences(problem):
    x, head_W, head_b, tail, targets, layout, reduction = problem

    def fused(x, head_W, head_b, *tail):
        return A.two_level_cross_entropy(x, head_W, head_b, tail, targets, layout, reduction)

    assert check_grad(fused, x, head_W, head_b, *tail) < 1e-6


@settings(max_examples=30, deadline=None)
@given(problems())
def test_equals_the_unfused_composition(problem):
    x, head_W, head_b, tail, targets, layout, reduction = problem
    args = (x, head_W, head_b, *tail)
    cotangent = np.random.default_rng(0).random(len(targets)) if reduction == "none" else np.array(1.3)

    def fused(*a):
        return A.two_level_cross_entropy(a[0], a[1], a[2], a[3:], targets, layout, reduction)

    def plain(*a):
        return reduce(unfused_losses(a[0], a[1], a[2], a[3:], targets, layout), reduction)

    argnums = tuple(range(len(args)))
    value, pull_fused = vjp(fused, *args, argnum=argnums)
    expected, pull_plain = vjp(plain, *args, argnum=argnums)
    np.testing.assert_allclose(value, expected, rtol=1e-12)
    for got, want in zip(pull_fused(cotangent), pull_plain(cotangent)):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


@settings(max_examples=20, deadline=None)
@given(problems())
def test_log_probs_are_exact_and_normalised(problem):
    x, head_W, head_b, tail, targets, layout, _ = problem
    full = A.two_level_log_probs(x, head_W, head_b, tail, layout)
    np.testing.assert_allclose(full, numpy_log_probs(x, head_W, head_b, tail, layout), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(np.exp(full).sum(axis=1), 1.0, rtol=1e-12)
    losses = A.two_level_cross_entropy(x, head_W, head_b, tail, targets, layout, "none")
    np.testing.assert_allclose(losses, -full[np.arange(len(targets)), targets], rtol=1e-10)


def test_float32_and_many_blocks_and_threads(monkeypatch):
    """Row blocks of a few rows split over threads: the same bits as one thread (the blocks
    are fixed by the shape); other block sizes agree to float32 rounding (the head's products
    are made a block at a time); float32 kept."""
    rng = np.random.default_rng(5)
    layout = Layout(5, (Cluster(5, 12, weight=1, bias=2, proj=0), Cluster(12, 20, weight=3)))
    tail = [rng.standard_normal(s).astype(np.float32) for s in [(6, 2), (2, 7), (7,), (6, 8)]]
    x = rng.standard_normal((33, 6)).astype(np.float32)
    head_W, head_b = rng.standard_normal((6, 7)).astype(np.float32), rng.standard_normal(7).astype(np.float32)
    targets = rng.integers(0, 20, 33)
    results = []
    for block, threads in [(16, 1), (16, 3), (1 << 17, 1)]:
        monkeypatch.setattr(A, "_BLOCK_ELEMENTS", block)
        monkeypatch.setattr(A, "kernel_threads", lambda n, t=threads: t)
        loss, grads = value_and_grad(lambda *a: A.two_level_cross_entropy(a[0], a[1], a[2], a[3:], targets, layout),
                                     argnum=tuple(range(6)))(x, head_W, head_b, *tail)
        assert np.asarray(loss).dtype == np.float32 and all(g.dtype == np.float32 for g in grads)
        results.append((loss, grads))
    assert results[0][0] == results[1][0]
    assert all(np.array_equal(a, b) for a, b in zip(results[0][1], results[1][1]))
    assert float(results[2][0]) == pytest.approx(float(results[0][0]), rel=1e-6)
    assert all(np.allclose(a, b, rtol=1e-5, atol=1e-6) for a, b in zip(results[0][1], results[2][1]))
    reference = -numpy_log_probs(*(a.astype(np.float64) for a in (x, head_W, head_b)),
                                 [t.astype(np.float64) for t in tail], layout)[np.arange(33), targets].mean()
    assert float(results[0][0]) == pytest.approx(reference, rel=1e-5)


def test_pullback_may_be_called_again():
    rng = np.random.default_rng(3)
    layout = Layout(2, (Cluster(2, 5, weight=1, proj=0),))
    x, head_W, head_b = rng.standard_normal((6, 3)), rng.standard_normal((3, 3)), rng.standard_normal(3)
    tail = [rng.standard_normal((3, 2)), rng.standard_normal((2, 3))]
    targets = np.array([0, 4, 3, 1, 2, 4])

    def f(*a):
        return A.two_level_cross_entropy(a[0], a[1], a[2], a[3:], targets, layout)

    _, pullback = vjp(f, x, head_W, head_b, *tail, argnum=(0, 1, 2, 3, 4))
    first = pullback(np.ones(()))
    for g in first:
        g[...] = np.nan  # the caller owns its results
    again = pullback(np.ones(()))
    thrice = pullback(np.array(2.0))
    _, plain = vjp(lambda *a: reduce(unfused_losses(a[0], a[1], a[2], a[3:], targets, layout), "mean"),
                   x, head_W, head_b, *tail, argnum=(0, 1, 2, 3, 4))
    for got, doubled, want in zip(again, thrice, plain(np.ones(()))):
        np.testing.assert_allclose(got, want, rtol=1e-10)
        np.testing.assert_allclose(doubled, 2 * want, rtol=1e-10)


def test_bad_arguments():
    layout = Layout(2, (Cluster(2, 4, weight=0),))
    x, head_W, head_b, tail = np.zeros((2, 3)), np.zeros((3, 3)), np.zeros(3), [np.zeros((3, 2))]
    with pytest.raises(ValueError, match="out of range"):
        A.two_level_cross_entropy(x, head_W, head_b, tail, np.array([0, 4]), layout)
    with pytest.raises(ValueError, match="head weights"):
        A.two_level_cross_entropy(x, np.zeros((3, 4)), head_b, tail, np.array([0, 1]), layout)
    with pytest.raises(ValueError, match="cluster weight"):
        A.two_level_cross_entropy(x, head_W, head_b, [np.zeros((2, 2))], np.array([0, 1]), layout)
    with pytest.raises(ValueError, match="tile"):
        A.two_level_cross_entropy(x, head_W, head_b, tail, np.array([0, 1]), Layout(2, (Cluster(3, 4, weight=0),)))
    with pytest.raises(ValueError, match="reduction"):
        A.two_level_cross_entropy(x, head_W, head_b, tail, np.array([0, 1]), layout, "max")


def _problem_with_scale(scale: float, dtype=np.float64, seed: int = 11):
    """A batch with clusters with and without projections and biases, logits about ``scale``."""
    rng = np.random.default_rng(seed)
    layout = Layout(4, (Cluster(4, 9, weight=1, bias=2, proj=0), Cluster(9, 15, weight=3, bias=4),
                        Cluster(15, 18, weight=6, bias=7, proj=5)))
    shapes = [(3, 2), (2, 5), (5,), (3, 6), (6,), (3, 1), (1, 3), (3,)]
    tail = [(scale * rng.standard_normal(s)).astype(dtype) for s in shapes]
    x = rng.standard_normal((24, 3)).astype(dtype)
    head_W = (scale * rng.standard_normal((3, layout.head_size))).astype(dtype)
    head_b = (scale * rng.standard_normal(layout.head_size)).astype(dtype)
    targets = np.arange(24) % layout.n_words
    return x, head_W, head_b, tail, targets, layout


@pytest.mark.parametrize("scale", [0.5, 40.0])
@pytest.mark.parametrize("fold", [True, False])
def test_shifted_rows_and_folded_biases(monkeypatch, scale, fold):
    """Logits far beyond +-SHIFT_BEYOND (rows shifted by their maximum, targets with a share
    below 1 / _LARGEST_RATIO), and biases folded into the products or added after them: the
    same values and gradients as the unfused composition, and central differences agree."""
    monkeypatch.setattr(A, "_folds_bias", lambda rows, weight: fold and weight.shape[0] > 1)
    x, head_W, head_b, tail, targets, layout = _problem_with_scale(scale)
    args = (x, head_W, head_b, *tail)

    def fused(*a):
        return A.two_level_cross_entropy(a[0], a[1], a[2], a[3:], targets, layout, "none")

    def plain(*a):
        return unfused_losses(a[0], a[1], a[2], a[3:], targets, layout)

    argnums = tuple(range(len(args)))
    cotangent = np.random.default_rng(1).random(len(targets))
    value, pull_fused = vjp(fused, *args, argnum=argnums)
    expected, pull_plain = vjp(plain, *args, argnum=argnums)
    if scale > 1:  # the cases this test is for do occur
        logits = x @ head_W + head_b
        assert np.abs(logits.max(axis=1)).max() > A.SHIFT_BEYOND
        assert (logits.max(axis=1) - logits[np.arange(24), A.head_targets(targets, layout)[0]]).max() > 60
    np.testing.assert_allclose(value, expected, rtol=1e-12, atol=1e-12)
    for got, want in zip(pull_fused(cotangent), pull_plain(cotangent)):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    assert check_grad(lambda *a: A.two_level_cross_entropy(a[0], a[1], a[2], a[3:], targets, layout),
                      *args) < 1e-6


def test_float32_far_logits_stay_finite_and_exact():
    """float32 logits of +-100s: no overflow or underflow to inf/NaN, losses and gradients as
    float64's to float32 rounding."""
    x, head_W, head_b, tail, targets, layout = _problem_with_scale(40.0, np.float32, seed=4)
    logits = (x @ head_W + head_b).astype(np.float64)
    targets = np.argmin(logits[:, :layout.shortlist], axis=1)  # shortlist words of the smallest share
    gaps = logits.max(axis=1) - logits[np.arange(len(targets)), targets]
    assert gaps.max() > 110  # some targets' exponentials underflow in float32: loss = log(sum) - logit
    loss, grads = value_and_grad(lambda *a: A.two_level_cross_entropy(a[0], a[1], a[2], a[3:], targets, layout),
                                 argnum=tuple(range(3 + len(tail))))(x, head_W, head_b, *tail)
    wide = [a.astype(np.float64) for a in (x, head_W, head_b, *tail)]
    loss64, grads64 = value_and_grad(lambda *a: A.two_level_cross_entropy(a[0], a[1], a[2], a[3:], targets, layout),
                                     argnum=tuple(range(3 + len(tail))))(*wide)
    assert np.isfinite(loss) and float(loss) == pytest.approx(float(loss64), rel=1e-5)
    for g, g64 in zip(grads, grads64):
        assert g.dtype == np.float32 and np.all(np.isfinite(g))
        np.testing.assert_allclose(g, g64, rtol=1e-4, atol=1e-5 * np.abs(g64).max())
