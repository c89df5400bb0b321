"""Test helpers: central finite differences and independent NumPy references (float64)."""

from __future__ import annotations

from typing import Callable

import numpy as np


def numeric_grad(f: Callable[[np.ndarray], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences of scalar ``f`` at ``x`` (x is restored afterwards)."""
    x = np.asarray(x, dtype=np.float64)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        up = float(f(x))
        x[i] = old - eps
        down = float(f(x))
        x[i] = old
        g[i] = (up - down) / (2 * eps)
    return g


def numeric_grads(f: Callable[[dict], float], params: dict, eps: float = 1e-6) -> dict:
    """Central differences of ``f(params)`` for every array of a params dict."""
    out = {}
    for name, value in params.items():
        def f_one(v, name=name):
            return f({**params, name: v})
        out[name] = numeric_grad(f_one, np.array(value, dtype=np.float64), eps)
    return out


def rel_error(a: np.ndarray, b: np.ndarray) -> float:
    """``max|a - b| / max(|a|, |b|)`` (0 when both vanish)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    scale = max(np.abs(a).max(initial=0.0), np.abs(b).max(initial=0.0))
    return 0.0 if scale == 0 else float(np.abs(a - b).max() / scale)


def np_log_softmax(z: np.ndarray) -> np.ndarray:
    z = np.asarray(z, dtype=np.float64)
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
