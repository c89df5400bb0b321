"""The stable surface for adding primitives (as HIPS autograd's ``extend``).

Wrap a NumPy-level function with :func:`primitive`, then give its derivative as one rule per
argument; the engine itself never changes::

    from wordnet_lm.autodiff.extend import primitive, defvjp, defjvp

    logsinh = primitive(lambda x: np.log(np.sinh(x)))
    defvjp(logsinh, lambda g, ans, x: g / np.tanh(x))      # reverse mode: g * d ans / d x
    defjvp(logsinh, lambda t, ans, x: t / np.tanh(x))      # forward mode

Check the rules with :func:`check_grad` (central differences).  ``unbroadcast`` and the other
shape helpers undo broadcasting and restore reduced axes in rules of NumPy-like functions.
"""

from wordnet_lm.autodiff.checking import check_grad
from wordnet_lm.autodiff.core import (DifferentiationError, def_linear, defjvp, defjvp_argnum, defvjp,
                                      defvjp_argnum)
from wordnet_lm.autodiff.numpy.shapes import (dtype_of, keepdims_shape, reduced_axes, restore_reduced,
                                              shape_of, unbroadcast)
from wordnet_lm.autodiff.sparse import RowSparse
from wordnet_lm.autodiff.tracer import Box, getvalue, nondifferentiable, primitive, primitive_with_residual

__all__ = [
    "primitive", "primitive_with_residual", "nondifferentiable", "defvjp", "defvjp_argnum", "defjvp",
    "defjvp_argnum", "def_linear", "Box", "getvalue", "RowSparse", "DifferentiationError", "check_grad",
    "unbroadcast", "shape_of", "dtype_of", "reduced_axes", "keepdims_shape", "restore_reduced",
]
