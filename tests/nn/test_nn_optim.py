"""Optimizers: first steps equal the textbook update rules, written out independently here;
sparse (embedding) updates; state save/resume; in-place updates without allocation."""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pytest

from wordnet_lm.autodiff.sparse import RowSparse
from wordnet_lm.io import load_npz, save_npz
from wordnet_lm.nn import optim
from wordnet_lm.nn.optim import SGD, Adam, AdamW, OptimizerState, RMSprop, clip_grad_norm, optimizer_from_config

START = {"w.W": np.array([[0.5, -1.0], [2.0, 0.25], [-0.75, 1.5]]), "w.b": np.array([0.1, -0.2])}
TARGET = {"w.W": np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), "w.b": np.array([-1.0, 1.0])}


def gradient(params):
    """The gradient of 0.5 * sum(3 (p - target)^2): depends on where the optimizer went."""
    return {k: 3.0 * (params[k] - TARGET[k]) for k in params}


def fresh():
    return {k: v.copy() for k, v in START.items()}


# ---- the textbook rules, one parameter at a time, written as in the papers -------------------


def ref_sgd(steps, lr, wd=0.0, momentum=0.0, nesterov=False, decayed=("w.W",)):
    p, buf = fresh(), {k: 0.0 for k in START}
    for _ in range(steps):
        g = gradient(p)
        for k in p:
            gk = g[k] + (wd * p[k] if k in decayed else 0.0)
            if momentum:
                buf[k] = momentum * buf[k] + gk
                gk = gk + momentum * buf[k] if nesterov else buf[k]
            p[k] = p[k] - lr * gk
    return p


def ref_rmsprop(steps, lr, alpha, eps, momentum=0.0, centered=False, wd=0.0, decayed=("w.W",)):
    p = fresh()
    sq, gbar, buf = ({k: 0.0 for k in START} for _ in range(3))
    for _ in range(steps):
        g = gradient(p)
        for k in p:
            gk = g[k] + (wd * p[k] if k in decayed else 0.0)
            sq[k] = alpha * sq[k] + (1 - alpha) * gk ** 2
            if centered:
                gbar[k] = alpha * gbar[k] + (1 - alpha) * gk
                denom = np.sqrt(sq[k] - gbar[k] ** 2) + eps
            else:
                denom = np.sqrt(sq[k]) + eps
            if momentum:
                buf[k] = momentum * buf[k] + gk / denom
                p[k] = p[k] - lr * buf[k]
            else:
                p[k] = p[k] - lr * gk / denom
    return p


def ref_adam(steps, lr, b1, b2, eps, wd=0.0, decoupled=False, amsgrad=False, decayed=("w.W",), lrs=None):
    p = fresh()
    m, v, vmax = ({k: 0.0 for k in START} for _ in range(3))
    for t in range(1, steps + 1):
        lr_t = lrs[t - 1] if lrs else lr
        g = gradient(p)
        for k in p:
            gk = g[k]
            if k in decayed and decoupled:
                p[k] = p[k] - lr_t * wd * p[k]
            elif k in decayed:
                gk = gk + wd * p[k]
            m[k] = b1 * m[k] + (1 - b1) * gk
            v[k] = b2 * v[k] + (1 - b2) * gk ** 2
            vmax[k] = np.maximum(vmax[k], v[k])
            m_hat = m[k] / (1 - b1 ** t)
            v_hat = (vmax[k] if amsgrad else v[k]) / (1 - b2 ** t)
            p[k] = p[k] - lr_t * m_hat / (np.sqrt(v_hat) + eps)
    return p


def run(opt, steps, lrs=None):
    params = fresh()
    state = opt.init(params)
    for i in range(steps):
        if lrs:
            opt.lr = lrs[i]
        opt.update(params, gradient(params), state)
    assert state.step == steps
    return params


CASES = [
    ("sgd", lambda: SGD(lr=0.1), lambda n: ref_sgd(n, 0.1)),
    ("sgd+wd", lambda: SGD(lr=0.1, weight_decay=0.05), lambda n: ref_sgd(n, 0.1, wd=0.05)),
    ("sgd+wd all", lambda: SGD(lr=0.1, weight_decay=0.05, decay="all"),
     lambda n: ref_sgd(n, 0.1, wd=0.05, decayed=("w.W", "w.b"))),
    ("momentum", lambda: SGD(lr=0.1, momentum=0.9), lambda n: ref_sgd(n, 0.1, momentum=0.9)),
    ("nesterov+wd", lambda: SGD(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.1, decay=["w.b"]),
     lambda n: ref_sgd(n, 0.05, wd=0.1, momentum=0.8, nesterov=True, decayed=("w.b",))),
    ("rmsprop", lambda: RMSprop(lr=0.01), lambda n: ref_rmsprop(n, 0.01, 0.99, 1e-8)),
    ("rmsprop centered momentum wd", lambda: RMSprop(lr=0.02, alpha=0.9, eps=1e-6, momentum=0.5, centered=True,
                                                     weight_decay=0.01),
     lambda n: ref_rmsprop(n, 0.02, 0.9, 1e-6, momentum=0.5, centered=True, wd=0.01)),
    ("adam", lambda: Adam(lr=0.01), lambda n: ref_adam(n, 0.01, 0.9, 0.999, 1e-8)),
    ("adam l2 amsgrad", lambda: Adam(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1, amsgrad=True),
     lambda n: ref_adam(n, 0.01, 0.8, 0.99, 1e-6, wd=0.1, amsgrad=True)),
    ("adamw", lambda: AdamW(lr=0.01, weight_decay=0.1), lambda n: ref_adam(n, 0.01, 0.9, 0.999, 1e-8, wd=0.1,
                                                                           decoupled=True)),
]


@pytest.mark.parametrize("name, make, reference", CASES, ids=[c[0] for c in CASES])
def test_first_steps_equal_the_textbook_rule(name, make, reference):
    for steps in (1, 2, 5):
        got = run(make(), steps)
        want = reference(steps)
        for k in START:
            np.testing.assert_allclose(got[k], want[k], rtol=1e-12, atol=1e-15, err_msg=f"{name}, {steps} steps, {k}")


def test_first_step_by_hand():
    """Numbers worked out on paper for p = 1, g = 3 (p - 0) = 3."""
    def one(opt):
        params = {"x": np.array([1.0])}
        state = opt.init(params)
        opt.update(params, {"x": 3.0 * params["x"]}, state)
        g2 = 3.0 * params["x"]
        opt.update(params, {"x": g2}, state)
        return params["x"][0]
    # SGD lr 0.1: 1 - 0.3 = 0.7; then 0.7 - 0.1 * 2.1 = 0.49
    assert one(SGD(lr=0.1)) == pytest.approx(0.49, abs=1e-15)
    # momentum 0.5: 0.7; buf = 0.5 * 3 + 2.1 = 3.6 -> 0.7 - 0.36 = 0.34
    assert one(SGD(lr=0.1, momentum=0.5)) == pytest.approx(0.34, abs=1e-15)
    # Adam lr 0.1: step 1 moves by lr exactly (m_hat = g, v_hat = g^2): 1 -> 0.9.  Step 2, g = 2.7:
    # m = 0.9 * 0.3 + 0.1 * 2.7 = 0.54, v = 0.999 * 0.009 + 0.001 * 7.29 = 0.016281,
    # p = 0.9 - 0.1 * (0.54 / 0.19) / sqrt(0.016281 / 0.001999)
    assert one(Adam(lr=0.1, eps=1e-12)) == pytest.approx(0.9 - 0.1 * (0.54 / 0.19) / math.sqrt(0.016281 / 0.001999),
                                                         abs=1e-12)


def test_learning_rate_may_change_between_steps():
    lrs = [0.1, 0.05, 0.01, 0.01]
    got = run(Adam(), 4, lrs=lrs)
    want = ref_adam(4, None, 0.9, 0.999, 1e-8, lrs=lrs)
    for k in START:
        np.testing.assert_allclose(got[k], want[k], rtol=1e-12)


def test_float32_parameters_stay_float32():
    for opt in (SGD(lr=0.1, momentum=0.9), RMSprop(), Adam(amsgrad=True), AdamW()):
        params = {k: v.astype(np.float32) for k, v in START.items()}
        state = opt.init(params)
        for _ in range(2):
            opt.update(params, {k: g.astype(np.float32) for k, g in gradient(params).items()}, state)
        assert all(p.dtype == np.float32 for p in params.values())
        assert all(a.dtype == np.float32 for a in state.to_arrays().values())


# ---- row-sparse gradients ----------------------------------------------------------------------


def embedding_case(seed=0, rows=10, dim=3):
    rng = np.random.default_rng(seed)
    table = rng.standard_normal((rows, dim))
    grads = []
    for _ in range(4):
        idx = rng.integers(0, rows // 2, 7)  # rows >= rows // 2 are never used
        idx[:2] = idx[2]  # repeated rows accumulate
        grads.append(RowSparse(idx, rng.standard_normal((7, dim)), (rows, dim)))
    return table, grads


def run_sparse(opt, table, grads, dense: bool):
    params = {"embed.C": table.copy()}
    state = opt.init(params)
    for g in grads:
        opt.update(params, {"embed.C": g.to_dense() if dense else g}, state)
    return params["embed.C"], state


@pytest.mark.parametrize("make", [lambda: SGD(lr=0.1), lambda: SGD(lr=0.1, weight_decay=0.01),
                                  lambda: SGD(lr=0.1, momentum=0.9, nesterov=True), lambda: RMSprop(momentum=0.3),
                                  lambda: Adam(lr=0.01, weight_decay=0.01), lambda: AdamW(lr=0.01)])
def test_sparse_updates_equal_dense_updates(make):
    table, grads = embedding_case()
    sparse, _ = run_sparse(make(), table, grads, dense=False)
    dense, _ = run_sparse(make(), table, grads, dense=True)
    np.testing.assert_allclose(sparse, dense, rtol=1e-14, atol=1e-15)


def test_plain_sgd_sparse_update_is_exact_and_touches_used_rows_only():
    table, grads = embedding_case()
    sparse, _ = run_sparse(SGD(lr=0.1), table, grads, dense=False)
    dense, _ = run_sparse(SGD(lr=0.1), table, grads, dense=True)
    np.testing.assert_array_equal(sparse, dense)
    np.testing.assert_array_equal(sparse[5:], table[5:])


def test_lazy_adam_touches_only_used_rows():
    table, grads = embedding_case()
    new, state = run_sparse(Adam(lr=0.01, lazy=True), table, grads, dense=False)
    used = np.unique(np.concatenate([g.indices for g in grads]))
    unused = np.setdiff1d(np.arange(len(table)), used)
    assert len(unused) >= 5
    np.testing.assert_array_equal(new[unused], table[unused])
    assert not np.any(state.slots["m"]["embed.C"][unused]) and not np.any(state.slots["v"]["embed.C"][unused])
    assert np.all(new[used] != table[used])
    # dense Adam moves every row touched once, even after the batch left it
    dense, _ = run_sparse(Adam(lr=0.01), table, grads, dense=False)
    assert not np.allclose(dense[used], new[used])


def test_lazy_adam_rows_follow_adam_with_their_own_moments():
    """A row used in every step gets exactly Adam's update; a row used in steps 1 and 3 only
    gets Adam's rule applied at those steps (global step count t in the bias correction)."""
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    table = np.array([[1.0, -2.0], [0.5, 0.5], [3.0, 0.0]])
    g_rows = [np.array([[0.3, -0.1], [1.0, 2.0]]), np.array([[0.2, 0.4]]), np.array([[-0.5, 0.1], [0.1, 0.1]])]
    idx = [np.array([0, 1]), np.array([0]), np.array([1, 0])]
    opt, params = Adam(lr=lr, lazy=True), {"embed.C": table.copy()}
    state = opt.init(params)
    for i, g in zip(idx, g_rows):
        opt.update(params, {"embed.C": RowSparse(i, g, table.shape)}, state)

    def adam_row(p, grads_by_step):
        m = v = 0.0
        for t, g in grads_by_step:
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            p = p - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
        return p
    np.testing.assert_allclose(params["embed.C"][0], adam_row(table[0], [(1, g_rows[0][0]), (2, g_rows[1][0]),
                                                                          (3, g_rows[2][1])]), rtol=1e-12)
    np.testing.assert_allclose(params["embed.C"][1], adam_row(table[1], [(1, g_rows[0][1]), (3, g_rows[2][0])]),
                               rtol=1e-12)
    np.testing.assert_array_equal(params["embed.C"][2], table[2])


def test_lazy_adam_equals_adam_when_every_row_is_used():
    rng = np.random.default_rng(3)
    table = rng.standard_normal((4, 2))
    grads = [RowSparse(np.array([3, 0, 1, 2, 0]), rng.standard_normal((5, 2)), (4, 2)) for _ in range(3)]
    for cls in (Adam, AdamW):
        lazy, _ = run_sparse(cls(lr=0.01, lazy=True, amsgrad=True), table, grads, dense=False)
        dense, _ = run_sparse(cls(lr=0.01, amsgrad=True), table, grads, dense=True)
        np.testing.assert_allclose(lazy, dense, rtol=1e-14)


def test_lazy_adam_uses_dense_adam_for_dense_gradients():
    np.testing.assert_array_equal(run(Adam(lr=0.01, lazy=True), 3)["w.W"], run(Adam(lr=0.01), 3)["w.W"])


def ref_lazy_adamw(table, steps, wd, b1=0.9, b2=0.999, eps=1e-8):
    """Lazy AdamW written out row by row: every row decays by ``1 - lr_t * wd`` at every
    step t (dense AdamW's decay); the rows of step t's gradient then take Adam's step with
    their own moments (global t in the bias correction); other rows' moments stay."""
    p = table.copy()
    m, v = np.zeros_like(p), np.zeros_like(p)
    for t, (lr, g) in enumerate(steps, start=1):
        p = p * (1 - lr * wd)
        dense = g.to_dense()
        for r in np.unique(g.indices):
            m[r] = b1 * m[r] + (1 - b1) * dense[r]
            v[r] = b2 * v[r] + (1 - b2) * dense[r] ** 2
            p[r] = p[r] - lr / (1 - b1 ** t) * m[r] / (np.sqrt(v[r]) / np.sqrt(1 - b2 ** t) + eps)
    return p


def lazy_adamw_steps(seed=1, rows=12, dim=3, n=9):
    rng = np.random.default_rng(seed)
    table = rng.standard_normal((rows, dim))
    lrs = [0.05, 0.05, 0.02, 0.02, 0.02, 0.1, 0.01, 0.01, 0.03][:n]  # a schedule: the decay follows it
    steps = []
    for lr in lrs:
        idx = rng.integers(0, rows - 3, 6)  # the last 3 rows are never used
        steps.append((lr, RowSparse(idx, rng.standard_normal((6, dim)), (rows, dim))))
    return table, steps


def test_lazy_adamw_decays_every_row_as_dense_adamw_does():
    """Rows synced before each step (as the training step syncs a batch's rows before its
    forward pass) hold exactly the dense decay whenever read; after a full sync, unused rows
    equal ``table * prod(1 - lr_t wd)``.  Only the moments are lazy."""
    wd = 0.7
    table, steps = lazy_adamw_steps()
    opt = AdamW(weight_decay=wd, lazy=True)
    params = {"embed.C": table.copy()}
    state = opt.init(params)
    for k, (lr, g) in enumerate(steps):
        opt.sync(params, state, {"embed.C": g.indices})
        used = np.unique(g.indices)
        expected = ref_lazy_adamw(table, steps[:k], wd)
        np.testing.assert_allclose(params["embed.C"][used], expected[used], rtol=1e-12)  # what the forward reads
        opt.lr = lr
        opt.update(params, {"embed.C": g}, state)
    opt.sync(params, state)
    expected = ref_lazy_adamw(table, steps, wd)
    np.testing.assert_allclose(params["embed.C"], expected, rtol=1e-12)
    shrink = np.prod([1 - lr * wd for lr, _ in steps])
    np.testing.assert_allclose(params["embed.C"][-3:], table[-3:] * shrink, rtol=1e-12)
    opt.sync(params, state)  # a second sync changes nothing
    np.testing.assert_allclose(params["embed.C"], expected, rtol=1e-12)


def test_lazy_adamw_sync_is_harmless_and_resumes_exactly():
    """Syncing at any point (validation, checkpoints) does not change the result; the clocks
    are part of the saved state; a state saved before they existed loads and continues."""
    wd = 0.3
    table, steps = lazy_adamw_steps(seed=2)

    def train(sync_every=None, save_at=None):
        opt = AdamW(weight_decay=wd, lazy=True)
        params = {"embed.C": table.copy()}
        state = opt.init(params)
        for k, (lr, g) in enumerate(steps):
            if save_at == k:
                opt.sync(params, state)
                arrays, scalars = state.to_arrays(), state.scalars()
                assert {"opt/decay_clock/embed.C", "opt/decay_total/embed.C"} <= arrays.keys()
                opt = optimizer_from_config(opt.config())
                state = OptimizerState.from_arrays(arrays, scalars)
                params = {"embed.C": params["embed.C"].copy()}
            if sync_every and k % sync_every == 0:
                opt.sync(params, state)
            opt.sync(params, state, {"embed.C": g.indices})
            opt.lr = lr
            opt.update(params, {"embed.C": g}, state)
        opt.sync(params, state)
        return params["embed.C"]

    straight = train()
    np.testing.assert_allclose(train(sync_every=2), straight, rtol=1e-13)
    np.testing.assert_array_equal(train(save_at=4), train(save_at=4))
    np.testing.assert_allclose(train(save_at=4), straight, rtol=1e-13)
    # an older state (moments only, no clocks): continues, every row counted as up to date
    opt = AdamW(weight_decay=wd, lazy=True)
    state = OptimizerState(3, {"m": {"embed.C": np.zeros_like(table)}, "v": {"embed.C": np.zeros_like(table)}})
    params = {"embed.C": table.copy()}
    opt.update(params, {"embed.C": steps[0][1]}, state)
    opt.sync(params, state)
    np.testing.assert_allclose(params["embed.C"][-3:], table[-3:] * (1 - opt.lr * wd), rtol=1e-12)


def test_lazy_adamw_refuses_a_decay_that_flips_signs():
    opt = AdamW(lr=2.0, weight_decay=0.5, lazy=True)
    table, steps = lazy_adamw_steps()
    params = {"embed.C": table.copy()}
    with pytest.raises(ValueError, match="lr \\* weight_decay"):
        opt.update(params, {"embed.C": steps[0][1]}, opt.init(params))


def test_sync_is_a_no_op_without_lazy_decay():
    for opt in (SGD(lr=0.1), Adam(lr=0.01, lazy=True), AdamW(lr=0.01)):
        table, grads = embedding_case()
        params = {"embed.C": table.copy()}
        state = opt.init(params)
        opt.update(params, {"embed.C": grads[0]}, state)
        before = params["embed.C"].copy()
        opt.sync(params, state)
        opt.sync(params, state, {"embed.C": np.arange(5)})
        np.testing.assert_array_equal(params["embed.C"], before)


# ---- state: save, load, resume exactly -----------------------------------------------------------


@pytest.mark.parametrize("make", [lambda: SGD(lr=0.1, momentum=0.9), lambda: RMSprop(centered=True, momentum=0.1),
                                  lambda: Adam(lr=0.01, amsgrad=True), lambda: AdamW(lr=0.01, lazy=True)])
def test_state_saves_and_resumes_exactly(tmp_path, make):
    straight = run(make(), 5)

    opt = make()
    params = fresh()
    state = opt.init(params)
    for _ in range(3):
        opt.update(params, gradient(params), state)
    path = tmp_path / "ckpt.npz"
    save_npz(path, {**params, **state.to_arrays()}, {"optimizer": opt.config(), "state": state.scalars()})
    del opt, state, params

    arrays, meta = load_npz(path)
    opt = optimizer_from_config(meta["optimizer"])
    state = OptimizerState.from_arrays(arrays, meta["state"])
    params = {k: arrays[k] for k in START}
    assert state.step == 3
    for _ in range(2):
        opt.update(params, gradient(params), state)
    for k in START:
        np.testing.assert_array_equal(params[k], straight[k])


def test_config_round_trip():
    for opt in (SGD(lr=0.2, momentum=0.5, nesterov=True, weight_decay=1e-4, decay=["a"]), RMSprop(alpha=0.9),
                Adam(betas=(0.8, 0.9), lazy=True), AdamW(weight_decay=0.3)):
        again = optimizer_from_config(opt.config())
        assert type(again) is type(opt) and again.config() == opt.config()
    with pytest.raises(ValueError, match="unknown optimizer"):
        optimizer_from_config({"optimizer": "Adagrad"})


# ---- hot path: in place, no parameter-sized allocations -------------------------------------------


@pytest.mark.parametrize("make", [lambda: SGD(lr=0.1), lambda: SGD(lr=0.1, momentum=0.9, nesterov=True),
                                  lambda: RMSprop(centered=True), lambda: Adam(weight_decay=1e-3),
                                  lambda: AdamW(amsgrad=True)])
def test_updates_are_in_place_without_allocation(make):
    rng = np.random.default_rng(0)
    params = {"out.W": rng.standard_normal((200, 500)).astype(np.float32),
              "out.b": rng.standard_normal(500).astype(np.float32)}
    grads = {k: rng.standard_normal(v.shape).astype(np.float32) for k, v in params.items()}
    ids = {k: id(v) for k, v in params.items()}
    opt = make()
    state = opt.init(params)
    opt.update(params, grads, state)  # first step allocates the scratch buffers
    tracemalloc.start()
    try:
        opt.update(params, grads, state)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert {k: id(v) for k, v in params.items()} == ids
    assert peak < 0.05 * params["out.W"].nbytes, f"{peak} bytes allocated by one step"


# ---- errors and utilities ---------------------------------------------------------------------------


def test_bad_hyper_parameters_and_gradients():
    for make in (lambda: SGD(lr=-1), lambda: SGD(momentum=1.0), lambda: SGD(nesterov=True),
                 lambda: Adam(betas=(0.9, 1.0)), lambda: Adam(eps=0), lambda: RMSprop(alpha=1.5),
                 lambda: SGD(weight_decay=-1), lambda: SGD(decay="biases"), lambda: SGD(lr=float("nan"))):
        with pytest.raises(ValueError):
            make()
    opt, params = SGD(), fresh()
    state = opt.init(params)
    with pytest.raises(KeyError, match="unknown parameter 'nope'"):
        opt.update(params, {"nope": np.zeros(2)}, state)
    with pytest.raises(ValueError, match="shape"):
        opt.update(params, {"w.b": np.zeros(3)}, state)
    opt.update(params, {"w.b": None, "w.W": np.zeros((3, 2))}, state)  # None: frozen
    np.testing.assert_array_equal(params["w.b"], START["w.b"])


def test_clip_grad_norm():
    grads = {"a": np.array([3.0, 0.0]), "e": RowSparse(np.array([1, 1]), np.array([[2.0], [2.0]]), (3, 1)),
             "frozen": None}
    norm = optim.global_norm(grads)
    assert norm == pytest.approx(5.0)  # repeated row: dense gradient [0, 4, 0]
    assert clip_grad_norm(grads, 10.0) == pytest.approx(5.0)
    np.testing.assert_array_equal(grads["a"], [3.0, 0.0])
    assert clip_grad_norm(grads, 1.0) == pytest.approx(5.0)
    assert optim.global_norm(grads) == pytest.approx(1.0)
    np.testing.assert_allclose(grads["e"].to_dense()[:, 0], [0.0, 0.8, 0.0])
    assert math.isclose(grads["a"][0], 0.6)


# ---- Adam's grouped update on flat slot buffers (nn.flat_slots) -----------------------------


def per_parameter_update(opt, params, grads, state):
    """Adam's update one parameter at a time (the path before flat slot buffers)."""
    state.step += 1
    for name, g in grads.items():
        opt._update(name, params[name], g, state)


@pytest.mark.parametrize("make", [lambda: AdamW(lr=0.01, weight_decay=0.1),
                                  lambda: Adam(lr=0.02, weight_decay=0.05, amsgrad=True),
                                  lambda: AdamW(lr=0.01, weight_decay=0.1, lazy=True)],
                         ids=["adamw", "adam l2 amsgrad", "adamw lazy rows"])
@pytest.mark.parametrize("group_below", [1 << 17, 12])  # 12: the larger parameters are updated alone
def test_grouped_update_is_the_per_parameter_update_bit_for_bit(make, group_below, monkeypatch):
    monkeypatch.setattr(optim, "GROUP_BELOW", group_below)
    rng = np.random.default_rng(0)
    shapes = {"embed.C": (9, 3), "h.W": (4, 5), "h.b": (5,), "o.W": (5, 7), "o.b": (7,)}
    start = {k: rng.standard_normal(s).astype(np.float32) for k, s in shapes.items()}
    runs = []
    for grouped in (True, False):
        opt, params = make(), {k: v.copy() for k, v in start.items()}
        state = opt.init(params)
        draws = np.random.default_rng(1)
        for step in range(6):
            grads = {k: draws.standard_normal(s).astype(np.float32) for k, s in shapes.items() if k != "embed.C"}
            rows = draws.integers(0, 9, 5)
            grads["embed.C"] = RowSparse(rows, draws.standard_normal((5, 3)).astype(np.float32), shapes["embed.C"])
            opt.sync(params, state, {"embed.C": rows})
            (type(opt).update if grouped else per_parameter_update)(opt, params, grads, state)
            if step == 2:  # a checkpoint round trip: a loaded state is packed anew
                state = OptimizerState.from_arrays(state.to_arrays(), state.scalars())
        opt.sync(params, state)
        runs.append((params, state.to_arrays()))
    (p1, s1), (p2, s2) = runs
    for k in p1:
        np.testing.assert_array_equal(p1[k], p2[k])
    assert s1.keys() == s2.keys()
    for k in s1:
        np.testing.assert_array_equal(s1[k], s2[k])


def test_grouped_update_keeps_the_state_readable_and_skips_mixed_dtypes():
    params = {"a": np.ones((2, 3), np.float32), "b": np.ones(4, np.float32), "c": np.ones(3, np.float64)}
    opt = AdamW(lr=0.1, weight_decay=0.0)
    state = opt.init(params)
    grads = {"a": np.full((2, 3), 2.0, np.float32), "b": np.full(4, -1.0, np.float32), "c": np.full(3, 0.5)}
    for _ in range(2):
        opt.update(params, grads, state)
    for name, g in grads.items():  # state.slots hold each parameter's own moments, of its shape and dtype
        m = state.slots["m"][name]
        assert m.shape == params[name].shape and m.dtype == params[name].dtype
        np.testing.assert_allclose(m, (1 - 0.9 ** 2) * g, rtol=1e-6)
    assert params["c"].dtype == np.float64 and np.all(params["c"] < 1)
