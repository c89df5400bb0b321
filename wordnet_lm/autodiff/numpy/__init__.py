"""A NumPy-like namespace of differentiable primitives: ``from wordnet_lm.autodiff import numpy as anp``.

As in HIPS autograd, the package imports the wrapped functions first (:mod:`.wrapper`), then
registers their reverse-mode rules (:mod:`.vjps`) and forward-mode rules (:mod:`.jvps`); the
shape helpers the rules share are in :mod:`.shapes`.
"""

from wordnet_lm.autodiff.numpy.wrapper import *  # noqa: F401,F403
from wordnet_lm.autodiff.numpy import vjps as _vjps  # noqa: E402,F401  (registers the rules)
from wordnet_lm.autodiff.numpy import jvps as _jvps  # noqa: E402,F401
