"""Linear interpolation of two language models' predictions, its weight fitted by EM."""

from __future__ import annotations

import numpy as np
from scipy.special import expit


def mix_logprobs(logp_a: np.ndarray, logp_b: np.ndarray, weight: float) -> np.ndarray:
    """``log(weight * p_a + (1 - weight) * p_b)`` per prediction, from natural-log inputs."""
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"mixture weight must be in [0, 1], got {weight}")
    a, b = np.asarray(logp_a, np.float64), np.asarray(logp_b, np.float64)
    if a.shape != b.shape:
        raise ValueError(f"the two models scored different predictions ({a.shape} vs {b.shape})")
    with np.errstate(divide="ignore"):
        return np.logaddexp(a + np.log(weight), b + np.log1p(-weight))


def fit_mixture_weight(logp_a: np.ndarray, logp_b: np.ndarray, tol: float = 1e-9, max_iter: int = 500) -> float:
    """The weight ``w`` of model a that maximises the mean ``log(w p_a + (1 - w) p_b)``.

    Expectation-maximisation (each step raises the likelihood; the objective is concave in
    ``w``): ``w <- mean(w p_a / (w p_a + (1 - w) p_b))``.

    Parameters
    ----------
    logp_a, logp_b : arrays of natural-log probabilities of the same predictions (validation).

    Returns
    -------
    float in [0, 1]
    """
    a, b = np.asarray(logp_a, np.float64), np.asarray(logp_b, np.float64)
    if a.shape != b.shape or a.size == 0:
        raise ValueError(f"need the same non-empty predictions from both models ({a.shape} vs {b.shape})")
    diff = a - b
    w = 0.5
    for _ in range(max_iter):
        new = float(np.mean(expit(diff + np.log(w) - np.log1p(-w))))
        new = min(max(new, 1e-12), 1.0 - 1e-12)
        if abs(new - w) < tol:
            return new
        w = new
    return w
