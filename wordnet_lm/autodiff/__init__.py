"""An Autograd-style reverse- and forward-mode automatic differentiation engine on NumPy."""

from wordnet_lm.autodiff import numpy_ops as numpy
from wordnet_lm.autodiff.api import grad, value_and_grad

__all__ = ["numpy", "grad", "value_and_grad"]
