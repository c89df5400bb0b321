"""Tracing: boxes that carry values through a computation, and the primitive wrapper.

A *trace* (one per ``grad``/``jvp`` call, nested for higher order) boxes its inputs.  When a
wrapped primitive sees boxed arguments it unboxes those of the innermost trace, calls itself
on the unboxed values (so outer traces see the call too) and hands the result to that trace,
which records it (reverse mode) or pushes a tangent through it (forward mode).

While no trace is live the wrapper calls NumPy directly: the only overhead is one check.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

import numpy as np

_live_traces = 0  # traces currently recording; 0 means every primitive takes the fast path
_next_level = 0


class Trace:
    """One level of tracing.  Subclasses implement :meth:`process`."""

    __slots__ = ("level", "__weakref__")

    def __init__(self) -> None:
        global _next_level
        _next_level += 1
        self.level = _next_level

    def process(self, prim: "Callable", ans: Any, args: tuple, raw: tuple, kwargs: dict,
                residual: Any = None) -> "Box":
        """Record (or push a tangent through) one call; ``residual`` replaces ``ans`` for VJPs."""
        raise NotImplementedError

    # Each trace is entered while its function runs forward.
    def __enter__(self) -> "Trace":
        global _live_traces
        _live_traces += 1
        return self

    def __exit__(self, *exc: Any) -> None:
        global _live_traces
        _live_traces -= 1


class Box:
    """A value being traced: ``value`` (an array or a box of an outer trace), its ``trace`` and
    ``node`` (the trace's handle: a tape index in reverse mode, a tangent in forward mode)."""

    __slots__ = ("value", "trace", "node")
    __array_ufunc__ = None  # make ndarray operators defer to ours
    __array_priority__ = 1000.0

    def __init__(self, value: Any, trace: Trace, node: Any) -> None:
        self.value = value
        self.trace = trace
        self.node = node

    def __repr__(self) -> str:
        return f"Box({self.value!r})"

    shape = property(lambda self: np.shape(self.value))
    ndim = property(lambda self: np.ndim(self.value))
    size = property(lambda self: np.size(self.value))
    dtype = property(lambda self: np.result_type(self.value))

    def __len__(self) -> int:
        return len(self.value)

    def __bool__(self) -> bool:
        return bool(self.value)

    def __float__(self) -> float:
        return float(getvalue(self))

    def __hash__(self) -> int:
        return id(self)


def getvalue(x: Any) -> Any:
    """The raw value under any number of boxes."""
    while type(x) is Box:
        x = x.value
    return x


def primitive(fun: Callable, name: str | None = None) -> Callable:
    """Wrap a NumPy-level function so that traces see its calls.

    The wrapper carries ``fun`` (the raw function), ``vjps`` and ``jvps`` (filled by
    :func:`wordnet_lm.autodiff.core.defvjp` / ``defjvp``) as attributes.
    """

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if _live_traces:
            top = None
            level = 0
            for a in args:
                if type(a) is Box and a.trace.level > level:
                    top = a.trace
                    level = top.level
            if top is not None:
                raw = tuple(a.value if type(a) is Box and a.trace is top else a for a in args)
                ans = wrapped(*raw, **kwargs)
                return top.process(wrapped, ans, args, raw, kwargs)
        return fun(*args, **kwargs)

    functools.update_wrapper(wrapped, fun)
    wrapped.__name__ = name or getattr(fun, "__name__", "primitive")
    wrapped.__qualname__ = wrapped.__name__
    wrapped.fun = fun
    wrapped.vjps = {}
    wrapped.jvps = {}
    wrapped.is_primitive = True
    return wrapped


def primitive_with_residual(fun: Callable, name: str | None = None) -> Callable:
    """Wrap ``fun(*args) -> (ans, residual)`` as a primitive returning ``ans``.

    Under a reverse trace the ``residual`` (e.g. the softmax of a fused cross-entropy) is kept
    on the tape in place of ``ans`` and handed to the VJP rules as their ``ans`` argument, so a
    backward pass can reuse, even overwrite, what the forward pass computed.  Such primitives
    are first-order only: their arguments must not be boxes of an outer trace.
    """

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if _live_traces:
            top = None
            level = 0
            for a in args:
                if type(a) is Box and a.trace.level > level:
                    top = a.trace
                    level = top.level
            if top is not None:
                raw = tuple(a.value if type(a) is Box and a.trace is top else a for a in args)
                if any(type(a) is Box for a in raw):
                    raise TypeError(f"primitive '{wrapped.__name__}' supports first-order differentiation only")
                ans, residual = fun(*raw, **kwargs)
                return top.process(wrapped, ans, args, raw, kwargs, residual)
        return fun(*args, **kwargs)[0]

    functools.update_wrapper(wrapped, fun)
    wrapped.__name__ = name or getattr(fun, "__name__", "primitive")
    wrapped.__qualname__ = wrapped.__name__
    wrapped.fun = fun
    wrapped.vjps = {}
    wrapped.jvps = {}
    wrapped.is_primitive = True
    return wrapped


def nondifferentiable(fun: Callable) -> Callable:
    """Wrap a function whose output carries no gradient (argmax, shape queries, comparisons)."""

    @functools.wraps(fun)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if _live_traces:
            args = tuple(getvalue(a) for a in args)
        return fun(*args, **kwargs)

    return wrapped
