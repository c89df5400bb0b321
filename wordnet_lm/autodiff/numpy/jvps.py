"""Jacobian-vector products (forward mode) of the primitives in :mod:`numpy_ops`.

A rule is ``rule(t, ans, *args, **kwargs)``: the contribution of one argument's tangent ``t``
to the output tangent, of the output's shape.  Elementwise functions of one argument have a
diagonal Jacobian, so their forward rule is their reverse rule; linear primitives push the
tangent through themselves (:func:`def_linear`).
"""

from __future__ import annotations

from wordnet_lm.autodiff.numpy import vjps
from wordnet_lm.autodiff.numpy import wrapper as anp
from wordnet_lm.autodiff.core import def_linear, defjvp, defjvp_argnum
from wordnet_lm.autodiff.numpy.shapes import dtype_of, extremum_weights, keepdims_shape, shape_of


def broadcast_like(t, ans):
    """``t`` broadcast to the shape of ``ans`` (a no-op when it already has it)."""
    shape = shape_of(ans)
    return t if shape_of(t) == shape else anp.broadcast_to(t, shape)


# ---------------------------------------------------------------------------- same as reverse
for _prim in (anp.negative, anp.square, anp.absolute, anp.exp, anp.expm1, anp.log, anp.log1p,
              anp.sqrt, anp.sin, anp.cos, anp.tanh, anp.sigmoid, anp.relu, anp.softplus,
              anp.leaky_relu, anp.elu, anp.gelu, anp.erf, anp.clip, anp.softmax):
    _prim.jvps[0] = _prim.vjps[0]

# ---------------------------------------------------------------------------- linear
for _prim in (anp.sum, anp.mean, anp.reshape, anp.expand_dims, anp.squeeze, anp.broadcast_to,
              anp.swapaxes, anp.moveaxis, anp.transpose, anp.getitem, anp.take, anp.scatter_add):
    def_linear(_prim)
def_linear(anp.matmul, 0, 1)
def_linear(anp.dot, 0, 1)

# ---------------------------------------------------------------------------- arithmetic
for _prim, (_dx, _dy) in vjps.ELEMENTWISE_BINARY.items():
    defjvp(_prim, lambda t, ans, x, y, _dx=_dx: broadcast_like(_dx(t, ans, x, y), ans),
           lambda t, ans, x, y, _dy=_dy: broadcast_like(_dy(t, ans, x, y), ans))
defjvp(anp._where,
       lambda t, ans, c, x, y: broadcast_like(anp.where(c, t, 0), ans),
       lambda t, ans, c, x, y: broadcast_like(anp.where(c, 0, t), ans), argnums=(1, 2))
defjvp(anp.astype, lambda t, ans, x, dtype: anp.astype(t, dtype))

# ---------------------------------------------------------------------------- reductions
defjvp(anp.max, lambda t, ans, x, axis=None, keepdims=False:
       anp.sum(t * extremum_weights(x, ans, axis, keepdims, dtype_of(t)), axis=axis, keepdims=keepdims))
defjvp(anp.min, lambda t, ans, x, axis=None, keepdims=False:
       anp.sum(t * extremum_weights(x, ans, axis, keepdims, dtype_of(t)), axis=axis, keepdims=keepdims))
defjvp(anp.logsumexp, lambda t, ans, x, axis=None, keepdims=False:
       anp.sum(t * anp.exp(x - anp.reshape(ans, keepdims_shape(shape_of(x), axis))), axis=axis, keepdims=keepdims))
defjvp(anp.log_softmax, lambda t, ans, x, axis=-1: t - anp.sum(anp.exp(ans) * t, axis=axis, keepdims=True))


# ---------------------------------------------------------------------------- joins
def _join_jvp(join):
    def rule(argnum, t, ans, axis, *arrays):
        parts = [t if i == argnum - 1 else anp.zeros_like(a) for i, a in enumerate(arrays)]
        return join(axis, *parts)
    return rule


defjvp_argnum(anp._concatenate, _join_jvp(anp._concatenate))
defjvp_argnum(anp._stack, _join_jvp(anp._stack))
