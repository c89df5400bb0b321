"""Differential operators: functions in, functions out (JAX style)."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from wordnet_lm.autodiff.core import ReverseTrace, backward
from wordnet_lm.autodiff.tracer import Box


def _value_and_grad_raw(fun: Callable, args: tuple, kwargs: dict, argnum: int):
    trace = ReverseTrace()
    with trace:
        box = trace.new_input(args[argnum])
        out = fun(*args[:argnum], box, *args[argnum + 1:], **kwargs)
    if type(out) is not Box or out.trace is not trace:
        return out, None  # output does not depend on the input
    if np.ndim(out.value) != 0:
        raise TypeError(f"grad requires a scalar output, got shape {np.shape(out.value)}; "
                        "use vjp with an explicit cotangent")
    (g,) = backward(trace, out.node, np.ones_like(out.value), [box.node])
    return out.value, g


def value_and_grad(fun: Callable, argnum: int = 0) -> Callable:
    """Return a function computing ``(fun(*args), d fun / d args[argnum])``."""

    def vg(*args: Any, **kwargs: Any):
        value, g = _value_and_grad_raw(fun, args, kwargs, argnum)
        if g is None:
            g = np.zeros_like(args[argnum])
        return value, g

    return vg


def grad(fun: Callable, argnum: int = 0) -> Callable:
    """Return a function computing the gradient of scalar ``fun`` with respect to ``args[argnum]``."""
    vg = value_and_grad(fun, argnum)
    return lambda *args, **kwargs: vg(*args, **kwargs)[1]
