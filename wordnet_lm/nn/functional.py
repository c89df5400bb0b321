"""Activations, losses, dropout and the fused softmax cross-entropy, on the autodiff engine.

Everything here is differentiable by :mod:`wordnet_lm.autodiff`.  The composite losses are
built from the engine's primitives and can be differentiated to any order; the two fused
losses (:func:`softmax_cross_entropy`, :func:`linear_softmax_cross_entropy`) are single
primitives with a hand-written, in-place backward: first order only, and the fast path for
large output vocabularies.

``reduction`` is ``"mean"`` (over the batch, the default), ``"sum"`` or ``"none"``
(one loss per example).
"""

from __future__ import annotations

import weakref
from functools import partial
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from wordnet_lm.autodiff.extend import defjvp, defjvp_argnum, defvjp, defvjp_argnum, primitive_with_residual
from wordnet_lm.autodiff import numpy as anp
from wordnet_lm.parallel import kernel_threads, run_tasks, split_range

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


def _check_reduction(reduction: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")


def _reduce(losses: Any, reduction: str) -> Any:
    _check_reduction(reduction)
    if reduction == "mean":
        return anp.mean(losses)
    if reduction == "sum":
        return anp.sum(losses)
    return losses


def _check_targets(targets: Any, batch: int, classes: int) -> np.ndarray:
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
    targets = _check_targets(targets, batch, classes)
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
    targets = _check_targets(targets, batch, classes)
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


def dropout(x: Any, rate: float, rng: np.random.Generator | None, training: bool = True) -> Any:
    """Inverted dropout: zero each element with probability ``rate``, scale the rest by
    ``1 / (1 - rate)``; the identity when not ``training`` or ``rate == 0``."""
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"dropout rate must be in [0, 1), got {rate}")
    if not training or rate == 0.0:
        return x
    if rng is None:
        raise ValueError("dropout in training mode needs a numpy Generator (rng=...)")
    dtype = np.result_type(x)
    keep = rng.random(np.shape(x), dtype=np.float64 if dtype == np.float64 else np.float32) >= rate
    mask = keep.astype(dtype) * dtype.type(1.0 / (1.0 - rate))
    return x * mask


# ---------------------------------------------------------------------------- fused cross-entropy
# Forward: one B x V buffer is turned into the softmax block of rows by block of rows (bias,
# max-shift, exp, row sum, normalise while the block is in cache: one memory pass instead of
# six; large batches split their rows over threads).  The probabilities are the residual; the
# backward turns that same buffer into (softmax - onehot) in place and leaves the reduction's
# scalar weight to the small operands of the VJPs (x, the bias gradient), so nothing of size
# B x V is allocated or re-scaled.

_BLOCK_ELEMENTS = 1 << 17  # a row block of about 512 KB in float32: stays in L2


class _Softmax:
    """Residual of a fused cross-entropy: ``softmax(logits)`` (B x V), in a buffer it owns."""

    __slots__ = ("probs", "targets", "reduction", "_cotangent", "_served", "_scale", "__weakref__")

    def __init__(self, probs: np.ndarray, targets: np.ndarray, reduction: str) -> None:
        self.probs, self.targets, self.reduction = probs, targets, reduction
        self._cotangent, self._served, self._scale = None, None, None

    def dlogits(self, g: Any, argnum: int) -> tuple[np.ndarray, Any] | None:
        """``(D, scale)`` with ``d loss / d logits = scale * D`` for cotangent ``g``; ``D`` is made
        in place in the softmax buffer once and shared by the VJPs of one backward pass (each
        asks once, by ``argnum``).  ``None`` once the buffer is spent: another cotangent or pass."""
        if self._served is not None:
            if g is not self._cotangent or argnum in self._served:
                return None
            self._served.add(argnum)
            return self.probs, self._scale
        probs, batch = self.probs, self.probs.shape[0]
        rows = np.arange(batch)
        weights = np.asarray(g, dtype=probs.dtype) / (batch if self.reduction == "mean" else 1)
        if weights.ndim == 0:  # mean or sum: one weight for every row, applied by the caller
            probs[rows, self.targets] -= 1
            scale = probs.dtype.type(weights)
        else:  # per-example cotangents ("none"): weight the rows here
            probs *= weights[:, None]
            probs[rows, self.targets] -= weights
            scale = probs.dtype.type(1)
        self._cotangent, self._served, self._scale = g, {argnum}, scale
        return probs, scale

    def loss_tangent(self, logits_tangent: np.ndarray) -> np.ndarray:
        """Forward mode: the loss's tangent for a tangent of the logits,
        ``sum_j softmax_ij t_ij - t_i,target`` per row, then reduced."""
        rows = np.arange(len(self.targets))
        per_row = np.einsum("ij,ij->i", self.probs, logits_tangent) - logits_tangent[rows, self.targets]
        return per_row if self.reduction == "none" else (per_row.mean() if self.reduction == "mean" else per_row.sum())


def _cross_entropy_in(out: np.ndarray, logits: np.ndarray, bias: np.ndarray | None, targets: np.ndarray,
                      reduction: str):
    """Write ``softmax(logits + bias)`` into ``out`` (may be ``logits`` itself) block by block,
    rows split over threads for large batches; return ``(loss, residual)``."""
    batch, classes = logits.shape
    picked = np.empty(batch, out.dtype)
    sums = np.empty(batch, out.dtype)
    parts = split_range(batch, kernel_threads(batch * classes))
    run_tasks([partial(_softmax_rows, out, logits, bias, targets, picked, sums, start, stop)
               for start, stop in parts], len(parts))
    losses = np.log(sums) - picked
    loss = losses if reduction == "none" else (losses.mean() if reduction == "mean" else losses.sum())
    return loss, _Softmax(out, targets, reduction)


def _softmax_rows(out: np.ndarray, logits: np.ndarray, bias: np.ndarray | None, targets: np.ndarray,
                  picked: np.ndarray, sums: np.ndarray, first: int, last: int) -> None:
    """Rows ``first..last-1`` of :func:`_cross_entropy_in`, a cache-sized block at a time:
    the target's shifted logit into ``picked``, the row sums of exp into ``sums``."""
    step = max(1, _BLOCK_ELEMENTS // max(logits.shape[1], 1))
    for start in range(first, last, step):
        stop = min(start + step, last)
        block = out[start:stop]
        if bias is not None:
            np.add(logits[start:stop], bias, out=block)
            block -= block.max(axis=1, keepdims=True)
        else:
            source = logits[start:stop]
            np.subtract(source, source.max(axis=1, keepdims=True), out=block)
        picked[start:stop] = block[np.arange(stop - start), targets[start:stop]]
        np.exp(block, out=block)
        block.sum(axis=1, out=sums[start:stop])
        block *= (1 / sums[start:stop])[:, None]


def _softmax_cross_entropy(logits: np.ndarray, targets: np.ndarray, reduction: str = "mean"):
    return _cross_entropy_in(np.empty_like(logits), logits, None, targets, reduction)


_softmax_cross_entropy_p = primitive_with_residual(_softmax_cross_entropy, "softmax_cross_entropy")


def _xent_logits_vjp(g, res, logits, targets, reduction="mean"):
    served = res.dlogits(g, 0)
    if served is None:  # the buffer went to an earlier backward pass: recompute
        served = _softmax_cross_entropy(logits, targets, reduction)[1].dlogits(g, 0)
    d, scale = served
    if scale != 1:
        d *= scale  # the buffer is this VJP's alone
    return d


defvjp(_softmax_cross_entropy_p, _xent_logits_vjp)
defjvp(_softmax_cross_entropy_p, lambda t, res, logits, targets, reduction="mean": res.loss_tangent(t))


def softmax_cross_entropy(logits: Any, targets: Any, reduction: str = "mean") -> Any:
    """Cross-entropy of integer ``targets`` (B,) under ``softmax(logits)`` (B, C), fused.

    Numerically stable (max-shift), one B x C buffer in the forward pass, and an in-place
    backward (``(softmax - onehot) / B`` for ``"mean"``).  Equal to
    ``nll_loss(log_softmax(logits), targets)`` but first-order only (reverse or forward mode).

    Parameters
    ----------
    logits : array (B, C), float
    targets : int array (B,), values in ``[0, C)``
    reduction : "mean" (default), "sum" or "none"

    Returns
    -------
    The mean (or summed) loss, or the (B,) per-example losses for ``"none"``.
    """
    _check_reduction(reduction)
    shape = np.shape(logits)
    if len(shape) != 2:
        raise ValueError(f"logits must be 2-D (batch, classes), got shape {shape}")
    targets = _check_targets(targets, *shape)
    return _softmax_cross_entropy_p(logits, targets, reduction=reduction)


def _linear_softmax_cross_entropy(targets, b, x, W, *more, reduction="mean", logits=None):
    logits = np.matmul(x, W, out=logits)
    for x2, W2 in zip(more[0::2], more[1::2]):
        logits += x2 @ W2
    return _cross_entropy_in(logits, logits, b, targets, reduction)


# A B x V logits buffer costs its page faults (several ms) each time it is freshly allocated.
# The last one whose residual died (its backward pass done, or never traced) is kept here for
# the next call of the same shape: the caching allocator of other frameworks, for one buffer.
_spare_logits: list[np.ndarray] = []


def _logits_buffer(shape: tuple[int, int], dtype: np.dtype) -> np.ndarray:
    while _spare_logits:
        buffer = _spare_logits.pop()
        if buffer.shape == shape and buffer.dtype == dtype:
            return buffer
    return np.empty(shape, dtype)


def _keep_spare(buffer: np.ndarray) -> None:
    _spare_logits[:] = [buffer]


def _linear_xent_forward(targets, b, x, W, *more, reduction="mean"):
    buffer = _logits_buffer((np.shape(x)[0], np.shape(W)[1]), np.result_type(x, W, *more))
    loss, residual = _linear_softmax_cross_entropy(targets, b, x, W, *more, reduction=reduction, logits=buffer)
    weakref.finalize(residual, _keep_spare, buffer)
    return loss, residual


_linear_xent_p = primitive_with_residual(_linear_xent_forward, "linear_softmax_cross_entropy")


def _linear_xent_dlogits(argnum, g, res, targets, b, *xws, reduction="mean"):
    served = res.dlogits(g, argnum)
    if served is None:  # the buffer went to an earlier backward pass: recompute
        served = _linear_softmax_cross_entropy(targets, b, *xws, reduction=reduction)[1].dlogits(g, argnum)
    return served


def _linear_xent_vjp(argnum, g, res, targets, b, *xws, reduction="mean"):
    """VJP for argument ``argnum``: 1 the bias, even >= 2 an input x, odd >= 3 a weight W."""
    if argnum == 0:
        raise TypeError("the targets of a cross-entropy are class ids, not differentiable")
    d, scale = _linear_xent_dlogits(argnum, g, res, targets, b, *xws, reduction=reduction)
    if argnum == 1:
        return (np.ones(len(d), d.dtype) @ d) * scale  # a BLAS product: faster than d.sum(axis=0)
    if argnum % 2 == 0:
        return (d @ xws[argnum - 1].T) * scale
    return (xws[argnum - 3].T * scale) @ d  # scale the small operand, not the H x C product


def _linear_xent_jvp(argnum, t, res, targets, b, *xws, reduction="mean"):
    if argnum == 0:
        raise TypeError("the targets of a cross-entropy are class ids, not differentiable")
    if argnum == 1:
        logits_tangent = np.broadcast_to(t, res.probs.shape)
    elif argnum % 2 == 0:
        logits_tangent = t @ xws[argnum - 1]
    else:
        logits_tangent = xws[argnum - 3] @ t
    return res.loss_tangent(logits_tangent)


defvjp_argnum(_linear_xent_p, _linear_xent_vjp)
defjvp_argnum(_linear_xent_p, _linear_xent_jvp)


def linear_softmax_cross_entropy(x: Any, W: Any, b: Any, targets: Any, reduction: str = "mean",
                                 extra: Sequence[tuple[Any, Any]] = ()) -> Any:
    """A dense output layer fused with :func:`softmax_cross_entropy`: the loss of
    ``logits = x @ W + b (+ x2 @ W2 + ...)`` without a separate logits array.

    The logits are made in one B x C buffer, which then holds the softmax (bias, shift, exp and
    normalisation done block by block while each block is in cache) and finally, in place,
    ``d loss / d logits`` for the backward pass: less memory traffic than a hand-written NumPy
    output layer.  First-order only (reverse or forward mode).

    Parameters
    ----------
    x : array (B, H); W : array (H, C); b : array (C,) or None
    targets : int array (B,), values in ``[0, C)``
    reduction : "mean" (default), "sum" or "none"
    extra : more ``(x2, W2)`` pairs whose products are added to the logits (e.g. the direct
        connections of a Bengio language model).

    Returns
    -------
    The loss, as :func:`softmax_cross_entropy`.
    """
    _check_reduction(reduction)
    extra = list(extra)
    batch, classes = np.shape(x)[0], np.shape(W)[-1]
    for xi, Wi in [(x, W), *extra]:
        if np.ndim(xi) != 2 or np.ndim(Wi) != 2 or np.shape(xi)[1] != np.shape(Wi)[0] \
                or np.shape(xi)[0] != batch or np.shape(Wi)[1] != classes:
            raise ValueError(f"shapes {np.shape(xi)} @ {np.shape(Wi)} do not make ({batch}, {classes}) logits")
    if b is not None and np.shape(b) != (classes,):
        raise ValueError(f"bias must have shape ({classes},), got {np.shape(b)}")
    targets = _check_targets(targets, batch, classes)
    flat = [a for pair in extra for a in pair]
    return _linear_xent_p(targets, b, x, W, *flat, reduction=reduction)
