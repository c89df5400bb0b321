"""Factorised softmax cross-entropy: the adaptive softmax and the class-factored softmax, fused.

Both are two-level softmaxes over a vocabulary whose ids are sorted by frequency.  A *head*
softmax covers a shortlist of frequent words (ids ``0 .. shortlist-1``) plus one token per
*cluster* of the remaining ids; a word ``w`` of cluster ``c`` has

    log p(w | x) = log softmax(x H + h)[shortlist + c] + log softmax(z_c W_c + b_c)[w - first_c]

with ``z_c = x P_c`` (a projection to fewer dimensions: the adaptive softmax of Grave et al.
2017) or ``z_c = x`` (the class-factored softmax of Goodman 2001 and Mikolov et al. 2011, with
an empty shortlist).  Probabilities are exactly normalised; a batch costs the head product
for every row and each cluster's product for the rows whose target falls in it only.

:func:`two_level_cross_entropy` is one primitive of :mod:`wordnet_lm.autodiff` with a
hand-written backward and forward rule, first order only, like the fused full softmax of
:mod:`wordnet_lm.nn.functional`.  The forward pass keeps each softmax unnormalised (the
exponentials and their row sums; rows are shifted by their maximum only when it is far from
0) and the backward pass turns each buffer into ``sum * (softmax - onehot)`` in place, the
division by the sum and the loss's scale going to the small operands of its products as row
factors: two passes over the B x classes buffers fewer than normalising them.
:func:`head_log_probs` and :func:`cluster_log_probs` score without targets (next words,
sampling) a level at a time, so a caller never needs a B x V matrix it does not use.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from functools import partial
from typing import Any, Sequence

import numpy as np

from wordnet_lm.autodiff import defjvp_argnum, defvjp_argnum, primitive_with_residual
from wordnet_lm.parallel import kernel_threads, run_tasks, split_range

REDUCTIONS = ("mean", "sum", "none")
# Row blocks of ~2 MB in float32 (Brown's head, 512 x 1,002, is one block): with three passes
# over the logits (maximum, exp, row sums) larger blocks beat L2-sized ones of 512 KB (fewer,
# larger products and NumPy calls: ~4% of the adaptive softmax's time on Brown, docs/nplm.md)
_BLOCK_ELEMENTS = 1 << 19
SHIFT_BEYOND = 30.0  # a row's logits are shifted by their maximum only when it lies beyond +-this
# a row's sum over its target's exponential above which the loss is log(sum) - logit: the sum is
# at least e^-SHIFT_BEYOND, so the target's exponential is then a normal float32 (> 1.2e-38)
_LARGEST_RATIO = 1e24


@dataclass(frozen=True)
class Cluster:
    """One tail cluster: word ids ``first .. stop-1``; its arrays are found among the tail
    arrays by index (``proj`` and ``bias`` may be -1: none), its columns of the weight and
    bias start at ``offset`` (clusters may share one weight matrix, each using a column range)."""

    first: int
    stop: int
    weight: int
    bias: int = -1
    proj: int = -1
    offset: int = 0

    @property
    def size(self) -> int:
        return self.stop - self.first

    def columns(self) -> slice:
        return slice(self.offset, self.offset + self.size)


@dataclass(frozen=True)
class Layout:
    """How a vocabulary is split: ``shortlist`` head words, then ``clusters`` tiling the rest."""

    shortlist: int
    clusters: tuple[Cluster, ...]

    @property
    def n_words(self) -> int:
        return self.clusters[-1].stop if self.clusters else self.shortlist

    @property
    def head_size(self) -> int:
        return self.shortlist + len(self.clusters)

    def starts(self) -> np.ndarray:
        return np.array([c.first for c in self.clusters], np.int64)

    def check(self) -> None:
        """``ValueError`` unless the clusters tile ``shortlist .. n_words`` in order."""
        edge = self.shortlist
        for c in self.clusters:
            if c.first != edge or c.stop <= c.first:
                raise ValueError(f"clusters must tile the ids after the shortlist in order, got {self.clusters}")
            edge = c.stop
        if self.head_size < 1:
            raise ValueError("a two-level softmax needs at least one head class")


# ---------------------------------------------------------------------------- numeric kernels


def _exp_block(block: np.ndarray, bias: np.ndarray | None, targets: np.ndarray, sums: np.ndarray) -> np.ndarray:
    """Turn the rows of ``block`` (+ ``bias``) into their exponentials in place, *unnormalised*,
    their sums into ``sums``; return ``-log softmax[target]`` per row.

    The softmax is ``block / sums`` row by row; the division is left to whoever reads it (the
    backward pass scales its small operands instead: one pass over the block fewer).  No row
    is shifted by its maximum unless that maximum lies beyond +-:data:`SHIFT_BEYOND`, which
    keeps every sum between ``e^-SHIFT_BEYOND`` and ``classes * e^SHIFT_BEYOND`` (well inside
    float32) at the cost of one reduction instead of a broadcast subtraction over the block."""
    if bias is not None:
        block += bias
    top = np.maximum.reduce(block, axis=1)
    if not np.maximum.reduce(np.abs(top)) <= SHIFT_BEYOND:  # the rare large or small rows (or NaN)
        far = np.abs(top) > SHIFT_BEYOND
        block[far] -= top[far, None]  # softmax is shift-invariant
    rows = _aranges(len(block))
    picked = block[rows, targets]
    np.exp(block, out=block)
    np.matmul(block, _ones(block.shape[1], block.dtype), out=sums)  # BLAS: ~3x faster than add.reduce
    return _target_losses(sums, block[rows, targets], picked)


def _target_losses(sums: np.ndarray, exps: np.ndarray, logits: np.ndarray) -> np.ndarray:
    """``-log softmax[target]`` from each row's sum, its target's exponential and logit:
    ``log(sum / exp)`` (exactly 0 when the target is the only class; within 2 ulp of the ratio),
    or ``log(sum) - logit`` in rows where the target's share is below 1 / :data:`_LARGEST_RATIO`."""
    if np.minimum.reduce(exps) > 0:
        ratio = sums / exps
        if np.maximum.reduce(ratio) < _LARGEST_RATIO:
            return np.log(ratio, out=ratio)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        ratio = sums / exps
        small = ~(ratio < _LARGEST_RATIO)
        ratio[small] = 1
        losses = np.log(ratio)
        losses[small] = np.log(sums[small]) - logits[small]
    return losses


_ARANGES: dict[int, np.ndarray] = {}
_ONES: dict[tuple[int, np.dtype], np.ndarray] = {}


def _ones(n: int, dtype: np.dtype) -> np.ndarray:
    """``np.ones(n, dtype)``, read only, made once per length and dtype (row sums as products)."""
    ones = _ONES.get((n, dtype))
    if ones is None:
        if len(_ONES) > 64:
            _ONES.clear()
        ones = _ONES[(n, dtype)] = np.ones(n, dtype)
        ones.flags.writeable = False
    return ones


def _aranges(n: int) -> np.ndarray:
    """``np.arange(n)``, read only, made once per length (row indices of fancy indexing)."""
    rows = _ARANGES.get(n)
    if rows is None:
        if len(_ARANGES) > 64:
            _ARANGES.clear()
        rows = _ARANGES[n] = np.arange(n)
        rows.flags.writeable = False
    return rows


def _row_blocks(batch: int, classes: int) -> list[tuple[int, int]]:
    """Cache-sized row blocks (fixed by the shape alone, so results never depend on threads)."""
    step = max(1, _BLOCK_ELEMENTS // max(classes, 1))
    return [(start, min(start + step, batch)) for start in range(0, batch, step)]


def _in_blocks(kernel: Any, batch: int, classes: int) -> None:
    """Run ``kernel(start, stop)`` on every row block, the blocks split over threads for large arrays."""
    blocks = _row_blocks(batch, classes)

    def run(first: int, last: int) -> None:
        for start, stop in blocks[first:last]:
            kernel(start, stop)

    parts = split_range(len(blocks), kernel_threads(batch * classes))
    run_tasks([partial(run, a, b) for a, b in parts], len(parts))


def _exp_rows_in_place(z: np.ndarray, bias: np.ndarray | None, targets: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_exp_block` on the rows of ``z``, row blocks at a time, blocks split over threads
    for large arrays; returns (``-log softmax[target]`` per row, the row sums)."""
    batch, classes = z.shape
    losses = np.empty(batch, z.dtype)
    sums = np.empty(batch, z.dtype)

    def kernel(start: int, stop: int) -> None:
        losses[start:stop] = _exp_block(z[start:stop], bias, targets[start:stop], sums[start:stop])

    _in_blocks(kernel, batch, classes)
    return losses, sums


def _linear_exp_in_place(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None, targets: np.ndarray,
                         out: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``out = exp(x W + b)`` (unnormalised, :func:`_exp_block`), a row block at a time: BLAS
    writes the block's logits and they are exponentiated while in cache (the tail clusters'
    thin products are made whole, then :func:`_exp_rows_in_place`).  Returns
    (``-log softmax[target]`` per row, the row sums)."""
    batch, classes = out.shape
    losses = np.empty(batch, out.dtype)
    sums = np.empty(batch, out.dtype)

    def kernel(start: int, stop: int) -> None:
        block = out[start:stop]
        np.matmul(x[start:stop], weight, out=block)
        losses[start:stop] = _exp_block(block, bias, targets[start:stop], sums[start:stop])

    _in_blocks(kernel, batch, classes)
    return losses, sums


def _log_softmax_rows(z: np.ndarray) -> np.ndarray:
    z -= z.max(axis=1, keepdims=True)
    z -= np.log(np.exp(z).sum(axis=1, keepdims=True))
    return z


def _cluster_inputs(x: np.ndarray, tail: Sequence[np.ndarray], cluster: Cluster) -> np.ndarray:
    return x @ tail[cluster.proj] if cluster.proj >= 0 else x


def _cluster_products(z: np.ndarray, tail: Sequence[np.ndarray], cluster: Cluster) -> np.ndarray:
    """The cluster's logits before its bias: ``z W`` (a new array)."""
    weight = tail[cluster.weight][:, cluster.columns()]
    # a projection to one dimension (the rarest words): an outer product, ~10x faster than BLAS with K = 1
    return z * weight[0] if weight.shape[0] == 1 else z @ weight


def _cluster_logits(z: np.ndarray, tail: Sequence[np.ndarray], cluster: Cluster) -> np.ndarray:
    logits = _cluster_products(z, tail, cluster)
    if cluster.bias >= 0:
        logits += tail[cluster.bias][cluster.columns()]
    return logits


def _with_bias_row(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``([x, 1], [W; b])``: their product is ``x W + b``, the bias added inside the product
    instead of by a pass over its result (worth the two copies when ``x`` has more rows than
    ``W``: :func:`_folds_bias`)."""
    augmented = np.empty((x.shape[0], x.shape[1] + 1), np.result_type(x, weight))
    augmented[:, :-1] = x
    augmented[:, -1] = 1
    return augmented, np.concatenate([weight, bias[None, :]])


def _folds_bias(rows: int, weight: np.ndarray) -> bool:
    """Whether a product of ``rows`` rows with ``weight`` should take its bias as an extra
    weight row (:func:`_with_bias_row`): copying ``weight`` must cost less than adding the bias
    to every row, and a one-row weight stays an outer product (:func:`_cluster_products`)."""
    return 1 < weight.shape[0] < rows - 1


def _with_ones(x: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """``[f * x, f]`` (B, H + 1) for row factors ``f`` (B,): one product with it gives a
    layer's weight and bias gradients together (one pass over the B x classes buffer, not two)."""
    out = np.empty((x.shape[0], x.shape[1] + 1), np.result_type(x, factors))
    np.multiply(x, factors[:, None], out=out[:, :-1])
    out[:, -1] = factors
    return out


def head_targets(targets: np.ndarray, layout: Layout) -> tuple[np.ndarray, np.ndarray]:
    """``(head class of each target, cluster of each target or -1 for a shortlist word)``."""
    cluster = np.full(len(targets), -1, np.int64)
    in_tail = targets >= layout.shortlist
    cluster[in_tail] = np.searchsorted(layout.starts(), targets[in_tail], side="right") - 1
    head = np.where(in_tail, layout.shortlist + cluster, targets)
    return head, cluster


def group_rows(cluster: np.ndarray, n_clusters: int) -> list[np.ndarray]:
    """The row indices of each cluster (ascending), from each row's cluster id (-1: none)."""
    order = np.argsort(cluster, kind="stable")
    bounds = np.searchsorted(cluster[order], np.arange(-1, n_clusters + 1))
    return [order[bounds[c + 1]:bounds[c + 2]] for c in range(n_clusters)]


# ---------------------------------------------------------------------------- the primitive


class _Part:
    """What the backward pass needs of one cluster: its rows, inputs, unnormalised softmax
    (``exps / sums`` is the softmax, :func:`_exp_block`) and local targets."""

    __slots__ = ("index", "rows", "z", "exps", "sums", "local")

    def __init__(self, index: int, rows: np.ndarray, z: np.ndarray, exps: np.ndarray, sums: np.ndarray,
                 local: np.ndarray) -> None:
        self.index, self.rows, self.z, self.exps, self.sums, self.local = index, rows, z, exps, sums, local


class _Residual:
    """The forward pass's unnormalised softmaxes and their row sums; turned into every
    gradient once per backward pass."""

    __slots__ = ("head_exps", "head_sums", "head_targets", "parts", "reduction", "_cotangent", "_grads",
                 "__weakref__")

    def __init__(self, head_exps: np.ndarray, head_sums: np.ndarray, head_targets: np.ndarray, parts: list[_Part],
                 reduction: str) -> None:
        self.head_exps, self.head_sums, self.head_targets = head_exps, head_sums, head_targets
        self.parts, self.reduction = parts, reduction
        self._cotangent: Any = None
        self._grads: dict[int, Any] | None = None

    def grad(self, argnum: int, g: Any, args: tuple, layout: Layout) -> Any:
        """The cotangent of argument ``argnum``; all of them are made in place at the first
        request of a backward pass and handed out once each.  ``None`` when this residual is
        spent (another cotangent, or the same argument asked twice): the caller recomputes."""
        if self._grads is None:
            if self._cotangent is not None:
                return None
            self._cotangent = g
            self._grads = _all_grads(self, g, args, layout)
        elif g is not self._cotangent or argnum not in self._grads:
            return None
        return self._grads.pop(argnum)

    def loss_tangent(self, head_tangent: np.ndarray, cluster_tangents: dict[int, np.ndarray]) -> Any:
        """Forward mode: ``sum_j p_j t_j - t_target`` per row at both levels, then reduced."""
        per_row = _expected_minus_target(self.head_exps, self.head_sums, head_tangent, self.head_targets)
        for part in self.parts:
            t = cluster_tangents.get(part.index)
            if t is not None:
                per_row[part.rows] += _expected_minus_target(part.exps, part.sums, t, part.local)
        return _reduce(per_row, self.reduction)


def _expected_minus_target(exps: np.ndarray, sums: np.ndarray, tangent: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """``sum_j p_j (t_j - t_target)`` per row, ``p = exps / sums`` (exactly 0 for one class)."""
    picked = tangent[np.arange(len(targets)), targets]
    return np.einsum("ij,ij->i", exps, tangent - picked[:, None]) / sums


def _reduce(losses: np.ndarray, reduction: str) -> Any:
    return losses if reduction == "none" else (losses.mean() if reduction == "mean" else losses.sum())


# A fresh B x head buffer costs its page faults at every step; the last one whose residual
# died is kept for the next call of the same shape (as the full softmax's logits buffer).
_spare_heads: list[np.ndarray] = []


def _head_buffer(shape: tuple[int, int], dtype: np.dtype) -> np.ndarray:
    while _spare_heads:
        buffer = _spare_heads.pop()
        if buffer.shape == shape and buffer.dtype == dtype:
            return buffer
    return np.empty(shape, dtype)


def _keep_spare(buffer: np.ndarray) -> None:
    _spare_heads[:] = [buffer]


def _forward(targets, x, head_W, head_b, *tail, layout: Layout, reduction: str = "mean"):
    head_t, cluster = head_targets(targets, layout)
    head_exps = _head_buffer((len(x), layout.head_size), np.result_type(x, head_W))
    if _folds_bias(len(x), head_W):
        losses, head_sums = _linear_exp_in_place(*_with_bias_row(x, head_W, head_b), None, head_t, head_exps)
    else:
        losses, head_sums = _linear_exp_in_place(x, head_W, head_b, head_t, head_exps)
    parts = []
    for index, rows in enumerate(group_rows(cluster, len(layout.clusters))):
        if len(rows) == 0:
            continue
        c = layout.clusters[index]
        z = _cluster_inputs(x[rows], tail, c)
        local = targets[rows] - c.first
        bias = tail[c.bias][c.columns()] if c.bias >= 0 else None
        if bias is not None and _folds_bias(len(rows), tail[c.weight]):
            exps = np.matmul(*_with_bias_row(z, tail[c.weight][:, c.columns()], bias))
            bias = None
        else:
            exps = _cluster_products(z, tail, c)  # the bias is added block by block
        part_losses, sums = _exp_rows_in_place(exps, bias, local)
        losses[rows] += part_losses
        parts.append(_Part(index, rows, z, exps, sums, local))
    residual = _Residual(head_exps, head_sums, head_t, parts, reduction)
    weakref.finalize(residual, _keep_spare, head_exps)
    return _reduce(losses, reduction), residual


_two_level_p = primitive_with_residual(_forward, "two_level_cross_entropy")


def _row_weights(g: Any, batch: int, reduction: str, dtype: np.dtype) -> np.ndarray:
    """The cotangent of each row's loss: one scalar (mean, sum) or a (B,) vector (none)."""
    return np.asarray(g, dtype=dtype) / (batch if reduction == "mean" else 1)


def _dlogits(exps: np.ndarray, sums: np.ndarray, targets: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Turn ``exps`` into ``sums * (softmax - onehot)`` in place (B touched elements); return
    the row factors ``weights / sums`` that make it the logits' cotangent, left to the small
    operands of the products: no pass over the B x classes buffer."""
    exps[_aranges(len(targets)), targets] -= sums
    return weights / sums


def _all_grads(res: _Residual, g: Any, args: tuple, layout: Layout) -> dict[int, Any]:
    """Every argument's cotangent (argnums as in the primitive: 1 x, 2 head W, 3 head b, 4+ tail).
    No B x V-sized pass is spent on the normalisation or the loss's scale: both go to the
    small operands of the products as row factors."""
    _, x, head_W, _, *tail = args
    d_head = res.head_exps
    weights = _row_weights(g, len(d_head), res.reduction, d_head.dtype)
    factors = _dlogits(d_head, res.head_sums, res.head_targets, weights)
    gx = d_head @ head_W.T
    gx *= factors[:, None]
    head_grads = _with_ones(x, factors).T @ d_head
    grads: dict[int, Any] = {2: head_grads[:-1], 3: head_grads[-1]}

    def add(k: int, cols: slice, value: np.ndarray) -> None:
        """``grad of tail[k][..., cols] += value`` (a fresh array: kept as it is when it is the
        whole gradient, no zero-filled array added to)."""
        whole = tail[k].shape[-1] == value.shape[-1]
        if 4 + k not in grads and whole:
            grads[4 + k] = value
            return
        if 4 + k not in grads:
            grads[4 + k] = np.zeros_like(tail[k])
        grads[4 + k][..., cols] += value

    for part in res.parts:
        c = layout.clusters[part.index]
        d = part.exps
        part_factors = _dlogits(d, part.sums, part.local, weights if weights.ndim == 0 else weights[part.rows])
        cols = c.columns()
        if c.bias >= 0:  # the weight's and the bias's gradients from one product
            both = _with_ones(part.z, part_factors).T @ d
            add(c.weight, cols, both[:-1])
            add(c.bias, cols, both[-1])
        else:
            add(c.weight, cols, (part.z * part_factors[:, None]).T @ d)
        dz = d @ tail[c.weight][:, cols].T
        dz *= part_factors[:, None]
        if c.proj >= 0:
            add(c.proj, slice(None), x[part.rows].T @ dz)
            dz = dz @ tail[c.proj].T
        gx[part.rows] += dz
    for k, array in enumerate(tail):
        if 4 + k not in grads:  # a cluster without targets in this batch
            grads[4 + k] = np.zeros_like(array)
    grads[1] = gx
    return grads


def _vjp(argnum, g, res, targets, x, head_W, head_b, *tail, layout: Layout, reduction: str = "mean"):
    if argnum == 0:
        raise TypeError("the targets of a cross-entropy are class ids, not differentiable")
    args = (targets, x, head_W, head_b, *tail)
    grad = res.grad(argnum, g, args, layout)
    if grad is None:  # the buffers went to an earlier backward pass: recompute
        grad = _forward(*args, layout=layout, reduction=reduction)[1].grad(argnum, g, args, layout)
    return grad


def _jvp(argnum, t, res, targets, x, head_W, head_b, *tail, layout: Layout, reduction: str = "mean"):
    if argnum == 0:
        raise TypeError("the targets of a cross-entropy are class ids, not differentiable")
    head_shape = res.head_exps.shape
    if argnum == 1:
        head_tangent = t @ head_W
    elif argnum == 2:
        head_tangent = x @ t
    elif argnum == 3:
        head_tangent = np.broadcast_to(t, head_shape)
    else:
        head_tangent = np.zeros(head_shape, res.head_exps.dtype)
    k = argnum - 4
    cluster_tangents = {}
    for part in res.parts:
        c = layout.clusters[part.index]
        cols = c.columns()
        if argnum == 1:
            dz = t[part.rows] @ tail[c.proj] if c.proj >= 0 else t[part.rows]
            cluster_tangents[part.index] = dz @ tail[c.weight][:, cols]
        elif k >= 0 and k == c.proj:
            cluster_tangents[part.index] = (x[part.rows] @ t) @ tail[c.weight][:, cols]
        elif k >= 0 and k == c.weight:
            cluster_tangents[part.index] = part.z @ t[:, cols]
        elif k >= 0 and k == c.bias:
            cluster_tangents[part.index] = np.broadcast_to(t[cols], part.exps.shape)
    return res.loss_tangent(head_tangent, cluster_tangents)


defvjp_argnum(_two_level_p, _vjp)
defjvp_argnum(_two_level_p, _jvp)


def _check(x: Any, head_W: Any, head_b: Any, tail: Sequence[Any], targets: Any, layout: Layout,
           reduction: str) -> np.ndarray:
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")
    layout.check()
    if np.ndim(x) != 2 or np.shape(head_W) != (np.shape(x)[1], layout.head_size):
        raise ValueError(f"head weights {np.shape(head_W)} do not fit inputs {np.shape(x)} and "
                         f"{layout.head_size} head classes")
    if np.shape(head_b) != (layout.head_size,):
        raise ValueError(f"head bias must have shape ({layout.head_size},), got {np.shape(head_b)}")
    features = np.shape(x)[1]
    for c in layout.clusters:
        width = features
        if c.proj >= 0:
            if np.ndim(tail[c.proj]) != 2 or np.shape(tail[c.proj])[0] != features:
                raise ValueError(f"projection {c.proj} has shape {np.shape(tail[c.proj])}, expected ({features}, d)")
            width = np.shape(tail[c.proj])[1]
        shape = np.shape(tail[c.weight])
        if len(shape) != 2 or shape[0] != width or shape[1] < c.offset + c.size:
            raise ValueError(f"cluster weight {c.weight} has shape {shape}, expected ({width}, >= {c.offset + c.size})")
        if c.bias >= 0 and (np.ndim(tail[c.bias]) != 1 or np.shape(tail[c.bias])[0] < c.offset + c.size):
            raise ValueError(f"cluster bias {c.bias} has shape {np.shape(tail[c.bias])}")
    targets = np.asarray(targets)
    batch = np.shape(x)[0]
    if targets.shape != (batch,) or not np.issubdtype(targets.dtype, np.integer):
        raise ValueError(f"targets must be {batch} integer word ids, "
                         f"got {targets.dtype} array of shape {targets.shape}")
    if batch == 0:
        raise ValueError("empty batch: no targets")
    if targets.min() < 0 or targets.max() >= layout.n_words:
        raise ValueError(f"target out of range for {layout.n_words} words")
    return targets


def two_level_cross_entropy(x: Any, head_W: Any, head_b: Any, tail: Sequence[Any], targets: Any,
                            layout: Layout, reduction: str = "mean") -> Any:
    """Cross-entropy of word ids ``targets`` under a two-level softmax of inputs ``x`` (B, H).

    Parameters
    ----------
    x : array (B, H)
    head_W, head_b : the head layer, (H, shortlist + clusters) and (shortlist + clusters,)
    tail : the clusters' arrays (projections, weights, biases), indexed by ``layout``
    targets : int array (B,), word ids in ``[0, layout.n_words)``
    layout : :class:`Layout`
    reduction : "mean" (default), "sum" or "none"

    Returns
    -------
    The loss (natural log); per example for ``"none"``.  Differentiable in ``x``, the head and
    every tail array (first order, reverse or forward mode).
    """
    targets = _check(x, head_W, head_b, tail, targets, layout, reduction)
    return _two_level_p(targets, x, head_W, head_b, *tail, layout=layout, reduction=reduction)


# ---------------------------------------------------------------------------- scoring without targets


def head_log_probs(x: np.ndarray, head_W: np.ndarray, head_b: np.ndarray) -> np.ndarray:
    """``log softmax(x H + h)`` (B, shortlist + clusters), float64: the shortlist words'
    log-probabilities, then each cluster's."""
    return _log_softmax_rows((x @ head_W + head_b).astype(np.float64))


def cluster_log_probs(x: np.ndarray, tail: Sequence[np.ndarray], layout: Layout, index: int) -> np.ndarray:
    """``log p(w | cluster, x)`` (B, cluster size), float64, for the words of cluster ``index``."""
    c = layout.clusters[index]
    return _log_softmax_rows(_cluster_logits(_cluster_inputs(x, tail, c), tail, c).astype(np.float64))


def two_level_log_probs(x: np.ndarray, head_W: np.ndarray, head_b: np.ndarray, tail: Sequence[np.ndarray],
                        layout: Layout) -> np.ndarray:
    """Every word's ``log p(w | x)`` (B, n_words), float64: for callers that need them all."""
    head = head_log_probs(x, head_W, head_b)
    out = np.empty((len(x), layout.n_words), np.float64)
    out[:, :layout.shortlist] = head[:, :layout.shortlist]
    for index, c in enumerate(layout.clusters):
        out[:, c.first:c.stop] = cluster_log_probs(x, tail, layout, index) + head[:, layout.shortlist + index, None]
    return out
