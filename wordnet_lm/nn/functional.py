"""Activations, composite losses and dropout, on the autodiff engine.

Everything here is built from the engine's primitives and can be differentiated to any order.
The fused softmax cross-entropies, single primitives with a hand-written in-place backward,
are in :mod:`wordnet_lm.nn.fused_softmax`.

``reduction`` is ``"mean"`` (over the batch, the default), ``"sum"`` or ``"none"``
(one loss per example).
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

import numpy as np

from wordnet_lm.autodiff import numpy as anp

REDUCTIONS = ("mean", "sum", "none")

# ---------------------------------------------------------------------------- activations

ACTIVATIONS = ("identity", "tanh", "sigmoid", "relu", "softplus", "leaky_relu", "elu", "gelu")


def identity(x: Any) -> Any:
    """``x`` unchanged (a linear output layer)."""
    return x


def activation(name: str) -> Callable[[Any], Any]:
    """The activation function called ``name`` (one of :data:`ACTIVATIONS`), from the engine."""
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose from {', '.join(ACTIVATIONS)}")
    return identity if name == "identity" else getattr(anp, name)


def softmax(x: Any, axis: int = -1) -> Any:
    """``exp(x) / sum(exp(x))`` along ``axis``, computed stably (the engine's primitive)."""
    return anp.softmax(x, axis=axis)


def log_softmax(x: Any, axis: int = -1) -> Any:
    """``x - logsumexp(x)`` along ``axis`` (the engine's primitive)."""
    return anp.log_softmax(x, axis=axis)


# ---------------------------------------------------------------------------- helpers


def check_reduction(reduction: str) -> None:
    """Raise ``ValueError`` unless ``reduction`` is one of :data:`REDUCTIONS`."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")


def _reduce(losses: Any, reduction: str) -> Any:
    check_reduction(reduction)
    if reduction == "mean":
        return anp.mean(losses)
    if reduction == "sum":
        return anp.sum(losses)
    return losses


def check_targets(targets: Any, batch: int, classes: int) -> np.ndarray:
    """Integer class ids, one per row, each in ``[0, classes)``; raises ``ValueError`` otherwise."""
    targets = np.asarray(targets)
    if targets.shape != (batch,) or not np.issubdtype(targets.dtype, np.integer):
        raise ValueError(f"targets must be {batch} integer class ids, got {targets.dtype} array of shape {targets.shape}")
    if batch == 0:
        raise ValueError("empty batch: no targets")
    low, high = targets.min(), targets.max()
    if low < 0 or high >= classes:
        raise ValueError(f"target {low if low < 0 else high} out of range for {classes} classes")
    return targets


# ---------------------------------------------------------------------------- composite losses


def nll_loss(log_probs: Any, targets: Any, reduction: str = "mean") -> Any:
    """Negative log-likelihood of ``targets`` under ``log_probs`` of shape ``(B, C)``.

    ``nll_loss(log_softmax(logits), t)`` is the composable (any-order) twin of the fused
    :func:`softmax_cross_entropy`.
    """
    batch, classes = np.shape(log_probs)
    targets = check_targets(targets, batch, classes)
    picked = log_probs[np.arange(batch), targets]
    return _reduce(-picked, reduction)


def squared_error(predictions: Any, targets: Any, reduction: str = "mean") -> Any:
    """``(predictions - targets)^2`` per element; ``"mean"`` averages over all elements (as
    PyTorch's ``MSELoss``), ``"sum"`` adds them up, ``"none"`` keeps them."""
    diff = predictions - targets
    return _reduce(diff * diff, reduction)


def logistic_loss(logits: Any, labels: Any, reduction: str = "mean") -> Any:
    """Binary cross-entropy from logits, labels in ``{0, 1}`` (or probabilities in ``[0, 1]``).

    ``softplus(z) - y z`` = ``-y log sigmoid(z) - (1 - y) log(1 - sigmoid(z))``, stable for any
    ``z``; elementwise, then reduced over all elements.
    """
    return _reduce(anp.softplus(logits) - labels * logits, reduction)


def multiclass_hinge(scores: Any, targets: Any, margin: float = 1.0, reduction: str = "mean") -> Any:
    """Weston-Watkins multiclass hinge: ``sum_{j != y} max(0, margin + s_j - s_y)`` per row.

    (PyTorch's ``MultiMarginLoss`` is this divided by the number of classes.)
    """
    batch, classes = np.shape(scores)
    targets = check_targets(targets, batch, classes)
    correct = scores[np.arange(batch), targets]
    violations = anp.relu(scores - anp.reshape(correct, (batch, 1)) + margin)
    # The j = y term is max(0, margin) = margin, a constant: subtract it instead of masking.
    return _reduce(anp.sum(violations, axis=1) - max(margin, 0.0), reduction)


def l2_penalty(params: Mapping[str, Any], names: Iterable[str] | None = None) -> Any:
    """``0.5 * sum ||p||^2`` over ``names`` (default: every parameter with ``ndim >= 2``,
    i.e. weights and embeddings, not biases).  Add ``weight_decay * l2_penalty(params)`` to a
    loss for L2 weight decay; its gradient is ``weight_decay * p``."""
    if names is None:
        names = [k for k, v in params.items() if np.ndim(v) >= 2]
    total = 0.0
    for name in names:
        p = params[name]
        total = total + anp.sum(p * p)
    return 0.5 * total


# ---------------------------------------------------------------------------- dropout


DROPOUT_LEVELS = 1 << 16  # the keep test compares 16 random bits with a threshold


def dropout(x: Any, rate: float, rng: np.random.Generator | None, training: bool = True) -> Any:
    """Inverted dropout: zero each element with probability ``rate``, scale the rest by
    ``1 / (1 - rate)``; the identity when not ``training`` or ``rate == 0``.

    The masks come from 16 random bits per element (four per 64-bit draw of ``rng``'s bit
    generator: several times cheaper than a random float each), so ``rate`` is rounded to a
    multiple of 1/65,536 (0.25 exactly; 0.3 becomes 0.300003) and the kept elements are scaled
    by the reciprocal of the rounded keep rate: the expectation is exactly ``x``.
    """
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"dropout rate must be in [0, 1), got {rate}")
    if not training or rate == 0.0:
        return x
    return x * dropout_mask(np.shape(x), rate, rng, np.result_type(x))


def dropout_mask(shape: tuple[int, ...], rate: float, rng: np.random.Generator | None, dtype: Any) -> np.ndarray:
    """The scaled keep mask :func:`dropout` multiplies by (0 or ``1 / rounded keep rate``),
    drawn from ``rng`` as :func:`dropout` draws it; for fused layers that take the mask."""
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"dropout rate must be in [0, 1), got {rate}")
    if rng is None:
        raise ValueError("dropout in training mode needs a numpy Generator (rng=...)")
    dtype = np.dtype(dtype)
    threshold = min(round(rate * DROPOUT_LEVELS), DROPOUT_LEVELS - 1)
    size = int(np.prod(shape))
    bits = rng.bit_generator.random_raw(-(-size // 4)).view(np.uint16)[:size].reshape(shape)
    return np.multiply(bits >= threshold, dtype.type(DROPOUT_LEVELS / (DROPOUT_LEVELS - threshold)), dtype=dtype)
