"""A NumPy-like namespace of wrapped primitives: ``from wordnet_lm.autodiff import numpy as anp``.

Importing this module also registers the derivative rules (``vjps``, ``jvps``) and the
operators of :class:`Box`, so traced code reads like NumPy.
"""

from __future__ import annotations

import numpy as _np

from wordnet_lm.autodiff.tracer import Box, nondifferentiable, primitive

# --- elementwise arithmetic
add = primitive(_np.add)
subtract = primitive(_np.subtract)
multiply = primitive(_np.multiply)
divide = true_divide = primitive(_np.true_divide, "divide")
negative = primitive(_np.negative)
power = primitive(_np.power)

# --- elementwise functions
exp = primitive(_np.exp)
log = primitive(_np.log)
tanh = primitive(_np.tanh)

# --- reductions and linear algebra
sum = primitive(_np.sum)  # noqa: A001  (NumPy's name)
mean = primitive(_np.mean)
dot = primitive(_np.dot)
matmul = primitive(_np.matmul)

# --- shapes and indexing
reshape = primitive(_np.reshape)
broadcast_to = primitive(_np.broadcast_to)
transpose = primitive(_np.transpose)
getitem = primitive(lambda x, idx: x[idx], "getitem")

# --- no gradient
shape = nondifferentiable(_np.shape)
ndim = nondifferentiable(_np.ndim)
argmax = nondifferentiable(_np.argmax)
argmin = nondifferentiable(_np.argmin)
zeros_like = nondifferentiable(_np.zeros_like)
ones_like = nondifferentiable(_np.ones_like)
array = nondifferentiable(_np.array)
asarray = nondifferentiable(_np.asarray)
float32, float64, int32, int64, newaxis, pi, inf = (
    _np.float32, _np.float64, _np.int32, _np.int64, _np.newaxis, _np.pi, _np.inf)


# --- operators on boxes
def _install_operators() -> None:
    def binary(op, reflected=False):
        if reflected:
            return lambda self, other: op(other, self)
        return lambda self, other: op(self, other)

    for name, op in [("add", add), ("sub", subtract), ("mul", multiply), ("truediv", divide),
                     ("pow", power), ("matmul", matmul)]:
        setattr(Box, f"__{name}__", binary(op))
        setattr(Box, f"__r{name}__", binary(op, reflected=True))
    Box.__neg__ = lambda self: negative(self)
    Box.__pos__ = lambda self: self
    Box.__getitem__ = lambda self, idx: getitem(self, idx)
    Box.sum = lambda self, axis=None, keepdims=False: sum(self, axis=axis, keepdims=keepdims)
    Box.mean = lambda self, axis=None, keepdims=False: mean(self, axis=axis, keepdims=keepdims)
    Box.reshape = lambda self, *shape: reshape(self, shape[0] if len(shape) == 1 else shape)
    Box.dot = lambda self, other: dot(self, other)
    Box.T = property(lambda self: transpose(self))
    for name, op in [("lt", _np.less), ("le", _np.less_equal), ("gt", _np.greater),
                     ("ge", _np.greater_equal), ("eq", _np.equal), ("ne", _np.not_equal)]:
        setattr(Box, f"__{name}__", nondifferentiable(op))


_install_operators()

from wordnet_lm.autodiff import vjps as _vjps  # noqa: E402,F401  (registers the rules)
