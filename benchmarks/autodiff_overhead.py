"""Autodiff engine speed beside HIPS autograd and PyTorch CPU, measured side by side.

Workloads (forward + backward, interleaved rounds, median per call):
  (a) chain: 200 small elementwise ops (100 x ``tanh`` then ``* 1.01``) on a 10-element float64
      array, then a sum: per-primitive overhead.  Targets: <= 0.5x autograd, <= 2x PyTorch.
  (b) mlp: one SGD step of a 2-layer MLP (512 -> 512 tanh -> 512 softmax cross-entropy), batch
      512, float32: BLAS-bound.  Target: <= 1.15x PyTorch.
  (c) scatter: the row-sparse embedding gradient, 2,048 lookups into a 17,130 x 60 float32 table
      (the NPLM's shape): ``np.add.at`` against the sort + CSR product RowSparse uses.

Run: ``python benchmarks/autodiff_overhead.py [--rounds 15]`` from the repository root.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from wordnet_lm.autodiff import RowSparse, value_and_grad  # noqa: E402
from wordnet_lm.autodiff import numpy as anp  # noqa: E402

NPROC = os.cpu_count() or 1


# ---------------------------------------------------------------------------- (a) chain


def chain_ours(x: np.ndarray) -> Callable[[], object]:
    def f(x):
        for _ in range(100):
            x = anp.tanh(x) * 1.01
        return anp.sum(x)
    vg = value_and_grad(f)
    return lambda: vg(x)


def chain_autograd(x: np.ndarray) -> Callable[[], object]:
    import autograd
    import autograd.numpy as agnp

    def f(x):
        for _ in range(100):
            x = agnp.tanh(x) * 1.01
        return agnp.sum(x)
    vg = autograd.value_and_grad(f)
    return lambda: vg(x)


def chain_torch(x: np.ndarray) -> Callable[[], object]:
    import torch

    def step():
        t = torch.tensor(x, requires_grad=True)
        y = t
        for _ in range(100):
            y = torch.tanh(y) * 1.01
        y.sum().backward()
        return t.grad
    return step


# ---------------------------------------------------------------------------- (b) MLP step


def mlp_data(batch: int = 512, width: int = 512, seed: int = 0):
    r = np.random.default_rng(seed)
    k = 1 / np.sqrt(width)
    params = {"W1": r.uniform(-k, k, (width, width)), "b1": np.zeros(width),
              "W2": r.uniform(-k, k, (width, width)), "b2": np.zeros(width)}
    params = {name: p.astype(np.float32) for name, p in params.items()}
    x = r.standard_normal((batch, width)).astype(np.float32)
    y = r.integers(0, width, batch)
    return params, x, y


LR = 0.01


def mlp_numpy_step(namespace, value_and_grad, log_softmax, params, x, y) -> Callable[[], object]:
    """One SGD step of the MLP written against a NumPy-like ``namespace`` (ours or autograd's)."""
    params = {k: v.copy() for k, v in params.items()}
    rows = np.arange(len(y))

    def loss(p):
        h = namespace.tanh(x @ p["W1"] + p["b1"])
        return -namespace.mean(log_softmax(h @ p["W2"] + p["b2"])[rows, y])
    loss_and_grads = value_and_grad(loss)

    def step():
        value, grads = loss_and_grads(params)
        for k, g in grads.items():
            g *= LR
            params[k] -= g
        return value
    return step


def mlp_ours(params, x, y) -> Callable[[], object]:
    return mlp_numpy_step(anp, value_and_grad, lambda z: anp.log_softmax(z, axis=1), params, x, y)


def mlp_autograd(params, x, y) -> Callable[[], object]:
    import autograd
    import autograd.numpy as agnp
    from autograd.scipy.special import logsumexp
    return mlp_numpy_step(agnp, autograd.value_and_grad, lambda z: z - logsumexp(z, axis=1, keepdims=True),
                          params, x, y)


def mlp_torch(params, x, y) -> Callable[[], object]:
    import torch
    import torch.nn.functional as F
    tp = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    tx, ty = torch.tensor(x), torch.tensor(y)

    def step():
        h = torch.tanh(tx @ tp["W1"] + tp["b1"])
        loss = F.cross_entropy(h @ tp["W2"] + tp["b2"], ty)
        loss.backward()
        with torch.no_grad():
            for p in tp.values():
                p -= LR * p.grad
                p.grad = None
        return loss
    return step


# ---------------------------------------------------------------------------- (c) scatter


def scatter_cases(seed: int = 0):
    """Context-word ids as in the Brown NPLM (Zipf-like), 2,048 lookups, 60-d float32 rows."""
    r = np.random.default_rng(seed)
    V, m, n = 17130, 60, 2048
    ids = np.minimum(r.zipf(1.3, n) - 1, V - 1)
    values = r.standard_normal((n, m)).astype(np.float32)
    table = np.zeros((V, m), np.float32)
    sparse = RowSparse(ids, values, (V, m))

    def add_at_into():
        np.add.at(table, ids, values)

    def add_at_dense():
        dense = np.zeros((V, m), np.float32)
        np.add.at(dense, ids, values)
        return dense

    def rowsparse_into():
        RowSparse(ids, values, (V, m)).add_to(table)

    return {
        "add_to: np.add.at": add_at_into,
        "add_to: RowSparse (sort+CSR)": rowsparse_into,
        "to_dense: zeros + np.add.at": add_at_dense,
        "to_dense: RowSparse (CSR)": sparse.to_dense,
        "coalesce: RowSparse": lambda: RowSparse(ids, values, (V, m)).coalesce(),
    }


# ---------------------------------------------------------------------------- timing


def interleaved(cases: dict[str, Callable[[], object]], rounds: int, calls: int) -> dict[str, float]:
    """Median seconds per call; each round runs every case ``calls`` times, in turn."""
    for fn in cases.values():  # warm up
        fn()
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(rounds):
        for name, fn in cases.items():
            start = time.perf_counter()
            for _ in range(calls):
                fn()
            times[name].append((time.perf_counter() - start) / calls)
    return {name: statistics.median(ts) for name, ts in times.items()}


def print_table(title: str, medians: dict[str, float], unit: str, scale: float, baselines: list[str],
                per: float = 1.0) -> None:
    print(f"\n### {title}\n")
    header = f"| implementation | median {unit} | " + " | ".join(f"ratio to {b}" for b in baselines) + " |"
    print(header)
    print("|" + "---|" * (2 + len(baselines)))
    for name, t in medians.items():
        ratios = " | ".join(f"{t / medians[b]:.2f}" for b in baselines)
        print(f"| {name} | {t * scale / per:.2f} | {ratios} |")


def versions() -> str:
    parts = [f"python {platform.python_version()}", f"numpy {np.__version__}"]
    for mod in ("scipy", "autograd", "torch"):
        try:
            parts.append(f"{mod} {importlib.metadata.version(mod)}")
        except Exception:  # noqa: BLE001  (a peer may be missing or broken)
            parts.append(f"{mod} missing")
    try:
        import threadpoolctl
        blas = [f"{i['internal_api']} {i['version']} ({i['num_threads']} threads)"
                for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]
        parts.append("BLAS " + ", ".join(blas))
    except ImportError:
        pass
    return ", ".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds (default 15)")
    parser.add_argument("--only", choices=["chain", "mlp", "scatter"], help="run one workload")
    args = parser.parse_args(argv)
    import torch
    torch.set_num_threads(NPROC)

    print(f"# autodiff overhead benchmark, {datetime.datetime.now():%Y-%m-%d %H:%M}")
    print(f"nproc {NPROC}, torch threads {torch.get_num_threads()}; {versions()}; load {os.getloadavg()[0]:.2f}")
    if args.only in (None, "chain"):
        x = np.random.default_rng(0).random(10)
        medians = interleaved({"wordnet_lm.autodiff": chain_ours(x), "autograd": chain_autograd(x),
                               "torch": chain_torch(x)}, args.rounds, calls=20)
        print_table("(a) chain of 200 elementwise ops on 10 float64, forward + backward",
                    medians, "us per op", 1e6, ["autograd", "torch"], per=200)
        print("\ntargets: <= 0.50 x autograd, <= 2.00 x torch")
    if args.only in (None, "mlp"):
        data = mlp_data()
        medians = interleaved({"wordnet_lm.autodiff": mlp_ours(*data), "autograd": mlp_autograd(*data),
                               "torch": mlp_torch(*data)}, args.rounds, calls=3)
        print_table("(b) 2-layer MLP SGD step, batch 512, width 512, float32", medians, "ms per step", 1e3,
                    ["torch", "autograd"])
        print("\ntarget: <= 1.15 x torch")
    if args.only in (None, "scatter"):
        medians = interleaved(scatter_cases(), args.rounds, calls=10)
        print_table("(c) embedding gradient, 2,048 lookups into 17,130 x 60 float32", medians, "ms", 1e3,
                    ["add_to: np.add.at"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
