"""Curvature of a loss from Hessian-vector products: its largest Hessian eigenvalue (the
*sharpness*) and the learning-rate bound it sets for gradient descent.

Gradient descent with step ``lr`` on a quadratic with Hessian ``H`` is stable only if
``lr < 2 / lambda_max(H)``; near a minimum the same bound holds for the local quadratic model,
so training can check its learning rate before it diverges.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from wordnet_lm.autodiff.api import hessian_vector_product
from wordnet_lm.autodiff.pytree import ravel_pytree
from wordnet_lm.errors import TrainingError


@dataclass(frozen=True)
class Sharpness:
    """The largest Hessian eigenvalue of a loss at given parameters.

    Attributes
    ----------
    eigenvalue : float, ``lambda_max``
    iterations : int, Hessian-vector products spent by power iteration
    converged : bool, whether successive estimates agreed within the tolerance
    """

    eigenvalue: float
    iterations: int
    converged: bool

    @property
    def lr_bound(self) -> float:
        """``2 / lambda_max``: gradient descent with a larger step diverges (inf if ``lambda_max <= 0``)."""
        return 2.0 / self.eigenvalue if self.eigenvalue > 0 else math.inf

    def allows(self, lr: float) -> bool:
        """Whether gradient descent with step ``lr`` is below the stability bound."""
        return lr < self.lr_bound

    def check(self, lr: float) -> None:
        """Raise :class:`TrainingError` if ``lr`` is at or above the stability bound."""
        if not self.allows(lr):
            raise TrainingError(f"learning rate {lr:g} is at or above the gradient-descent stability bound "
                                f"2/lambda_max = {self.lr_bound:.4g} (lambda_max = {self.eigenvalue:.4g}): "
                                "training would diverge; lower it")


def _power_iteration(matvec: Callable[[np.ndarray], np.ndarray], v: np.ndarray, iters: int,
                     tol: float) -> tuple[float, int, bool]:
    """Dominant eigenvalue of a symmetric operator (Rayleigh quotient of the iterates)."""
    v = v / np.linalg.norm(v)
    estimate = None
    for k in range(1, iters + 1):
        w = matvec(v)
        new = float(v @ w)
        norm = np.linalg.norm(w)
        if norm == 0.0:
            return 0.0, k, True
        v = w / norm
        if estimate is not None and abs(new - estimate) <= tol * abs(new):
            return new, k, True
        estimate = new
    return float(estimate), iters, False


def top_hessian_eigenvalue(fun: Callable, *args: Any, argnum: int = 0, iters: int = 100,
                           tol: float = 1e-4, seed: int = 0, **kwargs: Any) -> Sharpness:
    """Largest eigenvalue of the Hessian of scalar ``fun`` with respect to ``args[argnum]``.

    Power iteration on Hessian-vector products (forward over reverse), the argument may be a
    pytree of parameters.  If the eigenvalue of largest magnitude is negative, a second power
    iteration on ``H - lambda I`` finds the largest (most positive) one.

    Parameters
    ----------
    fun : the loss, ``fun(*args, **kwargs) -> scalar``
    argnum : the argument holding the parameters
    iters : at most this many Hessian-vector products per power iteration
    tol : stop when successive estimates agree to this relative tolerance
    seed : seed of the random start vector

    Returns
    -------
    Sharpness with ``eigenvalue``, ``lr_bound = 2 / eigenvalue``, ``iterations``, ``converged``
    """
    hvp = hessian_vector_product(fun, argnum)
    flat, unravel = ravel_pytree(args[argnum])

    def matvec(v: np.ndarray) -> np.ndarray:
        return ravel_pytree(hvp(*args, unravel(v), **kwargs))[0].astype(np.float64)

    start = np.random.default_rng(seed).standard_normal(flat.size)
    eigenvalue, used, converged = _power_iteration(matvec, start, iters, tol)
    if eigenvalue < 0:
        shift = eigenvalue
        top, more, converged = _power_iteration(lambda v: matvec(v) - shift * v, start, iters, tol)
        eigenvalue, used = top + shift, used + more
    return Sharpness(eigenvalue, used, converged)

