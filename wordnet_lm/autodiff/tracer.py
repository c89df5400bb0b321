"""Tracing: boxes that carry values through a computation, and the primitive wrapper.

A *trace* (one per ``grad``/``jvp`` call, nested for higher order) boxes its inputs.  When a
wrapped primitive sees boxed arguments it finds the innermost trace among them (the highest
``level``), unboxes that trace's boxes, computes the result on the unboxed values (through the
wrapper again while outer traces are live, so they see the call too) and hands it to the trace,
which records it (reverse mode) or pushes a tangent through it (forward mode).

While no trace is live the wrapper calls NumPy directly: the only overhead is one check.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

import numpy as np

from wordnet_lm.errors import WordnetLMError

_live_traces = 0  # traces currently recording; 0 means every primitive takes the fast path
_next_level = 0


class DifferentiationError(WordnetLMError, TypeError):
    """A function cannot be differentiated as asked (no rule for a primitive, non-scalar output,
    a first-order-only primitive under a second derivative)."""


class Trace:
    """One level of tracing.  Subclasses implement :meth:`process`."""

    __slots__ = ("level", "__weakref__")

    def __init__(self) -> None:
        global _next_level
        _next_level += 1
        self.level = _next_level

    def process(self, prim: Callable, ans: Any, saved: Any, raw: list, kwargs: dict,
                parents: list) -> "Box":
        """Box ``ans``, the result of ``prim(*raw, **kwargs)``.  ``parents`` lists ``(argnum, node)``
        of the arguments this trace boxed; ``saved`` is what derivative rules get as ``ans``."""
        raise NotImplementedError

    # A trace is live while its function runs forward.
    def __enter__(self) -> "Trace":
        global _live_traces
        _live_traces += 1
        return self

    def __exit__(self, *exc: Any) -> None:
        global _live_traces
        _live_traces -= 1


class Box:
    """A value being traced: ``value`` (an array or a box of an outer trace), its ``trace`` and
    ``node`` (the trace's handle: a tape index in reverse mode, a tangent in forward mode).

    Operators and NumPy-like methods (``+``, ``@``, ``x[idx]``, ``.sum()``, ``.T`` ...) are
    installed by :mod:`wordnet_lm.autodiff.numpy.wrapper`.
    """

    __slots__ = ("value", "trace", "node")
    __array_priority__ = 1000.0

    def __init__(self, value: Any, trace: Trace, node: Any) -> None:
        self.value = value
        self.trace = trace
        self.node = node

    def __repr__(self) -> str:
        return f"Box({self.value!r})"

    shape = property(lambda self: np.shape(getvalue(self)))
    ndim = property(lambda self: np.ndim(getvalue(self)))
    size = property(lambda self: np.size(getvalue(self)))
    dtype = property(lambda self: np.result_type(getvalue(self)))

    def __len__(self) -> int:
        return len(getvalue(self))

    def __bool__(self) -> bool:
        return bool(getvalue(self))

    def __float__(self) -> float:
        return float(getvalue(self))

    def __int__(self) -> int:
        return int(getvalue(self))

    def __index__(self) -> int:
        return int(getvalue(self))

    def __hash__(self) -> int:
        return id(self)

    def __array__(self, *args: Any, **kwargs: Any) -> Any:
        raise DifferentiationError(
            "a traced value cannot become a plain NumPy array (its gradient would be lost): "
            "use the functions of wordnet_lm.autodiff.numpy (anp) inside differentiated code")

    def __iter__(self):
        return (self[i] for i in range(len(self)))


def getvalue(x: Any) -> Any:
    """The raw value under any number of boxes."""
    while type(x) is Box:
        x = x.value
    return x


def _unbox(args: tuple) -> tuple[Trace | None, list, list]:
    """The innermost trace among ``args``, the arguments with its boxes opened, and
    ``(argnum, node)`` of each box opened."""
    top = raw = parents = None
    i = 0
    for a in args:  # one pass for the usual case: every box belongs to one trace
        if type(a) is Box:
            if top is None:
                top, raw, parents = a.trace, list(args), []
            elif a.trace is not top:
                return _unbox_nested(args)
            raw[i] = a.value
            parents.append((i, a.node))
        i += 1
    return top, raw, parents


def _unbox_nested(args: tuple) -> tuple[Trace, list, list]:
    top = max((a.trace for a in args if type(a) is Box), key=lambda trace: trace.level)
    raw = list(args)
    parents = []
    for i, a in enumerate(args):
        if type(a) is Box and a.trace is top:
            raw[i] = a.value
            parents.append((i, a.node))
    return top, raw, parents


def _as_primitive(wrapped: Callable, fun: Callable, name: str | None) -> Callable:
    functools.update_wrapper(wrapped, fun)
    wrapped.__name__ = wrapped.__qualname__ = name or getattr(fun, "__name__", "primitive")
    wrapped.fun = fun
    wrapped.vjps = {}
    wrapped.jvps = {}
    return wrapped


def primitive(fun: Callable, name: str | None = None) -> Callable:
    """Wrap a NumPy-level function so that traces see its calls.

    The wrapper carries ``fun`` (the raw function), ``vjps`` and ``jvps`` (filled by
    :func:`wordnet_lm.autodiff.core.defvjp` / ``defjvp``) as attributes.
    """

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if _live_traces:
            top, raw, parents = _unbox(args)
            if top is not None:
                ans = wrapped(*raw, **kwargs) if _live_traces > 1 else fun(*raw, **kwargs)
                return top.process(wrapped, ans, ans, raw, kwargs, parents)
        return fun(*args, **kwargs)

    return _as_primitive(wrapped, fun, name)


def primitive_with_residual(fun: Callable, name: str | None = None) -> Callable:
    """Wrap ``fun(*args) -> (ans, residual)`` as a primitive returning ``ans``.

    Under a reverse trace the ``residual`` (e.g. the softmax of a fused cross-entropy) is kept
    on the tape in place of ``ans`` and handed to the VJP rules as their ``ans`` argument, so a
    backward pass can reuse, even overwrite, what the forward pass computed.  Such primitives
    are first-order only: their arguments must not be boxes of an outer trace.
    """

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if _live_traces:
            top, raw, parents = _unbox(args)
            if top is not None:
                if any(type(r) is Box for r in raw):
                    raise DifferentiationError(f"primitive '{wrapped.__name__}' supports first-order differentiation only")
                ans, residual = fun(*raw, **kwargs)
                return top.process(wrapped, ans, residual, raw, kwargs, parents)
        return fun(*args, **kwargs)[0]

    return _as_primitive(wrapped, fun, name)


def nondifferentiable(fun: Callable) -> Callable:
    """Wrap a function whose output carries no gradient (argmax, shape queries, comparisons)."""

    @functools.wraps(fun)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if _live_traces:
            args = tuple(getvalue(a) for a in args)
            kwargs = {k: getvalue(v) for k, v in kwargs.items()}
        return fun(*args, **kwargs)

    return wrapped
