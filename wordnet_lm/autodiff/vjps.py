"""Vector-Jacobian products of the primitives in :mod:`numpy_ops`, one line per argument.

A rule is ``rule(g, ans, *args, **kwargs)``.  Rules are written with the wrapped primitives so
that they can themselves be differentiated (grad of grad).
"""

from __future__ import annotations

import numpy as _np

from wordnet_lm.autodiff import numpy_ops as anp
from wordnet_lm.autodiff.core import defvjp


def unbroadcast(g, x):
    """Sum ``g`` over the axes along which ``x`` was broadcast, giving ``x``'s shape."""
    shape = _np.shape(x)
    gshape = _np.shape(g)
    if gshape == shape:
        return g
    extra = len(gshape) - len(shape)
    if extra:
        g = anp.sum(g, axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and _np.shape(g)[i] != 1)
    if axes:
        g = anp.sum(g, axis=axes, keepdims=True)
    return g


defvjp(anp.add, lambda g, ans, x, y: unbroadcast(g, x), lambda g, ans, x, y: unbroadcast(g, y))
defvjp(anp.subtract, lambda g, ans, x, y: unbroadcast(g, x), lambda g, ans, x, y: unbroadcast(-g, y))
defvjp(anp.multiply, lambda g, ans, x, y: unbroadcast(g * y, x), lambda g, ans, x, y: unbroadcast(g * x, y))
defvjp(anp.divide, lambda g, ans, x, y: unbroadcast(g / y, x), lambda g, ans, x, y: unbroadcast(-g * ans / y, y))
defvjp(anp.negative, lambda g, ans, x: -g)
defvjp(anp.exp, lambda g, ans, x: g * ans)
defvjp(anp.log, lambda g, ans, x: g / x)
defvjp(anp.tanh, lambda g, ans, x: g * (1.0 - ans * ans))


def _restore_reduced(g, x, axis, keepdims):
    """Broadcast the cotangent of a reduction back to ``x``'s shape."""
    shape = _np.shape(x)
    if not keepdims and axis is not None:
        axes = (axis,) if _np.ndim(axis) == 0 else tuple(axis)
        axes = tuple(a % len(shape) for a in axes)
        g = anp.reshape(g, tuple(1 if i in axes else n for i, n in enumerate(shape)))
    return anp.broadcast_to(g, shape)


def _reduced_count(x, axis):
    shape = _np.shape(x)
    if axis is None:
        return _np.prod(shape, dtype=int)
    axes = (axis,) if _np.ndim(axis) == 0 else tuple(axis)
    return _np.prod([shape[a] for a in axes], dtype=int)


defvjp(anp.sum, lambda g, ans, x, axis=None, keepdims=False, **kw: _restore_reduced(g, x, axis, keepdims))
defvjp(anp.mean, lambda g, ans, x, axis=None, keepdims=False, **kw:
       _restore_reduced(g, x, axis, keepdims) / _reduced_count(x, axis))
defvjp(anp.broadcast_to, lambda g, ans, x, shape: unbroadcast(g, x))
