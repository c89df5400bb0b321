"""The fused softmax cross-entropies: the fast path for large output vocabularies.

:func:`softmax_cross_entropy` and :func:`linear_softmax_cross_entropy` (the output layer and
the loss in one) are single primitives of the engine with a hand-written, in-place backward:
first order only.  ``reduction`` is ``"mean"`` (over the batch, the default), ``"sum"`` or
``"none"`` (one loss per example).
"""

from __future__ import annotations

import weakref
from functools import partial
from typing import Any, Sequence

import numpy as np

from wordnet_lm.autodiff.extend import defjvp, defjvp_argnum, defvjp, defvjp_argnum, primitive_with_residual
from wordnet_lm.nn.functional import check_reduction, check_targets
from wordnet_lm.parallel import kernel_threads, run_tasks, split_range

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
    check_reduction(reduction)
    shape = np.shape(logits)
    if len(shape) != 2:
        raise ValueError(f"logits must be 2-D (batch, classes), got shape {shape}")
    targets = check_targets(targets, *shape)
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
    check_reduction(reduction)
    extra = list(extra)
    batch, classes = np.shape(x)[0], np.shape(W)[-1]
    for xi, Wi in [(x, W), *extra]:
        if np.ndim(xi) != 2 or np.ndim(Wi) != 2 or np.shape(xi)[1] != np.shape(Wi)[0] \
                or np.shape(xi)[0] != batch or np.shape(Wi)[1] != classes:
            raise ValueError(f"shapes {np.shape(xi)} @ {np.shape(Wi)} do not make ({batch}, {classes}) logits")
    if b is not None and np.shape(b) != (classes,):
        raise ValueError(f"bias must have shape ({classes},), got {np.shape(b)}")
    targets = check_targets(targets, batch, classes)
    flat = [a for pair in extra for a in pair]
    return _linear_xent_p(targets, b, x, W, *flat, reduction=reduction)
