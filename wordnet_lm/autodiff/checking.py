"""Derivatives checked against central finite differences in float64."""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from wordnet_lm.autodiff.api import jvp, vjp
from wordnet_lm.autodiff.pytree import ravel_pytree, tree_flatten, tree_map


def relative_error(a: Any, b: Any) -> float:
    """``|a - b| / (|a| + |b|)`` in the Euclidean norm (0 when both are 0, inf if either is not finite)."""
    a, b = np.ravel(a).astype(np.float64), np.ravel(b).astype(np.float64)
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return float("inf")
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / scale) if scale > 0 else 0.0


def _to_float64(tree: Any) -> Any:
    def convert(leaf: Any) -> Any:
        dtype = np.result_type(leaf)
        return np.array(leaf, dtype=np.float64) if dtype.kind == "f" else leaf
    return tree_map(convert, tree)


def _is_float_tree(tree: Any) -> bool:
    leaves = tree_flatten(tree)[0]
    return bool(leaves) and all(np.result_type(leaf).kind == "f" for leaf in leaves)


def check_grad(fun: Callable, *args: Any, argnums: Sequence[int] | None = None, eps: float = 1e-6,
               modes: Sequence[str] = ("rev", "fwd"), seed: int = 0) -> float:
    """Largest relative error between ``fun``'s derivatives and central finite differences.

    Float arguments are converted to float64.  Reverse mode (``"rev"``) compares the vector-
    Jacobian product with a random output cotangent against the finite-difference gradient of
    ``<cotangent, fun>``, entry by entry; forward mode (``"fwd"``) compares the Jacobian-vector
    product along a random direction with ``(fun(x + eps v) - fun(x - eps v)) / 2 eps``.

    Parameters
    ----------
    fun : callable of arrays returning an array (any shape)
    *args : its arguments (arrays, numbers or pytrees)
    argnums : the arguments to check; default every float argument
    eps : finite-difference step
    modes : any of "rev", "fwd"
    seed : seed of the random cotangent and tangent

    Returns
    -------
    float : ``max |a - b| / (|a| + |b|)`` over arguments and modes (norms over all entries)
    """
    rng = np.random.default_rng(seed)
    args = [_to_float64(a) for a in args]
    if argnums is None:
        argnums = [i for i, a in enumerate(args) if _is_float_tree(a)]
    out = np.asarray(fun(*args), dtype=np.float64)
    cotangent = rng.standard_normal(out.shape)
    errors = [0.0]
    for i in argnums:
        flat, unravel = ravel_pytree(args[i])

        def at(x: np.ndarray, i: int = i, unravel=unravel) -> np.ndarray:
            return np.asarray(fun(*args[:i], unravel(x), *args[i + 1:]), dtype=np.float64)

        if "rev" in modes:
            pullback = vjp(fun, *args, argnum=i)[1]
            analytic = ravel_pytree(pullback(cotangent))[0]
            numeric = np.empty(flat.size)
            for j in range(flat.size):
                step = np.zeros(flat.size)
                step[j] = eps
                numeric[j] = np.sum(cotangent * (at(flat + step) - at(flat - step))) / (2 * eps)
            errors.append(relative_error(analytic, numeric))
        if "fwd" in modes:
            direction = rng.standard_normal(flat.size)
            tangent = jvp(lambda x, i=i: fun(*args[:i], x, *args[i + 1:]), (args[i],), (unravel(direction),))[1]
            numeric = (at(flat + eps * direction) - at(flat - eps * direction)) / (2 * eps)
            errors.append(relative_error(tangent, numeric))
    return max(errors)
