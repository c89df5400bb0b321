"""Linear interpolation of language models' predictions, the weights fitted by EM."""

from __future__ import annotations

from typing import Sequence

import numpy as np
from scipy.special import expit, logsumexp


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


def mix_many(logps: Sequence[np.ndarray], weights: Sequence[float]) -> np.ndarray:
    """``log sum_m weights[m] p_m`` per prediction, from natural-log inputs (``-inf`` allowed
    where a component gives probability 0, e.g. a cache)."""
    weights = np.asarray(weights, np.float64)
    stacked = np.stack([np.asarray(lp, np.float64) for lp in logps])
    if len(weights) != len(stacked) or np.any(weights < -1e-12) or not np.isclose(weights.sum(), 1.0):
        raise ValueError(f"need one non-negative weight per model, summing to 1, got {weights}")
    weights = np.clip(weights, 0.0, None)
    with np.errstate(divide="ignore"):
        return logsumexp(stacked + np.log(weights)[:, None], axis=0)


def fit_mixture_weights(logps: Sequence[np.ndarray], tol: float = 1e-9, max_iter: int = 2000) -> np.ndarray:
    """The weights of models ``logps`` (natural-log probabilities of the same predictions)
    that maximise the mean ``log sum_m w_m p_m``, by EM: ``w_m <- mean_t posterior_tm``.

    Each step raises the likelihood (the objective is concave in ``w``), and a model with
    probability 0 on some predictions (``-inf``) is fine as long as another is positive.
    """
    stacked = np.stack([np.asarray(lp, np.float64) for lp in logps])
    if stacked.ndim != 2 or stacked.shape[1] == 0:
        raise ValueError(f"need the same non-empty predictions from every model, got shape {stacked.shape}")
    if np.any(np.isneginf(stacked).all(axis=0)):
        raise ValueError("some prediction has probability 0 under every model")
    w = np.full(len(stacked), 1.0 / len(stacked))
    for _ in range(max_iter):
        with np.errstate(divide="ignore"):
            joint = stacked + np.log(w)[:, None]
        posterior = np.exp(joint - logsumexp(joint, axis=0))
        new = posterior.mean(axis=1)
        if np.abs(new - w).max() < tol:
            return new
        w = new
    return w
