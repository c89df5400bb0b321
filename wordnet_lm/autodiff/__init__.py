"""An Autograd-style reverse- and forward-mode automatic differentiation engine on NumPy.

``from wordnet_lm.autodiff import numpy as anp, grad`` and write the function with ``anp``
as with NumPy; see ``docs/autodiff.md``.
"""

from wordnet_lm.autodiff import numpy
from wordnet_lm.autodiff.api import grad, hessian, hessian_vector_product, jvp, value_and_grad, vjp
from wordnet_lm.autodiff.checking import check_grad
from wordnet_lm.autodiff.core import DifferentiationError, def_linear, defjvp, defjvp_argnum, defvjp, defvjp_argnum
from wordnet_lm.autodiff.curvature import Sharpness, top_hessian_eigenvalue
from wordnet_lm.autodiff.pytree import ravel_pytree, tree_flatten, tree_map, tree_unflatten
from wordnet_lm.autodiff.sparse import RowSparse
from wordnet_lm.autodiff.tracer import Box, getvalue, nondifferentiable, primitive, primitive_with_residual

__all__ = [
    "numpy", "grad", "value_and_grad", "vjp", "jvp", "hessian_vector_product", "hessian", "check_grad",
    "top_hessian_eigenvalue", "Sharpness", "RowSparse", "DifferentiationError",
    "primitive", "primitive_with_residual", "nondifferentiable", "defvjp", "defjvp", "defvjp_argnum",
    "defjvp_argnum", "def_linear", "Box", "getvalue", "tree_flatten", "tree_unflatten", "tree_map",
    "ravel_pytree",
]
