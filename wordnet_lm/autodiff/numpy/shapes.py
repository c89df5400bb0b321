"""Shape helpers of the derivative rules: broadcasting undone, reductions restored, extrema weighted.

Written with the wrapped primitives (so rules that use them stay differentiable) and shared by
:mod:`.vjps` and :mod:`.jvps`; also part of the surface for new primitives (:mod:`wordnet_lm.autodiff.extend`).
"""

from __future__ import annotations

import numpy as _np

from wordnet_lm.autodiff.numpy import wrapper as anp
from wordnet_lm.autodiff.tracer import getvalue


def shape_of(x) -> tuple:
    """The shape of an array, box or number."""
    try:
        return x.shape
    except AttributeError:
        return _np.shape(x)


def dtype_of(x) -> _np.dtype:
    return _np.result_type(getvalue(x))


def unbroadcast(g, x):
    """Sum ``g`` over the axes along which ``x`` was broadcast, giving ``x``'s shape."""
    shape = shape_of(x)
    gshape = shape_of(g)
    if gshape == shape:
        return g
    extra = len(gshape) - len(shape)
    axes = tuple(range(extra)) + tuple(extra + i for i, n in enumerate(shape) if n == 1 and gshape[extra + i] != 1)
    g = anp.sum(g, axis=axes)
    return anp.reshape(g, shape) if shape_of(g) != shape else g


def reduced_axes(ndim: int, axis) -> tuple[int, ...]:
    """``axis`` of a reduction (None, an int or a tuple) as a tuple of non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    if _np.ndim(axis) == 0:
        return (int(axis) % ndim,)
    return tuple(int(a) % ndim for a in axis)


def keepdims_shape(shape: tuple, axis) -> tuple:
    axes = reduced_axes(len(shape), axis)
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def restore_reduced(g, x, axis, keepdims):
    """Broadcast the cotangent of a reduction of ``x`` back to ``x``'s shape."""
    shape = shape_of(x)
    if not keepdims and axis is not None:
        g = anp.reshape(g, keepdims_shape(shape, axis))
    return anp.broadcast_to(g, shape)


def reduced_count(x, axis) -> int:
    shape = shape_of(x)
    return int(_np.prod([shape[a] for a in reduced_axes(len(shape), axis)], dtype=_np.int64))


def extremum_weights(x, ans, axis, keepdims, dtype):
    """1/k at the k positions of ``x`` equal to the reduced extremum ``ans``, else 0."""
    xv = getvalue(x)
    hit = xv == _np.reshape(getvalue(ans), keepdims_shape(xv.shape, axis))
    weights = hit.astype(dtype)
    weights /= hit.sum(axis=axis, keepdims=True)
    return weights
