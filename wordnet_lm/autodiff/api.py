"""Differential operators: functions in, functions out (JAX style).

``argnum`` picks the argument to differentiate: an int, or a tuple of ints (the result is then
a tuple).  The argument may be an array, a number or a pytree (dict/list/tuple of arrays); its
gradient has the same structure.  Keyword arguments pass through to ``fun`` undifferentiated.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from wordnet_lm.autodiff.core import DifferentiationError, ForwardTrace, ReverseTrace, backward
from wordnet_lm.autodiff.pytree import ravel_pytree, tree_flatten, tree_unflatten
from wordnet_lm.autodiff.sparse import RowSparse
from wordnet_lm.autodiff.tracer import Box, getvalue

Argnum = "int | tuple[int, ...]"


# ---------------------------------------------------------------------------- reverse mode


class _Recording:
    """One forward pass under a reverse trace: the output and how to pull cotangents back."""

    def __init__(self, fun: Callable, args: Sequence, kwargs: dict, argnum: Any, sparse_rows: bool):
        self.argnums = (argnum,) if isinstance(argnum, int) else tuple(argnum)
        self.single = isinstance(argnum, int)
        self.sparse_rows = sparse_rows
        self.trace = ReverseTrace()
        args = list(args)
        self.inputs = []  # per argnum: (treedef, leaves, tape nodes)
        with self.trace:
            for i in self.argnums:
                leaves, treedef = tree_flatten(args[i])
                boxes = [self.trace.new_input(leaf) for leaf in leaves]
                self.inputs.append((treedef, leaves, [b.node for b in boxes]))
                args[i] = tree_unflatten(treedef, boxes)
            out = fun(*args, **kwargs)
        self.traced = type(out) is Box and out.trace is self.trace
        self.out = out
        self.value = out.value if self.traced else out

    def pull_back(self, cotangent: Any, last: bool = False) -> Any:
        """The cotangents of the differentiated arguments, given the output's ``cotangent``
        (``last``: no further pull-back will follow, free the tape as it is walked)."""
        nodes = [n for _, _, ns in self.inputs for n in ns]
        if not self.traced:
            grads = [None] * len(nodes)
        else:
            grads = backward(self.trace, self.out.node, cotangent, nodes, release=last)
        seen: set[int] = set()
        results, k = [], 0
        for treedef, leaves, ns in self.inputs:
            finished = [self._finish(g, leaf, seen) for g, leaf in zip(grads[k:k + len(ns)], leaves)]
            results.append(tree_unflatten(treedef, finished))
            k += len(ns)
        return results[0] if self.single else tuple(results)

    def _finish(self, g: Any, leaf: Any, seen: set) -> Any:
        """A gradient the caller owns: dense unless ``sparse_rows``, writable, not shared, of
        the input's float dtype."""
        if g is None:
            value = getvalue(leaf)
            dtype = np.result_type(value)
            return np.zeros(np.shape(value), dtype if dtype.kind in "fc" else np.float64)
        if type(g) is RowSparse:
            if self.sparse_rows:
                return g
            g = g.to_dense()
        if type(g) is Box or not isinstance(leaf, np.ndarray):
            return g
        g = np.asarray(g)
        if leaf.dtype.kind == "f" and g.dtype != leaf.dtype:
            g = g.astype(leaf.dtype)
        elif not g.flags.writeable or id(g) in seen:
            g = g.copy()
        seen.add(id(g))
        return g


def _output_cotangent(recording: _Recording) -> np.ndarray:
    """The cotangent 1 of a scalar output: a 0-d array of its dtype."""
    value = getvalue(recording.value)
    if np.ndim(value) != 0:
        raise DifferentiationError(f"grad needs a scalar output, got shape {np.shape(value)}: "
                                   "use vjp with an explicit cotangent")
    dtype = np.result_type(value)
    return np.ones((), dtype if dtype.kind in "fc" else np.float64)


def value_and_grad(fun: Callable, argnum: Argnum = 0, *, sparse_rows: bool = False) -> Callable:
    """Return a function computing ``(fun(*args), d fun / d args[argnum])`` in one pass.

    Parameters
    ----------
    fun : callable returning a scalar (a 0-d array or number)
    argnum : int or tuple of ints, default 0
        The argument(s) to differentiate; each may be an array or a pytree of arrays.
    sparse_rows : bool, default False
        Return the gradient of an input that reaches the output only through row lookups
        (``x[int_array]``, ``anp.take(x, ids, axis=0)``) as a :class:`RowSparse` instead of a
        dense array: the embedding-table gradient without a V x m temporary.

    Returns
    -------
    callable ``(*args, **kwargs) -> (value, gradient)``
    """

    def value_and_grad_fun(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
        recording = _Recording(fun, args, kwargs, argnum, sparse_rows)
        return recording.value, recording.pull_back(_output_cotangent(recording), last=True)

    return value_and_grad_fun


def grad(fun: Callable, argnum: Argnum = 0, *, sparse_rows: bool = False) -> Callable:
    """Return a function computing the gradient of scalar ``fun`` with respect to
    ``args[argnum]`` (see :func:`value_and_grad`).  ``grad(grad(f))`` gives second derivatives."""
    value_and_grad_fun = value_and_grad(fun, argnum, sparse_rows=sparse_rows)

    def grad_fun(*args: Any, **kwargs: Any) -> Any:
        return value_and_grad_fun(*args, **kwargs)[1]

    return grad_fun


def vjp(fun: Callable, *args: Any, argnum: Argnum = 0, sparse_rows: bool = False) -> tuple[Any, Callable]:
    """Evaluate ``fun(*args)`` and return ``(value, pullback)``; ``pullback(cotangent)`` gives
    ``cotangent^T d fun / d args[argnum]`` (as :func:`value_and_grad`) and may be called many times.

    ``cotangent`` must have the output's shape; it is converted to the output's dtype.
    """
    recording = _Recording(fun, args, {}, argnum, sparse_rows)
    value = getvalue(recording.value)

    def pullback(cotangent: Any) -> Any:
        if type(cotangent) is not Box:
            dtype = np.result_type(value)
            cotangent = np.asarray(cotangent, dtype=dtype if dtype.kind in "fc" else None)
        if np.shape(getvalue(cotangent)) != np.shape(value):
            raise DifferentiationError(f"cotangent of shape {np.shape(getvalue(cotangent))} for an "
                                       f"output of shape {np.shape(value)}")
        return recording.pull_back(cotangent)

    return recording.value, pullback


# ---------------------------------------------------------------------------- forward mode


def jvp(fun: Callable, primals: Sequence, tangents: Sequence) -> tuple[Any, Any]:
    """Forward mode: ``(fun(*primals), d fun(primals) . tangents)``.

    ``tangents`` matches ``primals`` argument by argument (pytrees of the same structure);
    a ``None`` tangent marks a constant argument.  ``fun`` may return a pytree of arrays.
    """
    trace = ForwardTrace()
    args = list(primals)
    with trace:
        for i, (primal, tangent) in enumerate(zip(primals, tangents)):
            if tangent is None:
                continue
            leaves, treedef = tree_flatten(primal)
            tangent_leaves, tangent_def = tree_flatten(tangent)
            if tangent_def != treedef:
                raise DifferentiationError(f"tangent {i} does not have the structure of its primal")
            boxes = [trace.new_input(p, _as_tangent(t, p)) for p, t in zip(leaves, tangent_leaves)]
            args[i] = tree_unflatten(treedef, boxes)
        out = fun(*args)
    leaves, treedef = tree_flatten(out)
    values, out_tangents = [], []
    for leaf in leaves:
        if type(leaf) is Box and leaf.trace is trace:
            values.append(leaf.value)
            out_tangents.append(leaf.node)
        else:
            values.append(leaf)
            out_tangents.append(np.zeros_like(getvalue(leaf), dtype=float)
                                if np.result_type(getvalue(leaf)).kind not in "fc" else np.zeros_like(getvalue(leaf)))
    return tree_unflatten(treedef, values), tree_unflatten(treedef, out_tangents)


def _as_tangent(tangent: Any, primal: Any) -> Any:
    if type(tangent) is Box:
        return tangent
    value = getvalue(primal)
    dtype = np.result_type(value)
    tangent = np.asarray(tangent, dtype=dtype if dtype.kind in "fc" else None)
    if tangent.shape != np.shape(value):
        raise DifferentiationError(f"tangent of shape {tangent.shape} for a primal of shape {np.shape(value)}")
    return tangent


# ---------------------------------------------------------------------------- second order


def hessian_vector_product(fun: Callable, argnum: int = 0) -> Callable:
    """Return ``hvp(*args, vector)`` = (d^2 fun / d args[argnum]^2) @ ``vector``.

    Forward over reverse: one JVP of the gradient, about the cost of two gradients.  The
    argument and ``vector`` may be pytrees of the same structure.
    """
    grad_fun = grad(fun, argnum)

    def hvp(*args_and_vector: Any, **kwargs: Any) -> Any:
        *args, vector = args_and_vector

        def grad_at(x: Any) -> Any:
            return grad_fun(*args[:argnum], x, *args[argnum + 1:], **kwargs)

        return jvp(grad_at, (args[argnum],), (vector,))[1]

    return hvp


def hessian(fun: Callable, argnum: int = 0) -> Callable:
    """Return a function computing the full Hessian of scalar ``fun`` (for small inputs).

    For an array argument of shape ``s`` the Hessian has shape ``s + s``; for a pytree it is
    the ``(n, n)`` matrix over its leaves raveled in order (:func:`ravel_pytree`).
    """
    hvp = hessian_vector_product(fun, argnum)

    def hessian_fun(*args: Any, **kwargs: Any) -> np.ndarray:
        flat, unravel = ravel_pytree(args[argnum])
        basis = np.eye(flat.size, dtype=flat.dtype)
        rows = [ravel_pytree(hvp(*args, unravel(e), **kwargs))[0] for e in basis]
        matrix = np.stack(rows) if rows else np.zeros((0, 0))
        x = args[argnum]
        if isinstance(x, (np.ndarray, float, int, np.generic)):
            return matrix.reshape(np.shape(x) * 2)
        return matrix

    return hessian_fun
