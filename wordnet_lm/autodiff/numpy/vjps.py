"""Vector-Jacobian products of the primitives in :mod:`.wrapper`, one rule per argument.

A rule is ``rule(g, ans, *args, **kwargs)`` and returns the cotangent of its argument, of
that argument's shape and of the cotangent's dtype (a float32 graph stays float32).  Rules are
written with the wrapped primitives, so they can themselves be differentiated (higher order);
on plain arrays those primitives cost one check more than NumPy.
"""

from __future__ import annotations

import math

import numpy as _np

from wordnet_lm.autodiff.numpy import wrapper as anp
from wordnet_lm.autodiff.core import DifferentiationError, defvjp, defvjp_argnum
from wordnet_lm.autodiff.sparse import RowSparse
from wordnet_lm.autodiff.numpy.shapes import (dtype_of, extremum_weights, keepdims_shape, reduced_count,
                                               restore_reduced, shape_of, unbroadcast)
from wordnet_lm.autodiff.tracer import Box, getvalue

# ---------------------------------------------------------------------------- rule helpers

def balanced_weights(x, y, g, x_wins):
    """Weight of ``x`` in ``maximum(x, y)`` (``x_wins`` = ``np.greater``) or ``minimum``: 1 where
    it wins, 1/2 on ties, 0 elsewhere."""
    xv, yv = getvalue(x), getvalue(y)
    w = x_wins(xv, yv) + 0.5 * (xv == yv)
    return w.astype(dtype_of(g), copy=False)


def row_index(index):
    """``index`` as an integer array if ``x[index]`` is a lookup of rows along axis 0, else None."""
    if isinstance(index, list):
        index = _np.asarray(index)
    if type(index) is _np.ndarray and index.dtype.kind in "iu":
        return index
    return None


def indexing_vjp(g, x, index):
    """Cotangent of ``x`` for ``x[index]``: row-sparse for a row lookup at first order."""
    if type(g) is not Box:
        rows = row_index(index)
        if rows is not None:
            return RowSparse(rows, g, shape_of(x))
    return anp.scatter_add(g, index, shape_of(x))


# ---------------------------------------------------------------------------- arithmetic


def power_dx(x, y):
    """d x**y / dx = y * x**(y - 1) (0 for y == 0, even at x == 0)."""
    if isinstance(y, (int, float)):
        return y * x ** (y - 1) if y != 0 else anp.zeros_like(x)
    return y * x ** anp.where(getvalue(y) != 0, y - 1, 1)


def power_dy(ans, x):
    """d x**y / dy = x**y * log(x) (taken as 0 where x == 0)."""
    if isinstance(x, (int, float)):  # keep a Python number weakly typed (no float64 upcast)
        return ans * (math.log(x) if x != 0 else 0.0)
    return ans * anp.log(anp.where(getvalue(x) != 0, x, 1))


# How a cotangent or tangent ``c`` of one argument passes through an elementwise binary op
# (multiplication by the partial derivative).  The VJP sums the result back to the argument's
# shape; the JVP (in :mod:`jvps`) broadcasts it to the output's shape.
ELEMENTWISE_BINARY = {
    anp.add: (lambda c, ans, x, y: c, lambda c, ans, x, y: c),
    anp.subtract: (lambda c, ans, x, y: c, lambda c, ans, x, y: -c),
    anp.multiply: (lambda c, ans, x, y: c * y, lambda c, ans, x, y: c * x),
    anp.divide: (lambda c, ans, x, y: c / y, lambda c, ans, x, y: -c * ans / y),
    anp.power: (lambda c, ans, x, y: c * power_dx(x, y), lambda c, ans, x, y: c * power_dy(ans, x)),
    anp.maximum: (lambda c, ans, x, y: c * balanced_weights(x, y, c, _np.greater),
                  lambda c, ans, x, y: c * balanced_weights(y, x, c, _np.greater)),
    anp.minimum: (lambda c, ans, x, y: c * balanced_weights(x, y, c, _np.less),
                  lambda c, ans, x, y: c * balanced_weights(y, x, c, _np.less)),
}
for _prim, (_dx, _dy) in ELEMENTWISE_BINARY.items():
    defvjp(_prim, lambda g, ans, x, y, _dx=_dx: unbroadcast(_dx(g, ans, x, y), x),
           lambda g, ans, x, y, _dy=_dy: unbroadcast(_dy(g, ans, x, y), y))
defvjp(anp.negative, lambda g, ans, x: -g)
defvjp(anp.square, lambda g, ans, x: g * (2 * x))
defvjp(anp.absolute, lambda g, ans, x: g * anp.sign(x))

# ---------------------------------------------------------------------------- elementwise functions

defvjp(anp.exp, lambda g, ans, x: g * ans)
defvjp(anp.expm1, lambda g, ans, x: g * (ans + 1))
defvjp(anp.log, lambda g, ans, x: g / x)
defvjp(anp.log1p, lambda g, ans, x: g / (x + 1))
defvjp(anp.sqrt, lambda g, ans, x: g / (ans * 2))
defvjp(anp.sin, lambda g, ans, x: g * anp.cos(x))
defvjp(anp.cos, lambda g, ans, x: -g * anp.sin(x))


def _tanh_vjp(g, ans, x):
    if type(g) is _np.ndarray and type(ans) is _np.ndarray and g.dtype == ans.dtype and ans.ndim:
        d = _np.multiply(ans, ans)  # first order: g - g ans^2 in one temporary
        d *= g
        return _np.subtract(g, d, out=d)
    return g * (1 - ans * ans)


defvjp(anp.tanh, _tanh_vjp)
defvjp(anp.sigmoid, lambda g, ans, x: g * (ans * (1 - ans)))
defvjp(anp.relu, lambda g, ans, x: anp.where(getvalue(x) > 0, g, 0))
defvjp(anp.softplus, lambda g, ans, x: g * anp.sigmoid(x))
defvjp(anp.leaky_relu, lambda g, ans, x, negative_slope=0.01:
       anp.where(getvalue(x) > 0, g, g * negative_slope))
defvjp(anp.elu, lambda g, ans, x, alpha=1.0: anp.where(getvalue(x) > 0, g, g * (ans + alpha)))
_INV_SQRT_2PI = 0.3989422804014327
_TWO_OVER_SQRT_PI = 1.1283791670955126
defvjp(anp.gelu, lambda g, ans, x: g * (0.5 * (1 + anp.erf(x * anp._SQRT_HALF))
                                        + x * anp.exp(x * x * -0.5) * _INV_SQRT_2PI))
defvjp(anp.erf, lambda g, ans, x: g * (anp.exp(-x * x) * _TWO_OVER_SQRT_PI))
defvjp(anp._where,
       lambda g, ans, c, x, y: unbroadcast(anp.where(c, g, 0), x),
       lambda g, ans, c, x, y: unbroadcast(anp.where(c, 0, g), y), argnums=(1, 2))


def _clip_vjp(g, ans, x, a_min=None, a_max=None):
    xv = getvalue(x)
    inside = _np.ones(_np.shape(xv), dtype=bool)
    if a_min is not None:
        inside &= xv >= getvalue(a_min)
    if a_max is not None:
        inside &= xv <= getvalue(a_max)
    return anp.where(inside, g, 0)


defvjp(anp.clip, _clip_vjp)
defvjp(anp.astype, lambda g, ans, x, dtype: anp.astype(g, dtype_of(x)))

# ---------------------------------------------------------------------------- reductions

defvjp(anp.sum, lambda g, ans, x, axis=None, keepdims=False: restore_reduced(g, x, axis, keepdims))
defvjp(anp.mean, lambda g, ans, x, axis=None, keepdims=False:
       restore_reduced(g / reduced_count(x, axis), x, axis, keepdims))
defvjp(anp.max, lambda g, ans, x, axis=None, keepdims=False:
       restore_reduced(g, x, axis, keepdims) * extremum_weights(x, ans, axis, keepdims, dtype_of(g)))
defvjp(anp.min, lambda g, ans, x, axis=None, keepdims=False:
       restore_reduced(g, x, axis, keepdims) * extremum_weights(x, ans, axis, keepdims, dtype_of(g)))


def _logsumexp_vjp(g, ans, x, axis=None, keepdims=False):
    shape = keepdims_shape(shape_of(x), axis)
    return restore_reduced(g, x, axis, keepdims) * anp.exp(x - anp.reshape(ans, shape))


defvjp(anp.logsumexp, _logsumexp_vjp)
defvjp(anp.softmax, lambda g, ans, x, axis=-1: ans * (g - anp.sum(g * ans, axis=axis, keepdims=True)))
defvjp(anp.log_softmax, lambda g, ans, x, axis=-1: g - anp.exp(ans) * anp.sum(g, axis=axis, keepdims=True))

# ---------------------------------------------------------------------------- linear algebra


def _matmul_vjp_x(g, ans, x, y):
    xnd, ynd = len(shape_of(x)), len(shape_of(y))
    if ynd == 1:
        return g * y if xnd == 1 else anp.expand_dims(g, -1) * y
    if xnd == 1:
        return unbroadcast(anp.squeeze(anp.matmul(y, anp.expand_dims(g, -1)), -1), x)
    return unbroadcast(anp.matmul(g, anp.swapaxes(y, -1, -2)), x)


def _matmul_vjp_y(g, ans, x, y):
    xshape, yshape = shape_of(x), shape_of(y)
    if len(yshape) == 1:
        if len(xshape) == 1:
            return g * x
        return anp.matmul(anp.reshape(g, (-1,)), anp.reshape(x, (-1, xshape[-1])))
    if len(xshape) == 1:
        return unbroadcast(anp.expand_dims(x, -1) * anp.expand_dims(g, -2), y)
    if len(yshape) == 2 and len(xshape) == 2:
        return anp.matmul(anp.transpose(x), g)
    if len(yshape) == 2:  # (..., m, k) @ (k, n): fold the batch into the rows of one product
        return anp.matmul(anp.transpose(anp.reshape(x, (-1, xshape[-1]))), anp.reshape(g, (-1, yshape[-1])))
    return unbroadcast(anp.matmul(anp.swapaxes(x, -1, -2), g), y)


defvjp(anp.matmul, _matmul_vjp_x, _matmul_vjp_y)


def _dot_vjp(argnum: int):
    matmul_rule = (_matmul_vjp_x, _matmul_vjp_y)[argnum]

    def rule(g, ans, x, y):
        ndims = (len(shape_of(x)), len(shape_of(y)))
        if 0 in ndims:
            return anp.multiply.vjps[argnum](g, ans, x, y)
        if ndims[0] > 2 or ndims[1] > 2:
            raise DifferentiationError("the gradient of dot on arrays of more than 2 dimensions "
                                       "is not implemented: use matmul (batched)")
        return matmul_rule(g, ans, x, y)
    return rule


defvjp(anp.dot, _dot_vjp(0), _dot_vjp(1))

# ---------------------------------------------------------------------------- shapes

defvjp(anp.reshape, lambda g, ans, x, *args, **kwargs: anp.reshape(g, shape_of(x)))
defvjp(anp.expand_dims, lambda g, ans, x, axis: anp.reshape(g, shape_of(x)))
defvjp(anp.squeeze, lambda g, ans, x, axis=None: anp.reshape(g, shape_of(x)))
defvjp(anp.broadcast_to, lambda g, ans, x, shape: unbroadcast(g, x))
defvjp(anp.swapaxes, lambda g, ans, x, axis1, axis2: anp.swapaxes(g, axis1, axis2))
defvjp(anp.moveaxis, lambda g, ans, x, source, destination: anp.moveaxis(g, destination, source))


def _transpose_vjp(g, ans, x, axes=None):
    if axes is None:
        return anp.transpose(g)
    ndim = len(shape_of(x))
    return anp.transpose(g, tuple(_np.argsort([a % ndim for a in axes])))


defvjp(anp.transpose, _transpose_vjp)


def _concatenate_vjp(argnum, g, ans, axis, *arrays):
    ndim = len(shape_of(ans))
    sizes = [shape_of(a)[axis] for a in arrays]
    start = sum(sizes[:argnum - 1])
    return g[(slice(None),) * (axis % ndim) + (slice(start, start + sizes[argnum - 1]),)]


def _stack_vjp(argnum, g, ans, axis, *arrays):
    return g[(slice(None),) * (axis % len(shape_of(ans))) + (argnum - 1,)]


defvjp_argnum(anp._concatenate, _concatenate_vjp)
defvjp_argnum(anp._stack, _stack_vjp)

# ---------------------------------------------------------------------------- indexing

defvjp(anp.getitem, lambda g, ans, x, index: indexing_vjp(g, x, index))
defvjp(anp.scatter_add, lambda g, ans, values, index, shape: g[index])


def _take_vjp(g, ans, x, indices, axis=None, out=None, mode="raise"):
    shape = shape_of(x)
    if axis is None and len(shape) != 1:  # a lookup into the flattened array
        flat = anp.scatter_add(g, _take_positions(indices, int(_np.prod(shape)), mode), (int(_np.prod(shape)),))
        return anp.reshape(flat, shape)
    axis = 0 if axis is None else axis % len(shape)
    indices = _take_positions(indices, shape[axis], mode)
    if axis == 0:
        return indexing_vjp(g, x, indices)
    return anp.scatter_add(g, (slice(None),) * axis + (indices,), shape)


def _take_positions(indices, n: int, mode: str) -> _np.ndarray:
    """The positions ``take`` read, as an integer array (resolving ``mode="wrap"/"clip"``)."""
    indices = _np.asarray(indices)
    if mode == "wrap":
        return indices % n
    if mode == "clip":
        return _np.clip(indices, 0, n - 1)
    return indices


defvjp(anp.take, _take_vjp)
