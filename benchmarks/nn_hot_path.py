"""Micro-benchmark of the nn hot path on the Bengio NPLM shapes (V=17,130, m=60, h=100, n=4,
batch 512, float32) against the hand-written NumPy reference (../shared/bench/nplm_ref/np_nplm.py):

- optimizer step: ``nn.Adam.update`` (dense, and lazy with a row-sparse embedding gradient)
  vs the reference ``Adam.step``;
- output layer: forward + backward (dx, dW, db) of ``nn.linear_softmax_cross_entropy`` through
  the autodiff engine vs the reference's fused in-place NumPy code for the same layer;
- a whole training step (forward, backward, Adam) of the model written with ``nn`` layers and
  differentiated by the engine vs ``np_nplm.loss_and_grads`` + ``np_nplm.Adam``.  Context ids
  are drawn Zipf-like (as words are), the same batches for both.

Timings interleaved in one run (median of ROUNDS); prints a Markdown table of milliseconds and
ratios (reference time / ours: > 1 means we are faster).

    python benchmarks/nn_hot_path.py [--rounds 15]
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from wordnet_lm import nn  # noqa: E402
from wordnet_lm.autodiff import numpy as anp  # noqa: E402
from wordnet_lm.autodiff import value_and_grad  # noqa: E402
from wordnet_lm.autodiff.sparse import RowSparse  # noqa: E402

REF = Path(__file__).resolve().parents[2] / "shared" / "bench" / "nplm_ref"
V, M, H, N, B = 17130, 60, 100, 4, 512


def reference_module():
    sys.path.insert(0, str(REF))
    import np_nplm  # noqa: E402
    return np_nplm


def nplm_params(rng):
    return {"embed.C": rng.standard_normal((V, M)).astype(np.float32),
            "hidden.W": rng.uniform(-0.06, 0.06, (N * M, H)).astype(np.float32),
            "hidden.b": rng.uniform(-0.06, 0.06, H).astype(np.float32),
            "out.W": rng.uniform(-0.1, 0.1, (H, V)).astype(np.float32),
            "out.b": rng.uniform(-0.1, 0.1, V).astype(np.float32)}


def reference_output_layer(t, U, b, tgt, G):
    """The output-layer part of np_nplm.loss_and_grads (fused, in place), with dt."""
    r = np.arange(len(tgt))
    y = t @ U
    y += b
    mx = y.max(1, keepdims=True)
    y -= mx
    ytgt = y[r, tgt].copy()
    np.exp(y, out=y)
    s = y.sum(1, keepdims=True)
    loss = float(np.mean(np.log(s[:, 0]) - ytgt))
    y /= s * len(tgt)
    y[r, tgt] -= 1.0 / len(tgt)
    np.matmul(t.T, y, out=G["U"])
    np.sum(y, 0, out=G["b"])
    return loss, y @ U.T


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=15)
    args = ap.parse_args()
    ref = reference_module()
    rng = np.random.default_rng(0)

    P = nplm_params(rng)
    grads = {k: (rng.standard_normal(v.shape) * 1e-3).astype(np.float32) for k, v in P.items()}
    ids = rng.integers(0, V, B * N)
    sparse_grads = {**grads, "embed.C": RowSparse(ids, rng.standard_normal((B * N, M)).astype(np.float32), (V, M))}
    ref_P = {"C": P["embed.C"].copy(), "H": P["hidden.W"].copy(), "d": P["hidden.b"].copy(),
             "U": P["out.W"].copy(), "b": P["out.b"].copy()}
    ref_G = {"C": grads["embed.C"], "H": grads["hidden.W"], "d": grads["hidden.b"], "U": grads["out.W"],
             "b": grads["out.b"]}
    ref_sparse_C = np.zeros((V, M), np.float32)

    ref_adam = ref.Adam(ref_P)
    ours, lazy = nn.Adam(), nn.Adam(lazy=True)
    ours_P, lazy_P = {k: v.copy() for k, v in P.items()}, {k: v.copy() for k, v in P.items()}
    ours_state, lazy_state = ours.init(ours_P), lazy.init(lazy_P)

    def ref_adam_sparse():  # reference scatters the sparse gradient densely, then Adam
        ref.scatter_addat(ref_sparse_C, sparse_grads["embed.C"].indices, sparse_grads["embed.C"].values)
        ref_adam.step(ref_P, {**ref_G, "C": ref_sparse_C})

    t_in = np.tanh(rng.standard_normal((B, H))).astype(np.float32)
    tgt = rng.integers(0, V, B)
    ref_out_G = {"U": np.empty((H, V), np.float32), "b": np.empty(V, np.float32)}
    fused = value_and_grad(lambda t, U, b: nn.linear_softmax_cross_entropy(t, U, b, tgt), argnum=(0, 1, 2))

    # whole training step
    embed, hidden, out = nn.Embedding(V, M), nn.Linear(N * M, H, name="hidden"), nn.Linear(H, V, name="out")

    def nplm_loss(p, context, target):
        return out.softmax_cross_entropy(p, anp.tanh(hidden(p, embed(p, context))), target)

    step_grad = value_and_grad(nplm_loss, sparse_rows=True)
    zipf = np.minimum(rng.zipf(1.3, (64, B, N + 1)) - 1, V - 1)
    batches = [(z[:, :N], z[:, N]) for z in zipf]
    full_P, full_opt = {k: v.copy() for k, v in P.items()}, nn.Adam()
    full_state = full_opt.init(full_P)
    ref_full_P = {k: v.copy() for k, v in ref_P.items()}
    ref_full_G = {k: np.zeros_like(v) for k, v in ref_full_P.items()}
    ref_full_opt = ref.Adam(ref_full_P)
    counter = {"ours": 0, "ref": 0}

    def our_step():
        x, y = batches[counter["ours"] % len(batches)]
        counter["ours"] += 1
        _, g = step_grad(full_P, x, y)
        full_opt.update(full_P, g, full_state)

    def ref_step():
        x, y = batches[counter["ref"] % len(batches)]
        counter["ref"] += 1
        ref.loss_and_grads(ref_full_P, x, y, ref_full_G)
        ref_full_opt.step(ref_full_P, ref_full_G)

    cases = {
        "Adam step, dense gradients": (lambda: ref_adam.step(ref_P, ref_G),
                                       lambda: ours.update(ours_P, grads, ours_state)),
        "Adam step, embedding gradient row-sparse (ours: dense-exact)": (
            ref_adam_sparse, lambda: ours.update(ours_P, sparse_grads, ours_state)),
        "Adam step, embedding gradient row-sparse (ours: lazy)": (
            ref_adam_sparse, lambda: lazy.update(lazy_P, sparse_grads, lazy_state)),
        "output layer fwd+bwd (dx, dW, db)": (
            lambda: reference_output_layer(t_in, ref_P["U"], ref_P["b"], tgt, ref_out_G),
            lambda: fused(t_in, P["out.W"], P["out.b"])),
        "NPLM training step (fwd, bwd, Adam), batch 512": (ref_step, our_step),
    }
    times = {name: ([], []) for name in cases}
    for ref_fn, our_fn in cases.values():  # warm up (scratch buffers, caches)
        ref_fn(), our_fn()
    for _ in range(args.rounds):
        for name, (ref_fn, our_fn) in cases.items():
            for fn, bucket in ((ref_fn, times[name][0]), (our_fn, times[name][1])):
                t0 = time.perf_counter()
                fn()
                bucket.append(time.perf_counter() - t0)

    print(f"# nn hot path vs hand-written NumPy — {datetime.date.today()}, nproc {os.cpu_count()}, "
          f"numpy {np.__version__}, Python {platform.python_version()}, {args.rounds} rounds (median)\n")
    print("| operation | reference ms | ours ms | ratio ref/ours |")
    print("|---|---|---|---|")
    for name, (r, o) in times.items():
        r_ms, o_ms = 1000 * np.median(r), 1000 * np.median(o)
        print(f"| {name} | {r_ms:.2f} | {o_ms:.2f} | {r_ms / o_ms:.2f} |")
    step_ms = 1000 * np.median(times["NPLM training step (fwd, bwd, Adam), batch 512"][1])
    print(f"\nours: {B / step_ms * 1000:,.0f} tokens/s in the training step")


if __name__ == "__main__":
    main()
