"""An Autograd-style reverse- and forward-mode automatic differentiation engine on NumPy."""

from wordnet_lm.autodiff import numpy_ops as numpy
from wordnet_lm.autodiff.api import grad, value_and_grad

__all__ = ["numpy", "grad", "value_and_grad"]

from wordnet_lm.autodiff.core import defjvp, defvjp  # noqa: E402
from wordnet_lm.autodiff.tracer import Box, getvalue, nondifferentiable, primitive, primitive_with_residual  # noqa: E402

__all__ += ["defvjp", "defjvp", "primitive", "primitive_with_residual", "nondifferentiable", "Box", "getvalue"]
